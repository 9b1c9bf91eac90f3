/* http.c — libmicrohttpd server with routing (the route table is router.c), body limits, request
 * ids, deadlines, a handler worker pool and graceful shutdown (see http.h).
 *
 * Life of a request: MHD calls access_handler first with no data (we allocate a reqctx, match the
 * route, pick the request id and deadline, and refuse an announced oversize body at once), then
 * with body chunks (appended up to the limit; past it, discarded and answered 413), then once with
 * no data. Inline routes are answered right there; the others suspend the connection and go to the
 * worker queue; the worker fills the response and resumes the connection, and MHD calls us once
 * more to queue it. notify_completed frees the reqctx and ends its in-flight count.
 * Assumes MHD >= 0.9.71 (MHD_Result, suspend/resume with internal epoll threads). */
#include "servers/common/http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/buf.h"
#include "models/uuid.h"
#include "servers/common/guard.h"
#include "servers/common/log.h"
#include "servers/common/request.h"
#include "servers/common/router.h"
#include "servers/common/timeutil.h"

#define RID_MAX 128

typedef struct reqctx {
  srv_http *h;
  struct MHD_Connection *conn;
  const srv_route *rt;
  srv_code early; /* not found / method not allowed, or a guard refusal, before the handler */
  char allow[64]; /* Allow header for 405 */
  const char *guard_code; /* error code name of a guard refusal */
  char *guard_msg;        /* its message (malloc'd) */
  mdl_buf body;           /* the request body as received (zeroed: empty) */
  int too_big;
  int state;      /* 0 receiving, 1 with a worker, 2 response ready */
  char *path;     /* copy of the URL path */
  char *pathsegs; /* the path split in place, for captures */
  char method[12];
  char rid[RID_MAX + 1];
  srv_http_req req;
  struct reqctx *next; /* worker queue link */
  srv_http_resp resp;  /* last: not zeroed wholesale (see new_ctx) */
} reqctx;

struct srv_http {
  srv_http_opts opts;
  char bind[64];
  char *allowed_hosts; /* copy of opts.allowed_hosts */
  int port;
  int listen_fd;
  struct MHD_Daemon *d;
  srv_router router;
  srv_op_metrics *op_unmatched;
  atomic_int in_flight;
  atomic_int stopping;
  int stopped;
  /* worker pool */
  pthread_mutex_t qlock;
  pthread_cond_t qcond;
  reqctx *qhead, *qtail;
  int qstop;
  pthread_t *workers;
  unsigned nworkers;
  long test_delay_us; /* TEST_REQUEST_DELAY_US (test-only, see http.h); 0 = off */
};

/* ---- responses ------------------------------------------------------------------------------ */

void srv_http_resp_header(srv_http_resp *resp, const char *name, const char *value) {
  if (resp->n_headers >= SRV_HTTP_MAX_HEADERS) return;
  snprintf(resp->header_names[resp->n_headers], sizeof resp->header_names[0], "%s", name);
  snprintf(resp->header_values[resp->n_headers], sizeof resp->header_values[0], "%s", value);
  resp->n_headers++;
}

void srv_http_resp_json(srv_http_resp *resp, int status, cJSON *body) {
  free(resp->body);
  resp->body = body ? cJSON_PrintUnformatted(body) : NULL;
  resp->body_len = resp->body ? strlen(resp->body) : 0;
  resp->status = status;
  resp->content_type = "application/json";
  cJSON_Delete(body);
}

/* The one error body: {"error":{"code", "message"[, "current_version"]}}. */
static void resp_error(srv_http_resp *resp, srv_code code, const char *code_name,
                       const char *message, long current_version) {
  cJSON *o = cJSON_CreateObject();
  cJSON *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
  if (e != NULL) {
    cJSON_AddStringToObject(e, "code", code_name ? code_name : srv_strerror(code));
    cJSON_AddStringToObject(e, "message", message ? message : "");
    if (current_version > 0) cJSON_AddNumberToObject(e, "current_version", (double)current_version);
  }
  if (code == SRV_OK) code = SRV_EINTERNAL; /* an error answer is never a 200 */
  srv_http_resp_json(resp, srv_code_http_status(code), o);
  resp->code = code;
  snprintf(resp->message, sizeof resp->message, "%s", message ? message : "");
  if (srv_code_is_retry_later(code)) srv_http_resp_header(resp, "Retry-After", "1");
}

void srv_http_resp_error(srv_http_resp *resp, srv_code code, const char *code_name,
                         const char *message) {
  resp_error(resp, code, code_name, message, 0);
}

void srv_http_resp_err(srv_http_resp *resp, const srv_err *err) {
  assert(err != NULL);
  resp_error(resp, err->code, NULL, err->msg, err->current_version);
}

/* Request ids need uniqueness, not secrecy: a per-thread xorshift128+ seeded once from the
 * kernel (models/uuid.h) avoids a getrandom(2) call per request on the hot path. */
static _Thread_local uint64_t t_rng[2];

static uint64_t rng_next(void) {
  uint64_t s1 = t_rng[0];
  const uint64_t s0 = t_rng[1];
  t_rng[0] = s0;
  s1 ^= s1 << 23;
  t_rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
  return t_rng[1] + s0;
}

void srv_http_new_id(char out[37]) {
  unsigned char b[16];
  if (t_rng[0] == 0 && t_rng[1] == 0) {
    char seed[MDL_UUID_LEN];
    uint64_t a = (uint64_t)srv_mono_us(), c = (uint64_t)(uintptr_t)&seed;
    if (mdl_uuid_v4(seed, NULL) == MDL_OK)
      for (size_t i = 0; i < 36; i++) a = (a ^ (unsigned char)seed[i]) * 0x100000001b3ULL, c += a;
    t_rng[0] = a | 1;
    t_rng[1] = c ^ (uint64_t)srv_wall_ms();
  }
  uint64_t x = rng_next(), y = rng_next();
  memcpy(b, &x, 8);
  memcpy(b + 8, &y, 8);
  mdl_uuid_v4_format(b, out);
}

const char *srv_http_header(const srv_http_req *req, const char *name) {
  return MHD_lookup_connection_value((struct MHD_Connection *)req->conn_, MHD_HEADER_KIND, name);
}

const char *srv_http_param(const srv_http_req *req, const char *name) {
  for (size_t i = 0; i < req->n_params; i++)
    if (strcmp(req->param_names[i], name) == 0) return req->param_values[i];
  return NULL;
}

static enum MHD_Result send_response(reqctx *rc) {
  srv_http_resp *r = &rc->resp;
  struct MHD_Response *mr;
  enum MHD_Result ok;
  srv_request_done done;
  const char *op;
  if (r->status == 0) {
    srv_http_resp_error(r, SRV_EINTERNAL, NULL, "the handler produced no response");
  }
  mr = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (void *)"",
                                       r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (mr == NULL) return MHD_NO;
  r->body = NULL; /* MHD owns it now */
  if (r->body_len > 0 || r->status != 204)
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/json");
  MHD_add_response_header(mr, "X-Request-Id", rc->rid);
  for (size_t i = 0; i < r->n_headers; i++)
    MHD_add_response_header(mr, r->header_names[i], r->header_values[i]);
  if (atomic_load(&rc->h->stopping))
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
  ok = MHD_queue_response(rc->conn, (unsigned)r->status, mr);
  MHD_destroy_response(mr);

  op = r->operation[0] ? r->operation : (rc->rt ? rc->rt->name : "unmatched");
  memset(&done, 0, sizeof done);
  done.request_id = rc->rid;
  done.operation = op;
  done.method = rc->method;
  done.path = rc->path;
  done.transport = "http";
  done.status = r->status;
  done.code = r->code;
  if (done.code == SRV_OK && r->status >= 400)
    done.code = r->status >= 500 ? SRV_EINTERNAL : SRV_EINVAL;
  done.message = r->message[0] ? r->message : NULL;
  done.latency_us = srv_mono_us() - rc->req.start_us;
  srv_request_observe(rc->rt ? rc->rt->op : rc->h->op_unmatched, &done);
  return ok;
}

/* ---- routing (the table is router.c) -------------------------------------------------------- */

srv_code srv_http_route(srv_http *h, const char *method, const char *pattern, srv_http_fn fn,
                        void *ctx, unsigned flags, srv_err *err) {
  assert(h != NULL && method != NULL && pattern != NULL && fn != NULL);
  return srv_router_add(&h->router, method, pattern, fn, ctx, flags, err);
}

/* Matches rc->path; sets rc->rt and the captures, or early (SRV_ENOTFOUND / SRV_EMETHOD). */
static void match_route(reqctx *rc) {
  srv_code code = SRV_OK;
  rc->rt = srv_router_match(&rc->h->router, rc->method, rc->pathsegs, &rc->req, rc->allow,
                            sizeof rc->allow, &code);
  if (rc->rt == NULL) rc->early = code;
}

/* ---- worker pool ---------------------------------------------------------------------------- */

static void *worker_main(void *arg) {
  srv_http *h = arg;
  for (;;) {
    reqctx *rc;
    pthread_mutex_lock(&h->qlock);
    while (h->qhead == NULL && !h->qstop) pthread_cond_wait(&h->qcond, &h->qlock);
    rc = h->qhead;
    if (rc == NULL) {
      pthread_mutex_unlock(&h->qlock);
      return NULL;
    }
    h->qhead = rc->next;
    if (h->qhead == NULL) h->qtail = NULL;
    pthread_mutex_unlock(&h->qlock);
    if (h->qstop) {
      srv_http_resp_error(&rc->resp, SRV_EUNAVAIL, "shutting_down",
                          "the server is shutting down; retry later");
    } else {
      if (h->test_delay_us > 0) {
        struct timespec ts = {h->test_delay_us / 1000000, (h->test_delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
      }
      rc->rt->fn(rc->rt->ctx, &rc->req, &rc->resp);
    }
    rc->state = 2;
    MHD_resume_connection(rc->conn);
  }
}

static void enqueue(srv_http *h, reqctx *rc) {
  pthread_mutex_lock(&h->qlock);
  rc->next = NULL;
  if (h->qtail)
    h->qtail->next = rc;
  else
    h->qhead = rc;
  h->qtail = rc;
  pthread_cond_signal(&h->qcond);
  pthread_mutex_unlock(&h->qlock);
}

/* ---- MHD callbacks -------------------------------------------------------------------------- */

static int rid_ok(const char *s) {
  size_t n = 0;
  if (s == NULL) return 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (n >= RID_MAX) return 0;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == ':'))
      return 0;
  }
  return n > 0;
}

/* The browser-facing checks of guard.h, for every request whatever its route: a refusal becomes
 * early (answered once the request is complete, its body discarded unread). Returns 1
 * when the request is refused. */
static int guard(reqctx *rc, const char *content_length) {
  struct MHD_Connection *c = rc->conn;
  char msg[400];
  const char *code = NULL;
  srv_guard g;
  int has_body =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
  if (content_length != NULL) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(content_length, &end, 10);
    has_body |= errno != 0 || end == content_length || v > 0;
  }
  g.port = rc->h->port;
  g.bind_addr = rc->h->bind;
  g.allowed_hosts = rc->h->allowed_hosts;
  srv_code refused = srv_guard_check(
      &g, rc->method, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE), has_body,
      &code, msg, sizeof msg);
  if (refused == SRV_OK) return 0;
  rc->early = refused;
  rc->guard_code = code;
  rc->guard_msg = strdup(msg);
  return 1;
}

static reqctx *new_ctx(srv_http *h, struct MHD_Connection *c, const char *url, const char *method) {
  /* Zero everything before the response, whose big header and message arrays only need their
   * counters and first bytes cleared (this runs once per request, /health included). */
  reqctx *rc = malloc(sizeof *rc);
  const char *rid, *cl;
  if (rc == NULL) return NULL;
  memset(rc, 0, offsetof(reqctx, resp));
  rc->resp.status = 0;
  rc->resp.body = NULL;
  rc->resp.body_len = 0;
  rc->resp.content_type = NULL;
  rc->resp.n_headers = 0;
  rc->resp.operation[0] = '\0';
  rc->resp.code = SRV_OK;
  rc->resp.message[0] = '\0';
  rc->next = NULL;
  rc->h = h;
  rc->conn = c;
  rc->path = strdup(url ? url : "/");
  rc->pathsegs = strdup(url ? url : "/");
  if (rc->path == NULL || rc->pathsegs == NULL) {
    free(rc->path);
    free(rc->pathsegs);
    free(rc);
    return NULL;
  }
  snprintf(rc->method, sizeof rc->method, "%s", method);
  rc->req.start_us = srv_mono_us();
  rc->req.deadline_ms = rc->req.start_us / 1000 + h->opts.request_timeout_ms;
  rid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
  if (rid_ok(rid))
    snprintf(rc->rid, sizeof rc->rid, "%s", rid);
  else
    srv_http_new_id(rc->rid);
  rc->req.method = rc->method;
  rc->req.path = rc->path;
  rc->req.request_id = rc->rid;
  rc->req.conn_ = c;
  cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  match_route(rc);
  if (guard(rc, cl)) return rc;
  if (cl != NULL && rc->early == SRV_OK) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    if (errno == 0 && end != cl && v > h->opts.max_body) rc->too_big = 1;
  }
  return rc;
}

static enum MHD_Result answer_early(reqctx *rc) {
  char msg[256];
  if (rc->guard_code != NULL) {
    srv_http_resp_error(&rc->resp, rc->early, rc->guard_code,
                        rc->guard_msg ? rc->guard_msg : "request refused");
  } else if (rc->too_big) {
    snprintf(msg, sizeof msg, "request body is larger than the limit of %zu bytes",
             rc->h->opts.max_body);
    srv_http_resp_error(&rc->resp, SRV_ETOOBIG, NULL, msg);
  } else if (rc->early == SRV_EMETHOD) {
    snprintf(msg, sizeof msg, "method %s is not allowed on %s (allowed: %s)", rc->method, rc->path,
             rc->allow);
    srv_http_resp_error(&rc->resp, SRV_EMETHOD, NULL, msg);
    srv_http_resp_header(&rc->resp, MHD_HTTP_HEADER_ALLOW, rc->allow);
  } else {
    snprintf(msg, sizeof msg, "no route for %s %s", rc->method, rc->path);
    srv_http_resp_error(&rc->resp, SRV_ENOTFOUND, NULL, msg);
  }
  rc->state = 2;
  return send_response(rc);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls) {
  srv_http *h = cls;
  reqctx *rc = *con_cls;
  if (rc == NULL) {
    rc = new_ctx(h, c, url, method);
    if (rc == NULL) return MHD_NO;
    *con_cls = rc;
    atomic_fetch_add(&h->in_flight, 1);
    /* An announced oversize body is refused before it is read (MHD then closes). Unknown routes
     * are answered once the request is complete, so the connection stays usable. */
    if (rc->too_big) return answer_early(rc);
    return MHD_YES;
  }
  if (rc->state == 2) return send_response(rc);
  if (rc->state == 1) return MHD_YES; /* spurious call while suspended */
  if (*upload_data_size > 0) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (rc->early != SRV_OK) return MHD_YES; /* refused or unrouted: the body is not needed */
    if (rc->too_big || rc->body.len + n > h->opts.max_body) {
      rc->too_big = 1;
      return MHD_YES;
    }
    return mdl_buf_add(&rc->body, upload_data, n) == MDL_OK ? MHD_YES : MHD_NO;
  }
  /* The whole request is here. */
  if (rc->too_big || rc->early != SRV_OK) return answer_early(rc);
  rc->req.body = rc->body.data ? rc->body.data : "";
  rc->req.body_len = rc->body.len;
  if (rc->rt->flags & SRV_HTTP_INLINE) {
    rc->rt->fn(rc->rt->ctx, &rc->req, &rc->resp);
    rc->state = 2;
    return send_response(rc);
  }
  rc->state = 1;
  MHD_suspend_connection(c);
  enqueue(h, rc);
  return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  srv_http *h = cls;
  reqctx *rc = *con_cls;
  if (rc == NULL) return;
  *con_cls = NULL;
  free(rc->resp.body);
  mdl_buf_free(&rc->body);
  free(rc->guard_msg);
  free(rc->path);
  free(rc->pathsegs);
  free(rc);
  atomic_fetch_sub(&h->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
  char buf[512];
  size_t n;
  vsnprintf(buf, sizeof buf, fmt, ap);
  n = strlen(buf);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
  srv_log_event(SRV_LOG_WARN, "http_server", "libmicrohttpd: %s", buf);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

srv_code srv_http_new(const srv_http_opts *opts, srv_http **out, srv_err *err) {
  srv_http *h;
  assert(opts != NULL && out != NULL);
  *out = NULL;
  h = calloc(1, sizeof *h);
  if (h == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  h->opts = *opts;
  snprintf(h->bind, sizeof h->bind, "%s", opts->bind_addr ? opts->bind_addr : "127.0.0.1");
  h->opts.bind_addr = h->bind;
  if (opts->allowed_hosts != NULL && opts->allowed_hosts[0] != '\0') {
    h->allowed_hosts = strdup(opts->allowed_hosts);
    if (h->allowed_hosts == NULL) {
      free(h);
      return srv_err_set(err, SRV_EINTERNAL, "out of memory");
    }
  }
  h->opts.allowed_hosts = h->allowed_hosts;
  if (h->opts.io_threads == 0) h->opts.io_threads = 4;
  if (h->opts.workers == 0) h->opts.workers = 64;
  if (h->opts.max_body == 0) h->opts.max_body = (size_t)1024 * 1024;
  if (h->opts.request_timeout_ms <= 0) h->opts.request_timeout_ms = 30000;
  const char *delay = getenv("TEST_REQUEST_DELAY_US"); /* test-only knob (http.h) */
  if (delay != NULL && delay[0] != '\0') {
    char *end;
    errno = 0;
    long v = strtol(delay, &end, 10);
    if (errno != 0 || end == delay || *end != '\0' || v < 0 || v > 1000000) {
      free(h->allowed_hosts);
      free(h);
      return srv_err_set(err, SRV_EINVAL,
                         "TEST_REQUEST_DELAY_US must be 0-1000000 (microseconds; a test-only "
                         "knob, unset it), got '%s'",
                         delay);
    }
    h->test_delay_us = v;
    if (v > 0)
      srv_log_event(SRV_LOG_WARN, "http_server",
                    "TEST_REQUEST_DELAY_US=%ld: every worker-pool request is delayed by %ld us "
                    "(a test-only knob: never set it outside tests)",
                    v, v);
  }
  h->port = opts->port;
  h->listen_fd = -1;
  pthread_mutex_init(&h->qlock, NULL);
  pthread_cond_init(&h->qcond, NULL);
  *out = h;
  return SRV_OK;
}

static srv_code open_listener(srv_http *h, srv_err *err) {
  struct sockaddr_storage ss;
  socklen_t sl;
  int fd = -1, one = 1, family;
  srv_code rc = SRV_OK;
  memset(&ss, 0, sizeof ss);
  if (inet_pton(AF_INET, h->bind, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)h->port);
    sl = sizeof *a;
  } else if (inet_pton(AF_INET6, h->bind, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)h->port);
    sl = sizeof *a;
  } else {
    return srv_err_set(err, SRV_EINVAL, "bind address '%s' is not an IPv4 or IPv6 literal",
                       h->bind);
  }
  family = ss.ss_family;
  fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    rc = srv_err_set(err, SRV_EIO, "socket(): %s", strerror(errno));
    goto cleanup;
  }
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
    int e = errno;
    rc = srv_err_set(err, e == EADDRINUSE ? SRV_ECONFLICT : SRV_EIO, "cannot bind %s:%d: %s",
                     h->bind, h->port, strerror(e));
    goto cleanup;
  }
  if (listen(fd, 1024) != 0) {
    int e = errno;
    rc = srv_err_set(err, e == EADDRINUSE ? SRV_ECONFLICT : SRV_EIO, "cannot listen on %s:%d: %s",
                     h->bind, h->port, strerror(e));
    goto cleanup;
  }
  sl = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
    h->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                      : ((struct sockaddr_in6 *)&ss)->sin6_port);
  h->listen_fd = fd;
  fd = -1;
cleanup:
  if (fd >= 0) close(fd);
  return rc;
}

srv_code srv_http_listen(srv_http *h, srv_err *err) {
  srv_code rc;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
  assert(h != NULL && h->d == NULL);
  h->op_unmatched = srv_request_op("unmatched");
  rc = open_listener(h, err);
  if (rc != SRV_OK) return rc;
  h->workers = calloc(h->opts.workers, sizeof *h->workers);
  if (h->workers == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  for (unsigned i = 0; i < h->opts.workers; i++) {
    if (pthread_create(&h->workers[i], NULL, worker_main, h) != 0) {
      rc = srv_err_set(err, SRV_EINTERNAL, "cannot start worker thread %u", i);
      return rc; /* srv_http_free stops the ones started */
    }
    h->nworkers++;
  }
  h->d =
      MHD_start_daemon(flags, 0, NULL, NULL, access_handler, h, /* logger first: see MHD */
                       MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
                       h->listen_fd, MHD_OPTION_THREAD_POOL_SIZE, h->opts.io_threads,
                       MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_CONNECTION_TIMEOUT,
                       (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_END);
  if (h->d == NULL)
    return srv_err_set(err, SRV_EIO, "libmicrohttpd could not start on %s:%d", h->bind, h->port);
  return SRV_OK;
}

int srv_http_port(const srv_http *h) {
  return h->port;
}

int srv_http_in_flight(const srv_http *h) {
  return atomic_load(&((srv_http *)h)->in_flight);
}

static void stop_workers(srv_http *h) {
  pthread_mutex_lock(&h->qlock);
  h->qstop = 1;
  pthread_cond_broadcast(&h->qcond);
  pthread_mutex_unlock(&h->qlock);
  for (unsigned i = 0; i < h->nworkers; i++) pthread_join(h->workers[i], NULL);
  h->nworkers = 0;
}

int srv_http_stop(srv_http *h, int64_t grace_ms) {
  int left = 0;
  int64_t until;
  if (h == NULL || h->stopped) return 0;
  h->stopped = 1;
  atomic_store(&h->stopping, 1);
  if (h->d != NULL) {
    MHD_socket fd = MHD_quiesce_daemon(h->d);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    h->listen_fd = -1;
    until = srv_mono_ms() + grace_ms;
    while (atomic_load(&h->in_flight) > 0 && srv_mono_ms() < until) srv_sleep_ms(5);
    left = atomic_load(&h->in_flight);
  }
  stop_workers(h); /* queued requests get 503; running handlers finish (they honour deadlines) */
  if (h->d != NULL) {
    /* Let MHD send what the workers just resumed, briefly, then stop. */
    until = srv_mono_ms() + 200;
    while (atomic_load(&h->in_flight) > 0 && srv_mono_ms() < until) srv_sleep_ms(5);
    MHD_stop_daemon(h->d);
    h->d = NULL;
  }
  if (h->listen_fd >= 0) close(h->listen_fd);
  h->listen_fd = -1;
  return left;
}

void srv_http_free(srv_http *h) {
  if (h == NULL) return;
  srv_http_stop(h, 0);
  srv_router_free(&h->router);
  free(h->allowed_hosts);
  free(h->workers);
  pthread_mutex_destroy(&h->qlock);
  pthread_cond_destroy(&h->qcond);
  free(h);
}
