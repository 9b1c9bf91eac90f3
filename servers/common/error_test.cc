// Proves error.c: stable names and the one mapping to HTTP / JSON-RPC (FR-016: pool exhausted and
// database unavailable are "retry later" => 503).
#include "servers/common/error.h"

#include <gtest/gtest.h>

#include <string>

TEST(Error, StableSnakeNamesForEveryCode) {
  const char *want[] = {"ok",
                        "invalid_argument",
                        "not_found",
                        "conflict",
                        "pool_exhausted",
                        "database_unavailable",
                        "timeout",
                        "payload_too_large",
                        "io_error",
                        "internal_error",
                        "method_not_allowed",
                        "forbidden",
                        "misdirected_request",
                        "unsupported_media_type"};
  ASSERT_EQ(sizeof want / sizeof want[0], (size_t)SRV_ECODE_COUNT);
  for (int c = 0; c < SRV_ECODE_COUNT; c++) EXPECT_STREQ(want[c], srv_strerror((srv_code)c));
  EXPECT_STREQ("internal_error", srv_strerror((srv_code)99));
}

TEST(Error, FR016_HttpStatusPerCode) {
  const int want[] = {200, 400, 404, 409, 503, 503, 504, 413, 500, 500, 405, 403, 421, 415};
  ASSERT_EQ(sizeof want / sizeof want[0], (size_t)SRV_ECODE_COUNT);
  for (int c = 0; c < SRV_ECODE_COUNT; c++)
    EXPECT_EQ(want[c], srv_code_http_status((srv_code)c)) << c;
  EXPECT_EQ(500, srv_code_http_status((srv_code)-1));
}

TEST(Error, FR016_OnlyBusyAndUnavailableAreRetryLater) {
  for (int c = 0; c < SRV_ECODE_COUNT; c++) {
    EXPECT_EQ(c == SRV_EBUSY || c == SRV_EUNAVAIL, srv_code_is_retry_later((srv_code)c) != 0) << c;
  }
}

TEST(Error, JsonRpcCodes) {
  EXPECT_EQ(0, srv_code_jsonrpc(SRV_OK));
  EXPECT_EQ(-32602, srv_code_jsonrpc(SRV_EINVAL));
  EXPECT_EQ(-32001, srv_code_jsonrpc(SRV_EBUSY));
  EXPECT_EQ(-32603, srv_code_jsonrpc(SRV_EINTERNAL));
}

TEST(Error, SetFormatsAndTruncatesClearResets) {
  srv_err e;
  EXPECT_EQ(SRV_ENOTFOUND, srv_err_set(&e, SRV_ENOTFOUND, "no job %d", 42));
  EXPECT_EQ(SRV_ENOTFOUND, e.code);
  EXPECT_STREQ("no job 42", e.msg);
  std::string big(2000, 'x');
  srv_err_set(&e, SRV_EINVAL, "%s", big.c_str());
  EXPECT_EQ(sizeof e.msg - 1, std::string(e.msg).size());
  srv_err_clear(&e);
  EXPECT_EQ(SRV_OK, e.code);
  EXPECT_STREQ("", e.msg);
  EXPECT_EQ(SRV_EIO, srv_err_set(nullptr, SRV_EIO, "ignored"));
}
