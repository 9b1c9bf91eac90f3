/* http.c — blocking libcurl helpers for tests (see http.h).
 *
 * One easy handle per request; curl_global_init runs once under pthread_once. Proxies from the
 * environment are ignored (tests talk to 127.0.0.1) and "Expect: 100-continue" is disabled so large
 * bodies are not delayed by a second. */
#include "testing/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/buf.h"
#include "testing/proc.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void global_init(void) {
  curl_global_init(CURL_GLOBAL_ALL);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud) {
  return mdl_buf_add(ud, p, size * nmemb) == MDL_OK ? size * nmemb : 0;
}

static void free_headers(tst_http_resp *r) {
  for (size_t i = 0; i < r->n_headers; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->headers);
  r->headers = NULL;
  r->n_headers = 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud) {
  tst_http_resp *r = ud;
  size_t n = size * nmemb, klen;
  const char *colon, *v, *end = p + n;
  tst_http_header_kv *h;
  if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after 100/redirect) */
    free_headers(r);
    return n;
  }
  colon = memchr(p, ':', n);
  if (colon == NULL) return n;
  klen = (size_t)(colon - p);
  v = colon + 1;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
  h = realloc(r->headers, (r->n_headers + 1) * sizeof(*h));
  if (h == NULL) return 0;
  r->headers = h;
  h[r->n_headers].name = strndup(p, klen);
  h[r->n_headers].value = strndup(v, (size_t)(end - v));
  if (h[r->n_headers].name == NULL || h[r->n_headers].value == NULL) return 0;
  r->n_headers++;
  return n;
}

int tst_http_request(const char *method, const char *url, const char *body,
                     const char *const *headers, long timeout_ms, tst_http_resp *out,
                     tst_err *err) {
  CURL *c = NULL;
  struct curl_slist *hl = NULL;
  mdl_buf b = MDL_BUF_INIT;
  int rc = TST_OK, has_ct = 0;
  CURLcode cc;
  double t0;
  char ebuf[CURL_ERROR_SIZE] = "";
  memset(out, 0, sizeof(*out));
  if (method == NULL || url == NULL) return tst_err_set(err, TST_EINVAL, "method and url required");
  if (timeout_ms <= 0) timeout_ms = 30000;
  pthread_once(&g_once, global_init);
  c = curl_easy_init();
  if (c == NULL) {
    rc = tst_err_set(err, TST_ESYS, "curl_easy_init failed");
    goto cleanup;
  }
  for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
    if (strncasecmp(headers[i], "Content-Type:", 13) == 0) has_ct = 1;
    hl = curl_slist_append(hl, headers[i]);
  }
  if (body != NULL && !has_ct) hl = curl_slist_append(hl, "Content-Type: application/json");
  hl = curl_slist_append(hl, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
  if (strcmp(method, "GET") == 0 && body == NULL) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(method, "HEAD") == 0) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (body != NULL) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    if (strcmp(method, "POST") != 0 || body == NULL)
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "POST") == 0 && body == NULL) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    }
  }
  t0 = tst_now_ms();
  cc = curl_easy_perform(c);
  out->latency_ms = tst_now_ms() - t0;
  if (cc != CURLE_OK) {
    rc = tst_err_set(err, cc == CURLE_OPERATION_TIMEDOUT ? TST_ETIMEOUT : TST_EHTTP,
                     "%s %s failed after %.0f ms: %s (%s)", method, url, out->latency_ms,
                     curl_easy_strerror(cc), ebuf);
    goto cleanup;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
  out->body_len = b.len;
  out->body = mdl_buf_take(&b);
  if (out->body == NULL) {
    rc = tst_err_set(err, TST_ESYS, "out of memory");
    goto cleanup;
  }
  if (out->body_len > 0) {
    const char *end = NULL;
    out->json = cJSON_ParseWithOpts(out->body, &end, 1);
  }
cleanup:
  if (rc != TST_OK) {
    double lat = out->latency_ms;
    tst_http_resp_free(out);
    out->latency_ms = lat;
  }
  mdl_buf_free(&b);
  curl_slist_free_all(hl);
  if (c != NULL) curl_easy_cleanup(c);
  return rc;
}

int tst_http_get(const char *url, long timeout_ms, const char *const *headers, tst_http_resp *out,
                 tst_err *err) {
  return tst_http_request("GET", url, NULL, headers, timeout_ms, out, err);
}

int tst_http_post_json(const char *url, const char *body_json, long timeout_ms,
                       const char *const *headers, tst_http_resp *out, tst_err *err) {
  return tst_http_request("POST", url, body_json, headers, timeout_ms, out, err);
}

const char *tst_http_header(const tst_http_resp *resp, const char *name) {
  for (size_t i = 0; i < resp->n_headers; i++) {
    if (strcasecmp(resp->headers[i].name, name) == 0) return resp->headers[i].value;
  }
  return NULL;
}

void tst_http_resp_free(tst_http_resp *resp) {
  if (resp == NULL) return;
  free(resp->body);
  cJSON_Delete(resp->json);
  free_headers(resp);
  memset(resp, 0, sizeof(*resp));
}
