// Proves issue 12 finding 1's rules in isolation (the HTTP tests prove them on the wire): which
// Host, Origin and Content-Type values pass, which bind addresses count as loopback.
#include "servers/common/guard.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

srv_guard G(int port, const char *bind = "127.0.0.1", const char *allowed = nullptr) {
  srv_guard g;
  g.port = port;
  g.bind_addr = bind;
  g.allowed_hosts = allowed;
  return g;
}

TEST(Guard, HostMustBeLoopbackOnTheBoundPort) {
  srv_guard g = G(8020);
  for (const char *ok : {"127.0.0.1:8020", "localhost:8020", "LOCALHOST:8020", "[::1]:8020"})
    EXPECT_TRUE(srv_guard_host_ok(&g, ok)) << ok;
  EXPECT_TRUE(srv_guard_host_ok(&g, nullptr));  // HTTP/1.0 without Host: not a browser
  for (const char *bad : {"evil.example:8020", "localhost.evil.example:8020", "127.0.0.1:8010",
                          "127.0.0.1", "localhost:", ":8020", "127.0.0.1:8020:1", "[::1",
                          "127.0.0.1:99999", "", "10.0.0.1:8020", "localhost:8020/x"})
    EXPECT_FALSE(srv_guard_host_ok(&g, bad)) << bad;
  srv_guard g80 = G(80);
  EXPECT_TRUE(srv_guard_host_ok(&g80, "localhost"));
}

TEST(Guard, BindAddressAndAllowedHostsWiden) {
  srv_guard g = G(8020, "192.168.1.5", "mcp.internal, proxy.local:9000");
  EXPECT_TRUE(srv_guard_host_ok(&g, "192.168.1.5:8020"));
  EXPECT_FALSE(srv_guard_host_ok(&g, "192.168.1.5:9"));
  EXPECT_TRUE(srv_guard_host_ok(&g, "mcp.internal"));
  EXPECT_TRUE(srv_guard_host_ok(&g, "MCP.internal:443"));
  EXPECT_TRUE(srv_guard_host_ok(&g, "proxy.local:9000"));
  EXPECT_FALSE(srv_guard_host_ok(&g, "proxy.local:9001"));
  EXPECT_FALSE(srv_guard_host_ok(&g, "internal:8020"));
  EXPECT_TRUE(srv_guard_origin_ok(&g, "https://mcp.internal"));
  EXPECT_TRUE(srv_guard_origin_ok(&g, "http://192.168.1.5:3000"));
  EXPECT_FALSE(srv_guard_origin_ok(&g, "http://proxy.local:9001"));
  srv_guard any = G(8020, "0.0.0.0");
  EXPECT_FALSE(srv_guard_host_ok(&any, "0.0.0.0:8020"));
  srv_guard v6 = G(8020, "::1");
  EXPECT_TRUE(srv_guard_host_ok(&v6, "[::1]:8020"));
}

TEST(Guard, OriginLoopbackOnly) {
  srv_guard g = G(8020);
  for (const char *ok : {"http://localhost", "http://localhost:6274", "https://127.0.0.1:1",
                         "http://[::1]:3000", "http://127.0.0.1/"})
    EXPECT_TRUE(srv_guard_origin_ok(&g, ok)) << ok;
  for (const char *bad : {"null", "http://evil.example", "http://localhost.evil.example",
                          "http://127.0.0.1.nip.io", "file://localhost", "http://localhost:80x",
                          "http://evil@localhost", "http://localhost/path", "", "http://"})
    EXPECT_FALSE(srv_guard_origin_ok(&g, bad)) << bad;
}

TEST(Guard, JsonContentType) {
  for (const char *ok : {"application/json", "application/json; charset=utf-8", "Application/JSON",
                         " application/json"})
    EXPECT_TRUE(srv_guard_json_type(ok)) << ok;
  for (const char *bad : {"text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data; boundary=x", "application/jsonp", ""})
    EXPECT_FALSE(srv_guard_json_type(bad)) << bad;
  EXPECT_FALSE(srv_guard_json_type(nullptr));
}

TEST(Guard, CheckOrderAndMessages) {
  srv_guard g = G(8020);
  const char *code = nullptr;
  char msg[400];
  EXPECT_EQ(srv_guard_check(&g, "POST", "evil:8020", "http://evil", "text/plain", 1, &code, msg,
                            sizeof msg),
            SRV_EMISDIRECTED);
  EXPECT_STREQ(code, "misdirected_request");
  EXPECT_NE(std::strstr(msg, "ALLOWED_HOSTS"), nullptr) << msg;
  EXPECT_EQ(srv_guard_check(&g, "POST", "127.0.0.1:8020", "http://evil", "text/plain", 1, &code,
                            msg, sizeof msg),
            SRV_EFORBIDDEN);
  EXPECT_STREQ(code, "forbidden_origin");
  EXPECT_EQ(srv_guard_check(&g, "POST", "127.0.0.1:8020", nullptr, "text/plain", 1, &code, msg,
                            sizeof msg),
            SRV_EMEDIATYPE);
  EXPECT_STREQ(code, "unsupported_media_type");
  EXPECT_NE(std::strstr(msg, "application/json"), nullptr) << msg;
  // an empty POST needs no Content-Type; a GET is never checked for one
  EXPECT_EQ(
      srv_guard_check(&g, "POST", "127.0.0.1:8020", nullptr, nullptr, 0, &code, msg, sizeof msg),
      SRV_OK);
  EXPECT_EQ(srv_guard_check(&g, "GET", "localhost:8020", nullptr, "text/plain", 1, &code, msg,
                            sizeof msg),
            SRV_OK);
}

TEST(Guard, LoopbackBindAddresses) {
  for (const char *ok : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"})
    EXPECT_TRUE(srv_guard_bind_is_loopback(ok)) << ok;
  for (const char *bad : {"0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.com", ""})
    EXPECT_FALSE(srv_guard_bind_is_loopback(bad)) << bad;
}

}  // namespace
