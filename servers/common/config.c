/* config.c — flags and environment into srv_config (see config.h for the table of settings).
 *
 * One table describes every setting (flag, variable, kind, range, field); the state file written by
 * ci/serve.sh is read first, the environment second, flags last, so each overrides the one before.
 * Values are checked as they are read. */
#include "servers/common/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "servers/common/guard.h"

typedef enum kind { K_INT, K_SIZE, K_STR, K_LEVEL } kind;

typedef struct setting {
  const char *flag; /* "--port" */
  const char *env;  /* "PORT" */
  kind type;
  long long min, max; /* K_INT / K_SIZE */
  size_t offset;      /* into srv_config */
  size_t cap;         /* K_STR buffer size */
  const char *meta;   /* for --help */
  const char *help;
} setting;

#define F(field) offsetof(srv_config, field)
#define CAP(field) sizeof(((srv_config *)0)->field)

static const setting k_settings[] = {
    {"--port", "PORT", K_INT, 1, 65535, F(port), 0, "N", "TCP port to listen on"},
    {"--bind", "BIND", K_STR, 0, 0, F(bind), CAP(bind), "ADDR",
     "address to bind (a non-loopback one needs ALLOW_REMOTE=1)"},
    {"--allow-remote", "ALLOW_REMOTE", K_INT, 0, 1, F(allow_remote), 0, "0|1",
     "1 accepts a non-loopback BIND: anyone who reaches it can use every tool (no authentication; "
     "see docs/operations/security.md)"},
    {"--allowed-hosts", "ALLOWED_HOSTS", K_STR, 0, 0, F(allowed_hosts), CAP(allowed_hosts), "LIST",
     "extra Host / Origin names accepted besides the loopback ones, comma-separated, "
     "each optionally NAME:PORT (a reverse proxy, a remote bind)"},
    {"--database-url", "DATABASE_URL", K_STR, 0, 0, F(database_url), CAP(database_url), "URL",
     "PostgreSQL connection string (libpq URL or key=value)"},
    {"--log-file", "LOG_FILE", K_STR, 0, 0, F(log_file), CAP(log_file), "PATH",
     "append JSON log lines to this file (default: stderr)"},
    {"--log-level", "LOG_LEVEL", K_LEVEL, 0, 0, F(log_level), 0, "LEVEL",
     "DEBUG, INFO, WARN or ERROR"},
    {"--pool-min", "POOL_MIN", K_INT, 0, 1000, F(pool_min), 0, "N",
     "database connections kept open"},
    {"--pool-max", "POOL_MAX", K_INT, 1, 1000, F(pool_max), 0, "N", "maximum database connections"},
    {"--request-timeout-ms", "REQUEST_TIMEOUT_MS", K_INT, 1, 3600000, F(request_timeout_ms), 0,
     "MS", "per-request deadline"},
    {"--body-limit-bytes", "BODY_LIMIT_BYTES", K_SIZE, 1024, 1073741824LL, F(body_limit_bytes), 0,
     "BYTES", "largest accepted request body"},
    {"--codebase-mcp-url", "CODEBASE_MCP_URL", K_STR, 0, 0, F(codebase_mcp_url),
     CAP(codebase_mcp_url), "URL", "where workflow-mcp finds codebase-mcp"},
    {"--http-threads", "HTTP_THREADS", K_INT, 1, 256, F(http_threads), 0, "N",
     "network I/O threads (libmicrohttpd's epoll thread pool)"},
    {"--http-workers", "HTTP_WORKERS", K_INT, 1, 1024, F(http_workers), 0, "N",
     "threads that run handlers which touch the database"},
    {"--index-roots", "INDEX_ROOTS", K_STR, 0, 0, F(index_roots), CAP(index_roots), "DIRS",
     "directories that may be indexed, separated by ':' or ',' (default: $HOME, $TMPDIR and "
     "/tmp; '/' allows any)"},
};
#define NSETTINGS (sizeof k_settings / sizeof k_settings[0])

/* Stores text into the field of s; `who` is the flag or variable name for messages. */
static srv_code apply(const setting *s, const char *who, const char *text, srv_config *cfg,
                      srv_err *err) {
  char *field = (char *)cfg + s->offset;
  switch (s->type) {
    case K_INT:
    case K_SIZE: {
      char *end = NULL;
      errno = 0;
      long long v = strtoll(text, &end, 10);
      if (text[0] == '\0' || end == NULL || *end != '\0' || errno != 0 || v < s->min ||
          v > s->max) {
        return srv_err_set(err, SRV_EINVAL, "%s must be %lld-%lld, got '%s'", who, s->min, s->max,
                           text);
      }
      if (s->type == K_INT)
        *(int *)field = (int)v;
      else
        *(size_t *)field = (size_t)v;
      return SRV_OK;
    }
    case K_STR: {
      size_t len = strlen(text);
      if (len >= s->cap) {
        return srv_err_set(err, SRV_EINVAL, "%s is too long (%zu bytes, at most %zu)", who, len,
                           s->cap - 1);
      }
      memcpy(field, text, len + 1);
      return SRV_OK;
    }
    case K_LEVEL: {
      srv_log_level lvl;
      if (srv_log_parse_level(text, &lvl) != 0) {
        return srv_err_set(err, SRV_EINVAL, "%s must be DEBUG, INFO, WARN or ERROR, got '%s'", who,
                           text);
      }
      *(srv_log_level *)field = lvl;
      return SRV_OK;
    }
  }
  return SRV_OK;
}

/* ---- the state file of ci/serve.sh ------------------------------------------------------------
 */

/* Path of the state file (config.h gives the lookup order); 0, or -1 when none can be named. */
static int state_path(char *out, size_t n) {
  const char *home = getenv("MCP_SUITE_HOME");
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *user_home = getenv("HOME");
  int len;
  if (home != NULL && home[0] != '\0')
    len = snprintf(out, n, "%s/state.env", home);
  else if (geteuid() == 0)
    len = snprintf(out, n, "/var/lib/mcp-suite/state.env");
  else if (xdg != NULL && xdg[0] != '\0')
    len = snprintf(out, n, "%s/mcp-suite/state.env", xdg);
  else if (user_home != NULL && user_home[0] != '\0')
    len = snprintf(out, n, "%s/.local/share/mcp-suite/state.env", user_home);
  else
    return -1;
  return len > 0 && (size_t)len < n ? 0 : -1;
}

/* "codebase-mcp" -> "CODEBASE_MCP_": the prefix of a server's own state-file keys. */
static size_t key_prefix(const srv_config_defaults *d, char *out, size_t cap) {
  size_t n = 0;
  for (const char *p = d->server_name; *p != '\0' && n + 2 < cap; p++)
    if (*p == '-')
      out[n++] = '_';
    else if (*p >= 'a' && *p <= 'z')
      out[n++] = (char)(*p - 'a' + 'A');
    else
      out[n++] = *p;
  out[n++] = '_';
  out[n] = '\0';
  return n;
}

/* The variables a state file may set: where the databases and codebase-mcp are, nothing that
 * widens what a server accepts (BIND, ALLOW_REMOTE, ... come from flags and environment only). */
static int state_settable(const setting *s) {
  return strcmp(s->env, "DATABASE_URL") == 0 || strcmp(s->env, "CODEBASE_MCP_URL") == 0;
}

/* The setting a state-file key names: "<SERVER>_<VAR>" (e.g. CODEBASE_MCP_DATABASE_URL for
 * codebase-mcp) or plain "<VAR>"; *prefixed says which. NULL for other keys. */
static const setting *state_key(const srv_config_defaults *d, const char *key, int *prefixed) {
  char pre[80];
  size_t n = key_prefix(d, pre, sizeof pre);
  *prefixed = strncmp(key, pre, n) == 0;
  for (size_t i = 0; i < NSETTINGS; i++) {
    if (*prefixed && strcmp(key + n, k_settings[i].env) == 0 && state_settable(&k_settings[i]))
      return &k_settings[i];
  }
  *prefixed = 0;
  for (size_t i = 0; i < NSETTINGS; i++) {
    if (strcmp(key, k_settings[i].env) == 0 && state_settable(&k_settings[i]))
      return &k_settings[i];
  }
  return NULL;
}

/* Applies the state file's KEY=VALUE lines (blank lines and '#' comments skipped, unknown keys
 * ignored; a server-prefixed key wins over the plain one). A missing file is not an error. */
static srv_code apply_state_file(const srv_config_defaults *d, srv_config *cfg, srv_err *err) {
  char path[1024], who[1200];
  char *line = NULL;
  size_t cap = 0;
  unsigned char from_prefixed[NSETTINGS];
  srv_code rc = SRV_OK;
  int lineno = 0;
  if (state_path(path, sizeof path) != 0) return SRV_OK;
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    if (errno == ENOENT || errno == ENOTDIR) return SRV_OK;
    return srv_err_set(err, SRV_EINVAL,
                       "cannot read the state file %s (%s): fix its permissions, or set "
                       "DATABASE_URL",
                       path, strerror(errno));
  }
  memset(from_prefixed, 0, sizeof from_prefixed);
  while (rc == SRV_OK && getline(&line, &cap, f) >= 0) {
    lineno++;
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    char *eq = strchr(line, '=');
    if (eq == NULL || eq == line) {
      rc = srv_err_set(err, SRV_EINVAL,
                       "state file %s line %d is not KEY=VALUE: '%.80s'; fix or delete the file "
                       "(ci/serve.sh writes it again)",
                       path, lineno, line);
      break;
    }
    *eq = '\0';
    int prefixed = 0;
    const setting *s = state_key(d, line, &prefixed);
    if (s == NULL) continue;
    size_t idx = (size_t)(s - k_settings);
    if (!prefixed && from_prefixed[idx]) continue;
    from_prefixed[idx] = (unsigned char)(from_prefixed[idx] | prefixed);
    snprintf(who, sizeof who, "%s (state file %s)", line, path);
    rc = apply(s, who, eq + 1, cfg, err);
  }
  free(line);
  fclose(f);
  return rc;
}

/* ---- loading --------------------------------------------------------------------------------- */

static void set_defaults(const srv_config_defaults *d, srv_config *c) {
  memset(c, 0, sizeof *c);
  c->subcommand = SRV_CMD_SERVE;
  c->port = d->default_port;
  snprintf(c->bind, sizeof c->bind, "127.0.0.1");
  /* postgresql:///codebase_mcp — the local Unix socket in libpq's default directory. */
  int n = snprintf(c->database_url, sizeof c->database_url, "postgresql:///%s", d->server_name);
  for (int i = (int)strlen("postgresql:///"); i < n && c->database_url[i]; i++) {
    if (c->database_url[i] == '-') c->database_url[i] = '_';
  }
  c->log_level = SRV_LOG_INFO;
  c->pool_min = d->pool_min;
  c->pool_max = d->pool_max;
  c->request_timeout_ms = 30000;
  c->body_limit_bytes = 1048576;
  c->http_threads = 4;
  c->http_workers = 64;
  snprintf(c->codebase_mcp_url, sizeof c->codebase_mcp_url, "http://127.0.0.1:8020");
}

srv_code srv_config_load(const srv_config_defaults *d, int argc, char **argv, srv_config *out,
                         srv_err *err) {
  srv_code rc = SRV_OK;
  int have_cmd = 0;
  set_defaults(d, out);
  rc = apply_state_file(d, out, err);
  if (rc != SRV_OK) return rc;
  for (size_t i = 0; i < NSETTINGS; i++) {
    const char *v = getenv(k_settings[i].env);
    if (v == NULL) continue;
    rc = apply(&k_settings[i], k_settings[i].env, v, out, err);
    if (rc != SRV_OK) return rc;
  }
  for (int a = 1; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0) {
      out->subcommand = SRV_CMD_HELP;
      return SRV_OK;
    }
    if (strcmp(arg, "--stdio") == 0) {
      out->stdio = 1;
      continue;
    }
    if (strncmp(arg, "--", 2) == 0) {
      const char *eq = strchr(arg, '=');
      size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
      const setting *s = NULL;
      for (size_t i = 0; i < NSETTINGS && s == NULL; i++) {
        if (strlen(k_settings[i].flag) == name_len &&
            strncmp(k_settings[i].flag, arg, name_len) == 0) {
          s = &k_settings[i];
        }
      }
      if (s == NULL) {
        return srv_err_set(err, SRV_EINVAL, "unknown option '%.*s'; see %s --help", (int)name_len,
                           arg, d->server_name);
      }
      const char *value = eq ? eq + 1 : NULL;
      if (value == NULL) {
        if (a + 1 >= argc) {
          return srv_err_set(err, SRV_EINVAL, "%s needs a value (%s %s)", s->flag, s->flag,
                             s->meta);
        }
        value = argv[++a];
      }
      rc = apply(s, s->flag, value, out, err);
      if (rc != SRV_OK) return rc;
      continue;
    }
    if (!have_cmd && (strcmp(arg, "serve") == 0 || strcmp(arg, "migrate") == 0)) {
      out->subcommand = strcmp(arg, "migrate") == 0 ? SRV_CMD_MIGRATE : SRV_CMD_SERVE;
      have_cmd = 1;
      continue;
    }
    return srv_err_set(err, SRV_EINVAL, "unexpected argument '%s'; see %s --help", arg,
                       d->server_name);
  }
  if (out->pool_min > out->pool_max) {
    return srv_err_set(err, SRV_EINVAL,
                       "pool minimum (%d, POOL_MIN / --pool-min) must not exceed pool maximum (%d, "
                       "POOL_MAX / --pool-max)",
                       out->pool_min, out->pool_max);
  }
  if (out->database_url[0] == '\0') {
    return srv_err_set(err, SRV_EINVAL,
                       "DATABASE_URL is empty; give a PostgreSQL connection string");
  }
  if (out->bind[0] == '\0') {
    return srv_err_set(err, SRV_EINVAL, "BIND is empty; give an address such as 127.0.0.1");
  }
  if (!out->stdio && !out->allow_remote && !srv_guard_bind_is_loopback(out->bind)) {
    return srv_err_set(err, SRV_EINVAL,
                       "BIND=%s is not a loopback address: %s has no authentication, so anyone "
                       "who can reach that address could use every tool. Bind 127.0.0.1, or set "
                       "ALLOW_REMOTE=1 (--allow-remote 1) to accept it knowingly (see "
                       "docs/operations/security.md)",
                       out->bind, d->server_name);
  }
  return SRV_OK;
}

void srv_config_usage(const srv_config_defaults *d, FILE *f) {
  srv_config def;
  set_defaults(d, &def);
  fprintf(f, "%s — %s\n\n", d->server_name, d->description ? d->description : "MCP server");
  fprintf(f,
          "usage: %s [serve] [options]     run the server (HTTP, or MCP over stdio with --stdio)\n",
          d->server_name);
  fprintf(f, "       %s migrate [options]     apply database migrations, then exit\n",
          d->server_name);
  fprintf(f, "       %s --help                this text\n\n", d->server_name);
  fprintf(f, "options (flag / environment variable; a flag overrides its variable):\n");
  fprintf(f, "  %-32s %s\n", "--stdio", "serve MCP over stdin/stdout instead of HTTP");
  for (size_t i = 0; i < NSETTINGS; i++) {
    const setting *s = &k_settings[i];
    char left[64], dflt[1100];
    snprintf(left, sizeof left, "%s %s", s->flag, s->meta);
    const char *field = (const char *)&def + s->offset;
    switch (s->type) {
      case K_INT:
        snprintf(dflt, sizeof dflt, "%d", *(const int *)field);
        break;
      case K_SIZE:
        snprintf(dflt, sizeof dflt, "%zu", *(const size_t *)field);
        break;
      case K_LEVEL:
        snprintf(dflt, sizeof dflt, "%s", srv_log_level_name(def.log_level));
        break;
      case K_STR:
        snprintf(dflt, sizeof dflt, "%s", field[0] ? field : "none");
        break;
    }
    fprintf(f, "  %-32s %s\n  %-32s   env %s, default %s\n", left, s->help, "", s->env, dflt);
  }
  char state[1024], pre[80];
  key_prefix(d, pre, sizeof pre);
  if (state_path(state, sizeof state) != 0) snprintf(state, sizeof state, "(none: HOME is unset)");
  fprintf(
      f,
      "\nWhere settings come from, each overriding the one before: built-in defaults, the state\n"
      "file that ci/serve.sh writes for its embedded PostgreSQL, the environment, the flags.\n"
      "The state file is $MCP_SUITE_HOME/state.env; without MCP_SUITE_HOME, as root\n"
      "/var/lib/mcp-suite/state.env, otherwise\n"
      "${XDG_DATA_HOME:-$HOME/.local/share}/mcp-suite/state.env. Here: %s (%s).\n"
      "Its KEY=VALUE lines are read for DATABASE_URL and CODEBASE_MCP_URL only; keys with the\n"
      "server's name first (%sDATABASE_URL) win over plain ones. So with ci/serve.sh's\n"
      "cluster up, a plain `%s --stdio` finds its database without DATABASE_URL.\n",
      state, access(state, R_OK) == 0 ? "present" : "absent", pre, d->server_name);
  fprintf(
      f,
      "Without DATABASE_URL and a state file, the database is reached on PostgreSQL's local Unix "
      "socket\n(/var/run/postgresql).\n"
      "Exit codes: 0 ok, 1 error (message on stderr), 2 port already in use.\n");
}
