// benchmark_result_test.cc — PerformanceBenchmarkResult rules (SPEC "Records"): each rule has a
// passing case (the seed example, or an edge that is allowed) and a failing one naming field +
// rule.
#include "models/benchmark_result.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "models/test_util.h"

namespace {

using mdltest::Fixture;
using mdltest::Set;
constexpr mdl_record_kind K = MDL_REC_BENCHMARK_RESULT;

TEST(BenchmarkResult, SeedExample_ParsesWithValues) {
  auto d = Fixture("benchmark_result.json");
  mdl_benchmark_result r;
  mdl_err err;
  ASSERT_EQ(mdl_benchmark_result_from_json(d->j, &r, &err), MDL_OK) << err.field << ": " << err.msg;
  EXPECT_STREQ(r.benchmark_id, "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_EQ(r.server_id, MDL_SERVER_CODEBASE_MCP);
  EXPECT_EQ(r.operation_type, MDL_OP_SEARCH);
  EXPECT_STREQ(r.timestamp, "2025-10-13T10:30:00Z");
  EXPECT_DOUBLE_EQ(r.latency_p95_ms, 387.2);
  EXPECT_EQ(r.sample_size, 100);
  EXPECT_EQ(r.pass_status, MDL_STATUS_PASS);
  EXPECT_TRUE(r.has_target_threshold);
  EXPECT_DOUBLE_EQ(r.target_threshold_ms, 500.0);
  ASSERT_EQ(r.test_parameters.count, 2u);
  const mdl_param *p = mdl_params_get(&r.test_parameters, "concurrent_clients");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, MDL_PARAM_INT);
  EXPECT_EQ(p->i, 10);
  p = mdl_params_get(&r.test_parameters, "query_type");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, MDL_PARAM_STRING);
  EXPECT_STREQ(p->str, "semantic");
  mdl_benchmark_result_free(&r);
  EXPECT_EQ(r.test_parameters.count, 0u);
}

TEST(BenchmarkResult, Rule_P50LeP95LeP99) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "latency_p95_ms", "245.3");  // equal is allowed
  Set(ok->j, "latency_p99_ms", "245.3");
  EXPECT_ACCEPTED(K, ok);

  auto bad95 = Fixture("benchmark_result.json");
  Set(bad95->j, "latency_p95_ms", "200");
  EXPECT_REJECTED(K, bad95, MDL_ERULE, "latency_p95_ms",
                  "latency_p95_ms must be >= latency_p50_ms");

  auto bad99 = Fixture("benchmark_result.json");
  Set(bad99->j, "latency_p99_ms", "300");
  EXPECT_REJECTED(K, bad99, MDL_ERULE, "latency_p99_ms",
                  "latency_p99_ms must be >= latency_p95_ms");
}

TEST(BenchmarkResult, Rule_OrderComparedAtTwoDecimals) {
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "latency_p99_ms", "387.196");  // rounds to 387.20 == p95
  EXPECT_ACCEPTED(K, d);
}

TEST(BenchmarkResult, Rule_MinLeP50AndP99LeMax) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "latency_min_ms", "245.3");
  Set(ok->j, "latency_max_ms", "445.1");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "latency_min_ms", "250");
  EXPECT_REJECTED(K, d, MDL_ERULE, "latency_p50_ms", "latency_p50_ms must be >= latency_min_ms");
  auto e = Fixture("benchmark_result.json");
  Set(e->j, "latency_max_ms", "400");
  EXPECT_REJECTED(K, e, MDL_ERULE, "latency_max_ms", "latency_max_ms must be >= latency_p99_ms");
}

TEST(BenchmarkResult, Rule_MeanBetweenMinAndMax) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "latency_mean_ms", "489.7");  // equal to max
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "latency_mean_ms", "100");
  EXPECT_REJECTED(K, d, MDL_ERULE, "latency_mean_ms", "latency_mean_ms must be >= latency_min_ms");
}

TEST(BenchmarkResult, Rule_LatenciesNonNegative) {
  auto ok = Fixture("benchmark_result.json");
  for (const char *k : {"latency_min_ms", "latency_p50_ms"}) Set(ok->j, k, "0");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "latency_min_ms", "-1");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "latency_min_ms", "latency_min_ms must be >= 0");
}

TEST(BenchmarkResult, Rule_SampleSizeAtLeastOne) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "sample_size", "1");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "sample_size", "0");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "sample_size", "sample_size must be >= 1");
  auto f = Fixture("benchmark_result.json");
  Set(f->j, "sample_size", "2.5");
  EXPECT_REJECTED(K, f, MDL_ETYPE, "sample_size", "must be an integer");
}

TEST(BenchmarkResult, Rule_ServerIdEnum) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "server_id", "\"workflow-mcp\"");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "server_id", "\"other-mcp\"");
  EXPECT_REJECTED(K, d, MDL_EENUM, "server_id",
                  "server_id must be one of \"codebase-mcp\", \"workflow-mcp\"");
}

TEST(BenchmarkResult, Rule_OperationTypeEnum) {
  for (const char *op : {"\"index\"", "\"search\"", "\"project_switch\"", "\"entity_query\"",
                         "\"search_lowvocab\""}) {
    auto ok = Fixture("benchmark_result.json");
    Set(ok->j, "operation_type", op);
    EXPECT_ACCEPTED(K, ok);
  }
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "operation_type", "\"Search\"");
  EXPECT_REJECTED(K, d, MDL_EENUM, "operation_type", "operation_type must be one of");
}

TEST(BenchmarkResult, Rule_PassStatusEnum) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "pass_status", "\"warning\"");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "pass_status", "\"passed\"");
  EXPECT_REJECTED(K, d, MDL_EENUM, "pass_status",
                  "pass_status must be one of \"pass\", \"fail\", \"warning\"");
}

TEST(BenchmarkResult, Rule_BenchmarkIdIsUuid) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "benchmark_id", "\"550E8400-E29B-41D4-A716-446655440000\"");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "benchmark_id", "\"550e8400\"");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "benchmark_id", "benchmark_id must be a UUID");
}

TEST(BenchmarkResult, Rule_TimestampIsIso8601Utc) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "timestamp", "\"2025-10-13T10:30:00.250+00:00\"");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("benchmark_result.json");
  Set(d->j, "timestamp", "\"2025-10-13T10:30:00+02:00\"");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "timestamp", "must be UTC");
}

TEST(BenchmarkResult, Rule_TestParametersFlatStringIntFloat) {
  auto ok = Fixture("benchmark_result.json");
  Set(ok->j, "test_parameters", R"({"a":"x","b":3,"c":2.5})");
  EXPECT_ACCEPTED(K, ok);
  auto nested = Fixture("benchmark_result.json");
  Set(nested->j, "test_parameters", R"({"a":{"deep":1}})");
  EXPECT_REJECTED(K, nested, MDL_ETYPE, "test_parameters.a",
                  "must be a string, integer or float (got object)");
  auto boolean = Fixture("benchmark_result.json");
  Set(boolean->j, "test_parameters", R"({"flag":true})");
  EXPECT_REJECTED(K, boolean, MDL_ETYPE, "test_parameters.flag", "got boolean");
  auto dup = Fixture("benchmark_result.json");
  Set(dup->j, "test_parameters", R"({"a":1,"a":2})");
  EXPECT_REJECTED(K, dup, MDL_ERULE, "test_parameters.a", "duplicate key");
  auto absent = Fixture("benchmark_result.json");
  Set(absent->j, "test_parameters", nullptr);  // optional, defaults to {}
  EXPECT_ACCEPTED(K, absent);
}

TEST(BenchmarkResult, Rule_TargetThresholdOptionalAndPositive) {
  auto absent = Fixture("benchmark_result.json");
  Set(absent->j, "target_threshold_ms", nullptr);
  EXPECT_ACCEPTED(K, absent);
  auto zero = Fixture("benchmark_result.json");
  Set(zero->j, "target_threshold_ms", "0");
  EXPECT_REJECTED(K, zero, MDL_ERANGE, "target_threshold_ms", "target_threshold_ms must be > 0");
}

TEST(BenchmarkResult, Rule_RequiredFieldsAndTypes) {
  const char *required[] = {"benchmark_id",   "server_id",      "operation_type", "timestamp",
                            "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_mean_ms",
                            "latency_min_ms", "latency_max_ms", "sample_size",    "pass_status"};
  for (const char *k : required) {
    auto d = Fixture("benchmark_result.json");
    Set(d->j, k, nullptr);
    EXPECT_REJECTED(K, d, MDL_EMISSING, k, std::string(k) + " is required");
  }
  auto t = Fixture("benchmark_result.json");
  Set(t->j, "latency_p50_ms", "\"245.3\"");
  EXPECT_REJECTED(K, t, MDL_ETYPE, "latency_p50_ms",
                  "latency_p50_ms must be a number (got string)");
  auto inf = Fixture("benchmark_result.json");
  Set(inf->j, "latency_max_ms", "1e999");
  EXPECT_REJECTED(K, inf, MDL_ERANGE, "latency_max_ms", "finite");
  mdl_err err = mdltest::Check(K, nullptr);
  EXPECT_EQ(err.code, MDL_ETYPE);
}

TEST(BenchmarkResult, Serialise_RoundsLatenciesToTwoDecimals) {
  mdl_benchmark_result r = {};
  char id[MDL_UUID_LEN];
  ASSERT_EQ(mdl_uuid_v4(id, nullptr), MDL_OK);
  memcpy(r.benchmark_id, id, sizeof id);
  mdl_time_now(r.timestamp);
  double samples[] = {10.111, 20.226, 30.3349, 40.4444, 55.555};
  mdl_stats_summary s;
  ASSERT_EQ(mdl_stats_summarize(samples, 5, &s, nullptr), MDL_OK);
  mdl_benchmark_result_set_latencies(&r, &s);
  ASSERT_EQ(mdl_params_set_float(&r.test_parameters, "ratio", 0.25, nullptr), MDL_OK);
  mdl_err err;
  ASSERT_EQ(mdl_benchmark_result_validate(&r, &err), MDL_OK) << err.field << ": " << err.msg;
  mdltest::Doc j(mdl_benchmark_result_to_json(&r));
  std::string text = j.Print();
  EXPECT_NE(text.find("\"latency_p50_ms\":30.33,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"latency_min_ms\":10.11,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"latency_max_ms\":55.56,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"sample_size\":5,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"test_parameters\":{\"ratio\":0.25}"), std::string::npos) << text;
  EXPECT_NE(text.find("\"target_threshold_ms\":null"), std::string::npos) << text;
  mdl_benchmark_result_free(&r);
}

TEST(BenchmarkResult, Validate_RejectsStructBuiltWithBadEnum) {
  auto d = Fixture("benchmark_result.json");
  mdl_benchmark_result r;
  ASSERT_EQ(mdl_benchmark_result_from_json(d->j, &r, nullptr), MDL_OK);
  r.operation_type = MDL_OP_COUNT;  // one past the last value
  mdl_err err;
  EXPECT_EQ(mdl_benchmark_result_validate(&r, &err), MDL_EENUM);
  EXPECT_STREQ(err.field, "operation_type");
  mdl_benchmark_result_free(&r);
}

}  // namespace
