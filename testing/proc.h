/* proc.h — process plumbing shared by the PostgreSQL and server launchers: free ports, spawning
 * children (optionally as another user, in their own session), waiting with a deadline, watchdog
 * processes that clean up when the test process dies, log tails, directory removal.
 *
 * Children are spawned with fork + execve; everything a child needs (argv, envp, uid) is prepared
 * before fork so the child only makes async-signal-safe calls. Every descriptor the harness opens
 * is O_CLOEXEC so children never inherit another object's watchdog pipe. */
#ifndef TST_PROC_H
#define TST_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A free TCP port on 127.0.0.1 (bind to port 0, read it back, close). Returns the port, or -1 if
 * no socket could be bound. Another process may take the port before the caller binds it:
 * callers that can retry on "address in use" should. */
int tst_free_port(void);

/* Monotonic clock in milliseconds. */
double tst_now_ms(void);

/* How to run a child. */
typedef struct tst_spawn_opts {
  const char *path;        /* executable (absolute path) */
  const char *const *argv; /* argv, NULL-terminated; argv[0] is the program name */
  const char *const *env;  /* extra "KEY=VALUE" (override the inherited environment); may be NULL */
  const char *log_path;    /* stdout+stderr appended here; NULL: /dev/null */
  const char *cwd;         /* working directory; NULL: / */
  const char *run_as;      /* user name to switch to when running as root; NULL: stay */
  int new_session;         /* 1: setsid() (own session and process group, pgid == pid) */
} tst_spawn_opts;

/* Starts the child and stores its pid. The child is not waited for. Fails with TST_ESYS (fork,
 * open of the log) or TST_ENOTFOUND (no such user / executable). A failing exec shows up as exit
 * status 127 with a line in the log. */
int tst_spawn(const tst_spawn_opts *o, pid_t *pid, tst_err *err);

/* Waits up to timeout_ms (< 0: forever) for child `pid` to exit. Returns TST_OK and the raw wait
 * status in *status (may be NULL), or TST_ETIMEOUT if it is still running. */
int tst_wait(pid_t pid, int timeout_ms, int *status);

/* Describes a raw wait status: "exit code 2" / "killed by signal 9 (Killed)". */
void tst_describe_status(int status, char *buf, size_t n);

/* Starts a watchdog: `/bin/sh -c script wd arg1 [arg2]` in its own session, with stdin the read end
 * of a pipe whose write end is returned in *fd (O_CLOEXEC). The script is expected to block reading
 * stdin and clean up on EOF (the test process died or closed *fd), unless it first reads the line
 * "disarm". *pid gets the watchdog's pid (reap it with tst_wait after closing *fd). */
int tst_watchdog_start(const char *script, const char *arg1, const char *arg2, pid_t *pid, int *fd,
                       tst_err *err);

/* Disarms (writes "disarm\n"), closes fd and reaps the watchdog (up to 5 s). */
void tst_watchdog_disarm(pid_t pid, int fd);

/* Closes fd without disarming, so the watchdog runs its cleanup, and reaps it (up to 15 s). */
void tst_watchdog_fire(pid_t pid, int fd);

/* Writes the last `lines` lines of file `path` into buf (NUL-terminated, truncated at the front if
 * too long). An unreadable file yields "(no log: <reason>)". */
void tst_file_tail(const char *path, int lines, char *buf, size_t n);

/* Reads a whole file into a new NUL-terminated buffer (*out, caller frees; *len optional).
 * TST_ESYS / TST_ENOTFOUND on failure. */
int tst_read_file(const char *path, char **out, size_t *len, tst_err *err);

/* Removes path recursively (files, links, directories; does not follow links). Returns 0 or -1
 * with errno set by the first failure; keeps going past failures. */
int tst_rmtree(const char *path);

/* Creates a fresh private directory "<base>/<prefix>XXXXXX" and writes its path to out[n];
 * base: $TEST_TMPDIR if use_test_tmpdir and it is set, else /tmp. */
int tst_mkdtemp(const char *prefix, int use_test_tmpdir, char *out, size_t n, tst_err *err);

/* Process-wide cleanup list: at a normal exit (atexit) fn(obj) runs for every object still
 * registered by this process (not by a parent before a fork), newest first. tst_cleanup_remove(obj)
 * unregisters (call it at the start of the object's own destroy). Thread-safe. */
void tst_cleanup_add(void (*fn)(void *), void *obj);
void tst_cleanup_remove(void *obj);

#ifdef __cplusplus
}
#endif

#endif /* TST_PROC_H */
