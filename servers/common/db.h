/* db.h — running one database operation through the pool, with retries where they are safe.
 *
 * srv_db_run acquires a connection, calls fn, releases the connection, and — only when the caller
 * says the operation is retry-safe — retries an operation that failed because the connection was
 * lost, with exponential backoff (100, 200, 400 ms; at most 3 retries; never past the deadline).
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

#include <stdint.h>

#include <libpq-fe.h>

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

/* Runs fn on a pooled connection (see the file comment). Returns fn's result, or the acquire
 * failure (SRV_EBUSY / SRV_EUNAVAIL), or SRV_EUNAVAIL when the connection was lost and retries
 * were not allowed or ran out (message says how many attempts were made). On a lost connection
 * the connection is discarded, never returned to the pool, and a retry first ends its orphaned
 * backend (srv_db_end_orphan). */
srv_code srv_db_run(srv_pool *pool, int64_t deadline_mono_ms, srv_db_fn fn, void *arg,
                    int retry_safe, srv_err *err);

/* The backend of a connection that was lost during a silent drop can outlive it: the client's
 * kernel gave up (tcp_user_timeout) without an RST, so the backend still waits for the rest of
 * its COPY or its next statement, inside its transaction and holding its locks (a repeated COPY
 * of the same keys then waits for it, and fails the same way). A statement timeout cannot end such
 * a backend. srv_db_orphan remembers the lost connection's backend; srv_db_end_orphan, run on the
 * next working connection before the operation is repeated, terminates it (and waits up to 2 s
 * for it to exit) if it is still there: same database and role, started before the loss (a
 * restarted server that reused the pid is left alone; this compares the database host's clock
 * against ours, so both must roughly agree). */
typedef struct srv_db_orphan {
  int pid;              /* 0: nothing to end */
  int64_t lost_wall_ms; /* when the loss was seen */
} srv_db_orphan;

/* Records c's backend as possibly orphaned (call before the connection is released). */
void srv_db_orphan_note(srv_db_orphan *o, PGconn *c);

/* Ends o's backend through c if it still runs (see above), logs INFO "db_orphan_terminated" when
 * it did, and clears o. Best effort: a failure here is left for the repeated operation to meet. */
void srv_db_end_orphan(PGconn *c, srv_db_orphan *o);

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
