// load_result_test.cc — LoadTestResult / ErrorBreakdown / ResourceUsageStats rules and the derived
// fields success_rate_percent and requests_per_second (SPEC "Records", US3).
#include "models/load_result.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "models/test_util.h"

namespace {

using mdltest::Fixture;
using mdltest::Set;
constexpr mdl_record_kind K = MDL_REC_LOAD_RESULT;

TEST(LoadResult, Example_ParsesWithDerivedFields) {
  auto d = Fixture("load_result.json");
  mdl_load_result r;
  mdl_err err;
  ASSERT_EQ(mdl_load_result_from_json(d->j, &r, &err), MDL_OK) << err.field << ": " << err.msg;
  EXPECT_EQ(r.total_requests, 12000);
  EXPECT_DOUBLE_EQ(mdl_load_result_success_rate_percent(&r), 99.5);
  EXPECT_DOUBLE_EQ(mdl_load_result_requests_per_second(&r), 40.0);
  ASSERT_EQ(r.error_breakdown_count, 2u);
  EXPECT_STREQ(r.error_breakdown[1].error_type, "timeout");
  EXPECT_EQ(r.error_breakdown[1].count, 15);
  EXPECT_DOUBLE_EQ(r.resource_usage.connection_pool_utilization_max, 100);
  mdl_load_result_free(&r);
}

TEST(LoadResult, Rule_SuccessfulPlusFailedEqualsTotal) {
  auto ok = Fixture("load_result.json");  // 11940 + 60 == 12000
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("load_result.json");
  Set(d->j, "failed_requests", "61");
  Set(d->j, "success_rate_percent", nullptr);
  EXPECT_REJECTED(K, d, MDL_ERULE, "total_requests",
                  "successful_requests + failed_requests must equal total_requests");
}

TEST(LoadResult, Rule_DerivedSuccessRateChecked) {
  auto absent = Fixture("load_result.json");
  Set(absent->j, "success_rate_percent", nullptr);
  Set(absent->j, "requests_per_second", nullptr);
  EXPECT_ACCEPTED(K, absent);
  auto d = Fixture("load_result.json");
  Set(d->j, "success_rate_percent", "98");
  EXPECT_REJECTED(
      K, d, MDL_ERULE, "success_rate_percent",
      "success_rate_percent must equal successful_requests / total_requests * 100 = 99.50");
}

TEST(LoadResult, Rule_DerivedRequestsPerSecondChecked) {
  auto d = Fixture("load_result.json");
  Set(d->j, "requests_per_second", "41");
  EXPECT_REJECTED(K, d, MDL_ERULE, "requests_per_second",
                  "requests_per_second must equal total_requests / test_duration_seconds = 40.00");
}

TEST(LoadResult, Rule_ZeroRequestsHasZeroSuccessRate) {
  auto d = Fixture("load_result.json");
  Set(d->j, "total_requests", "0");
  Set(d->j, "successful_requests", "0");
  Set(d->j, "failed_requests", "0");
  Set(d->j, "success_rate_percent", "0");
  Set(d->j, "requests_per_second", "0");
  EXPECT_ACCEPTED(K, d);
}

TEST(LoadResult, Rule_ConcurrentClientsAndDurationAtLeastOne) {
  auto ok = Fixture("load_result.json");
  Set(ok->j, "concurrent_clients", "1");
  EXPECT_ACCEPTED(K, ok);
  auto c = Fixture("load_result.json");
  Set(c->j, "concurrent_clients", "0");
  EXPECT_REJECTED(K, c, MDL_ERANGE, "concurrent_clients", "concurrent_clients must be >= 1");
  auto t = Fixture("load_result.json");
  Set(t->j, "test_duration_seconds", "0.5");
  Set(t->j, "requests_per_second", nullptr);
  EXPECT_REJECTED(K, t, MDL_ERANGE, "test_duration_seconds", "test_duration_seconds must be >= 1");
}

TEST(LoadResult, Rule_RequestCountsNonNegative) {
  auto ok = Fixture("load_result.json");
  Set(ok->j, "failed_requests", "0");
  Set(ok->j, "successful_requests", "12000");
  Set(ok->j, "success_rate_percent", "100");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("load_result.json");
  Set(d->j, "failed_requests", "-1");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "failed_requests", "failed_requests must be >= 0");
}

TEST(LoadResult, Rule_LatencyAvgAndP95LeMax) {
  auto ok = Fixture("load_result.json");
  Set(ok->j, "latency_p95_ms", "2980.12");  // equal to max
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("load_result.json");
  Set(d->j, "latency_p95_ms", "3000");
  EXPECT_REJECTED(K, d, MDL_ERULE, "latency_max_ms", "latency_max_ms must be >= latency_p95_ms");
  auto n = Fixture("load_result.json");
  Set(n->j, "latency_avg_ms", "-3");
  EXPECT_REJECTED(K, n, MDL_ERANGE, "latency_avg_ms", "latency_avg_ms must be >= 0");
}

TEST(LoadResult, Rule_ErrorBreakdownPercentage0To100) {
  auto ok = Fixture("load_result.json");
  Set(ok->j, "error_breakdown[0].percentage", "100");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("load_result.json");
  Set(d->j, "error_breakdown[1].percentage", "100.5");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "error_breakdown[1].percentage",
                  "percentage must be between 0 and 100");
  auto neg = Fixture("load_result.json");
  Set(neg->j, "error_breakdown[0].count", "-2");
  EXPECT_REJECTED(K, neg, MDL_ERANGE, "error_breakdown[0].count", "count must be >= 0");
}

TEST(LoadResult, Rule_ErrorTypeNonEmptyUnique) {
  auto d = Fixture("load_result.json");
  Set(d->j, "error_breakdown[1].error_type", "\"http_503\"");
  EXPECT_REJECTED(K, d, MDL_ERULE, "error_breakdown[1].error_type", "error_type must be unique");
  auto e = Fixture("load_result.json");
  Set(e->j, "error_breakdown[0].error_type", "\"\"");
  EXPECT_REJECTED(K, e, MDL_ERANGE, "error_breakdown[0].error_type",
                  "error_type must not be empty");
  auto absent = Fixture("load_result.json");
  Set(absent->j, "error_breakdown", nullptr);
  EXPECT_ACCEPTED(K, absent);
}

TEST(LoadResult, Rule_ResourceUsageRanges) {
  auto cpu = Fixture("load_result.json");
  Set(cpu->j, "resource_usage.cpu_percent_max", "101");
  EXPECT_REJECTED(K, cpu, MDL_ERANGE, "resource_usage.cpu_percent_max",
                  "cpu_percent_max must be between 0 and 100");
  auto pool = Fixture("load_result.json");
  Set(pool->j, "resource_usage.connection_pool_utilization_avg", "-1");
  EXPECT_REJECTED(K, pool, MDL_ERANGE, "resource_usage.connection_pool_utilization_avg",
                  "connection_pool_utilization_avg must be between 0 and 100");
  auto mem = Fixture("load_result.json");
  Set(mem->j, "resource_usage.memory_mb_max", "100");
  EXPECT_REJECTED(K, mem, MDL_ERULE, "resource_usage.memory_mb_max",
                  "memory_mb_max must be >= memory_mb_avg");
  auto avg = Fixture("load_result.json");
  Set(avg->j, "resource_usage.cpu_percent_avg", "95");
  EXPECT_REJECTED(K, avg, MDL_ERULE, "resource_usage.cpu_percent_max",
                  "cpu_percent_max must be >= cpu_percent_avg");
  auto missing = Fixture("load_result.json");
  Set(missing->j, "resource_usage", nullptr);
  EXPECT_REJECTED(K, missing, MDL_EMISSING, "resource_usage", "resource_usage is required");
}

TEST(LoadResult, Rule_ScenarioNonEmpty) {
  auto ok = Fixture("load_result.json");
  Set(ok->j, "test_scenario", "\"s\"");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("load_result.json");
  Set(d->j, "test_scenario", "\"\"");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "test_scenario", "test_scenario must not be empty");
}

TEST(LoadResult, Build_InCodeSerialisesDerivedFields) {
  mdl_load_result r = {};
  ASSERT_EQ(mdl_uuid_v4(r.test_id, nullptr), MDL_OK);
  r.server_id = MDL_SERVER_WORKFLOW_MCP;
  r.test_scenario = strdup("soak");
  r.concurrent_clients = 10;
  r.test_duration_seconds = 3;
  mdl_time_now(r.timestamp);
  r.total_requests = 10;
  r.successful_requests = 9;
  r.failed_requests = 1;
  r.latency_avg_ms = 5;
  r.latency_p95_ms = 9;
  r.latency_max_ms = 12;
  ASSERT_EQ(mdl_load_result_add_error(&r, "http_503", 1, 100, nullptr), MDL_OK);
  mdl_err err;
  ASSERT_EQ(mdl_load_result_validate(&r, &err), MDL_OK) << err.field << ": " << err.msg;
  mdltest::Doc j(mdl_load_result_to_json(&r));
  std::string text = j.Print();
  EXPECT_NE(text.find("\"success_rate_percent\":90,\"requests_per_second\":3.33}"),
            std::string::npos)
      << text;
  mdl_load_result_free(&r);
}

TEST(LoadResult, HostCalibration_OptionalAndReadBack) {
  auto absent = Fixture("load_result.json");
  mdl_load_result r;
  mdl_err err;
  ASSERT_EQ(mdl_load_result_from_json(absent->j, &r, &err), MDL_OK) << err.msg;
  EXPECT_EQ(r.host_calibration.probes, 0);  // not measured
  mdl_load_result_free(&r);
  auto d = Fixture("load_result.json");
  Set(d->j, "host_calibration", R"({"probes":300,"median_ms":1.234,"cv_percent":4.5})");
  ASSERT_EQ(mdl_load_result_from_json(d->j, &r, &err), MDL_OK) << err.field << ": " << err.msg;
  EXPECT_EQ(r.host_calibration.probes, 300);
  EXPECT_DOUBLE_EQ(r.host_calibration.median_ms, 1.23);
  EXPECT_DOUBLE_EQ(r.host_calibration.cv_percent, 4.5);
  mdltest::Doc j(mdl_load_result_to_json(&r));
  std::string text = j.Print();
  EXPECT_NE(text.find(R"("host_calibration":{"probes":300,"median_ms":1.23,"cv_percent":4.5})"),
            std::string::npos)
      << text;
  mdl_load_result_free(&r);
}

TEST(LoadResult, Rule_HostCalibrationRanges) {
  auto zero = Fixture("load_result.json");
  Set(zero->j, "host_calibration", R"({"probes":0,"median_ms":1,"cv_percent":0})");
  EXPECT_REJECTED(K, zero, MDL_ERANGE, "host_calibration.probes",
                  "probes must be >= 1 when host_calibration is given");
  auto med = Fixture("load_result.json");
  Set(med->j, "host_calibration", R"({"probes":3,"median_ms":0,"cv_percent":0})");
  EXPECT_REJECTED(K, med, MDL_ERANGE, "host_calibration.median_ms", "median_ms must be > 0");
  auto cv = Fixture("load_result.json");
  Set(cv->j, "host_calibration", R"({"probes":3,"median_ms":1,"cv_percent":-1})");
  EXPECT_REJECTED(K, cv, MDL_ERANGE, "host_calibration.cv_percent", "cv_percent must be >= 0");
  auto missing = Fixture("load_result.json");
  Set(missing->j, "host_calibration", R"({"probes":3,"cv_percent":1})");
  EXPECT_REJECTED(K, missing, MDL_EMISSING, "host_calibration.median_ms", "median_ms is required");
}

TEST(LoadResult, HostCalibration_FromProbes) {
  const double ms[] = {1.0, 1.2, 0.9, 1.1, 5.0};
  mdl_host_calibration c;
  mdl_err err;
  ASSERT_EQ(mdl_host_calibration_from_probes(ms, 5, &c, &err), MDL_OK) << err.msg;
  EXPECT_EQ(c.probes, 5);
  EXPECT_DOUBLE_EQ(c.median_ms, 1.1);  // the 5 ms outlier does not move the median
  EXPECT_GT(c.cv_percent, 50);
  ASSERT_EQ(mdl_host_calibration_from_probes(ms, 1, &c, &err), MDL_OK);
  EXPECT_EQ(c.probes, 1);
  EXPECT_DOUBLE_EQ(c.cv_percent, 0);
  ASSERT_EQ(mdl_host_calibration_from_probes(nullptr, 0, &c, &err), MDL_OK);
  EXPECT_EQ(c.probes, 0);
  const double bad[] = {1.0, 0.0};
  EXPECT_EQ(mdl_host_calibration_from_probes(bad, 2, &c, &err), MDL_ERANGE);
  EXPECT_STREQ(err.field, "host_calibration");
}

}  // namespace
