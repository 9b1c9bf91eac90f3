/* http.h — the HTTP server of both MCP servers, on libmicrohttpd.
 *
 * MHD runs a pool of internal polling threads on epoll (MHD_USE_INTERNAL_POLLING_THREAD |
 * MHD_USE_EPOLL, MHD_OPTION_THREAD_POOL_SIZE) that only do network I/O and fast in-memory routes
 * (flag SRV_HTTP_INLINE: /health, /metrics, 404/405/413 answers). Every other handler runs on a
 * separate pool of worker threads while its connection is suspended, so a handler blocked on the
 * database never stalls /health. Per request: the body is accumulated up to a limit (over it:
 * 413 JSON), the route is matched by method and path (`{param}` segments captured; unknown path
 * 404, known path with another method 405 with Allow, both JSON {"error":{"code","message"}}),
 * every request first passes the browser-facing checks of guard.h (foreign Host 421, foreign
 * Origin 403, a non-JSON body 415; before routing, so unknown paths and /health included),
 * a request id is taken from X-Request-Id or generated (UUID) and echoed back in X-Request-Id,
 * a monotonic deadline (arrival + request timeout) is carried to the handler, and the finished
 * request goes through the middleware (request.h: one log line + metrics).
 * Shutdown (srv_http_stop): stop accepting (MHD_quiesce_daemon), let requests in flight finish
 * (bounded by a grace period), then stop MHD and the workers. */
#ifndef SRV_HTTP_H
#define SRV_HTTP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_http srv_http;

#define SRV_HTTP_MAX_PARAMS 8
#define SRV_HTTP_MAX_HEADERS 6

/* One request as a handler sees it. Valid during the handler call only. */
typedef struct srv_http_req {
  const char *method; /* "GET", "POST", ... */
  const char *path;   /* URL path without the query string */
  const char *body;   /* NUL-terminated copy of the body ("" when none) */
  size_t body_len;
  const char *request_id; /* echoed in X-Request-Id */
  int64_t start_us;       /* srv_mono_us() at arrival */
  int64_t deadline_ms;    /* srv_mono_ms() deadline */
  const char *route;      /* "POST /mcp" — the matched route's name */
  size_t n_params;        /* captured `{name}` segments, in pattern order */
  const char *param_names[SRV_HTTP_MAX_PARAMS];
  const char *param_values[SRV_HTTP_MAX_PARAMS]; /* percent-decoded */
  void *conn_;                                   /* internal (struct MHD_Connection *) */
} srv_http_req;

/* The answer a handler fills. Start state: status 0 (=> 500 if left), no body. */
typedef struct srv_http_resp {
  int status;
  char *body; /* malloc'd; the server frees it. NULL => empty body */
  size_t body_len;
  const char *content_type; /* static string; NULL => "application/json" */
  size_t n_headers;
  char header_names[SRV_HTTP_MAX_HEADERS][48];
  char header_values[SRV_HTTP_MAX_HEADERS][160];
  /* For the request's log line: */
  char operation[64]; /* "" => the route name */
  srv_code code;      /* SRV_OK unless the request failed */
  char message[512];  /* failure message or "" */
} srv_http_resp;

typedef void (*srv_http_fn)(void *ctx, const srv_http_req *req, srv_http_resp *resp);

enum { SRV_HTTP_INLINE = 1u << 0 /* handler is fast and memory-only: run it on the I/O thread */ };

typedef struct srv_http_opts {
  const char *bind_addr;      /* IPv4 or IPv6 literal; NULL => "127.0.0.1" */
  int port;                   /* 0 => any free port (see srv_http_port) */
  unsigned io_threads;        /* MHD thread pool size; 0 => 4 */
  unsigned workers;           /* handler worker threads; 0 => 64 */
  size_t max_body;            /* bytes; 0 => 1 MiB */
  int64_t request_timeout_ms; /* per-request deadline; 0 => 30000 */
  const char *allowed_hosts;  /* ALLOWED_HOSTS (guard.h), copied; NULL => loopback names only */
} srv_http_opts;

/* A new server (not yet listening). The caller owns *out (srv_http_free). SRV_EINTERNAL on
 * allocation failure; SRV_EINVAL for a bad TEST_REQUEST_DELAY_US.
 * TEST-ONLY: the environment variable TEST_REQUEST_DELAY_US (0-1000000 microseconds, unset or 0
 * by default = off) makes every request that goes to the worker pool (the database and tool
 * routes; not /health or /metrics) sleep that long before its handler runs. It exists so the
 * benchmarks can inject a known slowdown and prove the regression verdict catches it; a server
 * started with it logs a warning. Never set it outside tests. */
srv_code srv_http_new(const srv_http_opts *opts, srv_http **out, srv_err *err);

/* Adds route METHOD pattern -> fn(ctx, ...). pattern segments "{name}" match one non-empty path
 * segment and are captured. Must be called before srv_http_listen. SRV_EINVAL for a malformed
 * pattern or more than SRV_HTTP_MAX_PARAMS captures; SRV_ECONFLICT for a duplicate. */
srv_code srv_http_route(srv_http *h, const char *method, const char *pattern, srv_http_fn fn,
                        void *ctx, unsigned flags, srv_err *err);

/* Binds, listens and starts serving. SRV_ECONFLICT when the port is in use (EADDRINUSE; the
 * caller turns that into the port-conflict line), SRV_EIO for other socket or MHD failures (the
 * message names the address and errno). */
srv_code srv_http_listen(srv_http *h, srv_err *err);

/* The bound port (useful after port 0). */
int srv_http_port(const srv_http *h);

/* Requests currently being served (arrived, response not yet sent). */
int srv_http_in_flight(const srv_http *h);

/* Graceful stop: stop accepting, wait up to grace_ms for in-flight requests to be answered
 * (keep-alive connections are told to close), then stop. Returns the number of requests that
 * were still in flight when the grace period ran out (0 on a clean stop). Idempotent. */
int srv_http_stop(srv_http *h, int64_t grace_ms);

/* Stops (grace 0) if needed and frees. NULL is a no-op. */
void srv_http_free(srv_http *h);

/* ---- helpers for handlers ------------------------------------------------------------------- */

/* Writes a new random UUID v4 into out (a per-thread generator seeded from the kernel through
 * models/uuid.h; unique, not secret: fine for request and session ids, not for secrets).
 * Never fails. */
void srv_http_new_id(char out[37]);

/* A request header (case-insensitive name), or NULL. */
const char *srv_http_header(const srv_http_req *req, const char *name);

/* The captured path parameter name, or NULL. */
const char *srv_http_param(const srv_http_req *req, const char *name);

/* Adds a response header (name and value copied, truncated to the field sizes). Extra headers
 * beyond SRV_HTTP_MAX_HEADERS are dropped. */
void srv_http_resp_header(srv_http_resp *resp, const char *name, const char *value);

/* Sets status and body to the unformatted JSON of body (taken over and freed). */
void srv_http_resp_json(srv_http_resp *resp, int status, cJSON *body);

/* Sets the status of code (srv_code_http_status: the one translation) and
 * {"error":{"code": name, "message": message}} where name is code_name, or srv_strerror(code)
 * when code_name is NULL; records code and message for the log, and adds Retry-After: 1 when code
 * is a retry-later code (SRV_EBUSY, SRV_EUNAVAIL). */
void srv_http_resp_error(srv_http_resp *resp, srv_code code, const char *code_name,
                         const char *message);

/* srv_http_resp_error for a failed operation: the status of err->code, err's message, and
 * error.current_version when err carries one (a stale version's 409). */
void srv_http_resp_err(srv_http_resp *resp, const srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_HTTP_H */
