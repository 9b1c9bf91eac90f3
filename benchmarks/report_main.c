/* report_main.c — `bazel run //benchmarks:report`: docs/performance/validation-report.md and its
 * latency histogram pictures (docs/performance/<operation>-latency.svg), baseline vs current.
 *
 *   bazel run //benchmarks:report -- [--baseline PATH] [--out DIR] [--scale PATH] [--notes PATH]
 *                                    [INPUT ...]
 *
 * INPUTs are the current run (result files, directories, outputs.zip; collect.h); default: the
 * zips of the last `bazel test` of //benchmarks. Without any current run the report shows the
 * baseline alone and says so. --scale names the 50,000-file edge-case result (default
 * docs/performance/scale.json, optional). --notes names hand-written findings included verbatim
 * under "Findings" (default docs/performance/notes.md, optional). Paths are relative to the
 * workspace. Exit 0 on success, 2 on usage or I/O errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchmarks/collect.h"
#include "benchmarks/compare.h"
#include "benchmarks/svg.h"

/* US1 goals of the issue (ours, far beyond the requirement), p95 in ms. */
static double goal_ms(mdl_operation_type op) {
  switch (op) {
    case MDL_OP_INDEX:
      return 6000.0;
    case MDL_OP_SEARCH:
      return 15.0;
    case MDL_OP_SEARCH_LOWVOCAB:
      return 50.0;
    case MDL_OP_PROJECT_SWITCH:
      return 2.0;
    case MDL_OP_ENTITY_QUERY:
      return 5.0;
    default:
      return 0;
  }
}

static const char *op_title(mdl_operation_type op) {
  switch (op) {
    case MDL_OP_INDEX:
      return "Index 10,000 files (codebase-mcp)";
    case MDL_OP_SEARCH:
      return "Code search, 10 concurrent clients (codebase-mcp)";
    case MDL_OP_SEARCH_LOWVOCAB:
      return "Code search, low-vocabulary corpus (>= 100k matches per query), 10 clients "
             "(codebase-mcp)";
    case MDL_OP_PROJECT_SWITCH:
      return "Project switch among 5 projects (workflow-mcp)";
    case MDL_OP_ENTITY_QUERY:
      return "Entity query with JSONB filters (workflow-mcp)";
    default:
      return "?";
  }
}

static double param_num(const mdl_benchmark_result *r, const char *key) {
  const mdl_param *p = mdl_params_get(&r->test_parameters, key);
  if (p == NULL) return NAN;
  return p->kind == MDL_PARAM_INT ? (double)p->i : p->kind == MDL_PARAM_FLOAT ? p->f : NAN;
}

static void cell(char *b, size_t n, int has, double v) {
  if (has && isfinite(v))
    snprintf(b, n, "%.2f", v);
  else
    snprintf(b, n, "—");
}

static void side_line(FILE *f, const char *label, const bench_set *s) {
  const cJSON *m = s->machine;
  const cJSON *cpu = m ? cJSON_GetObjectItemCaseSensitive(m, "cpu_model") : NULL;
  const cJSON *cores = m ? cJSON_GetObjectItemCaseSensitive(m, "cores") : NULL;
  const cJSON *mem = m ? cJSON_GetObjectItemCaseSensitive(m, "memory_mb") : NULL;
  const cJSON *kern = m ? cJSON_GetObjectItemCaseSensitive(m, "kernel") : NULL;
  fprintf(f, "| %s | %s | %s | %s, %d cores, %d MB RAM, Linux %s |\n", label,
          s->commit[0] ? s->commit : "—", s->measured_at[0] ? s->measured_at : "—",
          cJSON_IsString(cpu) ? cpu->valuestring : "unknown",
          cJSON_IsNumber(cores) ? cores->valueint : 0, cJSON_IsNumber(mem) ? mem->valueint : 0,
          cJSON_IsString(kern) ? kern->valuestring : "?");
}

static void scale_section(FILE *f, const char *path) {
  char *text = NULL;
  cJSON *j = NULL;
  fprintf(f, "\n## Edge case: 10,000 → 50,000 files\n\n");
  if (bench_read_file(path, &text, NULL, NULL) != BENCH_OK || (j = cJSON_Parse(text)) == NULL) {
    fprintf(f,
            "Not measured yet: run `bazel test //benchmarks:scale_50k` (manual, ~minutes), then "
            "copy `scale.json` from its outputs.zip to `%s` and regenerate this report.\n",
            path);
    goto cleanup;
  }
  const cJSON *pts = cJSON_GetObjectItemCaseSensitive(j, "points"), *p;
  fprintf(f,
          "| files | index time s | files/s | server CPU s | load (1 min) | server RSS MB (peak) "
          "| RSS growth MB | server RSS MB serving searches | database MB |\n");
  fprintf(f, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  cJSON_ArrayForEach(p, pts) {
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(p, "files");
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(p, "seconds");
    const cJSON *rss = cJSON_GetObjectItemCaseSensitive(p, "rss_peak_mb");
    const cJSON *grow = cJSON_GetObjectItemCaseSensitive(p, "rss_growth_mb");
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(p, "database_mb");
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(p, "server_cpu_seconds");
    const cJSON *load = cJSON_GetObjectItemCaseSensitive(p, "machine_load_1m");
    const cJSON *serving = cJSON_GetObjectItemCaseSensitive(p, "rss_serving_mb");
    char c1[32], c2[32], c3[32];
    cell(c1, sizeof c1, cJSON_IsNumber(cpu), cJSON_IsNumber(cpu) ? cpu->valuedouble : 0);
    cell(c2, sizeof c2, cJSON_IsNumber(load), cJSON_IsNumber(load) ? load->valuedouble : 0);
    cell(c3, sizeof c3, cJSON_IsNumber(serving),
         cJSON_IsNumber(serving) ? serving->valuedouble : 0);
    double s = cJSON_IsNumber(sec) ? sec->valuedouble : NAN;
    double n = cJSON_IsNumber(files) ? files->valuedouble : NAN;
    fprintf(f, "| %.0f | %.2f | %.0f | %s | %s | %.1f | %.1f | %s | %.1f |\n", n, s,
            s > 0 ? n / s : NAN, c1, c2, cJSON_IsNumber(rss) ? rss->valuedouble : NAN,
            cJSON_IsNumber(grow) ? grow->valuedouble : NAN, c3,
            cJSON_IsNumber(db) ? db->valuedouble : NAN);
  }
  const cJSON *finding = cJSON_GetObjectItemCaseSensitive(j, "finding");
  if (cJSON_IsString(finding)) fprintf(f, "\n%s\n", finding->valuestring);
cleanup:
  cJSON_Delete(j);
  free(text);
}

int main(int argc, char **argv) {
  const char *baseline_path = "docs/performance/baseline.json";
  const char *out_dir = "docs/performance", *scale_path = "docs/performance/scale.json";
  const char *notes_path = "docs/performance/notes.md";
  const char *inputs[64];
  char defaults[8][1024];
  size_t n = 0;
  bench_set base, cur;
  bench_comparison cmp;
  bench_err err;
  FILE *f = NULL;
  char path[1200];
  int status = 2;
  memset(&base, 0, sizeof base);
  memset(&cur, 0, sizeof cur);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
      baseline_path = argv[++i];
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out_dir = argv[++i];
    else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
      scale_path = argv[++i];
    else if (strcmp(argv[i], "--notes") == 0 && i + 1 < argc)
      notes_path = argv[++i];
    else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: report [--baseline PATH] [--out DIR] [--scale PATH] [INPUT ...]\n");
      return 2;
    } else if (n < 64)
      inputs[n++] = argv[i];
  }
  const char *ws = getenv("BUILD_WORKSPACE_DIRECTORY");
  if (ws != NULL && chdir(ws) != 0) {
    fprintf(stderr, "report: cannot enter the workspace %s\n", ws);
    return 2;
  }
  int from_testlogs = n == 0;
  if (n == 0) {
    size_t k = bench_default_run_inputs(".", defaults, 8);
    for (size_t i = 0; i < k; i++) inputs[n++] = defaults[i];
  }
  if (bench_set_load(baseline_path, 1, &base, &err) != BENCH_OK ||
      (n > 0 && bench_collect(inputs, n, &cur, &err) != BENCH_OK)) {
    fprintf(stderr, "report: %s\n", err.msg);
    goto cleanup;
  }
  if (n > 0) snprintf(cur.source, sizeof cur.source, "%s%s", inputs[0], n > 1 ? " (+ more)" : "");
  /* Tests run sandboxed, without the repository, so their records carry no commit. This run's
   * own test logs were built from the workspace's HEAD: name it. */
  if (from_testlogs && cur.present && cur.commit[0] == '\0')
    bench_git_commit(".", cur.commit, sizeof cur.commit);
  bench_compare(&base, &cur, &cmp);

  snprintf(path, sizeof path, "%s/validation-report.md", out_dir);
  f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "report: cannot create %s\n", path);
    goto cleanup;
  }
  char now[MDL_TIME_LEN];
  mdl_time_now(now);
  fprintf(f, "# US1 performance validation report\n\n");
  fprintf(f,
          "_Generated by `bazel run //benchmarks:report` at %s from the baseline `%s` and %s. "
          "Do not edit by hand; see [README](README.md) for how the figures are made._\n\n",
          now, baseline_path, n > 0 ? "the current run's artifacts" : "no current run");
  if (!cur.present)
    fprintf(f,
            "> No current run was found (run `bazel test //benchmarks:all` first); the tables show "
            "the baseline only.\n\n");
  fprintf(f, "| set | commit | measured at | machine |\n|---|---|---|---|\n");
  if (base.present) side_line(f, "baseline", &base);
  if (cur.present) side_line(f, "current", &cur);
  fprintf(f, "\n**Regression verdict (FR-018/FR-021): %s** — %s.\n",
          bench_verdict_name(cmp.verdict), cmp.summary);

  char *notes = NULL;
  if (bench_read_file(notes_path, &notes, NULL, NULL) == BENCH_OK) {
    fprintf(f, "\n## Findings\n\n_From `%s` (written by hand)._\n\n%s\n", notes_path, notes);
    free(notes);
  }

  fprintf(f, "\n## Latency percentiles (ms), baseline vs current\n\n");
  fprintf(f,
          "| operation | samples (base / cur) | p50 base | p50 cur | p95 base | p95 cur | p99 base "
          "| p99 cur | p95 target | p95 goal | p95 verdict |\n");
  fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    int hb = base.has[op], hc = cur.has[op];
    if (!hb && !hc) continue;
    const mdl_benchmark_result *b = &base.results[op], *c = &cur.results[op];
    char c1[32], c2[32], c3[32], c4[32], c5[32], c6[32];
    cell(c1, 32, hb, b->latency_p50_ms);
    cell(c2, 32, hc, c->latency_p50_ms);
    cell(c3, 32, hb, b->latency_p95_ms);
    cell(c4, 32, hc, c->latency_p95_ms);
    cell(c5, 32, hb, b->latency_p99_ms);
    cell(c6, 32, hc, c->latency_p99_ms);
    const char *verdict = "—";
    for (size_t i = 0; i < cmp.n; i++)
      if (cmp.rows[i].op == (mdl_operation_type)op && strcmp(cmp.rows[i].statistic, "p95") == 0)
        verdict = bench_verdict_name(cmp.rows[i].verdict);
    fprintf(f, "| %s | %lld / %lld | %s | %s | %s | %s | %s | %s | < %.0f | ≤ %.0f | %s |\n",
            mdl_operation_type_name((mdl_operation_type)op), hb ? (long long)b->sample_size : 0LL,
            hc ? (long long)c->sample_size : 0LL, c1, c2, c3, c4, c5, c6,
            bench_spec_target_ms((mdl_operation_type)op), goal_ms((mdl_operation_type)op), verdict);
  }

  fprintf(f, "\n## Distribution (ms)\n\n");
  fprintf(f,
          "| operation | set | mean | min | max | median | stddev | CV %% | IQR | outliers >1σ | "
          "outliers >1.5 IQR | ops/s | rounds |\n");
  fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    for (int side = 0; side < 2; side++) {
      const bench_set *s = side == 0 ? &base : &cur;
      if (!s->has[op]) continue;
      const mdl_benchmark_result *r = &s->results[op];
      static const char *const keys[] = {"median_ms",      "stddev_ms",       "cv_percent",
                                         "iqr_ms",         "outliers_stddev", "outliers_iqr",
                                         "ops_per_second", "rounds"};
      fprintf(f, "| %s | %s | %.2f | %.2f | %.2f |",
              mdl_operation_type_name((mdl_operation_type)op), side == 0 ? "baseline" : "current",
              r->latency_mean_ms, r->latency_min_ms, r->latency_max_ms);
      for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char c[32];
        double v = param_num(r, keys[k]);
        cell(c, sizeof c, 1, v);
        if (k >= 4 && k != 6 && isfinite(v)) snprintf(c, sizeof c, "%.0f", v);
        fprintf(f, " %s |", c);
      }
      fprintf(f, "\n");
    }
  }

  fprintf(f, "\n## Run parameters and side figures\n\n");
  for (int side = 0; side < 2; side++) {
    const bench_set *s = side == 0 ? &base : &cur;
    for (int op = 0; op < MDL_OP_COUNT; op++) {
      if (!s->has[op]) continue;
      const mdl_params *ps = &s->results[op].test_parameters;
      fprintf(f, "- **%s, %s**:", mdl_operation_type_name((mdl_operation_type)op),
              side == 0 ? "baseline" : "current");
      for (size_t i = 0; i < ps->count; i++) {
        const mdl_param *p = &ps->items[i];
        if (strncmp(p->key, "machine_cpu", 11) == 0 || strcmp(p->key, "percentile_method") == 0)
          continue;
        if (p->kind == MDL_PARAM_STRING)
          fprintf(f, "%s %s = %s", i ? "," : "", p->key, p->str);
        else if (p->kind == MDL_PARAM_INT)
          fprintf(f, "%s %s = %lld", i ? "," : "", p->key, (long long)p->i);
        else
          fprintf(f, "%s %s = %.2f", i ? "," : "", p->key, p->f);
      }
      fprintf(f, "\n");
    }
  }

  fprintf(f,
          "\n## Latency histograms\n\nGrey: baseline, blue: current (share of each set's samples "
          "per bin); dashed lines mark each set's p95, the red line the target when it is in "
          "range.\n");
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    size_t nb = 0, nc = 0;
    double *vb = bench_numbers(bench_set_samples(&base, (mdl_operation_type)op), &nb, NULL);
    double *vc = bench_numbers(bench_set_samples(&cur, (mdl_operation_type)op), &nc, NULL);
    char lb[96], lc[96], name[64];
    snprintf(lb, sizeof lb, "baseline %s", base.commit[0] ? base.commit : "");
    snprintf(lc, sizeof lc, "current %s", cur.commit[0] ? cur.commit : "");
    bench_series sb = {lb, vb, nb}, sc = {lc, vc, nc};
    char *svg = NULL;
    const char *opname = mdl_operation_type_name((mdl_operation_type)op);
    snprintf(name, sizeof name, "%s-latency.svg", opname);
    int bins = (nb + nc) < 40 ? 8 : 24;
    if ((nb > 0 || nc > 0) &&
        bench_svg_histogram(op_title((mdl_operation_type)op), &sb, &sc, bins,
                            bench_spec_target_ms((mdl_operation_type)op), &svg, &err) == BENCH_OK) {
      snprintf(path, sizeof path, "%s/%s", out_dir, name);
      if (bench_write_file(path, svg, &err) != BENCH_OK) fprintf(stderr, "report: %s\n", err.msg);
      fprintf(f, "\n### %s\n\n![%s latency histogram](%s)\n", op_title((mdl_operation_type)op),
              opname, name);
    } else if (base.has[op] || cur.has[op]) {
      fprintf(f, "\n### %s\n\nNo raw samples recorded for this operation.\n",
              op_title((mdl_operation_type)op));
    }
    free(svg);
    free(vb);
    free(vc);
  }
  scale_section(f, scale_path);
  fprintf(f,
          "\n## Method\n\nPercentiles: linear interpolation between closest ranks (numpy "
          "`linear`, Hyndman–Fan type 7), computed by `//models` for every figure here. Standard "
          "deviation is the sample standard deviation; CV = stddev / mean. Each benchmark runs on "
          "its own PostgreSQL cluster and real server processes over HTTP on loopback.\n");
  if (fclose(f) != 0) {
    f = NULL;
    fprintf(stderr, "report: cannot write %s\n", path);
    goto cleanup;
  }
  f = NULL;
  printf("report written to %s/validation-report.md (%s)\n", out_dir, cmp.summary);
  status = 0;
cleanup:
  if (f != NULL) fclose(f);
  bench_set_free(&base);
  bench_set_free(&cur);
  return status;
}
