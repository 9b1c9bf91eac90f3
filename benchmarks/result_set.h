/* result_set.h — a set of PerformanceBenchmarkResult records: the committed baseline or one run.
 *
 * File format ("mcp-suite-benchmarks/1"), written by the benchmarks, the regression target and
 * update_baseline, and read by the comparison and the report generator:
 *
 *   { "format": "mcp-suite-benchmarks/1", "commit": "abc123" | null, "measured_at": ISO 8601,
 *     "machine": { "cpu_model", "cores", "memory_mb", "kernel" } | null,
 *     "results": [ PerformanceBenchmarkResult, ... ],          // validated by //models
 *     "samples": { "<operation_type>": [ms, ...], ... },        // optional raw latencies
 *     "calibration": { "<operation_type>": [ms, ...], ... } }   // optional: per sample, the
 *                                         // calibration probe's mean time while it was measured
 *
 * For convenience the loader also accepts a bare JSON array of records or one bare record. Every
 * record is parsed and validated with mdl_benchmark_result_from_json; the first invalid one fails
 * the load with its index, field and rule. Records are keyed by operation_type: a set holds at
 * most one record per operation (a later one replaces an earlier one). */
#ifndef BENCH_RESULT_SET_H
#define BENCH_RESULT_SET_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "benchmarks/error.h"
#include "models/benchmark_result.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_SET_FORMAT "mcp-suite-benchmarks/1"

typedef struct bench_set {
  int present;                    /* 0: the file did not exist (first run without a baseline) */
  char source[512];               /* path or label it came from ("" if built in memory) */
  char commit[64];                /* "" if unknown */
  char measured_at[MDL_TIME_LEN]; /* "" if unknown */
  cJSON *machine;                 /* owned; NULL if unknown */
  mdl_benchmark_result results[MDL_OP_COUNT]; /* indexed by operation_type; owned */
  int has[MDL_OP_COUNT];                      /* 1 where results[op] holds a record */
  cJSON *samples;     /* owned object operation -> array of ms; NULL if none */
  cJSON *calibration; /* owned object operation -> array of probe ms per sample; NULL if none */
} bench_set;

/* Loads path into *out (any previous content ignored). When the file does not exist and
 * missing_ok is set, succeeds with out->present == 0 and no records. BENCH_EIO (unreadable,
 * or missing without missing_ok), BENCH_EINVAL (not JSON / invalid record: message names the
 * record index, field and rule). On failure *out is empty (nothing to free). */
int bench_set_load(const char *path, int missing_ok, bench_set *out, bench_err *err);

/* Same from parsed JSON; source is a label for messages (may be NULL). */
int bench_set_from_json(const cJSON *json, const char *source, bench_set *out, bench_err *err);

/* Adds (or replaces) a record for its operation; takes ownership of *r (which is zeroed).
 * samples (optional, n values in ms) are stored as the raw latencies of that operation.
 * BENCH_EINVAL if the record does not validate (then *r is left to the caller), BENCH_ENOMEM. */
int bench_set_put(bench_set *s, mdl_benchmark_result *r, const double *samples, size_t n,
                  bench_err *err);

/* Removes op's record and raw samples from s (nothing when it has none). */
void bench_set_drop(bench_set *s, mdl_operation_type op);

/* Raw samples of op as a cJSON array (owned by s), or NULL. */
const cJSON *bench_set_samples(const bench_set *s, mdl_operation_type op);

/* Stores, for each of op's samples, the mean time (ms) of the calibration workload probed while
 * that sample was measured (//models calibration; the indexing benchmark's tree-sitter parse
 * probe): how fast the host was then. n must equal the op's stored sample count and every value
 * be finite and > 0, else BENCH_EINVAL; BENCH_ENOMEM. Replaces an earlier calibration of op. */
int bench_set_put_calibration(bench_set *s, mdl_operation_type op, const double *calib_ms, size_t n,
                              bench_err *err);

/* Calibration of op's samples as a cJSON array (owned by s), or NULL. */
const cJSON *bench_set_calibration(const bench_set *s, mdl_operation_type op);

/* The numbers of the cJSON array a (samples or calibration above) as a new vector the caller
 * frees; *n gets their count. NULL with *n == 0 when a is NULL, empty or holds no number, or when
 * memory runs out (then *oom, if given, is set to 1; else it is set to 0). */
double *bench_numbers(const cJSON *a, size_t *n, int *oom);

/* The file form above; caller owns it (cJSON_Delete). NULL only on out of memory. */
cJSON *bench_set_to_json(const bench_set *s);

/* Writes the file form to path (pretty-printed, trailing newline). BENCH_EIO / BENCH_ENOMEM. */
int bench_set_write(const bench_set *s, const char *path, bench_err *err);

/* Frees everything s owns and zeroes it. Safe on a zeroed set; s may be NULL. */
void bench_set_free(bench_set *s);

/* Reads a whole file into a new NUL-terminated buffer (caller frees). BENCH_EIO on failure;
 * errno_out (optional) gets errno so callers can tell "missing" from "unreadable". */
int bench_read_file(const char *path, char **out, int *errno_out, bench_err *err);

/* Writes text to path (replacing it). BENCH_EIO on failure. */
int bench_write_file(const char *path, const char *text, bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_RESULT_SET_H */
