/* tools.c — the workflow-mcp tool table (names, descriptions, input schemas) and REST routes.
 *
 * The schemas are the first line of argument checking (the registry validates before a handler
 * runs); names.h, entity_schema.h and filter.h then apply the rules a schema cannot express.
 * Every tool that works inside a project takes an optional project_id and otherwise uses the
 * active project. */
#include "servers/workflow_mcp/filter.h"
#include "servers/workflow_mcp/workflow.h"

#define PROJECT_ID_PROP                                                                      \
  "\"project_id\":{\"type\":\"string\",\"description\":\"Project UUID; default: the active " \
  "project (see switch_project).\"}"
#define PAGING_PROPS(dflt)                                                             \
  "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":" dflt   \
  ",\"description\":\"Maximum number of results.\"},"                                  \
  "\"offset\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000000,\"default\":0," \
  "\"description\":\"Results to skip (for paging; see has_more).\"}"
#define ITEM_TYPE_ENUM "[\"project\",\"session\",\"task\",\"research\"]"
#define REFS_PROP                                                                              \
  "\"entity_references\":{\"type\":\"array\",\"maxItems\":100,\"items\":{\"type\":\"string\"," \
  "\"minLength\":1,\"maxLength\":100},\"description\":\"Chunk ids from codebase-mcp's "        \
  "search_code that this item refers to; get_work_item reports the ones that no longer exist.\"}"

const srv_tool wf_tools[] = {
    {"create_project",
     "Create a project (a tenant: its entities and work items are invisible from other projects). "
     "Returns 201 with {id, name, description, created_at, active}. If no project is active yet, "
     "the new one becomes active. A duplicate name is 409.",
     "{\"type\":\"object\",\"required\":[\"name\"],\"additionalProperties\":false,\"properties\":{"
     "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100},"
     "\"description\":{\"type\":\"string\",\"maxLength\":2000}}}",
     NULL, wf_create_project, 0},
    {"list_projects",
     "List projects in creation order: {projects:[{id, name, description, created_at, active}], "
     "active_project_id, total, limit, offset}.",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" PAGING_PROPS(
         "100") "}}",
     NULL, wf_list_projects, SRV_TOOL_READONLY},
    {"switch_project",
     "Make a project the active one (by project_id or by name; exactly one). The choice persists "
     "across restarts and is what every other tool uses when project_id is omitted. Returns "
     "{active_project:{...}, switch_seq, switched_at}; switch_seq grows by one per switch, so of "
     "concurrent switches the one with the highest switch_seq is the one in force.",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
     "\"project_id\":{\"type\":\"string\"},\"name\":{\"type\":\"string\",\"minLength\":1,"
     "\"maxLength\":100}}}",
     NULL, wf_switch_project, SRV_TOOL_IDEMPOTENT},
    {"get_active_project",
     "The active project: {active_project:{id, name, ...} or null, switch_seq, switched_at}.",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}", NULL,
     wf_get_active_project, SRV_TOOL_READONLY},
    {"register_entity_type",
     "Register (or replace) an entity type with a JSON Schema for its data: type, required, "
     "properties, enum, minimum/maximum, items, nested objects and arrays. Writes are checked "
     "against it, with messages naming the failing path (\"data.amount must be >= 0 (got -5)\"). "
     "201 when new, 200 when replaced; returns {project_id, name, schema, created}.",
     "{\"type\":\"object\",\"required\":[\"name\",\"schema\"],\"additionalProperties\":false,"
     "\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":63},"
     "\"schema\":{\"type\":\"object\"}," PROJECT_ID_PROP "}}",
     NULL, wf_register_entity_type, SRV_TOOL_IDEMPOTENT},
    {"create_entity",
     "Create an entity of a registered type; data is validated against the type's schema. "
     "Returns 201 with {id, project_id, entity_type, data, tags, version (1), created_at, "
     "updated_at}.",
     "{\"type\":\"object\",\"required\":[\"entity_type\",\"data\"],\"additionalProperties\":false,"
     "\"properties\":{\"entity_type\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":63},"
     "\"data\":{\"type\":\"object\"},\"tags\":{\"type\":\"array\",\"maxItems\":50,\"items\":"
     "{\"type\":\"string\",\"minLength\":1,\"maxLength\":100}}," PROJECT_ID_PROP "}}",
     NULL, wf_create_entity, 0},
    {"update_entity",
     "Replace an entity's data and/or tags with optimistic locking: pass the version you read. "
     "A stale version is 409 and the message names the current version (current_version=N). "
     "Returns the entity with version + 1.",
     "{\"type\":\"object\",\"required\":[\"id\",\"version\"],\"additionalProperties\":false,"
     "\"properties\":{\"id\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\",\"minimum\":1}"
     ","
     "\"data\":{\"type\":\"object\"},\"tags\":{\"type\":\"array\",\"maxItems\":50,\"items\":"
     "{\"type\":\"string\",\"minLength\":1,\"maxLength\":100}}," PROJECT_ID_PROP "}}",
     NULL, wf_update_entity, 0},
    {"query_entities",
     "Entities of the project, in creation order, optionally of one type, carrying all given tags "
     "and matching a JSONB filter. Returns {project_id, entities:[...], count, has_more, limit, "
     "offset}.",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
     "\"entity_type\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":63},"
     "\"filter\":{\"type\":\"object\",\"description\":\"" WF_FILTER_DOC "\"},"
     "\"tags\":{\"type\":\"array\",\"maxItems\":50,\"items\":{\"type\":\"string\"},"
     "\"description\":\"Entities must carry all of these tags.\"}," PAGING_PROPS(
         "100") "," PROJECT_ID_PROP "}}",
     NULL, wf_query_entities, SRV_TOOL_READONLY},
    {"create_work_item",
     "Create a work item (project, session, task or research), optionally under a parent in the "
     "same project (hierarchy depth 0 at a root, at most 5). Returns 201 with {id, project_id, "
     "parent_id, title, item_type, status, metadata, entity_references, version, depth, "
     "created_at, updated_at}. item_type defaults to \"task\". Without project_id the active "
     "project is used; on a fresh server with no project at all, a project named \"default\" "
     "is created and made active (as codebase-mcp's \"default\"). Never depends on codebase-mcp.",
     "{\"type\":\"object\",\"required\":[\"title\"],\"additionalProperties\":false,"
     "\"properties\":{\"title\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500},"
     "\"item_type\":{\"type\":\"string\",\"enum\":" ITEM_TYPE_ENUM ",\"default\":\"task\"},"
     "\"parent_id\":{\"type\":\"string\"},"
     "\"status\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":50,\"default\":\"active\"},"
     "\"metadata\":{\"type\":\"object\"}," REFS_PROP "," PROJECT_ID_PROP "}}",
     NULL, wf_create_work_item, 0},
    {"get_work_item",
     "A work item, with its code references checked against codebase-mcp in one call (at most "
     "500 ms): stale_references lists [{chunk_id, message}] for chunks that no longer exist; if "
     "codebase-mcp is down or slow the item is still returned with warnings "
     "[\"code_search_unavailable\"], a message, and references_checked false.",
     "{\"type\":\"object\",\"required\":[\"id\"],\"additionalProperties\":false,\"properties\":{"
     "\"id\":{\"type\":\"string\"}," PROJECT_ID_PROP "}}",
     NULL, wf_get_work_item, SRV_TOOL_READONLY},
    {"update_work_item",
     "Change a work item with optimistic locking (pass the version you read; a stale one is 409 "
     "naming current_version). parent_id moves the item with its subtree (null makes it a root); "
     "cycles and depths over 5 are refused. Returns the item with version + 1.",
     "{\"type\":\"object\",\"required\":[\"id\",\"version\"],\"additionalProperties\":false,"
     "\"properties\":{\"id\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\",\"minimum\":1}"
     ","
     "\"title\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500},"
     "\"item_type\":{\"type\":\"string\",\"enum\":" ITEM_TYPE_ENUM "},"
     "\"parent_id\":{\"type\":[\"string\",\"null\"]},"
     "\"status\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":50},"
     "\"metadata\":{\"type\":\"object\"}," REFS_PROP "," PROJECT_ID_PROP "}}",
     NULL, wf_update_work_item, 0},
    {"query_work_items",
     "Work items of the project in creation order, optionally by status, item_type, parent_id "
     "(children of that item) or roots_only. Returns {project_id, work_items:[...], count, "
     "has_more, limit, offset}.",
     "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
     "\"status\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":50},"
     "\"item_type\":{\"type\":\"string\",\"enum\":" ITEM_TYPE_ENUM "},"
     "\"parent_id\":{\"type\":\"string\"},\"roots_only\":{\"type\":\"boolean\"}," PAGING_PROPS(
         "100") "," PROJECT_ID_PROP "}}",
     NULL, wf_query_work_items, SRV_TOOL_READONLY},
};
const size_t wf_tools_count = sizeof(wf_tools) / sizeof(wf_tools[0]);

/* The routes the seed's scenarios use, besides POST /mcp/<tool> and MCP. */
const srv_route wf_routes[] = {
    {"POST", "/mcp/work_items", "create_work_item"},
    {"GET", "/mcp/work_items/{id}", "get_work_item"},
    {"POST", "/switch_project", "switch_project"},
    {"POST", "/query_entities", "query_entities"},
    {"POST", "/query_work_items", "query_work_items"},
    {"POST", "/list_projects", "list_projects"},
    {"POST", "/mcp/projects", "create_project"},
    {"GET", "/mcp/projects", "list_projects"},
    {"GET", "/mcp/active_project", "get_active_project"},
};
const size_t wf_routes_count = sizeof(wf_routes) / sizeof(wf_routes[0]);
