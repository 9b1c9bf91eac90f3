/* server.c — launch servers under test and stop them (see server.h).
 *
 * Owns per server: a private temp dir (under $TEST_TMPDIR, else /tmp) holding the log, the child
 * (its own session: pgid == pid), and a watchdog that SIGTERMs then SIGKILLs that process group if
 * the test process dies. Live servers are on the process-wide cleanup list (proc.h). */
#include "testing/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testing/http.h"

#define MAX_ARGS 64
#define TAIL_LINES 20

struct tst_server {
  pid_t pid;
  int port;
  int exited; /* 1 once reaped */
  int status; /* raw wait status once exited */
  pid_t wd_pid;
  int wd_fd;
  char name[64];
  char url[64];
  char dir[256];
  char log_path[400];
};

/* Watchdog: on EOF (test process gone) SIGTERM the server's process group, SIGKILL it after 3 s. */
static const char k_watchdog_script[] =
    "trap '' INT TERM HUP PIPE\n"
    "while read -r l; do [ \"$l\" = disarm ] && exit 0; done\n"
    "kill -TERM -\"$1\" 2>/dev/null || exit 0\n"
    "i=0\n"
    "while kill -0 -\"$1\" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done\n"
    "kill -KILL -\"$1\" 2>/dev/null\n";

static void destroy_at_exit(void *s) {
  tst_server_destroy((tst_server *)s);
}

static void reap(tst_server *s, int timeout_ms) {
  if (!s->exited && tst_wait(s->pid, timeout_ms, &s->status) == TST_OK) s->exited = 1;
}

static void kill_hard(tst_server *s) {
  if (!s->exited) {
    kill(-s->pid, SIGKILL);
    kill(s->pid, SIGKILL);
    reap(s, -1);
  }
}

/* Error text with the exit status (if exited) and the log tail. */
static int fail_with_log(tst_server *s, tst_err *err, int code, const char *what) {
  char tail[3000], how[80] = "still running";
  tst_file_tail(s->log_path, TAIL_LINES, tail, sizeof(tail));
  if (s->exited) tst_describe_status(s->status, how, sizeof(how));
  return tst_err_set(err, code, "%s %s (%s; port %d; log %s); last log lines:\n%s", s->name, what,
                     how, s->port, s->log_path, tail);
}

static int spawn_once(tst_server *s, const tst_server_opts *o, tst_err *err) {
  const char *argv[MAX_ARGS + 4];
  char port[16];
  int k = 0, rc;
  argv[k++] = s->name;
  for (size_t i = 0; o->args != NULL && o->args[i] != NULL; i++) {
    if (k >= MAX_ARGS) return tst_err_set(err, TST_EINVAL, "more than %d arguments", MAX_ARGS);
    argv[k++] = o->args[i];
  }
  snprintf(port, sizeof(port), "%d", s->port);
  if (!o->no_port_flag) {
    argv[k++] = "--port";
    argv[k++] = port;
  }
  argv[k] = NULL;
  snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
  s->exited = 0;
  s->status = 0;
  {
    tst_spawn_opts so = {o->binary, argv, o->env, s->log_path, s->dir, NULL, 1};
    rc = tst_spawn(&so, &s->pid, err);
  }
  if (rc != TST_OK) return rc;
  snprintf(port, sizeof(port), "%d", (int)s->pid);
  rc = tst_watchdog_start(k_watchdog_script, port, NULL, &s->wd_pid, &s->wd_fd, err);
  if (rc != TST_OK) kill_hard(s);
  return rc;
}

int tst_server_wait_health(tst_server *s, int timeout_ms, tst_err *err) {
  char url[128];
  double deadline = tst_now_ms() + (timeout_ms > 0 ? timeout_ms : 15000);
  snprintf(url, sizeof(url), "%s/health", s->url);
  for (;;) {
    tst_http_resp r;
    struct timespec ts = {0, 20L * 1000 * 1000};
    if (tst_http_get(url, 1000, NULL, &r, NULL) == TST_OK) {
      tst_http_resp_free(&r);
      return TST_OK;
    }
    reap(s, 0);
    if (s->exited) return fail_with_log(s, err, TST_ESTART, "exited before /health answered");
    if (tst_now_ms() > deadline) {
      return fail_with_log(s, err, TST_ETIMEOUT, "did not answer GET /health before the deadline");
    }
    nanosleep(&ts, NULL);
  }
}

int tst_server_start(const tst_server_opts *o, tst_server **out, tst_err *err) {
  tst_server *s = NULL;
  int rc = TST_OK;
  const char *base;
  *out = NULL;
  if (o == NULL || o->binary == NULL) return tst_err_set(err, TST_EINVAL, "binary is required");
  if (access(o->binary, X_OK) != 0) {
    return tst_err_set(err, TST_ENOTFOUND,
                       "server binary %s is not executable (%s); add it to the test's data and "
                       "find it with tst_runfile()",
                       o->binary, strerror(errno));
  }
  s = calloc(1, sizeof(*s));
  if (s == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  s->pid = -1;
  s->wd_pid = -1;
  s->wd_fd = -1;
  s->exited = 1;
  base = strrchr(o->binary, '/');
  snprintf(s->name, sizeof(s->name), "%s", o->name != NULL ? o->name : base ? base + 1 : o->binary);
  {
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "tst_srv.%.40s.", s->name);
    rc = tst_mkdtemp(prefix, 1, s->dir, sizeof(s->dir), err);
    if (rc != TST_OK) goto cleanup;
  }
  snprintf(s->log_path, sizeof(s->log_path), "%s/%s.log", s->dir, s->name);
  tst_cleanup_add(destroy_at_exit, s);
  for (int attempt = 0; attempt < 5; attempt++) {
    s->port = o->port > 0 ? o->port : tst_free_port();
    if (s->port <= 0) {
      rc = tst_err_set(err, TST_ESYS, "no free loopback TCP port");
      goto cleanup;
    }
    rc = spawn_once(s, o, err);
    if (rc != TST_OK) goto cleanup;
    if (o->wait_health == 1) goto cleanup;
    rc = tst_server_wait_health(s, o->health_timeout_ms, err);
    if (rc == TST_OK) goto cleanup;
    /* A port taken between tst_free_port() and the server's bind: exit 2 ("port in use"). */
    if (o->port > 0 || !s->exited || !WIFEXITED(s->status) || WEXITSTATUS(s->status) != 2) break;
    tst_watchdog_disarm(s->wd_pid, s->wd_fd);
    s->wd_pid = -1;
    s->wd_fd = -1;
  }
cleanup:
  if (rc != TST_OK && s != NULL) {
    tst_server_destroy(s);
    s = NULL;
  }
  *out = s;
  return rc;
}

pid_t tst_server_pid(const tst_server *s) {
  return s->pid;
}
int tst_server_port(const tst_server *s) {
  return s->port;
}
const char *tst_server_url(const tst_server *s) {
  return s->url;
}
const char *tst_server_log_path(const tst_server *s) {
  return s->log_path;
}
const char *tst_server_dir(const tst_server *s) {
  return s->dir;
}

int tst_server_running(tst_server *s) {
  reap(s, 0);
  return !s->exited;
}

int tst_server_stop(tst_server *s, int timeout_ms, int *exit_status, tst_err *err) {
  int rc = TST_OK;
  reap(s, 0);
  if (!s->exited) {
    kill(s->pid, SIGTERM);
    reap(s, timeout_ms > 0 ? timeout_ms : 10000);
    if (!s->exited) {
      kill_hard(s);
      rc = tst_err_set(err, TST_ETIMEOUT,
                       "%s (pid %d) ignored SIGTERM for %d ms; killed with SIGKILL", s->name,
                       (int)s->pid, timeout_ms > 0 ? timeout_ms : 10000);
    }
    /* Anything the server left in its process group (only now: later the id may be reused). */
    kill(-s->pid, SIGKILL);
  }
  if (exit_status != NULL) *exit_status = s->status;
  return rc;
}

/* 1 when /proc says pid is stopped (state T or t), 0 otherwise or when it cannot be read. */
static int is_stopped(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *close = strrchr(buf, ')'); /* "pid (comm) STATE ...": comm may hold spaces */
  return close != NULL && (close[2] == 'T' || close[2] == 't');
}

int tst_server_kill(tst_server *s, int sig, tst_err *err) {
  reap(s, 0);
  if (s->exited) return tst_err_set(err, TST_EINVAL, "%s already exited", s->name);
  if (kill(s->pid, sig) != 0) {
    return tst_err_set(err, TST_ESYS, "kill(%d, %d): %s", (int)s->pid, sig, strerror(errno));
  }
  if (sig == SIGKILL) reap(s, 5000);
  if (sig == SIGSTOP) {
    /* kill() returns before every thread has stopped: a request sent at once could still be
     * answered. Return only once the whole process is stopped. */
    double deadline = tst_now_ms() + 5000;
    while (!is_stopped(s->pid)) {
      if (tst_now_ms() >= deadline)
        return tst_err_set(err, TST_ETIMEOUT, "%s did not stop within 5 s of SIGSTOP", s->name);
      struct timespec ts = {0, 1000L * 1000};
      nanosleep(&ts, NULL);
    }
  }
  return TST_OK;
}

int tst_server_wait_exit(tst_server *s, int timeout_ms, int *exit_status, tst_err *err) {
  reap(s, timeout_ms);
  if (!s->exited) return fail_with_log(s, err, TST_ETIMEOUT, "did not exit within the deadline");
  if (exit_status != NULL) *exit_status = s->status;
  return TST_OK;
}

void tst_server_log_tail(const tst_server *s, int lines, char *buf, size_t n) {
  tst_file_tail(s->log_path, lines, buf, n);
}

void tst_server_destroy(tst_server *s) {
  if (s == NULL) return;
  tst_cleanup_remove(s);
  if (s->pid > 0) tst_server_stop(s, 5000, NULL, NULL);
  if (s->wd_pid > 0) tst_watchdog_disarm(s->wd_pid, s->wd_fd);
  if (s->dir[0] != '\0' && getenv("TST_KEEP_LOGS") == NULL) tst_rmtree(s->dir);
  free(s);
}

int tst_run(const char *binary, const char *const *args, const char *const *env, int timeout_ms,
            int *exit_status, char *out, size_t n, tst_err *err) {
  const char *argv[MAX_ARGS + 2];
  char dir[256], log[320];
  const char *base = strrchr(binary, '/');
  pid_t pid;
  int k = 0, rc, st = 0;
  char *text = NULL;
  if (n > 0) out[0] = '\0';
  argv[k++] = base != NULL ? base + 1 : binary;
  for (size_t i = 0; args != NULL && args[i] != NULL; i++) {
    if (k >= MAX_ARGS) return tst_err_set(err, TST_EINVAL, "more than %d arguments", MAX_ARGS);
    argv[k++] = args[i];
  }
  argv[k] = NULL;
  rc = tst_mkdtemp("tst_run.", 1, dir, sizeof(dir), err);
  if (rc != TST_OK) return rc;
  snprintf(log, sizeof(log), "%s/output.log", dir);
  {
    tst_spawn_opts so = {binary, argv, env, log, dir, NULL, 1};
    rc = tst_spawn(&so, &pid, err);
  }
  if (rc != TST_OK) goto cleanup;
  if (tst_wait(pid, timeout_ms > 0 ? timeout_ms : 60000, &st) != TST_OK) {
    kill(-pid, SIGKILL);
    tst_wait(pid, -1, &st);
    rc = tst_err_set(err, TST_ETIMEOUT, "%s did not finish within %d ms", binary,
                     timeout_ms > 0 ? timeout_ms : 60000);
  }
  if (exit_status != NULL) *exit_status = st;
  if (n > 0 && tst_read_file(log, &text, NULL, NULL) == TST_OK) snprintf(out, n, "%s", text);
cleanup:
  free(text);
  tst_rmtree(dir);
  return rc;
}

int tst_migrate(const char *binary, const char *const *env, tst_err *err) {
  const char *args[] = {"migrate", NULL};
  char out[2048];
  int st = 0;
  int rc = tst_run(binary, args, env, 60000, &st, out, sizeof(out), err);
  if (rc != TST_OK) return rc;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return tst_err_set(err, TST_ESTART, "%s migrate failed (wait status %d): %s", binary, st, out);
  return TST_OK;
}
