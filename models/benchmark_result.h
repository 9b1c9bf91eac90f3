/* benchmark_result.h — PerformanceBenchmarkResult: one measured operation of one server (US1).
 *
 * JSON (keys in this order when serialised):
 *   benchmark_id (UUID), server_id ("codebase-mcp" | "workflow-mcp"),
 *   operation_type ("index" | "search" | "project_switch" | "entity_query" | "search_lowvocab"),
 *   timestamp (ISO 8601
 * UTC), latency_p50_ms, latency_p95_ms, latency_p99_ms, latency_mean_ms, latency_min_ms,
 * latency_max_ms (numbers >= 0, stored and printed rounded to two decimals), sample_size (integer
 * >= 1), test_parameters (object: string -> string | integer | float; optional, default {}),
 *   pass_status ("pass" | "fail" | "warning"), target_threshold_ms (number > 0, optional; null when
 *   absent on output).
 * Rules (compared at two decimals): latency_p50_ms <= latency_p95_ms <= latency_p99_ms;
 *   latency_min_ms <= latency_p50_ms; latency_p99_ms <= latency_max_ms;
 *   latency_min_ms <= latency_mean_ms <= latency_max_ms.
 * Unknown keys are ignored. Ownership: only test_parameters owns memory; mdl_benchmark_result_free
 * releases it. A zeroed struct ({0}) is a valid starting point for filling one in code. */
#ifndef MDL_BENCHMARK_RESULT_H
#define MDL_BENCHMARK_RESULT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/error.h"
#include "models/maps.h"
#include "models/server_id.h"
#include "models/stats.h"
#include "models/timestamp.h"
#include "models/uuid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mdl_operation_type {
  MDL_OP_INDEX = 0,          /* "index" */
  MDL_OP_SEARCH = 1,         /* "search" */
  MDL_OP_PROJECT_SWITCH = 2, /* "project_switch" */
  MDL_OP_ENTITY_QUERY = 3,   /* "entity_query" */
  /* "search_lowvocab": search on the low-vocabulary corpus, where each query matches >= 100k
   * chunks (issue 13); its own figures beside the fixture's "search". Not in SPEC's four: an
   * addition, measured by //benchmarks:search_perf only. */
  MDL_OP_SEARCH_LOWVOCAB = 4,
  MDL_OP_COUNT
} mdl_operation_type;

typedef enum mdl_pass_status {
  MDL_STATUS_PASS = 0,    /* "pass" */
  MDL_STATUS_FAIL = 1,    /* "fail" */
  MDL_STATUS_WARNING = 2, /* "warning" */
  MDL_STATUS_COUNT
} mdl_pass_status;

typedef struct mdl_benchmark_result {
  char benchmark_id[MDL_UUID_LEN]; /* lower-case UUID */
  mdl_server_id server_id;
  mdl_operation_type operation_type;
  char timestamp[MDL_TIME_LEN]; /* canonical ISO 8601 UTC (see timestamp.h) */
  double latency_p50_ms, latency_p95_ms, latency_p99_ms;
  double latency_mean_ms, latency_min_ms, latency_max_ms;
  int64_t sample_size;        /* >= 1 */
  mdl_params test_parameters; /* owned */
  mdl_pass_status pass_status;
  bool has_target_threshold;  /* false => target_threshold_ms is absent (null) */
  double target_threshold_ms; /* > 0 when present */
} mdl_benchmark_result;

/* JSON names; "?" for out-of-range values. parse: false for unknown names (out untouched). */
const char *mdl_operation_type_name(mdl_operation_type t);
bool mdl_operation_type_parse(const char *name, mdl_operation_type *out);
const char *mdl_pass_status_name(mdl_pass_status s);
bool mdl_pass_status_parse(const char *name, mdl_pass_status *out);

/* Parses json into *out and validates it (any previous content of *out is ignored, not freed).
 * On failure returns the code, fills err (field + rule) and leaves *out zeroed (nothing to free).
 * On success the caller owns *out and releases it with mdl_benchmark_result_free. */
mdl_code mdl_benchmark_result_from_json(const cJSON *json, mdl_benchmark_result *out, mdl_err *err);

/* Checks every rule listed above on r (ranges, enums, UUID, timestamp, ordering). */
mdl_code mdl_benchmark_result_validate(const mdl_benchmark_result *r, mdl_err *err);

/* Serialises r (latencies rounded to two decimals). Does not validate: call _validate first.
 * Caller owns the result (cJSON_Delete). NULL only on out of memory. */
cJSON *mdl_benchmark_result_to_json(const mdl_benchmark_result *r);

/* Copies p50/p95/p99/mean/min/max (rounded to two decimals) and sample_size from a summary. */
void mdl_benchmark_result_set_latencies(mdl_benchmark_result *r, const mdl_stats_summary *s);

/* Frees owned memory and zeroes *r. Safe on a zeroed struct; r may be NULL. */
void mdl_benchmark_result_free(mdl_benchmark_result *r);

#ifdef __cplusplus
}
#endif

#endif /* MDL_BENCHMARK_RESULT_H */
