/* benchmark_result.c — PerformanceBenchmarkResult parse / validate / serialise (see the header). */
#include "models/benchmark_result.h"

#include <assert.h>
#include <string.h>

#include "models/json_field.h"

static const char *const k_ops[MDL_OP_COUNT] = {"index", "search", "project_switch", "entity_query",
                                                "search_lowvocab"};
static const char *const k_status[MDL_STATUS_COUNT] = {"pass", "fail", "warning"};
static const char *const k_servers[MDL_SERVER_COUNT] = {"codebase-mcp", "workflow-mcp"};

const char *mdl_operation_type_name(mdl_operation_type t) {
  return (int)t >= 0 && t < MDL_OP_COUNT ? k_ops[t] : "?";
}

bool mdl_operation_type_parse(const char *name, mdl_operation_type *out) {
  for (int i = 0; name != NULL && i < MDL_OP_COUNT; i++) {
    if (strcmp(name, k_ops[i]) == 0) {
      *out = (mdl_operation_type)i;
      return true;
    }
  }
  return false;
}

const char *mdl_pass_status_name(mdl_pass_status s) {
  return (int)s >= 0 && s < MDL_STATUS_COUNT ? k_status[s] : "?";
}

bool mdl_pass_status_parse(const char *name, mdl_pass_status *out) {
  for (int i = 0; name != NULL && i < MDL_STATUS_COUNT; i++) {
    if (strcmp(name, k_status[i]) == 0) {
      *out = (mdl_pass_status)i;
      return true;
    }
  }
  return false;
}

/* The JSON keys of the six latency fields, in JSON order, for loops over them. */
static const char *const k_latencies[] = {"latency_p50_ms",  "latency_p95_ms", "latency_p99_ms",
                                          "latency_mean_ms", "latency_min_ms", "latency_max_ms"};
#define N_LATENCIES (sizeof k_latencies / sizeof k_latencies[0])

/* The latency members in k_latencies order (no casts through char *: the members are named). */
static double *latency_at(mdl_benchmark_result *r, size_t i) {
  double *const at[] = {&r->latency_p50_ms,  &r->latency_p95_ms, &r->latency_p99_ms,
                        &r->latency_mean_ms, &r->latency_min_ms, &r->latency_max_ms};
  _Static_assert(sizeof at / sizeof at[0] == N_LATENCIES, "one pointer per latency field");
  return at[i];
}

static double latency_get(const mdl_benchmark_result *r, size_t i) {
  const double at[] = {r->latency_p50_ms,  r->latency_p95_ms, r->latency_p99_ms,
                       r->latency_mean_ms, r->latency_min_ms, r->latency_max_ms};
  _Static_assert(sizeof at / sizeof at[0] == N_LATENCIES, "one value per latency field");
  return at[i];
}

mdl_code mdl_benchmark_result_validate(const mdl_benchmark_result *r, mdl_err *err) {
  assert(r != NULL);
  mdl_code rc = MDL_OK;
  if (!mdl_uuid_valid(r->benchmark_id)) {
    rc = mdl_err_set(err, MDL_ERANGE, "benchmark_id",
                     "benchmark_id must be a UUID (8-4-4-4-12 hex digits)");
    goto cleanup;
  }
  if ((int)r->server_id < 0 || r->server_id >= MDL_SERVER_COUNT) {
    rc = mdl_err_set(err, MDL_EENUM, "server_id",
                     "server_id must be \"codebase-mcp\" or \"workflow-mcp\"");
    goto cleanup;
  }
  if ((int)r->operation_type < 0 || r->operation_type >= MDL_OP_COUNT) {
    rc = mdl_err_set(err, MDL_EENUM, "operation_type",
                     "operation_type must be one of \"index\", \"search\", \"project_switch\", "
                     "\"entity_query\", \"search_lowvocab\"");
    goto cleanup;
  }
  int64_t us;
  if (mdl_time_parse(r->timestamp, &us, NULL) != MDL_OK) {
    rc = mdl_err_set(err, MDL_ERANGE, "timestamp",
                     "timestamp must be an ISO 8601 UTC time like 2025-10-13T10:30:00Z");
    goto cleanup;
  }
  for (size_t i = 0; i < N_LATENCIES; i++)
    MDL_TRY(mdl_jf_check_ge(latency_get(r, i), 0, k_latencies[i], err));
  MDL_TRY(mdl_jf_check_order(r->latency_p50_ms, "latency_p50_ms", r->latency_p95_ms,
                             "latency_p95_ms", "", err));
  MDL_TRY(mdl_jf_check_order(r->latency_p95_ms, "latency_p95_ms", r->latency_p99_ms,
                             "latency_p99_ms", "", err));
  MDL_TRY(mdl_jf_check_order(r->latency_min_ms, "latency_min_ms", r->latency_p50_ms,
                             "latency_p50_ms", "", err));
  MDL_TRY(mdl_jf_check_order(r->latency_p99_ms, "latency_p99_ms", r->latency_max_ms,
                             "latency_max_ms", "", err));
  MDL_TRY(mdl_jf_check_order(r->latency_min_ms, "latency_min_ms", r->latency_mean_ms,
                             "latency_mean_ms", "", err));
  MDL_TRY(mdl_jf_check_order(r->latency_mean_ms, "latency_mean_ms", r->latency_max_ms,
                             "latency_max_ms", "", err));
  if (r->sample_size < 1) {
    rc = mdl_err_set(err, MDL_ERANGE, "sample_size", "sample_size must be >= 1 (got %lld)",
                     (long long)r->sample_size);
    goto cleanup;
  }
  for (size_t i = 0; i < r->test_parameters.count; i++) {
    const mdl_param *p = &r->test_parameters.items[i];
    if (p->kind == MDL_PARAM_FLOAT) {
      char path[MDL_FIELD_MAX];
      mdl_jf_path(path, "test_parameters", p->key);
      MDL_TRY(mdl_jf_check_finite(p->f, path, err));
    }
  }
  if ((int)r->pass_status < 0 || r->pass_status >= MDL_STATUS_COUNT) {
    rc = mdl_err_set(err, MDL_EENUM, "pass_status",
                     "pass_status must be one of \"pass\", \"fail\", \"warning\"");
    goto cleanup;
  }
  if (r->has_target_threshold)
    MDL_TRY(mdl_jf_check_gt(r->target_threshold_ms, 0, "target_threshold_ms", err));
cleanup:
  return rc;
}

mdl_code mdl_benchmark_result_from_json(const cJSON *json, mdl_benchmark_result *out,
                                        mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  int e = 0;
  memset(out, 0, sizeof *out);
  MDL_TRY(mdl_jf_expect_object(json, "", err));
  MDL_TRY(mdl_jf_uuid(json, "", "benchmark_id", out->benchmark_id, err));
  MDL_TRY(mdl_jf_enum(json, "", "server_id", true, k_servers, MDL_SERVER_COUNT, &e, NULL, err));
  out->server_id = (mdl_server_id)e;
  MDL_TRY(mdl_jf_enum(json, "", "operation_type", true, k_ops, MDL_OP_COUNT, &e, NULL, err));
  out->operation_type = (mdl_operation_type)e;
  MDL_TRY(mdl_jf_time(json, "", "timestamp", true, out->timestamp, NULL, err));
  for (size_t i = 0; i < N_LATENCIES; i++) {
    double *v = latency_at(out, i);
    MDL_TRY(mdl_jf_number(json, "", k_latencies[i], true, v, NULL, err));
    *v = mdl_round2(*v);
  }
  MDL_TRY(mdl_jf_int(json, "", "sample_size", true, &out->sample_size, NULL, err));
  MDL_TRY(mdl_jf_params(json, "", "test_parameters", &out->test_parameters, err));
  MDL_TRY(mdl_jf_enum(json, "", "pass_status", true, k_status, MDL_STATUS_COUNT, &e, NULL, err));
  out->pass_status = (mdl_pass_status)e;
  MDL_TRY(mdl_jf_number(json, "", "target_threshold_ms", false, &out->target_threshold_ms,
                        &out->has_target_threshold, err));
  MDL_TRY(mdl_benchmark_result_validate(out, err));
cleanup:
  if (rc != MDL_OK) mdl_benchmark_result_free(out);
  return rc;
}

cJSON *mdl_benchmark_result_to_json(const mdl_benchmark_result *r) {
  assert(r != NULL);
  cJSON *o = cJSON_CreateObject();
  bool ok = o != NULL;
  ok = ok && mdl_jf_add_string(o, "benchmark_id", r->benchmark_id);
  ok = ok && mdl_jf_add_string(o, "server_id", mdl_server_id_name(r->server_id));
  ok = ok && mdl_jf_add_string(o, "operation_type", mdl_operation_type_name(r->operation_type));
  ok = ok && mdl_jf_add_string(o, "timestamp", r->timestamp);
  for (size_t i = 0; ok && i < N_LATENCIES; i++)
    ok = mdl_jf_add_round2(o, k_latencies[i], latency_get(r, i));
  ok = ok && mdl_jf_add_int(o, "sample_size", r->sample_size);
  ok = ok && mdl_jf_add_item(o, "test_parameters", mdl_jf_params_to_json(&r->test_parameters));
  ok = ok && mdl_jf_add_string(o, "pass_status", mdl_pass_status_name(r->pass_status));
  if (r->has_target_threshold)
    ok = ok && mdl_jf_add_number(o, "target_threshold_ms", r->target_threshold_ms);
  else
    ok = ok && mdl_jf_add_null(o, "target_threshold_ms");
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void mdl_benchmark_result_set_latencies(mdl_benchmark_result *r, const mdl_stats_summary *s) {
  assert(r != NULL && s != NULL);
  r->latency_p50_ms = mdl_round2(s->p50);
  r->latency_p95_ms = mdl_round2(s->p95);
  r->latency_p99_ms = mdl_round2(s->p99);
  r->latency_mean_ms = mdl_round2(s->mean);
  r->latency_min_ms = mdl_round2(s->min);
  r->latency_max_ms = mdl_round2(s->max);
  r->sample_size = (int64_t)s->count;
}

void mdl_benchmark_result_free(mdl_benchmark_result *r) {
  if (r == NULL) return;
  mdl_params_free(&r->test_parameters);
  memset(r, 0, sizeof *r);
}
