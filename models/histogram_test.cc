// histogram_test.cc — the mergeable latency histogram: bucket bounds, merge == histogram of the
// union (load results from several shards), percentile estimates within the bucket error, JSON.
#include "models/histogram.h"

#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "models/stats.h"

namespace {

std::unique_ptr<mdl_histogram> NewHist() {
  std::unique_ptr<mdl_histogram> h(new mdl_histogram);
  mdl_histogram_init(h.get());
  return h;
}

std::string ToText(const mdl_histogram *h) {
  cJSON *j = mdl_histogram_to_json(h);
  char *s = cJSON_PrintUnformatted(j);
  std::string out = s;
  cJSON_free(s);
  cJSON_Delete(j);
  return out;
}

TEST(Histogram, BucketOf_ValueLiesWithinItsBucketBounds) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exp10(-4, 8);
  for (int i = 0; i < 20000; i++) {
    double v = std::pow(10.0, exp10(rng));
    int b = mdl_histogram_bucket_of(v);
    ASSERT_GE(b, 0);
    ASSERT_LT(b, MDL_HIST_BUCKETS);
    ASSERT_LE(v, mdl_histogram_bucket_upper(b)) << v;
    if (b > 0) {
      ASSERT_GT(v, mdl_histogram_bucket_upper(b - 1)) << v;
    }
  }
  EXPECT_EQ(mdl_histogram_bucket_of(0.0), 0);
  EXPECT_EQ(mdl_histogram_bucket_of(0.001), 0);
  EXPECT_EQ(mdl_histogram_bucket_of(0.002), 8);  // exactly one doubling above 1 us
  EXPECT_EQ(mdl_histogram_bucket_of(1e12), MDL_HIST_BUCKETS - 1);
}

TEST(Histogram, Merge_EqualsHistogramOfUnion) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> lat(5.0, 1.0);  // ~150 ms median
  auto a = NewHist(), b = NewHist(), c = NewHist(), all = NewHist();
  mdl_histogram *shards[] = {a.get(), b.get(), c.get()};
  for (int i = 0; i < 30000; i++) {
    double v = lat(rng);
    ASSERT_EQ(mdl_histogram_add(shards[i % 3], v, nullptr), MDL_OK);
    ASSERT_EQ(mdl_histogram_add(all.get(), v, nullptr), MDL_OK);
  }
  auto merged = NewHist();
  for (mdl_histogram *s : shards) ASSERT_EQ(mdl_histogram_merge(merged.get(), s, nullptr), MDL_OK);
  EXPECT_EQ(merged->count, all->count);
  EXPECT_EQ(merged->min_ms, all->min_ms);
  EXPECT_EQ(merged->max_ms, all->max_ms);
  EXPECT_NEAR(merged->sum_ms, all->sum_ms, all->sum_ms * 1e-12);
  for (int i = 0; i < MDL_HIST_BUCKETS; i++)
    ASSERT_EQ(merged->buckets[i], all->buckets[i]) << "bucket " << i;
  for (double p : {50.0, 95.0, 99.0})
    EXPECT_DOUBLE_EQ(mdl_histogram_percentile(merged.get(), p),
                     mdl_histogram_percentile(all.get(), p));
}

TEST(Histogram, Percentile_WithinBucketErrorOfExactPercentile) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> lat(4.0, 0.8);
  std::vector<double> samples;
  auto h = NewHist();
  for (int i = 0; i < 10000; i++) {
    double v = lat(rng);
    samples.push_back(v);
    mdl_histogram_add(h.get(), v, nullptr);
  }
  mdl_stats_summary s;
  ASSERT_EQ(mdl_stats_summarize(samples.data(), samples.size(), &s, nullptr), MDL_OK);
  // A bucket spans a factor 2^(1/8) = 1.0905, so the estimate is within 9.1% of the exact value.
  EXPECT_NEAR(mdl_histogram_percentile(h.get(), 50), s.p50, s.p50 * 0.091);
  EXPECT_NEAR(mdl_histogram_percentile(h.get(), 95), s.p95, s.p95 * 0.091);
  EXPECT_NEAR(mdl_histogram_percentile(h.get(), 99), s.p99, s.p99 * 0.091);
  EXPECT_DOUBLE_EQ(mdl_histogram_percentile(h.get(), 100), s.max);
  EXPECT_DOUBLE_EQ(mdl_histogram_percentile(h.get(), 0), s.min);
  EXPECT_NEAR(mdl_histogram_mean(h.get()), s.mean, 1e-9 * s.mean);
}

TEST(Histogram, Percentile_SingleSampleIsExact) {
  auto h = NewHist();
  mdl_histogram_add(h.get(), 123.45, nullptr);
  EXPECT_DOUBLE_EQ(mdl_histogram_percentile(h.get(), 50), 123.45);
  EXPECT_DOUBLE_EQ(mdl_histogram_percentile(h.get(), 99), 123.45);
  auto empty = NewHist();
  EXPECT_DOUBLE_EQ(mdl_histogram_percentile(empty.get(), 95), 0.0);
}

TEST(Histogram, Add_RejectsNegativeAndNonFinite) {
  auto h = NewHist();
  mdl_err err;
  EXPECT_EQ(mdl_histogram_add(h.get(), -1.0, &err), MDL_ERANGE);
  EXPECT_STREQ(err.field, "value_ms");
  EXPECT_EQ(mdl_histogram_add(h.get(), INFINITY, &err), MDL_ERANGE);
  EXPECT_EQ(mdl_histogram_add(h.get(), NAN, &err), MDL_ERANGE);
  EXPECT_EQ(h->count, 0u);
}

TEST(Histogram, Json_RoundTripIsByteStable) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> lat(1.0 / 80.0);
  auto h = NewHist();
  for (int i = 0; i < 5000; i++) mdl_histogram_add(h.get(), lat(rng), nullptr);
  std::string first = ToText(h.get());
  cJSON *j = cJSON_Parse(first.c_str());
  auto back = NewHist();
  mdl_err err;
  ASSERT_EQ(mdl_histogram_from_json(j, back.get(), &err), MDL_OK) << err.field << ": " << err.msg;
  cJSON_Delete(j);
  EXPECT_EQ(ToText(back.get()), first);
  EXPECT_EQ(back->count, h->count);
  EXPECT_EQ(back->sum_ms, h->sum_ms);
  for (int i = 0; i < MDL_HIST_BUCKETS; i++) ASSERT_EQ(back->buckets[i], h->buckets[i]);
}

TEST(Histogram, Json_EmptyHistogramRoundTrips) {
  auto h = NewHist();
  std::string text = ToText(h.get());
  EXPECT_EQ(text,
            "{\"scheme\":\"log2x8-1us\",\"count\":0,\"sum_ms\":0,\"min_ms\":null,\"max_ms\":null,"
            "\"buckets\":[]}");
  cJSON *j = cJSON_Parse(text.c_str());
  auto back = NewHist();
  EXPECT_EQ(mdl_histogram_from_json(j, back.get(), nullptr), MDL_OK);
  cJSON_Delete(j);
}

struct BadHist {
  const char *json;
  mdl_code code;
  const char *field;
};

TEST(Histogram, Json_RejectsInconsistentDocuments) {
  const BadHist cases[] = {
      {R"({"scheme":"other","count":0,"sum_ms":0,"buckets":[]})", MDL_EENUM, "scheme"},
      {R"({"scheme":"log2x8-1us","count":2,"sum_ms":3,"min_ms":1,"max_ms":2,"buckets":[[125,1]]})",
       MDL_ERULE, "count"},
      {R"({"scheme":"log2x8-1us","count":2,"sum_ms":3,"min_ms":1,"max_ms":2,"buckets":[[80,1],[80,1]]})",
       MDL_ERULE, "buckets[1]"},
      {R"({"scheme":"log2x8-1us","count":1,"sum_ms":3,"min_ms":1,"max_ms":1,"buckets":[[999,1]]})",
       MDL_ERANGE, "buckets[0]"},
      {R"({"scheme":"log2x8-1us","count":1,"sum_ms":-3,"min_ms":1,"max_ms":1,"buckets":[[80,1]]})",
       MDL_ERANGE, "sum_ms"},
      {R"({"scheme":"log2x8-1us","count":1,"sum_ms":3,"min_ms":5,"max_ms":1,"buckets":[[80,1]]})",
       MDL_ERULE, "max_ms"},
      {R"({"scheme":"log2x8-1us","count":1,"sum_ms":3,"buckets":[[80,1]]})", MDL_EMISSING,
       "min_ms"},
      {R"({"scheme":"log2x8-1us","count":1,"sum_ms":1,"min_ms":1,"max_ms":1,"buckets":[[10,1]]})",
       MDL_ERULE, "min_ms"},
      {R"({"scheme":"log2x8-1us","count":1,"sum_ms":1,"min_ms":1,"max_ms":1,"buckets":[["80",1]]})",
       MDL_ETYPE, "buckets[0]"},
  };
  for (const BadHist &c : cases) {
    cJSON *j = cJSON_Parse(c.json);
    ASSERT_NE(j, nullptr) << c.json;
    auto h = NewHist();
    mdl_err err;
    EXPECT_EQ(mdl_histogram_from_json(j, h.get(), &err), c.code) << c.json << " -> " << err.msg;
    EXPECT_STREQ(err.field, c.field) << c.json;
    EXPECT_EQ(h->count, 0u);
    cJSON_Delete(j);
  }
}

}  // namespace
