/* logscan.h — read a server's structured log (one JSON object per line, FR-013) back in a test.
 *
 * The resilience figures are measured from the servers' own event timestamps: rs_log_load()
 * parses every JSON line of a log file (other lines — libpq notices, a crash message — are
 * skipped), and rs_log_find() returns the first event with a given operation_name at or after a
 * wall-clock instant (Unix ms, the clock the test also reads with rs_wall_ms()). Not thread-safe
 * per object. */
#ifndef RS_LOGSCAN_H
#define RS_LOGSCAN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rs_event {
  int64_t wall_ms;            /* the line's "timestamp" as Unix ms */
  const char *operation_name; /* owned by the rs_log */
  const char *level;          /* "DEBUG" | "INFO" | "WARN" | "ERROR" */
  const char *message;
  const cJSON *line; /* the whole parsed line (context, error_details) */
} rs_event;

typedef struct rs_log {
  rs_event *ev; /* in file order */
  size_t n;
  cJSON **lines; /* parsed lines, owned */
} rs_log;

/* Wall clock, Unix ms. */
int64_t rs_wall_ms(void);

/* Parses the log file at path into *out (rs_log_free). TST_ESYS/TST_ENOTFOUND if it cannot be
 * read. Lines without a parseable "timestamp" or "operation_name" are skipped. */
int rs_log_load(const char *path, rs_log *out, tst_err *err);

/* First event named op (NULL: any) at or after since_wall_ms, searching from index *from when
 * from is non-NULL (updated to the index after the match). NULL when there is none. */
const rs_event *rs_log_find(const rs_log *log, const char *op, int64_t since_wall_ms, size_t *from);

/* Number of events named op in [since, until] (until < 0: no upper bound). */
size_t rs_log_count(const rs_log *log, const char *op, int64_t since_wall_ms,
                    int64_t until_wall_ms);

/* Number context.<key> of an event, or `dflt` when absent / not a number. */
double rs_event_ctx_num(const rs_event *e, const char *key, double dflt);

void rs_log_free(rs_log *log);

#ifdef __cplusplus
}
#endif

#endif /* RS_LOGSCAN_H */
