// verdict_test.cc — the verdict on small artifact fixtures (testdata/{pass,review,block,missing})
// judged through testdata/criteria.json, the report files, and the committed criteria file.
#include "validation/verdict.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "validation/report.h"

namespace {

std::string Data(const std::string &rel) {
  return "validation/testdata/" + rel;
}

struct Judged {
  vld_report rep;
  int rc;
};

Judged Judge(const std::string &set, int external = 0, const char *profile = "quick") {
  vld_err err{};
  cJSON *c = vld_criteria_load(Data("criteria.json").c_str(), &err);
  EXPECT_NE(c, nullptr) << err.msg;
  std::string dir = Data(set);
  vld_opts o{dir.c_str(), external, profile};
  Judged j{};
  j.rc = vld_evaluate(c, &o, &j.rep, &err);
  EXPECT_EQ(j.rc, 0) << err.msg;
  cJSON_Delete(c);
  return j;
}

const vld_row &Row(const vld_report &r, const char *id) {
  for (size_t i = 0; i < r.n; i++)
    if (std::string(r.rows[i].id) == id) return r.rows[i];
  ADD_FAILURE() << "no row " << id;
  return r.rows[0];
}

TEST(Verdict, SC013_AllWithinTargetIsGoWithFiguresFromTheArtifacts) {
  Judged j = Judge("pass");
  EXPECT_EQ(j.rep.verdict, VLD_PASS);
  EXPECT_EQ(vld_exit_code(&j.rep), 0);
  const vld_row &a = Row(j.rep, "SC-A");
  EXPECT_EQ(a.status, VLD_PASS);
  EXPECT_NE(std::string(a.figure).find("p95 387.2 ms"), std::string::npos) << a.figure;
  EXPECT_EQ(std::string(a.artifacts), "bench/search.result.json");
  EXPECT_NE(std::string(Row(j.rep, "SC-B").figure).find("2/2 SC0B cases passed"),
            std::string::npos);
  EXPECT_NE(std::string(Row(j.rep, "SC-D").figure).find("1/1"), std::string::npos);
  // the full-profile-only check does not apply under quick
  EXPECT_EQ(Row(j.rep, "SC-E").status, VLD_PASS);
}

TEST(Verdict, SC005_OverBaselineWithinTargetIsReview) {
  Judged j = Judge("review");
  EXPECT_EQ(j.rep.verdict, VLD_REVIEW);
  EXPECT_EQ(vld_exit_code(&j.rep), 1);
  const vld_row &c = Row(j.rep, "SC-C");
  EXPECT_EQ(c.status, VLD_REVIEW);
  EXPECT_NE(std::string(c.note).find("+14% over baseline"), std::string::npos) << c.note;
}

TEST(Verdict, SC012_ViolatedTargetFailedCaseAndFailedScenarioBlock) {
  Judged j = Judge("block");
  EXPECT_EQ(j.rep.verdict, VLD_BLOCK);
  EXPECT_EQ(vld_exit_code(&j.rep), 2);
  const vld_row &a = Row(j.rep, "SC-A");
  EXPECT_EQ(a.status, VLD_BLOCK);
  EXPECT_NE(std::string(a.note).find("612.5 ms violates < 500"), std::string::npos) << a.note;
  const vld_row &b = Row(j.rep, "SC-B");
  EXPECT_EQ(b.status, VLD_BLOCK);
  EXPECT_NE(std::string(b.note).find("SC0B_Second"), std::string::npos) << b.note;
  // a failing case outside the pattern is not this criterion's
  EXPECT_EQ(std::string(b.note).find("FR999"), std::string::npos) << b.note;
  EXPECT_EQ(Row(j.rep, "SC-D").status, VLD_BLOCK);
  EXPECT_EQ(j.rep.counts[VLD_BLOCK], 4u);
}

TEST(Verdict, SC013_MissingArtifactsAreNoEvidenceNeverPass) {
  Judged j = Judge("missing");
  EXPECT_EQ(j.rep.verdict, VLD_BLOCK);
  EXPECT_EQ(j.rep.any_evidence, 0);
  EXPECT_EQ(vld_exit_code(&j.rep), 3);
  for (size_t i = 0; i < j.rep.n; i++) {
    EXPECT_EQ(j.rep.rows[i].status, VLD_BLOCK) << j.rep.rows[i].id;
    EXPECT_NE(std::string(j.rep.rows[i].figure).find("no evidence"), std::string::npos);
  }
}

TEST(Verdict, SC013_FullProfileNeedsItsOwnArtifacts) {
  Judged j = Judge("pass", 0, "full");
  const vld_row &e = Row(j.rep, "SC-E");
  EXPECT_EQ(e.status, VLD_BLOCK);
  EXPECT_NE(std::string(e.note).find("soak/report.md"), std::string::npos) << e.note;
}

TEST(Verdict, ExternalModeSkipsWithTheReasonAndStillJudgesTheRest) {
  Judged j = Judge("pass", 1);
  const vld_row &a = Row(j.rep, "SC-A");
  EXPECT_EQ(a.status, VLD_SKIPPED);
  EXPECT_NE(std::string(a.note).find("skipped: needs control of the processes"), std::string::npos);
  EXPECT_EQ(Row(j.rep, "SC-B").status, VLD_PASS);  // no "external": the same checks
  EXPECT_STREQ(Row(j.rep, "SC-B").target, "all SC0B cases pass (external)");
  EXPECT_EQ(j.rep.verdict, VLD_PASS);
  EXPECT_EQ(j.rep.counts[VLD_SKIPPED], 1u);
}

TEST(Verdict, MalformedCriteriaNameTheEntry) {
  cJSON *c = cJSON_Parse(
      R"({"criteria":[{"id":"SC-X","checks":[{"kind":"field","artifact":"a.json","field":"x","op":"~","limit":1}]}]})");
  std::string dir = Data("pass");
  vld_opts o{dir.c_str(), 0, "quick"};
  vld_report rep;
  vld_err err{};
  // the artifact is missing, so the op is never reached: the row is no evidence
  EXPECT_EQ(vld_evaluate(c, &o, &rep, &err), 0);
  cJSON_Delete(c);
  c = cJSON_Parse(R"({"criteria":[{"id":"SC-Y","checks":[{"kind":"bogus","artifact":"a"}]}]})");
  EXPECT_EQ(vld_evaluate(c, &o, &rep, &err), -1);
  EXPECT_NE(std::string(err.msg).find("SC-Y: unknown check kind \"bogus\""), std::string::npos)
      << err.msg;
  cJSON_Delete(c);
}

TEST(Verdict, SC013_CommittedCriteriaCoverSC001ToSC014) {
  vld_err err{};
  cJSON *c = vld_criteria_load("validation/criteria.json", &err);
  ASSERT_NE(c, nullptr) << err.msg;
  std::string dir = Data("missing");
  vld_opts o{dir.c_str(), 0, "full"};
  vld_report rep;
  ASSERT_EQ(vld_evaluate(c, &o, &rep, &err), 0) << err.msg;
  ASSERT_EQ(rep.n, 14u);
  for (int i = 0; i < 14; i++) {
    char id[16];
    snprintf(id, sizeof id, "SC-%03d", i + 1);
    EXPECT_EQ(std::string(rep.rows[i].id), id);
    EXPECT_EQ(rep.rows[i].status, VLD_BLOCK) << id << ": missing evidence must block";
  }
  o.external = 1;
  ASSERT_EQ(vld_evaluate(c, &o, &rep, &err), 0) << err.msg;
  for (size_t i = 0; i < rep.n; i++) EXPECT_NE(rep.rows[i].status, VLD_PASS) << rep.rows[i].id;
  cJSON_Delete(c);
}

TEST(Report, SC013_MarkdownAndJsonCarryContextTableAndVerdict) {
  Judged j = Judge("block");
  const char *tmp = getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr);
  const char *pics[] = {"pictures/search-latency.svg"};
  vld_context ctx{};
  ctx.commit = "abc1234";
  ctx.profile = "quick";
  ctx.pictures = pics;
  ctx.n_pictures = 1;
  vld_context_stamp(&ctx);
  vld_err err{};
  ASSERT_EQ(vld_write_report(&j.rep, &ctx, tmp, &err), 0) << err.msg;
  std::ifstream md(std::string(tmp) + "/validation-report.md");
  std::stringstream s;
  s << md.rdbuf();
  std::string t = s.str();
  EXPECT_NE(t.find("**Verdict: block**"), std::string::npos);
  EXPECT_NE(t.find("| commit | abc1234 |"), std::string::npos);
  EXPECT_NE(t.find("cores |"), std::string::npos);
  EXPECT_NE(t.find("| SC-A | search p95 | p95 612.5 ms |"), std::string::npos) << t;
  EXPECT_NE(t.find("![pictures/search-latency.svg](pictures/search-latency.svg)"),
            std::string::npos);
  std::ifstream js(std::string(tmp) + "/validation-report.json");
  std::stringstream s2;
  s2 << js.rdbuf();
  cJSON *r = cJSON_Parse(s2.str().c_str());
  ASSERT_NE(r, nullptr);
  EXPECT_STREQ(cJSON_GetObjectItem(r, "verdict")->valuestring, "block");
  EXPECT_EQ(cJSON_GetObjectItem(r, "exit_code")->valueint, 2);
  EXPECT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(r, "criteria")), 5);
  cJSON_Delete(r);
}

}  // namespace
