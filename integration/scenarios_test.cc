// scenarios_test.cc — one gtest case per scenario file of integration/scenarios (US2, SC-009,
// SC-011), so the JUnit XML names every scenario. Test names are the file names without ".json"
// (they cite the requirement they prove). The scenarios share one runner, hence one PostgreSQL and
// one pair of servers, started by the first scenario that needs them; scenarios that stop,
// restart or slow a server get servers of their own (see integration/runner.h). Each scenario's
// case is written back to $TEST_UNDECLARED_OUTPUTS_DIR with last_run_* filled in.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "integration/runner.h"

namespace {

itg_runner *g_runner = nullptr;
char g_fixtures[4096], g_flows[4096];

itg_runner *Runner() {
  if (g_runner == nullptr) {
    itg_options o{};
    o.fixtures_dir = g_fixtures;
    o.flows_dir = g_flows;
    tst_err err{};
    if (itg_runner_new(&o, &g_runner, &err) != TST_OK) ADD_FAILURE() << err.msg;
  }
  return g_runner;
}

class RunnerEnv : public ::testing::Environment {
 public:
  void TearDown() override {
    itg_runner_free(g_runner);
    g_runner = nullptr;
  }
};

class Scenario : public ::testing::Test {
 public:
  explicit Scenario(std::string path) : path_(std::move(path)) {
    shown_ = path_.substr(path_.rfind("/integration/") + 1);
  }
  void TestBody() override {
    itg_runner *r = Runner();
    ASSERT_NE(r, nullptr);
    itg_result res{};
    itg_runner_run_file(r, path_.c_str(), &res);
    RecordProperty("elapsed_ms", std::to_string(static_cast<long>(res.elapsed_ms)));
    if (res.artifact[0]) RecordProperty("artifact", res.artifact);
    printf("scenario %s: %s in %.0f ms\n", shown_.c_str(), mdl_run_status_name(res.status),
           res.elapsed_ms);
    if (res.status == MDL_RUN_SKIPPED) GTEST_SKIP() << res.error;
    EXPECT_EQ(res.status, MDL_RUN_PASS) << res.error;
  }

 private:
  std::string path_, shown_;
};

// Registers the scenarios before main runs (gtest_main has no hook for it).
int RegisterScenarios() {
  char dir[4096];
  ::testing::AddGlobalTestEnvironment(new RunnerEnv);
  if (itg_runfile_dir("integration/testdata/repos", g_fixtures, sizeof g_fixtures) != 0 ||
      itg_runfile_dir("integration/scenarios/flows", g_flows, sizeof g_flows) != 0 ||
      itg_runfile_dir("integration/scenarios", dir, sizeof dir) != 0) {
    fprintf(stderr, "scenarios_test: integration/scenarios is not among the runfiles\n");
    return 0;
  }
  char **files = nullptr;
  size_t n = 0;
  char why[1024];
  if (itg_scenario_files(dir, &files, &n, why, sizeof why) != 0) {
    fprintf(stderr, "scenarios_test: %s\n", why);
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    std::string path = files[i];
    std::string name = path.substr(path.rfind('/') + 1);
    name = name.substr(0, name.size() - 5);
    std::string shown = "integration/scenarios/" + name + ".json";
    ::testing::RegisterTest("US2_Scenarios", name.c_str(), nullptr, shown.c_str(), __FILE__,
                            __LINE__, [path]() -> ::testing::Test * { return new Scenario(path); });
  }
  itg_files_free(files);
  return static_cast<int>(n);
}

const int kRegistered = RegisterScenarios();

TEST(US2_Suite, SC011_AtLeastTwelveScenarios) {
  EXPECT_GE(kRegistered, 12) << "US2 asks for at least 12 scenarios in integration/scenarios";
}

}  // namespace
