/* parse_floor.c — one parse-only pass over a repository with the server's scanner and chunker
 * (parse_floor.h). */
#include "benchmarks/parse_floor.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/buf.h"
#include "servers/codebase_mcp/chunker.h"
#include "servers/codebase_mcp/lang.h"
#include "servers/codebase_mcp/scanner.h"

#define MAX_THREADS 32
#define MAX_FILE_BYTES ((int64_t)1 << 20) /* the server's default cap (indexer.h) */

typedef struct floor_run {
  const char *root;
  const cb_scan_result *scan;
  atomic_size_t next;
  atomic_int oom;
} floor_run;

typedef struct floor_thread {
  floor_run *run;
  cb_chunker *chunker;
  cb_chunks chunks;
  mdl_buf file;
  long files, chunk_count, bytes;
} floor_thread;

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *floor_main(void *arg) {
  floor_thread *t = arg;
  floor_run *run = t->run;
  for (;;) {
    size_t i = atomic_fetch_add(&run->next, 1);
    if (i >= run->scan->n || atomic_load(&run->oom)) break;
    const char *path = run->scan->files[i].path;
    char abs[PATH_MAX + 1];
    snprintf(abs, sizeof abs, "%s/%s", run->root, path);
    /* the server's own read (cb_scan_read_file), so the floor pays what the job pays */
    if (cb_scan_read_file(abs, MAX_FILE_BYTES, &t->file) != 0) {
      if (errno == ENOMEM) {
        atomic_store(&run->oom, 1);
        break;
      }
      continue; /* unreadable, vanished or too big: the job skips it too */
    }
    long len = (long)t->file.len;
    if (cb_text_check(t->file.data, t->file.len) != 0) continue;
    if (cb_chunker_run(t->chunker, cb_lang_of(path), t->file.data, t->file.len, &t->chunks) != 0) {
      atomic_store(&run->oom, 1);
      break;
    }
    t->files++;
    t->chunk_count += (long)t->chunks.n;
    t->bytes += len;
  }
  return NULL;
}

int bench_parse_floor_run(const char *repo, int threads, bench_parse_floor *out, bench_err *err) {
  int rc = BENCH_OK, started = 0;
  char root[PATH_MAX];
  cb_scan_result scan;
  floor_run run;
  floor_thread th[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  srv_err se = {0};
  assert(repo != NULL && out != NULL);
  memset(out, 0, sizeof *out);
  memset(&scan, 0, sizeof scan);
  memset(th, 0, sizeof th);
  if (threads <= 0) threads = 2;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (realpath(repo, root) == NULL)
    return bench_err_set(err, BENCH_ESETUP, "parse-only pass: no directory %s", repo);
  cb_scan_opts so = {threads, MAX_FILE_BYTES};
  double s0 = clock_s(CLOCK_MONOTONIC);
  if (cb_scan(root, &so, &scan, &se) != SRV_OK)
    return bench_err_set(err, BENCH_ESETUP, "parse-only pass: scanning %s: %s", root, se.msg);
  out->scan_s = clock_s(CLOCK_MONOTONIC) - s0;
  memset(&run, 0, sizeof run);
  run.root = root;
  run.scan = &scan;
  for (int i = 0; i < threads; i++) {
    th[i].run = &run;
    /* the server's settings: 1 s parse timeout, 40-line windows (cb_chunker_new's defaults) */
    if ((th[i].chunker = cb_chunker_new(0, 0)) == NULL) {
      rc = bench_err_set(err, BENCH_ESETUP,
                         "parse-only pass: cannot make a chunker (out of memory, or a grammar did "
                         "not load: run bash ci/bootstrap.sh)");
      goto cleanup;
    }
  }
  double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
  for (; started < threads; started++)
    if (pthread_create(&tid[started], NULL, floor_main, &th[started]) != 0) break;
  if (started == 0) floor_main(&th[0]);
  for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
  out->wall_s = clock_s(CLOCK_MONOTONIC) - w0;
  out->cpu_s = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
  if (atomic_load(&run.oom)) {
    rc = bench_err_set(err, BENCH_ENOMEM, "parse-only pass: out of memory");
    goto cleanup;
  }
  for (int i = 0; i < threads; i++) {
    out->files += th[i].files;
    out->chunks += th[i].chunk_count;
    out->bytes += th[i].bytes;
  }
cleanup:
  for (int i = 0; i < threads; i++) {
    cb_chunks_free(&th[i].chunks);
    if (th[i].chunker != NULL) cb_chunker_free(th[i].chunker);
    mdl_buf_free(&th[i].file);
  }
  cb_scan_free(&scan);
  return rc;
}
