/* fuzz_mcp.c — libFuzzer target for the JSON-RPC + argument-validation path: arbitrary bytes go
 * through srv_mcp_handle_text (parse, classify, dispatch, tools/call, schema validation, handler,
 * output-schema check, response construction) exactly as one HTTP body or one stdio line would.
 *
 * The tools mirror real declarations (nested objects, arrays, enums, bounds, patterns,
 * additionalProperties false, an outputSchema). The database and metrics are not on this path;
 * srv_db_run and srv_observe_tool are defined here as inert stand-ins so the target links
 * without libpq's pool or the metrics registry. Built and run by run_fuzz.sh (clang, libFuzzer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/db.h"
#include "servers/common/mcp.h"
#include "servers/common/request.h"

srv_code srv_db_run(srv_pool *pool, int64_t deadline_mono_ms, srv_db_fn fn, void *arg,
                    int retry_safe, srv_err *err) {
  return srv_err_set(err, SRV_EUNAVAIL, "no database in the fuzzer");
}

void srv_observe_tool(const char *tool, srv_code code, int64_t latency_us) {}

static srv_code echo(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  *out = cJSON_Duplicate(args, 1);
  return SRV_OK;
}

static srv_code search(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  const cJSON *q = cJSON_GetObjectItemCaseSensitive(args, "query");
  *out = cJSON_CreateObject();
  cJSON *arr = cJSON_AddArrayToObject(*out, "results");
  cJSON *r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "chunk_id", q->valuestring);
  cJSON_AddNumberToObject(r, "score", 1.5);
  cJSON_AddItemToArray(arr, r);
  return SRV_OK;
}

static srv_code db_noop(PGconn *c, void *arg, srv_err *err) {
  return SRV_OK;
}

static srv_code db_tool(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  return srv_call_db(call, db_noop, NULL, 1, err);
}

static const srv_tool k_tools[] = {
    {"echo", "echo",
     "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":50},"
     "\"n\":{\"type\":[\"integer\",\"null\"],\"minimum\":-5,\"maximum\":5},"
     "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"},"
     "\"maxItems\":4},\"mode\":{\"enum\":[\"a\",\"b\",1,null]},"
     "\"obj\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"}}},"
     "\"required\":[\"text\"]}",
     NULL, echo, 0},
    {"search_code", "search",
     "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\":1},"
     "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50},"
     "\"filters\":{\"type\":\"object\",\"properties\":{\"language\":{\"enum\":[\"python\","
     "\"javascript\"]},\"path\":{\"type\":\"string\"}},\"additionalProperties\":false}},"
     "\"required\":[\"query\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"results\":{\"type\":\"array\",\"items\":{\"type\":"
     "\"object\",\"properties\":{\"chunk_id\":{\"type\":\"string\"},\"score\":{\"type\":"
     "\"number\"}},\"required\":[\"chunk_id\",\"score\"]}}},\"required\":[\"results\"]}",
     search, SRV_TOOL_READONLY},
    {"db_tool", "db", "{\"type\":\"object\"}", NULL, db_tool, 0},
};

static srv_tools *g_tools;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  srv_err err;
  if (srv_tools_new(k_tools, sizeof k_tools / sizeof k_tools[0], &g_tools, &err) != SRV_OK) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  srv_mcp m = {"fuzz", "0", g_tools, NULL};
  srv_call call;
  srv_mcp_outcome oc;
  cJSON *resp;
  memset(&call, 0, sizeof call);
  call.request_id = "fuzz";
  resp = srv_mcp_handle_text(&m, (const char *)data, size, &call, &oc);
  if (resp != NULL) {
    char *text = cJSON_PrintUnformatted(resp);
    free(text);
    cJSON_Delete(resp);
  }
  return 0;
}
