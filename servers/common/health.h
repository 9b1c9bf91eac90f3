/* health.h — the /health answer (HealthCheckResponse of SPEC.md) from in-memory state only.
 *
 * Never touches the database: the pool's background ping keeps db_connected and last_ping_ms
 * fresh, so /health answers in microseconds and never queues behind a busy pool.
 * Status rules (SPEC.md):
 *   unhealthy  database unreachable, or pool utilisation (in_use / max) > 95%  => HTTP 503
 *   degraded   last ping 50–500 ms (or more), or utilisation 80–95%, or callers waiting => 200
 *   healthy    ping < 50 ms and utilisation < 80%                              => 200 */
#ifndef SRV_HEALTH_H
#define SRV_HEALTH_H

#include <cjson/cJSON.h>

#include "servers/common/error.h"
#include "servers/common/pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum srv_health_status {
  SRV_HEALTHY = 0,
  SRV_DEGRADED = 1,
  SRV_UNHEALTHY = 2
} srv_health_status;

/* The status the rules above give for these stats. */
srv_health_status srv_health_evaluate(const srv_pool_stats *st);

/* "healthy" / "degraded" / "unhealthy". */
const char *srv_health_status_name(srv_health_status s);

/* Builds the HealthCheckResponse for stats st:
 *   {status, timestamp, database_status (connected|degraded|disconnected),
 *    connection_pool {size, min_size, max_size, free, utilization_percent}, uptime_seconds,
 *    details {last_ping_ms, in_use, waiting, pool_exhaustion_percent, reason, ...}}
 * where connection_pool.utilization_percent = (size - free) / size * 100 (SPEC.md; 0 when size
 * is 0) and the status uses in_use / max. *out is a new object the caller owns; *http_status is
 * 200 or 503. SRV_EINTERNAL only on allocation failure. */
srv_code srv_health_from_stats(const srv_pool_stats *st, double uptime_s, cJSON **out,
                               int *http_status, srv_err *err);

/* srv_health_from_stats on srv_pool_stats_get(pool). */
srv_code srv_health_render(const srv_pool *pool, double uptime_s, cJSON **out, int *http_status,
                           srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_HEALTH_H */
