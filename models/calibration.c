/* calibration.c — the fixed CPU-bound workload and the calibrated CV (calibration.h).
 *
 * The workload is splitmix64 mixing chained through a 512-entry table that is rebuilt from a
 * constant seed on every call, so each call executes the same instruction stream on the same data
 * regardless of what ran before (no warm state carried between calls except the CPU caches). */
#include "models/calibration.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/stats.h"

#define TABLE 512u

static uint64_t mix(uint64_t z) {
  z += UINT64_C(0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t mdl_calib_work(uint32_t units) {
  uint64_t table[TABLE];
  uint64_t x = UINT64_C(20261202);
  for (uint32_t i = 0; i < TABLE; i++) table[i] = x = mix(x);
  uint64_t steps = (uint64_t)units * MDL_CALIB_UNIT_ITERATIONS;
  for (uint64_t i = 0; i < steps; i++) {
    x = mix(x ^ table[x & (TABLE - 1)]);
    table[i & (TABLE - 1)] += x;
  }
  for (uint32_t i = 0; i < TABLE; i++) x ^= table[i];
  return x;
}

/* The calling thread's CPU time: a probe preempted by another process is not charged for the time
 * it waited, so it measures the core's speed, not the machine's load. */
static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

double mdl_calib_time_ms(uint32_t units) {
  assert(units >= 1);
  double t0 = now_ms();
  volatile uint64_t sink = mdl_calib_work(units);
  (void)sink;
  return now_ms() - t0;
}

void mdl_calib_probe_add(mdl_calib_probe *p, double ms) {
  assert(p != NULL);
  if (p->n == 0 || ms < p->min_ms) p->min_ms = ms;
  if (p->n == 0 || ms > p->max_ms) p->max_ms = ms;
  p->sum_ms += ms;
  p->n++;
}

double mdl_calib_probe_take(mdl_calib_probe *p, uint32_t units) {
  double ms = mdl_calib_time_ms(units);
  mdl_calib_probe_add(p, ms);
  return ms;
}

double mdl_calib_probe_run(mdl_calib_probe *p, mdl_calib_workload fn, void *ctx) {
  assert(p != NULL && fn != NULL);
  double t0 = now_ms();
  fn(ctx);
  double ms = now_ms() - t0;
  mdl_calib_probe_add(p, ms);
  return ms;
}

double mdl_calib_probe_mean(const mdl_calib_probe *p) {
  assert(p != NULL);
  return p->n > 0 ? p->sum_ms / (double)p->n : 0.0;
}

mdl_code mdl_calib_cv(const double *values, const double *calib, size_t n, mdl_calib_cv_result *out,
                      double *calibrated, mdl_err *err) {
  mdl_code rc = MDL_OK;
  double *ratio = NULL, *sorted = NULL;
  assert(out != NULL);
  memset(out, 0, sizeof *out);
  if (n == 0 || values == NULL || calib == NULL)
    return mdl_err_set(err, MDL_ERANGE, "samples", "need at least one paired sample (got %zu)", n);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(values[i]) || values[i] < 0)
      return mdl_err_set(err, MDL_ERANGE, "samples",
                         "sample %zu must be a finite value >= 0 (got %g)", i, values[i]);
    if (!isfinite(calib[i]) || calib[i] <= 0)
      return mdl_err_set(err, MDL_ERANGE, "calibration",
                         "calibration time %zu must be finite and > 0 ms (got %g)", i, calib[i]);
  }
  ratio = malloc(n * sizeof *ratio);
  sorted = malloc(n * sizeof *sorted);
  if (ratio == NULL || sorted == NULL) {
    rc = mdl_err_set(err, MDL_ENOMEM, "", "out of memory");
    goto cleanup;
  }
  memcpy(sorted, calib, n * sizeof *sorted);
  mdl_stats_sort(sorted, n);
  out->ref_ms = mdl_stats_percentile_sorted(sorted, n, 50.0);
  for (size_t i = 0; i < n; i++) ratio[i] = values[i] * out->ref_ms / calib[i];
  out->raw_cv_percent = mdl_stats_cv(values, n) * 100.0;
  out->calibrated_cv_percent = mdl_stats_cv(ratio, n) * 100.0;
  out->calib_cv_percent = mdl_stats_cv(calib, n) * 100.0;
  if (calibrated != NULL) memcpy(calibrated, ratio, n * sizeof *ratio);
cleanup:
  free(ratio);
  free(sorted);
  return rc;
}
