/* proc.c — child processes, watchdogs, ports and files for the harness (see proc.h).
 *
 * Assumes Linux. The child side of tst_spawn only calls async-signal-safe functions: the test
 * process may have threads (libcurl, gtest), so malloc and friends are off limits after fork. */
#include "testing/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int tst_free_port(void) {
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  int port = -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) goto cleanup;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) goto cleanup;
  if (getsockname(fd, (struct sockaddr *)&a, &len) != 0) goto cleanup;
  port = ntohs(a.sin_port);
cleanup:
  if (fd >= 0) close(fd);
  return port;
}

double tst_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Builds envp = environ with the "KEY=" entries of extra replaced/added. Caller frees the array
 * (not the strings, which belong to environ and extra). */
static char **build_env(const char *const *extra) {
  size_t n_env = 0, n_extra = 0, k = 0;
  char **out;
  while (environ[n_env] != NULL) n_env++;
  while (extra != NULL && extra[n_extra] != NULL) n_extra++;
  out = calloc(n_env + n_extra + 1, sizeof(char *));
  if (out == NULL) return NULL;
  for (size_t i = 0; i < n_env; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t klen = eq != NULL ? (size_t)(eq - environ[i]) : strlen(environ[i]);
    int overridden = 0;
    for (size_t j = 0; j < n_extra; j++) {
      if (strncmp(extra[j], environ[i], klen) == 0 && extra[j][klen] == '=') overridden = 1;
    }
    if (!overridden) out[k++] = environ[i];
  }
  for (size_t j = 0; j < n_extra; j++) out[k++] = (char *)extra[j];
  out[k] = NULL;
  return out;
}

int tst_spawn(const tst_spawn_opts *o, pid_t *pid, tst_err *err) {
  int rc = TST_OK;
  char **envp = NULL;
  int log_fd = -1, null_fd = -1;
  uid_t uid = 0;
  gid_t gid = 0;
  int switch_user = 0;
  pid_t child;
  static const char exec_fail[] = "tst_spawn: exec failed\n";

  if (o == NULL || o->path == NULL || o->argv == NULL || pid == NULL) {
    return tst_err_set(err, TST_EINVAL, "tst_spawn: path, argv and pid are required");
  }
  if (access(o->path, X_OK) != 0) {
    return tst_err_set(err, TST_ENOTFOUND, "cannot execute %s: %s", o->path, strerror(errno));
  }
  if (o->run_as != NULL && geteuid() == 0) {
    struct passwd pwd, *pw = NULL;
    char pwbuf[4096];
    if (getpwnam_r(o->run_as, &pwd, pwbuf, sizeof pwbuf, &pw) != 0) pw = NULL; /* thread-safe */
    if (pw == NULL) {
      return tst_err_set(err, TST_ENOTFOUND,
                         "no user '%s' to run %s as; create it or run as non-root", o->run_as,
                         o->path);
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    switch_user = 1;
  }
  envp = build_env(o->env);
  if (envp == NULL) {
    rc = tst_err_set(err, TST_ESYS, "out of memory building the environment");
    goto cleanup;
  }
  null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (o->log_path != NULL) {
    log_fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      rc = tst_err_set(err, TST_ESYS, "cannot open log %s: %s", o->log_path, strerror(errno));
      goto cleanup;
    }
    if (switch_user && fchown(log_fd, uid, gid) != 0) {
      rc = tst_err_set(err, TST_ESYS, "cannot chown log %s: %s", o->log_path, strerror(errno));
      goto cleanup;
    }
  }
  child = fork();
  if (child < 0) {
    rc = tst_err_set(err, TST_ESYS, "fork for %s: %s", o->path, strerror(errno));
    goto cleanup;
  }
  if (child == 0) {
    int out_fd = log_fd >= 0 ? log_fd : null_fd;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (o->new_session) setsid();
    if (null_fd >= 0) dup2(null_fd, 0);
    if (out_fd >= 0) {
      dup2(out_fd, 1);
      dup2(out_fd, 2);
    }
    if (chdir(o->cwd != NULL ? o->cwd : "/") != 0) _exit(126);
    if (switch_user) {
      if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) _exit(126);
    }
    execve(o->path, (char *const *)o->argv, envp);
    if (write(2, exec_fail, sizeof(exec_fail) - 1) < 0) _exit(127);
    _exit(127);
  }
  *pid = child;
cleanup:
  free(envp);
  if (log_fd >= 0) close(log_fd);
  if (null_fd >= 0) close(null_fd);
  return rc;
}

int tst_wait(pid_t pid, int timeout_ms, int *status) {
  double deadline = tst_now_ms() + timeout_ms;
  int st = 0;
  for (;;) {
    pid_t r = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
    if (r == pid) {
      if (status != NULL) *status = st;
      return TST_OK;
    }
    if (r < 0 && errno != EINTR) {
      /* Not our child or already reaped: treat as gone. */
      if (status != NULL) *status = 0;
      return TST_OK;
    }
    if (timeout_ms >= 0 && tst_now_ms() >= deadline) return TST_ETIMEOUT;
    if (r == 0) {
      struct timespec ts = {0, 5L * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
}

void tst_describe_status(int status, char *buf, size_t n) {
  if (WIFEXITED(status)) {
    snprintf(buf, n, "exit code %d", WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  } else {
    snprintf(buf, n, "wait status 0x%x", (unsigned)status);
  }
}

int tst_watchdog_start(const char *script, const char *arg1, const char *arg2, pid_t *pid, int *fd,
                       tst_err *err) {
  int p[2] = {-1, -1};
  int rc = TST_OK;
  pid_t child;
  int null_fd = -1;
  const char *argv[] = {"sh", "-c", script, "tst-watchdog", arg1, arg2, NULL};
  if (pipe2(p, O_CLOEXEC) != 0) {
    return tst_err_set(err, TST_ESYS, "watchdog pipe: %s", strerror(errno));
  }
  null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  child = fork();
  if (child < 0) {
    rc = tst_err_set(err, TST_ESYS, "watchdog fork: %s", strerror(errno));
    close(p[1]);
    goto cleanup;
  }
  if (child == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    dup2(p[0], 0);
    if (null_fd >= 0) {
      dup2(null_fd, 1);
      dup2(null_fd, 2);
    }
    if (chdir("/") != 0) _exit(126);
    execv("/bin/sh", (char *const *)argv);
    _exit(127);
  }
  *pid = child;
  *fd = p[1];
cleanup:
  close(p[0]);
  if (null_fd >= 0) close(null_fd);
  return rc;
}

void tst_watchdog_disarm(pid_t pid, int fd) {
  static const char line[] = "disarm\n";
  if (fd >= 0) {
    if (write(fd, line, sizeof(line) - 1) < 0) { /* watchdog gone: nothing to disarm */
    }
    close(fd);
  }
  if (pid > 0 && tst_wait(pid, 5000, NULL) != TST_OK) {
    kill(pid, SIGKILL);
    tst_wait(pid, 1000, NULL);
  }
}

void tst_watchdog_fire(pid_t pid, int fd) {
  if (fd >= 0) close(fd);
  if (pid > 0 && tst_wait(pid, 15000, NULL) != TST_OK) {
    kill(pid, SIGKILL);
    tst_wait(pid, 1000, NULL);
  }
}

void tst_file_tail(const char *path, int lines, char *buf, size_t n) {
  FILE *f;
  long size, start;
  char *data = NULL;
  size_t got, pos;
  int seen = 0;
  if (n == 0) return;
  buf[0] = '\0';
  f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(buf, n, "(no log: %s: %s)", path, strerror(errno));
    return;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) goto cleanup;
  start = size > 65536 ? size - 65536 : 0;
  if (fseek(f, start, SEEK_SET) != 0) goto cleanup;
  data = malloc((size_t)(size - start) + 1);
  if (data == NULL) goto cleanup;
  got = fread(data, 1, (size_t)(size - start), f);
  data[got] = '\0';
  pos = got;
  if (pos > 0 && data[pos - 1] == '\n') pos--;
  while (pos > 0) {
    if (data[pos - 1] == '\n' && ++seen >= lines) break;
    pos--;
  }
  {
    size_t len = got - pos;
    if (len >= n) pos = got - (n - 1);
    snprintf(buf, n, "%s", data + pos);
  }
cleanup:
  free(data);
  fclose(f);
}

int tst_read_file(const char *path, char **out, size_t *len, tst_err *err) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  long size;
  int rc = TST_OK;
  size_t got;
  *out = NULL;
  if (f == NULL) {
    return tst_err_set(err, errno == ENOENT ? TST_ENOTFOUND : TST_ESYS, "cannot open %s: %s", path,
                       strerror(errno));
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    rc = tst_err_set(err, TST_ESYS, "cannot size %s: %s", path, strerror(errno));
    goto cleanup;
  }
  data = malloc((size_t)size + 1);
  if (data == NULL) {
    rc = tst_err_set(err, TST_ESYS, "out of memory reading %s (%ld bytes)", path, size);
    goto cleanup;
  }
  got = fread(data, 1, (size_t)size, f);
  data[got] = '\0';
  if (len != NULL) *len = got;
  *out = data;
  data = NULL;
cleanup:
  free(data);
  fclose(f);
  return rc;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  if (flag == FTW_DP) {
    rmdir(path);
  } else {
    unlink(path);
  }
  return 0;
}

int tst_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
  nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
  return lstat(path, &st) == 0 ? -1 : 0;
}

int tst_mkdtemp(const char *prefix, int use_test_tmpdir, char *out, size_t n, tst_err *err) {
  const char *base = use_test_tmpdir ? getenv("TEST_TMPDIR") : NULL;
  int len;
  if (base == NULL || base[0] == '\0') base = "/tmp";
  len = snprintf(out, n, "%s/%sXXXXXX", base, prefix);
  if (len < 0 || (size_t)len >= n) {
    return tst_err_set(err, TST_EINVAL, "temp dir path too long under %s", base);
  }
  if (mkdtemp(out) == NULL) {
    return tst_err_set(err, TST_ESYS, "mkdtemp %s: %s", out, strerror(errno));
  }
  return TST_OK;
}

/* ---- cleanup list ---- */

typedef struct cleanup_item {
  void (*fn)(void *);
  void *obj;
  pid_t owner; /* a forked child that exits must not tear down its parent's objects */
  struct cleanup_item *next;
} cleanup_item;

static pthread_mutex_t g_cleanup_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_cleanup_once = PTHREAD_ONCE_INIT;
static cleanup_item *g_cleanup = NULL;

static void run_cleanups(void) {
  for (;;) {
    cleanup_item *it;
    pthread_mutex_lock(&g_cleanup_lock);
    it = g_cleanup;
    if (it != NULL) g_cleanup = it->next;
    pthread_mutex_unlock(&g_cleanup_lock);
    if (it == NULL) break;
    if (it->owner == getpid()) it->fn(it->obj);
    free(it);
  }
}

static void register_cleanups(void) {
  atexit(run_cleanups);
}

void tst_cleanup_add(void (*fn)(void *), void *obj) {
  cleanup_item *it = malloc(sizeof(*it));
  if (it == NULL) return; /* the watchdog still covers this object */
  pthread_once(&g_cleanup_once, register_cleanups);
  it->fn = fn;
  it->obj = obj;
  it->owner = getpid();
  pthread_mutex_lock(&g_cleanup_lock);
  it->next = g_cleanup;
  g_cleanup = it;
  pthread_mutex_unlock(&g_cleanup_lock);
}

void tst_cleanup_remove(void *obj) {
  cleanup_item *gone = NULL;
  pthread_mutex_lock(&g_cleanup_lock);
  for (cleanup_item **p = &g_cleanup; *p != NULL; p = &(*p)->next) {
    if ((*p)->obj == obj) {
      gone = *p;
      *p = gone->next;
      break;
    }
  }
  pthread_mutex_unlock(&g_cleanup_lock);
  free(gone);
}
