// wrk_compare_test.cc — the generator's own throughput against wrk on the same endpoint, machine
// and run: GET /health of a real codebase-mcp, 50 connections, 2 threads, no think time, two
// alternating rounds of each tool (wrk, loadgen, wrk, loadgen) so a change in the machine's
// background load hits both. Goal (recorded, not asserted: timing on a shared machine):
// loadgen >= 67% of wrk's requests/s. The figures go to the log and to wrk_compare.json in the
// outputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "benchmarks/measure.h"
#include "load/result.h"
#include "testing/proc.h"
#include "testing/runfiles.h"
#include "testing/server.h"

namespace {

constexpr const char *kRound = "5s";

TEST(US3Generator, LoadgenReachesMostOfWrkRequestsPerSecondOnHealth) {
  const char *wrk = "/usr/bin/wrk";
  ASSERT_EQ(0, access(wrk, X_OK)) << "wrk is not installed: run ci/bootstrap.sh (PACKAGES has wrk)";
  bench_env env{};
  bench_err be{};
  ASSERT_EQ(BENCH_OK, bench_env_start(&env, 1, 0, &be)) << be.msg;
  std::string url = std::string(tst_server_url(env.codebase));
  std::string health = url + "/health";
  char lg[4096];
  ASSERT_EQ(0, tst_runfile("load/loadgen", lg, sizeof lg)) << lg;
  const char *d = getenv("TEST_TMPDIR");
  std::string out = std::string(d != nullptr ? d : "/tmp") + "/loadgen-health.json";
  static char buf[65536];
  double wrk_sum = 0, lg_sum = 0;
  for (int round = 0; round < 2; round++) {
    int status = 0;
    tst_err te{};
    const char *wargs[] = {"-t2", "-c50", "-d", kRound, "--latency", health.c_str(), nullptr};
    ASSERT_EQ(TST_OK, tst_run(wrk, wargs, nullptr, 60000, &status, buf, sizeof buf, &te)) << te.msg;
    ASSERT_EQ(0, status) << buf;
    const char *rps = strstr(buf, "Requests/sec:");
    ASSERT_NE(nullptr, rps) << buf;
    double w = strtod(rps + strlen("Requests/sec:"), nullptr);
    printf("wrk round %d: %.1f req/s\n%s\n", round, w, buf);
    const char *largs[] = {"--url",        url.c_str(), "--get",   "/health",   "--vus",     "50",
                           "--duration",   kRound,      "--think", "0",         "--threads", "2",
                           "--health-url", "",          "--out",   out.c_str(), nullptr};
    ASSERT_EQ(TST_OK, tst_run(lg, largs, nullptr, 60000, &status, buf, sizeof buf, &te)) << te.msg;
    ASSERT_EQ(0, status) << buf;
    ld_result r;
    ld_err le{};
    ASSERT_EQ(LD_OK, ld_result_read(out.c_str(), &r, &le)) << le.msg;
    double l = ld_result_rps(&r);
    printf("loadgen round %d: %.1f req/s\n%s\n", round, l, buf);
    EXPECT_EQ(0u, r.errors);
    ld_result_free(&r);
    ASSERT_GT(w, 0);
    ASSERT_GT(l, 0);
    wrk_sum += w;
    lg_sum += l;
  }
  double ratio = lg_sum / wrk_sum;
  printf(
      "wrk %.1f req/s, loadgen %.1f req/s (means of 2 rounds of %s): ratio %.3f (goal >= 0.67)\n",
      wrk_sum / 2, lg_sum / 2, kRound, ratio);
  if (const char *od = getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    std::ofstream f(std::string(od) + "/wrk_compare.json");
    f << "{\"endpoint\":\"/health\",\"connections\":50,\"threads\":2,\"round_seconds\":5,"
      << "\"rounds\":2,\"wrk_rps\":" << wrk_sum / 2 << ",\"loadgen_rps\":" << lg_sum / 2
      << ",\"ratio\":" << ratio << ",\"goal\":0.67}\n";
  }
  bench_env_stop(&env);
}

}  // namespace
