/* pg.c — ephemeral PostgreSQL clusters and per-test databases (see pg.h).
 *
 * Owns: the cluster directory (/tmp/tst_pg.XXXXXX: data/, socket, logs), the postmaster (our
 * child, in its own session so its process group holds every backend), one watchdog per cluster,
 * and a process-wide list of live tst_pg objects that an atexit handler destroys. Assumes the
 * PostgreSQL server binaries are installed and, as root, a `postgres` user exists. */
#include "testing/pg.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testing/proc.h"

#define PG_USER "postgres"
#define MAIN_DB "tst_main"
#define MAX_CREATED 64

struct tst_pg {
  int external;  /* 1: DATABASE_URL mode */
  char dir[128]; /* cluster directory (ephemeral mode) */
  char datadir[160];
  char log_path[160];
  char bindir[256];
  int port;
  pid_t pm_pid; /* postmaster, -1 when stopped */
  pid_t wd_pid; /* watchdog */
  int wd_fd;
  char dbname[64];
  char url[1024];
  char admin_url[1024];
  char ext_url[1024]; /* DATABASE_URL as given */
  char prefix[40];    /* unique database-name prefix (DATABASE_URL mode) */
  char created[MAX_CREATED][64];
  int n_created;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the name sequence */

static void destroy_at_exit(void *pg) {
  tst_pg_destroy((tst_pg *)pg);
}

/* ---- helpers ---- */

/* The watchdog: waits for EOF on stdin (test process gone) unless told "disarm", then stops the
 * postmaster named in postmaster.pid (if it is a postgres process), kills its process group and
 * removes the cluster directory. */
static const char k_watchdog_script[] =
    "trap '' INT TERM HUP PIPE\n"
    "while read -r l; do [ \"$l\" = disarm ] && exit 0; done\n"
    "d=\"$1\"\n"
    "pid=$(head -n1 \"$d/data/postmaster.pid\" 2>/dev/null)\n"
    "if [ -n \"$pid\" ] && grep -q postgres \"/proc/$pid/cmdline\" 2>/dev/null; then\n"
    "  kill -QUIT \"$pid\" 2>/dev/null\n"
    "  i=0\n"
    "  while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done\n"
    "  kill -KILL \"$pid\" 2>/dev/null\n"
    "fi\n"
    "for p in $(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname \"$d/*\" 2>/dev/null); do\n"
    "  p=${p#/proc/}; kill -KILL \"${p%/cwd}\" 2>/dev/null\n"
    "done\n"
    "rm -rf \"$d\"\n";

/* The watchdog of DATABASE_URL mode: on EOF drops every database whose name starts with the
 * tst_pg's unique prefix ($2) on the server at $1 (needs psql; best effort). */
static const char k_ext_watchdog_script[] =
    "trap '' INT TERM HUP PIPE\n"
    "while read -r l; do [ \"$l\" = disarm ] && exit 0; done\n"
    "command -v psql >/dev/null 2>&1 || exit 0\n"
    "psql \"$1\" -Atc \"SELECT datname FROM pg_database WHERE left(datname, length('$2')) = '$2'\" "
    "|\n"
    "while read -r db; do psql \"$1\" -qc \"DROP DATABASE IF EXISTS \\\"$db\\\" WITH (FORCE)\"; "
    "done\n";

static int find_bindir(char *out, size_t n, tst_err *err) {
  const char *env = getenv("TST_PG_BINDIR");
  glob_t g;
  long best = -1;
  if (env != NULL && env[0] != '\0') {
    snprintf(out, n, "%s", env);
    return TST_OK;
  }
  memset(&g, 0, sizeof(g));
  if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      const char *v = g.gl_pathv[i] + strlen("/usr/lib/postgresql/");
      char *end;
      long ver = strtol(v, &end, 10);
      if (end != v && ver > best) {
        best = ver;
        snprintf(out, n, "/usr/lib/postgresql/%ld/bin", ver);
      }
    }
  }
  globfree(&g);
  if (best < 0) {
    return tst_err_set(err, TST_ENOTFOUND,
                       "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; install "
                       "postgresql or set TST_PG_BINDIR (or DATABASE_URL to use a running server)");
  }
  return TST_OK;
}

static int valid_dbname(const char *name) {
  size_t len = strlen(name);
  if (len == 0 || len > 63) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return 0;
    }
  }
  return 1;
}

/* Appends "key=percent-encoded(value)" to a URI query. */
static void append_param(char *out, size_t n, int *first, const char *key, const char *val) {
  size_t len = strlen(out);
  static const char hex[] = "0123456789ABCDEF";
  len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s=", *first ? "?" : "&", key);
  *first = 0;
  for (const unsigned char *p = (const unsigned char *)val; *p != '\0' && len + 4 < n; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
      out[len++] = (char)*p;
    } else {
      out[len++] = '%';
      out[len++] = hex[*p >> 4];
      out[len++] = hex[*p & 15];
    }
  }
  if (len < n) out[len] = '\0';
}

/* URI of database db on pg's server. */
static int make_url(const tst_pg *pg, const char *db, char *out, size_t n, tst_err *err) {
  PQconninfoOption *opts = NULL;
  char *perr = NULL;
  int first = 1, rc = TST_OK;
  if (!pg->external) {
    snprintf(out, n, "postgresql://" PG_USER "@127.0.0.1:%d/%s", pg->port, db);
    return TST_OK;
  }
  opts = PQconninfoParse(pg->ext_url, &perr);
  if (opts == NULL) {
    rc = tst_err_set(err, TST_EINVAL, "cannot parse DATABASE_URL: %s",
                     perr ? perr : "out of memory");
    goto cleanup;
  }
  snprintf(out, n, "postgresql:///%s", db);
  for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
    if (o->val == NULL || o->val[0] == '\0' || strcmp(o->keyword, "dbname") == 0) continue;
    append_param(out, n, &first, o->keyword, o->val);
  }
cleanup:
  if (opts != NULL) PQconninfoFree(opts);
  PQfreemem(perr);
  return rc;
}

static int exec_sql(const char *url, const char *sql, const char *param, PGresult **keep,
                    tst_err *err) {
  PGconn *c = PQconnectdb(url);
  PGresult *r = NULL;
  int rc = TST_OK;
  if (PQstatus(c) != CONNECTION_OK) {
    rc = tst_err_set(err, TST_EDB, "cannot connect to %s: %s", url, PQerrorMessage(c));
    goto cleanup;
  }
  if (param != NULL) {
    r = PQexecParams(c, sql, 1, NULL, &param, NULL, NULL, 0);
  } else {
    r = PQexec(c, sql);
  }
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    rc = tst_err_set(err, TST_EDB, "SQL failed on %s: %s (statement: %.200s)", url,
                     PQerrorMessage(c), sql);
    goto cleanup;
  }
  if (keep != NULL) {
    *keep = r;
    r = NULL;
  }
cleanup:
  PQclear(r);
  PQfinish(c);
  return rc;
}

/* ---- the postmaster ---- */

/* SIGKILLs every process whose working directory is inside datadir: backends of a postmaster that
 * died (each backend is its own process-group leader, so a group kill would miss them). */
static void kill_stragglers(const char *datadir) {
  DIR *d = opendir("/proc");
  size_t len = strlen(datadir);
  struct dirent *e;
  if (d == NULL) return;
  while ((e = readdir(d)) != NULL) {
    char link[64], target[512];
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    ssize_t n;
    if (*end != '\0' || pid <= 1 || pid == (long)getpid()) continue;
    snprintf(link, sizeof(link), "/proc/%ld/cwd", pid);
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (strncmp(target, datadir, len) == 0 &&
        (target[len] == '\0' || target[len] == '/' || target[len] == ' ')) {
      kill((pid_t)pid, SIGKILL);
    }
  }
  closedir(d);
}

/* initdb into datadir (inside dir, which the postgres user owns), log in dir/initdb.log. */
static int run_initdb(const char *bindir, const char *dir, const char *datadir, tst_err *err) {
  char path[300], log[200];
  const char *argv[] = {"initdb", "-D",        datadir,      "-A", "trust", "-U",
                        PG_USER,  "--no-sync", "--locale=C", "-E", "UTF8",  NULL};
  pid_t pid;
  int st = 0, rc;
  snprintf(path, sizeof(path), "%s/initdb", bindir);
  snprintf(log, sizeof(log), "%s/initdb.log", dir);
  tst_spawn_opts o = {path, argv, NULL, log, dir, PG_USER, 1};
  rc = tst_spawn(&o, &pid, err);
  if (rc != TST_OK) return rc;
  if (tst_wait(pid, 120000, &st) != TST_OK) {
    kill(pid, SIGKILL);
    tst_wait(pid, -1, NULL);
    return tst_err_set(err, TST_ETIMEOUT, "initdb did not finish within 120 s (log %s)", log);
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    char tail[300], how[64];
    tst_file_tail(log, 4, tail, sizeof(tail));
    tst_describe_status(st, how, sizeof(how));
    return tst_err_set(err, TST_ESTART, "initdb failed (%s): %s", how, tail);
  }
  return TST_OK;
}

/* Creates the caller's database in a stopped cluster (single-user mode), so that every copy of the
 * template has it without a CREATE DATABASE per cluster. */
static int create_main_db_offline(const char *bindir, const char *dir, const char *datadir,
                                  tst_err *err) {
  char script[800], log[200];
  const char *argv[] = {"sh", "-c", script, NULL};
  pid_t pid;
  int st = 0, rc;
  snprintf(script, sizeof(script),
           "echo 'CREATE DATABASE " MAIN_DB
           ";' | exec '%s/postgres' --single -D '%s' -c fsync=off "
           "postgres",
           bindir, datadir);
  snprintf(log, sizeof(log), "%s/single.log", dir);
  tst_spawn_opts o = {"/bin/sh", argv, NULL, log, dir, PG_USER, 1};
  rc = tst_spawn(&o, &pid, err);
  if (rc != TST_OK) return rc;
  if (tst_wait(pid, 120000, &st) != TST_OK) {
    kill(pid, SIGKILL);
    tst_wait(pid, -1, NULL);
    return tst_err_set(err, TST_ETIMEOUT, "single-user postgres did not finish in 120 s (log %s)",
                       log);
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    char tail[300], how[64];
    tst_file_tail(log, 4, tail, sizeof(tail));
    tst_describe_status(st, how, sizeof(how));
    return tst_err_set(err, TST_ESTART, "creating " MAIN_DB " in the template failed (%s): %s", how,
                       tail);
  }
  return TST_OK;
}

/* Makes dir (mode 0700) owned by the postgres user when running as root. */
static int own_dir(const char *dir, tst_err *err) {
  struct passwd pwd, *pw = NULL;
  char pwbuf[4096];
  if (geteuid() != 0) return TST_OK;
  if (getpwnam_r(PG_USER, &pwd, pwbuf, sizeof pwbuf, &pw) != 0) pw = NULL; /* thread-safe */
  if (pw == NULL) {
    return tst_err_set(err, TST_ENOTFOUND,
                       "running as root but there is no '" PG_USER "' user to run PostgreSQL as");
  }
  if (chown(dir, pw->pw_uid, pw->pw_gid) != 0) {
    return tst_err_set(err, TST_ESYS, "chown %s: %s", dir, strerror(errno));
  }
  return TST_OK;
}

/* ---- template cluster ---- */

/* initdb (+ creating tst_main) costs about 2.5 s of CPU; copying the result costs a fifth of that.
 * So a cluster starts from a copy of a template: the machine-wide cache
 * /tmp/tst_pg_template.<euid>.<bindir>.<layout> when present, else one this process builds
 * privately (removed at exit, or by its watchdog if the process dies) and then publishes as the
 * cache with an atomic rename (a concurrent builder that loses the race uses the winner's). The
 * cache is read-only once published. TST_PG_TEMPLATE_CACHE=0 keeps templates private. */

#define TEMPLATE_LAYOUT "v1" /* bump when initdb flags or the template's content change */

static struct {
  int ready;
  int shared; /* 1: dir is the machine-wide cache (never removed by us) */
  pid_t owner;
  char dir[128];
  char datadir[160];
  char bindir[256];
  pid_t wd_pid;
  int wd_fd;
} g_tpl;

static void template_remove(void *unused) {
  (void)unused;
  pthread_mutex_lock(&g_lock);
  if (g_tpl.ready && !g_tpl.shared && g_tpl.owner == getpid()) {
    tst_rmtree(g_tpl.dir);
    tst_watchdog_disarm(g_tpl.wd_pid, g_tpl.wd_fd);
    g_tpl.ready = 0;
  }
  pthread_mutex_unlock(&g_lock);
}

static int template_build(const char *bindir, tst_err *err) {
  int rc = tst_mkdtemp("tst_pgtpl.", 0, g_tpl.dir, sizeof(g_tpl.dir), err);
  if (rc != TST_OK) return rc;
  snprintf(g_tpl.datadir, sizeof(g_tpl.datadir), "%s/data", g_tpl.dir);
  snprintf(g_tpl.bindir, sizeof(g_tpl.bindir), "%s", bindir);
  rc = tst_watchdog_start(k_watchdog_script, g_tpl.dir, NULL, &g_tpl.wd_pid, &g_tpl.wd_fd, err);
  if (rc != TST_OK) {
    tst_rmtree(g_tpl.dir);
    return rc;
  }
  rc = own_dir(g_tpl.dir, err);
  if (rc == TST_OK) rc = run_initdb(bindir, g_tpl.dir, g_tpl.datadir, err);
  if (rc == TST_OK) rc = create_main_db_offline(bindir, g_tpl.dir, g_tpl.datadir, err);
  if (rc != TST_OK) {
    tst_rmtree(g_tpl.dir);
    tst_watchdog_disarm(g_tpl.wd_pid, g_tpl.wd_fd);
    return rc;
  }
  g_tpl.ready = 1;
  g_tpl.shared = 0;
  g_tpl.owner = getpid();
  tst_cleanup_add(template_remove, &g_tpl);
  return TST_OK;
}

static int shared_cache_enabled(void) {
  const char *v = getenv("TST_PG_TEMPLATE_CACHE");
  return v == NULL || strcmp(v, "0") != 0;
}

static void shared_cache_path(const char *bindir, char *out, size_t n) {
  size_t len = (size_t)snprintf(out, n, "/tmp/tst_pg_template.%u.", (unsigned)geteuid());
  for (const char *p = bindir; *p != '\0' && len + 8 < n; p++) {
    char ch = *p;
    if (ch == '/') ch = '_';
    out[len++] = ch;
  }
  snprintf(out + len, n - len, "." TEMPLATE_LAYOUT);
}

static void use_shared(const char *path, const char *bindir) {
  snprintf(g_tpl.dir, sizeof(g_tpl.dir), "%s", path);
  snprintf(g_tpl.datadir, sizeof(g_tpl.datadir), "%s/data", path);
  snprintf(g_tpl.bindir, sizeof(g_tpl.bindir), "%s", bindir);
  g_tpl.ready = 1;
  g_tpl.shared = 1;
  g_tpl.owner = getpid();
}

/* Makes g_tpl a usable template for bindir (caller holds g_lock). */
static int template_get(const char *bindir, tst_err *err) {
  char shared[128], probe[200];
  int rc;
  if (g_tpl.ready && strcmp(g_tpl.bindir, bindir) == 0) return TST_OK;
  shared_cache_path(bindir, shared, sizeof(shared));
  snprintf(probe, sizeof(probe), "%s/data/PG_VERSION", shared);
  if (shared_cache_enabled() && access(probe, R_OK) == 0) {
    use_shared(shared, bindir);
    return TST_OK;
  }
  rc = template_build(bindir, err);
  if (rc != TST_OK || !shared_cache_enabled()) return rc;
  /* Publish (or, if another process was first, adopt theirs and drop ours). */
  if (rename(g_tpl.dir, shared) != 0) {
    if (access(probe, R_OK) != 0) return TST_OK; /* cannot publish: keep the private one */
    tst_rmtree(g_tpl.dir);
  }
  tst_cleanup_remove(&g_tpl);
  tst_watchdog_disarm(g_tpl.wd_pid, g_tpl.wd_fd);
  use_shared(shared, bindir);
  return TST_OK;
}

/* Fills pg->datadir with a fresh cluster: a copy of the template. */
static int init_datadir(tst_pg *pg, tst_err *err) {
  const char *argv[] = {"cp", "-a", g_tpl.datadir, pg->datadir, NULL};
  char log[200];
  pid_t pid;
  int st = 0, rc = TST_OK;
  pthread_mutex_lock(&g_lock);
  rc = template_get(pg->bindir, err);
  if (rc == TST_OK) {
    snprintf(log, sizeof(log), "%s/copy.log", pg->dir);
    tst_spawn_opts o = {"/bin/cp", argv, NULL, log, pg->dir, NULL, 0};
    rc = tst_spawn(&o, &pid, err);
    if (rc == TST_OK &&
        (tst_wait(pid, 120000, &st) != TST_OK || !WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
      char tail[300];
      tst_file_tail(log, 3, tail, sizeof(tail));
      rc = tst_err_set(err, TST_ESYS, "copying the template cluster %s failed: %s", g_tpl.datadir,
                       tail);
    }
  }
  pthread_mutex_unlock(&g_lock);
  return rc;
}

/* Starts the postmaster on pg->port and waits until it accepts connections. On a bind failure
 * returns TST_ESTART with *bind_failed = 1 so the caller can pick another port. */
static int start_postmaster(tst_pg *pg, int *bind_failed, tst_err *err) {
  char path[300], port[16], conninfo[256];
  const char *argv[] = {"postgres",
                        "-D",
                        pg->datadir,
                        "-p",
                        port,
                        "-k",
                        pg->dir,
                        "-h",
                        "127.0.0.1",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "shared_buffers=16MB",
                        "-c",
                        "max_connections=200",
                        "-c",
                        "unix_socket_permissions=0777",
                        "-c",
                        "logging_collector=off",
                        NULL};
  double deadline;
  int rc;
  *bind_failed = 0;
  snprintf(path, sizeof(path), "%s/postgres", pg->bindir);
  snprintf(port, sizeof(port), "%d", pg->port);
  snprintf(conninfo, sizeof(conninfo),
           "host=127.0.0.1 port=%d dbname=postgres user=" PG_USER " connect_timeout=2", pg->port);
  tst_spawn_opts o = {path, argv, NULL, pg->log_path, pg->dir, PG_USER, 1};
  rc = tst_spawn(&o, &pg->pm_pid, err);
  if (rc != TST_OK) {
    pg->pm_pid = -1;
    return rc;
  }
  deadline = tst_now_ms() + 30000;
  for (;;) {
    int st = 0;
    struct timespec ts = {0, 10L * 1000 * 1000};
    if (PQping(conninfo) == PQPING_OK) return TST_OK;
    if (tst_wait(pg->pm_pid, 0, &st) == TST_OK) {
      char tail[400], how[64];
      tst_file_tail(pg->log_path, 5, tail, sizeof(tail));
      tst_describe_status(st, how, sizeof(how));
      pg->pm_pid = -1;
      *bind_failed = strstr(tail, "could not bind") != NULL ||
                     strstr(tail, "could not create any TCP/IP sockets") != NULL;
      return tst_err_set(err, TST_ESTART, "postgres exited during startup (%s) on port %d: %s", how,
                         pg->port, tail);
    }
    if (tst_now_ms() > deadline) {
      char tail[400];
      tst_file_tail(pg->log_path, 5, tail, sizeof(tail));
      kill(pg->pm_pid, SIGKILL);
      tst_wait(pg->pm_pid, -1, NULL);
      pg->pm_pid = -1;
      kill_stragglers(pg->datadir);
      return tst_err_set(err, TST_ETIMEOUT, "postgres did not accept connections within 30 s: %s",
                         tail);
    }
    nanosleep(&ts, NULL);
  }
}

static int stop_postmaster(tst_pg *pg, int sig, tst_err *err) {
  int rc = TST_OK;
  if (pg->pm_pid <= 0) return TST_OK;
  kill(pg->pm_pid, sig);
  if (tst_wait(pg->pm_pid, 10000, NULL) != TST_OK) {
    kill(pg->pm_pid, SIGKILL);
    tst_wait(pg->pm_pid, -1, NULL);
    rc = tst_err_set(err, TST_ETIMEOUT, "postgres did not stop within 10 s of signal %d; killed it",
                     sig);
  }
  pg->pm_pid = -1;
  kill_stragglers(pg->datadir);
  return rc;
}

static int start_ephemeral(tst_pg *pg, tst_err *err) {
  int rc;
  rc = find_bindir(pg->bindir, sizeof(pg->bindir), err);
  if (rc != TST_OK) return rc;
  rc = tst_mkdtemp("tst_pg.", 0, pg->dir, sizeof(pg->dir), err);
  if (rc != TST_OK) return rc;
  snprintf(pg->datadir, sizeof(pg->datadir), "%s/data", pg->dir);
  snprintf(pg->log_path, sizeof(pg->log_path), "%s/postgres.log", pg->dir);
  rc = tst_watchdog_start(k_watchdog_script, pg->dir, NULL, &pg->wd_pid, &pg->wd_fd, err);
  if (rc != TST_OK) {
    tst_rmtree(pg->dir);
    pg->dir[0] = '\0';
    return rc;
  }
  rc = own_dir(pg->dir, err);
  if (rc != TST_OK) return rc;
  rc = init_datadir(pg, err);
  if (rc != TST_OK) return rc;
  for (int attempt = 0; attempt < 8; attempt++) {
    int bind_failed = 0;
    pg->port = tst_free_port();
    if (pg->port <= 0) return tst_err_set(err, TST_ESYS, "no free loopback TCP port");
    rc = start_postmaster(pg, &bind_failed, err);
    if (rc == TST_OK || !bind_failed) break;
  }
  if (rc != TST_OK) return rc;
  snprintf(pg->dbname, sizeof(pg->dbname), MAIN_DB);
  make_url(pg, "postgres", pg->admin_url, sizeof(pg->admin_url), NULL);
  return make_url(pg, pg->dbname, pg->url, sizeof(pg->url), err);
}

static int start_external(tst_pg *pg, const char *url, tst_err *err) {
  static int seq = 0;
  char sql[160];
  int rc, s;
  PQconninfoOption *opts;
  pthread_mutex_lock(&g_lock);
  s = ++seq;
  pthread_mutex_unlock(&g_lock);
  pg->external = 1;
  snprintf(pg->ext_url, sizeof(pg->ext_url), "%s", url);
  snprintf(pg->admin_url, sizeof(pg->admin_url), "%s", url);
  pg->port = 5432;
  opts = PQconninfoParse(url, NULL);
  if (opts == NULL) return tst_err_set(err, TST_EINVAL, "DATABASE_URL is not a valid libpq URL");
  for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
    if (strcmp(o->keyword, "port") == 0 && o->val != NULL && o->val[0] != '\0') {
      long p = strtol(o->val, NULL, 10);
      if (p > 0 && p < 65536) pg->port = (int)p;
    }
  }
  PQconninfoFree(opts);
  {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(pg->prefix, sizeof(pg->prefix), "tst_%d_%d_%lx", (int)getpid(), s,
             (unsigned long)(ts.tv_nsec & 0xfffff));
  }
  rc = tst_watchdog_start(k_ext_watchdog_script, pg->admin_url, pg->prefix, &pg->wd_pid, &pg->wd_fd,
                          err);
  if (rc != TST_OK) return rc;
  snprintf(pg->dbname, sizeof(pg->dbname), "%s_main", pg->prefix);
  snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg->dbname);
  rc = exec_sql(pg->admin_url, sql, NULL, NULL, err);
  if (rc != TST_OK) return rc;
  snprintf(pg->created[pg->n_created++], 64, "%s", pg->dbname);
  return make_url(pg, pg->dbname, pg->url, sizeof(pg->url), err);
}

/* ---- sweeping up after killed test processes ---- */

/* Under Bazel a test that times out is killed together with all its descendants, watchdogs
 * included, so its cluster directory stays behind (its processes are gone). The first
 * tst_pg_start of each process removes such leftovers (see tst_pg_sweep) on a background thread.
 * TST_PG_NO_SWEEP=1 turns this off. */

static int guarded(const char *dir) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  int found = 0;
  if (d == NULL) return 1; /* cannot tell: leave it */
  while (!found && (e = readdir(d)) != NULL) {
    char path[300], buf[4096];
    FILE *f;
    size_t n;
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
    f = fopen(path, "rb");
    if (f == NULL) continue;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* A watchdog's argv is: sh -c SCRIPT tst-watchdog DIR [ARG2]. */
    for (size_t i = 0; i + 13 < n; i++) {
      if (memcmp(buf + i, "tst-watchdog", 13) == 0 && strcmp(buf + i + 13, dir) == 0) found = 1;
    }
  }
  closedir(d);
  return found;
}

void tst_pg_sweep(int min_age_seconds) {
  static const char *const patterns[] = {"/tmp/tst_pg.*", "/tmp/tst_pgtpl.*"};
  time_t now = time(NULL);
  for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
    glob_t g;
    memset(&g, 0, sizeof(g));
    if (glob(patterns[p], GLOB_ONLYDIR, NULL, &g) != 0) continue;
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char data[300];
      struct stat st;
      if (stat(g.gl_pathv[i], &st) != 0 || now - st.st_mtime < min_age_seconds ||
          guarded(g.gl_pathv[i])) {
        continue;
      }
      snprintf(data, sizeof(data), "%s/data", g.gl_pathv[i]);
      kill_stragglers(data);
      tst_rmtree(g.gl_pathv[i]);
    }
    globfree(&g);
  }
}

static void *sweep_thread(void *unused) {
  (void)unused;
  tst_pg_sweep(120);
  return NULL;
}

/* Runs the sweep on a detached thread, off the test's critical path (if the process exits first,
 * the next process finishes the job). */
static void start_sweeper(void) {
  pthread_t t;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &a, sweep_thread, NULL) != 0) { /* no sweep this time */
  }
  pthread_attr_destroy(&a);
}

static pthread_once_t g_sweep_once = PTHREAD_ONCE_INIT;

/* ---- public API ---- */

int tst_pg_start(tst_pg **out, tst_err *err) {
  tst_pg *pg;
  const char *ext = getenv("DATABASE_URL");
  int rc;
  *out = NULL;
  pg = calloc(1, sizeof(*pg));
  if (pg == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  pg->pm_pid = -1;
  pg->wd_pid = -1;
  pg->wd_fd = -1;
  if (ext != NULL && ext[0] != '\0') {
    rc = start_external(pg, ext, err);
  } else {
    if (getenv("TST_PG_NO_SWEEP") == NULL) pthread_once(&g_sweep_once, start_sweeper);
    rc = start_ephemeral(pg, err);
  }
  tst_cleanup_add(destroy_at_exit, pg);
  if (rc != TST_OK) {
    tst_pg_destroy(pg);
    return rc;
  }
  *out = pg;
  return TST_OK;
}

const char *tst_pg_url(const tst_pg *pg) {
  return pg->url;
}
const char *tst_pg_admin_url(const tst_pg *pg) {
  return pg->admin_url;
}
int tst_pg_port(const tst_pg *pg) {
  return pg->port;
}
const char *tst_pg_dbname(const tst_pg *pg) {
  return pg->dbname;
}
pid_t tst_pg_postmaster_pid(const tst_pg *pg) {
  return pg->external ? -1 : pg->pm_pid;
}
const char *tst_pg_dir(const tst_pg *pg) {
  return pg->external ? NULL : pg->dir;
}

int tst_pg_create_db(tst_pg *pg, const char *name, char *url, size_t n, tst_err *err) {
  char real[64], sql[128];
  int rc;
  if (name == NULL || !valid_dbname(name)) {
    return tst_err_set(err, TST_EINVAL, "bad database name '%s': use 1-63 letters, digits or '_'",
                       name ? name : "");
  }
  if (pg->external) {
    if (pg->n_created >= MAX_CREATED) {
      return tst_err_set(err, TST_EINVAL, "more than %d databases on one tst_pg", MAX_CREATED);
    }
    snprintf(real, sizeof(real), "%.30s_%.32s", pg->prefix, name);
  } else {
    snprintf(real, sizeof(real), "%s", name);
  }
  snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", real);
  rc = exec_sql(pg->admin_url, sql, NULL, NULL, err);
  if (rc != TST_OK) return rc;
  if (pg->external) snprintf(pg->created[pg->n_created++], 64, "%s", real);
  return make_url(pg, real, url, n, err);
}

int tst_pg_exec(tst_pg *pg, const char *url, const char *sql, tst_err *err) {
  return exec_sql(url != NULL ? url : pg->url, sql, NULL, NULL, err);
}

int tst_pg_terminate_backends(tst_pg *pg, const char *dbname, int *terminated, tst_err *err) {
  PGresult *r = NULL;
  int rc;
  /* pg_terminate_backend(pid, timeout) waits until the backend has exited (PostgreSQL 14+). */
  rc = exec_sql(
      pg->admin_url,
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
      "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' "
      "AND ($1::text IS NULL OR datname = $1::text)",
      dbname, &r, err);
  if (rc != TST_OK) return rc;
  if (terminated != NULL) *terminated = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  return TST_OK;
}

int tst_pg_stop(tst_pg *pg, tst_err *err) {
  if (pg->external) {
    return tst_err_set(err, TST_EUNSUPPORTED,
                       "tst_pg_stop needs the ephemeral cluster; unset DATABASE_URL for this test");
  }
  return stop_postmaster(pg, SIGINT, err);
}

int tst_pg_restart(tst_pg *pg, tst_err *err) {
  int bind_failed = 0, rc;
  if (pg->external) {
    return tst_err_set(
        err, TST_EUNSUPPORTED,
        "tst_pg_restart needs the ephemeral cluster; unset DATABASE_URL for this test");
  }
  rc = stop_postmaster(pg, SIGINT, err);
  if (rc != TST_OK) return rc;
  /* The old listening socket may linger briefly; retry the same port for a few seconds. */
  for (int attempt = 0; attempt < 20; attempt++) {
    rc = start_postmaster(pg, &bind_failed, err);
    if (rc == TST_OK || !bind_failed) break;
    {
      struct timespec ts = {0, 250L * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  return rc;
}

void tst_pg_destroy(tst_pg *pg) {
  tst_err e;
  if (pg == NULL) return;
  tst_cleanup_remove(pg);
  if (pg->external) {
    for (int i = 0; i < pg->n_created; i++) {
      char sql[128];
      snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", pg->created[i]);
      if (exec_sql(pg->admin_url, sql, NULL, NULL, &e) != TST_OK) {
        fprintf(stderr, "tst_pg_destroy: %s\n", e.msg);
      }
    }
    if (pg->wd_pid > 0) tst_watchdog_disarm(pg->wd_pid, pg->wd_fd);
  } else {
    if (stop_postmaster(pg, SIGINT, &e) != TST_OK) fprintf(stderr, "tst_pg_destroy: %s\n", e.msg);
    if (pg->dir[0] != '\0' && tst_rmtree(pg->dir) != 0) {
      fprintf(stderr, "tst_pg_destroy: could not remove %s: %s\n", pg->dir, strerror(errno));
    }
    if (pg->wd_pid > 0) tst_watchdog_disarm(pg->wd_pid, pg->wd_fd);
  }
  free(pg);
}
