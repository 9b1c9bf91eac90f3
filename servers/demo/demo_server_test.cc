// Proves issue 4 items 1, 2 and 7 with real processes: the demo server (servers/common only)
// against its own PostgreSQL, spoken to over real HTTP and over stdin/stdout pipes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "testing/gtest_fixtures.h"
#include "testing/http.h"
#include "testing/pg.h"
#include "testing/proc.h"
#include "testing/runfiles.h"
#include "testing/server.h"

extern char **environ;

namespace {

std::string g_bin;
tst_pg *g_pg = nullptr;
std::string g_db_env;

struct Resp {
  tst_http_resp r{};
  ~Resp() {
    tst_http_resp_free(&r);
  }
  const char *Header(const char *n) const {
    return tst_http_header(&r, n);
  }
  const cJSON *Json(const char *path1, const char *path2 = nullptr) const {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(r.json, path1);
    return path2 ? cJSON_GetObjectItemCaseSensitive(j, path2) : j;
  }
  std::string ErrCode() const {  // {"error":{"code":"..."}} (REST) — string codes
    const cJSON *c = Json("error", "code");
    return cJSON_IsString(c) ? c->valuestring : "";
  }
  int RpcCode() const {  // {"error":{"code":-32601}} (JSON-RPC)
    const cJSON *c = Json("error", "code");
    return cJSON_IsNumber(c) ? (int)c->valuedouble : 0;
  }
  std::string ErrMsg() const {
    const cJSON *c = Json("error", "message");
    return cJSON_IsString(c) ? c->valuestring : "";
  }
};

void Do(Resp *out, const char *method, const std::string &url, const char *body,
        std::vector<std::string> headers = {}, long timeout_ms = 10000) {
  std::vector<const char *> h;
  for (auto &s : headers) h.push_back(s.c_str());
  h.push_back(nullptr);
  tst_err err;
  ASSERT_EQ(tst_http_request(method, url.c_str(), body, h.data(), timeout_ms, &out->r, &err),
            TST_OK)
      << err.msg;
}

tst_server *Start(std::vector<std::string> env_extra, std::string db_env = "") {
  std::vector<std::string> env = {db_env.empty() ? g_db_env : db_env};
  for (auto &e : env_extra) env.push_back(e);
  std::vector<const char *> envp;
  for (auto &e : env) envp.push_back(e.c_str());
  envp.push_back(nullptr);
  tst_server_opts o;
  memset(&o, 0, sizeof o);
  o.binary = g_bin.c_str();
  o.env = envp.data();
  o.name = "demo-server";
  tst_server *s = nullptr;
  tst_err err;
  EXPECT_EQ(tst_server_start(&o, &s, &err), TST_OK) << err.msg;
  return s;
}

class DemoServer : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    g_bin = tst::Runfile("servers/demo/demo_server");
    StartSuite({"servers/demo/demo_server", {"BODY_LIMIT_BYTES=4096"}});
    ASSERT_NE(env, nullptr);
    g_pg = env->pg;
    g_db_env = std::string("DATABASE_URL=") + tst_pg_url(g_pg);
    srv_ = env->Raw();
    base_ = env->url;
  }
  static void TearDownTestSuite() {
    srv_ = nullptr;
    g_pg = nullptr;
    ServerSuite::TearDownTestSuite();
  }
  // initialize over POST /mcp; returns the session id.
  static std::string Initialize(const char *version = "2025-06-18") {
    Resp r;
    std::string body =
        std::string(
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")") +
        version + R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
    Do(&r, "POST", base_ + "/mcp", body.c_str());
    EXPECT_EQ(r.r.status, 200) << r.r.body;
    const char *sid = r.Header("Mcp-Session-Id");
    EXPECT_NE(sid, nullptr);
    return sid ? sid : "";
  }
  static void Rpc(Resp *r, const std::string &sid, const char *body,
                  std::vector<std::string> extra = {}) {
    extra.push_back("Mcp-Session-Id: " + sid);
    Do(r, "POST", base_ + "/mcp", body, extra);
  }
  static tst_server *srv_;
  static std::string base_;
};
tst_server *DemoServer::srv_ = nullptr;
std::string DemoServer::base_;

TEST_F(DemoServer, McpOverHttp_InitializeListCall) {
  Resp init;
  Do(&init, "POST", base_ + "/mcp",
     R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-12-31","capabilities":{},"clientInfo":{"name":"ts-sdk","version":"9"}}})");
  ASSERT_EQ(init.r.status, 200);
  EXPECT_STREQ(init.Json("result", "protocolVersion")->valuestring, "2025-06-18");
  EXPECT_STREQ(cJSON_GetObjectItem(init.Json("result", "serverInfo"), "name")->valuestring,
               "demo-server");
  const char *sid_c = init.Header("mcp-session-id");  // header names are case-insensitive
  ASSERT_NE(sid_c, nullptr);
  std::string sid = sid_c;
  EXPECT_EQ(sid.size(), 36u);

  Resp note;
  Rpc(&note, sid, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(note.r.status, 202);
  EXPECT_EQ(note.r.body_len, 0u);

  Resp list;
  Rpc(&list, sid, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})",
      {"MCP-Protocol-Version: 2025-06-18"});
  ASSERT_EQ(list.r.status, 200);
  EXPECT_EQ(cJSON_GetArraySize(list.Json("result", "tools")), 6);

  Resp call;
  Rpc(&call, sid,
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"ab","repeat":3}}})");
  ASSERT_EQ(call.r.status, 200);
  EXPECT_TRUE(cJSON_IsFalse(call.Json("result", "isError")));
  EXPECT_STREQ(cJSON_GetObjectItem(call.Json("result", "structuredContent"), "text")->valuestring,
               "ababab");

  Resp fail;
  Rpc(&fail, sid,
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"fail","arguments":{"code":"internal"}}})");
  ASSERT_EQ(fail.r.status, 200);
  EXPECT_TRUE(cJSON_IsTrue(fail.Json("result", "isError")));

  Resp ping;
  Rpc(&ping, sid, R"({"jsonrpc":"2.0","id":"x","method":"ping"})");
  EXPECT_EQ(ping.r.status, 200);
  EXPECT_TRUE(cJSON_IsObject(ping.Json("result")));
}

TEST_F(DemoServer, McpOverHttp_EveryJsonRpcErrorPath) {
  std::string sid = Initialize();
  Resp parse;
  Rpc(&parse, sid, R"({"jsonrpc":"2.0","id":1,"method":)");
  EXPECT_EQ(parse.r.status, 400);
  EXPECT_EQ(parse.RpcCode(), -32700);
  EXPECT_NE(parse.ErrMsg().find("invalid JSON"), std::string::npos) << parse.ErrMsg();
  Resp invalid;
  Rpc(&invalid, sid, R"({"jsonrpc":"2.0","id":1,"method":42})");
  EXPECT_EQ(invalid.r.status, 400);
  EXPECT_EQ(invalid.RpcCode(), -32600);
  EXPECT_EQ(invalid.ErrMsg(), "method must be a non-empty string");
  Resp unknown;
  Rpc(&unknown, sid, R"({"jsonrpc":"2.0","id":1,"method":"prompts/list"})");
  EXPECT_EQ(unknown.r.status, 200);
  EXPECT_EQ(unknown.RpcCode(), -32601);
  Resp params;
  Rpc(&params, sid,
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a","repeat":500}}})");
  EXPECT_EQ(params.RpcCode(), -32602);
  EXPECT_EQ(params.ErrMsg(), "arguments.repeat must be <= 5 (got 500)");
  Resp tool;
  Rpc(&tool, sid, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})");
  EXPECT_EQ(tool.RpcCode(), -32602);
  Resp response;  // a JSON-RPC response POSTed by the client
  Rpc(&response, sid, R"({"jsonrpc":"2.0","id":77,"result":{}})");
  EXPECT_EQ(response.r.status, 202);
  EXPECT_EQ(response.r.body_len, 0u);
}

TEST_F(DemoServer, Sessions_RequiredUnknown404Delete) {
  Resp none;
  Do(&none, "POST", base_ + "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(none.r.status, 400);
  Resp bogus;
  Rpc(&bogus, "00000000-0000-4000-8000-000000000000",
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(bogus.r.status, 404);
  std::string sid = Initialize();
  Resp del;
  Do(&del, "DELETE", base_ + "/mcp", nullptr, {"Mcp-Session-Id: " + sid});
  EXPECT_EQ(del.r.status, 204);
  Resp after;
  Rpc(&after, sid, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(after.r.status, 404);
  Resp del2;
  Do(&del2, "DELETE", base_ + "/mcp", nullptr, {"Mcp-Session-Id: " + sid});
  EXPECT_EQ(del2.r.status, 404);
  Resp get;
  Do(&get, "GET", base_ + "/mcp", nullptr);
  EXPECT_EQ(get.r.status, 405);
  EXPECT_EQ(get.ErrCode(), "method_not_allowed");
  EXPECT_NE(std::string(get.Header("Allow") ? get.Header("Allow") : "").find("POST"),
            std::string::npos);
}

TEST_F(DemoServer, OriginAndProtocolVersionChecks) {
  Resp evil;
  Do(&evil, "POST", base_ + "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})",
     {"Origin: http://evil.example"});
  EXPECT_EQ(evil.r.status, 403);
  EXPECT_EQ(evil.ErrCode(), "forbidden_origin");
  Resp sneaky;
  Do(&sneaky, "POST", base_ + "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})",
     {"Origin: http://localhost.evil.example"});
  EXPECT_EQ(sneaky.r.status, 403);
  for (const char *ok : {"http://localhost:6274", "http://127.0.0.1", "http://[::1]:3000"}) {
    Resp r;
    Do(&r, "POST", base_ + "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})",
       {std::string("Origin: ") + ok});
    EXPECT_EQ(r.r.status, 200) << ok;
  }
  std::string sid = Initialize();
  Resp bad;
  Rpc(&bad, sid, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
      {"MCP-Protocol-Version: 1999-01-01"});
  EXPECT_EQ(bad.r.status, 400);
  EXPECT_EQ(bad.ErrCode(), "unsupported_protocol_version");
  Resp old;
  Rpc(&old, sid, R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
      {"mcp-protocol-version: 2024-11-05"});
  EXPECT_EQ(old.r.status, 200);
}

TEST_F(DemoServer, BodyLimit413_MalformedJson400_RoutingJson404) {
  std::string big = R"({"text":")" + std::string(8000, 'x') + "\"}";
  Resp r413;
  Do(&r413, "POST", base_ + "/mcp/echo", big.c_str());
  EXPECT_EQ(r413.r.status, 413);
  EXPECT_EQ(r413.ErrCode(), "payload_too_large");
  EXPECT_NE(r413.ErrMsg().find("4096 bytes"), std::string::npos) << r413.ErrMsg();
  Resp bad;
  Do(&bad, "POST", base_ + "/mcp/echo", R"({"text": "a",,})");
  EXPECT_EQ(bad.r.status, 400);
  EXPECT_EQ(bad.ErrCode(), "invalid_json");
  EXPECT_NE(bad.ErrMsg().find("invalid JSON at byte"), std::string::npos) << bad.ErrMsg();
  Resp nf;
  Do(&nf, "GET", base_ + "/no/such/path", nullptr);
  EXPECT_EQ(nf.r.status, 404);
  EXPECT_EQ(nf.ErrCode(), "not_found");
  Resp mna;
  Do(&mna, "DELETE", base_ + "/health", nullptr);
  EXPECT_EQ(mna.r.status, 405);
  ASSERT_NE(mna.Header("Allow"), nullptr);
  EXPECT_STREQ(mna.Header("Allow"), "GET");
}

TEST_F(DemoServer, RequestIdAcceptedOrGeneratedAndEchoed) {
  Resp given;
  Do(&given, "POST", base_ + "/mcp/echo", R"({"text":"x"})", {"X-Request-Id: test-rid-42"});
  ASSERT_NE(given.Header("X-Request-Id"), nullptr);
  EXPECT_STREQ(given.Header("X-Request-Id"), "test-rid-42");
  EXPECT_STREQ(given.Json("request_id")->valuestring, "test-rid-42");  // the handler saw it
  Resp gen;
  Do(&gen, "GET", base_ + "/health", nullptr);
  ASSERT_NE(gen.Header("X-Request-Id"), nullptr);
  EXPECT_EQ(strlen(gen.Header("X-Request-Id")), 36u);
  EXPECT_EQ(gen.Header("X-Request-Id")[14], '4');  // UUID v4
}

TEST_F(DemoServer, RestRoutesStatusesAndRetryAfter) {
  Resp add;
  Do(&add, "POST", base_ + "/mcp/add_note", R"({"body":"hello"})");
  ASSERT_EQ(add.r.status, 201) << add.r.body;
  std::string id = add.Json("id")->valuestring;
  Resp get;
  Do(&get, "GET", base_ + "/mcp/notes/" + id, nullptr);
  ASSERT_EQ(get.r.status, 200) << get.r.body;
  EXPECT_STREQ(get.Json("body")->valuestring, "hello");
  Resp missing;
  Do(&missing, "GET", base_ + "/mcp/notes/999999", nullptr);
  EXPECT_EQ(missing.r.status, 404);
  EXPECT_EQ(missing.ErrCode(), "not_found");
  Resp badid;
  Do(&badid, "GET", base_ + "/mcp/notes/abc", nullptr);
  EXPECT_EQ(badid.r.status, 400);
  EXPECT_NE(badid.ErrMsg().find("arguments.id must match the pattern"), std::string::npos);
  Resp busy;
  Do(&busy, "POST", base_ + "/mcp/fail", R"({"code":"busy"})");
  EXPECT_EQ(busy.r.status, 503);
  EXPECT_STREQ(busy.Header("Retry-After"), "1");
  Resp count;
  Do(&count, "POST", base_ + "/mcp/count_notes", nullptr);
  ASSERT_EQ(count.r.status, 200) << count.r.body;
  EXPECT_GE(count.Json("count")->valuedouble, 1);
}

TEST_F(DemoServer, MetricsCountToolsInTextAndJson) {
  Resp e;
  Do(&e, "POST", base_ + "/mcp/echo", R"({"text":"m"})");
  Resp text;
  Do(&text, "GET", base_ + "/metrics", nullptr);
  ASSERT_EQ(text.r.status, 200);
  std::string body = text.r.body;
  EXPECT_NE(body.find("# TYPE demo_mcp_tool_calls_total counter"), std::string::npos);
  EXPECT_NE(body.find("demo_mcp_tool_calls_total{tool=\"echo\"}"), std::string::npos);
  EXPECT_NE(
      body.find(
          "demo_mcp_http_request_duration_seconds_bucket{route=\"POST /mcp/echo\",le=\"+Inf\"}"),
      std::string::npos);
  Resp json;
  Do(&json, "GET", base_ + "/metrics", nullptr, {"Accept: application/json"});
  ASSERT_EQ(json.r.status, 200);
  EXPECT_TRUE(cJSON_IsArray(json.Json("counters")));
  EXPECT_TRUE(cJSON_IsArray(json.Json("histograms")));
}

int CountLinesWith(const std::string &text, const std::string &a, const std::string &b) {
  int n = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) n++;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return n;
}

std::string ReadLog(tst_server *s) {
  char *buf = nullptr;
  size_t len = 0;
  tst_err err;
  if (tst_read_file(tst_server_log_path(s), &buf, &len, &err) != TST_OK) return "";
  std::string out(buf, len);
  free(buf);
  return out;
}

TEST_F(DemoServer, FR013_OneLogLinePerRequestAndWarnOverOneSecond) {
  Resp fast;
  Do(&fast, "POST", base_ + "/mcp/echo", R"({"text":"log me"})", {"X-Request-Id: log-line-1"});
  ASSERT_EQ(fast.r.status, 200);
  Resp slow;
  Do(&slow, "POST", base_ + "/mcp/slow", R"({"ms":1100})", {"X-Request-Id: log-line-slow"});
  ASSERT_EQ(slow.r.status, 200);
  Resp bad;
  Do(&bad, "POST", base_ + "/mcp/echo", R"({"text":1})", {"X-Request-Id: log-line-bad"});
  ASSERT_EQ(bad.r.status, 400);
  usleep(100 * 1000);
  std::string log = ReadLog(srv_);
  EXPECT_EQ(CountLinesWith(log, "\"request_id\":\"log-line-1\"", "\"operation_name\":\"echo\""), 1)
      << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  EXPECT_EQ(CountLinesWith(log, "\"request_id\":\"log-line-1\"", "\"outcome\":\"success\""), 1);
  EXPECT_EQ(CountLinesWith(log, "\"request_id\":\"log-line-slow\"", "\"level\":\"WARN\""), 1);
  EXPECT_EQ(CountLinesWith(log, "\"request_id\":\"log-line-slow\"", "\"slow_operation\":true"), 1);
  EXPECT_EQ(CountLinesWith(log, "\"request_id\":\"log-line-bad\"", "\"outcome\":\"failure\""), 1);
  EXPECT_EQ(
      CountLinesWith(log, "\"request_id\":\"log-line-bad\"", "arguments.text must be a string"), 1);
}

// ---- stdio ------------------------------------------------------------------------------------

struct Child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
};

Child SpawnPipes(const std::vector<std::string> &args, const std::vector<std::string> &env) {
  int pin[2], pout[2], perr[2];
  Child c;
  if (pipe(pin) || pipe(pout) || pipe(perr)) return c;
  std::vector<std::string> envs;
  for (char **e = environ; *e; e++) envs.push_back(*e);
  for (auto &e : env) envs.push_back(e);
  std::vector<char *> argv, envp;
  argv.push_back(const_cast<char *>(g_bin.c_str()));
  for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (auto &e : envs) envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);
  c.pid = fork();
  if (c.pid == 0) {
    dup2(pin[0], 0);
    dup2(pout[1], 1);
    dup2(perr[1], 2);
    for (int fd : {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1]}) close(fd);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(pin[0]);
  close(pout[1]);
  close(perr[1]);
  c.in = pin[1];
  c.out = pout[0];
  c.err = perr[0];
  return c;
}

std::string ReadAll(int fd, int timeout_ms) {
  std::string s;
  char buf[4096];
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, (size_t)n);
  }
  return s;
}

TEST_F(DemoServer, McpOverStdio_AllPathsAndCleanExitOnEof) {
  Child c = SpawnPipes({"--stdio"}, {g_db_env});
  ASSERT_GT(c.pid, 0);
  std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"
      "\r\n"
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"yo"}}})"
      "\n"
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"count_notes","arguments":{}}})"
      "\n"
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{}}})"
      "\n"
      R"({"jsonrpc":"2.0","id":6,"method":"nope"})"
      "\n"
      R"({"jsonrpc":"2.0","id":7,"method":)"
      "\n"
      R"({"id":8,"method":"ping"})"
      "\n"
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"fail","arguments":{"code":"not_found"}}})";
  // (the last message has no newline: end of input still delivers it)
  ASSERT_EQ(write(c.in, input.data(), input.size()), (ssize_t)input.size());
  close(c.in);
  std::string out = ReadAll(c.out, 15000);
  std::string errs = ReadAll(c.err, 2000);
  int status = 0;
  ASSERT_EQ(waitpid(c.pid, &status, 0), c.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << errs;
  std::vector<cJSON *> msgs;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos) << "every response ends with a newline";
    std::string line = out.substr(pos, nl - pos);
    cJSON *j = cJSON_Parse(line.c_str());
    ASSERT_NE(j, nullptr) << "stdout carries only JSON-RPC: " << line;
    msgs.push_back(j);
    pos = nl + 1;
  }
  ASSERT_EQ(msgs.size(), 9u) << out;  // 10 messages, one notification
  auto code = [&](int i) {
    const cJSON *e = cJSON_GetObjectItem(msgs[i], "error");
    return e ? (int)cJSON_GetObjectItem(e, "code")->valuedouble : 0;
  };
  auto result = [&](int i) { return cJSON_GetObjectItem(msgs[i], "result"); };
  EXPECT_STREQ(cJSON_GetObjectItem(result(0), "protocolVersion")->valuestring, "2025-03-26");
  EXPECT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(result(1), "tools")), 6);
  EXPECT_STREQ(
      cJSON_GetObjectItem(cJSON_GetObjectItem(result(2), "structuredContent"), "text")->valuestring,
      "yo");
  EXPECT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(result(3), "isError")));  // database tool
  EXPECT_EQ(code(4), -32602);
  EXPECT_EQ(code(5), -32601);
  EXPECT_EQ(code(6), -32700);
  EXPECT_EQ(code(7), -32600);
  EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(result(8), "isError")));
  EXPECT_NE(errs.find("\"operation_name\":\"echo\""), std::string::npos)
      << "request log lines go to stderr";
  for (auto *m : msgs) cJSON_Delete(m);
  close(c.out);
  close(c.err);
}

// ---- start-up failures
// ---------------------------------------------------------------------------

TEST_F(DemoServer, SC014_PortInUse_OneLineWithPortAndPid_Exit2) {
  // CLOEXEC: the server under test must not inherit the socket (it would then "hold" the port).
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t sl = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &sl);
  std::string port = std::to_string(ntohs(a.sin_port));
  const char *args[] = {"--port", port.c_str(), nullptr};
  const char *env[] = {g_db_env.c_str(), nullptr};
  int status = 0;
  char out[8192];
  tst_err err;
  ASSERT_EQ(tst_run(g_bin.c_str(), args, env, 30000, &status, out, sizeof out, &err), TST_OK);
  close(fd);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  std::string o = out;
  EXPECT_NE(o.find("port " + port), std::string::npos) << o;
  EXPECT_NE(o.find("PID " + std::to_string(getpid())), std::string::npos) << o;
  EXPECT_NE(o.find("stop that process or set PORT"), std::string::npos) << o;
}

TEST_F(DemoServer, SC014_SchemaNotMigrated_MessageWithMigrateCommand_Exit3) {
  char url[1024];
  tst_err err;
  ASSERT_EQ(tst_pg_create_db(g_pg, "unmigrated", url, sizeof url, &err), TST_OK) << err.msg;
  std::string env0 = std::string("DATABASE_URL=") + url;
  const char *env[] = {env0.c_str(), nullptr};
  std::string port = std::to_string(tst_free_port());
  const char *args[] = {"--port", port.c_str(), nullptr};
  int status = 0;
  char out[8192];
  ASSERT_EQ(tst_run(g_bin.c_str(), args, env, 30000, &status, out, sizeof out, &err), TST_OK);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << out;
  EXPECT_NE(std::string(out).find("run `demo-server migrate`"), std::string::npos) << out;
}

TEST_F(DemoServer, SC010_DatabaseDownAtStart_ServesUnhealthy503) {
  int dead = tst_free_port();
  tst_server *s = Start({}, "DATABASE_URL=postgresql://postgres@127.0.0.1:" + std::to_string(dead) +
                                "/nothing?connect_timeout=1");
  ASSERT_NE(s, nullptr);
  Resp h;
  Do(&h, "GET", std::string(tst_server_url(s)) + "/health", nullptr);
  EXPECT_EQ(h.r.status, 503);
  EXPECT_STREQ(h.Json("status")->valuestring, "unhealthy");
  Resp call;
  Do(&call, "POST", std::string(tst_server_url(s)) + "/mcp/count_notes", nullptr);
  EXPECT_EQ(call.r.status, 503);
  EXPECT_NE(call.Header("Retry-After"), nullptr);
  tst_server_destroy(s);
}

TEST_F(DemoServer, SC014_DatabaseDownAtStartThenUnmigrated_Exits3WhenItAnswers) {
  // The documented decision (app.h): a database that is down at start does not stop the start;
  // the schema check runs when it answers, and an unmigrated schema then stops the server.
  tst_pg *pg2 = nullptr;
  tst_err err;
  ASSERT_EQ(tst_pg_start(&pg2, &err), TST_OK) << err.msg;
  std::string url = tst_pg_url(pg2);
  ASSERT_EQ(tst_pg_stop(pg2, &err), TST_OK) << err.msg;
  tst_server *s = Start({}, "DATABASE_URL=" + url);
  ASSERT_NE(s, nullptr);
  Resp h;
  Do(&h, "GET", std::string(tst_server_url(s)) + "/health", nullptr);
  EXPECT_EQ(h.r.status, 503);
  ASSERT_EQ(tst_pg_restart(pg2, &err), TST_OK) << err.msg;
  int status = 0;
  EXPECT_EQ(tst_server_wait_exit(s, 15000, &status, &err), TST_OK) << err.msg;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3);
  char tail[8192];
  tst_server_log_tail(s, 20, tail, sizeof tail);
  EXPECT_NE(std::string(tail).find("run `demo-server migrate`"), std::string::npos) << tail;
  tst_server_destroy(s);
  tst_pg_destroy(pg2);
}

// ---- shutdown and overload ---------------------------------------------------------------------

TEST_F(DemoServer, SigtermFinishesInFlightRequestThenExits0) {
  tst_server *s = Start({});
  ASSERT_NE(s, nullptr);
  std::string url = std::string(tst_server_url(s)) + "/mcp/slow";
  long status = 0;
  double slept = 0;
  std::thread t([&] {
    Resp r;
    Do(&r, "POST", url, R"({"ms":1500})");
    status = r.r.status;
    if (r.Json("slept_ms")) slept = r.Json("slept_ms")->valuedouble;
  });
  usleep(400 * 1000);
  int wstatus = 0;
  tst_err err;
  EXPECT_EQ(tst_server_stop(s, 15000, &wstatus, &err), TST_OK) << err.msg;
  t.join();
  EXPECT_EQ(status, 200) << "the in-flight request completed";
  EXPECT_GE(slept, 1500);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  Resp after;
  tst_http_resp r{};
  EXPECT_NE(tst_http_request("GET", (std::string(tst_server_url(s)) + "/health").c_str(), nullptr,
                             nullptr, 2000, &r, &err),
            TST_OK)
      << "no longer accepting";
  tst_http_resp_free(&r);
  tst_server_destroy(s);
}

TEST_F(DemoServer, FR016_PoolExhaustedOverMcpToolsCall503JsonRpcRetryLater) {
  tst_server *s = Start({"POOL_MIN=1", "POOL_MAX=1", "REQUEST_TIMEOUT_MS=800"});
  ASSERT_NE(s, nullptr);
  std::string base = tst_server_url(s);
  Resp init;
  Do(&init, "POST", base + "/mcp",
     R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
     R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  ASSERT_EQ(init.r.status, 200) << init.r.body;
  ASSERT_NE(init.Header("Mcp-Session-Id"), nullptr);
  std::string sid = init.Header("Mcp-Session-Id");
  std::thread t([&] {  // holds the only connection for 2.5 s
    Resp r;
    Do(&r, "POST", base + "/mcp/slow", R"({"ms":2500,"db":true})");
  });
  usleep(500 * 1000);
  Resp r;
  Do(&r, "POST", base + "/mcp",
     R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"count_notes"}})",
     {"Mcp-Session-Id: " + sid});
  EXPECT_EQ(r.r.status, 503) << r.r.body;
  EXPECT_STREQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(r.RpcCode(), -32001) << "a JSON-RPC retry-later error, not an isError result: "
                                 << r.r.body;
  EXPECT_NE(r.ErrMsg().find("pool_exhausted"), std::string::npos) << r.r.body;
  ASSERT_TRUE(cJSON_IsNumber(r.Json("id"))) << r.r.body;
  EXPECT_EQ(r.Json("id")->valueint, 7);
  t.join();
  tst_server_destroy(s);
}

TEST_F(DemoServer, FR016_PoolExhausted503WithRetryAfterAfterDeadline) {
  tst_server *s = Start({"POOL_MIN=1", "POOL_MAX=1", "REQUEST_TIMEOUT_MS=800"});
  ASSERT_NE(s, nullptr);
  std::string base = tst_server_url(s);
  long hold_status = 0;
  std::thread t([&] {
    Resp r;
    Do(&r, "POST", base + "/mcp/slow", R"({"ms":2500,"db":true})");
    hold_status = r.r.status;
  });
  usleep(500 * 1000);
  Resp r;
  Do(&r, "POST", base + "/mcp/count_notes", nullptr);
  EXPECT_EQ(r.r.status, 503) << r.r.body;
  EXPECT_STREQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(r.ErrCode(), "pool_exhausted") << r.r.body;
  EXPECT_GE(r.r.latency_ms, 250);  // it queued (about the deadline) before giving up
  Resp h;  // /health stays fast while the pool is saturated (it never touches the database)
  Do(&h, "GET", base + "/health", nullptr);
  EXPECT_LT(h.r.latency_ms, 100);
  t.join();
  EXPECT_EQ(hold_status, 200);
  tst_server_destroy(s);
}

}  // namespace
