/* session.h — MCP Streamable HTTP at /mcp (protocol 2025-06-18), with JSON responses only.
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
 * the specification says). Sessions expire after an idle period; the table is bounded and, when
 * full, evicts the oldest session never used since its initialize (so an initialize flood cannot
 * push out sessions clients are using), and only if there is none the least recently used one.
 * An unknown or expired session is HTTP 404 with JSON-RPC error -32003 (SRV_RPC_SESSION_NOT_FOUND),
 * never -32001, which means "retry later". */
#ifndef SRV_SESSION_H
#define SRV_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "servers/common/error.h"
#include "servers/common/http.h"
#include "servers/common/mcp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_sessions srv_sessions;

/* A session table holding at most capacity sessions (0 => 10000), each expiring idle_ms after its
 * last use (0 => one hour). The caller owns *out (srv_sessions_free). */
srv_code srv_sessions_new(size_t capacity, int64_t idle_ms, srv_sessions **out, srv_err *err);

void srv_sessions_free(srv_sessions *s);

/* Creates a session for protocol version (copied) and writes its id into id. Never fails but for
 * memory (SRV_EINTERNAL). */
srv_code srv_session_create(srv_sessions *s, const char *version, char id[37], srv_err *err);

/* 1 if id names a live session (its idle timer restarts and it counts as in use from now on), 0
 * otherwise (an expired one is removed). */
int srv_session_touch(srv_sessions *s, const char *id);

/* srv_session_touch for a message that is not a use (a notification): the idle timer restarts,
 * a never-used session stays never-used. Same result. */
int srv_session_seen(srv_sessions *s, const char *id);

/* Ends session id. 1 if it existed, 0 otherwise. */
int srv_session_end(srv_sessions *s, const char *id);

/* Live sessions (expired ones not yet swept may be counted). */
size_t srv_sessions_count(srv_sessions *s);

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

#endif /* SRV_SESSION_H */
