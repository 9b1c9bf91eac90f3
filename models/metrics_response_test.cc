// metrics_response_test.cc — MetricsResponse rules: counters >= 0, histogram buckets sorted by
// bucket_le (+Inf only last), cumulative counts non-decreasing, last bucket count == count,
// sum >= 0.
#include "models/metrics_response.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "models/test_util.h"

namespace {

using mdltest::Fixture;
using mdltest::Set;
constexpr mdl_record_kind K = MDL_REC_METRICS;

TEST(Metrics, Example_ParsesWithInfBucket) {
  auto d = Fixture("metrics.json");
  mdl_metrics m;
  mdl_err err;
  ASSERT_EQ(mdl_metrics_from_json(d->j, &m, &err), MDL_OK) << err.field << ": " << err.msg;
  ASSERT_EQ(m.counter_count, 2u);
  EXPECT_STREQ(mdl_strmap_get(&m.counters[0].labels, "tool"), "search");
  ASSERT_EQ(m.gauge_count, 2u);
  ASSERT_EQ(m.histogram_count, 1u);
  ASSERT_EQ(m.histograms[0].bucket_count, 4u);
  EXPECT_TRUE(std::isinf(m.histograms[0].buckets[3].bucket_le));
  EXPECT_EQ(m.histograms[0].count, 1520);
  mdl_metrics_free(&m);
}

TEST(Metrics, Rule_CounterValueNonNegative) {
  auto ok = Fixture("metrics.json");
  Set(ok->j, "counters[1].value", "0");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("metrics.json");
  Set(d->j, "counters[1].value", "-1");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "counters[1].value", "value must be >= 0");
  auto g = Fixture("metrics.json");  // gauges may go negative
  Set(g->j, "gauges[0].value", "-3.5");
  EXPECT_ACCEPTED(K, g);
}

TEST(Metrics, Rule_BucketsSortedByBucketLe) {
  auto ok = Fixture("metrics.json");
  Set(ok->j, "histograms[0].buckets[0].bucket_le", "0.005");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms[0].buckets[1].bucket_le", "2");
  EXPECT_REJECTED(K, d, MDL_ERULE, "histograms[0].buckets[1].bucket_le",
                  "buckets must be sorted by bucket_le");
  auto eq = Fixture("metrics.json");
  Set(eq->j, "histograms[0].buckets[1].bucket_le", "5");
  EXPECT_REJECTED(K, eq, MDL_ERULE, "histograms[0].buckets[1].bucket_le", "strictly ascending");
}

TEST(Metrics, Rule_InfAllowedOnlyAsLastBucket) {
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms[0].buckets[2].bucket_le", "\"+Inf\"");
  EXPECT_REJECTED(K, d, MDL_ERULE, "histograms[0].buckets[2].bucket_le",
                  "\"+Inf\" is allowed only on the last bucket");
  auto noinf = Fixture("metrics.json");  // a finite last bucket is fine when its count == count
  Set(noinf->j, "histograms[0].buckets[3].bucket_le", "5000");
  EXPECT_ACCEPTED(K, noinf);
  auto word = Fixture("metrics.json");
  Set(word->j, "histograms[0].buckets[3].bucket_le", "\"Inf\"");
  EXPECT_REJECTED(K, word, MDL_ETYPE, "histograms[0].buckets[3].bucket_le",
                  "bucket_le must be a number or \"+Inf\"");
}

TEST(Metrics, Rule_CumulativeCountsNonDecreasing) {
  auto ok = Fixture("metrics.json");
  Set(ok->j, "histograms[0].buckets[1].count", "100");  // equal to the previous bucket
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms[0].buckets[2].count", "800");
  EXPECT_REJECTED(K, d, MDL_ERULE, "histograms[0].buckets[2].count", "non-decreasing");
}

TEST(Metrics, Rule_LastBucketCountEqualsCount) {
  auto ok = Fixture("metrics.json");
  Set(ok->j, "histograms[0].buckets[3].count", "1600");
  Set(ok->j, "histograms[0].count", "1600");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms[0].count", "1521");
  EXPECT_REJECTED(K, d, MDL_ERULE, "histograms[0].count",
                  "count must equal the last bucket's count");
}

TEST(Metrics, Rule_SumNonNegative) {
  auto ok = Fixture("metrics.json");
  Set(ok->j, "histograms[0].sum", "0");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms[0].sum", "-0.5");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "histograms[0].sum", "sum must be >= 0");
}

TEST(Metrics, Rule_AtLeastOneBucket) {
  auto ok = Fixture("metrics.json");
  Set(ok->j, "histograms[0].buckets", R"([{"bucket_le":"+Inf","count":1520}])");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms[0].buckets", "[]");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "histograms[0].buckets", "at least one bucket");
}

TEST(Metrics, Rule_PrometheusNames) {
  auto d = Fixture("metrics.json");
  Set(d->j, "counters[0].name", "\"requests-total\"");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "counters[0].name", "name must match [a-zA-Z_:][a-zA-Z0-9_:]*");
  auto l = Fixture("metrics.json");
  Set(l->j, "counters[0].labels", R"({"bad-label":"x"})");
  EXPECT_REJECTED(K, l, MDL_ERANGE, "counters[0].labels", "label names must match");
  EXPECT_TRUE(mdl_metric_name_valid("http_requests_total"));
  EXPECT_TRUE(mdl_metric_name_valid("ns:metric_1"));
  EXPECT_FALSE(mdl_metric_name_valid("1metric"));
  EXPECT_FALSE(mdl_metric_name_valid(""));
}

TEST(Metrics, Rule_NameAndLabelsUnique) {
  auto d = Fixture("metrics.json");
  Set(d->j, "counters[1].name", "\"codebase_mcp_requests_total\"");
  Set(d->j, "counters[1].labels", R"({"tool":"search","outcome":"success"})");
  EXPECT_REJECTED(K, d, MDL_ERULE, "counters[1].name",
                  "name and labels must be unique in counters");
  auto ok = Fixture("metrics.json");  // same name, other labels: a different series
  Set(ok->j, "counters[1].name", "\"codebase_mcp_requests_total\"");
  Set(ok->j, "counters[1].labels", R"({"tool":"search","outcome":"failure"})");
  EXPECT_ACCEPTED(K, ok);
}

TEST(Metrics, Rule_RequiredLists) {
  auto d = Fixture("metrics.json");
  Set(d->j, "histograms", nullptr);
  EXPECT_REJECTED(K, d, MDL_EMISSING, "histograms", "histograms is required");
  auto g = Fixture("metrics.json");
  Set(g->j, "gauges", nullptr);
  EXPECT_ACCEPTED(K, g);
  auto t = Fixture("metrics.json");
  Set(t->j, "counters", "{}");
  EXPECT_REJECTED(K, t, MDL_ETYPE, "counters", "counters must be an array (got object)");
}

TEST(Metrics, Build_ServerSideBuildersValidateAndSerialise) {
  mdl_metrics m = {};
  mdl_strmap labels = {};
  ASSERT_EQ(mdl_strmap_set(&labels, "tool", "search", nullptr), MDL_OK);
  ASSERT_EQ(mdl_metrics_add_counter(&m, "wf_requests_total", "Requests.", &labels, 7, nullptr),
            MDL_OK);
  ASSERT_EQ(mdl_metrics_add_gauge(&m, "wf_pool_free", "Idle connections.", nullptr, 3, nullptr),
            MDL_OK);
  mdl_histogram_bucket b[] = {{10, 4}, {100, 6}, {INFINITY, 7}};
  ASSERT_EQ(
      mdl_metrics_add_histogram(&m, "wf_latency_ms", "Latency.", &labels, b, 3, 7, 321.5, nullptr),
      MDL_OK);
  mdl_strmap_free(&labels);
  mdl_err err;
  ASSERT_EQ(mdl_metrics_validate(&m, &err), MDL_OK) << err.field << ": " << err.msg;
  mdltest::Doc j(mdl_metrics_to_json(&m));
  EXPECT_EQ(j.Print(),
            "{\"counters\":[{\"name\":\"wf_requests_total\",\"help_text\":\"Requests.\",\"labels\":"
            "{\"tool\":\"search\"},"
            "\"value\":7}],\"gauges\":[{\"name\":\"wf_pool_free\",\"help_text\":\"Idle "
            "connections.\",\"value\":3}],"
            "\"histograms\":[{\"name\":\"wf_latency_ms\",\"help_text\":\"Latency.\",\"labels\":{"
            "\"tool\":\"search\"},"
            "\"buckets\":[{\"bucket_le\":10,\"count\":4},{\"bucket_le\":100,\"count\":6},{\"bucket_"
            "le\":\"+Inf\","
            "\"count\":7}],\"count\":7,\"sum\":321.5}]}");
  mdl_metrics_free(&m);
}

}  // namespace
