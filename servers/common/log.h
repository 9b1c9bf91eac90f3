/* log.h — the process-wide structured logger: one JSON object per line (FR-013).
 *
 * Every line carries: timestamp (ISO 8601 UTC, ms), level (DEBUG/INFO/WARN/ERROR), request_id (a
 * UUID; a fresh one is generated for events that have none), operation_name, latency_ms, outcome
 * ("success" | "failure"), server_id, message, and optionally error_details and context (objects).
 * Lines go to the configured file (opened O_APPEND) and/or stderr — never stdout, which belongs to
 * the stdio transport. Each line is written with one write(2) per destination, so concurrent
 * writers (threads or processes appending to one file) never interleave within a line.
 *
 * Before srv_log_init (or after srv_log_shutdown) lines go to stderr with server_id "unknown" and
 * minimum level INFO. srv_log_init/shutdown may be called again (tests do); logging concurrently
 * with them is safe (a read-write lock guards the destinations). */
#ifndef SRV_LOG_H
#define SRV_LOG_H

#include <cjson/cJSON.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum srv_log_level {
  SRV_LOG_DEBUG = 0,
  SRV_LOG_INFO = 1,
  SRV_LOG_WARN = 2,
  SRV_LOG_ERROR = 3
} srv_log_level;

/* Operations slower than this are logged at WARN by srv_log_request. */
#define SRV_LOG_SLOW_MS 1000.0

typedef struct srv_log_config {
  const char *server_id; /* e.g. "codebase-mcp"; copied; NULL => "unknown" */
  const char *file_path; /* append to this file (created 0644); NULL or "" => no file */
  int also_stderr;       /* also write to stderr (forced on when there is no file) */
  srv_log_level min_level;
} srv_log_config;

/* Configures the logger. Fails with SRV_EIO (message names the path and errno) if the file cannot
 * be opened; the previous configuration then stays in force. */
srv_code srv_log_init(const srv_log_config *cfg, srv_err *err);

/* Closes the file and returns to the pre-init defaults. */
void srv_log_shutdown(void);

/* "DEBUG", "INFO", "WARN", "ERROR". */
const char *srv_log_level_name(srv_log_level level);

/* Parses a level name (case-insensitive; "warning" accepted). Returns 0 on success, -1 if unknown. */
int srv_log_parse_level(const char *s, srv_log_level *out);

/* True if a line at this level would be written (cheap; lets callers skip building context). */
int srv_log_enabled(srv_log_level level);

/* Writes one line. request_id NULL => a new UUID; operation NULL => "event"; outcome NULL =>
 * "success"; latency_ms < 0 => 0. context / error_details (may be NULL) are copied, the caller
 * keeps ownership. The message is printf-formatted. Never fails (a failed write is dropped). */
void srv_log(srv_log_level level, const char *request_id, const char *operation,
             const char *outcome, double latency_ms, const cJSON *context,
             const cJSON *error_details, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* An event without a request (db_connection_lost, pool_utilization_high, startup, ...):
 * new request id, latency 0, outcome "success" for DEBUG/INFO and "failure" for WARN/ERROR. */
void srv_log_event(srv_log_level level, const char *operation, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a context object (copied; may be NULL). */
void srv_log_event_ctx(srv_log_level level, const char *operation, const cJSON *context,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The one line every request logs (used by the request middleware). outcome is "success" iff
 * code == SRV_OK. Level: ERROR for SRV_EINTERNAL / SRV_EIO, WARN for retry-later and timeout
 * codes, INFO otherwise — and at least WARN when latency_ms > SRV_LOG_SLOW_MS, in which case the
 * context gains "slow_operation": true and "slow_threshold_ms": 1000. When code != SRV_OK and
 * error_details is NULL, error_details becomes {"code": srv_strerror(code), "message": message}.
 * message may be NULL ("<operation> ok" / "<operation> failed: <code>"). */
void srv_log_request(const char *request_id, const char *operation, srv_code code,
                     double latency_ms, const cJSON *context, const cJSON *error_details,
                     const char *message);

#ifdef __cplusplus
}
#endif

#endif /* SRV_LOG_H */
