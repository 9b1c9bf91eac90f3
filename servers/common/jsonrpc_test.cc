// Proves issue 4 item 2: JSON-RPC 2.0 classification and error objects (parse error, invalid
// request), and 400-worthy malformed JSON messages that name the problem.
#include "servers/common/jsonrpc.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

TEST(JsonRpc, ParseErrorNamesOffsetAndText) {
  cJSON *root = nullptr;
  srv_err err;
  const char *bad = "{\"a\": 1,, }";
  EXPECT_EQ(srv_rpc_parse(bad, strlen(bad), &root, &err), SRV_EINVAL);
  EXPECT_EQ(root, nullptr);
  EXPECT_STREQ(err.msg, "invalid JSON at byte 9 near ' }'");
  const char *cut = "{\"a\": ";
  EXPECT_EQ(srv_rpc_parse(cut, strlen(cut), &root, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("unexpected end of input"), std::string::npos) << err.msg;
  EXPECT_EQ(srv_rpc_parse("  ", 2, &root, &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "empty body: expected JSON");
  EXPECT_EQ(srv_rpc_parse("{} x", 4, &root, &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "invalid JSON: unexpected data after the value at byte 3");
  EXPECT_EQ(srv_rpc_parse("{} \n", 4, &root, &err), SRV_OK);
  cJSON_Delete(root);
}

struct Classified {
  srv_code rc;
  srv_rpc_msg msg;
  int rpc;
  std::string why;
  cJSON *root;
  explicit Classified(const char *text) {
    root = cJSON_Parse(text);
    srv_err err;
    srv_err_clear(&err);
    rc = srv_rpc_classify(root, &msg, &rpc, &err);
    why = err.msg;
  }
  ~Classified() {
    cJSON_Delete(root);
  }
};

TEST(JsonRpc, ClassifiesRequestNotificationResponse) {
  Classified a(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  EXPECT_EQ(a.rc, SRV_OK);
  EXPECT_EQ(a.msg.kind, SRV_RPC_REQUEST);
  EXPECT_STREQ(a.msg.method, "ping");
  EXPECT_EQ(a.msg.id->valuedouble, 7);
  Classified b(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(b.msg.kind, SRV_RPC_NOTIFICATION);
  Classified c(R"({"jsonrpc":"2.0","id":"x","result":{}})");
  EXPECT_EQ(c.msg.kind, SRV_RPC_RESPONSE);
}

TEST(JsonRpc, InvalidRequestsAreMinus32600WithReason) {
  Classified v(R"({"jsonrpc":"1.0","id":1,"method":"ping"})");
  EXPECT_EQ(v.rc, SRV_EINVAL);
  EXPECT_EQ(v.rpc, SRV_RPC_INVALID_REQUEST);
  EXPECT_EQ(v.why, "jsonrpc must be \"2.0\"");
  ASSERT_NE(v.msg.id, nullptr);  // the id survives so the error can echo it
  Classified m(R"({"jsonrpc":"2.0","id":1,"method":5})");
  EXPECT_EQ(m.why, "method must be a non-empty string");
  Classified p(R"({"jsonrpc":"2.0","id":1,"method":"x","params":3})");
  EXPECT_EQ(p.why, "params must be an object or an array");
  Classified i(R"({"jsonrpc":"2.0","id":{},"method":"x"})");
  EXPECT_EQ(i.why, "id must be a string or a number");
  Classified batch(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(batch.rpc, SRV_RPC_INVALID_REQUEST);
  Classified scalar("3");
  EXPECT_EQ(scalar.why, "a JSON-RPC message must be an object");
}

TEST(JsonRpc, ErrorAndResultObjects) {
  cJSON *id = cJSON_CreateString("abc");
  cJSON *e = srv_rpc_error(id, SRV_RPC_METHOD_NOT_FOUND, "method not found: x", nullptr);
  char *text = cJSON_PrintUnformatted(e);
  EXPECT_STREQ(
      text,
      R"({"jsonrpc":"2.0","id":"abc","error":{"code":-32601,"message":"method not found: x"}})");
  free(text);
  cJSON_Delete(e);
  cJSON *r = srv_rpc_result(id, nullptr);
  text = cJSON_PrintUnformatted(r);
  EXPECT_STREQ(text, R"({"jsonrpc":"2.0","id":"abc","result":{}})");
  free(text);
  cJSON_Delete(r);
  cJSON *n = srv_rpc_error(nullptr, SRV_RPC_PARSE_ERROR, "bad", nullptr);
  text = cJSON_PrintUnformatted(n);
  EXPECT_STREQ(text, R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})");
  free(text);
  cJSON_Delete(n);
  cJSON_Delete(id);
}

}  // namespace
