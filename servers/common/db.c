/* db.c — run an operation on a pooled connection, retrying lost connections when safe (the one
 * retry loop of the servers, with its wait policy, and the one place that ends a lost
 * connection's backend); map PostgreSQL errors to srv_code (see db.h). */
#include "servers/common/db.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "servers/common/log.h"
#include "servers/common/timeutil.h"

int srv_db_is_connection_loss(PGconn *c, const char *sqlstate) {
  if (c == NULL || PQstatus(c) != CONNECTION_OK) return 1;
  if (sqlstate == NULL) return 0;
  if (strncmp(sqlstate, "08", 2) == 0) return 1;
  return strcmp(sqlstate, "57P01") == 0 || strcmp(sqlstate, "57P02") == 0 ||
         strcmp(sqlstate, "57P03") == 0;
}

srv_code srv_db_result_error(PGconn *c, const PGresult *res, const char *what, srv_err *err) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (msg == NULL || msg[0] == '\0') msg = c ? PQerrorMessage(c) : "no connection";
  char clean[300];
  snprintf(clean, sizeof clean, "%s", msg);
  clean[strcspn(clean, "\n")] = '\0';
  if (what == NULL) what = "database operation";
  if (srv_db_is_connection_loss(c, state)) {
    return srv_err_set(err, SRV_EUNAVAIL, "%s failed: database connection lost (%s); retry later",
                       what, clean);
  }
  if (state != NULL && strcmp(state, "23505") == 0) {
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    return srv_err_set(err, SRV_ECONFLICT, "%s: %s%s%s", what, clean, detail ? ": " : "",
                       detail ? detail : "");
  }
  if (state != NULL && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)) {
    return srv_err_set(err, SRV_EINVAL, "%s: invalid data: %s (SQLSTATE %s)", what, clean, state);
  }
  if (state != NULL && strcmp(state, "57014") == 0) {
    return srv_err_set(err, SRV_ETIMEOUT, "%s: cancelled after the statement timeout (%s)", what,
                       clean);
  }
  return srv_err_set(err, SRV_EINTERNAL, "%s: %s (SQLSTATE %s)", what, clean,
                     state ? state : "none");
}

/* The result of a successful statement goes to *out (or is cleared); a failed one is mapped. */
static srv_code take_result(PGconn *c, PGresult *r, PGresult **out, srv_err *err) {
  ExecStatusType st = PQresultStatus(r);
  if (r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)) {
    if (out != NULL)
      *out = r;
    else
      PQclear(r);
    return SRV_OK;
  }
  srv_code rc = srv_db_result_error(c, r, "query", err);
  PQclear(r);
  return rc;
}

srv_code srv_db_exec(PGconn *c, const char *sql, int nparams, const char *const *params,
                     PGresult **out, srv_err *err) {
  if (out != NULL) *out = NULL;
  return take_result(c, PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0), out, err);
}

srv_code srv_db_exec_prepared(PGconn *c, const char *name, const char *sql, int nparams,
                              const char *const *params, PGresult **out, srv_err *err) {
  assert(name != NULL && sql != NULL);
  if (out != NULL) *out = NULL;
  PGresult *r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
  const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (PQresultStatus(r) == PGRES_FATAL_ERROR && state != NULL && strcmp(state, "26000") == 0) {
    PQclear(r); /* not prepared on this connection yet */
    r = PQprepare(c, name, sql, nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      srv_code rc = srv_db_result_error(c, r, "prepare", err);
      PQclear(r);
      return rc;
    }
    PQclear(r);
    r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
  }
  return take_result(c, r, out, err);
}

int srv_db_user_timeout(PGconn *c, int ms, int *prev_ms) {
  int fd = c != NULL ? PQsocket(c) : -1;
  unsigned int old = 0, want = (unsigned int)ms;
  socklen_t len = sizeof old;
  if (prev_ms != NULL) *prev_ms = -1;
  if (fd < 0 || ms < 0 || getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &old, &len) != 0) return -1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &want, sizeof want) != 0) return -1;
  if (prev_ms != NULL) *prev_ms = (int)old;
  return 0;
}

/* ---- the backend of a lost connection (see srv_db_run_wait) ------------------------------ */

typedef struct lost_backend {
  int pid;              /* 0: nothing to end */
  int64_t lost_wall_ms; /* when the loss was seen */
} lost_backend;

/* Records c's backend as possibly orphaned (before the connection is released). */
static void orphan_note(lost_backend *o, PGconn *c) {
  o->pid = c != NULL ? PQbackendPID(c) : 0;
  o->lost_wall_ms = srv_wall_ms();
}

/* Ends o's backend through c if it still runs, logs it, and clears o. Best effort: a failure
 * here is left for the repeated operation to meet. */
static void orphan_end(PGconn *c, lost_backend *o) {
  if (o->pid <= 0) return;
  char pid[16], lost[32];
  snprintf(pid, sizeof pid, "%d", o->pid);
  snprintf(lost, sizeof lost, "%lld", (long long)o->lost_wall_ms);
  const char *params[2] = {pid, lost};
  PGresult *r = NULL;
  srv_err ignored = {0};
  if (srv_db_exec(c,
                  "SELECT pg_terminate_backend(pid, 2000) FROM pg_stat_activity "
                  "WHERE pid = $1::int AND pid <> pg_backend_pid() "
                  "AND datname = current_database() AND usename = current_user "
                  "AND backend_start < to_timestamp($2::float8 / 1000)",
                  2, params, &r, &ignored) == SRV_OK &&
      PQntuples(r) == 1) {
    cJSON *ctx = cJSON_CreateObject();
    cJSON_AddNumberToObject(ctx, "backend_pid", o->pid);
    cJSON_AddNumberToObject(ctx, "lost_ms_ago", (double)(srv_wall_ms() - o->lost_wall_ms));
    srv_log_event_ctx(SRV_LOG_INFO, "db_orphan_terminated", ctx,
                      "terminated backend %d of a lost connection (%s) before repeating its "
                      "operation: it was still waiting inside its transaction",
                      o->pid, PQgetvalue(r, 0, 0)[0] == 't' ? "it exited" : "exit not confirmed");
    cJSON_Delete(ctx);
  }
  PQclear(r);
  o->pid = 0;
}

/* ---- running an operation, with retries ----------------------------------------------------- */

static const srv_db_wait kRequestWait = {
    .max_retries = SRV_DB_MAX_RETRIES,
    .backoff_ms = SRV_DB_BACKOFF_BASE_MS,
};

/* The wait before retry `attempt` (1-based): backoff_ms doubled attempt - 1 times, capped. */
static int64_t backoff_of(const srv_db_wait *w, int attempt) {
  int64_t b = w->backoff_ms;
  for (int i = 1; i < attempt && b < INT64_MAX / 4; i++) {
    if (w->backoff_max_ms > 0 && b >= w->backoff_max_ms) break;
    b *= 2;
  }
  return w->backoff_max_ms > 0 && b > w->backoff_max_ms ? w->backoff_max_ms : b;
}

static void log_retry(const srv_db_wait *w, int attempt, int64_t backoff, const srv_err *err) {
  if (w->on_retry != NULL) {
    w->on_retry(w->arg, attempt, backoff, err);
    return;
  }
  const char *why = err ? err->msg : "connection lost";
  cJSON *ctx = cJSON_CreateObject();
  cJSON_AddNumberToObject(ctx, "attempt", attempt);
  if (w->max_retries >= 0) cJSON_AddNumberToObject(ctx, "max_retries", w->max_retries);
  cJSON_AddNumberToObject(ctx, "backoff_ms", (double)backoff);
  if (w->max_retries >= 0)
    srv_log_event_ctx(SRV_LOG_WARN, "db_retry", ctx, "retry %d of %d in %lld ms after: %s", attempt,
                      w->max_retries, (long long)backoff, why);
  else
    srv_log_event_ctx(SRV_LOG_WARN, "db_retry", ctx, "retry %d in %lld ms after: %s", attempt,
                      (long long)backoff, why);
  cJSON_Delete(ctx);
}

srv_code srv_db_run_wait(srv_pool *pool, int64_t deadline_mono_ms, const srv_db_wait *wait,
                         srv_db_fn fn, void *arg, int retry_safe, srv_err *err) {
  const srv_db_wait *w = wait != NULL ? wait : &kRequestWait;
  assert(w->backoff_ms > 0);
  srv_code rc = SRV_OK;
  int attempt = 0;
  lost_backend orphan = {0};
  for (;;) {
    PGconn *c = NULL;
    int64_t until = deadline_mono_ms;
    if (w->attempt_ms > 0 && srv_mono_ms() + w->attempt_ms < until)
      until = srv_mono_ms() + w->attempt_ms;
    rc = srv_pool_acquire(pool, until, &c, err);
    if (rc == SRV_OK) {
      srv_err_clear(err);
      orphan_end(c, &orphan);
      rc = fn(c, arg, err);
      int lost = rc != SRV_OK && (rc == SRV_EUNAVAIL || PQstatus(c) != CONNECTION_OK);
      if (lost) orphan_note(&orphan, c);
      srv_pool_release(pool, c, lost);
      if (rc == SRV_OK || !lost) return rc;
      if (err != NULL && err->code != SRV_EUNAVAIL) {
        char prev[sizeof err->msg];
        snprintf(prev, sizeof prev, "%s", err->msg);
        srv_err_set(err, SRV_EUNAVAIL, "database connection lost: %s", prev);
      }
      rc = SRV_EUNAVAIL;
    } else if (rc != SRV_EUNAVAIL && !(rc == SRV_EBUSY && w->retry_busy)) {
      return rc; /* SRV_EBUSY: the deadline has passed */
    }
    /* The connection was lost, the database could not be reached, or (retry_busy) the pool
     * stayed exhausted. */
    if (!retry_safe || (w->max_retries >= 0 && attempt >= w->max_retries)) break;
    if (w->stop != NULL && w->stop(w->arg)) break;
    int64_t backoff = backoff_of(w, attempt + 1);
    if (srv_mono_ms() + backoff >= deadline_mono_ms) break;
    attempt++;
    log_retry(w, attempt, backoff, err);
    srv_sleep_ms(backoff);
  }
  if (err != NULL) {
    char prev[sizeof err->msg];
    snprintf(prev, sizeof prev, "%s", err->msg);
    srv_err_set(err, rc, "%s (%d attempt%s%s)", prev, attempt + 1, attempt ? "s" : "",
                retry_safe ? "" : "; not retried: the operation is not safe to repeat");
  }
  return rc;
}

srv_code srv_db_run(srv_pool *pool, int64_t deadline_mono_ms, srv_db_fn fn, void *arg,
                    int retry_safe, srv_err *err) {
  return srv_db_run_wait(pool, deadline_mono_ms, NULL, fn, arg, retry_safe, err);
}
