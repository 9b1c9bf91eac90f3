/* load_result.h — LoadTestResult with ErrorBreakdown and ResourceUsageStats: one load run (US3).
 *
 * JSON (keys in this order when serialised):
 *   test_id (UUID), server_id (server id), test_scenario (non-empty string), concurrent_clients
 *   (integer >= 1), test_duration_seconds (number >= 1), timestamp (ISO 8601 UTC),
 *   total_requests, successful_requests, failed_requests (integers >= 0; successful + failed =
 *   total), latency_avg_ms, latency_p95_ms, latency_max_ms (>= 0, two decimals; avg <= max,
 *   p95 <= max), error_breakdown (array, optional, default []: {error_type: non-empty and unique,
 *   count: integer >= 0, percentage: 0-100, two decimals}),
 *   resource_usage {cpu_percent_avg, cpu_percent_max (0-100), memory_mb_avg, memory_mb_max (>= 0),
 *   connection_pool_utilization_avg, connection_pool_utilization_max (0-100)} (each avg <= max;
 *   two decimals),
 *   success_rate_percent, requests_per_second (derived, two decimals; always written; optional on
 *   input, and when present they must equal the derived value at two decimals),
 *   host_calibration (optional; written only when probes >= 1): {probes (integer >= 1), median_ms
 *   (> 0), cv_percent (>= 0)} (two decimals): the host's speed during the run, from probes of the
 *   fixed workload of models/calibration.h (one unit each, about once a second, timed on the
 *   prober's thread CPU clock). A run whose median moved against another's ran on a slower or
 *   faster host, whatever the server did; cv_percent says how much the host moved within the run.
 * Derived: success_rate_percent = successful_requests / total_requests * 100 (0 when total is 0);
 *   requests_per_second = total_requests / test_duration_seconds.
 * Unknown keys are ignored. Ownership: test_scenario, error_breakdown and its error_type strings
 * are owned; mdl_load_result_free releases them. */
#ifndef MDL_LOAD_RESULT_H
#define MDL_LOAD_RESULT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "models/error.h"
#include "models/server_id.h"
#include "models/timestamp.h"
#include "models/uuid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdl_error_breakdown {
  char *error_type;  /* owned, non-empty, unique within the result ("timeout", "http_503", ...) */
  int64_t count;     /* >= 0 */
  double percentage; /* 0-100, two decimals */
} mdl_error_breakdown;

typedef struct mdl_resource_usage {
  double cpu_percent_avg, cpu_percent_max; /* 0-100 */
  double memory_mb_avg, memory_mb_max;     /* >= 0 */
  double connection_pool_utilization_avg;  /* 0-100 */
  double connection_pool_utilization_max;  /* 0-100 */
} mdl_resource_usage;

/* Host speed during a run; probes == 0: not measured (the key is absent). */
typedef struct mdl_host_calibration {
  int64_t probes;    /* >= 0 */
  double median_ms;  /* > 0 when probes >= 1 */
  double cv_percent; /* sample CV of the probe times x 100, >= 0 (0 with one probe) */
} mdl_host_calibration;

typedef struct mdl_load_result {
  char test_id[MDL_UUID_LEN];
  mdl_server_id server_id;
  char *test_scenario;          /* owned, non-empty */
  int64_t concurrent_clients;   /* >= 1 */
  double test_duration_seconds; /* >= 1 */
  char timestamp[MDL_TIME_LEN];
  int64_t total_requests, successful_requests, failed_requests;
  double latency_avg_ms, latency_p95_ms, latency_max_ms;
  mdl_error_breakdown *error_breakdown; /* owned array */
  size_t error_breakdown_count;
  mdl_resource_usage resource_usage;
  mdl_host_calibration host_calibration;
} mdl_load_result;

/* Derived values (not rounded; to_json rounds them to two decimals). */
double mdl_load_result_success_rate_percent(const mdl_load_result *r);
double mdl_load_result_requests_per_second(const mdl_load_result *r);

/* Fills *out from n probe times (ms, one unit of the calibration workload each): the count, the
 * median (models/stats.h percentile) and the sample CV x 100, rounded to two decimals. n == 0
 * leaves it zeroed (not measured). MDL_ERANGE (field "host_calibration") when a time is not finite
 * and > 0; MDL_ENOMEM. */
mdl_code mdl_host_calibration_from_probes(const double *ms, size_t n, mdl_host_calibration *out,
                                          mdl_err *err);

/* Parses and validates (including the derived fields when present). On failure: code, err
 * (field + rule), *out zeroed. On success the caller owns *out (mdl_load_result_free). */
mdl_code mdl_load_result_from_json(const cJSON *json, mdl_load_result *out, mdl_err *err);

/* Checks every rule above. */
mdl_code mdl_load_result_validate(const mdl_load_result *r, mdl_err *err);

/* Serialises r with the derived fields (does not validate). Caller owns it; NULL on out of memory.
 */
cJSON *mdl_load_result_to_json(const mdl_load_result *r);

/* Appends one error_breakdown entry (copies error_type). MDL_ENOMEM on allocation failure. */
mdl_code mdl_load_result_add_error(mdl_load_result *r, const char *error_type, int64_t count,
                                   double percentage, mdl_err *err);

/* Frees owned memory and zeroes *r. Safe on a zeroed struct; r may be NULL. */
void mdl_load_result_free(mdl_load_result *r);

#ifdef __cplusplus
}
#endif

#endif /* MDL_LOAD_RESULT_H */
