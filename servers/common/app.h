/* app.h — a whole MCP server from one declaration: `int main(int c, char **v) { return
 * srv_main(&def, c, v); }`.
 *
 * srv_main: loads the configuration (config.h; `--help` prints usage and exits 0), sets up the
 * JSON logger, and then
 *   - `migrate`: applies the compiled migrations (migrate.h) and exits 0 (1 on failure);
 *   - otherwise (serve): checks the schema version — a database that is reachable but not at the
 *     binary's version exits 3 with the exact migrate command; a database that cannot be reached
 *     does NOT stop the start: the server comes up, /health says unhealthy (503), and the schema
 *     check runs as soon as the database answers (a mismatch found then stops the server with exit
 *     code 3, after logging the same message). Then it creates the pool, runs the init hook, binds
 *     (port in use: one line "<name>: port N is already in use by PID P (comm): stop that process
 *     or set PORT to a free port" on stderr, exit 2), and serves HTTP — GET /health (health.h, from
 *     memory; each I/O thread reuses its rendering for at most 10 ms), GET /metrics
 *     (Prometheus text; MetricsResponse JSON when Accept names application/json), POST/DELETE /mcp
 * (session.h), POST /mcp/<tool> for every tool and the extra routes — or MCP on stdin/stdout with
 * `--stdio` (no HTTP then). SIGTERM or SIGINT stops it gracefully: no new connections, requests in
 * flight finish (up to the request timeout), then fini hook, pool closed, exit 0. Exit codes: 0 ok,
 * 1 configuration / start-up failure, 2 port in use, 3 schema not migrated. */
#ifndef SRV_APP_H
#define SRV_APP_H

#include <stddef.h>

#include "servers/common/config.h"
#include "servers/common/error.h"
#include "servers/common/metrics.h"
#include "servers/common/migrate.h"
#include "servers/common/pool.h"
#include "servers/common/tool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRV_EXIT_OK 0
#define SRV_EXIT_FAILURE 1
#define SRV_EXIT_PORT_IN_USE 2
#define SRV_EXIT_SCHEMA 3

typedef struct srv_app srv_app;

typedef struct srv_app_def {
  const char *name;          /* command and server id, e.g. "codebase-mcp" */
  const char *version;       /* serverInfo.version, e.g. "0.1.0" */
  const char *description;   /* one line for --help */
  const char *metric_prefix; /* e.g. "codebase_mcp" (the "_" separator is added) */
  int default_port;          /* 8020 / 8010 */
  int pool_min, pool_max;    /* FR-015 defaults; POOL_MIN / POOL_MAX override */
  const srv_migration *migrations;
  size_t n_migrations;
  const srv_tool *tools;
  size_t n_tools;
  const srv_route *routes; /* extra REST routes onto tools; may be NULL */
  size_t n_routes;
  /* Called after the pool exists, before serving. *user becomes srv_call.user. A failure stops
   * the start (exit 1) with err's message. May be NULL. */
  srv_code (*init)(srv_app *app, void **user, srv_err *err);
  /* Called after the last request finished, before the pool closes. May be NULL. */
  void (*fini)(void *user);
  const char *instructions; /* optional MCP InitializeResult.instructions */
} srv_app_def;

/* Runs the server described by def (see the file comment). Returns the process exit code. */
int srv_main(const srv_app_def *def, int argc, char **argv);

/* Accessors for init hooks and handlers (srv_call.app). */
srv_pool *srv_app_pool(srv_app *app);
const srv_config *srv_app_config(srv_app *app);
void *srv_app_user(srv_app *app);
srv_metrics *srv_app_metrics(srv_app *app);
const srv_app_def *srv_app_def_of(srv_app *app);

#ifdef __cplusplus
}
#endif

#endif /* SRV_APP_H */
