/* repogen_main.c — command-line front end of the fixture repository generator (repogen.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/repogen.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: repogen --out DIR [--files N] [--seed S] [--manifest PATH] [--binary N]\n"
          "               [--no-unparseable] [--low-vocab] [--quiet]\n"
          "Writes a deterministic fixture repository (SPEC FR-024): N files (default 10000),\n"
          "sizes log-uniform 100 B..50 KB, depth <= 5, 60%% Python / 40%% JavaScript, a few\n"
          "binary files and one unparseable file, plus a manifest of every symbol\n"
          "(default DIR.manifest.tsv). Same seed => byte-identical output.\n"
          "--low-vocab: a corpus of common words where each query of the manifest's \"query\"\n"
          "lines matches every function, class and method (see testing/repogen.h).\n");
}

static int parse_num(const char *s, long long lo, long long hi, long long *out) {
  char *end;
  long long v;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  tst_repogen_opts o;
  tst_repogen_stats st;
  tst_err err;
  long long v;
  memset(&o, 0, sizeof(o));
  o.binary_files = -1;
  o.unparseable_files = -1;
  o.progress = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (a == NULL) break; /* argv[argc] is NULL; argc never lies, but stop if it did */
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--out") == 0 && next) {
      o.out_dir = next;
      i++;
    } else if (strcmp(a, "--manifest") == 0 && next) {
      o.manifest_path = next;
      i++;
    } else if (strcmp(a, "--files") == 0 && next && parse_num(next, 1, 10000000, &v) == 0) {
      o.files = (int)v;
      i++;
    } else if (strcmp(a, "--seed") == 0 && next &&
               parse_num(next, 0, 0x7fffffffffffffffLL, &v) == 0) {
      o.seed = (uint64_t)v;
      i++;
    } else if (strcmp(a, "--binary") == 0 && next && parse_num(next, 0, 1000, &v) == 0) {
      o.binary_files = (int)v;
      i++;
    } else if (strcmp(a, "--no-unparseable") == 0) {
      o.unparseable_files = 0;
    } else if (strcmp(a, "--low-vocab") == 0) {
      o.low_vocab = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      o.progress = 0;
    } else {
      fprintf(stderr, "repogen: bad argument '%s'\n", a);
      usage(stderr);
      return 64;
    }
  }
  if (o.out_dir == NULL) {
    fprintf(stderr, "repogen: --out DIR is required\n");
    usage(stderr);
    return 64;
  }
  if (tst_repogen_generate(&o, &st, &err) != TST_OK) {
    fprintf(stderr, "repogen: %s\n", err.msg);
    return 1;
  }
  fprintf(stderr,
          "repogen: %d files (%d python, %d javascript, %d binary, %d unparseable), %lld bytes, "
          "%d directories, depth <= %d, %lld symbols, %.2f s\n",
          st.files, st.python_files, st.javascript_files, st.binary_files, st.unparseable_files,
          st.total_bytes, st.directories, st.max_depth, st.symbols, st.seconds);
  return 0;
}
