/* app.c — srv_main: configuration, migrations, schema check, pool, HTTP or stdio, shutdown
 * (see app.h for the behaviour and exit codes).
 *
 * Signals: SIGTERM and SIGINT are blocked in every thread before the first thread starts, and the
 * main thread takes them synchronously (sigwait in HTTP mode, a signalfd in stdio mode), so no
 * code runs in signal-handler context. SIGPIPE is ignored (a client that hangs up is an EPIPE). */
#include "servers/common/app.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "servers/common/health.h"
#include "servers/common/http.h"
#include "servers/common/log.h"
#include "servers/common/mcp.h"
#include "servers/common/mcp_http.h"
#include "servers/common/mcp_stdio.h"
#include "servers/common/portcheck.h"
#include "servers/common/request.h"
#include "servers/common/session.h"
#include "servers/common/timeutil.h"

typedef struct rest_route {
  srv_app *app;
  const srv_tool *tool;
} rest_route;

struct srv_app {
  const srv_app_def *def;
  srv_config cfg;
  srv_metrics *metrics;
  srv_pool *pool;
  srv_tools *tools;
  void *user;
  int64_t start_ms;
  srv_mcp mcp;
  srv_sessions *sessions;
  srv_mcp_endpoint endpoint;
  rest_route *rest;
  size_t n_rest;
  /* deferred schema check (database down at start) */
  pthread_t schema_thread;
  int schema_thread_started;
  atomic_int stop_schema_thread;
  atomic_int exit_code;
};

srv_pool *srv_app_pool(srv_app *app) {
  return app->pool;
}
const srv_config *srv_app_config(srv_app *app) {
  return &app->cfg;
}
void *srv_app_user(srv_app *app) {
  return app->user;
}
srv_metrics *srv_app_metrics(srv_app *app) {
  return app->metrics;
}
const srv_app_def *srv_app_def_of(srv_app *app) {
  return app->def;
}

/* ---- HTTP handlers -------------------------------------------------------------------------- */

/* /health renders HealthCheckResponse through //models (validated, so never malformed), which
 * costs more than the rest of the request. Each I/O thread keeps its last rendering for
 * HEALTH_CACHE_US: under load most requests copy ~400 bytes instead of rendering, and the
 * answer is never older than that (the pool's own view refreshes once a second anyway). */
#define HEALTH_CACHE_US 10000
static _Thread_local struct {
  int64_t expires_us;
  int status;
  size_t len;
  char body[1024];
} t_health;

static void health_handler(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  srv_app *app = ctx;
  cJSON *body = NULL;
  int status = 503;
  srv_err err;
  int64_t now = srv_mono_us();
  double up = ((double)now / 1000.0 - (double)app->start_ms) / 1000.0;
  if (now >= t_health.expires_us) {
    if (srv_health_render(app->pool, up, &body, &status, &err) != SRV_OK) {
      srv_http_resp_error(resp, SRV_EINTERNAL, NULL, err.msg);
      return;
    }
    srv_http_resp_json(resp, status, body);
    if (resp->body != NULL && resp->body_len < sizeof t_health.body) {
      memcpy(t_health.body, resp->body, resp->body_len);
      t_health.len = resp->body_len;
      t_health.status = status;
      t_health.expires_us = now + HEALTH_CACHE_US;
    }
  } else {
    resp->body = malloc(t_health.len + 1);
    if (resp->body == NULL) {
      srv_http_resp_error(resp, SRV_EINTERNAL, NULL, "out of memory");
      return;
    }
    memcpy(resp->body, t_health.body, t_health.len);
    resp->body[t_health.len] = '\0';
    resp->body_len = t_health.len;
    resp->status = status = t_health.status;
    resp->content_type = "application/json";
  }
  if (status >= 500) {
    resp->code = SRV_EUNAVAIL;
    snprintf(resp->message, sizeof resp->message, "unhealthy");
  }
}

static void metrics_handler(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  srv_app *app = ctx;
  const char *accept = srv_http_header(req, "Accept");
  srv_err err;
  if (accept != NULL && strstr(accept, "application/json") != NULL) {
    cJSON *j = NULL;
    if (srv_metrics_render_json(app->metrics, &j, &err) != SRV_OK) {
      srv_http_resp_error(resp, SRV_EINTERNAL, NULL, err.msg);
      return;
    }
    srv_http_resp_json(resp, 200, j);
    return;
  }
  char *text = NULL;
  size_t len = 0;
  if (srv_metrics_render_prometheus(app->metrics, &text, &len, &err) != SRV_OK) {
    srv_http_resp_error(resp, SRV_EINTERNAL, NULL, err.msg);
    return;
  }
  resp->status = 200;
  resp->body = text;
  resp->body_len = len;
  resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* POST /mcp/<tool> and the extra routes: body = arguments, {x} segments = string arguments. */
static void rest_handler(void *ctx, const srv_http_req *req, srv_http_resp *resp) {
  rest_route *rr = ctx;
  srv_app *app = rr->app;
  cJSON *args = NULL, *out = NULL;
  srv_call call;
  srv_err err;
  srv_code rc;
  size_t k = 0;
  snprintf(resp->operation, sizeof resp->operation, "%s", rr->tool->name);
  while (k < req->body_len && (req->body[k] == ' ' || req->body[k] == '\n' ||
                               req->body[k] == '\r' || req->body[k] == '\t'))
    k++;
  if (k == req->body_len) {
    args = cJSON_CreateObject();
  } else if (srv_rpc_parse(req->body, req->body_len, &args, &err) != SRV_OK) {
    srv_http_resp_error(resp, SRV_EINVAL, "invalid_json", err.msg);
    goto cleanup;
  } else if (!cJSON_IsObject(args)) {
    srv_http_resp_error(resp, SRV_EINVAL, NULL,
                        "the request body must be a JSON object of tool arguments");
    goto cleanup;
  }
  if (args == NULL) {
    srv_http_resp_error(resp, SRV_EINTERNAL, NULL, "out of memory");
    goto cleanup;
  }
  for (size_t i = 0; i < req->n_params; i++) {
    cJSON_DeleteItemFromObjectCaseSensitive(args, req->param_names[i]);
    cJSON_AddStringToObject(args, req->param_names[i], req->param_values[i]);
  }
  memset(&call, 0, sizeof call);
  call.request_id = req->request_id;
  call.deadline_ms = req->deadline_ms;
  call.user = app->user;
  call.pool = app->pool;
  call.app = app;
  call.transport = "http";
  srv_err_clear(&err);
  rc = srv_tools_invoke(app->tools, rr->tool->name, &call, args, &out, NULL, &err);
  if (rc != SRV_OK) {
    err.code = rc;
    srv_http_resp_err(resp, &err);
    goto cleanup;
  }
  srv_http_resp_json(resp, call.http_status ? call.http_status : 200, out);
  out = NULL;
cleanup:
  cJSON_Delete(out);
  cJSON_Delete(args);
}

/* ---- schema --------------------------------------------------------------------------------- */

static void pool_config(const srv_app *app, srv_pool_config *pc) {
  memset(pc, 0, sizeof *pc);
  pc->conninfo = app->cfg.database_url;
  pc->min_size = app->cfg.pool_min;
  pc->max_size = app->cfg.pool_max;
  pc->application_name = app->def->name;
}

/* SRV_OK: schema current; SRV_EINVAL: mismatch (err has the migrate message); SRV_EUNAVAIL:
 * database not reachable. */
static srv_code check_schema(srv_app *app, srv_err *err) {
  srv_pool_config pc;
  PGconn *c = NULL;
  srv_code rc;
  pool_config(app, &pc);
  rc = srv_pool_connect_once(&pc, &c, err);
  if (rc != SRV_OK) return rc == SRV_EINVAL ? SRV_EINTERNAL : SRV_EUNAVAIL;
  rc =
      srv_migrate_check(c, app->def->migrations, app->def->n_migrations, app->def->name, NULL, err);
  PQfinish(c);
  return rc;
}

static void *schema_watch(void *arg) {
  srv_app *app = arg;
  while (!atomic_load(&app->stop_schema_thread)) {
    srv_err err;
    srv_code rc = check_schema(app, &err);
    if (rc == SRV_OK) {
      srv_log_event(SRV_LOG_INFO, "schema_check", "database reachable; schema is current");
      return NULL;
    }
    if (rc == SRV_EINVAL) {
      srv_log_event(SRV_LOG_ERROR, "schema_check", "%s", err.msg);
      fprintf(stderr, "%s: %s\n", app->def->name, err.msg);
      atomic_store(&app->exit_code, SRV_EXIT_SCHEMA);
      kill(getpid(), SIGTERM);
      return NULL;
    }
    for (int i = 0; i < 10 && !atomic_load(&app->stop_schema_thread); i++) srv_sleep_ms(100);
  }
  return NULL;
}

/* ---- start-up pieces ------------------------------------------------------------------------ */

static srv_code setup_metrics_and_tools(srv_app *app, srv_err *err) {
  char prefix[64];
  srv_code rc;
  snprintf(prefix, sizeof prefix, "%s_", app->def->metric_prefix ? app->def->metric_prefix : "mcp");
  rc = srv_metrics_create(prefix, &app->metrics, err);
  if (rc != SRV_OK) return rc;
  rc = srv_metrics_add_process(app->metrics, app->start_ms, err);
  if (rc != SRV_OK) return rc;
  srv_request_init(app->metrics);
  rc = srv_tools_new(app->def->tools, app->def->n_tools, &app->tools, err);
  if (rc != SRV_OK) return rc;
  for (size_t i = 0; i < app->def->n_tools; i++) srv_request_add_tool(app->def->tools[i].name);
  app->mcp.name = app->def->name;
  app->mcp.version = app->def->version ? app->def->version : "0.0.0";
  app->mcp.tools = app->tools;
  app->mcp.instructions = app->def->instructions;
  return SRV_OK;
}

static srv_code add_routes(srv_app *app, srv_http *h, srv_err *err) {
  srv_code rc;
  size_t n = app->def->n_tools + app->def->n_routes;
  app->rest = calloc(n ? n : 1, sizeof *app->rest);
  if (app->rest == NULL) return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  if ((rc = srv_http_route(h, "GET", "/health", health_handler, app, SRV_HTTP_INLINE, err)) ||
      (rc = srv_http_route(h, "GET", "/metrics", metrics_handler, app, SRV_HTTP_INLINE, err)))
    return rc;
  rc = srv_sessions_new(0, 0, &app->sessions, err);
  if (rc != SRV_OK) return rc;
  app->endpoint.mcp = &app->mcp;
  app->endpoint.sessions = app->sessions;
  app->endpoint.user = app->user;
  app->endpoint.pool = app->pool;
  app->endpoint.app = app;
  if ((rc = srv_mcp_endpoint_mount(h, &app->endpoint, err)) != SRV_OK) return rc;
  for (size_t i = 0; i < app->def->n_tools; i++) {
    char pattern[160];
    rest_route *rr = &app->rest[app->n_rest++];
    rr->app = app;
    rr->tool = &app->def->tools[i];
    snprintf(pattern, sizeof pattern, "/mcp/%s", rr->tool->name);
    if ((rc = srv_http_route(h, "POST", pattern, rest_handler, rr, 0, err)) != SRV_OK) return rc;
  }
  for (size_t i = 0; i < app->def->n_routes; i++) {
    const srv_route *r = &app->def->routes[i];
    rest_route *rr = &app->rest[app->n_rest++];
    rr->app = app;
    rr->tool = srv_tools_find(app->tools, r->tool_name);
    if (rr->tool == NULL)
      return srv_err_set(err, SRV_EINVAL, "route %s %s names unknown tool %s", r->method,
                         r->pattern, r->tool_name);
    if ((rc = srv_http_route(h, r->method, r->pattern, rest_handler, rr, 0, err)) != SRV_OK)
      return rc;
  }
  return SRV_OK;
}

static int run_migrate(srv_app *app) {
  srv_pool_config pc;
  PGconn *c = NULL;
  srv_err err;
  int current = 0, rc = SRV_EXIT_FAILURE;
  pool_config(app, &pc);
  if (srv_pool_connect_once(&pc, &c, &err) != SRV_OK) {
    fprintf(stderr, "%s migrate: cannot connect to the database: %s\n", app->def->name, err.msg);
    goto cleanup;
  }
  if (srv_migrate_apply(c, app->def->migrations, app->def->n_migrations, &err) != SRV_OK) {
    fprintf(stderr, "%s migrate: %s\n", app->def->name, err.msg);
    goto cleanup;
  }
  if (srv_migrate_check(c, app->def->migrations, app->def->n_migrations, app->def->name, &current,
                        &err) != SRV_OK) {
    fprintf(stderr, "%s migrate: %s\n", app->def->name, err.msg);
    goto cleanup;
  }
  fprintf(stderr, "%s migrate: schema is at version %d\n", app->def->name, current);
  rc = SRV_EXIT_OK;
cleanup:
  if (c != NULL) PQfinish(c);
  return rc;
}

static int serve_stdio(srv_app *app, const sigset_t *sigs) {
  srv_stdio_opts o;
  srv_err err;
  int sfd = signalfd(-1, sigs, SFD_CLOEXEC);
  memset(&o, 0, sizeof o);
  o.in_fd = 0;
  o.out_fd = 1;
  o.stop_fd = sfd;
  o.max_line = app->cfg.body_limit_bytes;
  o.request_timeout_ms = app->cfg.request_timeout_ms;
  o.user = app->user;
  o.pool = app->pool;
  o.app = app;
  srv_log_event(SRV_LOG_INFO, "server_started", "%s serving MCP on stdio", app->def->name);
  srv_code rc = srv_stdio_serve(&app->mcp, &o, &err);
  if (sfd >= 0) close(sfd);
  if (rc != SRV_OK) {
    srv_log_event(SRV_LOG_ERROR, "stdio", "%s", err.msg);
    return SRV_EXIT_FAILURE;
  }
  return SRV_EXIT_OK;
}

static int serve_http(srv_app *app, const sigset_t *sigs) {
  srv_http_opts ho;
  srv_http *h = NULL;
  srv_err err;
  int sig = 0, rc = SRV_EXIT_FAILURE, left;
  memset(&ho, 0, sizeof ho);
  ho.bind_addr = app->cfg.bind;
  ho.port = app->cfg.port;
  ho.max_body = app->cfg.body_limit_bytes;
  ho.request_timeout_ms = app->cfg.request_timeout_ms;
  ho.io_threads = (unsigned)app->cfg.http_threads;
  ho.workers = (unsigned)app->cfg.http_workers;
  ho.allowed_hosts = app->cfg.allowed_hosts;
  if (srv_http_new(&ho, &h, &err) != SRV_OK || add_routes(app, h, &err) != SRV_OK) {
    fprintf(stderr, "%s: %s\n", app->def->name, err.msg);
    goto cleanup;
  }
  srv_code lr = srv_http_listen(h, &err);
  if (lr == SRV_ECONFLICT) {
    char line[512];
    srv_port_conflict_message(app->cfg.port, line, sizeof line);
    fprintf(stderr, "%s: %s\n", app->def->name, line);
    rc = SRV_EXIT_PORT_IN_USE;
    goto cleanup;
  }
  if (lr != SRV_OK) {
    fprintf(stderr, "%s: %s\n", app->def->name, err.msg);
    goto cleanup;
  }
  srv_log_event(SRV_LOG_INFO, "server_started", "%s listening on http://%s:%d", app->def->name,
                app->cfg.bind, srv_http_port(h));
  while (sigwait(sigs, &sig) != 0) {
  }
  srv_log_event(SRV_LOG_INFO, "server_stopping",
                "signal %d: no new connections; finishing %d request(s) in flight", sig,
                srv_http_in_flight(h));
  left = srv_http_stop(h, app->cfg.request_timeout_ms + 1000);
  srv_log_event(left ? SRV_LOG_WARN : SRV_LOG_INFO, "server_stopped",
                "HTTP server stopped; %d request(s) were cut off", left);
  rc = atomic_load(&app->exit_code);
cleanup:
  srv_http_free(h);
  return rc;
}

/* Two malloc arenas per core instead of glibc's eight. Each thread that allocates gets an arena,
 * and an indexing job starts new worker threads: with the default cap an idle codebase-mcp grew
 * from 14 MB to 50 MB over seven 10,000-file jobs (peaks 28 -> 66 MB), arenas keeping a few MB
 * each even after malloc_trim. On 2 cores, measured: 2 arenas settled at ~20 MB but cost /health
 * ~10% more CPU per request (median 23.5 us against 21.1 us with 16; arena lock contention);
 * 4 arenas settled at ~31 MB after five jobs (peak 39 MB) at 21.2 us. MALLOC_ARENA_MAX, when
 * set, still wins. */
static void cap_malloc_arenas(void) {
  const char *env = getenv("MALLOC_ARENA_MAX");
  if (env != NULL && *env != '\0') return;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  mallopt(M_ARENA_MAX, ncpu < 1 ? 2 : (int)(2 * ncpu));
}

int srv_main(const srv_app_def *def, int argc, char **argv) {
  srv_app app;
  srv_config_defaults cd;
  srv_log_config lc;
  srv_pool_config pc;
  srv_err err;
  sigset_t sigs;
  int rc = SRV_EXIT_FAILURE, user_ready = 0;
  srv_code sc;

  cap_malloc_arenas();
  memset(&app, 0, sizeof app);
  app.def = def;
  app.start_ms = srv_mono_ms();
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  memset(&cd, 0, sizeof cd);
  cd.server_name = def->name;
  cd.description = def->description;
  cd.default_port = def->default_port;
  cd.pool_min = def->pool_min;
  cd.pool_max = def->pool_max;
  if (srv_config_load(&cd, argc, argv, &app.cfg, &err) != SRV_OK) {
    fprintf(stderr, "%s: %s\n", def->name, err.msg);
    return SRV_EXIT_FAILURE;
  }
  if (app.cfg.subcommand == SRV_CMD_HELP) {
    srv_config_usage(&cd, stdout);
    return SRV_EXIT_OK;
  }
  memset(&lc, 0, sizeof lc);
  lc.server_id = def->name;
  lc.file_path = app.cfg.log_file[0] ? app.cfg.log_file : NULL;
  lc.also_stderr = app.cfg.log_file[0] == '\0';
  lc.min_level = app.cfg.log_level;
  if (srv_log_init(&lc, &err) != SRV_OK) {
    fprintf(stderr, "%s: %s\n", def->name, err.msg);
    return SRV_EXIT_FAILURE;
  }
  if (app.cfg.subcommand == SRV_CMD_MIGRATE) {
    rc = run_migrate(&app);
    goto cleanup;
  }
  if (setup_metrics_and_tools(&app, &err) != SRV_OK) {
    fprintf(stderr, "%s: %s\n", def->name, err.msg);
    goto cleanup;
  }
  sc = check_schema(&app, &err);
  if (sc == SRV_EINVAL) {
    fprintf(stderr, "%s: %s\n", def->name, err.msg);
    rc = SRV_EXIT_SCHEMA;
    goto cleanup;
  }
  if (sc != SRV_OK) {
    srv_log_event(SRV_LOG_WARN, "schema_check",
                  "database not reachable at start (%s); serving as unhealthy and checking the "
                  "schema as soon as it answers",
                  err.msg);
    if (pthread_create(&app.schema_thread, NULL, schema_watch, &app) == 0)
      app.schema_thread_started = 1;
  }
  pool_config(&app, &pc);
  /* Unreachable a moment ago: do not wait out another connect timeout before serving. */
  char unreachable[sizeof err.msg];
  snprintf(unreachable, sizeof unreachable, "%s", err.msg);
  if (sc != SRV_OK) pc.known_unreachable = unreachable;
  if (srv_pool_create(&pc, &app.pool, &err) != SRV_OK) {
    fprintf(stderr, "%s: %s\n", def->name, err.msg);
    goto cleanup;
  }
  if (srv_pool_register_metrics(app.pool, app.metrics, &err) != SRV_OK)
    srv_log_event(SRV_LOG_WARN, "metrics", "pool metrics unavailable: %s", err.msg);
  if (def->init != NULL) {
    if (def->init(&app, &app.user, &err) != SRV_OK) {
      fprintf(stderr, "%s: start-up failed: %s\n", def->name, err.msg);
      goto cleanup;
    }
  }
  user_ready = 1;
  rc = app.cfg.stdio ? serve_stdio(&app, &sigs) : serve_http(&app, &sigs);
cleanup:
  if (app.schema_thread_started) {
    atomic_store(&app.stop_schema_thread, 1);
    pthread_join(app.schema_thread, NULL);
  }
  if (user_ready && def->fini != NULL) def->fini(app.user);
  srv_pool_destroy(app.pool);
  srv_sessions_free(app.sessions);
  free(app.rest);
  srv_tools_free(app.tools);
  srv_request_shutdown();
  srv_metrics_destroy(app.metrics);
  if (app.cfg.subcommand != SRV_CMD_MIGRATE)
    srv_log_event(SRV_LOG_INFO, "server_exit", "%s exiting with code %d", def->name, rc);
  srv_log_shutdown();
  return rc;
}
