// compare_test.cc — the hybrid regression rule (FR-018) and its verdicts (FR-021) at every
// boundary, with crafted baseline/current records parsed and validated by //models.
#include "benchmarks/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace {

// A valid record for `op` whose p95 is `p95` (other statistics derived so the record validates).
std::string Record(const char *op, double p95, double target = -1) {
  const char *server =
      (std::string(op) == "index" || std::string(op) == "search") ? "codebase-mcp" : "workflow-mcp";
  char buf[1024];
  char tgt[64];
  if (target > 0)
    snprintf(tgt, sizeof tgt, "%.2f", target);
  else
    snprintf(tgt, sizeof tgt, "null");
  snprintf(buf, sizeof buf,
           "{\"benchmark_id\":\"2f1c1f7e-8a4b-4c1e-9d2a-0b6f7d3e4a51\",\"server_id\":\"%s\","
           "\"operation_type\":\"%s\",\"timestamp\":\"2026-11-28T15:00:00Z\","
           "\"latency_p50_ms\":%.2f,\"latency_p95_ms\":%.2f,\"latency_p99_ms\":%.2f,"
           "\"latency_mean_ms\":%.2f,\"latency_min_ms\":%.2f,\"latency_max_ms\":%.2f,"
           "\"sample_size\":100,\"test_parameters\":{},\"pass_status\":\"pass\","
           "\"target_threshold_ms\":%s}",
           server, op, p95 / 2, p95, p95, p95 / 2, p95 / 4, p95, tgt);
  return buf;
}

// A set from a JSON array text of records.
bench_set Set(const std::string &records) {
  bench_set s;
  bench_err err;
  cJSON *json = cJSON_Parse(("[" + records + "]").c_str());
  EXPECT_NE(json, nullptr);
  EXPECT_EQ(bench_set_from_json(json, "crafted", &s, &err), BENCH_OK) << err.msg;
  cJSON_Delete(json);
  return s;
}

const bench_row *Row(const bench_comparison &c, const char *metric) {
  for (size_t i = 0; i < c.n; i++)
    if (std::string(c.rows[i].metric) == metric) return &c.rows[i];
  return nullptr;
}

struct Compared {
  bench_set base{}, cur{};
  bench_comparison cmp{};
  Compared(const std::string &b, const std::string &c) {
    base = Set(b);
    cur = Set(c);
    bench_compare(&base, &cur, &cmp);
  }
  ~Compared() {
    bench_set_free(&base);
    bench_set_free(&cur);
  }
};

TEST(HybridRule, FR018_ExactlyTenPercentWorseIsPass) {
  Compared c(Record("search", 100.0, 500), Record("search", 110.0, 500));
  const bench_row *r = Row(c.cmp, "search.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->verdict, BENCH_PASS) << r->reason;
  EXPECT_NEAR(r->change_percent, 10.0, 1e-9);
  EXPECT_NE(std::string(r->reason).find("not more than 10% worse"), std::string::npos) << r->reason;
  EXPECT_EQ(c.cmp.verdict, BENCH_PASS) << c.cmp.summary;
}

TEST(HybridRule, FR018_JustOverTenPercentWithinTargetIsReview) {
  Compared c(Record("search", 100.0, 500), Record("search", 110.01, 500));
  const bench_row *r = Row(c.cmp, "search.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->verdict, BENCH_REVIEW) << r->reason;
  EXPECT_NE(std::string(r->reason).find("justification"), std::string::npos) << r->reason;
  EXPECT_EQ(c.cmp.verdict, BENCH_REVIEW);
}

TEST(HybridRule, FR018_ExactTenPercentHoldsForAwkwardDecimals) {
  // 0.1 * 3 is not exact in binary floating point; the rule works on stored hundredths.
  double change = 0;
  char reason[256];
  EXPECT_EQ(bench_judge(1, 0.30, 1, 0.33, 50.0, 1, &change, reason, sizeof reason), BENCH_PASS)
      << reason;
  EXPECT_EQ(bench_judge(1, 33.30, 1, 36.63, 50.0, 1, &change, reason, sizeof reason), BENCH_PASS)
      << reason;
  EXPECT_EQ(bench_judge(1, 33.30, 1, 36.64, 50.0, 1, &change, reason, sizeof reason), BENCH_REVIEW)
      << reason;
}

TEST(HybridRule, FR021_OverTargetWithBaselineDegradationBlocks) {
  Compared c(Record("search", 400.0, 500), Record("search", 600.0, 500));
  const bench_row *r = Row(c.cmp, "search.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->verdict, BENCH_BLOCK) << r->reason;
  EXPECT_NE(std::string(r->reason).find("regression"), std::string::npos) << r->reason;
  EXPECT_EQ(c.cmp.verdict, BENCH_BLOCK);
}

TEST(HybridRule, FR021_OverTargetWithoutBaselineDegradationStillBlocks) {
  Compared c(Record("project_switch", 52.0, 50), Record("project_switch", 53.0, 50));
  const bench_row *r = Row(c.cmp, "project_switch.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_LT(r->change_percent, 10.0);
  EXPECT_EQ(r->verdict, BENCH_BLOCK) << r->reason;
  EXPECT_NE(std::string(r->reason).find("violates the target"), std::string::npos) << r->reason;
  EXPECT_EQ(c.cmp.verdict, BENCH_BLOCK);
}

TEST(HybridRule, FR021_TargetIsStrict) {
  double change = 0;
  char reason[256];
  EXPECT_EQ(bench_judge(1, 99.0, 1, 100.0, 100.0, 1, &change, reason, sizeof reason), BENCH_BLOCK)
      << reason;
  EXPECT_EQ(bench_judge(1, 99.0, 1, 99.99, 100.0, 1, &change, reason, sizeof reason), BENCH_PASS)
      << reason;
}

TEST(HybridRule, FR021_ImprovementPasses) {
  Compared c(Record("entity_query", 80.0, 100), Record("entity_query", 8.0, 100));
  const bench_row *r = Row(c.cmp, "entity_query.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->verdict, BENCH_PASS) << r->reason;
  EXPECT_NEAR(r->change_percent, -90.0, 1e-9);
  EXPECT_NE(std::string(r->reason).find("no slower than the baseline"), std::string::npos);
}

TEST(HybridRule, FR021_TargetFallsBackToSpecFigure) {
  // No target_threshold_ms on either side: the SPEC p95 target of the operation applies.
  Compared c(Record("index", 30000.0), Record("index", 61000.0));
  const bench_row *r = Row(c.cmp, "index.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->target_ms, 60000.0);
  EXPECT_EQ(r->verdict, BENCH_BLOCK) << r->reason;
}

TEST(HybridRule, FR018_P50AndP99HaveNoTargetSoAtMostReview) {
  Compared c(Record("search", 100.0, 500), Record("search", 400.0, 500));
  const bench_row *p99 = Row(c.cmp, "search.p99");
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ(p99->target_ms, 0.0);
  EXPECT_EQ(p99->verdict, BENCH_REVIEW) << p99->reason;
  EXPECT_EQ(Row(c.cmp, "search.p95")->verdict, BENCH_REVIEW);
  EXPECT_EQ(c.cmp.verdict, BENCH_REVIEW);
}

TEST(HybridRule, FR018_MetricMissingInCurrentIsReadableReview) {
  Compared c(Record("search", 100.0, 500) + "," + Record("project_switch", 5.0, 50),
             Record("search", 100.0, 500));
  const bench_row *r = Row(c.cmp, "project_switch.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->has_current);
  EXPECT_EQ(r->verdict, BENCH_REVIEW) << r->reason;
  EXPECT_NE(std::string(r->reason).find("not measured in the current run"), std::string::npos)
      << r->reason;
  EXPECT_EQ(c.cmp.verdict, BENCH_REVIEW);
}

TEST(HybridRule, FR018_MetricMissingInBaselineIsJudgedOnTargetOnly) {
  Compared c(Record("search", 100.0, 500),
             Record("search", 100.0, 500) + "," + Record("entity_query", 20.0, 100));
  const bench_row *r = Row(c.cmp, "entity_query.p95");
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->has_baseline);
  EXPECT_EQ(r->verdict, BENCH_PASS) << r->reason;
  EXPECT_NE(std::string(r->reason).find("new metric"), std::string::npos) << r->reason;
  EXPECT_TRUE(std::isnan(r->change_percent));
  // ...and blocks when that new metric is over its target.
  Compared d(Record("search", 100.0, 500), Record("entity_query", 120.0, 100));
  EXPECT_EQ(Row(d.cmp, "entity_query.p95")->verdict, BENCH_BLOCK);
}

TEST(HybridRule, FR021_NoBaselineFilePassesAndSaysSo) {
  bench_set base, cur;
  bench_err err;
  ASSERT_EQ(bench_set_load("/nonexistent/dir/baseline.json", 1, &base, &err), BENCH_OK) << err.msg;
  EXPECT_EQ(base.present, 0);
  cur = Set(Record("search", 12.0, 500) + "," + Record("index", 5000.0, 60000));
  bench_comparison cmp;
  bench_compare(&base, &cur, &cmp);
  EXPECT_EQ(cmp.verdict, BENCH_PASS) << cmp.summary;
  EXPECT_EQ(cmp.n, 6u);
  EXPECT_NE(std::string(cmp.summary).find("no baseline file yet"), std::string::npos)
      << cmp.summary;
  EXPECT_NE(std::string(Row(cmp, "search.p95")->reason).find("first run"), std::string::npos);
  bench_set_free(&base);
  bench_set_free(&cur);
}

TEST(HybridRule, FR021_MissingBaselineFileWithoutPermissionIsAnIoError) {
  bench_set base;
  bench_err err;
  EXPECT_EQ(bench_set_load("/nonexistent/dir/baseline.json", 0, &base, &err), BENCH_EIO);
  EXPECT_NE(std::string(err.msg).find("/nonexistent/dir/baseline.json"), std::string::npos);
}

TEST(HybridRule, FR018_InvalidRecordIsRejectedWithFieldName) {
  // p99 below p95 violates the record rule; the loader names the record and field.
  std::string bad = Record("search", 100.0, 500);
  size_t at = bad.find("\"latency_p99_ms\":100.00");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 23, "\"latency_p99_ms\":10.00");
  cJSON *json = cJSON_Parse(("[" + bad + "]").c_str());
  ASSERT_NE(json, nullptr);
  bench_set s;
  bench_err err;
  EXPECT_EQ(bench_set_from_json(json, "crafted", &s, &err), BENCH_EINVAL);
  EXPECT_NE(std::string(err.msg).find("results[0]"), std::string::npos) << err.msg;
  EXPECT_NE(std::string(err.msg).find("latency_p"), std::string::npos) << err.msg;
  cJSON_Delete(json);
}

TEST(HybridRule, FR021_ReportListsCausesAndRecommendationsForNonPassing) {
  Compared c(Record("search", 100.0, 500) + "," + Record("project_switch", 40.0, 50),
             Record("search", 150.0, 500) + "," + Record("project_switch", 60.0, 50));
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(bench_comparison_write_markdown(&c.cmp, &c.base, &c.cur, f, nullptr), BENCH_OK);
  fclose(f);
  std::string md(buf, len);
  free(buf);
  EXPECT_NE(md.find("**Verdict: BLOCK**"), std::string::npos) << md;
  EXPECT_NE(md.find("| search.p95 | codebase-mcp | 100.00 | 150.00 | +50.0% | 500.00 | **review**"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### project_switch.p95 — block"), std::string::npos) << md;
  EXPECT_NE(md.find("**Likely causes**"), std::string::npos);
  EXPECT_NE(md.find("**Justification**"), std::string::npos);

  cJSON *json = bench_comparison_to_json(&c.cmp, &c.base, &c.cur);
  ASSERT_NE(json, nullptr);
  EXPECT_STREQ(cJSON_GetObjectItem(json, "verdict")->valuestring, "block");
  cJSON *metrics = cJSON_GetObjectItem(json, "metrics");
  ASSERT_EQ(cJSON_GetArraySize(metrics), 6);
  bool saw_causes = false;
  cJSON *m;
  cJSON_ArrayForEach(m, metrics) {
    if (std::string(cJSON_GetObjectItem(m, "metric")->valuestring) == "project_switch.p95") {
      EXPECT_STREQ(cJSON_GetObjectItem(m, "verdict")->valuestring, "block");
      EXPECT_DOUBLE_EQ(cJSON_GetObjectItem(m, "change_percent")->valuedouble, 50.0);
      saw_causes = cJSON_IsString(cJSON_GetObjectItem(m, "likely_causes"));
    }
  }
  EXPECT_TRUE(saw_causes);
  cJSON_Delete(json);
}

TEST(ResultSet, FR018_WriteThenLoadRoundTrips) {
  bench_set s = Set(Record("search", 12.5, 500) + "," + Record("index", 4000.0, 60000));
  snprintf(s.commit, sizeof s.commit, "abc1234");
  const char *dir = getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/set.json";
  bench_err err;
  ASSERT_EQ(bench_set_write(&s, path.c_str(), &err), BENCH_OK) << err.msg;
  bench_set back;
  ASSERT_EQ(bench_set_load(path.c_str(), 0, &back, &err), BENCH_OK) << err.msg;
  EXPECT_TRUE(back.has[MDL_OP_SEARCH]);
  EXPECT_TRUE(back.has[MDL_OP_INDEX]);
  EXPECT_FALSE(back.has[MDL_OP_PROJECT_SWITCH]);
  EXPECT_DOUBLE_EQ(back.results[MDL_OP_SEARCH].latency_p95_ms, 12.5);
  EXPECT_STREQ(back.commit, "abc1234");
  bench_set_free(&s);
  bench_set_free(&back);
}

}  // namespace
