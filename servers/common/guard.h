/* guard.h — the browser-facing checks every HTTP request passes before any route runs.
 *
 * Both servers are local tools that share a machine with a web browser. A page on any site can
 * send requests to 127.0.0.1 (a `no-cors` fetch with a `text/plain` body needs no preflight), and
 * with DNS rebinding it can even read the answers. So the HTTP layer (http.c) refuses, for every
 * route — MCP, REST, /health and /metrics alike — and before the handler runs or the body is kept:
 *
 *   421 misdirected_request  a Host header that is not a loopback name (localhost, 127.0.0.1,
 *                            [::1], the bind address) or an ALLOWED_HOSTS entry, or whose port is
 *                            not the bound port (no port: only when bound to port 80). A request
 *                            with no Host at all (HTTP/1.0) passes: browsers always send one.
 *   403 forbidden_origin     an Origin header that is present and is not http(s):// + one of
 *                            those names (any port for the loopback names); "null" is refused.
 *   415 unsupported_media_type  a POST, PUT or PATCH that carries a body (Content-Length > 0 or
 *                            chunked) whose Content-Type is not application/json (parameters
 *                            such as charset are fine).
 * Plain clients (curl, Prometheus, wrk, libcurl) send Host 127.0.0.1:PORT or localhost:PORT and
 * no Origin, so they pass. ALLOWED_HOSTS (comma-separated names, each optionally with :PORT)
 * widens the Host and Origin checks for a reverse proxy or a remote bind; see
 * docs/operations/security.md. Pure functions, no state, safe from any thread. */
#ifndef SRV_GUARD_H
#define SRV_GUARD_H

#include <stddef.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the checks compare against. All strings borrowed. */
typedef struct srv_guard {
  int port;                  /* the bound port */
  const char *bind_addr;     /* the bound address literal (its own name is allowed unless it is a
                                wildcard such as 0.0.0.0 or ::); NULL => none */
  const char *allowed_hosts; /* ALLOWED_HOSTS: "name[:port],..." or NULL/"" */
} srv_guard;

/* 1 if a request's Host header value is acceptable (NULL: no header, accepted). */
int srv_guard_host_ok(const srv_guard *g, const char *host);

/* 1 if a request's Origin header value is acceptable (NULL: no header, accepted). g may be NULL
 * (loopback origins only). */
int srv_guard_origin_ok(const srv_guard *g, const char *origin);

/* 1 if a Content-Type header value names JSON (application/json, any parameters, any case). */
int srv_guard_json_type(const char *content_type);

/* 1 if addr is a loopback bind address: 127.0.0.0/8, ::1 or "localhost". */
int srv_guard_bind_is_loopback(const char *addr);

/* Fills a refusal for one request, or returns SRV_OK when it passes. method and the header values
 * may be NULL; has_body says whether a body was announced. On refusal returns the error code
 * (SRV_EMISDIRECTED, SRV_EFORBIDDEN or SRV_EMEDIATYPE: 421, 403, 415 through
 * srv_code_http_status) and writes the answer's error code name (static) to *code_name and a
 * message naming what was wrong and what to do into msg. */
srv_code srv_guard_check(const srv_guard *g, const char *method, const char *host,
                         const char *origin, const char *content_type, int has_body,
                         const char **code_name, char *msg, size_t msg_size);

#ifdef __cplusplus
}
#endif

#endif /* SRV_GUARD_H */
