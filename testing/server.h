/* server.h — launch a server binary under test on a free port, wait for /health, stop it.
 *
 * The server runs in its own process group with stdout+stderr appended to a log file in a
 * private temp directory. `--port N` is appended to its arguments. A watchdog process kills the
 * server's process group if the test process dies; an atexit handler stops servers still running
 * at a normal exit. Assumes the binary understands `--port N` and answers GET /health (any status
 * counts as "up") once it serves. Not thread-safe per object. */
#ifndef TST_SERVER_H
#define TST_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include "testing/error.h"
#include "testing/proc.h" /* tst_free_port() */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_server tst_server;

typedef struct tst_server_opts {
  const char *binary;      /* path of the executable (see tst_runfile); required */
  const char *const *args; /* extra arguments before "--port N", NULL-terminated; may be NULL */
  const char *const *env;  /* "KEY=VALUE" added to / overriding the environment, NULL-terminated
                              (e.g. DATABASE_URL, LOG_FILE, POOL_MIN, POOL_MAX, CODEBASE_MCP_URL) */
  int port;                /* 0: pick a free port (retried on a bind failure) */
  int no_port_flag;        /* 1: do not append "--port N" (the caller passes it in args) */
  int health_timeout_ms;   /* deadline for /health; 0: 15000 */
  int wait_health;         /* 0: wait for /health (default); 1: return right after spawning */
  const char *name;        /* label for logs and messages; NULL: basename of binary */
} tst_server_opts;

/* Starts the server and (unless o->wait_health == 1) waits until GET /health answers with any
 * HTTP status. On failure (exec failed, the process exited, deadline) the process is killed,
 * *out is NULL and err says why, including the exit status and the last 20 log lines. */
int tst_server_start(const tst_server_opts *o, tst_server **out, tst_err *err);

/* Accessors; strings are owned by s and valid until tst_server_destroy. */
pid_t tst_server_pid(const tst_server *s);
int tst_server_port(const tst_server *s);
const char *tst_server_url(const tst_server *s);      /* "http://127.0.0.1:PORT" */
const char *tst_server_log_path(const tst_server *s); /* stdout+stderr of the server */
const char *tst_server_dir(const tst_server *s);      /* private temp dir (log lives there) */

/* 1 while the process has not exited (reaps it if it has). */
int tst_server_running(tst_server *s);

/* Waits again for /health to answer (e.g. after a restart of its database). */
int tst_server_wait_health(tst_server *s, int timeout_ms, tst_err *err);

/* Sends SIGTERM, waits up to timeout_ms (<= 0: 10000) for exit, then SIGKILLs the process group.
 * *exit_status (optional) gets the raw wait status. Returns TST_OK if it exited after SIGTERM,
 * TST_ETIMEOUT if SIGKILL was needed (it is dead either way). Already exited: TST_OK with that
 * status. */
int tst_server_stop(tst_server *s, int timeout_ms, int *exit_status, tst_err *err);

/* Sends `sig` to the server process (fault tests: SIGKILL, SIGSTOP, SIGCONT, ...). SIGKILL
 * returns once it is reaped, SIGSTOP once /proc shows it stopped (TST_ETIMEOUT after 5 s). */
int tst_server_kill(tst_server *s, int sig, tst_err *err);

/* Waits up to timeout_ms for the server to exit on its own (e.g. refusing to start because the
 * port is in use or the schema is not migrated). TST_ETIMEOUT if it is still running. */
int tst_server_wait_exit(tst_server *s, int timeout_ms, int *exit_status, tst_err *err);

/* Last `lines` lines of the server's log into buf[n]. */
void tst_server_log_tail(const tst_server *s, int lines, char *buf, size_t n);

/* Stops the server if running (SIGTERM, SIGKILL after 5 s), removes its temp directory unless
 * env TST_KEEP_LOGS is set, frees s. NULL is a no-op. */
void tst_server_destroy(tst_server *s);

/* Runs a binary to completion (e.g. "codebase-mcp migrate") with extra env, capturing
 * stdout+stderr into out[n] (truncated). *exit_status gets the raw wait status. Killed and
 * TST_ETIMEOUT after timeout_ms (<= 0: 60000). */
int tst_run(const char *binary, const char *const *args, const char *const *env, int timeout_ms,
            int *exit_status, char *out, size_t n, tst_err *err);

/* Runs `<binary> migrate` with extra env (which names DATABASE_URL) to completion. TST_OK when
 * it exited 0; TST_ESTART naming the binary, its exit status and its output otherwise;
 * TST_ETIMEOUT after 60 s. */
int tst_migrate(const char *binary, const char *const *env, tst_err *err);

#ifdef __cplusplus
}
#endif

#endif /* TST_SERVER_H */
