/* mcp.c — MCP methods over JSON-RPC (see mcp.h).
 *
 * Assumes the tool registry validated its schemas at start-up; everything here is per message
 * and stateless, so any number of threads may call it at once. */
#include "servers/common/mcp.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const k_versions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};

int srv_mcp_version_supported(const char *v) {
  if (v == NULL) return 0;
  for (size_t i = 0; i < sizeof k_versions / sizeof k_versions[0]; i++)
    if (strcmp(v, k_versions[i]) == 0) return 1;
  return 0;
}

static cJSON *fail(const cJSON *id, int rpc, srv_code code, const char *msg, srv_mcp_outcome *out) {
  out->rpc_error = rpc;
  out->code = code;
  snprintf(out->message, sizeof out->message, "%.*s", (int)sizeof out->message - 1, msg);
  return srv_rpc_error(id, rpc, msg, NULL);
}

static cJSON *do_initialize(const srv_mcp *m, const srv_rpc_msg *rq, srv_mcp_outcome *out) {
  const cJSON *pv = NULL;
  const char *version = SRV_MCP_LATEST_VERSION;
  cJSON *res, *caps, *tools, *info;
  if (cJSON_IsObject(rq->params))
    pv = cJSON_GetObjectItemCaseSensitive(rq->params, "protocolVersion");
  if (pv != NULL && !cJSON_IsString(pv))
    return fail(rq->id, SRV_RPC_INVALID_PARAMS, SRV_EINVAL,
                "params.protocolVersion must be a string", out);
  if (pv != NULL && srv_mcp_version_supported(pv->valuestring)) version = pv->valuestring;
  res = cJSON_CreateObject();
  if (res == NULL) goto oom;
  cJSON_AddStringToObject(res, "protocolVersion", version);
  caps = cJSON_AddObjectToObject(res, "capabilities");
  tools = caps ? cJSON_AddObjectToObject(caps, "tools") : NULL;
  if (tools) cJSON_AddFalseToObject(tools, "listChanged");
  info = cJSON_AddObjectToObject(res, "serverInfo");
  if (info == NULL) {
    cJSON_Delete(res);
    goto oom;
  }
  cJSON_AddStringToObject(info, "name", m->name ? m->name : "mcp-server");
  cJSON_AddStringToObject(info, "version", m->version ? m->version : "0.0.0");
  if (m->instructions) cJSON_AddStringToObject(res, "instructions", m->instructions);
  snprintf(out->version, sizeof out->version, "%s", version);
  out->initialize_ok = 1;
  return srv_rpc_result(rq->id, res);
oom:
  out->code = SRV_EINTERNAL;
  return NULL;
}

static cJSON *text_content(const char *text) {
  cJSON *arr = cJSON_CreateArray();
  cJSON *item = cJSON_CreateObject();
  if (arr == NULL || item == NULL) {
    cJSON_Delete(arr);
    cJSON_Delete(item);
    return NULL;
  }
  cJSON_AddStringToObject(item, "type", "text");
  cJSON_AddStringToObject(item, "text", text);
  cJSON_AddItemToArray(arr, item);
  return arr;
}

static cJSON *do_tools_call(const srv_mcp *m, const srv_rpc_msg *rq, srv_call *call,
                            srv_mcp_outcome *out) {
  const cJSON *name, *args;
  cJSON *empty = NULL, *result = NULL, *res = NULL;
  int schema_failed = 0;
  srv_err err;
  srv_code rc;
  char *text = NULL;
  if (!cJSON_IsObject(rq->params))
    return fail(rq->id, SRV_RPC_INVALID_PARAMS, SRV_EINVAL, "params must be an object", out);
  name = cJSON_GetObjectItemCaseSensitive(rq->params, "name");
  if (!cJSON_IsString(name))
    return fail(rq->id, SRV_RPC_INVALID_PARAMS, SRV_EINVAL,
                "params.name must be the name of a tool (a string)", out);
  snprintf(out->operation, sizeof out->operation, "%s", name->valuestring);
  if (srv_tools_find(m->tools, name->valuestring) == NULL) {
    char msg[160];
    snprintf(msg, sizeof msg, "unknown tool: %.100s (see tools/list)", name->valuestring);
    return fail(rq->id, SRV_RPC_INVALID_PARAMS, SRV_ENOTFOUND, msg, out);
  }
  args = cJSON_GetObjectItemCaseSensitive(rq->params, "arguments");
  if (args == NULL || cJSON_IsNull(args)) args = empty = cJSON_CreateObject();
  srv_err_clear(&err);
  rc = srv_tools_invoke(m->tools, name->valuestring, call, args, &result, &schema_failed, &err);
  cJSON_Delete(empty);
  if (rc != SRV_OK && schema_failed)
    return fail(rq->id, SRV_RPC_INVALID_PARAMS, SRV_EINVAL, err.msg, out);
  char msg[600];
  if (rc != SRV_OK) snprintf(msg, sizeof msg, "%s: %s", srv_strerror(rc), err.msg);
  /* Pool exhausted or database unreachable: the server, not the tool, failed, and the client
   * should retry. A JSON-RPC error (-32001), which the HTTP transport sends as 503 with
   * Retry-After, like the REST route of the same tool. */
  if (srv_code_is_retry_later(rc)) return fail(rq->id, srv_code_jsonrpc(rc), rc, msg, out);
  res = cJSON_CreateObject();
  if (res == NULL) goto oom;
  if (rc != SRV_OK) {
    cJSON_AddItemToObject(res, "content", text_content(msg));
    cJSON_AddTrueToObject(res, "isError");
    out->code = rc;
    snprintf(out->message, sizeof out->message, "%s", err.msg);
    return srv_rpc_result(rq->id, res);
  }
  text = cJSON_PrintUnformatted(result);
  if (text == NULL) goto oom;
  cJSON_AddItemToObject(res, "content", text_content(text));
  if (srv_tools_find(m->tools, name->valuestring)->output_schema != NULL) {
    cJSON_AddItemToObject(res, "structuredContent", result);
    result = NULL;
  }
  cJSON_AddFalseToObject(res, "isError");
  free(text);
  cJSON_Delete(result);
  return srv_rpc_result(rq->id, res);
oom:
  free(text);
  cJSON_Delete(result);
  cJSON_Delete(res);
  return fail(rq->id, SRV_RPC_INTERNAL_ERROR, SRV_EINTERNAL, "out of memory", out);
}

cJSON *srv_mcp_handle(const srv_mcp *m, const cJSON *msg, srv_call *call, srv_mcp_outcome *out) {
  srv_rpc_msg rq;
  srv_err err;
  int rpc = 0;
  assert(m != NULL && call != NULL && out != NULL);
  memset(out, 0, sizeof *out);
  if (srv_rpc_classify(msg, &rq, &rpc, &err) != SRV_OK) {
    snprintf(out->operation, sizeof out->operation, "jsonrpc");
    return fail(rq.id, rpc, SRV_EINVAL, err.msg, out);
  }
  out->kind = rq.kind;
  if (rq.kind == SRV_RPC_RESPONSE) {
    snprintf(out->operation, sizeof out->operation, "jsonrpc_response");
    return NULL;
  }
  snprintf(out->method, sizeof out->method, "%s", rq.method);
  snprintf(out->operation, sizeof out->operation, "%s", rq.method);
  if (rq.kind == SRV_RPC_NOTIFICATION) return NULL; /* initialized, cancelled, ...: no reply */
  if (strcmp(rq.method, "initialize") == 0) return do_initialize(m, &rq, out);
  if (strcmp(rq.method, "ping") == 0) return srv_rpc_result(rq.id, NULL);
  if (strcmp(rq.method, "tools/list") == 0) {
    cJSON *res = cJSON_CreateObject();
    cJSON *list = srv_tools_list_json(m->tools);
    if (res == NULL || list == NULL) {
      cJSON_Delete(res);
      cJSON_Delete(list);
      return fail(rq.id, SRV_RPC_INTERNAL_ERROR, SRV_EINTERNAL, "out of memory", out);
    }
    cJSON_AddItemToObject(res, "tools", list);
    return srv_rpc_result(rq.id, res);
  }
  if (strcmp(rq.method, "tools/call") == 0) return do_tools_call(m, &rq, call, out);
  {
    char why[160];
    snprintf(why, sizeof why, "method not found: %.100s", rq.method);
    return fail(rq.id, SRV_RPC_METHOD_NOT_FOUND, SRV_ENOTFOUND, why, out);
  }
}

cJSON *srv_mcp_handle_text(const srv_mcp *m, const char *text, size_t len, srv_call *call,
                           srv_mcp_outcome *out) {
  cJSON *root = NULL, *resp;
  srv_err err;
  assert(out != NULL);
  if (srv_rpc_parse(text, len, &root, &err) != SRV_OK) {
    memset(out, 0, sizeof *out);
    snprintf(out->operation, sizeof out->operation, "jsonrpc");
    return fail(NULL, SRV_RPC_PARSE_ERROR, SRV_EINVAL, err.msg, out);
  }
  resp = srv_mcp_handle(m, root, call, out);
  cJSON_Delete(root);
  return resp;
}
