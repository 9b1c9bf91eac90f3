/* request.c — the request middleware (see request.h).
 *
 * Owns two small fixed tables (routes, tools) of metric handles, filled at start-up under a mutex
 * and read lock-free afterwards: entries are published with a release store of the count, and a
 * reader scans only up to the count it loaded with acquire ordering. */
#include "servers/common/request.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "servers/common/log.h"

#define MAX_OPS 128
#define MAX_TOOLS 64

struct srv_op_metrics {
  char name[128];
  srv_counter *requests, *errors;
  srv_histogram *latency;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static srv_metrics *g_metrics;
static struct srv_op_metrics g_ops[MAX_OPS];
static atomic_int g_nops;
static struct srv_op_metrics g_tools[MAX_TOOLS];
static atomic_int g_ntools;
/* request_errors_total{type}, one series per failure code, registered by srv_request_init. */
static srv_counter *g_errors_by_type[SRV_ECODE_COUNT];

void srv_request_init(srv_metrics *m) {
  srv_err err;
  pthread_mutex_lock(&g_lock);
  g_metrics = m;
  atomic_store(&g_nops, 0);
  atomic_store(&g_ntools, 0);
  for (int c = 0; c < SRV_ECODE_COUNT; c++) {
    g_errors_by_type[c] = NULL;
    if (m == NULL || c == SRV_OK) continue;
    g_errors_by_type[c] =
        srv_metrics_counter(m, "request_errors_total", "Failed requests, per error type", "type",
                            srv_strerror((srv_code)c), &err);
    if (g_errors_by_type[c] == NULL)
      srv_log_event(SRV_LOG_ERROR, "metrics_register_failed", "%s", err.msg);
  }
  pthread_mutex_unlock(&g_lock);
}

void srv_request_shutdown(void) {
  srv_request_init(NULL);
}

static int fill(struct srv_op_metrics *o, const char *label, const char *value, const char *what,
                const char *req_name, const char *err_name, const char *hist_name) {
  srv_err err;
  char h1[96], h2[96], h3[96];
  snprintf(o->name, sizeof o->name, "%s", value);
  snprintf(h1, sizeof h1, "%s served, per %s", what, label);
  snprintf(h2, sizeof h2, "%s that failed, per %s", what, label);
  snprintf(h3, sizeof h3, "Latency of %s in seconds, per %s", what, label);
  o->requests = srv_metrics_counter(g_metrics, req_name, h1, label, value, &err);
  o->errors = o->requests ? srv_metrics_counter(g_metrics, err_name, h2, label, value, &err) : NULL;
  o->latency =
      o->errors ? srv_metrics_histogram(g_metrics, hist_name, h3, label, value, &err) : NULL;
  if (o->latency == NULL) {
    srv_log_event(SRV_LOG_ERROR, "metrics_register_failed", "%s", err.msg);
    return -1;
  }
  return 0;
}

srv_op_metrics *srv_request_op(const char *route) {
  srv_op_metrics *r = NULL;
  int n;
  pthread_mutex_lock(&g_lock);
  if (g_metrics == NULL) goto cleanup;
  n = atomic_load(&g_nops);
  for (int i = 0; i < n; i++)
    if (strcmp(g_ops[i].name, route) == 0) {
      r = &g_ops[i];
      goto cleanup;
    }
  if (n >= MAX_OPS) goto cleanup;
  if (fill(&g_ops[n], "route", route, "HTTP requests", "http_requests_total",
           "http_request_errors_total", "http_request_duration_seconds") != 0)
    goto cleanup;
  r = &g_ops[n];
  atomic_store_explicit(&g_nops, n + 1, memory_order_release);
cleanup:
  pthread_mutex_unlock(&g_lock);
  return r;
}

int srv_request_add_tool(const char *name) {
  int rc = -1, n;
  pthread_mutex_lock(&g_lock);
  if (g_metrics == NULL) goto cleanup;
  n = atomic_load(&g_ntools);
  for (int i = 0; i < n; i++)
    if (strcmp(g_tools[i].name, name) == 0) {
      rc = 0;
      goto cleanup;
    }
  if (n >= MAX_TOOLS) goto cleanup;
  if (fill(&g_tools[n], "tool", name, "tool calls", "tool_calls_total", "tool_errors_total",
           "tool_duration_seconds") != 0)
    goto cleanup;
  atomic_store_explicit(&g_ntools, n + 1, memory_order_release);
  rc = 0;
cleanup:
  pthread_mutex_unlock(&g_lock);
  return rc;
}

void srv_request_observe(srv_op_metrics *op, const srv_request_done *d) {
  cJSON *ctx = NULL;
  double ms = (double)d->latency_us / 1000.0;
  int failed = d->code != SRV_OK || d->status >= 500;
  if (op != NULL) {
    srv_counter_inc(op->requests);
    if (failed) srv_counter_inc(op->errors);
    srv_histogram_observe(op->latency, (double)d->latency_us / 1e6);
  }
  if (d->code != SRV_OK && (unsigned)d->code < SRV_ECODE_COUNT)
    srv_counter_inc(g_errors_by_type[d->code]);
  if (!srv_log_enabled(SRV_LOG_INFO) && d->code == SRV_OK && ms <= SRV_LOG_SLOW_MS) return;
  /* The operation name already says which route or tool ran; the context (method, path,
   * transport, status) is added where someone will read it: failures and slow requests. This
   * keeps the line of a fast successful request cheap (it is on /health's hot path). */
  if (d->code != SRV_OK || d->status >= 400 || ms > SRV_LOG_SLOW_MS) ctx = cJSON_CreateObject();
  if (ctx != NULL) {
    if (d->method) cJSON_AddStringToObject(ctx, "method", d->method);
    if (d->path) cJSON_AddStringToObject(ctx, "path", d->path);
    if (d->transport) cJSON_AddStringToObject(ctx, "transport", d->transport);
    cJSON_AddNumberToObject(ctx, "status", d->status);
  }
  srv_log_request(d->request_id, d->operation, d->code, ms, ctx, NULL, d->message);
  cJSON_Delete(ctx);
}

void srv_observe_tool(const char *tool, srv_code code, int64_t latency_us) {
  int n = atomic_load_explicit(&g_ntools, memory_order_acquire);
  for (int i = 0; i < n; i++) {
    if (strcmp(g_tools[i].name, tool) == 0) {
      srv_counter_inc(g_tools[i].requests);
      if (code != SRV_OK) srv_counter_inc(g_tools[i].errors);
      srv_histogram_observe(g_tools[i].latency, (double)latency_us / 1e6);
      return;
    }
  }
}
