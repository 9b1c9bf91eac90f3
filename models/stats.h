/* stats.h — descriptive statistics over latency samples, with ONE percentile method for the suite.
 *
 * Percentile method (used everywhere in the suite): linear interpolation between closest ranks,
 * identical to numpy.percentile(..., method="linear") (Hyndman & Fan type 7). For sorted samples
 * x[0..n-1] and p in [0, 100]: h = (n - 1) * p / 100, lo = floor(h),
 * value = x[lo] + (h - lo) * (x[lo + 1] - x[lo])  (x[lo] when lo == n - 1).
 * Example: [1..10] => p50 = 5.5, p95 = 9.55, p99 = 9.91.
 * Standard deviation is the SAMPLE standard deviation (divisor n - 1; 0 when n == 1), computed with
 * Welford's update. Coefficient of variation cv = stddev / mean (a ratio: 0.05 means 5%).
 * Samples must be finite; n >= 1. Nothing here allocates except mdl_stats_summarize (a sorted copy,
 * freed before it returns). */
#ifndef MDL_STATS_H
#define MDL_STATS_H

#include <stddef.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdl_stats_summary {
  size_t count;
  double min, max, mean;
  double stddev;     /* sample standard deviation (n - 1) */
  double cv;         /* stddev / mean; 0 when stddev == 0; HUGE_VAL when mean == 0 and stddev > 0 */
  double cv_percent; /* cv * 100 */
  double p50, p95, p99;
  double median;          /* == p50 */
  double q1, q3;          /* p25, p75 */
  double iqr;             /* q3 - q1 */
  size_t outliers_stddev; /* samples with |x - mean| > stddev */
  size_t outliers_iqr;    /* samples < q1 - 1.5 * iqr or > q3 + 1.5 * iqr */
} mdl_stats_summary;

/* Percentile p (0..100) of the n ascending-sorted samples, by the method above. Preconditions
 * (asserted): sorted != NULL, n >= 1, 0 <= p <= 100. */
double mdl_stats_percentile_sorted(const double *sorted, size_t n, double p);

/* Everything above for n unsorted samples (input untouched). MDL_ERANGE (field "samples") when
 * n == 0 or a sample is not finite; MDL_ENOMEM. On failure *out is zeroed. */
mdl_code mdl_stats_summarize(const double *samples, size_t n, mdl_stats_summary *out, mdl_err *err);

/* Single statistics over n >= 1 finite samples (asserted). */
double mdl_stats_mean(const double *samples, size_t n);
double mdl_stats_min(const double *samples, size_t n);
double mdl_stats_max(const double *samples, size_t n);
double mdl_stats_stddev(const double *samples, size_t n); /* sample (n - 1) */
double mdl_stats_cv(const double *samples, size_t n);     /* as cv above */

/* Sorts n doubles ascending in place. */
void mdl_stats_sort(double *samples, size_t n);

/* x rounded to two decimals (half away from zero), the precision every latency is stored in. */
double mdl_round2(double x);

#ifdef __cplusplus
}
#endif

#endif /* MDL_STATS_H */
