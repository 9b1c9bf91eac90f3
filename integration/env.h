/* env.h — the servers a scenario talks to: started here (one PostgreSQL cluster with a database
 * per server, both servers as real processes on free loopback ports) or started by someone else
 * (base URLs only).
 *
 * A local environment can stop, kill and start each server again on the same port with the same
 * database (restart scenarios), and put a delay proxy (//testing:stub_server --upstream) between
 * workflow-mcp and codebase-mcp (slow-server scenarios). An external one supports none of that: the
 * lifecycle calls return TST_EUNSUPPORTED and the runner skips such scenarios. Binaries come from
 * the runfiles (tst_runfile). Not thread-safe: lifecycle calls from one thread; the URLs may be
 * read from any thread while no lifecycle call runs. */
#ifndef ITG_ENV_H
#define ITG_ENV_H

#include "models/server_id.h"
#include "testing/error.h"
#include "testing/pg.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct itg_env itg_env;

/* Migrates a fresh database for each server and starts both servers (about 2-3 s). pg is the
 * PostgreSQL cluster to create the databases in (the caller keeps owning it and destroys it after
 * the environment); NULL: the environment starts and owns a cluster of its own. On failure
 * nothing is left running and err says why (log tails included). */
int itg_env_start_local(tst_pg *pg, itg_env **out, tst_err *err);

/* An environment of servers someone else started. Either URL may be NULL (that server is then
 * unavailable and scenarios that need it are skipped). */
int itg_env_external(const char *codebase_url, const char *workflow_url, itg_env **out,
                     tst_err *err);

int itg_env_is_local(const itg_env *e);

/* Base URL ("http://127.0.0.1:PORT") of a server, or NULL when the environment has none. */
const char *itg_env_url(const itg_env *e, mdl_server_id s);

/* Lifecycle (local only): SIGTERM and wait; SIGKILL; start again on the same port (waits for
 * /health). Stopping a stopped server and starting a running one are no-ops. */
int itg_env_stop(itg_env *e, mdl_server_id s, tst_err *err);
int itg_env_kill(itg_env *e, mdl_server_id s, tst_err *err);
int itg_env_start(itg_env *e, mdl_server_id s, tst_err *err);

/* Makes codebase-mcp answer workflow-mcp delay_ms late: starts a delay proxy in front of
 * codebase-mcp and restarts workflow-mcp (same port, same data) with CODEBASE_MCP_URL pointing at
 * it. delay_ms 0 removes the proxy again. Clients still reach codebase-mcp directly. */
int itg_env_slow_codebase(itg_env *e, int delay_ms, tst_err *err);

/* Stops everything and frees e. NULL is a no-op. */
void itg_env_destroy(itg_env *e);

#ifdef __cplusplus
}
#endif

#endif /* ITG_ENV_H */
