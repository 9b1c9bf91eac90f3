/* mcp.h — a minimal MCP client over Streamable HTTP (POST <base>/mcp) for tests.
 *
 * tst_mcp_open() sends `initialize` (protocol 2025-06-18) and `notifications/initialized`,
 * keeping the Mcp-Session-Id the server returns; tst_mcp_call_tool() sends `tools/call`.
 * Responses may be application/json or a text/event-stream carrying one JSON-RPC message. */
#ifndef TST_MCP_H
#define TST_MCP_H

#include <cjson/cJSON.h>

#include "testing/error.h"
#include "testing/http.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_mcp {
  char url[512];        /* <base>/mcp */
  char session_id[256]; /* "" if the server uses none */
  long next_id;
  long timeout_ms;
} tst_mcp;

/* Initializes a session with the server at base_url ("http://127.0.0.1:PORT"). TST_EHTTP /
 * TST_ETIMEOUT on transport failure, TST_EPROTO if the answer is not a JSON-RPC result. */
int tst_mcp_open(tst_mcp *m, const char *base_url, long timeout_ms, tst_err *err);

/* Sends any JSON-RPC request `method` with params (JSON text, NULL: none). On a JSON-RPC result,
 * *result gets it (new cJSON, caller frees). On a JSON-RPC error: TST_EPROTO, *rpc_code (optional)
 * gets error.code and err the message; *result is NULL. */
int tst_mcp_request(tst_mcp *m, const char *method, const char *params_json, cJSON **result,
                    int *rpc_code, tst_err *err);

/* tools/call of `tool` with arguments (JSON object text, NULL: {}). *result gets the JSON-RPC
 * result ({content, structuredContent?, isError?}); caller frees. A tool error (isError true) is
 * not a failure of this call: check tst_mcp_is_error(*result). */
int tst_mcp_call_tool(tst_mcp *m, const char *tool, const char *args_json, cJSON **result,
                      tst_err *err);

/* One-shot: open a session on base_url and call `tool`. Same contract as tst_mcp_call_tool. */
int tst_mcp_call(const char *base_url, const char *tool, const char *args_json, long timeout_ms,
                 cJSON **result, tst_err *err);

/* 1 if a tools/call result has "isError": true. */
int tst_mcp_is_error(const cJSON *result);

/* The JSON-RPC message of an HTTP response to POST /mcp: a copy of the JSON body, or the last SSE
 * "data:" event holding a result or an error. New cJSON (caller frees) or NULL. */
cJSON *tst_mcp_response_message(const tst_http_resp *r);

/* The tool's data: a copy of result.structuredContent, else content[0].text parsed as JSON,
 * else NULL. Caller frees. */
cJSON *tst_mcp_tool_data(const cJSON *result);

#ifdef __cplusplus
}
#endif

#endif /* TST_MCP_H */
