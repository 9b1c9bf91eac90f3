/* config.c — flags and environment into srv_config (see config.h for the table of settings).
 *
 * One table describes every setting (flag, variable, kind, range, field); the environment is read
 * first, flags second, so a flag overrides its variable. Values are checked as they are read. */
#include "servers/common/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
     "directories that may be indexed, separated by ':' or ',' (default: any)"},
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
  fprintf(f,
          "\nThe default DATABASE_URL reaches PostgreSQL on its local Unix socket "
          "(/var/run/postgresql).\n"
          "Exit codes: 0 ok, 1 error (message on stderr), 2 port already in use.\n");
}
