/* collect.c — merge a run's artifacts (zips, directories, JSON files) into one set (collect.h). */
#include "benchmarks/collect.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const kTargets[] = {"regression", "indexing_perf", "search_perf",
                                       "workflow_perf"};

size_t bench_default_run_inputs(const char *workspace, char paths[][1024], size_t max) {
  size_t k = 0;
  struct stat st;
  assert(workspace != NULL);
  for (size_t i = 0; i < sizeof kTargets / sizeof kTargets[0] && k < max; i++) {
    snprintf(paths[k], 1024, "%s/bazel-testlogs/benchmarks/%s/test.outputs/outputs.zip", workspace,
             kTargets[i]);
    if (stat(paths[k], &st) == 0) k++;
  }
  return k;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Folds src into dst: records, samples and their calibration by operation, metadata if dst lacks
 * it. */
static int merge(bench_set *dst, bench_set *src, bench_err *err) {
  dst->present = 1;
  if (dst->commit[0] == '\0') snprintf(dst->commit, sizeof dst->commit, "%s", src->commit);
  if (dst->measured_at[0] == '\0')
    snprintf(dst->measured_at, sizeof dst->measured_at, "%s", src->measured_at);
  if (dst->machine == NULL) {
    dst->machine = src->machine;
    src->machine = NULL;
  }
  for (int op = 0; op < MDL_OP_COUNT; op++) {
    if (!src->has[op]) continue;
    size_t n = 0, nc = 0;
    int oom = 0, oomc = 0;
    double *v = bench_numbers(bench_set_samples(src, (mdl_operation_type)op), &n, &oom);
    double *c = bench_numbers(bench_set_calibration(src, (mdl_operation_type)op), &nc, &oomc);
    if (oom || oomc) {
      free(v);
      free(c);
      return bench_err_set(err, BENCH_ENOMEM, "out of memory merging samples");
    }
    int rc = bench_set_put(dst, &src->results[op], v, n, err);
    src->has[op] = 0;
    if (rc == BENCH_OK && c != NULL && nc == n)
      rc = bench_set_put_calibration(dst, (mdl_operation_type)op, c, nc, err);
    free(v);
    free(c);
    if (rc != BENCH_OK) return rc;
  }
  return BENCH_OK;
}

static int collect_file(const char *path, bench_set *out, bench_err *err) {
  bench_set one;
  int rc = bench_set_load(path, 0, &one, err);
  if (rc == BENCH_EINVAL && strstr(err->msg, "expected") != NULL) {
    fprintf(stderr, "note: %s holds no benchmark records; skipped\n", path);
    bench_err_clear(err);
    return BENCH_OK;
  }
  if (rc != BENCH_OK) return rc;
  rc = merge(out, &one, err);
  bench_set_free(&one);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int collect_dir(const char *dir, bench_set *out, bench_err *err) {
  int rc = BENCH_OK;
  DIR *d = opendir(dir);
  char *names[512];
  size_t n = 0;
  struct dirent *e;
  if (d == NULL) return bench_err_set(err, BENCH_EIO, "cannot open %s: %s", dir, strerror(errno));
  while ((e = readdir(d)) != NULL && n < 512) {
    /* comparison.json is the regression target's verdict, not measurements */
    if (!ends_with(e->d_name, ".json") || strcmp(e->d_name, "comparison.json") == 0) continue;
    names[n] = strdup(e->d_name);
    if (names[n] == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory listing %s", dir);
      goto cleanup;
    }
    n++;
  }
  qsort(names, n, sizeof names[0], cmp_str);
  for (size_t i = 0; i < n && rc == BENCH_OK; i++) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    rc = collect_file(path, out, err);
  }
cleanup:
  for (size_t i = 0; i < n; i++) free(names[i]);
  closedir(d);
  return rc;
}

/* Runs argv (NULL-terminated) and waits; returns its exit status or -1. */
static int run(char *const argv[]) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    execvp(argv[0], argv);
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int collect_zip(const char *zip, bench_set *out, bench_err *err) {
  int rc = BENCH_OK;
  char tmpl[] = "/tmp/bench-collect-XXXXXX";
  if (mkdtemp(tmpl) == NULL)
    return bench_err_set(err, BENCH_EIO, "cannot create a temporary directory: %s",
                         strerror(errno));
  char *argv[] = {"unzip", "-q", "-o", (char *)zip, "-d", tmpl, NULL};
  if (run(argv) != 0) {
    rc = bench_err_set(err, BENCH_EIO, "cannot extract %s (is `unzip` installed?)", zip);
    goto cleanup;
  }
  rc = collect_dir(tmpl, out, err);
cleanup:;
  char *rm[] = {"rm", "-rf", tmpl, NULL};
  run(rm);
  return rc;
}

int bench_collect(const char *const *inputs, size_t n, bench_set *out, bench_err *err) {
  int rc = BENCH_OK;
  struct stat st;
  assert(out != NULL);
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n && rc == BENCH_OK; i++) {
    if (stat(inputs[i], &st) != 0)
      rc = bench_err_set(err, BENCH_EIO, "cannot read %s: %s", inputs[i], strerror(errno));
    else if (S_ISDIR(st.st_mode))
      rc = collect_dir(inputs[i], out, err);
    else if (ends_with(inputs[i], ".zip"))
      rc = collect_zip(inputs[i], out, err);
    else
      rc = collect_file(inputs[i], out, err);
  }
  if (rc != BENCH_OK) bench_set_free(out);
  return rc;
}

void bench_git_commit(const char *workspace, char *out, size_t n) {
  char cmd[1200];
  snprintf(out, n, "unknown");
  snprintf(cmd, sizeof cmd, "git -C '%s' rev-parse --short=12 HEAD 2>/dev/null", workspace);
  FILE *p = popen(cmd, "r");
  if (p == NULL) return;
  char line[128];
  if (fgets(line, sizeof line, p) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] != '\0') snprintf(out, n, "%s", line);
  }
  pclose(p);
}
