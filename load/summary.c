/* summary.c — the end-of-run text summary (see summary.h). */
#include "load/summary.h"

static void lat_line(FILE *f, const char *name, const mdl_histogram *h, unsigned long long n,
                     unsigned long long e) {
  fprintf(f, "  %-22s n=%-8llu err=%-6llu avg=%.2f p50=%.2f p95=%.2f p99=%.2f max=%.2f ms\n", name,
          n, e, mdl_histogram_mean(h), mdl_histogram_percentile(h, 50),
          mdl_histogram_percentile(h, 95), mdl_histogram_percentile(h, 99),
          h->count ? h->max_ms : 0);
}

void ld_summary_print(const ld_result *r, FILE *f) {
  fprintf(f, "\nscenario %s (%s model%s), %.1f s, %d VUs peak, shard %d/%d%s\n", r->scenario,
          r->open_model ? "open" : "closed", r->open_model ? "" : ", think time", r->duration_s,
          r->peak_vus, r->shard_index, r->shard_count,
          r->aborted ? ", ABORTED by a threshold" : "");
  fprintf(f, "  requests %llu (%.1f/s), failed %llu (%.3f%%), iterations %llu, dropped %llu\n",
          (unsigned long long)r->requests, ld_result_rps(r), (unsigned long long)r->errors,
          100.0 * ld_result_error_rate(r), (unsigned long long)r->iterations,
          (unsigned long long)r->dropped);
  lat_line(f, "all", &r->lat, r->requests, r->errors);
  for (int i = 0; i < r->nreq; i++)
    lat_line(f, r->req[i].name, &r->req[i].lat, r->req[i].count, r->req[i].errors);
  if (r->errors > 0) {
    fprintf(f, "  errors:");
    for (int t = 0; t < LD_ERR_N; t++)
      if (r->errors_by_type[t])
        fprintf(f, " %s=%llu (%.0f-%.0f ms)", ld_error_type_name(t),
                (unsigned long long)r->errors_by_type[t], r->err_lat[t].min_ms,
                r->err_lat[t].max_ms);
    fprintf(f, "\n");
  }
  if (r->res.samples)
    fprintf(f,
            "  target: cpu avg %.1f%% max %.1f%% (of the machine), rss avg %.1f MB max %.1f MB\n",
            r->res.cpu_sum / (double)r->res.samples, r->res.cpu_max,
            r->res.rss_sum / (double)r->res.samples, r->res.rss_max);
  if (r->res.pool_samples)
    fprintf(f, "  pool utilisation avg %.1f%% max %.1f%%\n",
            r->res.pool_sum / (double)r->res.pool_samples, r->res.pool_max);
  mdl_host_calibration hc;
  if (ld_result_host_calibration(r, &hc, NULL) == LD_OK && hc.probes > 0)
    fprintf(f, "  host speed: calibration probe median %.2f ms, CV %.1f%% (%lld probes)\n",
            hc.median_ms, hc.cv_percent, (long long)hc.probes);
  for (int i = 0; i < r->nthresholds; i++)
    fprintf(f, "  %s %s (value %.4g)%s\n", r->thresholds[i].ok ? "\u2713" : "\u2717",
            r->thresholds[i].th.expr, r->thresholds[i].value,
            r->thresholds[i].th.abort_on_fail ? " abortOnFail" : "");
}
