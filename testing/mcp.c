/* mcp.c — minimal MCP client over Streamable HTTP for tests (see mcp.h).
 *
 * Owns nothing beyond the tst_mcp struct. Assumes one JSON-RPC response per POST, delivered either
 * as application/json or as an SSE stream whose data lines carry it. */
#include "testing/mcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/http.h"

#define PROTOCOL_VERSION "2025-06-18"

cJSON *tst_mcp_response_message(const tst_http_resp *r) {
  cJSON *found = NULL;
  const char *p;
  if (r->json != NULL) return cJSON_Duplicate(r->json, 1);
  for (p = r->body; p != NULL && *p != '\0';) {
    const char *eol = strchr(p, '\n');
    size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
    if (len > 5 && strncmp(p, "data:", 5) == 0) {
      char *line = strndup(p + 5, len - 5);
      cJSON *j = line != NULL ? cJSON_Parse(line) : NULL;
      free(line);
      if (j != NULL && (cJSON_HasObjectItem(j, "result") || cJSON_HasObjectItem(j, "error"))) {
        cJSON_Delete(found);
        found = j;
      } else {
        cJSON_Delete(j);
      }
    }
    p = eol != NULL ? eol + 1 : NULL;
  }
  return found;
}

static int post(tst_mcp *m, const char *body, tst_http_resp *resp, tst_err *err) {
  char sess[300], ver[64];
  const char *headers[4];
  int k = 0;
  headers[k++] = "Accept: application/json, text/event-stream";
  snprintf(ver, sizeof(ver), "MCP-Protocol-Version: %s", PROTOCOL_VERSION);
  headers[k++] = ver;
  if (m->session_id[0] != '\0') {
    snprintf(sess, sizeof(sess), "Mcp-Session-Id: %s", m->session_id);
    headers[k++] = sess;
  }
  headers[k] = NULL;
  return tst_http_post_json(m->url, body, m->timeout_ms, headers, resp, err);
}

int tst_mcp_request(tst_mcp *m, const char *method, const char *params_json, cJSON **result,
                    int *rpc_code, tst_err *err) {
  tst_http_resp resp;
  cJSON *req = NULL, *params = NULL, *msg = NULL, *res, *error;
  char *body = NULL;
  int rc = TST_OK;
  *result = NULL;
  if (rpc_code != NULL) *rpc_code = 0;
  memset(&resp, 0, sizeof(resp));
  if (params_json != NULL) {
    params = cJSON_Parse(params_json);
    if (params == NULL) {
      return tst_err_set(err, TST_EINVAL, "%s: params are not valid JSON: %.100s", method,
                         params_json);
    }
  }
  req = cJSON_CreateObject();
  cJSON_AddStringToObject(req, "jsonrpc", "2.0");
  cJSON_AddNumberToObject(req, "id", (double)m->next_id++);
  cJSON_AddStringToObject(req, "method", method);
  if (params != NULL) cJSON_AddItemToObject(req, "params", params);
  body = cJSON_PrintUnformatted(req);
  rc = post(m, body, &resp, err);
  if (rc != TST_OK) goto cleanup;
  msg = tst_mcp_response_message(&resp);
  if (msg == NULL) {
    rc = tst_err_set(err, TST_EPROTO, "%s: HTTP %ld with no JSON-RPC response: %.200s", method,
                     resp.status, resp.body);
    goto cleanup;
  }
  error = cJSON_GetObjectItem(msg, "error");
  if (error != NULL) {
    const cJSON *code = cJSON_GetObjectItem(error, "code");
    const cJSON *text = cJSON_GetObjectItem(error, "message");
    if (rpc_code != NULL && cJSON_IsNumber(code)) *rpc_code = code->valueint;
    rc = tst_err_set(err, TST_EPROTO, "%s: JSON-RPC error %d: %s", method,
                     cJSON_IsNumber(code) ? code->valueint : 0,
                     cJSON_IsString(text) ? text->valuestring : "(no message)");
    goto cleanup;
  }
  res = cJSON_DetachItemFromObject(msg, "result");
  if (res == NULL) {
    rc = tst_err_set(err, TST_EPROTO, "%s: response has neither result nor error", method);
    goto cleanup;
  }
  *result = res;
cleanup:
  cJSON_Delete(msg);
  cJSON_Delete(req);
  free(body);
  tst_http_resp_free(&resp);
  return rc;
}

int tst_mcp_open(tst_mcp *m, const char *base_url, long timeout_ms, tst_err *err) {
  tst_http_resp resp;
  cJSON *result = NULL;
  int rc;
  const char *sid;
  char *body = NULL;
  cJSON *req = NULL;
  memset(m, 0, sizeof(*m));
  snprintf(m->url, sizeof(m->url), "%s/mcp", base_url);
  m->next_id = 1;
  m->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
  memset(&resp, 0, sizeof(resp));
  req = cJSON_Parse(
      "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
      "\"protocolVersion\":\"" PROTOCOL_VERSION
      "\",\"capabilities\":{},"
      "\"clientInfo\":{\"name\":\"tst-mcp\",\"version\":\"1.0\"}}}");
  body = cJSON_PrintUnformatted(req);
  rc = post(m, body, &resp, err);
  if (rc != TST_OK) goto cleanup;
  sid = tst_http_header(&resp, "Mcp-Session-Id");
  if (sid != NULL) snprintf(m->session_id, sizeof(m->session_id), "%s", sid);
  result = tst_mcp_response_message(&resp);
  if (result == NULL || cJSON_GetObjectItem(result, "result") == NULL) {
    rc = tst_err_set(err, TST_EPROTO, "initialize at %s: HTTP %ld, not a JSON-RPC result: %.200s",
                     m->url, resp.status, resp.body);
    goto cleanup;
  }
  tst_http_resp_free(&resp);
  rc = post(m, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &resp, err);
cleanup:
  cJSON_Delete(result);
  cJSON_Delete(req);
  free(body);
  tst_http_resp_free(&resp);
  return rc;
}

int tst_mcp_call_tool(tst_mcp *m, const char *tool, const char *args_json, cJSON **result,
                      tst_err *err) {
  cJSON *params = cJSON_CreateObject(), *args = NULL;
  char *text = NULL;
  int rc;
  *result = NULL;
  if (args_json != NULL) {
    args = cJSON_Parse(args_json);
    if (args == NULL) {
      cJSON_Delete(params);
      return tst_err_set(err, TST_EINVAL, "tools/call %s: arguments are not valid JSON", tool);
    }
  } else {
    args = cJSON_CreateObject();
  }
  cJSON_AddStringToObject(params, "name", tool);
  cJSON_AddItemToObject(params, "arguments", args);
  text = cJSON_PrintUnformatted(params);
  rc = tst_mcp_request(m, "tools/call", text, result, NULL, err);
  free(text);
  cJSON_Delete(params);
  return rc;
}

int tst_mcp_call(const char *base_url, const char *tool, const char *args_json, long timeout_ms,
                 cJSON **result, tst_err *err) {
  tst_mcp m;
  int rc;
  *result = NULL;
  rc = tst_mcp_open(&m, base_url, timeout_ms, err);
  if (rc != TST_OK) return rc;
  return tst_mcp_call_tool(&m, tool, args_json, result, err);
}

int tst_mcp_is_error(const cJSON *result) {
  return cJSON_IsTrue(cJSON_GetObjectItem(result, "isError"));
}

cJSON *tst_mcp_tool_data(const cJSON *result) {
  const cJSON *sc = cJSON_GetObjectItem(result, "structuredContent");
  const cJSON *content = cJSON_GetObjectItem(result, "content");
  const cJSON *first = cJSON_IsArray(content) ? cJSON_GetArrayItem(content, 0) : NULL;
  const cJSON *text = first != NULL ? cJSON_GetObjectItem(first, "text") : NULL;
  if (sc != NULL) return cJSON_Duplicate(sc, 1);
  if (text != NULL && cJSON_IsString(text)) return cJSON_Parse(text->valuestring);
  return NULL;
}
