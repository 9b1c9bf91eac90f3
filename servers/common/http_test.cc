// Proves issue 4 item 1 in-process (no PostgreSQL, so it also runs under ASan in //:sanitized):
// routing with {param} captures, JSON 404/405/413 (announced and chunked bodies), request ids,
// deadlines carried to handlers, handlers off the I/O threads, and graceful stop finishing an
// in-flight request; plus the session table, and (issue 12) the Host / Origin / Content-Type
// checks on every route (the rules themselves: guard_test.cc).
#include "servers/common/http.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "servers/common/mcp_http.h"
#include "servers/common/session.h"
#include "servers/common/timeutil.h"
#include "testing/http.h"

namespace {

void Hello(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "user",
                          srv_http_param(req, "user") ? srv_http_param(req, "user") : "");
  cJSON_AddStringToObject(o, "item",
                          srv_http_param(req, "item") ? srv_http_param(req, "item") : "");
  cJSON_AddNumberToObject(o, "body_len", (double)req->body_len);
  cJSON_AddNumberToObject(o, "ms_left", (double)srv_ms_until(req->deadline_ms));
  cJSON_AddStringToObject(o, "rid", req->request_id);
  srv_http_resp_json(resp, 200, o);
}

std::atomic<int> g_slow_done{0};
void Slow(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  srv_sleep_ms(700);
  g_slow_done++;
  srv_http_resp_json(resp, 200, cJSON_CreateObject());
}

void Fast(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  srv_http_resp_json(resp, 200, cJSON_CreateString("fast"));
}

class Http : public ::testing::Test {
 protected:
  void SetUp() override {
    srv_http_opts o;
    memset(&o, 0, sizeof o);
    o.port = 0;
    o.max_body = 1000;
    o.request_timeout_ms = 5000;
    o.workers = 4;
    o.io_threads = 2;
    srv_err err;
    ASSERT_EQ(srv_http_new(&o, &h_, &err), SRV_OK);
    ASSERT_EQ(srv_http_route(h_, "POST", "/users/{user}/items/{item}", Hello, nullptr, 0, &err),
              SRV_OK);
    ASSERT_EQ(srv_http_route(h_, "GET", "/users/{user}", Hello, nullptr, SRV_HTTP_INLINE, &err),
              SRV_OK);
    ASSERT_EQ(srv_http_route(h_, "POST", "/slow", Slow, nullptr, 0, &err), SRV_OK);
    ASSERT_EQ(srv_http_route(h_, "GET", "/fast", Fast, nullptr, SRV_HTTP_INLINE, &err), SRV_OK);
    EXPECT_EQ(srv_http_route(h_, "GET", "/fast", Fast, nullptr, 0, &err), SRV_ECONFLICT);
    ASSERT_EQ(srv_sessions_new(2, 0, &sessions_, &err), SRV_OK);
    ASSERT_EQ(srv_tools_new(nullptr, 0, &tools_, &err), SRV_OK);
    mcp_.name = "t";
    mcp_.version = "1";
    mcp_.tools = tools_;
    mcp_.instructions = nullptr;
    memset(&ep_, 0, sizeof ep_);
    ep_.mcp = &mcp_;
    ep_.sessions = sessions_;
    ASSERT_EQ(srv_mcp_endpoint_mount(h_, &ep_, &err), SRV_OK);
    ASSERT_EQ(srv_http_listen(h_, &err), SRV_OK) << err.msg;
    base_ = "http://127.0.0.1:" + std::to_string(srv_http_port(h_));
  }
  void TearDown() override {
    srv_http_free(h_);
    srv_sessions_free(sessions_);
    srv_tools_free(tools_);
  }
  long Req(const char *method, const std::string &path, const char *body, tst_http_resp *r,
           const char *const *headers = nullptr) {
    tst_err err;
    EXPECT_EQ(tst_http_request(method, (base_ + path).c_str(), body, headers, 5000, r, &err),
              TST_OK)
        << err.msg;
    return r->status;
  }
  srv_http *h_ = nullptr;
  srv_sessions *sessions_ = nullptr;
  srv_tools *tools_ = nullptr;
  srv_mcp mcp_;
  srv_mcp_endpoint ep_;
  std::string base_;
};

TEST_F(Http, RoutesCaptureParamsAndCarryDeadline) {
  tst_http_resp r{};
  EXPECT_EQ(Req("POST", "/users/ann/items/42", "{\"a\":1}", &r), 200);
  EXPECT_STREQ(cJSON_GetObjectItem(r.json, "user")->valuestring, "ann");
  EXPECT_STREQ(cJSON_GetObjectItem(r.json, "item")->valuestring, "42");
  EXPECT_EQ(cJSON_GetObjectItem(r.json, "body_len")->valuedouble, 7);
  double left = cJSON_GetObjectItem(r.json, "ms_left")->valuedouble;
  EXPECT_GT(left, 4000);
  EXPECT_LE(left, 5000);
  tst_http_resp_free(&r);
  EXPECT_EQ(Req("GET", "/users/bob", nullptr, &r), 200);
  EXPECT_STREQ(cJSON_GetObjectItem(r.json, "user")->valuestring, "bob");
  tst_http_resp_free(&r);
  EXPECT_EQ(Req("GET", "/users/bob/extra", nullptr, &r), 404);
  EXPECT_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")->valuestring,
               "not_found");
  tst_http_resp_free(&r);
  EXPECT_EQ(Req("DELETE", "/users/bob", nullptr, &r), 405);
  EXPECT_STREQ(tst_http_header(&r, "Allow"), "GET");
  tst_http_resp_free(&r);
}

TEST_F(Http, BodyLimit413AnnouncedAndChunked) {
  std::string big(5000, 'x');
  tst_http_resp r{};
  EXPECT_EQ(Req("POST", "/users/a/items/b", big.c_str(), &r), 413);
  EXPECT_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")->valuestring,
               "payload_too_large");
  tst_http_resp_free(&r);
  const char *chunked[] = {"Transfer-Encoding: chunked", nullptr};
  EXPECT_EQ(Req("POST", "/users/a/items/b", big.c_str(), &r, chunked), 413);
  tst_http_resp_free(&r);
  std::string fits(900, 'y');
  EXPECT_EQ(Req("POST", "/users/a/items/b", fits.c_str(), &r, chunked), 200);
  tst_http_resp_free(&r);
}

TEST_F(Http, RequestIdEchoedOrGenerated) {
  tst_http_resp r{};
  const char *h[] = {"X-Request-Id: abc.DEF-1", nullptr};
  Req("GET", "/users/x", nullptr, &r, h);
  EXPECT_STREQ(tst_http_header(&r, "X-Request-Id"), "abc.DEF-1");
  EXPECT_STREQ(cJSON_GetObjectItem(r.json, "rid")->valuestring, "abc.DEF-1");
  tst_http_resp_free(&r);
  const char *evil[] = {"X-Request-Id: \"quote\"", nullptr};  // unsafe for logs: replaced
  Req("GET", "/users/x", nullptr, &r, evil);
  EXPECT_EQ(strlen(tst_http_header(&r, "X-Request-Id")), 36u);
  tst_http_resp_free(&r);
}

TEST_F(Http, SlowHandlersDoNotBlockInlineRoutes) {
  std::thread t[4];
  for (auto &th : t)
    th = std::thread([this] {
      tst_http_resp r{};
      Req("POST", "/slow", nullptr, &r);
      tst_http_resp_free(&r);
    });
  usleep(150 * 1000);  // all four workers are now busy sleeping
  tst_http_resp r{};
  EXPECT_EQ(Req("GET", "/fast", nullptr, &r), 200);
  EXPECT_LT(r.latency_ms, 200);
  tst_http_resp_free(&r);
  for (auto &th : t) th.join();
}

TEST_F(Http, GracefulStopFinishesInFlight) {
  g_slow_done = 0;
  long status = 0;
  std::thread t([&] {
    tst_http_resp r{};
    status = Req("POST", "/slow", nullptr, &r);
    tst_http_resp_free(&r);
  });
  usleep(200 * 1000);
  EXPECT_EQ(srv_http_in_flight(h_), 1);
  EXPECT_EQ(srv_http_stop(h_, 5000), 0);
  t.join();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(g_slow_done.load(), 1);
  tst_http_resp r{};
  tst_err err;
  EXPECT_NE(tst_http_request("GET", (base_ + "/fast").c_str(), nullptr, nullptr, 1000, &r, &err),
            TST_OK);
  tst_http_resp_free(&r);
}

TEST_F(Http, McpEndpointSessionsThroughHttp) {
  tst_http_resp r{};
  EXPECT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", &r), 200);
  std::string sid = tst_http_header(&r, "Mcp-Session-Id");
  tst_http_resp_free(&r);
  std::string hdr = "Mcp-Session-Id: " + sid;
  const char *h[] = {hdr.c_str(), nullptr};
  EXPECT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","method":"notifications/initialized"})", &r, h),
            202);
  EXPECT_EQ(r.body_len, 0u);
  tst_http_resp_free(&r);
  EXPECT_EQ(Req("POST", "/mcp", "not json", &r, h), 400);
  EXPECT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")->valuedouble, -32700);
  tst_http_resp_free(&r);
  EXPECT_EQ(Req("GET", "/mcp", nullptr, &r), 405);
  tst_http_resp_free(&r);
}

TEST(Sessions, CapacityEvictsLeastRecentlyUsedAndExpiryRemoves) {
  srv_sessions *s = nullptr;
  srv_err err;
  ASSERT_EQ(srv_sessions_new(2, 150, &s, &err), SRV_OK);
  char a[37], b[37], c[37];
  srv_session_create(s, "2025-06-18", a, &err);
  srv_session_create(s, "2025-06-18", b, &err);
  EXPECT_EQ(srv_session_touch(s, a), 1);  // b is now the least recently used
  srv_session_create(s, "2025-06-18", c, &err);
  EXPECT_EQ(srv_sessions_count(s), 2u);
  EXPECT_EQ(srv_session_touch(s, b), 0);
  EXPECT_EQ(srv_session_touch(s, a), 1);
  usleep(250 * 1000);
  EXPECT_EQ(srv_session_touch(s, a), 0);  // expired after 150 ms idle
  EXPECT_EQ(srv_session_touch(s, c), 0);  // expired too
  EXPECT_EQ(srv_sessions_count(s), 0u);
  srv_sessions_free(s);
}

}  // namespace

namespace {

// Issue 12 finding 1 on the wire: every route (inline, worker, /mcp, unknown paths) refuses a
// foreign Host (421), a foreign Origin (403) and a non-JSON body (415) before its handler runs,
// while curl-like requests (loopback Host, no Origin) pass.
TEST_F(Http, EveryRouteChecksHostOriginAndContentType) {
  std::string port = std::to_string(srv_http_port(h_));
  std::string foreign_host = "Host: evil.example:" + port;
  std::string wrong_port = "Host: 127.0.0.1:1";
  struct Probe {
    const char *method, *path, *body;
  } probes[] = {{"POST", "/users/ann/items/1", "{}"},
                {"GET", "/users/bob", nullptr},
                {"GET", "/fast", nullptr},
                {"POST", "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})"},
                {"DELETE", "/mcp", nullptr},
                {"GET", "/nowhere", nullptr}};
  for (const Probe &p : probes) {
    for (const std::string &hh : {foreign_host, wrong_port}) {
      tst_http_resp r{};
      const char *h[] = {hh.c_str(), nullptr};
      EXPECT_EQ(Req(p.method, p.path, p.body, &r, h), 421) << p.method << " " << p.path << hh;
      EXPECT_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")->valuestring,
                   "misdirected_request");
      tst_http_resp_free(&r);
    }
    tst_http_resp r{};
    const char *o[] = {"Origin: http://evil.example", nullptr};
    EXPECT_EQ(Req(p.method, p.path, p.body, &r, o), 403) << p.method << " " << p.path;
    tst_http_resp_free(&r);
    if (p.body != nullptr) {
      const char *t[] = {"Content-Type: text/plain", nullptr};
      EXPECT_EQ(Req(p.method, p.path, p.body, &r, t), 415) << p.method << " " << p.path;
      EXPECT_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")->valuestring,
                   "unsupported_media_type");
      tst_http_resp_free(&r);
    }
  }
  // what plain clients send passes
  for (const std::string &hh : {"Host: localhost:" + port, "Host: 127.0.0.1:" + port}) {
    tst_http_resp r{};
    const char *h[] = {hh.c_str(), "Content-Type: application/json; charset=utf-8", nullptr};
    EXPECT_EQ(Req("POST", "/users/ann/items/1", "{}", &r, h), 200) << hh;
    tst_http_resp_free(&r);
    EXPECT_EQ(Req("GET", "/fast", nullptr, &r, h), 200) << hh;
    tst_http_resp_free(&r);
  }
  tst_http_resp r{};
  EXPECT_EQ(Req("POST", "/slow", nullptr, &r), 200);  // empty POST: no Content-Type needed
  tst_http_resp_free(&r);
}

}  // namespace

namespace {

// Issue 12 finding 7 over real HTTP: a flood of initialize calls does not evict a session in use
// (the fixture's table holds 2), and an unknown session is 404 with -32003, not -32001 (which
// means "retry later").
TEST_F(Http, InitializeFloodKeepsSessionsInUse) {
  tst_http_resp r{};
  ASSERT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", &r), 200);
  std::string hdr = std::string("Mcp-Session-Id: ") + tst_http_header(&r, "Mcp-Session-Id");
  tst_http_resp_free(&r);
  const char *h[] = {hdr.c_str(), nullptr};
  ASSERT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", &r, h), 200);
  tst_http_resp_free(&r);
  for (int i = 0; i < 20; i++) {
    ASSERT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", &r), 200);
    std::string flood = std::string("Mcp-Session-Id: ") + tst_http_header(&r, "Mcp-Session-Id");
    tst_http_resp_free(&r);
    const char *fh[] = {flood.c_str(), nullptr};  // a notification is not a use
    EXPECT_EQ(
        Req("POST", "/mcp", R"({"jsonrpc":"2.0","method":"notifications/initialized"})", &r, fh),
        202);
    tst_http_resp_free(&r);
  }
  EXPECT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", &r, h), 200)
      << "the session in use was evicted by the initialize flood";
  tst_http_resp_free(&r);
  const char *gone[] = {"Mcp-Session-Id: 00000000-0000-4000-8000-000000000000", nullptr};
  EXPECT_EQ(Req("POST", "/mcp", R"({"jsonrpc":"2.0","id":4,"method":"tools/list"})", &r, gone),
            404);
  EXPECT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code")->valuedouble, -32003);
  tst_http_resp_free(&r);
}

TEST(Sessions, FullTableEvictsNeverUsedFirst) {
  srv_sessions *s = nullptr;
  srv_err err;
  ASSERT_EQ(srv_sessions_new(3, 0, &s, &err), SRV_OK);
  char used1[37], used2[37], fresh[37], flood[37];
  srv_session_create(s, "2025-06-18", used1, &err);
  srv_session_create(s, "2025-06-18", used2, &err);
  EXPECT_EQ(srv_session_touch(s, used1), 1);
  EXPECT_EQ(srv_session_touch(s, used2), 1);
  srv_session_create(s, "2025-06-18", fresh, &err);
  EXPECT_EQ(srv_session_seen(s, fresh), 1);  // seen, still never used
  for (int i = 0; i < 100; i++) srv_session_create(s, "2025-06-18", flood, &err);
  EXPECT_EQ(srv_sessions_count(s), 3u);
  EXPECT_EQ(srv_session_touch(s, fresh), 0);  // the never-used one went first
  EXPECT_EQ(srv_session_touch(s, used1), 1);
  EXPECT_EQ(srv_session_touch(s, used2), 1);
  EXPECT_EQ(srv_session_touch(s, flood), 1);         // the newest of the flood is there
  srv_session_create(s, "2025-06-18", fresh, &err);  // all in use now: the LRU one goes (used1)
  EXPECT_EQ(srv_session_touch(s, used1), 0);
  EXPECT_EQ(srv_session_touch(s, used2), 1);
  srv_sessions_free(s);
}

// The test-only slowdown knob (http.h): off by default, bounded, a bad value named.
TEST(HttpTestDelay, TestRequestDelayIsBoundedAndNamed) {
  srv_http_opts o;
  memset(&o, 0, sizeof o);
  srv_http *h = nullptr;
  srv_err err;
  for (const char *bad : {"-1", "1000001", "12ms", "x"}) {
    setenv("TEST_REQUEST_DELAY_US", bad, 1);
    EXPECT_EQ(srv_http_new(&o, &h, &err), SRV_EINVAL) << bad;
    EXPECT_EQ(h, nullptr);
    EXPECT_NE(std::string(err.msg).find("TEST_REQUEST_DELAY_US must be 0-1000000"),
              std::string::npos)
        << err.msg;
  }
  setenv("TEST_REQUEST_DELAY_US", "0", 1);
  ASSERT_EQ(srv_http_new(&o, &h, &err), SRV_OK) << err.msg;
  srv_http_free(h);
  unsetenv("TEST_REQUEST_DELAY_US");
}

}  // namespace
