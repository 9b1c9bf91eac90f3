/* server_id.h — the two server ids every record uses ("codebase-mcp", "workflow-mcp").
 *
 * The enum values are stable; the names are the JSON spelling. */
#ifndef MDL_SERVER_ID_H
#define MDL_SERVER_ID_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mdl_server_id {
  MDL_SERVER_CODEBASE_MCP = 0, /* "codebase-mcp" */
  MDL_SERVER_WORKFLOW_MCP = 1, /* "workflow-mcp" */
  MDL_SERVER_COUNT
} mdl_server_id;

/* JSON name of id; "?" for an out-of-range value. Never NULL. */
const char *mdl_server_id_name(mdl_server_id id);

/* Looks name up (exact, case-sensitive). Returns false (out untouched) for unknown names or NULL.
 */
bool mdl_server_id_parse(const char *name, mdl_server_id *out);

#ifdef __cplusplus
}
#endif

#endif /* MDL_SERVER_ID_H */
