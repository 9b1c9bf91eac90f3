/* db.h — running one database operation through the pool, with retries where they are safe.
 *
 * srv_db_run acquires a connection, calls fn, releases the connection, and — only when the caller
 * says the operation is retry-safe — retries an operation that failed because the connection was
 * lost, with exponential backoff (100, 200, 400 ms; at most 3 retries; never past the deadline).
 * srv_db_run_wait is the same loop with the caller's wait policy (srv_db_wait), for background
 * work that waits out a whole outage.
 *
 * WHICH OPERATIONS ARE SAFE TO RETRY (pass retry_safe = 1):
 *   - reads (SELECT), including several reads in one transaction;
 *   - idempotent writes: INSERT ... ON CONFLICT DO NOTHING / DO UPDATE with the same values,
 *     keyed upserts, UPDATE ... SET x = <absolute value> WHERE key = ..., DELETE by key,
 *     COPY into a staging table that is replaced as a whole;
 *   - any write done inside one explicit transaction when the failure happened before COMMIT was
 *     sent (the server rolls the transaction back when the connection dies).
 * NOT SAFE (retry_safe = 0): a write whose COMMIT was sent but whose reply was lost (it may have
 * committed) unless the write is idempotent; non-idempotent writes outside an explicit
 * transaction (INSERT generating a new id, counter increments, version bumps with
 * "version = version + 1"); anything with side effects outside the database.
 * fn must therefore be written so that running it again from the start is correct.
 *
 * Connection loss is recognised by: PQstatus != CONNECTION_OK after a failure, or SQLSTATE class
 * 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now. */
#ifndef SRV_DB_H
#define SRV_DB_H

#include <libpq-fe.h>
#include <stdint.h>

#include "servers/common/error.h"
#include "servers/common/pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Backoff before retry 1, 2, 3 (ms). */
#define SRV_DB_MAX_RETRIES 3
#define SRV_DB_BACKOFF_BASE_MS 100

/* One database operation. Returns SRV_OK or a code with err filled (use srv_db_exec, whose error
 * mapping marks connection loss as SRV_EUNAVAIL). Must not keep conn after returning. */
typedef srv_code (*srv_db_fn)(PGconn *c, void *arg, srv_err *err);

/* Runs fn on a pooled connection (see the file comment) with srv_db_run_wait's request policy:
 * at most SRV_DB_MAX_RETRIES retries, 100, 200, 400 ms apart, never past the deadline, each
 * logged as WARN "db_retry" (attempt, max_retries, backoff_ms). Returns fn's result, or the
 * acquire failure (SRV_EBUSY / SRV_EUNAVAIL), or SRV_EUNAVAIL when the connection was lost and
 * retries were not allowed or ran out (message says how many attempts were made). */
srv_code srv_db_run(srv_pool *pool, int64_t deadline_mono_ms, srv_db_fn fn, void *arg,
                    int retry_safe, srv_err *err);

/* How srv_db_run_wait waits between attempts: the wait before retry n (1-based) is
 * backoff_ms << (n - 1), at most backoff_max_ms; no retry whose wait would end past the deadline.
 * A request waits briefly (srv_db_run); a background job waits out an outage (the indexer:
 * 100 ms doubling to 2 s for minutes, stopping when the server shuts down). */
typedef struct srv_db_wait {
  int max_retries;        /* retries after the first attempt; < 0: as many as the deadline allows */
  int64_t backoff_ms;     /* the wait before retry 1 (> 0) */
  int64_t backoff_max_ms; /* the longest wait; <= 0: no cap */
  int64_t attempt_ms;     /* how long one attempt waits for a free connection; <= 0: up to the
                             deadline */
  int retry_busy;         /* nonzero: an attempt that found no free connection in attempt_ms
                             (SRV_EBUSY) is retried too; 0: it is returned at once */
  int (*stop)(void *arg); /* NULL, or nonzero when no further retry should be made */
  /* NULL: each retry logs WARN "db_retry" {attempt, max_retries (when bounded), backoff_ms}.
   * Otherwise called instead, before the wait, with the failure that caused the retry. */
  void (*on_retry)(void *arg, int attempt, int64_t backoff_ms, const srv_err *why);
  void *arg; /* passed to stop and on_retry */
} srv_db_wait;

/* Runs fn on a pooled connection, retrying as wait says (NULL: srv_db_run's policy) when the
 * database could not be reached or the connection was lost and retry_safe is nonzero. A lost
 * connection is discarded, never returned to the pool, and before the operation is repeated its
 * backend is ended if it outlived the connection: after a silent drop the client's kernel gives
 * up (tcp_user_timeout) without an RST, so the backend still waits for the rest of its COPY or
 * its next statement, inside its transaction and holding its locks (a repeated COPY of the same
 * keys would wait for it, and fail the same way; a statement timeout cannot end it). The next
 * working connection terminates it (waiting up to 2 s for it to exit) if it is still there: same
 * database and role, started before the loss (a restarted server that reused the pid is left
 * alone; this compares the database host's clock against ours, so both must roughly agree), and
 * logs INFO "db_orphan_terminated". Returns fn's result, or the last attempt's failure
 * (SRV_EUNAVAIL; SRV_EBUSY when the pool stayed exhausted) with the number of attempts in the
 * message. */
srv_code srv_db_run_wait(srv_pool *pool, int64_t deadline_mono_ms, const srv_db_wait *wait,
                         srv_db_fn fn, void *arg, int retry_safe, srv_err *err);

/* Sets TCP_USER_TIMEOUT of c's socket to ms for one long operation (*prev_ms gets the value to
 * put back with a second call). The pool's 1.5 s detects a dead peer quickly, but the kernel
 * applies it to a closed receive window too: a backend busy with a large COPY that does not read
 * its socket for 1.5 s (a loaded host) gets its connection aborted with "Connection timed out"
 * although nothing is wrong. Returns 0, or -1 when the socket is not TCP (a Unix socket: nothing
 * to change; *prev_ms = -1 then). */
int srv_db_user_timeout(PGconn *c, int ms, int *prev_ms);

/* Runs sql with nparams text parameters (params may be NULL when nparams == 0; NULL elements
 * are SQL NULL). On success *out (if out is non-NULL) is the result, which the caller PQclear()s;
 * when out is NULL the result is cleared here. On failure *out is NULL and the code is:
 *   23505 unique_violation            => SRV_ECONFLICT
 *   other 23xxx, 22xxx (data / integrity) => SRV_EINVAL
 *   57014 query_canceled (statement timeout) => SRV_ETIMEOUT
 *   connection loss (see file comment) => SRV_EUNAVAIL
 *   anything else                      => SRV_EINTERNAL
 * with the PostgreSQL message (and SQLSTATE) in err. */
srv_code srv_db_exec(PGconn *c, const char *sql, int nparams, const char *const *params,
                     PGresult **out, srv_err *err);

/* Like srv_db_exec, through a statement prepared on c under name (a server-side prepared
 * statement, so PostgreSQL parses and analyses sql once per connection instead of once per call;
 * its plan cache then decides between custom and generic plans). The first call on a connection
 * finds the name unknown (SQLSTATE 26000), prepares sql under it and runs it; later calls run it
 * at once. A pooled connection that was replaced simply prepares again. Contract: one name always
 * means the same sql (callers derive the name from a hash of the text); the call is made outside
 * an explicit transaction (the failed first attempt would abort one). Errors as srv_db_exec. */
srv_code srv_db_exec_prepared(PGconn *c, const char *name, const char *sql, int nparams,
                              const char *const *params, PGresult **out, srv_err *err);

/* Maps a failed result (or NULL result) on conn to a code and message as srv_db_exec does;
 * `what` names the operation in the message ("insert chunk"). For callers using other libpq
 * calls (COPY, PQexec). */
srv_code srv_db_result_error(PGconn *c, const PGresult *res, const char *what, srv_err *err);

/* True if sqlstate (may be NULL) together with the connection state means the connection is
 * lost. */
int srv_db_is_connection_loss(PGconn *c, const char *sqlstate);

#ifdef __cplusplus
}
#endif

#endif /* SRV_DB_H */
