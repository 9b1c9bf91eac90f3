/* jsonrpc.c — JSON-RPC 2.0 classification and message construction (see jsonrpc.h).
 *
 * Assumes cJSON's cJSON_ParseWithLengthOpts reports the stop position on failure, which it does
 * for every version we build against (1.7.15). */
#include "servers/common/jsonrpc.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

srv_code srv_rpc_parse(const char *text, size_t len, cJSON **root, srv_err *err) {
  const char *end = NULL;
  size_t i = 0;
  assert(root != NULL);
  *root = NULL;
  if (text == NULL || len == 0) return srv_err_set(err, SRV_EINVAL, "empty body: expected JSON");
  while (i < len && isspace((unsigned char)text[i])) i++;
  if (i == len) return srv_err_set(err, SRV_EINVAL, "empty body: expected JSON");
  *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (*root == NULL) {
    size_t off = (end != NULL && end >= text && end <= text + len) ? (size_t)(end - text) : 0;
    char near[24] = "";
    size_t k = 0;
    for (size_t j = off; j < len && k < 16; j++)
      near[k++] = isprint((unsigned char)text[j]) ? text[j] : '?';
    near[k] = '\0';
    size_t rest = off;
    while (rest < len && isspace((unsigned char)text[rest])) rest++;
    if (rest >= len)
      return srv_err_set(err, SRV_EINVAL, "invalid JSON: unexpected end of input at byte %zu", off);
    return srv_err_set(err, SRV_EINVAL, "invalid JSON at byte %zu near '%s'", off, near);
  }
  /* Trailing content after the value is malformed too ("{}x"). */
  if (end != NULL) {
    size_t off = (size_t)(end - text);
    while (off < len && isspace((unsigned char)text[off])) off++;
    if (off < len) {
      cJSON_Delete(*root);
      *root = NULL;
      return srv_err_set(err, SRV_EINVAL,
                         "invalid JSON: unexpected data after the value at byte %zu", off);
    }
  }
  return SRV_OK;
}

static int usable_id(const cJSON *id) {
  return id != NULL && (cJSON_IsString(id) || cJSON_IsNumber(id));
}

srv_code srv_rpc_classify(const cJSON *msg, srv_rpc_msg *out, int *rpc_code, srv_err *err) {
  const cJSON *ver, *method, *id, *params, *result, *error;
  assert(out != NULL && rpc_code != NULL);
  memset(out, 0, sizeof *out);
  *rpc_code = 0;
  if (cJSON_IsArray(msg)) {
    *rpc_code = SRV_RPC_INVALID_REQUEST;
    return srv_err_set(err, SRV_EINVAL,
                       "JSON-RPC batches are not supported (MCP 2025-06-18): send one message");
  }
  if (!cJSON_IsObject(msg)) {
    *rpc_code = SRV_RPC_INVALID_REQUEST;
    return srv_err_set(err, SRV_EINVAL, "a JSON-RPC message must be an object");
  }
  id = cJSON_GetObjectItemCaseSensitive(msg, "id");
  if (usable_id(id)) out->id = id;
  ver = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
  if (!cJSON_IsString(ver) || strcmp(ver->valuestring, "2.0") != 0) {
    *rpc_code = SRV_RPC_INVALID_REQUEST;
    return srv_err_set(err, SRV_EINVAL, "jsonrpc must be \"2.0\"");
  }
  if (id != NULL && !usable_id(id)) {
    *rpc_code = SRV_RPC_INVALID_REQUEST;
    return srv_err_set(err, SRV_EINVAL, "id must be a string or a number");
  }
  method = cJSON_GetObjectItemCaseSensitive(msg, "method");
  result = cJSON_GetObjectItemCaseSensitive(msg, "result");
  error = cJSON_GetObjectItemCaseSensitive(msg, "error");
  if (method == NULL && (result != NULL || error != NULL)) {
    if (id == NULL || (result != NULL && error != NULL)) {
      *rpc_code = SRV_RPC_INVALID_REQUEST;
      return srv_err_set(err, SRV_EINVAL,
                         "a response needs an id and exactly one of result or error");
    }
    out->kind = SRV_RPC_RESPONSE;
    return SRV_OK;
  }
  if (method == NULL || !cJSON_IsString(method) || method->valuestring == NULL ||
      method->valuestring[0] == '\0') {
    *rpc_code = SRV_RPC_INVALID_REQUEST;
    return srv_err_set(err, SRV_EINVAL, "method must be a non-empty string");
  }
  params = cJSON_GetObjectItemCaseSensitive(msg, "params");
  if (params != NULL && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
    *rpc_code = SRV_RPC_INVALID_REQUEST;
    return srv_err_set(err, SRV_EINVAL, "params must be an object or an array");
  }
  out->method = method->valuestring;
  out->params = params;
  out->kind = id == NULL ? SRV_RPC_NOTIFICATION : SRV_RPC_REQUEST;
  return SRV_OK;
}

cJSON *srv_rpc_result(const cJSON *id, cJSON *result) {
  cJSON *r = cJSON_CreateObject();
  if (result == NULL) result = cJSON_CreateObject();
  if (r == NULL || result == NULL) goto fail;
  cJSON_AddStringToObject(r, "jsonrpc", "2.0");
  cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
  cJSON_AddItemToObject(r, "result", result);
  return r;
fail:
  cJSON_Delete(r);
  cJSON_Delete(result);
  return NULL;
}

cJSON *srv_rpc_error(const cJSON *id, int code, const char *message, cJSON *data) {
  cJSON *r = cJSON_CreateObject();
  cJSON *e = cJSON_CreateObject();
  if (r == NULL || e == NULL) goto fail;
  cJSON_AddStringToObject(r, "jsonrpc", "2.0");
  cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
  cJSON_AddNumberToObject(e, "code", code);
  cJSON_AddStringToObject(e, "message", message ? message : "error");
  if (data != NULL) cJSON_AddItemToObject(e, "data", data);
  cJSON_AddItemToObject(r, "error", e);
  return r;
fail:
  cJSON_Delete(r);
  cJSON_Delete(e);
  cJSON_Delete(data);
  return NULL;
}
