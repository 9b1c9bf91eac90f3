// result_builder_test.cc — records built from samples carry the statistics benchmark users read
// (percentiles by the one method of //models, median, stddev, IQR, outliers, ops/s, machine).
#include "benchmarks/result_builder.h"

#include <gtest/gtest.h>

#include <string>

namespace {

double Param(const mdl_benchmark_result &r, const char *key) {
  const mdl_param *p = mdl_params_get(&r.test_parameters, key);
  EXPECT_NE(p, nullptr) << key;
  if (p == nullptr) return -1;
  return p->kind == MDL_PARAM_INT ? (double)p->i : p->f;
}

TEST(Record, FR018_SamplesBecomeAValidRecordWithExtraStatistics) {
  double samples[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  bench_result_opts o = {MDL_OP_SEARCH, MDL_SERVER_CODEBASE_MCP, 0, 2.0, 1, 0};
  mdl_benchmark_result r;
  mdl_stats_summary s;
  bench_err err;
  ASSERT_EQ(bench_result_build(&o, samples, 10, &r, &s, &err), BENCH_OK) << err.msg;
  EXPECT_DOUBLE_EQ(r.latency_p50_ms, 5.5);
  EXPECT_DOUBLE_EQ(r.latency_p95_ms, 9.55);
  EXPECT_DOUBLE_EQ(r.latency_p99_ms, 9.91);
  EXPECT_EQ(r.sample_size, 10);
  EXPECT_TRUE(r.has_target_threshold);
  EXPECT_DOUBLE_EQ(r.target_threshold_ms, 500.0);  // SPEC search target
  EXPECT_EQ(r.pass_status, MDL_STATUS_PASS);
  EXPECT_DOUBLE_EQ(Param(r, "median_ms"), 5.5);
  EXPECT_DOUBLE_EQ(Param(r, "stddev_ms"), 3.03);
  EXPECT_DOUBLE_EQ(Param(r, "iqr_ms"), 4.5);
  EXPECT_DOUBLE_EQ(Param(r, "ops_per_second"), 5.0);
  EXPECT_EQ(Param(r, "outliers_iqr"), 0);
  EXPECT_EQ(Param(r, "outliers_stddev"), 4);  // 1, 2, 9, 10 are beyond mean +- 3.03
  EXPECT_GE(Param(r, "machine_cores"), 1);
  EXPECT_NE(mdl_params_get(&r.test_parameters, "machine_cpu"), nullptr);
  mdl_err me;
  EXPECT_EQ(mdl_benchmark_result_validate(&r, &me), MDL_OK) << me.msg;
  mdl_benchmark_result_free(&r);
}

TEST(Record, FR018_OverTargetIsMarkedFail) {
  double samples[3] = {40, 60, 80};
  bench_result_opts o = {MDL_OP_PROJECT_SWITCH, MDL_SERVER_WORKFLOW_MCP, 0, 0, 1, 0};
  mdl_benchmark_result r;
  ASSERT_EQ(bench_result_build(&o, samples, 3, &r, nullptr, nullptr), BENCH_OK);
  EXPECT_DOUBLE_EQ(r.target_threshold_ms, 50.0);
  EXPECT_EQ(r.pass_status, MDL_STATUS_FAIL);
  mdl_benchmark_result_free(&r);
}

TEST(Record, FR018_NoSamplesIsAReadableError) {
  bench_result_opts o = {MDL_OP_INDEX, MDL_SERVER_CODEBASE_MCP, 0, 0, 5, 1};
  mdl_benchmark_result r;
  bench_err err;
  EXPECT_EQ(bench_result_build(&o, nullptr, 0, &r, nullptr, &err), BENCH_EINVAL);
  EXPECT_NE(std::string(err.msg).find("no samples for index"), std::string::npos) << err.msg;
}

}  // namespace
