// server_test — proves the server launcher, the HTTP helpers and the MCP helper of //testing
// (issue 3, deliverables 2 and 3) against stub_server, a small real libmicrohttpd server.
#include "testing/server.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "testing/http.h"
#include "testing/mcp.h"
#include "testing/runfiles.h"

namespace {

std::string StubPath() {
  char path[4096];
  EXPECT_EQ(0, tst_runfile("testing/stub_server", path, sizeof path)) << path;
  return path;
}

TEST(Runfiles, ResolvesDataDependencyAndReportsMissing) {
  char path[4096];
  ASSERT_EQ(0, tst_runfile("testing/stub_server", path, sizeof path)) << path;
  EXPECT_EQ(0, access(path, X_OK));
  EXPECT_EQ('/', path[0]);
  EXPECT_EQ(-1, tst_runfile("testing/no_such_file", path, sizeof path));
  EXPECT_NE(std::string::npos, std::string(path).find("testing/no_such_file"));
}

TEST(Server, StartsOnFreePortAnswersHealthAndStopsWithSigterm) {
  std::string bin = StubPath();
  const char *env[] = {"POOL_MAX=3", nullptr};
  tst_server_opts o{};
  o.binary = bin.c_str();
  o.env = env;
  tst_server *s = nullptr;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_server_start(&o, &s, &err)) << err.msg;
  EXPECT_GT(tst_server_port(s), 1024);
  EXPECT_EQ("http://127.0.0.1:" + std::to_string(tst_server_port(s)), tst_server_url(s));
  EXPECT_GT(tst_server_pid(s), 0);
  EXPECT_TRUE(tst_server_running(s));
  tst_http_resp r;
  ASSERT_EQ(TST_OK, tst_http_get((std::string(tst_server_url(s)) + "/health").c_str(), 2000,
                                 nullptr, &r, &err))
      << err.msg;
  EXPECT_EQ(200, r.status);
  ASSERT_NE(nullptr, r.json);
  EXPECT_STREQ("healthy", cJSON_GetObjectItem(r.json, "status")->valuestring);
  EXPECT_GT(r.latency_ms, 0.0);
  tst_http_resp_free(&r);
  int st = -1;
  ASSERT_EQ(TST_OK, tst_server_stop(s, 5000, &st, &err)) << err.msg;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  EXPECT_FALSE(tst_server_running(s));
  char tail[4096];
  tst_server_log_tail(s, 5, tail, sizeof tail);
  EXPECT_NE(std::string::npos, std::string(tail).find("shutting down")) << tail;
  EXPECT_NE(std::string::npos, std::string(tail).find("GET /health")) << tail;
  tst_server_destroy(s);
}

TEST(Server, FailedStartupReportsExitStatusAndLast20LogLines) {
  std::string bin = StubPath();
  const char *env[] = {"STUB_FAIL_STARTUP=1", nullptr};
  tst_server_opts o{};
  o.binary = bin.c_str();
  o.env = env;
  tst_server *s = nullptr;
  tst_err err{};
  ASSERT_EQ(TST_ESTART, tst_server_start(&o, &s, &err));
  EXPECT_EQ(nullptr, s);
  std::string msg = err.msg;
  EXPECT_NE(std::string::npos, msg.find("exit code 3")) << msg;
  EXPECT_NE(std::string::npos, msg.find("FATAL: configured to fail startup")) << msg;
  EXPECT_NE(std::string::npos, msg.find("startup step 25")) << msg;
  EXPECT_NE(std::string::npos, msg.find("startup step 7")) << msg;    // within the last 20
  EXPECT_EQ(std::string::npos, msg.find("startup step 6\n")) << msg;  // 21st from the end
}

TEST(Server, HealthDeadlineErrorNamesServerAndLogLines) {
  std::string bin = StubPath();
  const char *env[] = {"STUB_NEVER_HEALTHY=1", nullptr};
  tst_server_opts o{};
  o.binary = bin.c_str();
  o.env = env;
  o.health_timeout_ms = 700;
  o.name = "never-healthy";
  tst_server *s = nullptr;
  tst_err err{};
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(TST_ETIMEOUT, tst_server_start(&o, &s, &err));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 3.0);
  std::string msg = err.msg;
  EXPECT_NE(std::string::npos, msg.find("never-healthy did not answer GET /health")) << msg;
  EXPECT_NE(std::string::npos, msg.find("waiting for nothing, line 25")) << msg;
}

TEST(Server, SigkillAfterDeadlineWhenSigtermIgnored) {
  std::string bin = StubPath();
  const char *env[] = {"STUB_IGNORE_TERM=1", nullptr};
  tst_server_opts o{};
  o.binary = bin.c_str();
  o.env = env;
  tst_server *s = nullptr;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_server_start(&o, &s, &err)) << err.msg;
  pid_t pid = tst_server_pid(s);
  int st = 0;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(TST_ETIMEOUT, tst_server_stop(s, 300, &st, &err));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << st;
  EXPECT_GE(secs, 0.29);
  EXPECT_LT(secs, 2.0);
  EXPECT_EQ(-1, kill(pid, 0));
  tst_server_destroy(s);
}

TEST(Server, KillFaultAndExitOnPortInUse) {
  std::string bin = StubPath();
  tst_server_opts o{};
  o.binary = bin.c_str();
  tst_server *a = nullptr, *b = nullptr;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_server_start(&o, &a, &err)) << err.msg;
  // A second server on the same port: started without waiting, it must exit 2 by itself.
  o.port = tst_server_port(a);
  o.wait_health = 1;
  ASSERT_EQ(TST_OK, tst_server_start(&o, &b, &err)) << err.msg;
  int st = 0;
  ASSERT_EQ(TST_OK, tst_server_wait_exit(b, 5000, &st, &err)) << err.msg;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2);
  char tail[2048];
  tst_server_log_tail(b, 3, tail, sizeof tail);
  EXPECT_NE(std::string::npos, std::string(tail).find("is in use")) << tail;
  tst_server_destroy(b);
  // Kill the first one hard; the launcher sees it gone.
  ASSERT_EQ(TST_OK, tst_server_kill(a, SIGKILL, &err)) << err.msg;
  EXPECT_FALSE(tst_server_running(a));
  tst_http_resp r;
  EXPECT_EQ(TST_EHTTP, tst_http_get((std::string(tst_server_url(a)) + "/health").c_str(), 1000,
                                    nullptr, &r, &err));
  tst_server_destroy(a);
}

TEST(Server, KilledTestProcessTakesItsServersDown) {
  std::string bin = StubPath();
  int p[2];
  ASSERT_EQ(0, pipe(p));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    tst_server_opts o{};
    o.binary = bin.c_str();
    tst_server *s = nullptr;
    tst_err err{};
    int pid = tst_server_start(&o, &s, &err) == TST_OK ? (int)tst_server_pid(s) : 0;
    if (write(p[1], &pid, sizeof pid) < 0) _exit(1);
    pause();
    _exit(0);
  }
  close(p[1]);
  int pid = 0;
  ASSERT_EQ((ssize_t)sizeof pid, read(p[0], &pid, sizeof pid));
  close(p[0]);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(0, kill(pid, 0));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; i++) {
    gone = kill(pid, 0) != 0;
    if (!gone) usleep(50 * 1000);
  }
  EXPECT_TRUE(gone) << "server " << pid << " outlived the killed test process";
}

TEST(Server, RunCapturesOutputAndExitStatus) {
  std::string bin = StubPath();
  const char *args[] = {"--help", nullptr};
  char out[1024];
  int st = -1;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_run(bin.c_str(), args, nullptr, 5000, &st, out, sizeof out, &err))
      << err.msg;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  EXPECT_NE(std::string::npos, std::string(out).find("usage: stub_server")) << out;
  ASSERT_EQ(TST_OK, tst_run(bin.c_str(), nullptr, nullptr, 5000, &st, out, sizeof out, &err));
  EXPECT_EQ(64, WEXITSTATUS(st));
}

class Http : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = StubPath();
    tst_server_opts o{};
    o.binary = bin_.c_str();
    tst_err err{};
    ASSERT_EQ(TST_OK, tst_server_start(&o, &s_, &err)) << err.msg;
    base_ = tst_server_url(s_);
  }
  void TearDown() override {
    tst_server_destroy(s_);
  }
  std::string bin_, base_;
  tst_server *s_ = nullptr;
};

TEST_F(Http, PostJsonEchoesBodyParsesJsonAndHeaders) {
  tst_http_resp r;
  tst_err err{};
  const char *hdrs[] = {"X-Test: 1", nullptr};
  ASSERT_EQ(TST_OK,
            tst_http_post_json((base_ + "/echo").c_str(),
                               "{\"query\":\"parse invoice\",\"limit\":5}", 2000, hdrs, &r, &err))
      << err.msg;
  EXPECT_EQ(200, r.status);
  ASSERT_NE(nullptr, r.json);
  EXPECT_STREQ("parse invoice", cJSON_GetObjectItem(r.json, "query")->valuestring);
  EXPECT_EQ(5, cJSON_GetObjectItem(r.json, "limit")->valueint);
  ASSERT_NE(nullptr, tst_http_header(&r, "x-echo-length"));
  EXPECT_STREQ("35", tst_http_header(&r, "X-Echo-Length"));
  EXPECT_EQ(nullptr, tst_http_header(&r, "X-Absent"));
  tst_http_resp_free(&r);
  EXPECT_EQ(nullptr, r.body);
}

TEST_F(Http, Non2xxIsAResponseNotAnError) {
  tst_http_resp r;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_http_request("DELETE", (base_ + "/status/503").c_str(), nullptr, nullptr,
                                     2000, &r, &err));
  EXPECT_EQ(503, r.status);
  tst_http_resp_free(&r);
  ASSERT_EQ(TST_OK, tst_http_get((base_ + "/nope").c_str(), 2000, nullptr, &r, &err));
  EXPECT_EQ(404, r.status);
  tst_http_resp_free(&r);
}

TEST_F(Http, TimeoutIsReportedAsTimeout) {
  tst_http_resp r;
  tst_err err{};
  EXPECT_EQ(TST_ETIMEOUT, tst_http_get((base_ + "/slow?ms=1500").c_str(), 200, nullptr, &r, &err));
  EXPECT_NE(std::string::npos, std::string(err.msg).find("/slow")) << err.msg;
  EXPECT_GE(r.latency_ms, 190.0);
  EXPECT_LT(r.latency_ms, 1400.0);
  ASSERT_EQ(TST_OK, tst_http_get((base_ + "/slow?ms=100").c_str(), 2000, nullptr, &r, &err))
      << err.msg;
  EXPECT_EQ(nullptr, r.json);  // "slow done" is not JSON
  EXPECT_STREQ("slow done", r.body);
  EXPECT_GE(r.latency_ms, 95.0);
  tst_http_resp_free(&r);
}

TEST_F(Http, McpInitializeAndToolsCall) {
  tst_mcp m;
  tst_err err{};
  ASSERT_EQ(TST_OK, tst_mcp_open(&m, base_.c_str(), 2000, &err)) << err.msg;
  EXPECT_STREQ("stub-session-1", m.session_id);
  cJSON *res = nullptr;
  ASSERT_EQ(TST_OK, tst_mcp_call_tool(&m, "echo", "{\"q\":\"ledger\"}", &res, &err)) << err.msg;
  EXPECT_FALSE(tst_mcp_is_error(res));
  cJSON *data = tst_mcp_tool_data(res);
  ASSERT_NE(nullptr, data);
  EXPECT_STREQ("ledger", cJSON_GetObjectItem(data, "q")->valuestring);
  cJSON_Delete(data);
  cJSON_Delete(res);
  EXPECT_EQ(TST_EPROTO, tst_mcp_call_tool(&m, "missing", nullptr, &res, &err));
  EXPECT_EQ(nullptr, res);
  EXPECT_NE(std::string::npos, std::string(err.msg).find("-32601")) << err.msg;
  ASSERT_EQ(TST_OK, tst_mcp_call(base_.c_str(), "echo", "{\"n\":7}", 2000, &res, &err)) << err.msg;
  data = tst_mcp_tool_data(res);
  ASSERT_NE(nullptr, data);
  EXPECT_EQ(7, cJSON_GetObjectItem(data, "n")->valueint);
  cJSON_Delete(data);
  cJSON_Delete(res);
}

}  // namespace
