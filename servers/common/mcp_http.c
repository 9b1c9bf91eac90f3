/* mcp_http.c — MCP Streamable HTTP at /mcp (see mcp_http.h): POST runs one JSON-RPC message
 * through srv_mcp_handle after the protocol-version and session checks, DELETE ends a session.
 * Sessions live in the table of session.h; HTTP itself is http.h. */
#include "servers/common/mcp_http.h"

#include <stdio.h>
#include <string.h>

#include "servers/common/jsonrpc.h"

/* Checks shared by every /mcp method; returns 0 and fills resp when the request is refused. */
static int mcp_common_checks(const srv_http_req *req, srv_http_resp *resp) {
  const char *pv = srv_http_header(req, "MCP-Protocol-Version");
  char msg[256];
  /* Host, Origin and Content-Type were checked by the HTTP layer for every route (guard.h). */
  if (pv != NULL && !srv_mcp_version_supported(pv)) {
    snprintf(msg, sizeof msg,
             "unsupported MCP-Protocol-Version %.40s: use 2025-06-18, 2025-03-26 or 2024-11-05",
             pv);
    srv_http_resp_error(resp, SRV_EINVAL, "unsupported_protocol_version", msg);
    return 0;
  }
  return 1;
}

/* Answers a JSON-RPC error body (taken over) with the HTTP status of code, and Retry-After when
 * code says retry later. */
static void rpc_http_answer(srv_http_resp *resp, srv_code code, cJSON *body) {
  srv_http_resp_json(resp, srv_code_http_status(code), body);
  if (srv_code_is_retry_later(code)) srv_http_resp_header(resp, "Retry-After", "1");
}

static void rpc_http_error(srv_http_resp *resp, const cJSON *id, int rpc, srv_code code,
                           const char *msg) {
  rpc_http_answer(resp, code, srv_rpc_error(id, rpc, msg, NULL));
  resp->code = code;
  snprintf(resp->message, sizeof resp->message, "%s", msg);
}

static void mcp_post(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  srv_mcp_endpoint *ep = ctx;
  cJSON *root = NULL, *out = NULL;
  srv_rpc_msg rq;
  srv_mcp_outcome oc;
  srv_call call;
  srv_err err;
  int rpc;
  const char *sid;
  if (!mcp_common_checks(req, resp)) goto cleanup;
  if (srv_rpc_parse(req->body, req->body_len, &root, &err) != SRV_OK) {
    snprintf(resp->operation, sizeof resp->operation, "jsonrpc");
    rpc_http_error(resp, NULL, SRV_RPC_PARSE_ERROR, SRV_EINVAL, err.msg);
    goto cleanup;
  }
  if (srv_rpc_classify(root, &rq, &rpc, &err) != SRV_OK) {
    snprintf(resp->operation, sizeof resp->operation, "jsonrpc");
    rpc_http_error(resp, rq.id, rpc, SRV_EINVAL, err.msg);
    goto cleanup;
  }
  sid = srv_http_header(req, "Mcp-Session-Id");
  if (!(rq.kind == SRV_RPC_REQUEST && strcmp(rq.method, "initialize") == 0)) {
    if (sid == NULL) {
      rpc_http_error(resp, rq.id, SRV_RPC_INVALID_REQUEST, SRV_EINVAL,
                     "the Mcp-Session-Id header is required: call initialize first and send "
                     "the id it returns");
      goto cleanup;
    }
    /* Only a request counts as use: a notification (notifications/initialized follows every
     * initialize) keeps the session alive without protecting it from eviction. */
    if (!(rq.kind == SRV_RPC_REQUEST ? srv_session_touch(ep->sessions, sid)
                                     : srv_session_seen(ep->sessions, sid))) {
      rpc_http_error(resp, rq.id, SRV_RPC_SESSION_NOT_FOUND, SRV_ENOTFOUND,
                     "session not found or expired: call initialize again");
      goto cleanup;
    }
  }
  memset(&call, 0, sizeof call);
  call.request_id = req->request_id;
  call.deadline_ms = req->deadline_ms;
  call.user = ep->user;
  call.pool = ep->pool;
  call.app = ep->app;
  call.transport = "mcp";
  out = srv_mcp_handle(ep->mcp, root, &call, &oc);
  snprintf(resp->operation, sizeof resp->operation, "%s", oc.operation);
  resp->code = oc.code;
  snprintf(resp->message, sizeof resp->message, "%s", oc.message);
  if (out == NULL) {
    if (oc.code == SRV_EINTERNAL) {
      srv_http_resp_error(resp, SRV_EINTERNAL, NULL, "out of memory");
      goto cleanup;
    }
    resp->status = 202; /* notification or response: accepted, nothing to say */
    goto cleanup;
  }
  if (oc.initialize_ok) {
    char id[37];
    if (srv_session_create(ep->sessions, oc.version, id, &err) != SRV_OK) {
      srv_http_resp_error(resp, SRV_EINTERNAL, NULL, err.msg);
      goto cleanup;
    }
    srv_http_resp_header(resp, "Mcp-Session-Id", id);
  }
  if (oc.rpc_error != 0 && srv_code_is_retry_later(oc.code)) {
    rpc_http_answer(resp, oc.code, out); /* pool exhausted / database down: 503 */
    out = NULL;
    goto cleanup;
  }
  srv_http_resp_json(resp, 200, out);
  out = NULL;
cleanup:
  cJSON_Delete(out);
  cJSON_Delete(root);
}

static void mcp_delete(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  srv_mcp_endpoint *ep = ctx;
  const char *sid;
  if (!mcp_common_checks(req, resp)) return;
  snprintf(resp->operation, sizeof resp->operation, "session_end");
  sid = srv_http_header(req, "Mcp-Session-Id");
  if (sid == NULL) {
    srv_http_resp_error(resp, SRV_EINVAL, NULL, "the Mcp-Session-Id header is required");
    return;
  }
  if (!srv_session_end(ep->sessions, sid)) {
    srv_http_resp_error(resp, SRV_ENOTFOUND, NULL, "session not found or expired");
    return;
  }
  resp->status = 204;
}

srv_code srv_mcp_endpoint_mount(srv_http *h, srv_mcp_endpoint *ep, srv_err *err) {
  srv_code rc = srv_http_route(h, "POST", "/mcp", mcp_post, ep, 0, err);
  if (rc != SRV_OK) return rc;
  return srv_http_route(h, "DELETE", "/mcp", mcp_delete, ep, SRV_HTTP_INLINE, err);
}
