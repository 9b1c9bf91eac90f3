/* record_kind.c — one interface over every record kind (check / canonicalise by kind). */
#include "models/record_kind.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/benchmark_result.h"
#include "models/health_response.h"
#include "models/histogram.h"
#include "models/integration_case.h"
#include "models/load_result.h"
#include "models/metrics_response.h"

static const char *const k_short[MDL_REC_COUNT] = {
    "benchmark_result", "integration_case", "load_result", "health", "metrics", "histogram"};
static const char *const k_spec[MDL_REC_COUNT] = {
    "PerformanceBenchmarkResult", "IntegrationTestCase", "LoadTestResult",
    "HealthCheckResponse",        "MetricsResponse",     "LatencyHistogram"};

const char *mdl_record_kind_name(mdl_record_kind k) {
  return (int)k >= 0 && k < MDL_REC_COUNT ? k_short[k] : "?";
}

bool mdl_record_kind_parse(const char *name, mdl_record_kind *out) {
  for (int i = 0; name != NULL && i < MDL_REC_COUNT; i++) {
    if (strcmp(name, k_short[i]) == 0 || strcmp(name, k_spec[i]) == 0) {
      *out = (mdl_record_kind)i;
      return true;
    }
  }
  return false;
}

cJSON *mdl_record_canonical(mdl_record_kind k, const cJSON *json, mdl_err *err) {
  cJSON *out = NULL;
  mdl_code rc = MDL_OK;
  switch (k) {
    case MDL_REC_BENCHMARK_RESULT: {
      mdl_benchmark_result r;
      rc = mdl_benchmark_result_from_json(json, &r, err);
      if (rc == MDL_OK) out = mdl_benchmark_result_to_json(&r);
      mdl_benchmark_result_free(&r);
      break;
    }
    case MDL_REC_INTEGRATION_CASE: {
      mdl_integration_case r;
      rc = mdl_integration_case_from_json(json, &r, err);
      if (rc == MDL_OK) out = mdl_integration_case_to_json(&r);
      mdl_integration_case_free(&r);
      break;
    }
    case MDL_REC_LOAD_RESULT: {
      mdl_load_result r;
      rc = mdl_load_result_from_json(json, &r, err);
      if (rc == MDL_OK) out = mdl_load_result_to_json(&r);
      mdl_load_result_free(&r);
      break;
    }
    case MDL_REC_HEALTH: {
      mdl_health r;
      rc = mdl_health_from_json(json, &r, err);
      if (rc == MDL_OK) out = mdl_health_to_json(&r);
      mdl_health_free(&r);
      break;
    }
    case MDL_REC_METRICS: {
      mdl_metrics r;
      rc = mdl_metrics_from_json(json, &r, err);
      if (rc == MDL_OK) out = mdl_metrics_to_json(&r);
      mdl_metrics_free(&r);
      break;
    }
    case MDL_REC_HISTOGRAM: {
      mdl_histogram *h = malloc(sizeof *h); /* ~2 KiB: keep it off small thread stacks */
      if (h == NULL) {
        mdl_err_set(err, MDL_ENOMEM, "", "out of memory");
        return NULL;
      }
      rc = mdl_histogram_from_json(json, h, err);
      if (rc == MDL_OK) out = mdl_histogram_to_json(h);
      free(h);
      break;
    }
    default:
      mdl_err_set(err, MDL_ERANGE, "", "unknown record kind %d", (int)k);
      return NULL;
  }
  if (rc == MDL_OK && out == NULL)
    mdl_err_set(err, MDL_ENOMEM, "", "out of memory serialising %s", k_short[k]);
  return out;
}

mdl_code mdl_record_check(mdl_record_kind k, const cJSON *json, mdl_err *err) {
  mdl_err local = {0};
  mdl_err *e = err != NULL ? err : &local;
  mdl_err_clear(e);
  cJSON *c = mdl_record_canonical(k, json, e);
  if (c == NULL) return e->code != MDL_OK ? e->code : MDL_ENOMEM;
  cJSON_Delete(c);
  return MDL_OK;
}

/* Prefixes err->field with "[i]." (the element of a top-level array). */
static void prefix_index(mdl_err *err, size_t i) {
  char field[MDL_FIELD_MAX];
  if (err->field[0] != '\0')
    snprintf(field, sizeof field, "[%zu].%.50s", i, err->field);
  else
    snprintf(field, sizeof field, "[%zu]", i);
  memcpy(err->field, field, sizeof field);
}

char *mdl_record_canonical_text(mdl_record_kind k, const char *text, size_t len, mdl_err *err) {
  assert(text != NULL || len == 0);
  mdl_err local = {0};
  mdl_err *e = err != NULL ? err : &local;
  mdl_err_clear(e);
  char *result = NULL;
  cJSON *canon = NULL;
  const char *end = NULL;
  cJSON *json = cJSON_ParseWithLengthOpts(text != NULL ? text : "", len, &end, 0);
  if (json == NULL) {
    size_t at = end != NULL && text != NULL && end >= text ? (size_t)(end - text) : 0;
    mdl_err_set(e, MDL_EJSON, "", "text is not valid JSON (error near byte %zu)", at);
    goto cleanup;
  }
  /* cJSON stops after the first value; anything but whitespace after it is an error. */
  for (size_t at = (size_t)(end - text); at < len; at++) {
    char c = text[at];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      mdl_err_set(e, MDL_EJSON, "",
                  "text is not valid JSON (unexpected characters after the value at byte %zu)", at);
      goto cleanup;
    }
  }
  if (cJSON_IsArray(json)) {
    canon = cJSON_CreateArray();
    if (canon == NULL) {
      mdl_err_set(e, MDL_ENOMEM, "", "out of memory");
      goto cleanup;
    }
    size_t i = 0;
    for (const cJSON *el = json->child; el != NULL; el = el->next, i++) {
      cJSON *c = mdl_record_canonical(k, el, e);
      if (c == NULL) {
        prefix_index(e, i);
        goto cleanup;
      }
      cJSON_AddItemToArray(canon, c);
    }
  } else {
    canon = mdl_record_canonical(k, json, e);
    if (canon == NULL) goto cleanup;
  }
  result = cJSON_PrintUnformatted(canon);
  if (result == NULL) mdl_err_set(e, MDL_ENOMEM, "", "out of memory printing JSON");
cleanup:
  cJSON_Delete(json);
  cJSON_Delete(canon);
  return result;
}
