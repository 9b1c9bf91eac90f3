// runner_test.cc — tests of the scenario runner itself: the way it reports. Runs the
// integration-runner binary (a real process, which starts real servers) on scenario files kept in
// testdata/broken, and asserts its exit status, what it prints and the artifact it writes.
#include "integration/runner.h"

#include <cjson/cJSON.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "integration/env.h"
#include "testing/runfiles.h"
#include "testing/server.h"

namespace {

std::string Runfile(const char *rel) {
  char p[4096];
  EXPECT_EQ(tst_runfile(rel, p, sizeof p), 0) << p;
  return p;
}

struct RunOut {
  int exit_code = -1;
  std::string out;
};

RunOut RunRunner(const std::string &file, const char *out_dir, const char *cb_url = nullptr,
                 const char *wf_url = nullptr, const char *file2 = nullptr) {
  std::string bin = Runfile("integration/integration-runner");
  std::string out = out_dir;
  const char *args[10] = {"--out", out.c_str()};
  int k = 2;
  if (cb_url != nullptr) {
    args[k++] = "--codebase-url";
    args[k++] = cb_url;
    args[k++] = "--workflow-url";
    args[k++] = wf_url;
  }
  args[k++] = file.c_str();
  if (file2 != nullptr) args[k++] = file2;
  args[k] = nullptr;
  static char buf[65536];
  int st = 0;
  tst_err err{};
  RunOut r;
  EXPECT_EQ(tst_run(bin.c_str(), args, nullptr, 120000, &st, buf, sizeof buf, &err), TST_OK)
      << err.msg;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = buf;
  return r;
}

std::string OutDir() {
  const char *d = getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

TEST(Runner, SC011_BrokenAssertionFailsNamingScenarioStepAndAssertion) {
  RunOut r =
      RunRunner(Runfile("integration/testdata/broken/broken_assertion.json"), OutDir().c_str());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scenario \"runner self-test: a broken assertion\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("workflow step 2 \"search for the invoice code\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("assertion 2 `body.results length greater than 1000` failed"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 failed"), std::string::npos) << r.out;
  // The artifact is the case with last_run_* filled in.
  FILE *f = fopen((OutDir() + "/broken_assertion.json").c_str(), "r");
  ASSERT_NE(f, nullptr);
  char text[65536];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  cJSON *a = cJSON_Parse(text);
  ASSERT_NE(a, nullptr) << text;
  EXPECT_STREQ(cJSON_GetStringValue(cJSON_GetObjectItem(a, "last_run_status")), "fail") << text;
  EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItem(a, "last_run_timestamp"))) << text;
  const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(a, "last_run_error"));
  ASSERT_NE(e, nullptr) << text;
  EXPECT_NE(std::string(e).find("length greater than 1000"), std::string::npos) << e;
  cJSON_Delete(a);
}

TEST(Runner, SC011_MalformedFileFailsNamingFileStepAndField) {
  RunOut r =
      RunRunner(Runfile("integration/testdata/broken/malformed_step.json"), OutDir().c_str());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("integration/testdata/broken/malformed_step.json: "
                       "workflow_steps[1].step_number"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("step_number must be 2"), std::string::npos) << r.out;
}

// The mode the main job uses: servers someone else started. Scenarios that stop or restart a
// server are skipped (they would disturb servers the runner does not own); the rest run.
TEST(Runner, SC011_ExternalServersRunSharedScenariosAndSkipLifecycleOnes) {
  itg_env *env = nullptr;
  tst_err err{};
  ASSERT_EQ(itg_env_start_local(nullptr, &env, &err), TST_OK) << err.msg;
  std::string cb = itg_env_url(env, MDL_SERVER_CODEBASE_MCP);
  std::string wf = itg_env_url(env, MDL_SERVER_WORKFLOW_MCP);
  RunOut r =
      RunRunner(Runfile("integration/scenarios/SC011_quickstart_search_reference_live.json"),
                OutDir().c_str(), cb.c_str(), wf.c_str(),
                Runfile("integration/scenarios/SC009_servers_restarted_mid_flow.json").c_str());
  itg_env_destroy(env);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("against the given servers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PASS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SKIP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 passed, 0 failed, 1 skipped of 2"), std::string::npos) << r.out;
}

TEST(Runner, SC011_LoaderNamesTheStepInProcess) {
  mdl_integration_case c;
  char why[1024];
  ASSERT_EQ(itg_case_load(Runfile("integration/testdata/broken/malformed_step.json").c_str(), &c,
                          why, sizeof why),
            -1);
  EXPECT_NE(std::string(why).find("workflow_steps[1]"), std::string::npos) << why;
}

}  // namespace
