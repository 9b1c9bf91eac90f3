/* result_builder.h — turn measured latencies into a validated PerformanceBenchmarkResult.
 *
 * Every benchmark and the regression target build their records here, so the statistics are
 * computed one way (//models stats: linear interpolation between closest ranks) and every record
 * carries what benchmark users expect to read. Besides the required fields, test_parameters gets:
 *   median_ms, stddev_ms, iqr_ms, cv_percent (floats), outliers_stddev (|x - mean| > stddev),
 *   outliers_iqr (beyond 1.5 IQR) (integers), ops_per_second (samples / wall seconds of the
 *   measured phase), rounds (measured rounds), warmup_rounds, machine_cpu, machine_cores,
 *   machine_memory_mb, machine_load_1m (1-minute load average when the record was built: other
 *   work on the machine inflates latencies), percentile_method.
 * pass_status is "pass" when p95 < target, else "fail". */
#ifndef BENCH_RESULT_BUILDER_H
#define BENCH_RESULT_BUILDER_H

#include <stddef.h>

#include "benchmarks/error.h"
#include "models/benchmark_result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_result_opts {
  mdl_operation_type op;
  mdl_server_id server;
  double target_ms; /* > 0: the p95 target; <= 0: SPEC target of op */
  double
      wall_seconds; /* duration of the measured phase (for ops_per_second); <= 0: sum of samples */
  int rounds;       /* measured rounds (e.g. 5 indexing runs, or 1 for one batch of queries) */
  int warmup_rounds;
} bench_result_opts;

/* Builds *out (caller frees with mdl_benchmark_result_free) from n >= 1 samples in ms and
 * validates it. *summary (optional) gets the statistics. BENCH_EINVAL (no samples, non-finite
 * value, invalid record), BENCH_ENOMEM. On failure *out is zeroed. */
int bench_result_build(const bench_result_opts *o, const double *samples, size_t n,
                       mdl_benchmark_result *out, mdl_stats_summary *summary, bench_err *err);

/* Adds (or replaces) extra parameters on a built record; thin wrappers over //models maps that
 * turn a failure into BENCH_EINVAL. */
int bench_result_param_int(mdl_benchmark_result *r, const char *key, long long v, bench_err *err);
int bench_result_param_float(mdl_benchmark_result *r, const char *key, double v, bench_err *err);
int bench_result_param_str(mdl_benchmark_result *r, const char *key, const char *v, bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_RESULT_BUILDER_H */
