/* router.h — the HTTP server's route table (internal to //servers/common:http; http.c uses it).
 *
 * A route is a method and a path pattern of '/'-separated segments, each a literal or a
 * {capture}; a request matches the first route whose segments all match, and its captures become
 * the request's params. A path that matches some route's pattern but not its method is a 405 with
 * the methods allowed; none at all is a 404. The table is filled before the server listens and
 * only read afterwards, so matching takes no lock. */
#ifndef SRV_ROUTER_H
#define SRV_ROUTER_H

#include <stddef.h>

#include "servers/common/error.h"
#include "servers/common/http.h"
#include "servers/common/request.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRV_ROUTER_MAX_ROUTES 128
#define SRV_ROUTER_MAX_SEGS 16

typedef struct srv_route {
  char method[12];
  char name[160]; /* "POST /mcp/x" */
  int nseg;
  char *segs[SRV_ROUTER_MAX_SEGS]; /* literal segment, or NULL for a capture */
  char *caps[SRV_ROUTER_MAX_SEGS]; /* capture name where segs[i] == NULL */
  char *storage;                   /* one allocation holding the pattern's segments */
  srv_http_fn fn;
  void *ctx;
  unsigned flags;
  srv_op_metrics *op;
} srv_route;

/* Zero-initialised: empty. */
typedef struct srv_router {
  srv_route routes[SRV_ROUTER_MAX_ROUTES];
  int nroutes;
} srv_router;

/* Adds a route (the contract of srv_http_route in http.h): SRV_EINVAL for a bad pattern, too many
 * segments, routes or captures; SRV_ECONFLICT for a method + pattern declared twice;
 * SRV_EINTERNAL when out of memory. */
srv_code srv_router_add(srv_router *rt, const char *method, const char *pattern, srv_http_fn fn,
                        void *ctx, unsigned flags, srv_err *err);

/* Matches method and path, which is split in place (the captures point into it). On a match
 * returns the route and sets req's params and route name; otherwise returns NULL with *code
 * SRV_ENOTFOUND, or SRV_EMETHOD and allow (allow_cap bytes) set to the allowed methods
 * ("GET, POST"). */
const srv_route *srv_router_match(const srv_router *rt, const char *method, char *path,
                                  srv_http_req *req, char *allow, size_t allow_cap, srv_code *code);

/* Frees what the routes hold (not rt itself). */
void srv_router_free(srv_router *rt);

#ifdef __cplusplus
}
#endif

#endif /* SRV_ROUTER_H */
