/* indexer.c — the job registry, the job thread, the worker threads (see indexer.h).
 *
 * Memory while indexing: the scan list (paths only), the project's previous file hashes, and per
 * worker one file buffer plus one batch (<= ~4 MiB): bounded whatever the repository size. */
#include "servers/codebase_mcp/indexer.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/buf.h"
#include "models/uuid.h"
#include "servers/codebase_mcp/chunker.h"
#include "servers/codebase_mcp/hash.h"
#include "servers/codebase_mcp/lang.h"
#include "servers/codebase_mcp/scanner.h"
#include "servers/codebase_mcp/strmap.h"
#include "servers/codebase_mcp/tokens.h"
#include "servers/codebase_mcp/writer.h"
#include "servers/common/db.h"
#include "servers/common/pgtext.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"

#define CONTEXT_LINES 3
#define MAX_JOBS_KEPT 256

typedef enum job_status { JOB_PENDING, JOB_RUNNING, JOB_COMPLETED, JOB_FAILED } job_status;
static const char *const kStatus[] = {"pending", "running", "completed", "failed"};

typedef struct cb_job {
  char id[MDL_UUID_LEN];
  char project[CB_PROJECT_ID_MAX + 1];
  char repo[PATH_MAX];
  int force;
  atomic_int status;
  atomic_int files_total, files_indexed, files_unchanged, files_rejected, files_deleted;
  atomic_int chunks_created, warnings, secrets_skipped;
  int64_t started_mono, finished_mono; /* guarded by ix->mu */
  char error[512];                     /* guarded by ix->mu */
  pthread_t thread;
  int has_thread;
  struct cb_indexer *ix;
  struct cb_job *next;
} cb_job;

struct cb_indexer {
  srv_pool *pool;
  char *index_roots;
  int threads;
  int64_t max_file_bytes, outage_ms;
  uint64_t parse_timeout_us;
  int max_jobs;
  pthread_mutex_t mu;
  cb_job *jobs; /* newest first */
  int njobs;
  atomic_int stopping;
};

/* ---- small helpers ------------------------------------------------------------------------ */

int cb_project_id_valid(const char *s) {
  size_t n = 0;
  if (!s) return 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return 0;
  }
  return n >= 1 && n <= CB_PROJECT_ID_MAX;
}

static int job_stopping(void *arg) {
  return atomic_load(&((cb_job *)arg)->ix->stopping);
}

/* How a job waits out a lost database: 100 ms doubling to 2 s between attempts, for up to
 * ix->outage_ms, each attempt waiting up to 10 s for a free connection, until the server stops.
 * Fills *w (on_retry NULL: each retry logs "db_retry") and returns the deadline to run it with. */
static int64_t job_wait(cb_job *job, srv_db_wait *w) {
  memset(w, 0, sizeof *w);
  w->max_retries = -1;
  w->backoff_ms = 100;
  w->backoff_max_ms = 2000;
  w->attempt_ms = 10000;
  w->retry_busy = 1;
  w->stop = job_stopping;
  w->arg = job;
  return srv_mono_ms() + job->ix->outage_ms;
}

/* Runs fn on a pooled connection, waiting out a database outage for up to ix->outage_ms. */
static srv_code job_db(cb_job *job, srv_db_fn fn, void *arg, srv_err *err) {
  srv_db_wait w;
  int64_t deadline = job_wait(job, &w);
  return srv_db_run_wait(job->ix->pool, deadline, &w, fn, arg, 1, err);
}

/* ---- job rows ----------------------------------------------------------------------------- */

typedef struct job_row_arg {
  cb_job *job;
  const char *status;
  const char *error;
} job_row_arg;

static srv_code db_insert_job(PGconn *c, void *arg, srv_err *err) {
  cb_job *j = arg;
  const char *p[4] = {j->id, j->project, j->repo, j->force ? "true" : "false"};
  return srv_db_exec(c,
                     "INSERT INTO index_jobs (job_id, project_id, repo_path, force_reindex) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING",
                     4, p, NULL, err);
}

static srv_code db_update_job(PGconn *c, void *arg, srv_err *err) {
  job_row_arg *a = arg;
  cb_job *j = a->job;
  char n[7][16];
  int v[7] = {atomic_load(&j->files_total),
              atomic_load(&j->files_indexed),
              atomic_load(&j->files_unchanged) + atomic_load(&j->files_rejected),
              atomic_load(&j->files_unchanged),
              atomic_load(&j->files_deleted),
              atomic_load(&j->chunks_created),
              0};
  for (int i = 0; i < 7; i++) snprintf(n[i], sizeof n[i], "%d", v[i]);
  const char *p[9] = {j->id, a->status, n[0], n[1], n[2], n[3], n[4], n[5], a->error};
  return srv_db_exec(c,
                     "UPDATE index_jobs SET status = $2, files_total = $3, files_indexed = $4, "
                     "files_skipped = $5, files_unchanged = $6, files_deleted = $7, "
                     "chunks_created = $8, error = $9, "
                     "started_at = coalesce(started_at, now()), "
                     "finished_at = CASE WHEN $2 IN ('completed', 'failed') THEN now() END "
                     "WHERE job_id = $1",
                     9, p, NULL, err);
}

/* ---- previous file hashes (path -> hash; flag = written by this very job) ------------------ */

typedef struct load_prev_arg {
  cb_job *job;
  cb_strmap *map;
} load_prev_arg;

static srv_code db_load_prev(PGconn *c, void *arg, srv_err *err) {
  load_prev_arg *a = arg;
  PGresult *r = NULL;
  const char *p[2] = {a->job->project, a->job->id};
  srv_code rc = srv_db_exec(c,
                            "SELECT path, content_hash, job_id = $2 FROM code_files "
                            "WHERE project_id = $1",
                            2, p, &r, err);
  if (rc != SRV_OK) return rc;
  int n = PQntuples(r);
  cb_strmap_free(a->map);
  for (int i = 0; i < n; i++) {
    const char *path = PQgetvalue(r, i, 0);
    int added;
    cb_strmap_entry *e = cb_strmap_put(a->map, path, strlen(path), &added);
    if (!e) {
      PQclear(r);
      return srv_err_set(err, SRV_EINTERNAL, "out of memory loading %d file hashes", n);
    }
    snprintf(e->val, sizeof e->val, "%s", PQgetvalue(r, i, 1));
    e->flag = PQgetvalue(r, i, 2)[0] == 't';
  }
  PQclear(r);
  return SRV_OK;
}

/* ---- workers -------------------------------------------------------------------------------- */

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
  cb_batch batch;
  mdl_buf file;
  mdl_buf ids; /* chunk ids of the current file, CB_CHUNK_ID_LEN each */
  int batch_indexed;
} worker;

static void warn_file(cb_job *job, const char *op, const char *path, const char *reason) {
  atomic_fetch_add(&job->warnings, 1);
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "job_id", job->id);
    cJSON_AddStringToObject(ctx, "project_id", job->project);
    cJSON_AddStringToObject(ctx, "path", path);
    cJSON_AddStringToObject(ctx, "reason", reason);
  }
  srv_log_event_ctx(SRV_LOG_WARN, op, ctx, "%s: %s", path, reason);
  cJSON_Delete(ctx);
}

static void fail_shared(shared *sh, const srv_err *e) {
  pthread_mutex_lock(&sh->mu);
  if (!atomic_load(&sh->failed)) sh->err = *e;
  atomic_store(&sh->failed, 1);
  pthread_mutex_unlock(&sh->mu);
}

/* Reads the whole file into w->file. 0 or -1 with errno. */
/* Opens a file of the repository without following any symlink on the way (the root is
 * canonical, so a symlink anywhere in abs was planted after the scan) and without blocking on a
 * FIFO: openat2 with RESOLVE_NO_SYMLINKS, or O_NOFOLLOW on the last component where the kernel
 * has no openat2. */
static int open_untrusted(const char *abs) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM))
    fd = open(abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  return (int)fd;
}

/* Reads a file the scanner listed, trusting it no more than the scan did: a regular file only
 * (errno EINVAL otherwise), at most max_bytes (EFBIG past it: it grew after the scan). */
static int read_file(worker *w, const char *abs, int64_t max_bytes) {
  mdl_buf_reset(&w->file);
  int fd = open_untrusted(abs);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    errno = EINVAL;
    return -1;
  }
  if (st.st_size > max_bytes) {
    close(fd);
    errno = EFBIG;
    return -1;
  }
  if (mdl_buf_reserve(&w->file, (size_t)st.st_size + 1) != 0) {
    close(fd);
    errno = ENOMEM;
    return -1;
  }
  for (;;) {
    if (mdl_buf_reserve(&w->file, 65536) != 0) {
      close(fd);
      errno = ENOMEM;
      return -1;
    }
    ssize_t k = read(fd, w->file.data + w->file.len, w->file.cap - w->file.len - 1);
    if (k < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    if (k == 0) break;
    w->file.len += (size_t)k;
    if ((int64_t)w->file.len > max_bytes) {
      close(fd);
      errno = EFBIG;
      return -1;
    }
  }
  w->file.data[w->file.len] = '\0';
  close(fd);
  return 0;
}

typedef struct flush_arg {
  worker *w;
  int retries; /* logged so far */
} flush_arg;

static srv_code write_batch(PGconn *c, void *arg, srv_err *err) {
  worker *w = ((flush_arg *)arg)->w;
  return cb_batch_write(c, w->sh->job->project, &w->batch, err);
}

/* One line per retry, with its backoff: the recovery can be read back from the log. */
static void log_batch_retry(void *arg, int attempt, int64_t backoff_ms, const srv_err *why) {
  flush_arg *a = arg;
  a->retries = attempt;
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "job_id", a->w->sh->job->id);
    cJSON_AddNumberToObject(ctx, "batch_files", a->w->batch.nfiles);
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

/* Writes the worker's batch, waiting out database outages (the batch is idempotent: writing it
 * again after a lost COMMIT reply leaves the same rows). 0 ok, -1 fatal (recorded). */
static int flush(worker *w) {
  cb_job *job = w->sh->job;
  if (w->batch.nfiles == 0) return 0;
  flush_arg fa = {w, 0};
  srv_db_wait wait;
  int64_t deadline = job_wait(job, &wait);
  wait.stop = stopping;
  wait.on_retry = log_batch_retry;
  wait.arg = &fa;
  srv_err err = {0};
  if (srv_db_run_wait(job->ix->pool, deadline, &wait, write_batch, &fa, 1, &err) != SRV_OK) {
    fail_shared(w->sh, &err);
    return -1;
  }
  if (fa.retries)
    srv_log_event(SRV_LOG_INFO, "index_batch_resumed",
                  "job %s: batch of %d files written after %d retr%s: the database is back",
                  job->id, w->batch.nfiles, fa.retries, fa.retries == 1 ? "y" : "ies");
  atomic_fetch_add(&job->files_indexed, w->batch.nfiles);
  atomic_fetch_add(&job->chunks_created, w->batch.nchunks);
  cb_batch_reset(&w->batch);
  return 0;
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
    srv_pg_array_elem(&w->batch.terms, key);
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
    warn_file(job, "index_file_parse_timeout", path,
              "parsing took longer than the 1 s limit; indexed by line windows instead");
  else if (chunks.parse_errors)
    warn_file(job, "index_file_parse_errors", path,
              "the file has syntax errors; indexed what parsed, the rest by line windows");
  size_t nlines;
  const uint32_t *lines = cb_chunker_lines(w->chunker, &nlines);
  mdl_buf_reset(&w->ids);
  mdl_buf *o = &w->batch.chunks;
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
  mdl_buf *f = &w->batch.files;
  srv_pg_copy_field(f, job->project, strlen(job->project));
  mdl_buf_putc(f, '\t');
  srv_pg_copy_field(f, path, strlen(path));
  mdl_buf_printf(f, "\t%s\t%s\t%zu\t%zu\t%s\n", hash_hex, lang_name, len, chunks.n, job->id);
  cb_batch_add_path(&w->batch, path);
  w->batch.nfiles++;
  w->batch.nchunks += (int)chunks.n;
  cb_chunks_free(&chunks);
  return o->failed || f->failed || w->batch.paths.failed || w->batch.terms.failed ? -1 : 0;
}

static void process(worker *w, size_t i) {
  shared *sh = w->sh;
  cb_job *job = sh->job;
  const char *path = sh->scan->files[i].path;
  char abs[PATH_MAX + 1];
  snprintf(abs, sizeof abs, "%s/%s", job->repo, path);
  if (cb_text_check(path, strlen(path)) != 0) {
    atomic_fetch_add(&job->files_rejected, 1);
    warn_file(job, "index_file_skipped", path, "file name is not valid UTF-8");
    return;
  }
  if (read_file(w, abs, job->ix->max_file_bytes) != 0) {
    char reason[128];
    int e = errno;
    snprintf(reason, sizeof reason, "cannot read the file: %s",
             e == EINVAL  ? "no longer a regular file"
             : e == EFBIG ? "it grew past the size cap after the scan"
             : e == ELOOP ? "it became a symbolic link after the scan"
                          : strerror(e));
    atomic_fetch_add(&job->files_rejected, 1);
    warn_file(job, "index_file_skipped", path, reason);
    return;
  }
  int kind = cb_text_check(w->file.data, w->file.len);
  if (kind != 0) {
    atomic_fetch_add(&job->files_rejected, 1);
    warn_file(job, "index_file_skipped", path,
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
  if (w->batch.nfiles >= CB_BATCH_FILES || w->batch.chunks.len >= CB_BATCH_BYTES) flush(w);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  shared *sh = w->sh;
  cb_indexer *ix = sh->job->ix;
  for (;;) {
    if (atomic_load(&sh->failed) || atomic_load(&ix->stopping)) break;
    size_t i = atomic_fetch_add(&sh->next, 1);
    if (i >= sh->scan->n) break;
    process(w, i);
  }
  if (!atomic_load(&sh->failed) && !atomic_load(&ix->stopping)) flush(w);
  return NULL;
}

/* ---- the job thread ------------------------------------------------------------------------ */

typedef struct delete_arg {
  cb_job *job;
  const mdl_buf *kept; /* array literal body of kept paths */
  int deleted;
} delete_arg;

static srv_code db_delete_missing(PGconn *c, void *arg, srv_err *err) {
  delete_arg *a = arg;
  mdl_buf arr = {0}, gone = {0};
  PGresult *r = NULL;
  srv_code rc;
  if (srv_pg_array_literal(&arr, a->kept) != 0) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  const char *p[2] = {a->job->project, arr.data};
  rc = srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  /* background work: not bound by the request statement timeout */
  rc = srv_db_exec(c, "SET LOCAL statement_timeout = '120s'", 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = srv_db_exec(c,
                   /* A set difference (hashed whatever the statistics say): the NOT EXISTS
                    * form became a nested loop of 10^4 files x 10^4 kept paths (4.4 s) when the
                    * planner estimated a new project's files at zero rows. */
                   "DELETE FROM code_files f WHERE f.project_id = $1 AND f.path IN "
                   "(SELECT g.path FROM code_files g WHERE g.project_id = $1 "
                   "EXCEPT SELECT unnest($2::text[])) RETURNING path",
                   2, p, &r, err);
  if (rc != SRV_OK) goto cleanup;
  a->deleted = PQntuples(r);
  if (a->deleted > 0) {
    /* Their chunks, by the (project_id, file_path) index. One statement joining the deleted
     * paths planned a hash join over a sequential scan of every project's chunks while the
     * statistics were stale: 1 s per job with six projects indexed, even with nothing gone. */
    for (int i = 0; i < a->deleted; i++) srv_pg_array_elem(&gone, PQgetvalue(r, i, 0));
    if (gone.failed || srv_pg_array_literal(&arr, &gone) != 0) {
      rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
    const char *q[2] = {a->job->project, arr.data};
    rc = srv_db_exec(c, CB_SQL_DELETE_CHUNKS("file_deleted"), 2, q, NULL, err);
    if (rc != SRV_OK) goto cleanup;
  }
  /* Tombstones answer "what happened to this chunk id"; a month of history is plenty. */
  rc = srv_db_exec(c,
                   "DELETE FROM code_chunk_tombstones WHERE project_id = $1 AND "
                   "removed_at < now() - interval '30 days'",
                   1, p, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);

cleanup:
  if (rc != SRV_OK && PQstatus(c) == CONNECTION_OK) {
    PGresult *rb = PQexec(c, "ROLLBACK");
    PQclear(rb);
  }
  PQclear(r);
  mdl_buf_free(&arr);
  mdl_buf_free(&gone);
  return rc;
}

static srv_code db_merge_pending(PGconn *c, void *arg, srv_err *err) {
  (void)arg;
  srv_code rc = srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
  if (rc == SRV_OK) rc = srv_db_exec(c, "SET LOCAL statement_timeout = '120s'", 0, NULL, NULL, err);
  if (rc == SRV_OK)
    /* Every GIN index, not only the chunks': while code_files_path_trgm still held its pending
     * list, the planner priced the trigram scan above a sequential scan and computed
     * word_similarity over every path (~100 ms a query; 10 clients: ~1.4 s p95) until
     * autovacuum happened to merge it. */
    rc = srv_db_exec(c,
                     "SELECT gin_clean_pending_list('code_chunks_tsv'::regclass), "
                     "gin_clean_pending_list('code_files_path_trgm'::regclass), "
                     "gin_clean_pending_list('code_terms_trgm'::regclass)",
                     0, NULL, NULL, err);
  /* Statistics for the path and vocabulary tables (10^4 and 10^3 rows: milliseconds): without
   * them the planner still guessed a sequential scan for the path match right after a job.
   * And for the chunk columns that searches filter on (a 30,000-row sample: ~0.7 s with 1.2
   * million chunks): until autovacuum got to it, search right after a job took p50 148 ms, p95
   * 165 ms one client at a time; after it, p50 4.4 ms, p95 7.0 ms. */
  if (rc == SRV_OK)
    rc = srv_db_exec(c,
                     "ANALYZE code_files, code_terms, "
                     "code_chunks (project_id, file_path, symbol, tsv)",
                     0, NULL, NULL, err);
  if (rc == SRV_OK) return srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult *r = PQexec(c, "ROLLBACK");
    PQclear(r);
  }
  return rc;
}

static srv_code db_recount(PGconn *c, void *arg, srv_err *err) {
  cb_job *j = arg;
  PGresult *r = NULL;
  const char *p[2] = {j->project, j->id};
  srv_code rc = srv_db_exec(c,
                            "SELECT count(*), coalesce(sum(chunk_count), 0) FROM code_files "
                            "WHERE project_id = $1 AND job_id = $2",
                            2, p, &r, err);
  if (rc != SRV_OK) return rc;
  atomic_store(&j->files_indexed, (int)strtol(PQgetvalue(r, 0, 0), NULL, 10));
  atomic_store(&j->chunks_created, (int)strtol(PQgetvalue(r, 0, 1), NULL, 10));
  PQclear(r);
  return SRV_OK;
}

static void finish(cb_job *job, job_status st, const char *error) {
  cb_indexer *ix = job->ix;
  pthread_mutex_lock(&ix->mu);
  job->finished_mono = srv_mono_ms();
  if (error) snprintf(job->error, sizeof job->error, "%s", error);
  pthread_mutex_unlock(&ix->mu);
  job_row_arg a = {job, kStatus[st], error};
  srv_err err = {0};
  if (job_db(job, db_update_job, &a, &err) != SRV_OK)
    srv_log_event(SRV_LOG_ERROR, "index_job_record_failed",
                  "job %s finished as %s but its row could not be updated: %s", job->id,
                  kStatus[st], err.msg);
  atomic_store(&job->status, st);
  cJSON *ctx = cJSON_CreateObject();
  if (ctx) {
    cJSON_AddStringToObject(ctx, "job_id", job->id);
    cJSON_AddStringToObject(ctx, "project_id", job->project);
    cJSON_AddNumberToObject(ctx, "files_total", atomic_load(&job->files_total));
    cJSON_AddNumberToObject(ctx, "files_indexed", atomic_load(&job->files_indexed));
    cJSON_AddNumberToObject(ctx, "files_unchanged", atomic_load(&job->files_unchanged));
    cJSON_AddNumberToObject(ctx, "files_rejected", atomic_load(&job->files_rejected));
    cJSON_AddNumberToObject(ctx, "files_deleted", atomic_load(&job->files_deleted));
    cJSON_AddNumberToObject(ctx, "chunks_created", atomic_load(&job->chunks_created));
    cJSON_AddNumberToObject(ctx, "elapsed_ms", (double)(job->finished_mono - job->started_mono));
  }
  srv_log_event_ctx(st == JOB_COMPLETED ? SRV_LOG_INFO : SRV_LOG_ERROR, "index_job_finished", ctx,
                    "job %s %s%s%s", job->id, kStatus[st], error ? ": " : "", error ? error : "");
  cJSON_Delete(ctx);
}

static void *job_main(void *arg) {
  cb_job *job = arg;
  cb_indexer *ix = job->ix;
  srv_err err = {0};
  cb_scan_result scan = {0};
  cb_strmap prev = {0};
  shared sh;
  memset(&sh, 0, sizeof sh);
  worker *ws = NULL;
  pthread_t *th = NULL;
  int nth = ix->threads > 0 ? ix->threads : 1, started = 0; /* worker_main(&ws[0]) needs one */
  mdl_buf kept = {0};
  const char *fail = NULL;
  char failbuf[600];

  pthread_mutex_lock(&ix->mu);
  job->started_mono = srv_mono_ms();
  pthread_mutex_unlock(&ix->mu);
  atomic_store(&job->status, JOB_RUNNING);
  job_row_arg ra = {job, "running", NULL};
  if (job_db(job, db_update_job, &ra, &err) != SRV_OK) goto failed;

  cb_scan_opts so = {ix->threads, ix->max_file_bytes};
  if (cb_scan(job->repo, &so, &scan, &err) != SRV_OK) goto failed;
  atomic_store(&job->files_total, (int)(scan.n + scan.nskipped));
  atomic_store(&job->secrets_skipped, (int)scan.secrets);
  for (size_t i = 0; i < scan.nskipped; i++) {
    atomic_fetch_add(&job->files_rejected, 1);
    warn_file(job, "index_file_skipped", scan.skipped[i].path, scan.skipped[i].reason);
  }
  load_prev_arg la = {job, &prev};
  if (job_db(job, db_load_prev, &la, &err) != SRV_OK) goto failed;

  sh.job = job;
  sh.scan = &scan;
  sh.prev = &prev;
  sh.seen = calloc(scan.n ? scan.n : 1, 1);
  pthread_mutex_init(&sh.mu, NULL);
  ws = calloc((size_t)nth, sizeof *ws);
  th = calloc((size_t)nth, sizeof *th);
  if (!sh.seen || !ws || !th) {
    srv_err_set(&err, SRV_EINTERNAL, "out of memory starting workers");
    goto failed_workers;
  }
  for (int i = 0; i < nth; i++) {
    ws[i].sh = &sh;
    ws[i].chunker = cb_chunker_new(ix->parse_timeout_us, 0);
    ws[i].tsv = cb_tsv_new();
    if (!ws[i].chunker || !ws[i].tsv) {
      srv_err_set(&err, SRV_EINTERNAL, "out of memory creating parsers");
      goto failed_workers;
    }
  }
  for (int i = 0; i < nth; i++) {
    if (pthread_create(&th[i], NULL, worker_main, &ws[i]) != 0) break;
    started++;
  }
  if (started == 0) worker_main(&ws[0]);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  if (atomic_load(&sh.failed)) {
    err = sh.err;
    goto failed_workers;
  }
  if (atomic_load(&ix->stopping)) {
    srv_err_set(&err, SRV_EUNAVAIL, "server shutting down; start the job again");
    goto failed_workers;
  }
  for (size_t i = 0; i < scan.n; i++)
    if (sh.seen[i]) srv_pg_array_elem(&kept, scan.files[i].path);
  if (kept.failed) {
    srv_err_set(&err, SRV_EINTERNAL, "out of memory");
    goto failed_workers;
  }
  delete_arg da = {job, &kept, 0};
  if (job_db(job, db_delete_missing, &da, &err) != SRV_OK) goto failed_workers;
  atomic_store(&job->files_deleted, da.deleted);
  if (job_db(job, db_recount, job, &err) != SRV_OK) goto failed_workers;
  /* Merge the GIN pending list now, so searches never scan it (autovacuum would, later).
   * Only after writing: the merge waits for an autovacuum busy on the same list, and a
   * re-index that changed nothing must not wait for that. */
  if (atomic_load(&job->chunks_created) > 0 && job_db(job, db_merge_pending, NULL, &err) != SRV_OK)
    srv_log_event(SRV_LOG_WARN, "index_gin_merge_skipped",
                  "job %s: merging the search index's pending list failed: %s", job->id, err.msg);
  finish(job, JOB_COMPLETED, NULL);
  goto cleanup;

failed_workers:
failed:
  snprintf(failbuf, sizeof failbuf, "%s", err.msg[0] ? err.msg : "indexing failed");
  fail = failbuf;
  finish(job, JOB_FAILED, fail);

cleanup:
  if (ws)
    for (int i = 0; i < nth; i++) {
      cb_chunker_free(ws[i].chunker);
      cb_tsv_free(ws[i].tsv);
      cb_batch_free(&ws[i].batch);
      mdl_buf_free(&ws[i].file);
      mdl_buf_free(&ws[i].ids);
      cb_strmap_free(&ws[i].sent);
    }
  free(ws);
  free(th);
  free(sh.seen);
  if (sh.job) pthread_mutex_destroy(&sh.mu);
  mdl_buf_free(&kept);
  cb_strmap_free(&prev);
  cb_scan_free(&scan);
  /* A job frees tens of MB spread over the worker threads' malloc arenas; glibc keeps them, so
   * an idle server grew ~15 MB per finished job. Hand the freed memory back to the system. */
  malloc_trim(0);
  return NULL;
}

/* ---- registry and public API ---------------------------------------------------------------- */

srv_code cb_indexer_new(const cb_indexer_config *cfg, cb_indexer **out, srv_err *err) {
  assert(cfg && out);
  *out = NULL;
  if (!cfg->pool) return srv_err_set(err, SRV_EINVAL, "indexer needs a database pool");
  cb_indexer *ix = calloc(1, sizeof *ix);
  if (!ix) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  ix->pool = cfg->pool;
  ix->index_roots = strdup(cfg->index_roots ? cfg->index_roots : "");
  ix->threads = cfg->threads > 0 ? (cfg->threads > 32 ? 32 : cfg->threads) : 2;
  ix->max_file_bytes = cfg->max_file_bytes > 0 ? cfg->max_file_bytes : (1 << 20);
  ix->outage_ms = cfg->outage_ms > 0 ? cfg->outage_ms : 300000;
  ix->parse_timeout_us = cfg->parse_timeout_us ? cfg->parse_timeout_us : 1000000;
  ix->max_jobs = cfg->max_jobs > 0 ? cfg->max_jobs : 4;
  if (!ix->index_roots) {
    free(ix);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  /* INDEX_ROOTS may be comma-separated too */
  for (char *p = ix->index_roots; *p; p++)
    if (*p == ',') *p = ':';
  pthread_mutex_init(&ix->mu, NULL);
  *out = ix;
  return SRV_OK;
}

void cb_indexer_free(cb_indexer *ix) {
  if (!ix) return;
  atomic_store(&ix->stopping, 1);
  for (cb_job *j = ix->jobs; j; j = j->next)
    if (j->has_thread) pthread_join(j->thread, NULL);
  cb_job *j = ix->jobs;
  while (j) {
    cb_job *n = j->next;
    free(j);
    j = n;
  }
  pthread_mutex_destroy(&ix->mu);
  free(ix->index_roots);
  free(ix);
}

static srv_code db_recover(PGconn *c, void *arg, srv_err *err) {
  (void)arg;
  return srv_db_exec(c,
                     "UPDATE index_jobs SET status = 'failed', finished_at = now(), error = "
                     "'interrupted by a server restart: start indexing again (files already "
                     "indexed are kept and skipped)' WHERE status IN ('pending', 'running')",
                     0, NULL, NULL, err);
}

srv_code cb_indexer_recover(cb_indexer *ix, int64_t deadline_mono_ms, srv_err *err) {
  return srv_db_run(ix->pool, deadline_mono_ms, db_recover, NULL, 1, err);
}

static void job_json_basic(const cb_job *j, cJSON *o) {
  cJSON_AddStringToObject(o, "job_id", j->id);
  cJSON_AddStringToObject(o, "status", kStatus[atomic_load(&j->status)]);
  cJSON_AddStringToObject(o, "project_id", j->project);
  cJSON_AddStringToObject(o, "repo_path", j->repo);
}

/* Drops the oldest finished jobs beyond MAX_JOBS_KEPT (their rows stay in index_jobs).
 * Caller holds ix->mu. */
static void prune(cb_indexer *ix) {
  if (ix->njobs <= MAX_JOBS_KEPT) return;
  cb_job **pp = &ix->jobs;
  int k = 0;
  while (*pp) {
    cb_job *j = *pp;
    int st = atomic_load(&j->status);
    if (++k > MAX_JOBS_KEPT && (st == JOB_COMPLETED || st == JOB_FAILED)) {
      *pp = j->next;
      if (j->has_thread) pthread_join(j->thread, NULL); /* finished: returns at once */
      free(j);
      ix->njobs--;
      continue;
    }
    pp = &j->next;
  }
}

srv_code cb_indexer_start(cb_indexer *ix, const char *repo_path, const char *project_id,
                          int force_reindex, int64_t deadline_mono_ms, cJSON **out, srv_err *err) {
  srv_code rc = SRV_OK;
  cb_job *job = NULL;
  *out = NULL;
  if (!project_id || !*project_id) project_id = "default";
  if (!cb_project_id_valid(project_id))
    return srv_err_set(err, SRV_EINVAL,
                       "project_id '%.80s' is invalid: use 1-64 characters from lowercase "
                       "letters, digits, '-' and '_' (e.g. \"my-repo\")",
                       project_id);
  job = calloc(1, sizeof *job);
  if (!job) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  rc = cb_scan_resolve_root(repo_path, ix->index_roots, job->repo, sizeof job->repo, err);
  if (rc != SRV_OK) goto cleanup;
  snprintf(job->project, sizeof job->project, "%s", project_id);
  job->force = force_reindex ? 1 : 0;
  job->ix = ix;
  mdl_err me;
  if (mdl_uuid_v4(job->id, &me) != MDL_OK) {
    rc = srv_err_set(err, SRV_EINTERNAL, "cannot generate a job id");
    goto cleanup;
  }
  /* one job per project at a time, at most max_jobs in all */
  int active = 0;
  pthread_mutex_lock(&ix->mu);
  for (cb_job *j = ix->jobs; j; j = j->next) {
    int st = atomic_load(&j->status);
    active += st == JOB_PENDING || st == JOB_RUNNING;
    if (strcmp(j->project, project_id) == 0 && (st == JOB_PENDING || st == JOB_RUNNING)) {
      cJSON *o = cJSON_CreateObject();
      if (o) {
        job_json_basic(j, o);
        cJSON_AddBoolToObject(o, "already_running", 1);
      }
      pthread_mutex_unlock(&ix->mu);
      *out = o;
      rc = o ? SRV_OK : srv_err_set(err, SRV_EINTERNAL, "out of memory");
      goto cleanup;
    }
  }
  if (active >= ix->max_jobs) {
    pthread_mutex_unlock(&ix->mu);
    rc = srv_err_set(err, SRV_EBUSY,
                     "%d indexing jobs are running already, the most this server runs at once "
                     "(INDEX_MAX_JOBS=%d); retry when one has finished",
                     active, ix->max_jobs);
    goto cleanup;
  }
  atomic_store(&job->status, JOB_PENDING);
  job->next = ix->jobs; /* registered before the insert so a twin start sees it */
  ix->jobs = job;
  ix->njobs++;
  pthread_mutex_unlock(&ix->mu);

  rc = srv_db_run(ix->pool, deadline_mono_ms, db_insert_job, job, 1, err);
  if (rc == SRV_OK && pthread_create(&job->thread, NULL, job_main, job) == 0) {
    job->has_thread = 1;
  } else if (rc == SRV_OK) {
    rc = srv_err_set(err, SRV_EINTERNAL, "cannot start the indexing thread");
  }
  pthread_mutex_lock(&ix->mu);
  if (rc != SRV_OK) { /* unregister */
    for (cb_job **pp = &ix->jobs; *pp; pp = &(*pp)->next)
      if (*pp == job) {
        *pp = job->next;
        break;
      }
    ix->njobs--;
    pthread_mutex_unlock(&ix->mu);
    goto cleanup;
  }
  cJSON *o = cJSON_CreateObject();
  if (o) {
    cJSON_AddStringToObject(o, "job_id", job->id);
    cJSON_AddStringToObject(o, "status", "pending");
    cJSON_AddStringToObject(o, "project_id", job->project);
    cJSON_AddStringToObject(o, "repo_path", job->repo);
  }
  prune(ix);
  pthread_mutex_unlock(&ix->mu);
  srv_log_event(SRV_LOG_INFO, "index_job_started", "job %s: indexing %s into project %s%s", job->id,
                job->repo, job->project, job->force ? " (force)" : "");
  job = NULL; /* owned by the registry now */
  *out = o;
  if (!o) rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");

cleanup:
  free(job);
  return rc;
}

static void add_progress(cJSON *o, int total, int indexed, int unchanged, int rejected, int deleted,
                         int chunks, int64_t elapsed, int running) {
  int done = indexed + unchanged + rejected;
  double pct = total > 0 ? 100.0 * done / total : (running ? 0.0 : 100.0);
  if (!running && pct < 100.0 && total == done) pct = 100.0;
  if (pct > 100.0) pct = 100.0;
  cJSON_AddNumberToObject(o, "files_total", total);
  cJSON_AddNumberToObject(o, "files_indexed", indexed);
  cJSON_AddNumberToObject(o, "files_skipped", unchanged + rejected);
  cJSON_AddNumberToObject(o, "files_unchanged", unchanged);
  cJSON_AddNumberToObject(o, "files_rejected", rejected);
  cJSON_AddNumberToObject(o, "files_deleted", deleted);
  cJSON_AddNumberToObject(o, "chunks_created", chunks);
  cJSON_AddNumberToObject(o, "percent", (double)((int)(pct * 10)) / 10.0);
  cJSON_AddNumberToObject(o, "elapsed_ms", (double)elapsed);
  int64_t eta = 0;
  if (running && done > 0 && total > done) eta = elapsed * (total - done) / done;
  cJSON_AddNumberToObject(o, "eta_ms", (double)eta);
}

typedef struct status_arg {
  const char *job_id;
  cJSON *out;
} status_arg;

static srv_code db_status(PGconn *c, void *arg, srv_err *err) {
  status_arg *a = arg;
  PGresult *r = NULL;
  const char *p[1] = {a->job_id};
  srv_code rc = srv_db_exec(
      c,
      "SELECT job_id, project_id, repo_path, status, files_total, files_indexed, files_skipped, "
      "files_unchanged, files_deleted, chunks_created, error, "
      "(extract(epoch from (coalesce(finished_at, now()) - coalesce(started_at, now()))) "
      "* 1000)::bigint FROM index_jobs WHERE job_id = $1",
      1, p, &r, err);
  if (rc != SRV_OK) return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return srv_err_set(err, SRV_ENOTFOUND,
                       "no indexing job %s: use the job_id returned by "
                       "start_indexing_background",
                       a->job_id);
  }
  cJSON *o = cJSON_CreateObject();
  if (!o) {
    PQclear(r);
    return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  cJSON_AddStringToObject(o, "job_id", PQgetvalue(r, 0, 0));
  cJSON_AddStringToObject(o, "status", PQgetvalue(r, 0, 3));
  cJSON_AddStringToObject(o, "project_id", PQgetvalue(r, 0, 1));
  cJSON_AddStringToObject(o, "repo_path", PQgetvalue(r, 0, 2));
  int v[6];
  for (int i = 0; i < 6; i++) v[i] = (int)strtol(PQgetvalue(r, 0, 4 + i), NULL, 10);
  int running = strcmp(PQgetvalue(r, 0, 3), "running") == 0;
  add_progress(o, v[0], v[1], v[3], v[2] - v[3], v[4], v[5],
               strtoll(PQgetvalue(r, 0, 11), NULL, 10), running);
  cJSON_AddNumberToObject(o, "warnings", 0);
  if (!PQgetisnull(r, 0, 10)) cJSON_AddStringToObject(o, "error", PQgetvalue(r, 0, 10));
  PQclear(r);
  a->out = o;
  return SRV_OK;
}

srv_code cb_indexer_status(cb_indexer *ix, const char *job_id, int64_t deadline_mono_ms,
                           cJSON **out, srv_err *err) {
  *out = NULL;
  if (!job_id || !mdl_uuid_valid(job_id))
    return srv_err_set(err, SRV_EINVAL,
                       "job_id '%.80s' is not a UUID: pass the job_id returned by "
                       "start_indexing_background",
                       job_id ? job_id : "");
  char canon[MDL_UUID_LEN];
  for (int i = 0; i < MDL_UUID_LEN; i++)
    canon[i] = (char)((job_id[i] >= 'A' && job_id[i] <= 'F') ? job_id[i] + 32 : job_id[i]);
  pthread_mutex_lock(&ix->mu);
  for (cb_job *j = ix->jobs; j; j = j->next) {
    if (strcmp(j->id, canon) != 0) continue;
    cJSON *o = cJSON_CreateObject();
    if (!o) break;
    int st = atomic_load(&j->status);
    job_json_basic(j, o);
    int64_t end = (st == JOB_COMPLETED || st == JOB_FAILED) ? j->finished_mono : srv_mono_ms();
    int64_t elapsed = j->started_mono ? end - j->started_mono : 0;
    add_progress(o, atomic_load(&j->files_total), atomic_load(&j->files_indexed),
                 atomic_load(&j->files_unchanged), atomic_load(&j->files_rejected),
                 atomic_load(&j->files_deleted), atomic_load(&j->chunks_created), elapsed,
                 st == JOB_RUNNING || st == JOB_PENDING);
    cJSON_AddNumberToObject(o, "warnings", atomic_load(&j->warnings));
    cJSON_AddNumberToObject(o, "secrets_skipped", atomic_load(&j->secrets_skipped));
    if (st == JOB_FAILED && j->error[0]) cJSON_AddStringToObject(o, "error", j->error);
    pthread_mutex_unlock(&ix->mu);
    *out = o;
    return SRV_OK;
  }
  pthread_mutex_unlock(&ix->mu);
  status_arg a = {canon, NULL};
  srv_code rc = srv_db_run(ix->pool, deadline_mono_ms, db_status, &a, 1, err);
  if (rc == SRV_OK) *out = a.out;
  return rc;
}
