/* request.h — the request middleware: every request (HTTP or stdio message) ends here, producing
 * one JSON log line (log.h: request id, operation, latency, outcome; WARN over 1 s) and updating
 * the metrics (metrics.h): per-route and per-tool request and error counters and latency
 * histograms.
 *
 * Series (names get the registry prefix, e.g. codebase_mcp_):
 *   http_requests_total{route}, http_request_errors_total{route},
 *   http_request_duration_seconds{route}, tool_calls_total{tool}, tool_errors_total{tool},
 *   tool_duration_seconds{tool}, request_errors_total{type}
 * where route is "METHOD /pattern" (e.g. "POST /mcp/{tool}" is never used: each tool has its own
 * route), an error of a route or tool is any response with status >= 500 or a tool result that is
 * not SRV_OK, and request_errors_total counts every request that ends with a code other than
 * SRV_OK (a 4xx included) by type = srv_strerror(code): invalid_argument, not_found, conflict,
 * pool_exhausted, database_unavailable, timeout, payload_too_large, io_error, internal_error.
 * Handles are registered once at start-up (srv_request_init, srv_request_op /
 * srv_request_add_tool) so the hot path does no string lookup except a scan over the handful of
 * tool names.
 *
 * Process-wide state: srv_request_init binds one metrics registry; before it (unit tests) metrics
 * are off and only the log line is written. */
#ifndef SRV_REQUEST_H
#define SRV_REQUEST_H

#include <stdint.h>

#include "servers/common/error.h"
#include "servers/common/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The metric handles of one route (opaque). */
typedef struct srv_op_metrics srv_op_metrics;

/* Binds the middleware to registry m (may be NULL: metrics off). Not thread-safe with requests in
 * flight: call at start-up. The registry must outlive srv_request_shutdown. */
void srv_request_init(srv_metrics *m);

/* Forgets every handle (they belong to the registry) and unbinds it. */
void srv_request_shutdown(void);

/* The handles of route ("POST /mcp"); registered on first use. Returns NULL when metrics are off
 * or registration failed (logged once); NULL handles are accepted everywhere. */
srv_op_metrics *srv_request_op(const char *route);

/* Registers the series of tool name. Returns 0, or -1 when metrics are off or registration
 * failed. */
int srv_request_add_tool(const char *name);

/* What one finished request reports. */
typedef struct srv_request_done {
  const char *request_id; /* never NULL */
  const char *operation;  /* tool name, or the route ("GET /health"), or the JSON-RPC method */
  const char *method;     /* HTTP method or NULL (stdio) */
  const char *path;       /* HTTP path or NULL */
  const char *transport;  /* "http", "mcp", "stdio" */
  int status;             /* HTTP status (stdio: 200 for a result, 400/500 style for errors) */
  srv_code code;          /* SRV_OK unless the request failed */
  const char *message;    /* error message (may be NULL) */
  int64_t latency_us;
} srv_request_done;

/* Logs the request's one line and updates route metrics op (may be NULL). Thread-safe. */
void srv_request_observe(srv_op_metrics *op, const srv_request_done *d);

/* Updates the per-tool series for one tool invocation (called by srv_tools_invoke). Thread-safe;
 * no log line (the request's line names the tool). */
void srv_observe_tool(const char *tool, srv_code code, int64_t latency_us);

#ifdef __cplusplus
}
#endif

#endif /* SRV_REQUEST_H */
