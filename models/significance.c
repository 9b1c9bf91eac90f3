/* significance.c — Mann-Whitney U with the normal approximation, and the bootstrap interval of a
 * ratio of percentiles (significance.h). */
#include "models/significance.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/stats.h"

static mdl_code check_side(const double *x, size_t n, const char *field, mdl_err *err) {
  if (n == 0 || x == NULL)
    return mdl_err_set(err, MDL_ERANGE, field, "%s needs at least one sample", field);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i]))
      return mdl_err_set(err, MDL_ERANGE, field, "%s sample %zu is not a finite number", field, i);
  return MDL_OK;
}

double mdl_normal_sf(double z) {
  return 0.5 * erfc(z / sqrt(2.0));
}

typedef struct tagged {
  double v;
  int current; /* 1: from the current side */
} tagged;

static int cmp_tagged(const void *a, const void *b) {
  double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
  return (x > y) - (x < y);
}

mdl_code mdl_mwu_test(const double *baseline, size_t nb, const double *current, size_t nc,
                      mdl_mwu_result *out, mdl_err *err) {
  mdl_code rc;
  tagged *all = NULL;
  assert(out != NULL);
  memset(out, 0, sizeof *out);
  if ((rc = check_side(baseline, nb, "baseline", err)) != MDL_OK) return rc;
  if ((rc = check_side(current, nc, "current", err)) != MDL_OK) return rc;
  size_t n = nb + nc;
  all = malloc(n * sizeof *all);
  if (all == NULL) return mdl_err_set(err, MDL_ENOMEM, "", "out of memory");
  for (size_t i = 0; i < nb; i++) all[i] = (tagged){baseline[i], 0};
  for (size_t i = 0; i < nc; i++) all[nb + i] = (tagged){current[i], 1};
  qsort(all, n, sizeof *all, cmp_tagged);
  double rank_sum = 0.0, ties = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && all[j + 1].v == all[i].v) j++;
    double t = (double)(j - i + 1);
    double avg = ((double)i + 1.0 + (double)j + 1.0) / 2.0; /* ranks are 1-based */
    for (size_t k = i; k <= j; k++)
      if (all[k].current) rank_sum += avg;
    ties += t * t * t - t;
    i = j + 1;
  }
  free(all);
  double b = (double)nb, c = (double)nc, N = (double)n;
  out->n_baseline = nb;
  out->n_current = nc;
  out->u = rank_sum - c * (c + 1.0) / 2.0;
  out->mean_u = b * c / 2.0;
  double var = N > 1 ? b * c / 12.0 * ((N + 1.0) - ties / (N * (N - 1.0))) : 0.0;
  out->sd_u = var > 0 ? sqrt(var) : 0.0;
  if (out->sd_u > 0) {
    out->z = (out->u - out->mean_u - 0.5) / out->sd_u;
    out->p_greater = mdl_normal_sf(out->z);
    out->p_less = mdl_normal_sf((out->mean_u - out->u - 0.5) / out->sd_u);
  } else {
    out->p_greater = out->p_less = 1.0;
  }
  if (out->p_greater > 1.0) out->p_greater = 1.0;
  if (out->p_less > 1.0) out->p_less = 1.0;
  double m = out->p_greater < out->p_less ? out->p_greater : out->p_less;
  out->p_two_sided = 2.0 * m > 1.0 ? 1.0 : 2.0 * m;
  return MDL_OK;
}

/* ---- bootstrap ----------------------------------------------------------------------------- */

static uint64_t next_u64(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Uniform index in [0, n) (Lemire's multiply-shift; the bias at these n is < 2^-50). */
static size_t pick(uint64_t *s, size_t n) {
  return (size_t)(((unsigned __int128)next_u64(s) * (unsigned __int128)n) >> 64);
}

/* Percentile p of one resample of the ascending-sorted x: the n draws are counted per position
 * of x (a resample of a sorted array, once sorted, is x with each element repeated by its count),
 * and the two order statistics the percentile needs are read off the running counts. O(n). */
static double resampled_percentile(const double *sorted, size_t n, double p, unsigned *count,
                                   uint64_t *s) {
  memset(count, 0, n * sizeof *count);
  for (size_t i = 0; i < n; i++) count[pick(s, n)]++;
  double h = (double)(n - 1) * p / 100.0;
  size_t lo = (size_t)floor(h), seen = 0, j = 0;
  double frac = h - (double)lo, vlo = sorted[n - 1], vhi = sorted[n - 1];
  for (; j < n; j++) {
    seen += count[j];
    if (seen > lo) {
      vlo = sorted[j];
      break;
    }
  }
  if (lo + 1 >= n || frac <= 0) return vlo;
  if (seen > lo + 1) return vlo; /* rank lo + 1 is the same element */
  for (j++; j < n; j++)
    if (count[j] > 0) {
      vhi = sorted[j];
      break;
    }
  return vlo + frac * (vhi - vlo);
}

static double ratio_of(double cur, double base) {
  if (base > 0) return cur / base;
  return cur == base ? 1.0 : HUGE_VAL;
}

mdl_code mdl_bootstrap_ratio_ci(const double *baseline, size_t nb, const double *current, size_t nc,
                                double p, double confidence, int resamples, uint64_t seed,
                                mdl_ratio_ci *out, mdl_err *err) {
  mdl_code rc;
  double *sb = NULL, *sc = NULL, *ratios = NULL;
  unsigned *count = NULL;
  assert(out != NULL);
  memset(out, 0, sizeof *out);
  if ((rc = check_side(baseline, nb, "baseline", err)) != MDL_OK) return rc;
  if ((rc = check_side(current, nc, "current", err)) != MDL_OK) return rc;
  if (!(p >= 0.0 && p <= 100.0))
    return mdl_err_set(err, MDL_ERANGE, "percentile", "percentile must be 0-100 (got %g)", p);
  if (!(confidence > 0.0 && confidence < 1.0))
    return mdl_err_set(err, MDL_ERANGE, "confidence",
                       "confidence must be between 0 and 1 exclusive (got %g)", confidence);
  if (resamples < 100 || resamples > 1000000)
    return mdl_err_set(err, MDL_ERANGE, "resamples", "resamples must be 100-1000000 (got %d)",
                       resamples);
  sb = malloc(nb * sizeof *sb);
  sc = malloc(nc * sizeof *sc);
  ratios = malloc((size_t)resamples * sizeof *ratios);
  count = malloc((nb > nc ? nb : nc) * sizeof *count);
  if (sb == NULL || sc == NULL || ratios == NULL || count == NULL) {
    rc = mdl_err_set(err, MDL_ENOMEM, "", "out of memory");
    goto cleanup;
  }
  memcpy(sb, baseline, nb * sizeof *sb);
  mdl_stats_sort(sb, nb);
  memcpy(sc, current, nc * sizeof *sc);
  mdl_stats_sort(sc, nc);
  uint64_t s = seed;
  for (int i = 0; i < resamples; i++) {
    double b = resampled_percentile(sb, nb, p, count, &s);
    double c = resampled_percentile(sc, nc, p, count, &s);
    ratios[i] = ratio_of(c, b);
  }
  mdl_stats_sort(ratios, (size_t)resamples);
  double tail = (1.0 - confidence) / 2.0 * 100.0;
  out->lo = mdl_stats_percentile_sorted(ratios, (size_t)resamples, tail);
  out->hi = mdl_stats_percentile_sorted(ratios, (size_t)resamples, 100.0 - tail);
  out->ratio =
      ratio_of(mdl_stats_percentile_sorted(sc, nc, p), mdl_stats_percentile_sorted(sb, nb, p));
  if (isnan(out->lo)) out->lo = HUGE_VAL; /* only when infinite ratios straddle a rank */
  if (isnan(out->hi)) out->hi = HUGE_VAL;
  out->confidence = confidence;
  out->resamples = resamples;
cleanup:
  free(sb);
  free(sc);
  free(ratios);
  free(count);
  return rc;
}
