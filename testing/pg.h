/* pg.h — an ephemeral PostgreSQL cluster per test, with the fault hooks resilience tests need.
 *
 * tst_pg_start() creates a private directory under /tmp (unix socket paths must stay short and,
 * as root, readable by the `postgres` user, which $TEST_TMPDIR under /root is not), runs initdb
 * (trust auth, superuser `postgres`, locale C, UTF8, no fsync) and starts `postgres` with
 * fsync=off, a small shared_buffers, max_connections=200, the socket in that directory and a free
 * loopback TCP port. As root both run as the `postgres` user. The binaries come from the newest
 * /usr/lib/postgresql/<N>/bin (override: env TST_PG_BINDIR).
 *
 * A cluster starts from a copy of a template data directory (initdb + the tst_main database, made
 * once): the machine-wide cache /tmp/tst_pg_template.<euid>.<bindir>.v1, built and published
 * atomically by the first test that needs it (TST_PG_TEMPLATE_CACHE=0: a private template per
 * process instead).
 *
 * No orphans: each cluster has a watchdog process (its own session) that holds the read end of a
 * pipe from the test process; when the test process dies for any reason the pipe closes and the
 * watchdog stops the cluster and removes the directory. An atexit handler destroys every cluster
 * still alive at a normal exit.
 *
 * If the environment has DATABASE_URL, no cluster is started: each tst_pg gets its own freshly
 * created database on that server, dropped by tst_pg_destroy(); stop/restart then return
 * TST_EUNSUPPORTED.
 *
 * Not thread-safe per object: use one tst_pg from one thread at a time. */
#ifndef TST_PG_H
#define TST_PG_H

#include <stddef.h>
#include <sys/types.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_pg tst_pg;

/* Starts a cluster (or, with DATABASE_URL, creates a database) and a fresh database for the
 * caller (see tst_pg_url). On success *out is a new tst_pg the caller must tst_pg_destroy().
 * On failure *out is NULL, nothing is left behind, and err says why (initdb/postgres log tail
 * included). Takes about 1 s. */
int tst_pg_start(tst_pg **out, tst_err *err);

/* libpq URI of the database created for the caller by tst_pg_start, e.g.
 * "postgresql://postgres@127.0.0.1:54321/tst_main". Owned by pg; valid until destroy. */
const char *tst_pg_url(const tst_pg *pg);

/* libpq URI of the maintenance database ("postgres") of the same server. Owned by pg. */
const char *tst_pg_admin_url(const tst_pg *pg);

/* TCP port of the server (the ephemeral one or the DATABASE_URL one; 0 if that URL names none). */
int tst_pg_port(const tst_pg *pg);

/* Name of the database behind tst_pg_url(). Owned by pg. */
const char *tst_pg_dbname(const tst_pg *pg);

/* PID of the postmaster, or -1 when stopped or in DATABASE_URL mode. */
pid_t tst_pg_postmaster_pid(const tst_pg *pg);

/* Private directory of the cluster (data dir is <dir>/data, log <dir>/postgres.log); NULL in
 * DATABASE_URL mode. Owned by pg. */
const char *tst_pg_dir(const tst_pg *pg);

/* Creates database `name` (letters, digits, '_' only, at most 63 chars) and writes its libpq URI
 * to url[n]. The database is dropped by tst_pg_destroy() in DATABASE_URL mode (and disappears
 * with the cluster otherwise). Fails with TST_EINVAL on a bad name, TST_EDB if it exists. */
int tst_pg_create_db(tst_pg *pg, const char *name, char *url, size_t n, tst_err *err);

/* Runs one SQL statement (or several separated by ';') on the database at `url` (NULL means
 * tst_pg_url(pg)) as superuser. TST_EDB with the server's message on failure. */
int tst_pg_exec(tst_pg *pg, const char *url, const char *sql, tst_err *err);

/* Fault hook: pg_terminate_backend() of every backend connected to `dbname` (NULL: every
 * database) except the one issuing the call. *terminated (optional) gets the count. */
int tst_pg_terminate_backends(tst_pg *pg, const char *dbname, int *terminated, tst_err *err);

/* Fault hook: fast shutdown (SIGINT: active sessions are disconnected). Returns once the
 * postmaster has exited (deadline 10 s, then SIGKILL and TST_ETIMEOUT). Data is kept.
 * TST_EUNSUPPORTED in DATABASE_URL mode. Stopping a stopped server is a no-op. */
int tst_pg_stop(tst_pg *pg, tst_err *err);

/* Fault hook: starts the server again (stopping it first if running) on the same port with the
 * same data; returns once it accepts connections. TST_EUNSUPPORTED in DATABASE_URL mode. */
int tst_pg_restart(tst_pg *pg, tst_err *err);

/* Stops the cluster, removes its directory and frees pg (in DATABASE_URL mode: drops the
 * databases created through pg). NULL is a no-op. Never fails; problems go to stderr. */
void tst_pg_destroy(tst_pg *pg);

/* Removes cluster directories (/tmp/tst_pg.*, /tmp/tst_pgtpl.*) left by test processes that were
 * killed together with their watchdogs (Bazel kills every descendant of a timed-out test): those
 * older than min_age_seconds that no live watchdog guards; processes still running in one are
 * killed first. The first tst_pg_start of a process runs this (120 s) on a background thread;
 * TST_PG_NO_SWEEP=1 turns that off. Never fails. */
void tst_pg_sweep(int min_age_seconds);

#ifdef __cplusplus
}
#endif

#endif /* TST_PG_H */
