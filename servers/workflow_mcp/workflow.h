/* workflow.h — the workflow-mcp server: its state, its tools and its REST routes.
 *
 * Every tool is declared once in tools.c (name, description, JSON Schema) and served by the
 * servers/common registry over MCP, POST /mcp/<name> and the extra routes in wf_routes. Handlers
 * live in projects.c, entities.c and work_items.c; they run one database operation each through
 * srv_call_db and never hold a connection across calls. Operations that take an optional
 * project_id default to the active project (a single persisted row; see migrations). */
#ifndef WF_WORKFLOW_H
#define WF_WORKFLOW_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "servers/common/error.h"
#include "servers/common/tool.h"
#include "servers/workflow_mcp/coderefs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The server's state (srv_call.user). Created by the app's init hook, read-only afterwards. */
typedef struct wf_state {
  wf_coderefs *refs; /* client of codebase-mcp (CODEBASE_MCP_URL) */
} wf_state;

/* The tool table and the extra REST routes. */
extern const srv_tool wf_tools[];
extern const size_t wf_tools_count;
extern const srv_route wf_routes[];
extern const size_t wf_routes_count;

/* Handlers (contracts in tools.c's descriptions and schemas). */
srv_code wf_create_project(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_list_projects(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_switch_project(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_get_active_project(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);

srv_code wf_register_entity_type(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_create_entity(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_update_entity(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_query_entities(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);

srv_code wf_create_work_item(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_get_work_item(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_update_work_item(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);
srv_code wf_query_work_items(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* WF_WORKFLOW_H */
