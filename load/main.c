/* main.c — the loadgen command: `loadgen run ...` (default) and `loadgen merge`.
 *
 *   loadgen --url http://127.0.0.1:8020 --scenario mix.json --stage 30s:50 --stage 1m:50 \
 *           [--think 1s] [--think-jitter 0.5] [--timeout 30s] [--threshold 'p95<2000'] \
 *           [--threshold 'error_rate<0.01,abortOnFail'] [--out result.json] [--pid N]...
 *   loadgen --url ... --scenario ... --rate 200/s --duration 30s [--max-vus 100]
 *   loadgen --url ... --get /health --vus 10 --duration 10s --think 0     (one-request scenario)
 *   loadgen merge --out all.json shard0.json shard1.json ...
 * Exit status: 0 ok; 99 a threshold failed (also when abortOnFail stopped the run), as in k6;
 * 2 bad usage (flag, stage, scenario, threshold); 3 target unreachable; 1 anything else. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/engine.h"
#include "load/summary.h"

#define EXIT_THRESHOLD 99
#define EXIT_USAGE 2
#define EXIT_UNREACH 3

static volatile int g_stop;
static void on_sigint(int s) {
  (void)s;
  g_stop = 1;
}

static void usage(FILE *f) {
  fputs(
      "usage: loadgen [run] --url URL (--scenario FILE | --get PATH) [options]\n"
      "       loadgen merge --out FILE SHARD.json...\n"
      "load model (closed, k6 ramping-vus):\n"
      "  --stage DURATION:VUS   ramp to VUS over DURATION (repeatable), e.g. --stage 30s:50\n"
      "  --vus N --duration D   constant N VUs for D\n"
      "  --think D              think time between iterations (default 1s)\n"
      "  --think-jitter F       think time is uniform in [D, D*(1+F)], F in 0..1 (default 0.5)\n"
      "load model (open, k6 constant-arrival-rate):\n"
      "  --rate N/s --duration D [--max-vus N]   start N iterations a second; an arrival with\n"
      "                         no idle VU counts as dropped\n"
      "options:\n"
      "  --timeout D            per-request timeout (default 30s)\n"
      "  --threshold EXPR       p95<2000, p(99)<500, avg<, max<, error_rate<0.01, rps>N;\n"
      "                         append ,abortOnFail to stop at the first failure; exit 99\n"
      "  --server-id ID         codebase-mcp (default) or workflow-mcp, for the result\n"
      "  --pid N                sample CPU / RSS of this process (repeatable)\n"
      "  --health-url URL       pool utilisation source (default URL/health; \"\" none)\n"
      "  --shard i/n            run shard i of n (merge the n results with loadgen merge)\n"
      "  --threads N            event loops (default: cores, at most 4)\n"
      "  --interval D           timeline resolution (default 1s)\n"
      "  --out FILE             write the LoadTestResult JSON (\"-\": stdout)\n"
      "  --seed N               random seed (flow choice, values, think jitter)\n"
      "  --quiet                no progress line and no summary\n",
      f);
}

static int usage_error(const char *msg) {
  fprintf(stderr, "loadgen: %s\n(run loadgen --help for the options)\n", msg);
  return EXIT_USAGE;
}

static int do_merge(int argc, char **argv) {
  const char *out = NULL;
  ld_result acc;
  int have = 0, rc = 1;
  ld_err err;
  memset(&acc, 0, sizeof acc);
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
      continue;
    }
    if (argv[i][0] == '-' && argv[i][1] == '-') {
      char m[256];
      snprintf(m, sizeof m, "merge: unknown flag %s", argv[i]);
      ld_result_free(&acc);
      return usage_error(m);
    }
    ld_result r;
    if (ld_result_read(argv[i], &r, &err) != LD_OK) {
      fprintf(stderr, "loadgen merge: %s\n", err.msg);
      ld_result_free(&acc);
      return err.code == LD_EINVAL ? EXIT_USAGE : 1;
    }
    if (!have) {
      acc = r;
      have = 1;
      continue;
    }
    int m = ld_result_merge(&acc, &r, &err);
    ld_result_free(&r);
    if (m != LD_OK) {
      fprintf(stderr, "loadgen merge: %s: %s\n", argv[i], err.msg);
      ld_result_free(&acc);
      return EXIT_USAGE;
    }
  }
  if (!have) {
    ld_result_free(&acc);
    return usage_error("merge: give the shard result files to merge");
  }
  acc.shard_index = 0;
  acc.shard_count = 1;
  if (ld_result_write(&acc, out != NULL ? out : "-", &err) != LD_OK) {
    fprintf(stderr, "loadgen merge: %s\n", err.msg);
  } else {
    ld_summary_print(&acc, stderr);
    rc = 0;
  }
  ld_result_free(&acc);
  return rc;
}

static int parse_shard(const char *s, int *i, int *n) {
  char *end;
  long a = strtol(s, &end, 10);
  if (end == s || *end != '/') return -1;
  const char *b = end + 1;
  long c = strtol(b, &end, 10);
  if (end == b || *end != '\0' || c < 1 || a < 0 || a >= c) return -1;
  *i = (int)a;
  *n = (int)c;
  return 0;
}

int main(int argc, char **argv) {
  ld_config c;
  ld_config_defaults(&c);
  ld_err err;
  const char *url = NULL, *scenario_path = NULL, *get_path = NULL, *out = NULL;
  int vus = 0, quiet = 0;
  double duration = 0;
  char msg[1400];
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int first = 1;
  if (argc > 1 && strcmp(argv[1], "merge") == 0) return do_merge(argc - 2, argv + 2);
  if (argc > 1 && strcmp(argv[1], "run") == 0) first = 2;
  for (int i = first; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(a, "--quiet") == 0) {
      quiet = 1;
      continue;
    }
    if (strncmp(a, "--", 2) != 0 || strchr(a, '=') != NULL) {
      snprintf(msg, sizeof msg,
               "unexpected argument \"%s\" (flags take their value as the next argument)", a);
      return usage_error(msg);
    }
    static const char *known[] = {"--url",       "--scenario", "--get",        "--stage",
                                  "--vus",       "--duration", "--think",      "--think-jitter",
                                  "--rate",      "--max-vus",  "--timeout",    "--threshold",
                                  "--server-id", "--pid",      "--health-url", "--shard",
                                  "--threads",   "--interval", "--out",        "--seed",
                                  NULL};
    int k = 0;
    while (known[k] != NULL && strcmp(known[k], a) != 0) k++;
    if (known[k] == NULL) {
      snprintf(msg, sizeof msg, "unknown flag %s", a);
      return usage_error(msg);
    }
    if (i + 1 >= argc) {
      snprintf(msg, sizeof msg, "%s needs a value", a);
      return usage_error(msg);
    }
    const char *v = argv[++i];
    double d;
    char *end;
    if (strcmp(a, "--url") == 0)
      url = v;
    else if (strcmp(a, "--scenario") == 0)
      scenario_path = v;
    else if (strcmp(a, "--get") == 0)
      get_path = v;
    else if (strcmp(a, "--out") == 0)
      out = v;
    else if (strcmp(a, "--health-url") == 0)
      c.health_url = v;
    else if (strcmp(a, "--stage") == 0) {
      if (c.nstages >= LD_MAX_STAGES) return usage_error("too many stages (at most 32)");
      if (ld_stage_parse(v, &c.stages[c.nstages++], &err) != LD_OK) return usage_error(err.msg);
    } else if (strcmp(a, "--duration") == 0 || strcmp(a, "--think") == 0 ||
               strcmp(a, "--timeout") == 0 || strcmp(a, "--interval") == 0) {
      if (ld_duration_parse(v, &d, &err) != LD_OK) {
        snprintf(msg, sizeof msg, "%s: %s", a, err.msg);
        return usage_error(msg);
      }
      if (a[2] == 'd')
        duration = d;
      else if (a[3] == 'h')
        c.think_ms = d * 1000;
      else if (a[3] == 'i')
        c.timeout_ms = (long)(d * 1000);
      else
        c.interval_s = d;
      if (a[3] == 'i' && c.timeout_ms < 1) return usage_error("--timeout must be at least 1ms");
      if (a[2] == 'i' && d <= 0) return usage_error("--interval must be > 0");
    } else if (strcmp(a, "--think-jitter") == 0) {
      c.think_jitter = strtod(v, &end);
      if (*end || c.think_jitter < 0 || c.think_jitter > 1)
        return usage_error("--think-jitter: expected a number in 0..1");
    } else if (strcmp(a, "--rate") == 0) {
      c.rate_per_s = strtod(v, &end);
      if (end == v || (*end && strcmp(end, "/s") != 0) || !(c.rate_per_s > 0))
        return usage_error("--rate: expected iterations per second, e.g. --rate 200/s");
    } else if (strcmp(a, "--vus") == 0 || strcmp(a, "--max-vus") == 0 ||
               strcmp(a, "--threads") == 0 || strcmp(a, "--pid") == 0 || strcmp(a, "--seed") == 0) {
      long n = strtol(v, &end, 10);
      if (end == v || *end || n < 0 || n > 1000000) {
        snprintf(msg, sizeof msg, "%s: expected a non-negative integer, got \"%s\"", a, v);
        return usage_error(msg);
      }
      if (a[2] == 'v')
        vus = (int)n;
      else if (a[2] == 'm')
        c.max_vus = (int)n;
      else if (a[2] == 't')
        c.threads = (int)n;
      else if (a[2] == 's')
        c.seed = (unsigned long long)n;
      else {
        if (c.npids >= LD_MAX_PIDS) return usage_error("at most 8 --pid");
        c.pids[c.npids++] = (pid_t)n;
      }
    } else if (strcmp(a, "--threshold") == 0) {
      if (c.nthresholds >= LD_MAX_THRESHOLDS) return usage_error("at most 8 thresholds");
      if (ld_threshold_parse(v, &c.thresholds[c.nthresholds++], &err) != LD_OK)
        return usage_error(err.msg);
    } else if (strcmp(a, "--server-id") == 0) {
      if (!mdl_server_id_parse(v, &c.server))
        return usage_error("--server-id: expected codebase-mcp or workflow-mcp");
    } else if (strcmp(a, "--shard") == 0) {
      if (parse_shard(v, &c.shard_index, &c.shard_count) != 0)
        return usage_error("--shard: expected i/n with 0 <= i < n, e.g. --shard 0/2");
    }
  }
  if (url == NULL) return usage_error("--url is required (e.g. --url http://127.0.0.1:8020)");
  if ((scenario_path == NULL) == (get_path == NULL))
    return usage_error("give exactly one of --scenario FILE or --get PATH");
  if (c.rate_per_s > 0 && (c.nstages > 0 || vus > 0))
    return usage_error("--rate (open model) does not combine with --stage or --vus");
  if (c.rate_per_s > 0)
    c.duration_s = duration;
  else if (vus > 0 || c.nstages == 0) {
    if (c.nstages > 0) return usage_error("--vus does not combine with --stage");
    if (vus <= 0 || duration <= 0)
      return usage_error(
          "give --stage DURATION:VUS, or --vus N --duration D, or --rate N/s --duration D");
    c.stages[0].duration_s = 0.001;
    c.stages[0].target = vus;
    c.stages[1].duration_s = duration;
    c.stages[1].target = vus;
    c.nstages = 2;
  }
  ld_scenario *sc = NULL;
  if (scenario_path != NULL) {
    if (ld_scenario_load(scenario_path, &sc, &err) != LD_OK) {
      fprintf(stderr, "loadgen: %s\n", err.msg);
      return EXIT_USAGE;
    }
  } else {
    cJSON *j = cJSON_CreateObject(), *flows = cJSON_AddArrayToObject(j, "flows");
    cJSON_AddStringToObject(j, "name", get_path);
    cJSON *f = cJSON_CreateObject(), *steps = cJSON_AddArrayToObject(f, "steps"),
          *s = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "name", "get");
    cJSON_AddStringToObject(s, "name", get_path);
    cJSON_AddStringToObject(s, "path", get_path);
    cJSON_AddItemToArray(steps, s);
    cJSON_AddItemToArray(flows, f);
    int rc = ld_scenario_parse(j, &sc, &err);
    cJSON_Delete(j);
    if (rc != LD_OK) {
      fprintf(stderr, "loadgen: --get %s: %s\n", get_path, err.msg);
      return EXIT_USAGE;
    }
  }
  size_t ul = strlen(url);
  char *base = strdup(url);
  while (ul > 0 && base[ul - 1] == '/') base[--ul] = '\0';
  c.base_url = base;
  c.scenario = sc;
  if (ld_probe(base, &err) != LD_OK) {
    fprintf(stderr, "loadgen: %s\n", err.msg);
    ld_scenario_free(sc);
    free(base);
    return EXIT_UNREACH;
  }
  signal(SIGINT, on_sigint);
  signal(SIGPIPE, SIG_IGN);
  c.stop = &g_stop;
  if (!quiet && isatty(STDERR_FILENO)) c.progress = stderr;
  ld_result r;
  int status = 0;
  if (ld_run(&c, &r, &err) != LD_OK) {
    fprintf(stderr, "loadgen: %s\n", err.msg);
    status = err.code == LD_EINVAL ? EXIT_USAGE : 1;
  } else {
    if (!quiet) ld_summary_print(&r, stderr);
    if (out != NULL && ld_result_write(&r, out, &err) != LD_OK) {
      fprintf(stderr, "loadgen: %s\n", err.msg);
      status = 1;
    }
    int failed = 0;
    for (int i = 0; i < r.nthresholds; i++) failed += !r.thresholds[i].ok;
    if (status == 0 && (failed > 0 || r.aborted)) status = EXIT_THRESHOLD;
    ld_result_free(&r);
  }
  ld_scenario_free(sc);
  free(base);
  curl_global_cleanup();
  return status;
}
