/* report_main.c — docs/operations/resilience-validation-report.md from the measured records.
 *
 *   resilience_report --out FILE [--when TEXT] [--commit SHA] [--machine TEXT]
 *                     DIR[=LOG] ...
 *
 * Each DIR holds one test target's artifacts (its outputs.zip unpacked; report.sh does that for
 * every //resilience target): PerformanceBenchmarkResult and LoadTestResult JSON files, each
 * parsed and validated with //models (an invalid record is an error, never skipped silently).
 * LOG (optional) is that target's test.log: its result lines (gtest's OK / FAILED) and the lines
 * the tests print with their figures are quoted verbatim, so nothing in the report is typed by
 * hand. Exit 0, or 1 with a message naming the file and the rule. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/benchmark_result.h"
#include "models/load_result.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s != NULL && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s != NULL) s[n] = '\0';
  fclose(f);
  return s;
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void param_text(const mdl_param *p, char *buf, size_t n) {
  if (p->kind == MDL_PARAM_STRING)
    snprintf(buf, n, "%s", p->str);
  else if (p->kind == MDL_PARAM_INT)
    snprintf(buf, n, "%lld", (long long)p->i);
  else
    snprintf(buf, n, "%.2f", p->f);
}

/* The summary table, filled while the sections are written and printed at the end. */
static FILE *g_summary;
static const char *g_target; /* the section being written */

/* Statistics bench_result_build adds to every record: noise for a table of three faults. */
static int skipped_param(const char *k) {
  static const char *const skip[] = {"median_ms",
                                     "stddev_ms",
                                     "iqr_ms",
                                     "cv_percent",
                                     "outliers_stddev",
                                     "outliers_iqr",
                                     "ops_per_second",
                                     "rounds",
                                     "warmup_rounds",
                                     "percentile_method",
                                     NULL};
  if (strncmp(k, "machine_", 8) == 0) return 1;
  for (int i = 0; skip[i] != NULL; i++)
    if (strcmp(k, skip[i]) == 0) return 1;
  return 0;
}

static int benchmark(FILE *out, const char *name, const cJSON *j, const char *path) {
  mdl_benchmark_result r;
  mdl_err me;
  if (mdl_benchmark_result_from_json(j, &r, &me) != MDL_OK) {
    fprintf(stderr, "resilience_report: %s: field %s: %s\n", path, me.field, me.msg);
    return -1;
  }
  fprintf(out,
          "**%s** (PerformanceBenchmarkResult, %s, %s, %s): n=%lld, p50 %.2f ms, p95 %.2f ms, "
          "max %.2f ms, threshold %.0f ms → **%s**\n\n",
          name, mdl_server_id_name(r.server_id), mdl_operation_type_name(r.operation_type),
          r.timestamp, (long long)r.sample_size, r.latency_p50_ms, r.latency_p95_ms,
          r.latency_max_ms, r.target_threshold_ms, mdl_pass_status_name(r.pass_status));
  fprintf(out, "| parameter | value |\n|---|---|\n");
  for (size_t i = 0; i < r.test_parameters.count; i++) {
    const mdl_param *p = &r.test_parameters.items[i];
    if (skipped_param(p->key)) continue;
    char v[512];
    param_text(p, v, sizeof v);
    fprintf(out, "| %s | %s |\n", p->key, v);
  }
  fprintf(out, "\n");
  const mdl_param *goal = mdl_params_get(&r.test_parameters, "goal_ms");
  char goal_txt[64] = "—";
  if (goal != NULL) {
    double g = goal->kind == MDL_PARAM_INT ? (double)goal->i : goal->f;
    snprintf(goal_txt, sizeof goal_txt, "%.0f ms: %s", g, r.latency_max_ms <= g ? "met" : "missed");
  }
  fprintf(g_summary, "| %s | %s | %s | %lld | %.0f | %.0f | %.0f ms | %s | %s |\n", g_target, name,
          mdl_server_id_name(r.server_id), (long long)r.sample_size, r.latency_p50_ms,
          r.latency_max_ms, r.target_threshold_ms, mdl_pass_status_name(r.pass_status), goal_txt);
  mdl_benchmark_result_free(&r);
  return 0;
}

static int load(FILE *out, const char *name, const cJSON *j, const char *path) {
  mdl_load_result r;
  mdl_err me;
  if (mdl_load_result_from_json(j, &r, &me) != MDL_OK) {
    fprintf(stderr, "resilience_report: %s: field %s: %s\n", path, me.field, me.msg);
    return -1;
  }
  fprintf(out,
          "**%s** (LoadTestResult, %s, %s): %s — %lld clients, %.1f s, %lld requests, %lld "
          "acknowledged, %lld not (success rate %.2f%%); latency avg %.2f / p95 %.2f / max %.2f "
          "ms; server CPU %.2f%%, RSS avg %.2f / max %.2f MB, pool utilisation avg %.2f / max "
          "%.2f%%\n\n",
          name, mdl_server_id_name(r.server_id), r.timestamp, r.test_scenario,
          (long long)r.concurrent_clients, r.test_duration_seconds, (long long)r.total_requests,
          (long long)r.successful_requests, (long long)r.failed_requests,
          mdl_load_result_success_rate_percent(&r), r.latency_avg_ms, r.latency_p95_ms,
          r.latency_max_ms, r.resource_usage.cpu_percent_avg, r.resource_usage.memory_mb_avg,
          r.resource_usage.memory_mb_max, r.resource_usage.connection_pool_utilization_avg,
          r.resource_usage.connection_pool_utilization_max);
  fprintf(out, "| outcome | count | share |\n|---|---|---|\n");
  for (size_t i = 0; i < r.error_breakdown_count; i++)
    fprintf(out, "| %s | %lld | %.2f%% |\n", r.error_breakdown[i].error_type,
            (long long)r.error_breakdown[i].count, r.error_breakdown[i].percentage);
  fprintf(out, "\n");
  mdl_load_result_free(&r);
  return 0;
}

/* Quotes a test log's result lines and figure lines (everything the tests print that is not
 * gtest's own framing). */
static void quote_log(FILE *out, const char *path) {
  char *text = slurp(path);
  if (text == NULL) {
    fprintf(out, "(no test log)\n\n");
    return;
  }
  fprintf(out, "```\n");
  int in_body = 0;
  for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    if (strncmp(line, "[==========] Running", 19) == 0) in_body = 1;
    if (!in_body) continue;
    if (strncmp(line, "[ RUN", 5) == 0 || strncmp(line, "[----", 5) == 0 ||
        strncmp(line, "[==========]", 12) == 0 || strncmp(line, "Running main", 12) == 0)
      continue;
    fprintf(out, "%s\n", line);
  }
  fprintf(out, "```\n\n");
  free(text);
}

static int section(FILE *out, const char *arg) {
  char dir[2048];
  const char *log = strchr(arg, '=');
  size_t dn = log ? (size_t)(log - arg) : strlen(arg);
  snprintf(dir, sizeof dir, "%.*s", (int)dn, arg);
  const char *target = strrchr(dir, '/');
  target = target ? target + 1 : dir;
  fprintf(out, "### //resilience:%s\n\n", target);
  g_target = target;
  if (log != NULL) quote_log(out, log + 1);
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(out, "(no artifacts)\n\n");
    return 0;
  }
  char *names[256];
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL && n < 256;) {
    size_t l = strlen(e->d_name);
    if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char path[4096], name[256];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
    char *text = slurp(path);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (j == NULL) {
      fprintf(stderr, "resilience_report: %s is not JSON\n", path);
      rc = -1;
    } else if (cJSON_GetObjectItemCaseSensitive(j, "benchmark_id") != NULL) {
      if (benchmark(out, name, j, path) != 0) rc = -1;
    } else if (cJSON_GetObjectItemCaseSensitive(j, "test_id") != NULL) {
      if (load(out, name, j, path) != 0) rc = -1;
    }
    cJSON_Delete(j);
    free(names[i]);
  }
  return rc;
}

int main(int argc, char **argv) {
  const char *out_path = NULL, *when = "unknown", *commit = "unknown", *machine = "unknown";
  int first = argc;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out_path = argv[++i];
    else if (strcmp(argv[i], "--when") == 0 && i + 1 < argc)
      when = argv[++i];
    else if (strcmp(argv[i], "--commit") == 0 && i + 1 < argc)
      commit = argv[++i];
    else if (strcmp(argv[i], "--machine") == 0 && i + 1 < argc)
      machine = argv[++i];
    else {
      first = i;
      break;
    }
  }
  if (out_path == NULL || first >= argc) {
    fprintf(stderr,
            "usage: resilience_report --out FILE [--when TEXT] [--commit SHA] [--machine TEXT] "
            "DIR[=TEST_LOG] ...\n  (bash resilience/report.sh runs it on every //resilience "
            "target's outputs)\n");
    return 2;
  }
  FILE *out = fopen(out_path, "w");
  if (out == NULL) {
    fprintf(stderr, "resilience_report: cannot write %s\n", out_path);
    return 1;
  }
  fprintf(out,
          "# Resilience validation report (US4)\n\n"
          "Generated by `bash resilience/report.sh` from the records the `//resilience` targets "
          "wrote (each validated with `//models`) and the figure lines of their test logs; "
          "nothing below is typed by hand.\n\n"
          "- measured: %s\n- commit: %s\n- machine: %s\n\n"
          "Requirements: SC-008 detection ≤ 5 s, recovery ≤ 10 s, zero lost acknowledged "
          "writes; SC-009 isolation within the latency targets; FR-016 pool exhaustion; SC-014 "
          "start-up messages; T037 recovery logs. Our goals: detection ≤ 1 s, recovery ≤ 2 s "
          "after PostgreSQL is back, zero lost acknowledged writes over 20 outages (the "
          "`goal_ms` parameter of each record; the manual targets run the 20 outages).\n\n"
          "How to read the figures: *detection* is the first failure event in the server's log "
          "(`db_connection_lost`, `pool_connections_reset`, `pool_connection_discarded`, "
          "`index_batch_retry`) minus the instant the test began the fault. *Recovery* is "
          "measured from the instant PostgreSQL was back (the test's `tst_pg_restart` returned, "
          "or the DROP rule was deleted; for terminated backends, which never take the database "
          "away, the `pg_terminate_backend` call): in the index targets to the first recovery "
          "event at or after that instant (`db_connection_recovered`, `pool_connections_reset`, "
          "`index_batch_resumed` — when the pool had already reconnected, this is the job's "
          "first batch written again, after its own backoff); in the workflow targets to "
          "`db_connection_recovered`, 0 when the pool had reconnected before the test saw "
          "PostgreSQL accept connections. In the set test, a write answered 503 may still have "
          "committed (its COMMIT's reply was lost); such items are counted as \"present "
          "anyway\", never as lost.\n\n"
          "How the faults are made: [incident-response.md](incident-response.md), "
          "`resilience/README.md`.\n\n"
          "## Results by target\n\n",
          when, commit, machine);
  char *summary = NULL;
  size_t summary_len = 0;
  g_summary = open_memstream(&summary, &summary_len);
  if (g_summary == NULL) {
    fprintf(stderr, "resilience_report: out of memory\n");
    fclose(out);
    return 1;
  }
  int rc = 0;
  for (int i = first; i < argc; i++)
    if (section(out, argv[i]) != 0) rc = 1;
  fclose(g_summary);
  fprintf(out,
          "## Summary of the timed records\n\n"
          "p50 and max in ms; threshold = the requirement (pass when p95 < threshold); goal = "
          "ours, met when the max is within it.\n\n"
          "| target | record | server | n | p50 | max | threshold | verdict | goal |\n"
          "|---|---|---|---|---|---|---|---|---|\n%s\n",
          summary ? summary : "");
  free(summary);
  if (fclose(out) != 0) rc = 1;
  return rc;
}
