// cli_test.cc — the loadgen command end to end: bad input gets a clear message and a non-zero
// exit (unknown flag, malformed stage, unreachable target, bad scenario file); a failed threshold
// exits 99 and abortOnFail stops the run early; two shards of one run merge into a result whose
// counts and histogram are exactly the sums of the shards'. Against a real codebase-mcp.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "load/result.h"
#include "testing/gtest_fixtures.h"
#include "testing/proc.h"
#include "testing/runfiles.h"
#include "testing/server.h"

namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

std::string Bin() {
  char b[4096];
  EXPECT_EQ(0, tst_runfile("load/loadgen", b, sizeof b)) << b;
  return b;
}

CliRun Loadgen(std::vector<std::string> args, int timeout_ms = 60000) {
  std::vector<const char *> a;
  for (auto &s : args) a.push_back(s.c_str());
  a.push_back(nullptr);
  static char buf[65536];
  CliRun r;
  int status = 0;
  tst_err e{};
  std::string bin = Bin();
  if (tst_run(bin.c_str(), a.data(), nullptr, timeout_ms, &status, buf, sizeof buf, &e) != TST_OK) {
    r.out = e.msg;
    return r;
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = buf;
  return r;
}

std::string Tmp(const std::string &name) {
  const char *d = getenv("TEST_TMPDIR");
  return std::string(d != nullptr ? d : "/tmp") + "/" + name;
}

void Write(const std::string &path, const std::string &text) {
  std::ofstream f(path);
  f << text;
}

TEST(LoadgenCli, UnknownFlagIsRejected) {
  CliRun r = Loadgen({"--url", "http://127.0.0.1:9", "--vu", "5"});
  EXPECT_EQ(2, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("unknown flag --vu")) << r.out;
}

TEST(LoadgenCli, MalformedStageIsRejected) {
  CliRun r =
      Loadgen({"--url", "http://127.0.0.1:9", "--get", "/health", "--stage", "5 minutes:50"});
  EXPECT_EQ(2, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("malformed stage \"5 minutes:50\"")) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("--stage 30s:50")) << r.out;
}

TEST(LoadgenCli, UnreachableTargetIsRejected) {
  int port = tst_free_port();
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  CliRun r = Loadgen({"--url", url, "--get", "/health", "--vus", "1", "--duration", "2s"});
  EXPECT_EQ(3, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("unreachable")) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("Start the server or fix --url")) << r.out;
}

TEST(LoadgenCli, BadScenarioFilesAreRejected) {
  std::string missing = Tmp("nope.json");
  CliRun r = Loadgen(
      {"--url", "http://127.0.0.1:9", "--scenario", missing, "--vus", "1", "--duration", "2s"});
  EXPECT_EQ(2, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("cannot read scenario file")) << r.out;
  std::string broken = Tmp("broken.json");
  Write(broken, "{\"name\": \"x\", \"flows\": [");
  r = Loadgen(
      {"--url", "http://127.0.0.1:9", "--scenario", broken, "--vus", "1", "--duration", "2s"});
  EXPECT_EQ(2, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("is not valid JSON")) << r.out;
  std::string typo = Tmp("typo.json");
  Write(typo,
        R"({"name":"x","flows":[{"name":"f","steps":[{"name":"g","path":"/w/${itemid}"}]}]})");
  r = Loadgen(
      {"--url", "http://127.0.0.1:9", "--scenario", typo, "--vus", "1", "--duration", "2s"});
  EXPECT_EQ(2, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("unknown variable ${itemid}")) << r.out;
}

class LoadgenServer : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite({"servers/codebase_mcp/codebase-mcp", {}});
  }
  static std::string Url() {
    return env->Url();
  }
};

TEST_F(LoadgenServer, FailedThresholdExits99AndAbortOnFailStopsEarly) {
  CliRun r = Loadgen({"--url", Url(), "--get", "/health", "--vus", "2", "--duration", "2s",
                      "--think", "0", "--threshold", "p95<0.0001"});
  EXPECT_EQ(99, r.code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find("\u2717 p95<0.0001")) << r.out;
  std::string out = Tmp("abort.json");
  double t0 = tst_now_ms();
  r = Loadgen({"--url", Url(), "--get", "/health", "--vus", "2", "--duration", "60s", "--think",
               "0", "--threshold", "max<0.0001,abortOnFail", "--out", out});
  double took = tst_now_ms() - t0;
  EXPECT_EQ(99, r.code) << r.out;
  EXPECT_LT(took, 30000) << "abortOnFail did not stop the 60 s run early";
  ld_result res;
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_result_read(out.c_str(), &res, &e)) << e.msg;
  EXPECT_EQ(1, res.aborted);
  ld_result_free(&res);
}

TEST_F(LoadgenServer, ShardsMergeIntoExactSums) {
  std::string a = Tmp("s0.json"), b = Tmp("s1.json"), m = Tmp("merged.json");
  CliRun ra, rb;
  std::thread t1([&] {
    ra = Loadgen({"--url", Url(), "--get", "/health", "--vus", "6", "--duration", "3s", "--think",
                  "10ms", "--shard", "0/2", "--out", a});
  });
  std::thread t2([&] {
    rb = Loadgen({"--url", Url(), "--get", "/health", "--vus", "6", "--duration", "3s", "--think",
                  "10ms", "--shard", "1/2", "--out", b});
  });
  t1.join();
  t2.join();
  ASSERT_EQ(0, ra.code) << ra.out;
  ASSERT_EQ(0, rb.code) << rb.out;
  CliRun rm = Loadgen({"merge", "--out", m, a, b});
  ASSERT_EQ(0, rm.code) << rm.out;
  ld_result x, y, z;
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_result_read(a.c_str(), &x, &e)) << e.msg;
  ASSERT_EQ(LD_OK, ld_result_read(b.c_str(), &y, &e)) << e.msg;
  ASSERT_EQ(LD_OK, ld_result_read(m.c_str(), &z, &e)) << e.msg;
  EXPECT_EQ(3, x.peak_vus);  // VUs 0, 2, 4
  EXPECT_EQ(3, y.peak_vus);  // VUs 1, 3, 5
  EXPECT_EQ(6, z.peak_vus);
  EXPECT_GT(x.requests, 0u);
  EXPECT_EQ(x.requests + y.requests, z.requests);
  EXPECT_EQ(x.errors + y.errors, z.errors);
  EXPECT_EQ(x.lat.count + y.lat.count, z.lat.count);
  for (int i = 0; i < MDL_HIST_BUCKETS; i++)
    EXPECT_EQ(x.lat.buckets[i] + y.lat.buckets[i], z.lat.buckets[i]) << "bucket " << i;
  EXPECT_DOUBLE_EQ(std::max(x.lat.max_ms, y.lat.max_ms), z.lat.max_ms);
  EXPECT_DOUBLE_EQ(std::min(x.lat.min_ms, y.lat.min_ms), z.lat.min_ms);
  uint64_t tl = 0;
  for (size_t i = 0; i < z.npoints; i++) tl += z.points[i].requests;
  EXPECT_EQ(z.requests, tl);
  // merging a shard with itself is refused
  CliRun bad = Loadgen({"merge", "--out", m, a, a});
  EXPECT_EQ(2, bad.code) << bad.out;
  ld_result_free(&x);
  ld_result_free(&y);
  ld_result_free(&z);
}

}  // namespace
