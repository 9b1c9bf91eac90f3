/* svg.c — baseline-vs-current latency histogram pictures and line charts (svg.h). */
#include "benchmarks/svg.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "models/stats.h"

/* Escapes &, <, > and quotes for text inside SVG. A failed addition is sticky in b (buf.h), so
 * the drawing functions check once, at mdl_buf_take. */
static void put_text(mdl_buf *b, const char *s) {
  for (; s != NULL && *s != '\0'; s++) {
    switch (*s) {
      case '&':
        mdl_buf_puts(b, "&amp;");
        break;
      case '<':
        mdl_buf_puts(b, "&lt;");
        break;
      case '>':
        mdl_buf_puts(b, "&gt;");
        break;
      case '"':
        mdl_buf_puts(b, "&quot;");
        break;
      default:
        mdl_buf_putc(b, *s);
    }
  }
}

/* Picture size and plot margins (pixels), shared by every chart. */
enum { W = 720, H = 360, L = 70, R = 20, T = 50, B = 60 };

/* The SVG root, white background, title and the horizontal grid with y labels 0..ymax
 * (percent: "%" labels). */
static void put_frame(mdl_buf *b, const char *title, double ymax, int percent) {
  const double ph = H - T - B;
  mdl_buf_printf(
      b,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      W, H, W, H);
  mdl_buf_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
  mdl_buf_printf(b, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", L);
  put_text(b, title);
  mdl_buf_puts(b, "</text>\n");
  for (int g = 0; g <= 4; g++) {
    double y = T + ph - ph * g / 4.0;
    mdl_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n", L,
                   y, W - R, y);
    if (percent)
      mdl_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>\n", L - 6,
                     y + 4, ymax * g / 4.0);
    else
      mdl_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", L - 6, y + 4,
                     ymax * g / 4.0);
  }
}

static double p95_of(const bench_series *s) {
  double *copy = malloc(s->n * sizeof *copy);
  if (copy == NULL) return NAN;
  memcpy(copy, s->samples, s->n * sizeof *copy);
  mdl_stats_sort(copy, s->n);
  double v = mdl_stats_percentile_sorted(copy, s->n, 95.0);
  free(copy);
  return v;
}

int bench_svg_histogram(const char *title, const bench_series *baseline,
                        const bench_series *current, int bins, double target_ms, char **out,
                        bench_err *err) {
  static const char *const colors[2] = {"#9e9e9e", "#1f77b4"};
  const bench_series *ser[2] = {baseline, current};
  int rc = BENCH_OK;
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  double *share[2] = {NULL, NULL};
  mdl_buf b = MDL_BUF_INIT;
  assert(out != NULL && bins >= 4 && bins <= 60);
  *out = NULL;
  for (int s = 0; s < 2; s++) {
    if (ser[s] == NULL || ser[s]->n == 0) continue;
    for (size_t i = 0; i < ser[s]->n; i++) {
      double v = ser[s]->samples[i];
      if (!isfinite(v))
        return bench_err_set(err, BENCH_EINVAL, "%s: sample %zu is not finite", title, i);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return bench_err_set(err, BENCH_EINVAL, "%s: no samples on either side", title);
  if (hi - lo < 1e-9) {
    lo = lo > 0.5 ? lo - 0.5 : 0;
    hi = hi + 0.5;
  }
  double width = (hi - lo) / bins, ymax = 0;
  for (int s = 0; s < 2; s++) {
    share[s] = calloc((size_t)bins, sizeof(double));
    if (share[s] == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory drawing %s", title);
      goto cleanup;
    }
    if (ser[s] == NULL || ser[s]->n == 0) continue;
    for (size_t i = 0; i < ser[s]->n; i++) {
      int k = (int)((ser[s]->samples[i] - lo) / width);
      if (k >= bins) k = bins - 1;
      if (k < 0) k = 0;
      share[s][k] += 100.0 / (double)ser[s]->n;
    }
    for (int k = 0; k < bins; k++)
      if (share[s][k] > ymax) ymax = share[s][k];
  }
  ymax = ceil(ymax / 10.0) * 10.0;
  if (ymax < 10) ymax = 10;
  const double pw = W - L - R, ph = H - T - B;
  put_frame(&b, title, ymax, 1);
  mdl_buf_printf(
      &b,
      "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">"
      "share of samples</text>\n",
      T + ph / 2, T + ph / 2);
  /* bars */
  double bw = pw / bins;
  for (int k = 0; k < bins; k++) {
    for (int s = 0; s < 2; s++) {
      if (ser[s] == NULL || ser[s]->n == 0 || share[s][k] <= 0) continue;
      double h = ph * share[s][k] / ymax;
      mdl_buf_printf(&b,
                     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                     "fill-opacity=\"0.85\"><title>%.2f-%.2f ms: %.1f%%</title></rect>\n",
                     L + k * bw + 1 + s * (bw - 2) / 2, T + ph - h, (bw - 2) / 2, h, colors[s],
                     lo + k * width, lo + (k + 1) * width, share[s][k]);
    }
  }
  /* x axis */
  mdl_buf_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n", L,
                 T + ph, W - R, T + ph);
  for (int g = 0; g <= 5; g++) {
    double x = L + pw * g / 5.0;
    mdl_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.2f</text>\n", x,
                   T + ph + 16, lo + (hi - lo) * g / 5.0);
  }
  mdl_buf_printf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">latency (ms)</text>\n",
                 L + pw / 2, H - 24);
  /* p95 markers and target */
  for (int s = 0; s < 2; s++) {
    if (ser[s] == NULL || ser[s]->n == 0) continue;
    double p = p95_of(ser[s]);
    if (!isfinite(p)) continue;
    double x = L + pw * (p - lo) / (hi - lo);
    mdl_buf_printf(
        &b,
        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
        "stroke-dasharray=\"6 4\"><title>p95 %.2f ms</title></line>\n",
        x, T, x, T + ph, colors[s], p);
  }
  if (target_ms > lo && target_ms < hi) {
    double x = L + pw * (target_ms - lo) / (hi - lo);
    mdl_buf_printf(&b,
                   "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" "
                   "stroke-width=\"2\"/>\n"
                   "<text x=\"%.1f\" y=\"%d\" fill=\"#d62728\">target %.0f ms</text>\n",
                   x, T, x, T + ph, x + 4, T + 12, target_ms);
  }
  /* legend */
  int ly = H - 8, lx = L;
  for (int s = 0; s < 2; s++) {
    if (ser[s] == NULL || ser[s]->n == 0) continue;
    mdl_buf_printf(
        &b,
        "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n<text x=\"%d\" "
        "y=\"%d\">",
        lx, ly - 11, colors[s], lx + 16, ly);
    put_text(&b, ser[s]->label != NULL ? ser[s]->label : (s == 0 ? "baseline" : "current"));
    mdl_buf_printf(&b, " (n=%zu, dashed: p95)</text>\n", ser[s]->n);
    lx += 320;
  }
  mdl_buf_puts(&b, "</svg>\n");
  *out = mdl_buf_take(&b); /* NULL when an addition failed */
  if (*out == NULL) rc = bench_err_set(err, BENCH_ENOMEM, "out of memory drawing %s", title);
cleanup:
  mdl_buf_free(&b);
  free(share[0]);
  free(share[1]);
  return rc;
}

/* ---- line charts ---------------------------------------------------------------------------- */

static int usable(double y) {
  return isfinite(y) && y >= 0;
}

int bench_svg_lines(const char *title, const char *xlabel, const char *ylabel,
                    const bench_line *lines, int nlines, double hline, const char *hline_label,
                    char **out, bench_err *err) {
  static const char *const colors[4] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"};
  double xlo = HUGE_VAL, xhi = -HUGE_VAL, ymax = 0;
  mdl_buf b = MDL_BUF_INIT;
  assert(out != NULL);
  *out = NULL;
  if (nlines < 1 || nlines > 4)
    return bench_err_set(err, BENCH_EINVAL, "%s: 1 to 4 lines, got %d", title, nlines);
  size_t points = 0;
  for (int s = 0; s < nlines; s++)
    for (size_t i = 0; i < lines[s].n; i++) {
      if (!usable(lines[s].y[i]) || !isfinite(lines[s].x[i])) continue;
      points++;
      if (lines[s].x[i] < xlo) xlo = lines[s].x[i];
      if (lines[s].x[i] > xhi) xhi = lines[s].x[i];
      if (lines[s].y[i] > ymax) ymax = lines[s].y[i];
    }
  if (points == 0) return bench_err_set(err, BENCH_EINVAL, "%s: no point to draw", title);
  if (hline > ymax) ymax = hline;
  if (xhi - xlo < 1e-9) xhi = xlo + 1;
  if (ymax <= 0) ymax = 1;
  /* a round top for the y axis: 1, 2 or 5 times a power of ten */
  double mag = pow(10, floor(log10(ymax))), top = mag;
  while (top < ymax * 1.02) top += top < 2 * mag ? mag : top < 5 * mag ? mag : 5 * mag;
  ymax = top;
  const double pw = W - L - R, ph = H - T - B;
  put_frame(&b, title, ymax, 0);
  mdl_buf_printf(
      &b, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">",
      T + ph / 2, T + ph / 2);
  put_text(&b, ylabel);
  mdl_buf_puts(&b, "</text>\n");
  mdl_buf_printf(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n", L,
                 T + ph, W - R, T + ph);
  for (int g = 0; g <= 5; g++) {
    double x = L + pw * g / 5.0;
    mdl_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", x,
                   T + ph + 16, round((xlo + (xhi - xlo) * g / 5.0) * 10) / 10);
  }
  mdl_buf_printf(&b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", L + pw / 2, H - 24);
  put_text(&b, xlabel);
  mdl_buf_puts(&b, "</text>\n");
  for (int s = 0; s < nlines; s++) {
    int open = 0;
    for (size_t i = 0; i < lines[s].n; i++) {
      double xv = lines[s].x[i], yv = lines[s].y[i];
      if (!usable(yv) || !isfinite(xv)) {
        if (open) mdl_buf_puts(&b, "\"/>\n");
        open = 0;
        continue;
      }
      double px = L + pw * (xv - xlo) / (xhi - xlo), py = T + ph - ph * yv / ymax;
      if (!open)
        mdl_buf_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
                       colors[s]);
      mdl_buf_printf(&b, "%.1f,%.1f ", px, py);
      open = 1;
    }
    if (open) mdl_buf_puts(&b, "\"/>\n");
  }
  if (hline > 0) {
    double y = T + ph - ph * hline / ymax;
    mdl_buf_printf(&b,
                   "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d62728\" "
                   "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n<text x=\"%d\" y=\"%.1f\" "
                   "fill=\"#d62728\" text-anchor=\"end\">",
                   L, y, W - R, y, W - R - 4, y - 4);
    put_text(&b, hline_label != NULL ? hline_label : "");
    mdl_buf_puts(&b, "</text>\n");
  }
  int lx = L;
  for (int s = 0; s < nlines; s++) {
    mdl_buf_printf(
        &b,
        "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n<text x=\"%d\" "
        "y=\"%d\">",
        lx, H - 19, colors[s], lx + 16, H - 8);
    put_text(&b, lines[s].label != NULL ? lines[s].label : "");
    mdl_buf_puts(&b, "</text>\n");
    lx += 160;
  }
  mdl_buf_puts(&b, "</svg>\n");
  *out = mdl_buf_take(&b); /* NULL when an addition failed */
  if (*out == NULL) {
    mdl_buf_free(&b);
    return bench_err_set(err, BENCH_ENOMEM, "out of memory drawing %s", title);
  }
  return BENCH_OK;
}
