/* health_response.h — HealthCheckResponse and ConnectionPoolStats: what GET /health returns (US5).
 *
 * JSON (keys in this order when serialised):
 *   status ("healthy" | "degraded" | "unhealthy"), timestamp (ISO 8601 UTC),
 *   database_status ("connected" | "disconnected" | "degraded"),
 *   connection_pool {size, min_size, max_size, free (integers), utilization_percent (derived)},
 *   uptime_seconds (number >= 0), details (object of string -> string; optional; written only when
 *   it has entries).
 * Pool rules: size >= 0, min_size >= 0, free >= 0, max_size >= 1, free <= size,
 *   min_size <= max_size, and when database_status is "connected": min_size <= size <= max_size.
 *   utilization_percent = (size - free) / size * 100 (0 when size is 0), two decimals; always
 * written; optional on input and, when present, must equal the derived value at two decimals.
 * Status rule: database_status "disconnected" => status "unhealthy".
 * The thresholds of SPEC.md (healthy: ping < 50 ms and pool < 80%; degraded: ping 50-500 ms or pool
 * 80-95% or slow queries; unhealthy: DB unreachable or pool > 95%) live in mdl_health_classify, so
 * every server decides the same way.
 * Unknown keys are ignored. Ownership: only details owns memory (mdl_health_free). */
#ifndef MDL_HEALTH_RESPONSE_H
#define MDL_HEALTH_RESPONSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/error.h"
#include "models/maps.h"
#include "models/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mdl_health_status {
  MDL_HEALTH_HEALTHY = 0,   /* "healthy" (HTTP 200) */
  MDL_HEALTH_DEGRADED = 1,  /* "degraded" (HTTP 200) */
  MDL_HEALTH_UNHEALTHY = 2, /* "unhealthy" (HTTP 503) */
  MDL_HEALTH_COUNT
} mdl_health_status;

typedef enum mdl_db_status {
  MDL_DB_CONNECTED = 0,    /* "connected" */
  MDL_DB_DISCONNECTED = 1, /* "disconnected" */
  MDL_DB_DEGRADED = 2,     /* "degraded" */
  MDL_DB_COUNT
} mdl_db_status;

typedef struct mdl_pool_stats {
  int64_t size; /* open connections */
  int64_t min_size;
  int64_t max_size; /* >= 1 */
  int64_t free;     /* idle connections, <= size */
} mdl_pool_stats;

typedef struct mdl_health {
  mdl_health_status status;
  char timestamp[MDL_TIME_LEN];
  mdl_db_status database_status;
  mdl_pool_stats connection_pool;
  double uptime_seconds; /* >= 0 */
  mdl_strmap details;    /* owned; empty => not written */
} mdl_health;

const char *mdl_health_status_name(mdl_health_status s); /* "?" when out of range */
bool mdl_health_status_parse(const char *name, mdl_health_status *out);
const char *mdl_db_status_name(mdl_db_status s);
bool mdl_db_status_parse(const char *name, mdl_db_status *out);

/* (size - free) / size * 100, 0 when size <= 0. Not rounded. */
double mdl_pool_utilization_percent(const mdl_pool_stats *p);

/* The SPEC thresholds: db_reachable false => unhealthy; pool utilization > 95 => unhealthy;
 * ping_ms >= 50 (up to 500), utilization >= 80, or slow_queries => degraded; ping_ms > 500 =>
 * degraded as well (the database answers, slowly); otherwise healthy. */
mdl_health_status mdl_health_classify(bool db_reachable, double ping_ms,
                                      double pool_utilization_percent, bool slow_queries);

/* Parses and validates. On failure: code, err (field + rule, e.g. "connection_pool.free"),
 * *out zeroed. On success the caller owns *out (mdl_health_free). */
mdl_code mdl_health_from_json(const cJSON *json, mdl_health *out, mdl_err *err);

/* Checks every rule above. */
mdl_code mdl_health_validate(const mdl_health *h, mdl_err *err);

/* Serialises h with utilization_percent (does not validate). Caller owns it; NULL on out of memory.
 */
cJSON *mdl_health_to_json(const mdl_health *h);

/* Frees owned memory and zeroes *h. Safe on a zeroed struct; h may be NULL. */
void mdl_health_free(mdl_health *h);

#ifdef __cplusplus
}
#endif

#endif /* MDL_HEALTH_RESPONSE_H */
