/* report_main.c — `load_report`: docs/performance/load-testing-report.md from committed results.
 *
 *   bazel run //load:load_report -- --results docs/performance/load \
 *       --out docs/performance/load-testing-report.md
 * Reads from the results directory: standard-<server>.json, soak-<server>.json,
 * capacity-<server>-<rate>.json (one per step), pool-workflow-mcp.json, wrk_compare.json,
 * machine.json (written from this machine when absent) and notes.md (included as is); writes the
 * pictures as <results>/<name>.svg (latency and req/s over time, memory over the soak, the
 * capacity curve) and the report. Percentiles are histogram-derived (load/result.h). Every figure
 * in the report comes from those files; a missing file is reported as "not run". */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmarks/machine.h"
#include "benchmarks/svg.h"
#include "load/result.h"
#include "models/significance.h"

#define MAX_STEPS 64

static const char *k_servers[2] = {"codebase-mcp", "workflow-mcp"};

static int write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "load_report: cannot write %s: %m\n", path);
    return -1;
  }
  fputs(text, f);
  return fclose(f);
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b != NULL) b[fread(b, 1, (size_t)n, f)] = '\0';
  fclose(f);
  return b;
}

/* Writes <dir>/<name>.svg and returns 0. */
static int svg(const char *dir, const char *name, const char *title, const char *xl, const char *yl,
               const bench_line *lines, int n, double hline, const char *hl) {
  char *text = NULL, path[2048];
  bench_err e;
  if (bench_svg_lines(title, xl, yl, lines, n, hline, hl, &text, &e) != BENCH_OK) {
    fprintf(stderr, "load_report: %s: %s\n", name, e.msg);
    return -1;
  }
  snprintf(path, sizeof path, "%s/%s.svg", dir, name);
  int rc = write_text(path, text);
  free(text);
  return rc;
}

static const ld_request_stats *req(const ld_result *r, const char *name) {
  for (int i = 0; i < r->nreq; i++)
    if (strcmp(r->req[i].name, name) == 0) return &r->req[i];
  return NULL;
}

static void table_requests(FILE *o, const ld_result *r) {
  fprintf(o,
          "| request | count | failed | p50 ms | p95 ms | p99 ms | max ms "
          "|\n|---|---:|---:|---:|---:|---:|---:|\n");
  fprintf(o, "| **all** | %llu | %llu | %.2f | %.2f | %.2f | %.2f |\n",
          (unsigned long long)r->requests, (unsigned long long)r->errors,
          mdl_histogram_percentile(&r->lat, 50), mdl_histogram_percentile(&r->lat, 95),
          mdl_histogram_percentile(&r->lat, 99), r->lat.count ? r->lat.max_ms : 0);
  for (int i = 0; i < r->nreq; i++) {
    const ld_request_stats *q = &r->req[i];
    fprintf(o, "| %s | %llu | %llu | %.2f | %.2f | %.2f | %.2f |\n", q->name,
            (unsigned long long)q->count, (unsigned long long)q->errors,
            mdl_histogram_percentile(&q->lat, 50), mdl_histogram_percentile(&q->lat, 95),
            mdl_histogram_percentile(&q->lat, 99), q->lat.count ? q->lat.max_ms : 0);
  }
  fprintf(o, "\n");
}

static void run_facts(FILE *o, const ld_result *r) {
  fprintf(o,
          "- started %s, lasted %.0f s, %d VUs at peak, think time uniform in [%.0f, %.0f] ms, "
          "timeout %ld ms\n",
          r->timestamp, r->duration_s, r->peak_vus, r->think_min_ms, r->think_max_ms,
          r->timeout_ms);
  fprintf(o, "- %llu requests (%.1f/s), %llu failed (%.4f%%), %llu iterations\n",
          (unsigned long long)r->requests, ld_result_rps(r), (unsigned long long)r->errors,
          100 * ld_result_error_rate(r), (unsigned long long)r->iterations);
  if (r->errors) {
    fprintf(o, "- errors by type:");
    for (int t = 0; t < LD_ERR_N; t++)
      if (r->errors_by_type[t])
        fprintf(o, " %s %llu;", ld_error_type_name(t), (unsigned long long)r->errors_by_type[t]);
    fprintf(o, "\n");
  }
  if (r->load1_start >= 0)
    fprintf(o,
            "- machine load average (1 min) %.2f at the start, %.2f at the end (other engineers' "
            "work included)\n",
            r->load1_start, r->load1_end);
  mdl_host_calibration hc;
  if (ld_result_host_calibration(r, &hc, NULL) == LD_OK && hc.probes > 0)
    fprintf(o,
            "- host speed: one unit of the fixed calibration workload (models/calibration.h) took "
            "a median %.2f ms of CPU, CV %.1f%% over %lld probes (a slower host shows a larger "
            "median)\n",
            hc.median_ms, hc.cv_percent, (long long)hc.probes);
  if (r->res.samples)
    fprintf(o,
            "- server process: CPU avg %.1f%% / max %.1f%% of the machine, RSS avg %.1f MB / max "
            "%.1f MB (%llu samples)\n",
            r->res.cpu_sum / (double)r->res.samples, r->res.cpu_max,
            r->res.rss_sum / (double)r->res.samples, r->res.rss_max,
            (unsigned long long)r->res.samples);
  if (r->res.pool_samples)
    fprintf(o, "- connection pool utilisation avg %.1f%% / max %.1f%%\n",
            r->res.pool_sum / (double)r->res.pool_samples, r->res.pool_max);
  for (int i = 0; i < r->nthresholds; i++)
    fprintf(o, "- threshold `%s`: %s (value %.4g)\n", r->thresholds[i].th.expr,
            r->thresholds[i].ok ? "passed" : "**failed**", r->thresholds[i].value);
}

/* latency and throughput over time for one run */
static void over_time(FILE *o, const char *dir, const char *tag, const ld_result *r) {
  size_t n = r->npoints;
  double *x = calloc(n + 1, sizeof *x), *p50 = calloc(n + 1, sizeof *x),
         *p95 = calloc(n + 1, sizeof *x);
  double *rps = calloc(n + 1, sizeof *x), *vus = calloc(n + 1, sizeof *x),
         *rss = calloc(n + 1, sizeof *x);
  for (size_t i = 0; i < n; i++) {
    const ld_point *p = &r->points[i];
    x[i] = p->t_s / 60.0;
    p50[i] = p->lat.count ? mdl_histogram_percentile(&p->lat, 50) : -1;
    p95[i] = p->lat.count ? mdl_histogram_percentile(&p->lat, 95) : -1;
    rps[i] = (double)p->requests / r->interval_s;
    vus[i] = p->vus;
    rss[i] = p->rss_mb;
  }
  char name[256], title[256];
  bench_line l1[2] = {{"p50", x, p50, n}, {"p95", x, p95, n}};
  snprintf(name, sizeof name, "%s-latency", tag);
  snprintf(title, sizeof title, "%s: latency per %.0f s interval", tag, r->interval_s);
  if (svg(dir, name, title, "minutes", "ms", l1, 2, 0, NULL) == 0)
    fprintf(o, "![%s latency over time](load/%s.svg)\n\n", tag, name);
  bench_line l2[2] = {{"requests/s", x, rps, n}, {"active VUs", x, vus, n}};
  snprintf(name, sizeof name, "%s-throughput", tag);
  snprintf(title, sizeof title, "%s: requests/s and VUs", tag);
  if (svg(dir, name, title, "minutes", "requests/s, VUs", l2, 2, 0, NULL) == 0)
    fprintf(o, "![%s requests per second over time](load/%s.svg)\n\n", tag, name);
  if (strncmp(tag, "soak", 4) == 0) {
    bench_line l3[1] = {{"server RSS MB", x, rss, n}};
    snprintf(name, sizeof name, "%s-memory", tag);
    snprintf(title, sizeof title, "%s: server resident memory", tag);
    if (svg(dir, name, title, "minutes", "MB", l3, 1, 0, NULL) == 0)
      fprintf(o, "![%s memory over time](load/%s.svg)\n\n", tag, name);
  }
  free(x), free(p50), free(p95), free(rps), free(vus), free(rss);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

#define MAX_WINDOW 8192

/* The RSS samples (one per timeline interval) in [from_s, to_s); returns how many (<= MAX_WINDOW). */
static size_t rss_window(const ld_result *r, double from_s, double to_s, double *v) {
  size_t k = 0;
  for (size_t i = 0; i < r->npoints && k < MAX_WINDOW; i++)
    if (r->points[i].t_s >= from_s && r->points[i].t_s < to_s && r->points[i].rss_mb > 0)
      v[k++] = r->points[i].rss_mb;
  return k;
}

/* median RSS over [from_s, to_s) of the timeline; -1 when no sample */
static double rss_median(const ld_result *r, double from_s, double to_s) {
  double v[MAX_WINDOW];
  size_t k = rss_window(r, from_s, to_s, v);
  if (k == 0) return -1;
  qsort(v, k, sizeof *v, cmp_double);
  return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

/* The RSS growth goal stated with //models:significance on the raw per-interval samples of the
 * two windows: a bootstrap interval of the median ratio and a one-sided Mann-Whitney p ("the
 * later window is larger"). Consecutive samples of one process are correlated, so both are
 * optimistic about how sure the difference is; the ratio itself is exact. */
static void rss_significance(FILE *o, const ld_result *r, double b0, double b1, double c0,
                             double c1) {
  static double base[MAX_WINDOW], cur[MAX_WINDOW];
  size_t nb = rss_window(r, b0, b1, base), nc = rss_window(r, c0, c1, cur);
  mdl_mwu_result u;
  mdl_ratio_ci ci;
  mdl_err me;
  if (nb < 3 || nc < 3) return;
  if (mdl_mwu_test(base, nb, cur, nc, &u, &me) != MDL_OK ||
      mdl_bootstrap_ratio_ci(base, nb, cur, nc, 50, 0.95, 2000, 20261202, &ci, &me) != MDL_OK) {
    fprintf(o, "- RSS windows compared: %s: %s\n", me.field, me.msg);
    return;
  }
  fprintf(o,
          "- RSS last window against minutes 5-10 (%zu and %zu per-interval samples, "
          "//models:significance): median ratio %.4f, 95%% bootstrap interval [%.4f, %.4f]; "
          "Mann-Whitney one-sided p (later larger) %.3g. Consecutive samples are correlated, so "
          "the interval and p overstate the certainty; the growth goal is judged on the medians "
          "above\n",
          nb, nc, ci.ratio, ci.lo, ci.hi, u.p_greater);
}

/* The closed-model sections: standard and soak, one subsection per server. */
static void section_closed(FILE *o, const char *dir, const char *profile) {
  int soak = strcmp(profile, "soak") == 0;
  if (soak)
    fprintf(o,
            "## Soak profile (`load/profiles/soak.json`)\n\n"
            "1 minute ramp to 50 VUs, 60 minutes at 50, 30 s down; 1 s think time. Requirement: "
            "< 0.1%% failed requests, no memory growth. Goal: RSS growth ≤ 5%% after warm-up: the "
            "median RSS of the last 5 minutes at 50 VUs against the median of minutes 5-10.\n\n");
  else
    fprintf(o,
            "## Standard profile (`load/profiles/standard.json`)\n\n"
            "0 → 50 VUs over 5 minutes, 10 minutes at 50, 2 minutes down to 0; 1 s think time. "
            "Requirement: search p95 < 2,000 ms, error rate < 1%%. Goal: search p95 ≤ 50 ms and no "
            "failed request.\n\n");
  for (int s = 0; s < 2; s++) {
    char path[2048], tag[64];
    ld_result r;
    ld_err e;
    snprintf(tag, sizeof tag, "%s-%s", profile, k_servers[s]);
    snprintf(path, sizeof path, "%s/%s.json", dir, tag);
    fprintf(o, "### %s\n\n", k_servers[s]);
    if (ld_result_read(path, &r, &e) != LD_OK) {
      fprintf(o, "Not run (%s).\n\n", e.msg);
      continue;
    }
    run_facts(o, &r);
    const ld_request_stats *q = req(&r, "search");
    if (!soak && q != NULL) {
      double p95 = mdl_histogram_percentile(&q->lat, 95);
      fprintf(o,
              "- **goal** search p95 ≤ 50 ms: %.2f ms — %s; no failed request: %llu failed — %s\n",
              p95, p95 <= 50 ? "met" : "**not met**", (unsigned long long)r.errors,
              r.errors == 0 ? "met" : "**not met**");
    }
    if (soak) {
      double end_hold = 61 * 60, base = rss_median(&r, 300, 600),
             last = rss_median(&r, end_hold - 300, end_hold);
      if (base > 0 && last > 0) {
        double g = 100 * (last - base) / base;
        fprintf(o,
                "- RSS minutes 5-10: %.2f MB, last 5 minutes at 50 VUs: %.2f MB, growth %.2f%% — "
                "goal ≤ 5%%: %s\n",
                base, last, g, g <= 5 ? "met" : "**not met**");
        rss_significance(o, &r, 300, 600, end_hold - 300, end_hold);
      }
      fprintf(o, "- failed requests %.4f%% — requirement < 0.1%%: %s\n",
              100 * ld_result_error_rate(&r),
              ld_result_error_rate(&r) < 0.001 ? "met" : "**not met**");
    }
    fprintf(o, "\n");
    table_requests(o, &r);
    over_time(o, dir, tag, &r);
    ld_result_free(&r);
  }
}

static void section_capacity(FILE *o, const char *dir) {
  fprintf(
      o,
      "## Capacity profile (`load/profiles/capacity.json`)\n\n"
      "Open model (constant arrival rate, no think time), one step per rate, each held for the "
      "profile's "
      "step time; the stepping stops after the first step whose p95 passes 2 s or whose errors "
      "pass 1%%, "
      "or whose arrivals were more than 10%% dropped for lack of an idle VU (the server no longer "
      "keeps up). "
      "The **knee** is the last step that started at least 90%% of its offered iterations (an "
      "iteration is one request for codebase-mcp; workflow-mcp's create-then-get is two) within "
      "the limits. "
      "Goal: ≥ 2,000 search requests/s before p95 passes 100 ms.\n\n");
  for (int s = 0; s < 2; s++) {
    char prefix[128];
    snprintf(prefix, sizeof prefix, "capacity-%s-", k_servers[s]);
    DIR *d = opendir(dir);
    char *names[MAX_STEPS];
    int n = 0;
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL && n < MAX_STEPS)
      if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 && strstr(de->d_name, ".json") != NULL)
        names[n++] = strdup(de->d_name);
    if (d != NULL) closedir(d);
    fprintf(o, "### %s\n\n", k_servers[s]);
    if (n == 0) {
      fprintf(o, "Not run.\n\n");
      continue;
    }
    for (int i = 0; i < n; i++)
      for (int k = i + 1; k < n; k++)
        if (strcmp(names[k], names[i]) < 0) {
          char *t = names[i];
          names[i] = names[k];
          names[k] = t;
        }
    double offered[MAX_STEPS], got[MAX_STEPS], p95[MAX_STEPS];
    int steps = 0;
    double knee = -1, knee_rps = 0, knee_p95 = 0, best100 = 0, best100_rate = 0;
    fprintf(o,
            "| offered iterations/s | started iterations/s | achieved requests/s | p50 ms | p95 ms "
            "| p99 ms | errors %% | "
            "dropped | VUs busy (peak) | started |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (int i = 0; i < n; i++) {
      char path[2048];
      ld_result r;
      ld_err e;
      snprintf(path, sizeof path, "%s/%s", dir, names[i]);
      free(names[i]);
      if (ld_result_read(path, &r, &e) != LD_OK) {
        fprintf(stderr, "load_report: %s\n", e.msg);
        continue;
      }
      double a = ld_result_rps(&r), q95 = mdl_histogram_percentile(&r.lat, 95);
      double its = r.duration_s > 0 ? (double)r.iterations / r.duration_s : 0;
      fprintf(o,
              "| %.0f | %.1f | %.1f | %.2f | %.2f | %.2f | %.3f | %llu | %d | %s (load %.1f) |\n",
              r.rate_per_s, its, a, mdl_histogram_percentile(&r.lat, 50), q95,
              mdl_histogram_percentile(&r.lat, 99), 100 * ld_result_error_rate(&r),
              (unsigned long long)r.dropped, r.peak_vus, r.timestamp, r.load1_start);
      offered[steps] = r.rate_per_s;
      got[steps] = a;
      p95[steps] = q95;
      steps++;
      if (its >= 0.9 * r.rate_per_s && q95 < 2000 && ld_result_error_rate(&r) < 0.01 &&
          r.rate_per_s > knee) {
        knee = r.rate_per_s;
        knee_rps = a;
        knee_p95 = q95;
      }
      if (q95 <= 100 && a > best100) {
        best100 = a;
        best100_rate = r.rate_per_s;
      }
      ld_result_free(&r);
    }
    fprintf(o, "\n");
    if (knee > 0)
      fprintf(o,
              "- **knee**: %.0f iterations/s offered, %.1f requests/s served at p95 %.2f ms; "
              "beyond it the "
              "achieved rate stops following the offered rate and latency climbs.\n",
              knee, knee_rps, knee_p95);
    else
      fprintf(
          o,
          "- **knee**: below the first step (no step started 90%% of its offered iterations).\n");
    fprintf(o, "- most requests/s with p95 ≤ 100 ms: %.1f (offered %.0f/s)", best100, best100_rate);
    if (s == 0)
      fprintf(o, " — goal ≥ 2,000 search requests/s: %s", best100 >= 2000 ? "met" : "**not met**");
    fprintf(o, "\n\n");
    char name[128], title[160];
    bench_line l1[1] = {{"achieved requests/s", offered, got, (size_t)steps}};
    snprintf(name, sizeof name, "capacity-%s-throughput", k_servers[s]);
    snprintf(title, sizeof title, "capacity %s: achieved vs offered rate", k_servers[s]);
    if (svg(dir, name, title, "offered iterations/s", "requests/s", l1, 1, 0, NULL) == 0)
      fprintf(o, "![capacity curve %s](load/%s.svg)\n\n", k_servers[s], name);
    bench_line l2[1] = {{"p95 ms", offered, p95, (size_t)steps}};
    snprintf(name, sizeof name, "capacity-%s-latency", k_servers[s]);
    snprintf(title, sizeof title, "capacity %s: p95 latency vs offered rate", k_servers[s]);
    if (svg(dir, name, title, "offered iterations/s", "p95 ms", l2, 1, 2000, "2 s limit") == 0)
      fprintf(o, "![capacity latency %s](load/%s.svg)\n\n", k_servers[s], name);
  }
}

static void section_pool(FILE *o, const char *dir) {
  char path[2048];
  ld_result r;
  ld_err e;
  snprintf(path, sizeof path, "%s/pool-workflow-mcp.json", dir);
  fprintf(
      o,
      "## Pool behaviour (`//load:pool_test`)\n\n"
      "workflow-mcp with POOL_MAX=10, 50 VUs without think time; a side transaction locks the "
      "entities "
      "table for 3 s so the 10 connections are held and the other requests queue. The deadline is "
      "REQUEST_TIMEOUT_MS=1000 in the test to keep it short; the default is 30,000 ms (30 s, "
      "FR-025).\n\n");
  if (ld_result_read(path, &r, &e) != LD_OK) {
    fprintf(o, "Not run (%s).\n\n", e.msg);
    return;
  }
  run_facts(o, &r);
  const mdl_histogram *h = &r.err_lat[LD_ERR_HTTP503];
  fprintf(o,
          "- 503 answers: %llu, the fastest after %.1f ms and the slowest after %.1f ms (deadline "
          "1,000 ms): "
          "only requests that waited past the deadline got 503\n\n",
          (unsigned long long)r.errors_by_type[LD_ERR_HTTP503], h->count ? h->min_ms : 0,
          h->count ? h->max_ms : 0);
  over_time(o, dir, "pool-workflow-mcp", &r);
  ld_result_free(&r);
}

static void section_wrk(FILE *o, const char *dir) {
  char path[2048];
  snprintf(path, sizeof path, "%s/wrk_compare.json", dir);
  char *t = read_text(path);
  cJSON *j = t != NULL ? cJSON_Parse(t) : NULL;
  free(t);
  fprintf(o, "## The generator against wrk (`//load:wrk_compare`)\n\n");
  const cJSON *w = cJSON_GetObjectItem(j, "wrk_rps"), *l = cJSON_GetObjectItem(j, "loadgen_rps");
  if (!cJSON_IsNumber(w) || !cJSON_IsNumber(l)) {
    fprintf(o, "Not run.\n\n");
  } else {
    double ratio = l->valuedouble / w->valuedouble;
    fprintf(o,
            "GET /health of codebase-mcp, 50 connections, 2 threads, no think time, two "
            "alternating 5 s rounds "
            "of each tool in the same run: wrk %.1f requests/s, loadgen %.1f requests/s, ratio "
            "%.3f — goal "
            "≥ 0.67: %s.\n\n",
            w->valuedouble, l->valuedouble, ratio, ratio >= 0.67 ? "met" : "**not met**");
  }
  cJSON_Delete(j);
}

int main(int argc, char **argv) {
  const char *dir = NULL, *out = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--results") == 0)
      dir = argv[i + 1];
    else if (strcmp(argv[i], "--out") == 0)
      out = argv[i + 1];
    else {
      fprintf(stderr, "load_report: unknown flag %s (use --results DIR --out FILE)\n", argv[i]);
      return 2;
    }
  }
  if (dir == NULL || out == NULL) {
    fprintf(stderr, "load_report: usage: load_report --results DIR --out FILE.md\n");
    return 2;
  }
  char mpath[2048];
  snprintf(mpath, sizeof mpath, "%s/machine.json", dir);
  char *mt = read_text(mpath);
  if (mt == NULL) {
    bench_machine m;
    bench_machine_describe(&m);
    cJSON *mj = bench_machine_to_json(&m);
    char *txt = cJSON_Print(mj);
    write_text(mpath, txt);
    free(txt);
    cJSON_Delete(mj);
    mt = read_text(mpath);
  }
  cJSON *mj = mt != NULL ? cJSON_Parse(mt) : NULL;
  free(mt);
  FILE *o = fopen(out, "w");
  if (o == NULL) {
    fprintf(stderr, "load_report: cannot write %s: %m\n", out);
    return 1;
  }
  fprintf(
      o,
      "# Load testing report (US3)\n\n"
      "Generated by `bazel run //load:load_report -- --results docs/performance/load --out "
      "docs/performance/load-testing-report.md` from the result files in `docs/performance/load/` "
      "(LoadTestResult JSON written by `//load:load_profile` and the load tests). Do not edit by "
      "hand.\n\n");
  const cJSON *cpu = cJSON_GetObjectItem(mj, "cpu_model"),
              *cores = cJSON_GetObjectItem(mj, "cores");
  const cJSON *mem = cJSON_GetObjectItem(mj, "memory_mb"),
              *kern = cJSON_GetObjectItem(mj, "kernel");
  fprintf(o,
          "**Machine**: %s, %d cores, %.0f MB, Linux %s. Each run's start time is in its section "
          "(UTC).\n\n",
          cJSON_IsString(cpu) ? cpu->valuestring : "unknown",
          cJSON_IsNumber(cores) ? cores->valueint : 0, cJSON_IsNumber(mem) ? mem->valuedouble : 0,
          cJSON_IsString(kern) ? kern->valuestring : "unknown");
  cJSON_Delete(mj);
  char npath[2048];
  snprintf(npath, sizeof npath, "%s/notes.md", dir);
  char *notes = read_text(npath);
  if (notes != NULL) {
    fprintf(o, "%s\n", notes);
    free(notes);
  }
  fprintf(o,
          "Latency percentiles are histogram-derived: the project's rank method (models/stats.h) "
          "applied to "
          "the constant-memory histogram of models/histogram.h (8 buckets per doubling, within "
          "~9%% of the sample "
          "value; min, max and mean exact). CPU %% is of the whole machine (all cores), for the "
          "server process "
          "only (PostgreSQL's own processes are not included).\n\n");
  section_closed(o, dir, "standard");
  section_closed(o, dir, "soak");
  section_capacity(o, dir);
  section_pool(o, dir);
  section_wrk(o, dir);
  return fclose(o) == 0 ? 0 : 1;
}
