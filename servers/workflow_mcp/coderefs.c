/* coderefs.c — the codebase-mcp client behind stale-reference checks (see coderefs.h).
 *
 * Hot path per call: one thread-local CURL handle (created on first use, reused afterwards so the
 * TCP connection is kept alive), one JSON body, one response buffer capped at 4 MiB. */
#include "servers/workflow_mcp/coderefs.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"
#include "servers/common/timeutil.h"

#define MAX_RESPONSE (4u << 20)

struct wf_coderefs {
  char url[1100]; /* <base>/mcp/get_chunks */
  char base[1024];
  pthread_key_t key; /* per-thread CURL * */
};

static void handle_destroy(void *h) {
  curl_easy_cleanup((CURL *)h);
}

srv_code wf_coderefs_new(const char *base_url, wf_coderefs **out, srv_err *err) {
  assert(out != NULL);
  *out = NULL;
  if (base_url == NULL ||
      (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0))
    return srv_err_set(err, SRV_EINVAL,
                       "CODEBASE_MCP_URL must be an http:// or https:// URL such as "
                       "http://127.0.0.1:8020 (got \"%s\")",
                       base_url ? base_url : "");
  size_t len = strlen(base_url);
  while (len > 0 && base_url[len - 1] == '/') len--;
  if (len >= 1000)
    return srv_err_set(err, SRV_EINVAL, "CODEBASE_MCP_URL is longer than 1000 characters");
  wf_coderefs *c = calloc(1, sizeof(*c));
  if (c == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  snprintf(c->base, sizeof(c->base), "%.*s", (int)len, base_url);
  snprintf(c->url, sizeof(c->url), "%s/mcp/get_chunks", c->base);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
      pthread_key_create(&c->key, handle_destroy) != 0) {
    free(c);
    return srv_err_set(err, SRV_EINTERNAL, "cannot initialise libcurl");
  }
  *out = c;
  return SRV_OK;
}

void wf_coderefs_free(wf_coderefs *c) {
  if (c == NULL) return;
  CURL *h = pthread_getspecific(c->key);
  if (h != NULL) curl_easy_cleanup(h);
  pthread_key_delete(c->key);
  free(c);
}

const char *wf_coderefs_url(const wf_coderefs *c) {
  return c->base;
}

/* curl's write callback: appends to the response buffer; 0 (curl aborts) past MAX_RESPONSE or
 * out of memory. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
  size_t n = size * nmemb;
  return mdl_buf_add(ud, ptr, n) == MDL_OK ? n : 0;
}

static CURL *thread_handle(wf_coderefs *c) {
  CURL *h = pthread_getspecific(c->key);
  if (h != NULL) return h;
  h = curl_easy_init();
  if (h == NULL) return NULL;
  if (pthread_setspecific(c->key, h) != 0) {
    curl_easy_cleanup(h);
    return NULL;
  }
  return h;
}

/* The id of one entry of "found"/"missing": a string, or an object's "chunk_id". */
static const char *entry_id(const cJSON *e) {
  if (cJSON_IsString(e)) return e->valuestring;
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "chunk_id");
  return cJSON_IsString(id) ? id->valuestring : NULL;
}

static int list_has(const cJSON *arr, const char *id) {
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    const char *s = entry_id(e);
    if (s != NULL && strcmp(s, id) == 0) return 1;
  }
  return 0;
}

/* The entry of details_in (codebase-mcp's missing_details) for id, copied; else a minimal one. */
static cJSON *detail_for(const cJSON *details_in, const char *id) {
  const cJSON *e;
  cJSON_ArrayForEach(e, details_in) {
    const char *s = entry_id(e);
    if (cJSON_IsObject(e) && s != NULL && strcmp(s, id) == 0) return cJSON_Duplicate(e, 1);
  }
  cJSON *d = cJSON_CreateObject();
  if (d != NULL) {
    cJSON_AddStringToObject(d, "chunk_id", id);
    cJSON_AddStringToObject(d, "reason", "unknown");
  }
  return d;
}

srv_code wf_coderefs_missing(wf_coderefs *c, const char *code_project, const char *const *ids,
                             int n, int64_t deadline_mono_ms, cJSON **missing, cJSON **details,
                             srv_err *err) {
  assert(c != NULL && ids != NULL && n >= 1 && missing != NULL);
  srv_code rc = SRV_OK;
  cJSON *req = NULL, *resp = NULL, *result = NULL, *det = NULL;
  char *body = NULL;
  struct curl_slist *hdrs = NULL;
  mdl_buf b;
  mdl_buf_init(&b, MAX_RESPONSE - 1);
  *missing = NULL;
  if (details != NULL) *details = NULL;

  long timeout = WF_CODEREFS_TIMEOUT_MS;
  if (deadline_mono_ms > 0) {
    int64_t left = srv_ms_until(deadline_mono_ms);
    if (left < timeout) timeout = left;
  }
  if (timeout < 1) {
    rc = srv_err_set(err, SRV_ETIMEOUT, "no time left to ask codebase-mcp at %s", c->base);
    goto cleanup;
  }
  CURL *h = thread_handle(c);
  if (h == NULL) {
    rc = srv_err_set(err, SRV_EINTERNAL, "cannot create a libcurl handle");
    goto cleanup;
  }
  req = cJSON_CreateObject();
  cJSON *arr = cJSON_AddArrayToObject(req, "chunk_ids");
  for (int i = 0; arr != NULL && i < n; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(ids[i]));
  if (code_project != NULL) cJSON_AddStringToObject(req, "project_id", code_project);
  body = cJSON_PrintUnformatted(req);
  hdrs = curl_slist_append(NULL, "Content-Type: application/json");
  /* No "Expect: 100-continue" round trip for larger batches: it would eat the time budget. */
  struct curl_slist *more = hdrs ? curl_slist_append(hdrs, "Expect:") : NULL;
  if (body == NULL || more == NULL) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory building the get_chunks request");
    goto cleanup;
  }
  curl_easy_reset(h); /* keeps the live connection, clears options */
  curl_easy_setopt(h, CURLOPT_URL, c->url);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(
      h, CURLOPT_CONNECTTIMEOUT_MS,
      timeout < WF_CODEREFS_CONNECT_TIMEOUT_MS ? timeout : (long)WF_CODEREFS_CONNECT_TIMEOUT_MS);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never route a loopback call through a proxy */
  CURLcode cc = curl_easy_perform(h);
  if (cc == CURLE_OPERATION_TIMEDOUT) {
    rc = srv_err_set(err, SRV_ETIMEOUT, "codebase-mcp at %s did not answer within %ld ms", c->base,
                     timeout);
    goto cleanup;
  }
  if (cc != CURLE_OK) {
    rc = srv_err_set(err, SRV_EUNAVAIL, "codebase-mcp at %s is unreachable (%s)", c->base,
                     curl_easy_strerror(cc));
    goto cleanup;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    rc = srv_err_set(err, SRV_EUNAVAIL, "codebase-mcp at %s answered get_chunks with HTTP %ld",
                     c->base, status);
    goto cleanup;
  }
  resp = b.data ? cJSON_Parse(b.data) : NULL;
  const cJSON *found = cJSON_GetObjectItemCaseSensitive(resp, "found");
  const cJSON *miss = cJSON_GetObjectItemCaseSensitive(resp, "missing");
  if (!cJSON_IsArray(found) && !cJSON_IsArray(miss)) {
    rc = srv_err_set(err, SRV_EUNAVAIL,
                     "codebase-mcp at %s answered get_chunks without \"found\"/\"missing\" lists",
                     c->base);
    goto cleanup;
  }
  const cJSON *details_in = cJSON_GetObjectItemCaseSensitive(resp, "missing_details");
  result = cJSON_CreateArray();
  det = cJSON_CreateArray();
  for (int i = 0; result != NULL && det != NULL && i < n; i++) {
    /* Prefer the explicit "missing" list; otherwise what is not in "found" is missing. */
    int is_missing = cJSON_IsArray(miss) ? list_has(miss, ids[i]) : !list_has(found, ids[i]);
    if (is_missing && !list_has(result, ids[i])) {
      cJSON_AddItemToArray(result, cJSON_CreateString(ids[i]));
      cJSON_AddItemToArray(det, detail_for(details_in, ids[i]));
    }
  }
  if (result == NULL || det == NULL) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
    goto cleanup;
  }
  *missing = result;
  result = NULL;
  if (details != NULL) {
    *details = det;
    det = NULL;
  }
cleanup:
  cJSON_Delete(det);
  cJSON_Delete(req);
  cJSON_Delete(resp);
  cJSON_Delete(result);
  cJSON_free(body);
  curl_slist_free_all(hdrs);
  mdl_buf_free(&b);
  return rc;
}
