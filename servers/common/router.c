/* router.c — the HTTP server's route table (see router.h): patterns are split into segments
 * once, when added; a request's path is split in place and compared segment by segment with each
 * route in the order they were added. */
#include "servers/common/router.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int split_path(char *buf, char **segs, int max) {
  int n = 0;
  char *p = buf;
  if (*p == '/') p++;
  if (*p == '\0') return 0;
  while (n < max) {
    char *slash = strchr(p, '/');
    segs[n++] = p;
    if (slash == NULL) return n;
    *slash = '\0';
    p = slash + 1;
  }
  return -1; /* too many segments */
}

srv_code srv_router_add(srv_router *rt, const char *method, const char *pattern, srv_http_fn fn,
                        void *ctx, unsigned flags, srv_err *err) {
  srv_route *r;
  char *segs[SRV_ROUTER_MAX_SEGS];
  int n, ncap = 0;
  assert(rt != NULL && method != NULL && pattern != NULL && fn != NULL);
  if (rt->nroutes >= SRV_ROUTER_MAX_ROUTES)
    return srv_err_set(err, SRV_EINVAL, "too many routes (max %d)", SRV_ROUTER_MAX_ROUTES);
  if (pattern[0] != '/' || strlen(method) >= sizeof rt->routes[0].method)
    return srv_err_set(err, SRV_EINVAL, "route %s %s: pattern must start with /", method, pattern);
  for (int i = 0; i < rt->nroutes; i++)
    if (strcmp(rt->routes[i].method, method) == 0 &&
        strcmp(rt->routes[i].name + strlen(method) + 1, pattern) == 0)
      return srv_err_set(err, SRV_ECONFLICT, "route %s %s is declared twice", method, pattern);
  r = &rt->routes[rt->nroutes];
  memset(r, 0, sizeof *r);
  r->storage = strdup(pattern);
  if (r->storage == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  n = split_path(r->storage, segs, SRV_ROUTER_MAX_SEGS);
  if (n < 0) {
    free(r->storage);
    return srv_err_set(err, SRV_EINVAL, "route %s: too many segments", pattern);
  }
  for (int i = 0; i < n; i++) {
    size_t l = strlen(segs[i]);
    if (l >= 3 && segs[i][0] == '{' && segs[i][l - 1] == '}') {
      segs[i][l - 1] = '\0';
      r->caps[i] = segs[i] + 1;
      r->segs[i] = NULL;
      if (++ncap > SRV_HTTP_MAX_PARAMS) {
        free(r->storage);
        return srv_err_set(err, SRV_EINVAL, "route %s: too many {params}", pattern);
      }
    } else if (l == 0 && i < n - 1) {
      free(r->storage);
      return srv_err_set(err, SRV_EINVAL, "route %s: empty segment", pattern);
    } else {
      r->segs[i] = segs[i];
    }
  }
  r->nseg = n;
  snprintf(r->method, sizeof r->method, "%s", method);
  snprintf(r->name, sizeof r->name, "%s %s", method, pattern);
  r->fn = fn;
  r->ctx = ctx;
  r->flags = flags;
  r->op = srv_request_op(r->name);
  rt->nroutes++;
  return SRV_OK;
}

const srv_route *srv_router_match(const srv_router *rt, const char *method, char *path,
                                  srv_http_req *req, char *allow, size_t allow_cap,
                                  srv_code *code) {
  char *segs[SRV_ROUTER_MAX_SEGS];
  int n = split_path(path, segs, SRV_ROUTER_MAX_SEGS);
  size_t allow_len = 0;
  allow[0] = '\0';
  for (int i = 0; n >= 0 && i < rt->nroutes; i++) {
    const srv_route *r = &rt->routes[i];
    size_t np = 0;
    int ok = r->nseg == n;
    for (int s = 0; ok && s < n; s++) {
      if (r->segs[s] != NULL)
        ok = strcmp(r->segs[s], segs[s]) == 0;
      else if (segs[s][0] == '\0')
        ok = 0;
    }
    if (!ok) continue;
    if (strcmp(r->method, method) != 0) {
      if (strstr(allow, r->method) == NULL) {
        int w = snprintf(allow + allow_len, allow_cap - allow_len, "%s%s", allow_len ? ", " : "",
                         r->method);
        if (w > 0 && (size_t)w < allow_cap - allow_len) allow_len += (size_t)w;
      }
      continue;
    }
    for (int s = 0; s < n; s++) {
      if (r->segs[s] == NULL) {
        req->param_names[np] = r->caps[s];
        req->param_values[np] = segs[s];
        np++;
      }
    }
    req->n_params = np;
    req->route = r->name;
    return r;
  }
  *code = allow_len ? SRV_EMETHOD : SRV_ENOTFOUND;
  return NULL;
}

void srv_router_free(srv_router *rt) {
  for (int i = 0; i < rt->nroutes; i++) free(rt->routes[i].storage);
  rt->nroutes = 0;
}
