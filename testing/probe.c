/* probe.c — the browser-attack probe of a running server (see probe.h). */
#include "testing/probe.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing/http.h"
#include "testing/mcp.h"

#define MAX_ROUTES 96

typedef struct route {
  char method[8];
  char path[160];
} route;

typedef struct probe_ctx {
  const char *base;
  int port;
  char *report;
  size_t size, used;
  size_t n;
  int failed;
  tst_err *err;
} probe_ctx;

static void say(probe_ctx *c, const char *fmt, const char *a, const char *b, const char *kind,
                long got, const char *verdict) {
  if (c->used + 1 >= c->size) return;
  int w = snprintf(c->report + c->used, c->size - c->used, fmt, a, b, kind, got, verdict);
  if (w > 0) c->used += (size_t)w < c->size - c->used ? (size_t)w : c->size - c->used - 1;
}

/* Fills {x} segments with a UUID. */
static void fill_path(const char *pattern, char *out, size_t size) {
  size_t o = 0;
  for (const char *p = pattern; *p && o + 40 < size; p++) {
    if (*p == '{') {
      const char *close = strchr(p, '}');
      if (close != NULL) {
        o += (size_t)snprintf(out + o, size - o, "00000000-0000-4000-8000-000000000000");
        p = close;
        continue;
      }
    }
    out[o++] = *p;
  }
  out[o] = '\0';
}

/* One probe; expect > 0: that status exactly; expect == 0: anything but 403/415/421. */
static int one(probe_ctx *c, const route *r, const char *kind, const char *body, const char *header,
               long expect) {
  char path[256], url[512];
  const char *hdrs[2] = {header, NULL};
  tst_http_resp resp;
  int ok;
  fill_path(r->path, path, sizeof path);
  snprintf(url, sizeof url, "%s%s", c->base, path);
  if (tst_http_request(r->method, url, body, header ? hdrs : NULL, 30000, &resp, c->err) != TST_OK)
    return -1;
  c->n++;
  ok = expect > 0 ? resp.status == expect
                  : resp.status != 403 && resp.status != 415 && resp.status != 421;
  say(c, "%s %s %s %ld %s\n", r->method, r->path, kind, resp.status, ok ? "ok" : "UNEXPECTED");
  if (!ok && !c->failed) {
    c->failed = 1;
    tst_err_set(c->err, TST_EPROTO, "%s %s (%s) answered %ld, expected %s%ld: %.300s", r->method,
                r->path, kind, resp.status, expect > 0 ? "" : "anything but 403/415/421 such as ",
                expect > 0 ? expect : 200, resp.body ? resp.body : "");
  }
  tst_http_resp_free(&resp);
  return 0;
}

static size_t add(route *rs, size_t n, const char *method, const char *path) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(rs[i].method, method) == 0 && strcmp(rs[i].path, path) == 0) return n;
  if (n >= MAX_ROUTES) return n;
  snprintf(rs[n].method, sizeof rs[n].method, "%s", method);
  snprintf(rs[n].path, sizeof rs[n].path, "%s", path);
  return n + 1;
}

int tst_probe_routes(const char *base_url, const tst_probe_route *extra, size_t n_extra,
                     char *report, size_t size, size_t *n_probes, tst_err *err) {
  route *rs = calloc(MAX_ROUTES, sizeof *rs);
  size_t n = 0;
  tst_mcp m;
  cJSON *list = NULL;
  probe_ctx c;
  char foreign_host[64];
  const char *colon;
  int rc = TST_OK;
  if (rs == NULL) return tst_err_set(err, TST_ESYS, "out of memory");
  memset(&c, 0, sizeof c);
  c.base = base_url;
  c.report = report;
  c.size = size;
  c.err = err;
  if (size > 0) report[0] = '\0';
  colon = strrchr(base_url, ':');
  snprintf(foreign_host, sizeof foreign_host, "Host: attacker.example:%s",
           colon ? colon + 1 : "80");
  n = add(rs, n, "POST", "/mcp");
  n = add(rs, n, "DELETE", "/mcp");
  n = add(rs, n, "GET", "/health");
  n = add(rs, n, "GET", "/metrics");
  rc = tst_mcp_open(&m, base_url, 30000, err);
  if (rc == TST_OK) rc = tst_mcp_request(&m, "tools/list", NULL, &list, NULL, err);
  if (rc != TST_OK) goto cleanup;
  const cJSON *tool;
  cJSON_ArrayForEach(tool, cJSON_GetObjectItemCaseSensitive(list, "tools")) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
    char p[160];
    if (!cJSON_IsString(name)) continue;
    snprintf(p, sizeof p, "/mcp/%s", name->valuestring);
    n = add(rs, n, "POST", p);
  }
  for (size_t i = 0; i < n_extra; i++) n = add(rs, n, extra[i].method, extra[i].path);
  for (size_t i = 0; i < n && rc == TST_OK; i++) {
    const route *r = &rs[i];
    int posts = strcmp(r->method, "POST") == 0;
    const char *body = posts ? "{}" : NULL;
    if (one(&c, r, "foreign-origin", body, "Origin: http://attacker.example", 403) != 0 ||
        one(&c, r, "foreign-host", body, foreign_host, 421) != 0 ||
        (posts && one(&c, r, "text-plain", body, "Content-Type: text/plain", 415) != 0) ||
        one(&c, r, "curl-like", body, NULL, 0) != 0)
      rc = err->code != TST_OK ? (int)err->code : TST_EHTTP;
  }
  if (rc == TST_OK && c.failed) rc = TST_EPROTO;
cleanup:
  if (n_probes != NULL) *n_probes = c.n;
  cJSON_Delete(list);
  free(rs);
  return rc;
}

void tst_probe_save(const char *name, const char *text) {
  const char *dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  char path[4096];
  FILE *f;
  if (dir == NULL) return;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "w");
  if (f == NULL) return;
  fputs(text, f);
  fclose(f);
}
