/* jsonrpc.h — JSON-RPC 2.0 messages: classification of incoming messages and construction of
 * responses and error objects.
 *
 * Transport-free: the same functions serve Streamable HTTP (session.c) and stdio (stdio.c).
 * Batches (a top-level array) are rejected with -32600: MCP 2025-06-18 removed batching, and a
 * single shape keeps every transport simple. Thread-safe: no state. */
#ifndef SRV_JSONRPC_H
#define SRV_JSONRPC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  SRV_RPC_PARSE_ERROR = -32700,
  SRV_RPC_INVALID_REQUEST = -32600,
  SRV_RPC_METHOD_NOT_FOUND = -32601,
  SRV_RPC_INVALID_PARAMS = -32602,
  SRV_RPC_INTERNAL_ERROR = -32603,
  /* Server-defined (-32000..-32099): -32001 is "retry later" and -32002 "timed out"
   * (srv_code_jsonrpc); -32003 is an unknown or expired Mcp-Session-Id (HTTP 404: initialize
   * again; retrying the same request cannot help). */
  SRV_RPC_SESSION_NOT_FOUND = -32003
};

typedef enum srv_rpc_kind {
  SRV_RPC_REQUEST = 1,      /* method + id: needs a response */
  SRV_RPC_NOTIFICATION = 2, /* method, no id: never answered */
  SRV_RPC_RESPONSE = 3      /* result or error + id: sent by a client in reply to us; ignored */
} srv_rpc_kind;

/* One classified message. All pointers are borrowed from the cJSON tree passed in. */
typedef struct srv_rpc_msg {
  srv_rpc_kind kind;
  const char *method;  /* NULL for a response */
  const cJSON *id;     /* string or number; NULL for a notification */
  const cJSON *params; /* object or array, or NULL when absent */
} srv_rpc_msg;

/* Parses text (len bytes, need not be NUL-terminated) into *root. On malformed JSON returns
 * SRV_EINVAL with a message naming the byte offset and what was found there ("invalid JSON at
 * byte 12 near '}'"); *root is then NULL. The caller owns *root (cJSON_Delete). */
srv_code srv_rpc_parse(const char *text, size_t len, cJSON **root, srv_err *err);

/* Classifies a parsed message. On a malformed message returns SRV_EINVAL, sets *rpc_code to
 * SRV_RPC_INVALID_REQUEST and err->msg to what is wrong ("jsonrpc must be \"2.0\""); out->id is
 * then still set when the message carried a usable id, so the error response can echo it. */
srv_code srv_rpc_classify(const cJSON *msg, srv_rpc_msg *out, int *rpc_code, srv_err *err);

/* Builds {"jsonrpc":"2.0","id":<copy of id>,"result":result}. Takes ownership of result (NULL
 * becomes {}). Returns NULL only when memory runs out. */
cJSON *srv_rpc_result(const cJSON *id, cJSON *result);

/* Builds {"jsonrpc":"2.0","id":<copy of id or null>,"error":{"code","message"[,"data"]}}.
 * Takes ownership of data (may be NULL). Returns NULL only when memory runs out. */
cJSON *srv_rpc_error(const cJSON *id, int code, const char *message, cJSON *data);

#ifdef __cplusplus
}
#endif

#endif /* SRV_JSONRPC_H */
