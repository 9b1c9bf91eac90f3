/* http.h — blocking HTTP client helpers for tests, on libcurl.
 *
 * One easy handle per call (no shared state, safe from several threads once curl_global_init has
 * run, which the first call does under a pthread_once). A non-2xx status is NOT an error: the
 * call succeeds and the status is in the response. Errors are transport failures only
 * (TST_EHTTP: refused/reset; TST_ETIMEOUT: the deadline passed). */
#ifndef TST_HTTP_H
#define TST_HTTP_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "testing/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tst_http_header_kv {
  char *name;  /* as received (compare case-insensitively) */
  char *value; /* leading/trailing blanks trimmed */
} tst_http_header_kv;

typedef struct tst_http_resp {
  long status; /* HTTP status (0 when no response) */
  char *body;  /* NUL-terminated body ("" if none); owned */
  size_t body_len;
  cJSON *json;                 /* parsed body, or NULL when not JSON; owned */
  double latency_ms;           /* request start to last byte */
  tst_http_header_kv *headers; /* headers of the final response; owned */
  size_t n_headers;
} tst_http_resp;

/* Performs `method` on url with an optional body (sent as-is; Content-Type application/json unless
 * a header in `headers` sets it) and optional extra headers ("Name: value", NULL-terminated
 * array, may be NULL). timeout_ms <= 0 means 30000. On success *out is filled (free with
 * tst_http_resp_free); on failure *out is zeroed except latency_ms (time until the failure) and err
 * names the URL and the curl error. */
int tst_http_request(const char *method, const char *url, const char *body,
                     const char *const *headers, long timeout_ms, tst_http_resp *out, tst_err *err);

/* GET url. */
int tst_http_get(const char *url, long timeout_ms, const char *const *headers, tst_http_resp *out,
                 tst_err *err);

/* POST url with JSON text `body_json` (NULL: empty body). */
int tst_http_post_json(const char *url, const char *body_json, long timeout_ms,
                       const char *const *headers, tst_http_resp *out, tst_err *err);

/* Value of response header `name` (case-insensitive), or NULL. Owned by resp. */
const char *tst_http_header(const tst_http_resp *resp, const char *name);

/* Frees what resp owns and zeroes it. NULL is a no-op; safe on a zeroed resp. */
void tst_http_resp_free(tst_http_resp *resp);

#ifdef __cplusplus
}
#endif

#endif /* TST_HTTP_H */
