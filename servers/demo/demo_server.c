/* demo_server.c — a test-only MCP server that exercises servers/common on its own.
 *
 * Tools: echo (pure, with an outputSchema), add_note / get_note / count_notes (database, through
 * srv_call_db; add_note answers 201 on REST), slow (sleeps, optionally holding a pooled connection
 * with pg_sleep, for deadline, pool-exhaustion and graceful-shutdown tests) and fail (returns the
 * error it is asked for, for isError and status-mapping tests). Extra route: GET
 * /mcp/notes/{id} -> get_note. One migration (migrations/001_create_notes.sql). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/app.h"
#include "servers/common/timeutil.h"
#include "servers/demo/demo_migrations.h"

static srv_code echo_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  const cJSON *text = cJSON_GetObjectItemCaseSensitive(args, "text");
  const cJSON *rep = cJSON_GetObjectItemCaseSensitive(args, "repeat");
  int n = cJSON_IsNumber(rep) ? (int)rep->valuedouble : 1;
  size_t len = strlen(text->valuestring);
  char *buf = malloc(len * (size_t)n + 1);
  if (buf == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  for (int i = 0; i < n; i++) memcpy(buf + len * (size_t)i, text->valuestring, len);
  buf[len * (size_t)n] = '\0';
  *out = cJSON_CreateObject();
  cJSON_AddStringToObject(*out, "text", buf);
  cJSON_AddStringToObject(*out, "request_id", call->request_id);
  free(buf);
  return SRV_OK;
}

typedef struct note_op {
  const char *body; /* add */
  const char *id;   /* get */
  long long ms;     /* slow */
  cJSON *result;
} note_op;

static srv_code db_add(PGconn *c, void *arg, srv_err *err) {
  note_op *op = arg;
  const char *params[1] = {op->body};
  PGresult *r = NULL;
  srv_code rc =
      srv_db_exec(c, "INSERT INTO notes (body) VALUES ($1) RETURNING id::text", 1, params, &r, err);
  if (rc != SRV_OK) return rc;
  op->result = cJSON_CreateObject();
  cJSON_AddStringToObject(op->result, "id", PQgetvalue(r, 0, 0));
  cJSON_AddStringToObject(op->result, "body", op->body);
  PQclear(r);
  return SRV_OK;
}

static srv_code add_note_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  note_op op = {.body = cJSON_GetObjectItemCaseSensitive(args, "body")->valuestring};
  /* An INSERT that generates an id is not safe to retry (db.h). */
  srv_code rc = srv_call_db(call, db_add, &op, 0, err);
  if (rc != SRV_OK) return rc;
  call->http_status = 201;
  *out = op.result;
  return SRV_OK;
}

static srv_code db_get(PGconn *c, void *arg, srv_err *err) {
  note_op *op = arg;
  const char *params[1] = {op->id};
  PGresult *r = NULL;
  srv_code rc =
      srv_db_exec(c, "SELECT id::text, body FROM notes WHERE id = $1::bigint", 1, params, &r, err);
  if (rc != SRV_OK) return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return srv_err_set(err, SRV_ENOTFOUND, "note %s does not exist", op->id);
  }
  op->result = cJSON_CreateObject();
  cJSON_AddStringToObject(op->result, "id", PQgetvalue(r, 0, 0));
  cJSON_AddStringToObject(op->result, "body", PQgetvalue(r, 0, 1));
  PQclear(r);
  return SRV_OK;
}

static srv_code get_note_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  note_op op = {.id = cJSON_GetObjectItemCaseSensitive(args, "id")->valuestring};
  srv_code rc = srv_call_db(call, db_get, &op, 1, err);
  if (rc == SRV_OK) *out = op.result;
  return rc;
}

static srv_code db_count(PGconn *c, void *arg, srv_err *err) {
  note_op *op = arg;
  PGresult *r = NULL;
  srv_code rc = srv_db_exec(c, "SELECT count(*) FROM notes", 0, NULL, &r, err);
  if (rc != SRV_OK) return rc;
  op->result = cJSON_CreateObject();
  cJSON_AddNumberToObject(op->result, "count", strtod(PQgetvalue(r, 0, 0), NULL));
  PQclear(r);
  return SRV_OK;
}

static srv_code count_notes_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  note_op op = {0};
  srv_code rc = srv_call_db(call, db_count, &op, 1, err);
  if (rc == SRV_OK) *out = op.result;
  return rc;
}

static srv_code db_sleep(PGconn *c, void *arg, srv_err *err) {
  note_op *op = arg;
  char secs[32];
  const char *params[1] = {secs};
  snprintf(secs, sizeof secs, "%.3f", (double)op->ms / 1000.0);
  return srv_db_exec(c, "SELECT pg_sleep($1::float8)", 1, params, NULL, err);
}

static srv_code slow_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  const cJSON *ms = cJSON_GetObjectItemCaseSensitive(args, "ms");
  const cJSON *db = cJSON_GetObjectItemCaseSensitive(args, "db");
  note_op op = {.ms = (long long)ms->valuedouble};
  int64_t t0 = srv_mono_ms();
  if (cJSON_IsTrue(db)) {
    srv_code rc = srv_call_db(call, db_sleep, &op, 1, err);
    if (rc != SRV_OK) return rc;
  } else {
    srv_sleep_ms(op.ms);
  }
  *out = cJSON_CreateObject();
  cJSON_AddNumberToObject(*out, "slept_ms", (double)(srv_mono_ms() - t0));
  return SRV_OK;
}

static srv_code fail_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  const char *code = cJSON_GetObjectItemCaseSensitive(args, "code")->valuestring;
  if (strcmp(code, "invalid_argument") == 0)
    return srv_err_set(err, SRV_EINVAL, "the demo was asked to reject its input");
  if (strcmp(code, "not_found") == 0)
    return srv_err_set(err, SRV_ENOTFOUND, "the demo found nothing");
  if (strcmp(code, "busy") == 0) return srv_err_set(err, SRV_EBUSY, "the demo is busy");
  return srv_err_set(err, SRV_EINTERNAL, "the demo failed on purpose");
}

static const srv_tool k_tools[] = {
    {"echo", "Returns the text (repeated `repeat` times) and the request id.",
     "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":1000},"
     "\"repeat\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5}},"
     "\"required\":[\"text\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"},"
     "\"request_id\":{\"type\":\"string\"}},\"required\":[\"text\",\"request_id\"]}",
     echo_tool, SRV_TOOL_READONLY | SRV_TOOL_IDEMPOTENT},
    {"add_note", "Stores a note; returns its id.",
     "{\"type\":\"object\",\"properties\":{\"body\":{\"type\":\"string\",\"minLength\":1}},"
     "\"required\":[\"body\"],\"additionalProperties\":false}",
     NULL, add_note_tool, 0},
    {"get_note", "Reads one note by id.",
     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"}},"
     "\"required\":[\"id\"],\"additionalProperties\":false}",
     NULL, get_note_tool, SRV_TOOL_READONLY},
    {"count_notes", "Counts the notes.", "{\"type\":\"object\",\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\",\"minimum\":0}},"
     "\"required\":[\"count\"]}",
     count_notes_tool, SRV_TOOL_READONLY},
    {"slow", "Sleeps ms milliseconds; with db=true it holds a pooled connection (pg_sleep).",
     "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\",\"minimum\":0,"
     "\"maximum\":60000},\"db\":{\"type\":\"boolean\"}},\"required\":[\"ms\"],"
     "\"additionalProperties\":false}",
     NULL, slow_tool, SRV_TOOL_READONLY},
    {"fail", "Fails with the given error code.",
     "{\"type\":\"object\",\"properties\":{\"code\":{\"enum\":[\"invalid_argument\","
     "\"not_found\",\"busy\",\"internal\"]}},\"required\":[\"code\"]}",
     NULL, fail_tool, 0},
};

static const srv_route k_routes[] = {
    {"GET", "/mcp/notes/{id}", "get_note"},
};

static const srv_app_def k_def = {
    .name = "demo-server",
    .version = "0.1.0",
    .description = "test-only MCP server exercising servers/common",
    .metric_prefix = "demo_mcp",
    .default_port = 8099,
    .pool_min = 1,
    .pool_max = 4,
    .migrations = demo_migrations,
    .n_migrations = 0, /* set in main: the generated count is not a constant expression */
    .tools = k_tools,
    .n_tools = sizeof k_tools / sizeof k_tools[0],
    .routes = k_routes,
    .n_routes = sizeof k_routes / sizeof k_routes[0],
};

int main(int argc, char **argv) {
  srv_app_def def = k_def;
  def.n_migrations = demo_migrations_count;
  return srv_main(&def, argc, argv);
}
