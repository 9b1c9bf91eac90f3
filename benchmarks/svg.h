/* svg.h — latency histograms as standalone SVG pictures (baseline vs current), for the report.
 *
 * One picture per operation: the range [min, max] over both sample sets is cut into equal-width
 * bins; each bin shows two bars, baseline (grey) and current (blue), as the share of that set's
 * samples (so sets of different sizes compare), plus dashed vertical lines at each set's p95 and
 * a solid red line at the target when it falls inside the range. Pure text output; no fonts or
 * external files needed (renders on GitHub and in browsers). */
#ifndef BENCH_SVG_H
#define BENCH_SVG_H

#include <stddef.h>

#include "benchmarks/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_series {
  const char *label;     /* legend text, e.g. "baseline (abc123)" */
  const double *samples; /* ms; may be NULL when n == 0 (the series is then absent) */
  size_t n;
} bench_series;

/* Renders the histogram of up to two series into a new NUL-terminated string (*out, caller
 * frees). bins in [4, 60]; target_ms <= 0: no target line. BENCH_EINVAL when both series are
 * empty or a sample is not finite, BENCH_ENOMEM. */
int bench_svg_histogram(const char *title, const bench_series *baseline,
                        const bench_series *current, int bins, double target_ms, char **out,
                        bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_SVG_H */
