/* stats.c — descriptive statistics with the suite's one percentile method (see stats.h).
 *
 * Assumes finite samples. mdl_stats_summarize sorts a private copy once and derives every order
 * statistic from it; mean and variance use Welford's update (stable for large n and offsets). */
#include "models/stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void mdl_stats_sort(double *samples, size_t n) {
  assert(samples != NULL || n == 0);
  if (n > 1) qsort(samples, n, sizeof *samples, cmp_double);
}

double mdl_stats_percentile_sorted(const double *sorted, size_t n, double p) {
  assert(sorted != NULL && n >= 1);
  assert(p >= 0.0 && p <= 100.0);
  double h = (double)(n - 1) * p / 100.0;
  size_t lo = (size_t)floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  double frac = h - (double)lo;
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/* Welford: mean and sum of squared deviations. */
static void welford(const double *x, size_t n, double *mean, double *m2) {
  double mu = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = x[i] - mu;
    mu += d / (double)(i + 1);
    s += d * (x[i] - mu);
  }
  *mean = mu;
  *m2 = s;
}

double mdl_stats_mean(const double *samples, size_t n) {
  assert(samples != NULL && n >= 1);
  double mean, m2;
  welford(samples, n, &mean, &m2);
  return mean;
}

double mdl_stats_min(const double *samples, size_t n) {
  assert(samples != NULL && n >= 1);
  double m = samples[0];
  for (size_t i = 1; i < n; i++)
    if (samples[i] < m) m = samples[i];
  return m;
}

double mdl_stats_max(const double *samples, size_t n) {
  assert(samples != NULL && n >= 1);
  double m = samples[0];
  for (size_t i = 1; i < n; i++)
    if (samples[i] > m) m = samples[i];
  return m;
}

double mdl_stats_stddev(const double *samples, size_t n) {
  assert(samples != NULL && n >= 1);
  if (n < 2) return 0.0;
  double mean, m2;
  welford(samples, n, &mean, &m2);
  return sqrt(m2 / (double)(n - 1));
}

static double cv_of(double mean, double stddev) {
  if (stddev == 0.0) return 0.0;
  if (mean == 0.0) return HUGE_VAL;
  return stddev / fabs(mean);
}

double mdl_stats_cv(const double *samples, size_t n) {
  assert(samples != NULL && n >= 1);
  return cv_of(mdl_stats_mean(samples, n), mdl_stats_stddev(samples, n));
}

mdl_code mdl_stats_summarize(const double *samples, size_t n, mdl_stats_summary *out,
                             mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  double *s = NULL;
  memset(out, 0, sizeof *out);
  if (n == 0 || samples == NULL) {
    rc = mdl_err_set(err, MDL_ERANGE, "samples", "samples must hold at least one value");
    goto cleanup;
  }
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(samples[i])) {
      rc = mdl_err_set(err, MDL_ERANGE, "samples", "samples must be finite (sample %zu is not)", i);
      goto cleanup;
    }
  }
  s = malloc(n * sizeof *s);
  if (s == NULL) {
    rc = mdl_err_set(err, MDL_ENOMEM, "samples", "out of memory copying %zu samples", n);
    goto cleanup;
  }
  memcpy(s, samples, n * sizeof *s);
  mdl_stats_sort(s, n);
  double mean, m2;
  welford(s, n, &mean, &m2);
  out->count = n;
  out->min = s[0];
  out->max = s[n - 1];
  out->mean = mean;
  out->stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0.0;
  out->cv = cv_of(out->mean, out->stddev);
  out->cv_percent = out->cv * 100.0;
  out->p50 = mdl_stats_percentile_sorted(s, n, 50.0);
  out->p95 = mdl_stats_percentile_sorted(s, n, 95.0);
  out->p99 = mdl_stats_percentile_sorted(s, n, 99.0);
  out->median = out->p50;
  out->q1 = mdl_stats_percentile_sorted(s, n, 25.0);
  out->q3 = mdl_stats_percentile_sorted(s, n, 75.0);
  out->iqr = out->q3 - out->q1;
  double lo_fence = out->q1 - 1.5 * out->iqr, hi_fence = out->q3 + 1.5 * out->iqr;
  for (size_t i = 0; i < n; i++) {
    if (fabs(s[i] - out->mean) > out->stddev) out->outliers_stddev++;
    if (s[i] < lo_fence || s[i] > hi_fence) out->outliers_iqr++;
  }
cleanup:
  free(s);
  if (rc != MDL_OK) memset(out, 0, sizeof *out);
  return rc;
}

double mdl_round2(double x) {
  if (!(fabs(x) < 1e15)) return x; /* beyond this, cents are below double precision (and NaN) */
  double r = round(x * 100.0) / 100.0;
  return r == 0.0 ? 0.0 : r; /* no "-0" */
}
