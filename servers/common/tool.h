/* tool.h — the tool registry: each tool is declared once and served three ways (MCP tools/list,
 * MCP tools/call, REST POST /mcp/<name> plus any extra srv_route).
 *
 * A server declares a static array of srv_tool; srv_tools_new() parses and checks every schema
 * once at start-up (a malformed schema fails the start, naming the tool), and the compiled registry
 * is then read-only and shared by all threads. srv_tools_invoke() is the single path by which a
 * tool runs: arguments are validated against input_schema, the handler runs, and its output is
 * checked against output_schema when the tool declares one (so structuredContent always conforms).
 * Every invocation is counted in the per-tool metrics (see request.h). */
#ifndef SRV_TOOL_H
#define SRV_TOOL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "servers/common/db.h"
#include "servers/common/error.h"
#include "servers/common/pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_app srv_app; /* servers/common/app.h */

/* What a handler knows about the call it serves. Filled by the transport; the handler may only
 * write http_status. Valid for the duration of the handler call. */
typedef struct srv_call {
  const char *request_id; /* X-Request-Id or a generated UUID; never NULL */
  int64_t deadline_ms;    /* absolute srv_mono_ms() deadline (arrival + REQUEST_TIMEOUT_MS) */
  void *user;             /* the server's state from srv_app_def.init; may be NULL */
  srv_pool *pool;         /* the database pool; NULL when the server runs without one */
  srv_app *app;           /* the running server; NULL in unit tests */
  const char *tool_name;  /* set by srv_tools_invoke */
  const char *transport;  /* "http" (REST), "mcp" (Streamable HTTP) or "stdio" */
  int http_status;        /* 0 = default (200); a handler may set e.g. 201 for a create */
} srv_call;

/* A tool handler. args has been validated against input_schema (always an object). On SRV_OK,
 * *out must be a new cJSON object (the registry takes ownership). On failure, return the code and
 * fill err with a message for the user; *out is ignored (and freed if set). */
typedef srv_code (*srv_tool_fn)(srv_call *call, const cJSON *args, cJSON **out, srv_err *err);

enum {
  SRV_TOOL_READONLY = 1u << 0,   /* no side effects (annotations.readOnlyHint) */
  SRV_TOOL_IDEMPOTENT = 1u << 1, /* repeating it has no further effect (idempotentHint) */
  SRV_TOOL_DESTRUCTIVE = 1u << 2 /* may delete data (destructiveHint) */
};

typedef struct srv_tool {
  const char *name;          /* [a-z0-9_]+, unique; the REST route is POST /mcp/<name> */
  const char *description;   /* shown to the model by tools/list */
  const char *input_schema;  /* JSON Schema text; type must be "object" */
  const char *output_schema; /* JSON Schema text, or NULL when the tool has no structured output */
  srv_tool_fn handler;
  unsigned flags; /* SRV_TOOL_* */
} srv_tool;

/* An extra REST route mapped onto a tool: `{x}` path segments become string arguments x, the
 * body (a JSON object) supplies the rest, and a request without a body gets {}.
 * Example: {"GET", "/mcp/work_items/{id}", "get_work_item"}. */
typedef struct srv_route {
  const char *method;
  const char *pattern;
  const char *tool_name;
} srv_route;

/* The compiled registry (opaque, read-only after srv_tools_new). */
typedef struct srv_tools srv_tools;

/* Compiles n tools. Fails with SRV_EINVAL naming the tool when a name is empty or duplicated,
 * a handler is missing, or a schema does not parse or is malformed. The tools array must outlive
 * the registry (names and texts are borrowed). *out is owned by the caller (srv_tools_free). */
srv_code srv_tools_new(const srv_tool *tools, size_t n, srv_tools **out, srv_err *err);

/* Frees the registry; NULL is a no-op. */
void srv_tools_free(srv_tools *tools);

/* Number of tools, and the i-th declaration (i < count). */
size_t srv_tools_count(const srv_tools *tools);
const srv_tool *srv_tools_at(const srv_tools *tools, size_t i);

/* The tool named name, or NULL. */
const srv_tool *srv_tools_find(const srv_tools *tools, const char *name);

/* A new cJSON array for the MCP tools/list result: [{name, description, inputSchema,
 * outputSchema?, annotations?}]. The caller owns it. NULL only when memory runs out. */
cJSON *srv_tools_list_json(const srv_tools *tools);

/* How deeply a tool's arguments may nest (the arguments object is level 1): deeper input is
 * refused before any handler runs, so stored entity data or work-item metadata can never make a
 * page that fails to parse (issue 12 finding 6). */
#define SRV_TOOL_ARGS_DEPTH_MAX 64

/* Runs tool name with args: SRV_ENOTFOUND ("unknown tool: x") if there is no such tool;
 * SRV_EINVAL when args nest deeper than SRV_TOOL_ARGS_DEPTH_MAX; SRV_EINVAL with the schema
 * message ("arguments.limit must be <= 50 (got 500)") when args do not validate, *schema_failed
 * then set to 1 (so MCP can answer -32602); otherwise the handler's code and message. A handler
 * whose output breaks its output_schema yields SRV_EINTERNAL. Sets call->tool_name. On SRV_OK *out
 * is a new object owned by the caller. Records the call in the per-tool metrics (the request's one
 * log line is the transport's). schema_failed may be NULL. */
srv_code srv_tools_invoke(const srv_tools *tools, const char *name, srv_call *call,
                          const cJSON *args, cJSON **out, int *schema_failed, srv_err *err);

/* Runs fn(conn, arg, err) on a pooled database connection for this call, honouring its deadline:
 * the convenience over db.h's srv_db_run for handlers. retry_safe: see db.h (only true for
 * operations that can run twice without harm, e.g. reads and idempotent upserts). Returns
 * SRV_EUNAVAIL when the server has no pool, otherwise whatever srv_db_run returns (SRV_EBUSY when
 * the pool stays exhausted until the deadline). */
srv_code srv_call_db(srv_call *call, srv_db_fn fn, void *arg, int retry_safe, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_TOOL_H */
