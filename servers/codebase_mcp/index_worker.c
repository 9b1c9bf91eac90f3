/* index_worker.c — the worker threads of a job: each takes files from a shared counter, reads
 * them (no symlinks, regular files only, within the size cap), skips binary / invalid UTF-8
 * content and files whose content hash is unchanged, chunks (its own tree-sitter parsers) and
 * tokenizes the rest into its own batch, and hands a full batch to its own writer thread, which
 * writes it in one transaction, waiting out database outages (see indexer.h, writer.h).
 *
 * Parsing overlaps writing: each worker has two batches, one it fills while its writer writes
 * the other. A worker whose next batch is full before the previous one is written waits for it
 * (so at most two batches per worker exist, and one worker's batches are written in order). The
 * file counters follow each batch once it is committed. Where no writer thread can be started the
 * worker writes its batches itself.
 *
 * Memory: per worker one file buffer plus two batches (<= ~4 MiB each). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "servers/codebase_mcp/chunker.h"
#include "servers/codebase_mcp/hash.h"
#include "servers/codebase_mcp/indexer_state.h"
#include "servers/codebase_mcp/lang.h"
#include "servers/codebase_mcp/scanner.h"
#include "servers/codebase_mcp/tokens.h"
#include "servers/codebase_mcp/writer.h"
#include "servers/common/log.h"
#include "servers/common/pgtext.h"
#include "servers/common/timeutil.h"

#define CONTEXT_LINES 3

typedef struct shared {
  cb_job *job;
  const cb_scan_result *scan;
  const cb_strmap *prev;
  unsigned char *seen; /* per file: 1 = indexed or unchanged (kept) */
  atomic_size_t next;
  atomic_int failed;
  pthread_mutex_t mu;
  srv_err err; /* first fatal error (guarded by mu) */
} shared;

typedef struct worker {
  shared *sh;
  cb_strmap sent; /* vocabulary terms this worker already sent during the job */
  cb_chunker *chunker;
  cb_tsv *tsv;
  cb_batch batches[2];
  cb_batch *batch; /* the one being filled: batches[fill] */
  int fill;
  mdl_buf file;
  mdl_buf ids; /* chunk ids of the current file, CB_CHUNK_ID_LEN each */
  /* the writer thread; wmu guards wbatch, wbusy, wquit */
  pthread_t wth;
  int has_writer;
  pthread_mutex_t wmu;
  pthread_cond_t wcv;
  cb_batch *wbatch; /* handed over, written while wbusy */
  int wbusy, wquit;
} worker;

static void fail_shared(shared *sh, const srv_err *e) {
  pthread_mutex_lock(&sh->mu);
  if (!atomic_load(&sh->failed)) sh->err = *e;
  atomic_store(&sh->failed, 1);
  pthread_mutex_unlock(&sh->mu);
}

typedef struct flush_arg {
  worker *w;
  cb_batch *b;
  int retries; /* logged so far */
} flush_arg;

static srv_code write_batch(PGconn *c, void *arg, srv_err *err) {
  flush_arg *a = arg;
  return cb_batch_write(c, a->w->sh->job->project, a->b, err);
}

/* One line per retry, with its backoff: the recovery can be read back from the log. */
static void log_batch_retry(void *arg, int attempt, int64_t backoff_ms, const srv_err *why) {
  flush_arg *a = arg;
  a->retries = attempt;
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "job_id", a->w->sh->job->id);
    cJSON_AddNumberToObject(ctx, "batch_files", a->b->nfiles);
    cJSON_AddNumberToObject(ctx, "attempt", attempt);
    cJSON_AddNumberToObject(ctx, "backoff_ms", (double)backoff_ms);
  }
  srv_log_event_ctx(SRV_LOG_WARN, "index_batch_retry", ctx,
                    "database unavailable while writing a batch (%s); the batch is kept and "
                    "written again in %lld ms (attempt %d)",
                    why ? why->msg : "connection lost", (long long)backoff_ms, attempt);
  cJSON_Delete(ctx);
}

static int stopping(void *arg) {
  return atomic_load(&((flush_arg *)arg)->w->sh->job->ix->stopping);
}

/* Writes batch b of worker w, waiting out database outages (the batch is idempotent: writing it
 * again after a lost COMMIT reply leaves the same rows), and empties it. 0 ok, -1 fatal
 * (recorded). */
static int flush(worker *w, cb_batch *b) {
  cb_job *job = w->sh->job;
  if (b->nfiles == 0) return 0;
  flush_arg fa = {w, b, 0};
  srv_db_wait wait;
  int64_t deadline = cb_job_wait(job, &wait);
  wait.stop = stopping;
  wait.on_retry = log_batch_retry;
  wait.arg = &fa;
  srv_err err = {0};
  int64_t t0 = srv_mono_us();
  srv_code rc = srv_db_run_wait(job->ix->pool, deadline, &wait, write_batch, &fa, 1, &err);
  atomic_fetch_add(&job->batch_write_us, srv_mono_us() - t0);
  if (rc != SRV_OK) {
    fail_shared(w->sh, &err);
    return -1;
  }
  if (fa.retries)
    srv_log_event(SRV_LOG_INFO, "index_batch_resumed",
                  "job %s: batch of %d files written after %d retr%s: the database is back",
                  job->id, b->nfiles, fa.retries, fa.retries == 1 ? "y" : "ies");
  atomic_fetch_add(&job->files_indexed, b->nfiles);
  atomic_fetch_add(&job->chunks_created, b->nchunks);
  cb_batch_reset(b);
  return 0;
}

/* The writer thread: writes each batch handed to it, one at a time, until told to quit. */
static void *writer_main(void *arg) {
  worker *w = arg;
  pthread_mutex_lock(&w->wmu);
  for (;;) {
    while (!w->wbusy && !w->wquit) pthread_cond_wait(&w->wcv, &w->wmu);
    if (!w->wbusy) break; /* quit, nothing left */
    cb_batch *b = w->wbatch;
    pthread_mutex_unlock(&w->wmu);
    flush(w, b); /* a fatal error is recorded in the shared state */
    pthread_mutex_lock(&w->wmu);
    w->wbusy = 0;
    pthread_cond_broadcast(&w->wcv);
  }
  pthread_mutex_unlock(&w->wmu);
  return NULL;
}

/* Waits until the writer has written what it was handed. */
static void writer_wait(worker *w) {
  pthread_mutex_lock(&w->wmu);
  while (w->wbusy) pthread_cond_wait(&w->wcv, &w->wmu);
  pthread_mutex_unlock(&w->wmu);
}

/* Hands the full batch to the writer (after the previous one is written) and fills the other
 * one next; without a writer thread, writes it here. */
static void hand_off(worker *w) {
  if (w->batch->nfiles == 0) return;
  if (!w->has_writer) {
    flush(w, w->batch);
    return;
  }
  int64_t t0 = srv_mono_us();
  pthread_mutex_lock(&w->wmu);
  while (w->wbusy) pthread_cond_wait(&w->wcv, &w->wmu);
  atomic_fetch_add(&w->sh->job->writer_wait_us, srv_mono_us() - t0);
  if (atomic_load(&w->sh->failed)) { /* the job is failing (perhaps that write): stop writing */
    pthread_mutex_unlock(&w->wmu);
    return;
  }
  w->wbatch = w->batch;
  w->wbusy = 1;
  pthread_cond_broadcast(&w->wcv);
  pthread_mutex_unlock(&w->wmu);
  w->fill ^= 1;
  w->batch = &w->batches[w->fill];
  assert(w->batch->nfiles == 0); /* its write succeeded (else failed was set first): emptied */
}

/* Appends `lines` [l0, l1) (0-based) of the file, escaped, to out. */
static void copy_lines(mdl_buf *out, const char *src, const uint32_t *lines, size_t nlines,
                       size_t srclen, size_t l0, size_t l1) {
  if (l0 >= l1 || l0 >= nlines) return;
  if (l1 > nlines) l1 = nlines;
  size_t a = lines[l0], b = l1 < nlines ? lines[l1] : srclen;
  srv_pg_copy_field(out, src + a, b - a);
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Sends each identifier piece of symbol to the vocabulary once per worker and job. */
static void term_token(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  (void)is_part;
  (void)idx;
  worker *w = arg;
  int added = 1;
  if (n >= 3 && n <= CB_TOKEN_MAX && cb_strmap_put(&w->sent, tok, n, &added) && added) {
    char key[CB_TOKEN_MAX + 1];
    memcpy(key, tok, n);
    key[n] = '\0';
    srv_pg_array_elem(&w->batch->terms, key);
  }
}

/* Chunks, tokenizes and appends one file to the batch. 0, or -1 out of memory. */
static int add_file(worker *w, const char *path, const char *lang_name, cb_lang lang,
                    const char *hash_hex) {
  cb_job *job = w->sh->job;
  const char *src = w->file.data;
  size_t len = w->file.len;
  cb_chunks chunks = {0};
  if (cb_chunker_run(w->chunker, lang, src, len, &chunks) != 0) return -1;
  if (chunks.parse_timed_out)
    cb_job_warn_file(job, "index_file_parse_timeout", path,
                     "parsing took longer than the 1 s limit; indexed by line windows instead");
  else if (chunks.parse_errors)
    cb_job_warn_file(job, "index_file_parse_errors", path,
                     "the file has syntax errors; indexed what parsed, the rest by line windows");
  size_t nlines;
  const uint32_t *lines = cb_chunker_lines(w->chunker, &nlines);
  mdl_buf_reset(&w->ids);
  mdl_buf *o = &w->batch->chunks;
  const char *stem = base_name(path);
  for (size_t i = 0; i < chunks.n; i++) {
    const cb_chunk *ch = &chunks.v[i];
    const char *content = src + ch->start_byte;
    size_t clen = ch->end_byte - ch->start_byte;
    char id[CB_CHUNK_ID_LEN];
    unsigned ord = 0;
    for (;;) { /* exact duplicates in one file get an ordinal */
      cb_chunk_id(job->project, path, ch->symbol, content, clen, ord, id);
      int dup = 0;
      for (size_t k = 0; k + CB_CHUNK_ID_LEN <= w->ids.len; k += CB_CHUNK_ID_LEN)
        if (memcmp(w->ids.data + k, id, CB_CHUNK_ID_LEN) == 0) dup = 1;
      if (!dup) break;
      ord++;
    }
    mdl_buf_add(&w->ids, id, CB_CHUNK_ID_LEN);

    if (ch->symbol[0]) cb_tokens_leaves(ch->symbol, strlen(ch->symbol), term_token, w);
    cb_tsv_reset(w->tsv);
    cb_tsv_add_words(w->tsv, ch->symbol, strlen(ch->symbol), CB_W_A);
    cb_tsv_add_words(w->tsv, ch->parent, strlen(ch->parent), CB_W_D);
    cb_tsv_add_words(w->tsv, stem, strlen(stem), CB_W_D);
    cb_tsv_add_code(w->tsv, lang, content, clen);

    mdl_buf_printf(o, "%s\t", id);
    srv_pg_copy_field(o, job->project, strlen(job->project));
    mdl_buf_putc(o, '\t');
    srv_pg_copy_field(o, path, strlen(path));
    mdl_buf_printf(o, "\t%d\t%d\t%s\t", ch->start_line, ch->end_line, lang_name);
    srv_pg_copy_field(o, ch->symbol, strlen(ch->symbol));
    mdl_buf_putc(o, '\t');
    srv_pg_copy_field(o, ch->parent, strlen(ch->parent));
    mdl_buf_printf(o, "\t%s\t", ch->kind);
    srv_pg_copy_field(o, content, clen);
    mdl_buf_putc(o, '\t');
    size_t s0 = (size_t)ch->start_line - 1;
    copy_lines(o, src, lines, nlines, len, s0 > CONTEXT_LINES ? s0 - CONTEXT_LINES : 0, s0);
    mdl_buf_putc(o, '\t');
    copy_lines(o, src, lines, nlines, len, (size_t)ch->end_line,
               (size_t)ch->end_line + CONTEXT_LINES);
    mdl_buf_putc(o, '\t');
    if (cb_tsv_render(w->tsv, o) != 0) {
      cb_chunks_free(&chunks);
      return -1;
    }
    mdl_buf_putc(o, '\n');
  }
  mdl_buf *f = &w->batch->files;
  srv_pg_copy_field(f, job->project, strlen(job->project));
  mdl_buf_putc(f, '\t');
  srv_pg_copy_field(f, path, strlen(path));
  mdl_buf_printf(f, "\t%s\t%s\t%zu\t%zu\t%s\n", hash_hex, lang_name, len, chunks.n, job->id);
  cb_batch_add_path(w->batch, path);
  w->batch->nfiles++;
  w->batch->nchunks += (int)chunks.n;
  cb_chunks_free(&chunks);
  return o->failed || f->failed || w->batch->paths.failed || w->batch->terms.failed ? -1 : 0;
}

static void process(worker *w, size_t i) {
  shared *sh = w->sh;
  cb_job *job = sh->job;
  const char *path = sh->scan->files[i].path;
  char abs[PATH_MAX + 1];
  snprintf(abs, sizeof abs, "%s/%s", job->repo, path);
  if (cb_text_check(path, strlen(path)) != 0) {
    atomic_fetch_add(&job->files_rejected, 1);
    cb_job_warn_file(job, "index_file_skipped", path, "file name is not valid UTF-8");
    return;
  }
  if (cb_scan_read_file(abs, job->ix->max_file_bytes, &w->file) != 0) {
    char reason[128];
    int e = errno;
    snprintf(reason, sizeof reason, "cannot read the file: %s",
             e == EINVAL  ? "no longer a regular file"
             : e == EFBIG ? "it grew past the size cap after the scan"
             : e == ELOOP ? "it became a symbolic link after the scan"
                          : strerror(e));
    atomic_fetch_add(&job->files_rejected, 1);
    cb_job_warn_file(job, "index_file_skipped", path, reason);
    return;
  }
  int kind = cb_text_check(w->file.data, w->file.len);
  if (kind != 0) {
    atomic_fetch_add(&job->files_rejected, 1);
    cb_job_warn_file(job, "index_file_skipped", path,
                     kind == 1 ? "binary file (contains NUL bytes)"
                               : "binary or non-UTF-8 file (invalid UTF-8)");
    return;
  }
  char hex[CB_HASH_HEX_LEN];
  cb_hash_hex(cb_hash(w->file.data, w->file.len, (cb_hash128){0, 0}), hex);
  const cb_strmap_entry *pe = cb_strmap_find(sh->prev, path);
  if (pe && strcmp(pe->val, hex) == 0 && (!job->force || pe->flag)) {
    atomic_fetch_add(&job->files_unchanged, 1);
    sh->seen[i] = 1;
    return;
  }
  cb_lang lang = cb_lang_of(path);
  if (add_file(w, path, cb_lang_name(path), lang, hex) != 0) {
    srv_err e;
    srv_err_set(&e, SRV_EINTERNAL, "out of memory indexing %s", path);
    fail_shared(sh, &e);
    return;
  }
  sh->seen[i] = 1;
  if (w->batch->nfiles >= CB_BATCH_FILES || w->batch->chunks.len >= CB_BATCH_BYTES) hand_off(w);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  shared *sh = w->sh;
  cb_indexer *ix = sh->job->ix;
  w->has_writer = pthread_create(&w->wth, NULL, writer_main, w) == 0;
  for (;;) {
    if (atomic_load(&sh->failed) || atomic_load(&ix->stopping)) break;
    size_t i = atomic_fetch_add(&sh->next, 1);
    if (i >= sh->scan->n) break;
    process(w, i);
  }
  if (!atomic_load(&sh->failed) && !atomic_load(&ix->stopping)) hand_off(w);
  if (w->has_writer) {
    writer_wait(w);
    pthread_mutex_lock(&w->wmu);
    w->wquit = 1;
    pthread_cond_broadcast(&w->wcv);
    pthread_mutex_unlock(&w->wmu);
    pthread_join(w->wth, NULL);
    w->has_writer = 0;
  }
  return NULL;
}

srv_code cb_index_files(cb_job *job, const cb_scan_result *scan, const cb_strmap *prev,
                        mdl_buf *kept, srv_err *err) {
  cb_indexer *ix = job->ix;
  srv_code rc = SRV_OK;
  shared sh;
  memset(&sh, 0, sizeof sh);
  worker *ws = NULL;
  pthread_t *th = NULL;
  int nth = ix->threads > 0 ? ix->threads : 1, started = 0; /* worker_main(&ws[0]) needs one */
  int sync_ready = 0; /* the workers' writer locks are initialised */

  sh.job = job;
  sh.scan = scan;
  sh.prev = prev;
  sh.seen = calloc(scan->n ? scan->n : 1, 1);
  pthread_mutex_init(&sh.mu, NULL);
  ws = calloc((size_t)nth, sizeof *ws);
  th = calloc((size_t)nth, sizeof *th);
  if (!sh.seen || !ws || !th) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory starting workers");
    goto cleanup;
  }
  for (int i = 0; i < nth; i++) {
    ws[i].batch = &ws[i].batches[0];
    pthread_mutex_init(&ws[i].wmu, NULL);
    pthread_cond_init(&ws[i].wcv, NULL);
  }
  sync_ready = 1;
  for (int i = 0; i < nth; i++) {
    ws[i].sh = &sh;
    ws[i].chunker = cb_chunker_new(ix->parse_timeout_us, 0);
    ws[i].tsv = cb_tsv_new();
    if (!ws[i].chunker || !ws[i].tsv) {
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory creating parsers");
      goto cleanup;
    }
  }
  for (int i = 0; i < nth; i++) {
    if (pthread_create(&th[i], NULL, worker_main, &ws[i]) != 0) break;
    started++;
  }
  if (started == 0) worker_main(&ws[0]);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  if (atomic_load(&sh.failed)) {
    if (err != NULL) *err = sh.err;
    rc = sh.err.code != SRV_OK ? sh.err.code : SRV_EINTERNAL;
    goto cleanup;
  }
  if (atomic_load(&ix->stopping)) {
    rc = srv_err_set(err, SRV_EUNAVAIL, "server shutting down; start the job again");
    goto cleanup;
  }
  for (size_t i = 0; i < scan->n; i++)
    if (sh.seen[i]) srv_pg_array_elem(kept, scan->files[i].path);
  if (kept->failed) rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");

cleanup:
  if (ws)
    for (int i = 0; i < nth; i++) {
      cb_chunker_free(ws[i].chunker);
      cb_tsv_free(ws[i].tsv);
      cb_batch_free(&ws[i].batches[0]);
      cb_batch_free(&ws[i].batches[1]);
      if (sync_ready) {
        pthread_mutex_destroy(&ws[i].wmu);
        pthread_cond_destroy(&ws[i].wcv);
      }
      mdl_buf_free(&ws[i].file);
      mdl_buf_free(&ws[i].ids);
      cb_strmap_free(&ws[i].sent);
    }
  free(ws);
  free(th);
  free(sh.seen);
  pthread_mutex_destroy(&sh.mu);
  return rc;
}
