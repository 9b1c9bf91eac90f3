/* load_result.c — LoadTestResult / ErrorBreakdown / ResourceUsageStats (see the header). */
#include "models/load_result.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/json_field.h"
#include "models/stats.h"

static const char *const k_servers[MDL_SERVER_COUNT] = {"codebase-mcp", "workflow-mcp"};

#define MAX_BREAKDOWN 1024 /* error types per result; more is a bug in the generator */

double mdl_load_result_success_rate_percent(const mdl_load_result *r) {
  assert(r != NULL);
  if (r->total_requests <= 0) return 0.0;
  return (double)r->successful_requests / (double)r->total_requests * 100.0;
}

double mdl_load_result_requests_per_second(const mdl_load_result *r) {
  assert(r != NULL);
  if (!(r->test_duration_seconds > 0.0)) return 0.0;
  return (double)r->total_requests / r->test_duration_seconds;
}

static mdl_code int_ge(int64_t v, int64_t min, const char *path, mdl_err *err) {
  if (v >= min) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must be >= %lld (got %lld)", path, (long long)min,
                     (long long)v);
}

static mdl_code usage_validate(const mdl_resource_usage *u, mdl_err *err) {
  mdl_code rc = MDL_OK;
  const char *p = "resource_usage";
  MDL_TRY(mdl_jf_check_range(u->cpu_percent_avg, 0, 100, "resource_usage.cpu_percent_avg", err));
  MDL_TRY(mdl_jf_check_range(u->cpu_percent_max, 0, 100, "resource_usage.cpu_percent_max", err));
  MDL_TRY(mdl_jf_check_order(u->cpu_percent_avg, "cpu_percent_avg", u->cpu_percent_max,
                             "cpu_percent_max", p, err));
  MDL_TRY(mdl_jf_check_ge(u->memory_mb_avg, 0, "resource_usage.memory_mb_avg", err));
  MDL_TRY(mdl_jf_check_ge(u->memory_mb_max, 0, "resource_usage.memory_mb_max", err));
  MDL_TRY(mdl_jf_check_order(u->memory_mb_avg, "memory_mb_avg", u->memory_mb_max, "memory_mb_max",
                             p, err));
  MDL_TRY(mdl_jf_check_range(u->connection_pool_utilization_avg, 0, 100,
                             "resource_usage.connection_pool_utilization_avg", err));
  MDL_TRY(mdl_jf_check_range(u->connection_pool_utilization_max, 0, 100,
                             "resource_usage.connection_pool_utilization_max", err));
  MDL_TRY(mdl_jf_check_order(u->connection_pool_utilization_avg, "connection_pool_utilization_avg",
                             u->connection_pool_utilization_max, "connection_pool_utilization_max",
                             p, err));
cleanup:
  return rc;
}

static mdl_code calib_validate(const mdl_host_calibration *c, mdl_err *err) {
  mdl_code rc = MDL_OK;
  MDL_TRY(int_ge(c->probes, 0, "host_calibration.probes", err));
  if (c->probes == 0) goto cleanup; /* not measured: the figures are not read */
  MDL_TRY(mdl_jf_check_gt(c->median_ms, 0, "host_calibration.median_ms", err));
  MDL_TRY(mdl_jf_check_finite(c->median_ms, "host_calibration.median_ms", err));
  MDL_TRY(mdl_jf_check_ge(c->cv_percent, 0, "host_calibration.cv_percent", err));
  MDL_TRY(mdl_jf_check_finite(c->cv_percent, "host_calibration.cv_percent", err));
cleanup:
  return rc;
}

mdl_code mdl_host_calibration_from_probes(const double *ms, size_t n, mdl_host_calibration *out,
                                          mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  double *sorted = NULL;
  memset(out, 0, sizeof *out);
  if (n == 0) return MDL_OK;
  assert(ms != NULL);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(ms[i]) || ms[i] <= 0)
      return mdl_err_set(err, MDL_ERANGE, "host_calibration",
                         "probe %zu must be a finite time > 0 ms (got %g)", i, ms[i]);
  sorted = malloc(n * sizeof *sorted);
  if (sorted == NULL) {
    rc = mdl_err_set(err, MDL_ENOMEM, "host_calibration", "out of memory");
    goto cleanup;
  }
  memcpy(sorted, ms, n * sizeof *sorted);
  mdl_stats_sort(sorted, n);
  out->probes = (int64_t)n;
  out->median_ms = mdl_round2(mdl_stats_percentile_sorted(sorted, n, 50.0));
  if (out->median_ms <= 0) out->median_ms = 0.01; /* a sub-10 us probe still measured something */
  out->cv_percent = mdl_round2(n > 1 ? mdl_stats_cv(ms, n) * 100.0 : 0.0);
cleanup:
  free(sorted);
  return rc;
}

mdl_code mdl_load_result_validate(const mdl_load_result *r, mdl_err *err) {
  assert(r != NULL);
  mdl_code rc = MDL_OK;
  int64_t us;
  char path[MDL_FIELD_MAX];
  if (!mdl_uuid_valid(r->test_id)) {
    rc = mdl_err_set(err, MDL_ERANGE, "test_id", "test_id must be a UUID (8-4-4-4-12 hex digits)");
    goto cleanup;
  }
  if ((int)r->server_id < 0 || r->server_id >= MDL_SERVER_COUNT) {
    rc = mdl_err_set(err, MDL_EENUM, "server_id",
                     "server_id must be \"codebase-mcp\" or \"workflow-mcp\"");
    goto cleanup;
  }
  if (r->test_scenario == NULL || r->test_scenario[0] == '\0') {
    rc = mdl_err_set(err, MDL_ERANGE, "test_scenario", "test_scenario must not be empty");
    goto cleanup;
  }
  MDL_TRY(int_ge(r->concurrent_clients, 1, "concurrent_clients", err));
  MDL_TRY(mdl_jf_check_ge(r->test_duration_seconds, 1, "test_duration_seconds", err));
  if (mdl_time_parse(r->timestamp, &us, NULL) != MDL_OK) {
    rc = mdl_err_set(err, MDL_ERANGE, "timestamp",
                     "timestamp must be an ISO 8601 UTC time like 2025-10-13T10:30:00Z");
    goto cleanup;
  }
  MDL_TRY(int_ge(r->total_requests, 0, "total_requests", err));
  MDL_TRY(int_ge(r->successful_requests, 0, "successful_requests", err));
  MDL_TRY(int_ge(r->failed_requests, 0, "failed_requests", err));
  if (r->successful_requests + r->failed_requests != r->total_requests) {
    rc = mdl_err_set(
        err, MDL_ERULE, "total_requests",
        "successful_requests + failed_requests must equal total_requests (%lld + %lld != %lld)",
        (long long)r->successful_requests, (long long)r->failed_requests,
        (long long)r->total_requests);
    goto cleanup;
  }
  MDL_TRY(mdl_jf_check_ge(r->latency_avg_ms, 0, "latency_avg_ms", err));
  MDL_TRY(mdl_jf_check_ge(r->latency_p95_ms, 0, "latency_p95_ms", err));
  MDL_TRY(mdl_jf_check_ge(r->latency_max_ms, 0, "latency_max_ms", err));
  MDL_TRY(mdl_jf_check_order(r->latency_avg_ms, "latency_avg_ms", r->latency_max_ms,
                             "latency_max_ms", "", err));
  MDL_TRY(mdl_jf_check_order(r->latency_p95_ms, "latency_p95_ms", r->latency_max_ms,
                             "latency_max_ms", "", err));
  if (r->error_breakdown_count > MAX_BREAKDOWN) {
    rc = mdl_err_set(err, MDL_ERANGE, "error_breakdown",
                     "error_breakdown must have at most %d entries", MAX_BREAKDOWN);
    goto cleanup;
  }
  for (size_t i = 0; i < r->error_breakdown_count; i++) {
    const mdl_error_breakdown *e = &r->error_breakdown[i];
    char base[MDL_FIELD_MAX];
    mdl_jf_index(base, "", "error_breakdown", i);
    mdl_jf_path(path, base, "error_type");
    if (e->error_type == NULL || e->error_type[0] == '\0') {
      rc = mdl_err_set(err, MDL_ERANGE, path, "error_type must not be empty");
      goto cleanup;
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(r->error_breakdown[j].error_type, e->error_type) == 0) {
        rc = mdl_err_set(err, MDL_ERULE, path,
                         "error_type must be unique (\"%.40s\" repeats entry %zu)", e->error_type,
                         j);
        goto cleanup;
      }
    }
    mdl_jf_path(path, base, "count");
    if (e->count < 0) {
      rc = mdl_err_set(err, MDL_ERANGE, path, "count must be >= 0 (got %lld)", (long long)e->count);
      goto cleanup;
    }
    mdl_jf_path(path, base, "percentage");
    MDL_TRY(mdl_jf_check_range(e->percentage, 0, 100, path, err));
  }
  MDL_TRY(usage_validate(&r->resource_usage, err));
  MDL_TRY(calib_validate(&r->host_calibration, err));
cleanup:
  return rc;
}

/* Checks a derived field given in the input against the computed value (two decimals). */
static mdl_code derived_check(const cJSON *json, const char *key, double want, const char *formula,
                              mdl_err *err) {
  double got = 0.0;
  bool present = false;
  mdl_code rc = mdl_jf_number(json, "", key, false, &got, &present, err);
  if (rc != MDL_OK || !present) return rc;
  if (mdl_round2(got) != mdl_round2(want))
    return mdl_err_set(err, MDL_ERULE, key, "%s must equal %s = %.2f (got %g)", key, formula,
                       mdl_round2(want), got);
  return MDL_OK;
}

static mdl_code breakdown_from_json(const cJSON *arr, mdl_load_result *out, mdl_err *err) {
  mdl_code rc = MDL_OK;
  int n = cJSON_GetArraySize(arr);
  if (n > MAX_BREAKDOWN)
    return mdl_err_set(err, MDL_ERANGE, "error_breakdown",
                       "error_breakdown must have at most %d entries", MAX_BREAKDOWN);
  if (n == 0) return MDL_OK;
  out->error_breakdown = calloc((size_t)n, sizeof *out->error_breakdown);
  if (out->error_breakdown == NULL)
    return mdl_err_set(err, MDL_ENOMEM, "error_breakdown", "out of memory");
  size_t i = 0;
  char base[MDL_FIELD_MAX];
  for (const cJSON *e = arr->child; e != NULL; e = e->next, i++) {
    mdl_error_breakdown *d = &out->error_breakdown[i];
    out->error_breakdown_count = i + 1;
    mdl_jf_index(base, "", "error_breakdown", i);
    MDL_TRY(mdl_jf_expect_object(e, base, err));
    MDL_TRY(mdl_jf_strdup(e, base, "error_type", true, &d->error_type, err));
    MDL_TRY(mdl_jf_int(e, base, "count", true, &d->count, NULL, err));
    MDL_TRY(mdl_jf_number(e, base, "percentage", true, &d->percentage, NULL, err));
    d->percentage = mdl_round2(d->percentage);
  }
cleanup:
  return rc;
}

mdl_code mdl_load_result_from_json(const cJSON *json, mdl_load_result *out, mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  int e = 0;
  const cJSON *arr = NULL, *usage = NULL, *calib = NULL;
  bool have_arr = false, have_calib = false;
  memset(out, 0, sizeof *out);
  MDL_TRY(mdl_jf_expect_object(json, "", err));
  MDL_TRY(mdl_jf_uuid(json, "", "test_id", out->test_id, err));
  MDL_TRY(mdl_jf_enum(json, "", "server_id", true, k_servers, MDL_SERVER_COUNT, &e, NULL, err));
  out->server_id = (mdl_server_id)e;
  MDL_TRY(mdl_jf_strdup(json, "", "test_scenario", true, &out->test_scenario, err));
  MDL_TRY(mdl_jf_int(json, "", "concurrent_clients", true, &out->concurrent_clients, NULL, err));
  MDL_TRY(mdl_jf_number(json, "", "test_duration_seconds", true, &out->test_duration_seconds, NULL,
                        err));
  MDL_TRY(mdl_jf_time(json, "", "timestamp", true, out->timestamp, NULL, err));
  MDL_TRY(mdl_jf_int(json, "", "total_requests", true, &out->total_requests, NULL, err));
  MDL_TRY(mdl_jf_int(json, "", "successful_requests", true, &out->successful_requests, NULL, err));
  MDL_TRY(mdl_jf_int(json, "", "failed_requests", true, &out->failed_requests, NULL, err));
  MDL_TRY(mdl_jf_number(json, "", "latency_avg_ms", true, &out->latency_avg_ms, NULL, err));
  MDL_TRY(mdl_jf_number(json, "", "latency_p95_ms", true, &out->latency_p95_ms, NULL, err));
  MDL_TRY(mdl_jf_number(json, "", "latency_max_ms", true, &out->latency_max_ms, NULL, err));
  out->latency_avg_ms = mdl_round2(out->latency_avg_ms);
  out->latency_p95_ms = mdl_round2(out->latency_p95_ms);
  out->latency_max_ms = mdl_round2(out->latency_max_ms);
  MDL_TRY(mdl_jf_array(json, "", "error_breakdown", false, &arr, &have_arr, err));
  if (have_arr) MDL_TRY(breakdown_from_json(arr, out, err));
  MDL_TRY(mdl_jf_object(json, "", "resource_usage", true, &usage, NULL, err));
  mdl_resource_usage *u = &out->resource_usage;
  const char *p = "resource_usage";
  MDL_TRY(mdl_jf_number(usage, p, "cpu_percent_avg", true, &u->cpu_percent_avg, NULL, err));
  MDL_TRY(mdl_jf_number(usage, p, "cpu_percent_max", true, &u->cpu_percent_max, NULL, err));
  MDL_TRY(mdl_jf_number(usage, p, "memory_mb_avg", true, &u->memory_mb_avg, NULL, err));
  MDL_TRY(mdl_jf_number(usage, p, "memory_mb_max", true, &u->memory_mb_max, NULL, err));
  MDL_TRY(mdl_jf_number(usage, p, "connection_pool_utilization_avg", true,
                        &u->connection_pool_utilization_avg, NULL, err));
  MDL_TRY(mdl_jf_number(usage, p, "connection_pool_utilization_max", true,
                        &u->connection_pool_utilization_max, NULL, err));
  u->cpu_percent_avg = mdl_round2(u->cpu_percent_avg);
  u->cpu_percent_max = mdl_round2(u->cpu_percent_max);
  u->memory_mb_avg = mdl_round2(u->memory_mb_avg);
  u->memory_mb_max = mdl_round2(u->memory_mb_max);
  u->connection_pool_utilization_avg = mdl_round2(u->connection_pool_utilization_avg);
  u->connection_pool_utilization_max = mdl_round2(u->connection_pool_utilization_max);
  MDL_TRY(mdl_jf_object(json, "", "host_calibration", false, &calib, &have_calib, err));
  if (have_calib) {
    mdl_host_calibration *c = &out->host_calibration;
    const char *hp = "host_calibration";
    MDL_TRY(mdl_jf_int(calib, hp, "probes", true, &c->probes, NULL, err));
    MDL_TRY(mdl_jf_number(calib, hp, "median_ms", true, &c->median_ms, NULL, err));
    MDL_TRY(mdl_jf_number(calib, hp, "cv_percent", true, &c->cv_percent, NULL, err));
    c->median_ms = mdl_round2(c->median_ms);
    c->cv_percent = mdl_round2(c->cv_percent);
    if (c->probes == 0) {
      rc = mdl_err_set(err, MDL_ERANGE, "host_calibration.probes",
                       "probes must be >= 1 when host_calibration is given (got 0)");
      goto cleanup;
    }
  }
  MDL_TRY(mdl_load_result_validate(out, err));
  MDL_TRY(derived_check(json, "success_rate_percent", mdl_load_result_success_rate_percent(out),
                        "successful_requests / total_requests * 100", err));
  MDL_TRY(derived_check(json, "requests_per_second", mdl_load_result_requests_per_second(out),
                        "total_requests / test_duration_seconds", err));
cleanup:
  if (rc != MDL_OK) mdl_load_result_free(out);
  return rc;
}

cJSON *mdl_load_result_to_json(const mdl_load_result *r) {
  assert(r != NULL);
  cJSON *o = cJSON_CreateObject(), *arr = NULL, *usage = NULL;
  bool ok = o != NULL;
  ok = ok && mdl_jf_add_string(o, "test_id", r->test_id);
  ok = ok && mdl_jf_add_string(o, "server_id", mdl_server_id_name(r->server_id));
  ok = ok && mdl_jf_add_string(o, "test_scenario", r->test_scenario);
  ok = ok && mdl_jf_add_int(o, "concurrent_clients", r->concurrent_clients);
  ok = ok && mdl_jf_add_number(o, "test_duration_seconds", r->test_duration_seconds);
  ok = ok && mdl_jf_add_string(o, "timestamp", r->timestamp);
  ok = ok && mdl_jf_add_int(o, "total_requests", r->total_requests);
  ok = ok && mdl_jf_add_int(o, "successful_requests", r->successful_requests);
  ok = ok && mdl_jf_add_int(o, "failed_requests", r->failed_requests);
  ok = ok && mdl_jf_add_round2(o, "latency_avg_ms", r->latency_avg_ms);
  ok = ok && mdl_jf_add_round2(o, "latency_p95_ms", r->latency_p95_ms);
  ok = ok && mdl_jf_add_round2(o, "latency_max_ms", r->latency_max_ms);
  arr = ok ? cJSON_CreateArray() : NULL;
  ok = ok && mdl_jf_add_item(o, "error_breakdown", arr);
  for (size_t i = 0; ok && i < r->error_breakdown_count; i++) {
    const mdl_error_breakdown *e = &r->error_breakdown[i];
    cJSON *eo = cJSON_CreateObject();
    ok = eo != NULL && cJSON_AddItemToArray(arr, eo);
    if (!ok) cJSON_Delete(eo);
    ok = ok && mdl_jf_add_string(eo, "error_type", e->error_type);
    ok = ok && mdl_jf_add_int(eo, "count", e->count);
    ok = ok && mdl_jf_add_round2(eo, "percentage", e->percentage);
  }
  usage = ok ? cJSON_CreateObject() : NULL;
  ok = ok && mdl_jf_add_item(o, "resource_usage", usage);
  const mdl_resource_usage *u = &r->resource_usage;
  ok = ok && mdl_jf_add_round2(usage, "cpu_percent_avg", u->cpu_percent_avg);
  ok = ok && mdl_jf_add_round2(usage, "cpu_percent_max", u->cpu_percent_max);
  ok = ok && mdl_jf_add_round2(usage, "memory_mb_avg", u->memory_mb_avg);
  ok = ok && mdl_jf_add_round2(usage, "memory_mb_max", u->memory_mb_max);
  ok = ok && mdl_jf_add_round2(usage, "connection_pool_utilization_avg",
                               u->connection_pool_utilization_avg);
  ok = ok && mdl_jf_add_round2(usage, "connection_pool_utilization_max",
                               u->connection_pool_utilization_max);
  ok = ok && mdl_jf_add_round2(o, "success_rate_percent", mdl_load_result_success_rate_percent(r));
  ok = ok && mdl_jf_add_round2(o, "requests_per_second", mdl_load_result_requests_per_second(r));
  const mdl_host_calibration *c = &r->host_calibration;
  if (ok && c->probes > 0) {
    cJSON *co = cJSON_CreateObject();
    ok = mdl_jf_add_item(o, "host_calibration", co);
    ok = ok && mdl_jf_add_int(co, "probes", c->probes);
    ok = ok && mdl_jf_add_round2(co, "median_ms", c->median_ms);
    ok = ok && mdl_jf_add_round2(co, "cv_percent", c->cv_percent);
  }
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

mdl_code mdl_load_result_add_error(mdl_load_result *r, const char *error_type, int64_t count,
                                   double percentage, mdl_err *err) {
  assert(r != NULL && error_type != NULL);
  char *t = strdup(error_type);
  mdl_error_breakdown *grown =
      t != NULL ? realloc(r->error_breakdown, (r->error_breakdown_count + 1) * sizeof *grown)
                : NULL;
  if (grown == NULL) {
    free(t);
    return mdl_err_set(err, MDL_ENOMEM, "error_breakdown", "out of memory adding error type %s",
                       error_type);
  }
  r->error_breakdown = grown;
  mdl_error_breakdown *e = &r->error_breakdown[r->error_breakdown_count++];
  e->error_type = t;
  e->count = count;
  e->percentage = percentage;
  return MDL_OK;
}

void mdl_load_result_free(mdl_load_result *r) {
  if (r == NULL) return;
  for (size_t i = 0; i < r->error_breakdown_count; i++) free(r->error_breakdown[i].error_type);
  free(r->error_breakdown);
  free(r->test_scenario);
  memset(r, 0, sizeof *r);
}
