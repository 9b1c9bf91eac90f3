// Proves issue 4 item 2 without a transport: MCP initialize with version negotiation, ping,
// tools/list, tools/call with isError results and structuredContent, and every JSON-RPC error
// path (-32700, -32600, -32601, -32602, -32603), plus the tool registry's start-up checks.
#include "servers/common/mcp.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

srv_code Echo(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  *out = cJSON_CreateObject();
  cJSON_AddStringToObject(*out, "text",
                          cJSON_GetObjectItemCaseSensitive(args, "text")->valuestring);
  return SRV_OK;
}
srv_code Fails(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  return srv_err_set(err, SRV_ENOTFOUND, "no such thing as %s", "x");
}
srv_code Liar(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  *out = cJSON_CreateObject();
  cJSON_AddNumberToObject(*out, "text", 5);  // breaks its own outputSchema
  return SRV_OK;
}

const srv_tool kTools[] = {
    {"echo", "echo",
     R"({"type":"object","properties":{"text":{"type":"string"},"limit":{"type":"integer","maximum":50}},"required":["text"]})",
     R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})", Echo,
     SRV_TOOL_READONLY},
    {"fails", "fails", R"({"type":"object"})", nullptr, Fails, 0},
    {"liar", "liar", R"({"type":"object"})",
     R"({"type":"object","properties":{"text":{"type":"string"}}})", Liar, 0},
};

class Mcp : public ::testing::Test {
 protected:
  void SetUp() override {
    srv_err err;
    ASSERT_EQ(srv_tools_new(kTools, 3, &tools_, &err), SRV_OK) << err.msg;
    m_.name = "test-server";
    m_.version = "1.2.3";
    m_.tools = tools_;
    m_.instructions = nullptr;
  }
  void TearDown() override {
    srv_tools_free(tools_);
    cJSON_Delete(last_);
  }
  // Handles text and returns the response (owned by the fixture), or nullptr.
  const cJSON *Send(const char *text) {
    srv_call call;
    memset(&call, 0, sizeof call);
    call.request_id = "rid";
    cJSON_Delete(last_);
    last_ = srv_mcp_handle_text(&m_, text, strlen(text), &call, &oc_);
    return last_;
  }
  int ErrorCode() {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(last_, "error");
    return e ? (int)cJSON_GetObjectItemCaseSensitive(e, "code")->valuedouble : 0;
  }
  std::string ErrorMessage() {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(last_, "error");
    return e ? cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring : "";
  }
  const cJSON *Result() {
    return cJSON_GetObjectItemCaseSensitive(last_, "result");
  }
  srv_tools *tools_ = nullptr;
  srv_mcp m_;
  srv_mcp_outcome oc_;
  cJSON *last_ = nullptr;
};

TEST_F(Mcp, InitializeNegotiatesVersion) {
  Send(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"c","version":"1"}}})");
  ASSERT_NE(Result(), nullptr);
  EXPECT_STREQ(cJSON_GetObjectItem(Result(), "protocolVersion")->valuestring, "2024-11-05");
  EXPECT_EQ(oc_.initialize_ok, 1);
  EXPECT_STREQ(oc_.version, "2024-11-05");
  const cJSON *info = cJSON_GetObjectItem(Result(), "serverInfo");
  EXPECT_STREQ(cJSON_GetObjectItem(info, "name")->valuestring, "test-server");
  EXPECT_STREQ(cJSON_GetObjectItem(info, "version")->valuestring, "1.2.3");
  const cJSON *tools = cJSON_GetObjectItem(cJSON_GetObjectItem(Result(), "capabilities"), "tools");
  EXPECT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(tools, "listChanged")));
  // A newer version than we know (what the TypeScript SDK sends) gets 2025-06-18.
  Send(
      R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2099-01-01"}})");
  EXPECT_STREQ(cJSON_GetObjectItem(Result(), "protocolVersion")->valuestring, "2025-06-18");
  Send(
      R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})");
  EXPECT_STREQ(cJSON_GetObjectItem(Result(), "protocolVersion")->valuestring, "2025-03-26");
}

TEST_F(Mcp, NotificationsAndResponsesGetNoReply) {
  EXPECT_EQ(Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"), nullptr);
  EXPECT_EQ(oc_.kind, SRV_RPC_NOTIFICATION);
  EXPECT_EQ(Send(R"({"jsonrpc":"2.0","method":"notifications/whatever"})"), nullptr);
  EXPECT_EQ(Send(R"({"jsonrpc":"2.0","id":9,"result":{}})"), nullptr);
  EXPECT_EQ(oc_.kind, SRV_RPC_RESPONSE);
}

TEST_F(Mcp, PingAndToolsList) {
  Send(R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
  ASSERT_NE(Result(), nullptr);
  EXPECT_EQ(cJSON_GetArraySize(Result()), 0);
  EXPECT_STREQ(cJSON_GetObjectItem(last_, "id")->valuestring, "p");
  Send(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  const cJSON *tools = cJSON_GetObjectItem(Result(), "tools");
  ASSERT_EQ(cJSON_GetArraySize(tools), 3);
  const cJSON *echo = cJSON_GetArrayItem(tools, 0);
  EXPECT_STREQ(cJSON_GetObjectItem(echo, "name")->valuestring, "echo");
  EXPECT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(echo, "inputSchema")));
  EXPECT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(echo, "outputSchema")));
  EXPECT_TRUE(
      cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(echo, "annotations"), "readOnlyHint")));
  EXPECT_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(tools, 1), "outputSchema"), nullptr);
}

TEST_F(Mcp, ToolsCallReturnsContentAndStructuredContent) {
  Send(
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})");
  ASSERT_NE(Result(), nullptr) << cJSON_PrintUnformatted(last_);
  EXPECT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(Result(), "isError")));
  const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(Result(), "content"), 0);
  EXPECT_STREQ(cJSON_GetObjectItem(c0, "type")->valuestring, "text");
  EXPECT_STREQ(cJSON_GetObjectItem(c0, "text")->valuestring, R"({"text":"hi"})");
  EXPECT_STREQ(
      cJSON_GetObjectItem(cJSON_GetObjectItem(Result(), "structuredContent"), "text")->valuestring,
      "hi");
  EXPECT_STREQ(oc_.operation, "echo");
}

TEST_F(Mcp, ToolFailureIsAResultWithIsError) {
  Send(
      R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"fails","arguments":{}}})");
  ASSERT_NE(Result(), nullptr);
  EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(Result(), "isError")));
  const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(Result(), "content"), 0);
  EXPECT_NE(std::string(cJSON_GetObjectItem(c0, "text")->valuestring).find("no such thing as x"),
            std::string::npos);
  EXPECT_EQ(oc_.code, SRV_ENOTFOUND);
  // Output that breaks the declared outputSchema is the server's bug: isError, internal.
  Send(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"liar"}})");
  EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(Result(), "isError")));
  EXPECT_EQ(oc_.code, SRV_EINTERNAL);
}

TEST_F(Mcp, JsonRpcErrorPaths) {
  Send(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"a","limit":500}}})");
  EXPECT_EQ(ErrorCode(), -32602);
  EXPECT_EQ(ErrorMessage(), "arguments.limit must be <= 50 (got 500)");
  Send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{}}})");
  EXPECT_EQ(ErrorCode(), -32602);
  EXPECT_EQ(ErrorMessage(), "arguments.text is required");
  Send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})");
  EXPECT_EQ(ErrorCode(), -32602);
  EXPECT_EQ(ErrorMessage(), "unknown tool: nope (see tools/list)");
  Send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}})");
  EXPECT_EQ(ErrorCode(), -32602);
  Send(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":[1]}})");
  EXPECT_EQ(ErrorCode(), -32602);
  Send(R"({"jsonrpc":"2.0","id":1,"method":"resources/list"})");
  EXPECT_EQ(ErrorCode(), -32601);
  EXPECT_EQ(ErrorMessage(), "method not found: resources/list");
  Send(R"({"jsonrpc":"2.0","id":1,"method":"ping",)");
  EXPECT_EQ(ErrorCode(), -32700);
  EXPECT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(last_, "id")));
  Send(R"({"id":1,"method":"ping"})");
  EXPECT_EQ(ErrorCode(), -32600);
  EXPECT_EQ(cJSON_GetObjectItem(last_, "id")->valuedouble, 1);
  Send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(ErrorCode(), -32600);
}

TEST(ToolRegistry, BadDeclarationsFailAtStartNamingTheTool) {
  srv_tools *t = nullptr;
  srv_err err;
  srv_tool dup[] = {kTools[0], kTools[0]};
  EXPECT_EQ(srv_tools_new(dup, 2, &t, &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "tool echo is declared twice");
  srv_tool bad = {"bad",   "d",  R"({"type":"object","properties":{"n":{"type":"integr"}}})",
                  nullptr, Echo, 0};
  EXPECT_EQ(srv_tools_new(&bad, 1, &t, &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "tool bad: schema inputSchema.n.type \"integr\" is not a JSON Schema type");
  srv_tool notjson = {"nj", "d", "{", nullptr, Echo, 0};
  EXPECT_EQ(srv_tools_new(&notjson, 1, &t, &err), SRV_EINVAL);
  EXPECT_STREQ(err.msg, "tool nj: inputSchema is not valid JSON");
  srv_tool name = {"Bad-Name", "d", R"({"type":"object"})", nullptr, Echo, 0};
  EXPECT_EQ(srv_tools_new(&name, 1, &t, &err), SRV_EINVAL);
  EXPECT_EQ(t, nullptr);
}

}  // namespace
