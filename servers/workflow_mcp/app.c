/* app.c — the workflow-mcp server declaration (srv_app_def) and its init / fini hooks.
 *
 * init creates the codebase-mcp client from the configuration (CODEBASE_MCP_URL, default
 * http://127.0.0.1:8020) before any request thread runs; nothing else is process state. */
#include "servers/workflow_mcp/app.h"

#include <stdlib.h>

#include "servers/workflow_mcp/wf_migrations.h"
#include "servers/workflow_mcp/workflow.h"

static srv_code wf_init(srv_app *app, void **user, srv_err *err) {
  wf_state *st = calloc(1, sizeof(*st));
  if (st == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  const srv_config *cfg = srv_app_config(app);
  srv_code rc = wf_coderefs_new(cfg->codebase_mcp_url, &st->refs, err);
  if (rc != SRV_OK) {
    free(st);
    return rc;
  }
  *user = st;
  return SRV_OK;
}

static void wf_fini(void *user) {
  wf_state *st = user;
  if (st == NULL) return;
  wf_coderefs_free(st->refs);
  free(st);
}

void wf_app_def_init(srv_app_def *def) {
  *def = (srv_app_def){
      .name = "workflow-mcp",
      .version = "0.1.0",
      .description = "projects, typed JSON entities and work items that reference code",
      .metric_prefix = "workflow_mcp",
      .default_port = 8010,
      .pool_min = 2,
      .pool_max = 10,
      .migrations = wf_migrations,
      .n_migrations = wf_migrations_count,
      .tools = wf_tools,
      .n_tools = wf_tools_count,
      .routes = wf_routes,
      .n_routes = wf_routes_count,
      .init = wf_init,
      .fini = wf_fini,
      .instructions =
          "Projects are tenants: create_project, switch_project, then entities "
          "(register_entity_type, create_entity, query_entities) and work items "
          "(create_work_item, get_work_item, update_work_item, query_work_items) of the "
          "active project. Work items may reference code chunks from codebase-mcp.",
  };
}
