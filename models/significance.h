/* significance.h — is a difference between two sets of samples real, or the noise of the sample
 * sizes taken? Two tests, shared by every story (benchmarks, load, the main job's table).
 *
 * Mann-Whitney U (Wilcoxon rank-sum), as Google Benchmark's compare.py uses: no assumption of
 * normality, robust to the long tails of latency samples. The combined samples are ranked (ties
 * get their average rank); U of the current set = R_current - n_c (n_c + 1) / 2, so U counts the
 * (baseline, current) pairs where current is larger (ties count 1/2). Under H0 (same distribution)
 * U has mean n_b n_c / 2 and, with the tie correction,
 *   var = n_b n_c / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))     (t: size of each tie group).
 * The p-value is the normal approximation with a continuity correction of 0.5, the same numbers
 * scipy.stats.mannwhitneyu(current, baseline, method="asymptotic", use_continuity=True) gives.
 * With no variance at all (every value tied) the p-values are 1. The approximation is fair from
 * about 3 samples a side; the smallest one-sided p reachable is ~0.04 at 3 vs 3, ~0.018 at 3 vs 5
 * and ~0.0099 at 4 vs 5 (every current sample above every baseline one), so a decision at
 * alpha = 0.05 is possible from 3 samples a side and at 0.0125 from 4 against 5.
 *
 * Bootstrap interval of a ratio: the ratio of a percentile (p50, p95, ...) of the current samples
 * to the same percentile of the baseline's, with a percentile-method confidence interval from
 * `resamples` resamplings (each side resampled with replacement, independently). The generator is
 * splitmix64 from a caller-given seed, so the interval is reproducible bit for bit.
 *
 * Inputs are never modified. Allocation: private copies, freed before return. Reentrant. */
#ifndef MDL_SIGNIFICANCE_H
#define MDL_SIGNIFICANCE_H

#include <stddef.h>
#include <stdint.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mdl_mwu_result {
  size_t n_baseline, n_current;
  double u;           /* U of the current samples (0 .. n_b n_c) */
  double mean_u;      /* n_b n_c / 2 */
  double sd_u;        /* tie-corrected standard deviation of U under H0; 0 if every value tied */
  double z;           /* (u - mean_u - 0.5) / sd_u (0 when sd_u == 0) */
  double p_greater;   /* one-sided: H1 "current is stochastically larger (slower)" */
  double p_less;      /* one-sided: H1 "current is smaller (faster)" */
  double p_two_sided; /* min(1, 2 * min(p_greater, p_less)) */
} mdl_mwu_result;

/* Mann-Whitney U of current against baseline. MDL_ERANGE (field "baseline" / "current") when a
 * side is empty or holds a value that is not finite; MDL_ENOMEM. On failure *out is zeroed. */
mdl_code mdl_mwu_test(const double *baseline, size_t nb, const double *current, size_t nc,
                      mdl_mwu_result *out, mdl_err *err);

/* Upper tail of the standard normal distribution, P(Z > z). */
double mdl_normal_sf(double z);

typedef struct mdl_ratio_ci {
  double ratio;      /* percentile(current) / percentile(baseline) on the samples themselves */
  double lo, hi;     /* the interval's bounds (lo <= ratio <= hi is not guaranteed) */
  double confidence; /* e.g. 0.95 */
  int resamples;
} mdl_ratio_ci;

/* Bootstrap interval of percentile(current, p) / percentile(baseline, p) (p in 0..100, the suite's
 * one percentile method), confidence in (0, 1), resamples >= 100, any seed. A resample whose
 * baseline percentile is 0 contributes a ratio of 1 when its current one is 0 too, else HUGE_VAL.
 * MDL_ERANGE (field "baseline" / "current" / "percentile" / "confidence" / "resamples") with the
 * rule; MDL_ENOMEM. On failure *out is zeroed. */
mdl_code mdl_bootstrap_ratio_ci(const double *baseline, size_t nb, const double *current, size_t nc,
                                double p, double confidence, int resamples, uint64_t seed,
                                mdl_ratio_ci *out, mdl_err *err);

#ifdef __cplusplus
}
#endif

#endif /* MDL_SIGNIFICANCE_H */
