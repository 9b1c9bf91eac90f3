/* runfiles.c — locate Bazel runfiles (see runfiles.h).
 *
 * Assumes the workspace name mcp_suite (WORKSPACE) when $TEST_WORKSPACE is unset. No manifest
 * support: tests run with a runfiles tree (Linux default). */
#include "testing/runfiles.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define WORKSPACE_NAME "mcp_suite"

static int exists(const char *p) {
  return access(p, F_OK) == 0;
}

/* cand = a/ws/rel; 0 if it fit. */
static int join(char *cand, size_t n, const char *a, const char *sep, const char *ws,
                const char *rel) {
  int len = snprintf(cand, n, "%s%s%s/%s", a, sep, ws, rel);
  return len >= 0 && (size_t)len < n ? 0 : -1;
}

int tst_runfile(const char *rel, char *out, size_t n) {
  const char *srcdir = getenv("TEST_SRCDIR");
  const char *ws = getenv("TEST_WORKSPACE");
  const char *rdir = getenv("RUNFILES_DIR");
  char first[PATH_MAX] = "";
  char exe[PATH_MAX];
  char cand[PATH_MAX];
  ssize_t len;
  if (ws == NULL || ws[0] == '\0') ws = WORKSPACE_NAME;
  if (srcdir != NULL && srcdir[0] != '\0') {
    if (join(cand, sizeof(cand), srcdir, "/", ws, rel) == 0 && exists(cand)) goto found;
    if (first[0] == '\0') snprintf(first, sizeof(first), "%s", cand);
  }
  if (rdir != NULL && rdir[0] != '\0') {
    if (join(cand, sizeof(cand), rdir, "/", ws, rel) == 0 && exists(cand)) goto found;
    if (first[0] == '\0') snprintf(first, sizeof(first), "%s", cand);
  }
  len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (len > 0) {
    exe[len] = '\0';
    if (join(cand, sizeof(cand), exe, ".runfiles/", ws, rel) == 0 && exists(cand)) goto found;
    if (first[0] == '\0') snprintf(first, sizeof(first), "%s", cand);
  }
  if (exists(rel) && realpath(rel, cand) != NULL) goto found;
  snprintf(out, n, "%s", first[0] != '\0' ? first : rel);
  return -1;
found:
  snprintf(out, n, "%s", cand);
  return 0;
}
