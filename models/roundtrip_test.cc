// roundtrip_test.cc — every example record parses and validates, and JSON round trips are
// byte-stable: serialise(parse(serialise(x))) == serialise(x), for the fixtures and for thousands
// of records with random values (latencies at two decimals, arbitrary doubles elsewhere).
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "models/benchmark_result.h"
#include "models/health_response.h"
#include "models/load_result.h"
#include "models/record_kind.h"
#include "models/test_util.h"

namespace {

struct KindFixture {
  mdl_record_kind kind;
  const char *file;
};

const KindFixture kAll[] = {
    {MDL_REC_BENCHMARK_RESULT, "benchmark_result.json"},
    {MDL_REC_INTEGRATION_CASE, "integration_case.json"},
    {MDL_REC_LOAD_RESULT, "load_result.json"},
    {MDL_REC_HEALTH, "health.json"},
    {MDL_REC_METRICS, "metrics.json"},
    {MDL_REC_HISTOGRAM, "histogram.json"},
};

std::string Canonical(mdl_record_kind k, const std::string &text, mdl_err *err) {
  char *c = mdl_record_canonical_text(k, text.data(), text.size(), err);
  std::string out = c != nullptr ? c : "";
  free(c);
  return out;
}

TEST(RoundTrip, SeedExamples_ParseValidateAndAreByteStable) {
  for (const KindFixture &f : kAll) {
    std::string text = mdltest::ReadFixture(f.file);
    mdl_err err;
    std::string c1 = Canonical(f.kind, text, &err);
    ASSERT_FALSE(c1.empty()) << f.file << ": " << err.field << ": " << err.msg;
    std::string c2 = Canonical(f.kind, c1, &err);
    EXPECT_EQ(c1, c2) << f.file;
    std::string c3 = Canonical(f.kind, c2, &err);
    EXPECT_EQ(c2, c3) << f.file;
  }
}

TEST(RoundTrip, SeedBenchmarkExample_ExactCanonicalText) {
  mdl_err err;
  std::string c =
      Canonical(MDL_REC_BENCHMARK_RESULT, mdltest::ReadFixture("benchmark_result.json"), &err);
  EXPECT_EQ(
      c,
      "{\"benchmark_id\":\"550e8400-e29b-41d4-a716-446655440000\",\"server_id\":\"codebase-mcp\","
      "\"operation_type\":\"search\",\"timestamp\":\"2025-10-13T10:30:00Z\",\"latency_p50_ms\":245."
      "3,"
      "\"latency_p95_ms\":387.2,\"latency_p99_ms\":445.1,\"latency_mean_ms\":268.4,\"latency_min_"
      "ms\":123.5,"
      "\"latency_max_ms\":489.7,\"sample_size\":100,\"test_parameters\":{\"concurrent_clients\":10,"
      "\"query_type\":\"semantic\"},\"pass_status\":\"pass\",\"target_threshold_ms\":500}");
}

TEST(RoundTrip, SeedHealthExample_ExactCanonicalText) {
  mdl_err err;
  std::string c = Canonical(MDL_REC_HEALTH, mdltest::ReadFixture("health.json"), &err);
  EXPECT_EQ(c,
            "{\"status\":\"healthy\",\"timestamp\":\"2025-10-13T10:30:00Z\",\"database_status\":"
            "\"connected\","
            "\"connection_pool\":{\"size\":5,\"min_size\":2,\"max_size\":10,\"free\":3,"
            "\"utilization_percent\":40},"
            "\"uptime_seconds\":3600.5}");
}

TEST(RoundTrip, KeyOrderIsFixedRegardlessOfInputOrder) {
  std::string reordered =
      R"({"uptime_seconds":3600.5,"connection_pool":{"free":3,"max_size":10,"min_size":2,"size":5},)"
      R"("database_status":"connected","timestamp":"2025-10-13T10:30:00.000+00:00","status":"healthy"})";
  mdl_err err;
  EXPECT_EQ(Canonical(MDL_REC_HEALTH, reordered, &err),
            Canonical(MDL_REC_HEALTH, mdltest::ReadFixture("health.json"), &err));
}

TEST(RoundTrip, TopLevelArray_ChecksEveryElementAndNamesIndex) {
  std::string one = mdltest::ReadFixture("benchmark_result.json");
  mdl_err err;
  std::string arr = Canonical(MDL_REC_BENCHMARK_RESULT, "[" + one + "," + one + "]", &err);
  ASSERT_FALSE(arr.empty()) << err.msg;
  EXPECT_EQ(arr[0], '[');
  mdltest::Doc bad(one);
  mdltest::Set(bad.j, "latency_p99_ms", "300");
  std::string two = "[" + one + "," + bad.Print() + "]";
  EXPECT_TRUE(Canonical(MDL_REC_BENCHMARK_RESULT, two, &err).empty());
  EXPECT_EQ(err.code, MDL_ERULE);
  EXPECT_STREQ(err.field, "[1].latency_p99_ms");
}

TEST(RoundTrip, NotJson_IsReportedAsSuch) {
  mdl_err err;
  EXPECT_TRUE(Canonical(MDL_REC_HEALTH, "{\"status\":", &err).empty());
  EXPECT_EQ(err.code, MDL_EJSON);
  EXPECT_NE(std::string(err.msg).find("not valid JSON"), std::string::npos);
  EXPECT_TRUE(Canonical(MDL_REC_HEALTH, "", &err).empty());
  EXPECT_EQ(err.code, MDL_EJSON);
  std::string trailing = mdltest::ReadFixture("health.json") + " x";
  EXPECT_TRUE(Canonical(MDL_REC_HEALTH, trailing, &err).empty());
  EXPECT_EQ(err.code, MDL_EJSON);
  EXPECT_NE(std::string(err.msg).find("after the value"), std::string::npos) << err.msg;
  EXPECT_FALSE(
      Canonical(MDL_REC_HEALTH, mdltest::ReadFixture("health.json") + " \n\t ", &err).empty());
}

TEST(RoundTrip, RecordKindNames) {
  mdl_record_kind k;
  ASSERT_TRUE(mdl_record_kind_parse("PerformanceBenchmarkResult", &k));
  EXPECT_EQ(k, MDL_REC_BENCHMARK_RESULT);
  ASSERT_TRUE(mdl_record_kind_parse("health", &k));
  EXPECT_EQ(k, MDL_REC_HEALTH);
  EXPECT_FALSE(mdl_record_kind_parse("Health", &k));
  EXPECT_STREQ(mdl_record_kind_name(MDL_REC_LOAD_RESULT), "load_result");
}

// Random values across many magnitudes, with many significant digits.
double RandomValue(std::mt19937_64 &rng, double lo_exp, double hi_exp) {
  std::uniform_real_distribution<double> e(lo_exp, hi_exp), m(1.0, 10.0);
  return m(rng) * std::pow(10.0, std::floor(e(rng)));
}

TEST(RoundTrip, RandomBenchmarkResults_ByteStable) {
  std::mt19937_64 rng(20251013);
  for (int i = 0; i < 3000; i++) {
    mdl_benchmark_result r = {};
    ASSERT_EQ(mdl_uuid_v4(r.benchmark_id, nullptr), MDL_OK);
    mdl_time_format((int64_t)(rng() % (INT64_C(4000000000) * 1000000)), r.timestamp);
    double v[6];
    for (double &x : v) x = RandomValue(rng, -3, 7);
    std::sort(v, v + 6);
    r.latency_min_ms = v[0];
    r.latency_p50_ms = v[1];
    r.latency_mean_ms = v[2];
    r.latency_p95_ms = v[3];
    r.latency_p99_ms = v[4];
    r.latency_max_ms = v[5];
    r.sample_size = 1 + (int64_t)(rng() % 100000);
    r.server_id = (mdl_server_id)(rng() % MDL_SERVER_COUNT);
    r.operation_type = (mdl_operation_type)(rng() % MDL_OP_COUNT);
    r.pass_status = (mdl_pass_status)(rng() % MDL_STATUS_COUNT);
    r.has_target_threshold = rng() % 2 == 0;
    r.target_threshold_ms = RandomValue(rng, -2, 6);
    mdl_params_set_float(&r.test_parameters, "f",
                         RandomValue(rng, -300, 300) * (rng() % 2 ? -1 : 1), nullptr);
    mdl_params_set_int(&r.test_parameters, "i", (int64_t)(rng() % 9007199254740992ULL), nullptr);
    mdl_err err;
    ASSERT_EQ(mdl_benchmark_result_validate(&r, &err), MDL_OK) << err.field << ": " << err.msg;
    mdltest::Doc j(mdl_benchmark_result_to_json(&r));
    std::string s1 = j.Print();
    std::string s2 = Canonical(MDL_REC_BENCHMARK_RESULT, s1, &err);
    ASSERT_EQ(s1, s2) << err.field << ": " << err.msg;
    mdl_benchmark_result_free(&r);
  }
}

TEST(RoundTrip, RandomLoadAndHealthRecords_ByteStable) {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 2000; i++) {
    mdl_load_result r = {};
    ASSERT_EQ(mdl_uuid_v4(r.test_id, nullptr), MDL_OK);
    r.test_scenario = strdup("random");
    r.concurrent_clients = 1 + (int64_t)(rng() % 100);
    r.test_duration_seconds = 1 + RandomValue(rng, -3, 5);
    mdl_time_now(r.timestamp);
    r.total_requests = (int64_t)(rng() % 10000000);
    r.successful_requests =
        r.total_requests > 0 ? (int64_t)(rng() % (uint64_t)(r.total_requests + 1)) : 0;
    r.failed_requests = r.total_requests - r.successful_requests;
    r.latency_avg_ms = RandomValue(rng, -2, 4);
    r.latency_p95_ms = RandomValue(rng, -2, 4);
    r.latency_max_ms = std::max(r.latency_avg_ms, r.latency_p95_ms) + RandomValue(rng, -2, 3);
    std::uniform_real_distribution<double> pct(0, 100);
    double a = pct(rng), b = pct(rng);
    r.resource_usage = {std::min(a, b), std::max(a, b), 10, 20 + RandomValue(rng, -2, 3),
                        std::min(a, b), std::max(a, b)};
    mdl_load_result_add_error(&r, "timeout", (int64_t)(rng() % 1000), pct(rng), nullptr);
    mdl_err err;
    ASSERT_EQ(mdl_load_result_validate(&r, &err), MDL_OK) << err.field << ": " << err.msg;
    mdltest::Doc j(mdl_load_result_to_json(&r));
    std::string s1 = j.Print();
    ASSERT_EQ(s1, Canonical(MDL_REC_LOAD_RESULT, s1, &err)) << err.field << ": " << err.msg;
    mdl_load_result_free(&r);

    mdl_health h = {};
    mdl_time_now(h.timestamp);
    h.connection_pool.max_size = 1 + (int64_t)(rng() % 50);
    h.connection_pool.min_size = (int64_t)(rng() % (uint64_t)(h.connection_pool.max_size + 1));
    h.connection_pool.size =
        h.connection_pool.min_size +
        (int64_t)(rng() % (uint64_t)(h.connection_pool.max_size - h.connection_pool.min_size + 1));
    h.connection_pool.free = (int64_t)(rng() % (uint64_t)(h.connection_pool.size + 1));
    h.uptime_seconds = RandomValue(rng, -3, 8);
    h.status = mdl_health_classify(true, RandomValue(rng, -1, 3),
                                   mdl_pool_utilization_percent(&h.connection_pool), false);
    ASSERT_EQ(mdl_health_validate(&h, &err), MDL_OK) << err.field << ": " << err.msg;
    mdltest::Doc hj(mdl_health_to_json(&h));
    std::string t1 = hj.Print();
    ASSERT_EQ(t1, Canonical(MDL_REC_HEALTH, t1, &err)) << err.field << ": " << err.msg;
    mdl_health_free(&h);
  }
}

}  // namespace
