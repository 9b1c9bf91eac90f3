/* app.h — the workflow-mcp server as a servers/common application (see servers/common/app.h).
 *
 * main() is `srv_app_def d; wf_app_def_init(&d); return srv_main(&d, argc, argv);`. Settings
 * come from servers/common/config.h (PORT default 8010, DATABASE_URL, POOL_MIN 2 / POOL_MAX 10,
 * CODEBASE_MCP_URL default http://127.0.0.1:8020, LOG_FILE, ...). */
#ifndef WF_APP_H
#define WF_APP_H

#include "servers/common/app.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fills def with the workflow-mcp declaration: name "workflow-mcp", port 8010, pool 2..10, the
 * compiled migrations, the tools of tools.c and their REST routes, and the init/fini hooks that
 * own the codebase-mcp client. Never fails. */
void wf_app_def_init(srv_app_def *def);

#ifdef __cplusplus
}
#endif

#endif /* WF_APP_H */
