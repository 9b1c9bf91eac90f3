/* svg.h — latency histograms (baseline vs current) and line charts over time as standalone SVG
 * pictures, for the reports (benchmarks, load testing).
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

/* One line of a line chart: n points (x[i], y[i]); points with a negative or non-finite y are
 * gaps (e.g. no sample in that interval). */
typedef struct bench_line {
  const char *label; /* legend text */
  const double *x, *y;
  size_t n;
} bench_line;

/* Renders up to 4 lines on shared linear axes (x from the smallest to the largest x, y from 0 to
 * the largest y, or hline when larger) into *out (caller frees). hline > 0 draws a dashed red
 * horizontal line labelled hline_label (e.g. a target). BENCH_EINVAL when no line has a point,
 * or nlines is outside 1..4; BENCH_ENOMEM. */
int bench_svg_lines(const char *title, const char *xlabel, const char *ylabel,
                    const bench_line *lines, int nlines, double hline, const char *hline_label,
                    char **out, bench_err *err);

#ifdef __cplusplus
}
#endif

#endif /* BENCH_SVG_H */
