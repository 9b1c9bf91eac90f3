/* session.h — the MCP session table behind Mcp-Session-Id (the /mcp endpoint is mcp_http.h).
 *
 * Sessions expire after an idle period; the table is bounded and, when full, evicts the oldest
 * session never used since its initialize (so an initialize flood cannot push out sessions
 * clients are using), and only if there is none the least recently used one. Thread-safe. */
#ifndef SRV_SESSION_H
#define SRV_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "servers/common/error.h"

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

#ifdef __cplusplus
}
#endif

#endif /* SRV_SESSION_H */
