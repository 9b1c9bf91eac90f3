// test_util.h — shared checks of the US1 test targets (header-only, testonly).
//
// ValidateWritten() re-reads what a target wrote to $TEST_UNDECLARED_OUTPUTS_DIR and validates
// each record with //models, so an artifact that does not parse as a PerformanceBenchmarkResult
// fails the test that wrote it.
#ifndef BENCH_TEST_UTIL_H
#define BENCH_TEST_UTIL_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "benchmarks/measure.h"
#include "models/benchmark_result.h"

namespace bench_test {

inline double Param(const mdl_benchmark_result &r, const char *key) {
  const mdl_param *p = mdl_params_get(&r.test_parameters, key);
  if (p == nullptr) return -1;
  return p->kind == MDL_PARAM_INT ? (double)p->i : p->kind == MDL_PARAM_FLOAT ? p->f : -1;
}

// Parses <outputs>/<op>.result.json with //models; fails the test on any rule violation.
inline void ValidateWritten(mdl_operation_type op) {
  const char *dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  ASSERT_NE(dir, nullptr) << "run under bazel test";
  std::string path = std::string(dir) + "/" + mdl_operation_type_name(op) + ".result.json";
  char *text = nullptr;
  bench_err err;
  ASSERT_EQ(bench_read_file(path.c_str(), &text, nullptr, &err), BENCH_OK) << err.msg;
  cJSON *json = cJSON_Parse(text);
  free(text);
  ASSERT_NE(json, nullptr) << path << " is not JSON";
  mdl_benchmark_result r;
  mdl_err me;
  EXPECT_EQ(mdl_benchmark_result_from_json(json, &r, &me), MDL_OK)
      << path << ": field " << me.field << ": " << me.msg;
  mdl_benchmark_result_free(&r);
  cJSON_Delete(json);
}

// Prints the figures of a record on stdout (lands in test.log).
inline void Print(const mdl_benchmark_result &r) {
  printf(
      "%s: n=%lld p50=%.2f p95=%.2f p99=%.2f mean=%.2f min=%.2f max=%.2f ms, cv=%.2f%%, "
      "stddev=%.2f, iqr=%.2f, outliers(1sd)=%.0f outliers(1.5iqr)=%.0f, ops/s=%.2f\n",
      mdl_operation_type_name(r.operation_type), (long long)r.sample_size, r.latency_p50_ms,
      r.latency_p95_ms, r.latency_p99_ms, r.latency_mean_ms, r.latency_min_ms, r.latency_max_ms,
      Param(r, "cv_percent"), Param(r, "stddev_ms"), Param(r, "iqr_ms"),
      Param(r, "outliers_stddev"), Param(r, "outliers_iqr"), Param(r, "ops_per_second"));
  fflush(stdout);
}

}  // namespace bench_test

#endif  // BENCH_TEST_UTIL_H
