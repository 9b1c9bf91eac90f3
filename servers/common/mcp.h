/* mcp.h — the Model Context Protocol (2025-06-18) method layer, shared by every transport.
 *
 * Takes one parsed JSON-RPC message and returns the response to send (or none). Methods:
 * initialize (version negotiation: 2025-06-18, 2025-03-26 and 2024-11-05 are accepted as asked;
 * any other requested version is answered with 2025-06-18), notifications/initialized (and any
 * other notification: accepted, no reply), ping, tools/list, tools/call. Tool failures are
 * results with isError: true; protocol failures (unknown method -32601, bad params or arguments
 * that break the tool's inputSchema -32602, unknown tool -32602, internal -32603) are JSON-RPC
 * errors, and so is a tool call the server could not run for now (pool exhausted, database
 * unreachable: -32001, which the HTTP transport answers with 503 and Retry-After). A tool that declares an outputSchema also returns structuredContent. The layer keeps no
 * per-connection state: the session layer (session.c) and stdio loop (stdio.c) own that. */
#ifndef SRV_MCP_H
#define SRV_MCP_H

#include <cjson/cJSON.h>

#include "servers/common/jsonrpc.h"
#include "servers/common/tool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRV_MCP_LATEST_VERSION "2025-06-18"

/* The server identity and tools behind the protocol. Borrowed pointers; must outlive its use. */
typedef struct srv_mcp {
  const char *name;    /* serverInfo.name, e.g. "codebase-mcp" */
  const char *version; /* serverInfo.version, e.g. "0.1.0" */
  const srv_tools *tools;
  const char *instructions; /* optional InitializeResult.instructions, or NULL */
} srv_mcp;

/* What the transport learns from handling one message. */
typedef struct srv_mcp_outcome {
  srv_rpc_kind kind;  /* 0 when the message could not be classified */
  char method[64];    /* the JSON-RPC method ("" for a response / invalid message) */
  char operation[64]; /* for logs: the tool name for tools/call, else the method */
  char version[16];   /* initialize only: the negotiated protocol version */
  int initialize_ok;  /* 1 when an initialize request succeeded */
  int rpc_error;      /* the JSON-RPC error code answered, 0 for a result */
  srv_code code;      /* SRV_OK, or the failure (tool error or protocol error) */
  char message[512];  /* failure message for the log, "" on success */
} srv_mcp_outcome;

/* 1 if v is one of the versions this server speaks (the three above). */
int srv_mcp_version_supported(const char *v);

/* Handles one message (already parsed; msg may be any JSON value). call carries request id,
 * deadline, user and pool for tools/call (its tool_name/http_status are overwritten). Returns the
 * response to send (a new object the caller owns), or NULL when nothing must be sent
 * (notifications, client responses). NULL can also mean out of memory, reported in out->code as
 * SRV_EINTERNAL. out must be non-NULL. */
cJSON *srv_mcp_handle(const srv_mcp *m, const cJSON *msg, srv_call *call, srv_mcp_outcome *out);

/* Handles one message as text: a parse error yields the -32700 response (id null) whose message
 * names the problem; otherwise srv_mcp_handle. Returns the response or NULL as above. */
cJSON *srv_mcp_handle_text(const srv_mcp *m, const char *text, size_t len, srv_call *call,
                           srv_mcp_outcome *out);

#ifdef __cplusplus
}
#endif

#endif /* SRV_MCP_H */
