/* mcp_http.h — MCP Streamable HTTP at /mcp (protocol 2025-06-18), with JSON responses only.
 *
 *   POST /mcp     one JSON-RPC message. initialize needs no session and, when it succeeds, issues
 *                 an Mcp-Session-Id (UUID) in the response header; every other message must carry
 *                 a live one (missing: 400; unknown or expired: 404, so the client re-initializes).
 *                 A request gets 200 with the JSON-RPC response; a notification or a response
 *                 gets 202 with an empty body. Malformed JSON: 400 with the -32700 error naming
 *                 the problem; not a valid JSON-RPC message: 400 with -32600.
 *   DELETE /mcp   ends the session named by Mcp-Session-Id (204; unknown: 404).
 *   GET /mcp      405 (no SSE stream is offered), as the router answers for a known path.
 * Every request (these and every other route) has passed the HTTP layer's Host / Origin /
 * Content-Type checks (guard.h: 421 / 403 / 415, DNS-rebinding protection); an MCP-Protocol-Version
 * header naming a version this server does not speak gets 400 (absent: 2025-03-26 is assumed, as
 * the specification says). Sessions are those of session.h. An unknown or expired session is
 * HTTP 404 with JSON-RPC error -32003 (SRV_RPC_SESSION_NOT_FOUND), never -32001, which means
 * "retry later". */
#ifndef SRV_MCP_HTTP_H
#define SRV_MCP_HTTP_H

#include "servers/common/error.h"
#include "servers/common/http.h"
#include "servers/common/mcp.h"
#include "servers/common/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the /mcp endpoint serves; borrowed, must outlive the HTTP server. */
typedef struct srv_mcp_endpoint {
  const srv_mcp *mcp;
  srv_sessions *sessions;
  void *user; /* copied into every srv_call */
  struct srv_pool *pool;
  struct srv_app *app;
} srv_mcp_endpoint;

/* Registers POST /mcp and DELETE /mcp on h (before srv_http_listen). */
srv_code srv_mcp_endpoint_mount(srv_http *h, srv_mcp_endpoint *ep, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_MCP_HTTP_H */
