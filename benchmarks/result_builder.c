/* result_builder.c — PerformanceBenchmarkResult from samples, with the extra statistics
 * (result_builder.h). */
#include "benchmarks/result_builder.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "benchmarks/compare.h"
#include "benchmarks/machine.h"

int bench_result_param_int(mdl_benchmark_result *r, const char *key, long long v, bench_err *err) {
  mdl_err me;
  if (mdl_params_set_int(&r->test_parameters, key, (int64_t)v, &me) != MDL_OK)
    return bench_err_set(err, BENCH_EINVAL, "test_parameters.%s: %s", key, me.msg);
  return BENCH_OK;
}

int bench_result_param_float(mdl_benchmark_result *r, const char *key, double v, bench_err *err) {
  mdl_err me;
  if (mdl_params_set_float(&r->test_parameters, key, mdl_round2(v), &me) != MDL_OK)
    return bench_err_set(err, BENCH_EINVAL, "test_parameters.%s: %s", key, me.msg);
  return BENCH_OK;
}

int bench_result_param_str(mdl_benchmark_result *r, const char *key, const char *v,
                           bench_err *err) {
  mdl_err me;
  if (mdl_params_set_string(&r->test_parameters, key, v, &me) != MDL_OK)
    return bench_err_set(err, BENCH_EINVAL, "test_parameters.%s: %s", key, me.msg);
  return BENCH_OK;
}

int bench_result_build(const bench_result_opts *o, const double *samples, size_t n,
                       mdl_benchmark_result *out, mdl_stats_summary *summary, bench_err *err) {
  int rc = BENCH_OK;
  mdl_err me;
  mdl_stats_summary s;
  bench_machine m;
  assert(o != NULL && out != NULL);
  memset(out, 0, sizeof *out);
  if (samples == NULL || n == 0)
    return bench_err_set(err, BENCH_EINVAL, "no samples for %s: the measurement produced nothing",
                         mdl_operation_type_name(o->op));
  if (mdl_stats_summarize(samples, n, &s, &me) != MDL_OK)
    return bench_err_set(err, BENCH_EINVAL, "samples of %s: %s", mdl_operation_type_name(o->op),
                         me.msg);
  if (mdl_uuid_v4(out->benchmark_id, &me) != MDL_OK) {
    rc = bench_err_set(err, BENCH_EINVAL, "benchmark_id: %s", me.msg);
    goto cleanup;
  }
  out->server_id = o->server;
  out->operation_type = o->op;
  mdl_time_now(out->timestamp);
  mdl_benchmark_result_set_latencies(out, &s);
  out->has_target_threshold = true;
  out->target_threshold_ms = o->target_ms > 0 ? o->target_ms : bench_spec_target_ms(o->op);
  out->pass_status =
      out->latency_p95_ms < out->target_threshold_ms ? MDL_STATUS_PASS : MDL_STATUS_FAIL;
  double wall = o->wall_seconds > 0 ? o->wall_seconds : s.mean * (double)s.count / 1000.0;
  bench_machine_describe(&m);
  if ((rc = bench_result_param_float(out, "median_ms", s.median, err)) != BENCH_OK ||
      (rc = bench_result_param_float(out, "stddev_ms", s.stddev, err)) != BENCH_OK ||
      (rc = bench_result_param_float(out, "iqr_ms", s.iqr, err)) != BENCH_OK ||
      (rc = bench_result_param_float(out, "cv_percent", isfinite(s.cv_percent) ? s.cv_percent : 0,
                                     err)) != BENCH_OK ||
      (rc = bench_result_param_int(out, "outliers_stddev", (long long)s.outliers_stddev, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_int(out, "outliers_iqr", (long long)s.outliers_iqr, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_float(out, "ops_per_second", wall > 0 ? (double)n / wall : 0,
                                     err)) != BENCH_OK ||
      (rc = bench_result_param_int(out, "rounds", o->rounds > 0 ? o->rounds : 1, err)) !=
          BENCH_OK ||
      (rc = bench_result_param_int(out, "warmup_rounds", o->warmup_rounds, err)) != BENCH_OK ||
      (rc = bench_result_param_str(out, "machine_cpu", m.cpu_model, err)) != BENCH_OK ||
      (rc = bench_result_param_int(out, "machine_cores", m.cores, err)) != BENCH_OK ||
      (rc = bench_result_param_int(out, "machine_memory_mb", m.memory_mb, err)) != BENCH_OK ||
      (rc = bench_result_param_float(out, "machine_load_1m", bench_machine_load1(), err)) !=
          BENCH_OK ||
      (rc = bench_result_param_str(out, "percentile_method",
                                   "linear interpolation between closest ranks (type 7)", err)) !=
          BENCH_OK)
    goto cleanup;
  if (mdl_benchmark_result_validate(out, &me) != MDL_OK) {
    rc = bench_err_set(err, BENCH_EINVAL, "built record for %s is invalid: field '%s': %s",
                       mdl_operation_type_name(o->op), me.field, me.msg);
    goto cleanup;
  }
  if (summary != NULL) *summary = s;
cleanup:
  if (rc != BENCH_OK) mdl_benchmark_result_free(out);
  return rc;
}
