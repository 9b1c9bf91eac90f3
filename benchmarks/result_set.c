/* result_set.c — load, fill and write sets of PerformanceBenchmarkResult records (result_set.h).
 *
 * Owns the file format of baselines and runs; the records themselves are parsed, validated and
 * serialised by //models only. */
#include "benchmarks/result_set.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"

int bench_read_file(const char *path, char **out, int *errno_out, bench_err *err) {
  int rc = BENCH_OK;
  FILE *f = NULL;
  mdl_buf b = MDL_BUF_INIT;
  assert(path != NULL && out != NULL);
  *out = NULL;
  if (errno_out != NULL) *errno_out = 0;
  f = fopen(path, "rb");
  if (f == NULL) {
    if (errno_out != NULL) *errno_out = errno;
    rc = bench_err_set(err, BENCH_EIO, "cannot open %s: %s", path, strerror(errno));
    goto cleanup;
  }
  mdl_code mc = mdl_buf_add_file(&b, f);
  if (mc == MDL_EIO) {
    if (errno_out != NULL) *errno_out = errno;
    rc = bench_err_set(err, BENCH_EIO, "cannot read %s: %s", path, strerror(errno));
    goto cleanup;
  }
  if (mc != MDL_OK || (*out = mdl_buf_take(&b)) == NULL)
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory reading %s", path);
cleanup:
  if (f != NULL) fclose(f);
  mdl_buf_free(&b);
  return rc;
}

int bench_write_file(const char *path, const char *text, bench_err *err) {
  int rc = BENCH_OK;
  FILE *f = NULL;
  assert(path != NULL && text != NULL);
  f = fopen(path, "wb");
  if (f == NULL) {
    rc = bench_err_set(err, BENCH_EIO, "cannot create %s: %s (check the directory exists)", path,
                       strerror(errno));
    goto cleanup;
  }
  size_t n = strlen(text);
  if (fwrite(text, 1, n, f) != n) {
    rc = bench_err_set(err, BENCH_EIO, "cannot write %s: %s", path, strerror(errno));
    goto cleanup;
  }
cleanup:
  if (f != NULL && fclose(f) != 0 && rc == BENCH_OK)
    rc = bench_err_set(err, BENCH_EIO, "cannot close %s: %s", path, strerror(errno));
  return rc;
}

void bench_set_free(bench_set *s) {
  if (s == NULL) return;
  for (int i = 0; i < MDL_OP_COUNT; i++) mdl_benchmark_result_free(&s->results[i]);
  cJSON_Delete(s->machine);
  cJSON_Delete(s->samples);
  cJSON_Delete(s->calibration);
  memset(s, 0, sizeof *s);
}

static void copy_str(char *dst, size_t n, const char *src) {
  snprintf(dst, n, "%s", src != NULL ? src : "");
}

/* Parses one record into the set (replacing any earlier one of that operation). */
static int add_record(bench_set *s, const cJSON *item, int index, const char *src, bench_err *err) {
  mdl_benchmark_result r;
  mdl_err me;
  memset(&r, 0, sizeof r);
  if (mdl_benchmark_result_from_json(item, &r, &me) != MDL_OK)
    return bench_err_set(
        err, BENCH_EINVAL,
        "%s: results[%d] is not a valid PerformanceBenchmarkResult: field '%s': %s", src, index,
        me.field, me.msg);
  mdl_benchmark_result_free(&s->results[r.operation_type]);
  s->results[r.operation_type] = r;
  s->has[r.operation_type] = 1;
  return BENCH_OK;
}

int bench_set_from_json(const cJSON *json, const char *source, bench_set *out, bench_err *err) {
  int rc = BENCH_OK;
  const char *src = source != NULL ? source : "(results)";
  const cJSON *list = NULL;
  assert(out != NULL);
  memset(out, 0, sizeof *out);
  out->present = 1;
  copy_str(out->source, sizeof out->source, source);
  if (cJSON_IsArray(json)) {
    list = json;
  } else if (cJSON_IsObject(json) &&
             cJSON_GetObjectItemCaseSensitive(json, "benchmark_id") != NULL) {
    rc = add_record(out, json, 0, src, err);
    goto cleanup;
  } else if (cJSON_IsObject(json)) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, "commit");
    if (cJSON_IsString(v)) copy_str(out->commit, sizeof out->commit, v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(json, "measured_at");
    if (cJSON_IsString(v)) copy_str(out->measured_at, sizeof out->measured_at, v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(json, "machine");
    if (cJSON_IsObject(v) && (out->machine = cJSON_Duplicate(v, 1)) == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory copying %s machine", src);
      goto cleanup;
    }
    v = cJSON_GetObjectItemCaseSensitive(json, "samples");
    if (cJSON_IsObject(v) && (out->samples = cJSON_Duplicate(v, 1)) == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory copying %s samples", src);
      goto cleanup;
    }
    v = cJSON_GetObjectItemCaseSensitive(json, "calibration");
    if (cJSON_IsObject(v) && (out->calibration = cJSON_Duplicate(v, 1)) == NULL) {
      rc = bench_err_set(err, BENCH_ENOMEM, "out of memory copying %s calibration", src);
      goto cleanup;
    }
    list = cJSON_GetObjectItemCaseSensitive(json, "results");
    if (!cJSON_IsArray(list)) {
      rc = bench_err_set(err, BENCH_EINVAL,
                         "%s: expected a \"results\" array of PerformanceBenchmarkResult records",
                         src);
      goto cleanup;
    }
  } else {
    rc = bench_err_set(err, BENCH_EINVAL,
                       "%s: expected a JSON object with \"results\", an array of records or one "
                       "record",
                       src);
    goto cleanup;
  }
  int i = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, list) {
    rc = add_record(out, item, i++, src, err);
    if (rc != BENCH_OK) goto cleanup;
  }
cleanup:
  if (rc != BENCH_OK) bench_set_free(out);
  return rc;
}

int bench_set_load(const char *path, int missing_ok, bench_set *out, bench_err *err) {
  int rc = BENCH_OK, e = 0;
  char *text = NULL;
  cJSON *json = NULL;
  assert(path != NULL && out != NULL);
  memset(out, 0, sizeof *out);
  rc = bench_read_file(path, &text, &e, err);
  if (rc != BENCH_OK) {
    if (e == ENOENT && missing_ok) {
      bench_err_clear(err);
      copy_str(out->source, sizeof out->source, path);
      rc = BENCH_OK;
    }
    goto cleanup;
  }
  json = cJSON_Parse(text);
  if (json == NULL) {
    rc = bench_err_set(err, BENCH_EINVAL, "%s is not JSON (near byte %ld)", path,
                       (long)(cJSON_GetErrorPtr() != NULL ? cJSON_GetErrorPtr() - text : 0));
    goto cleanup;
  }
  rc = bench_set_from_json(json, path, out, err);
cleanup:
  cJSON_Delete(json);
  free(text);
  return rc;
}

/* Sets (*obj)[key] to an array of the n values, each rounded to `decimals` places; creates *obj
 * when NULL. BENCH_ENOMEM (nothing changed). */
static int put_array(cJSON **obj, const char *key, const double *v, size_t n, int decimals,
                     bench_err *err) {
  double scale = decimals == 2 ? 100.0 : 10000.0;
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; arr != NULL && i < n; i++) {
    cJSON *num = cJSON_CreateNumber(decimals == 2 ? mdl_round2(v[i]) : round(v[i] * scale) / scale);
    if (num == NULL || !cJSON_AddItemToArray(arr, num)) {
      cJSON_Delete(num);
      cJSON_Delete(arr);
      arr = NULL;
    }
  }
  if (arr == NULL || (*obj == NULL && (*obj = cJSON_CreateObject()) == NULL)) {
    cJSON_Delete(arr);
    return bench_err_set(err, BENCH_ENOMEM, "out of memory storing %s values", key);
  }
  cJSON_DeleteItemFromObjectCaseSensitive(*obj, key);
  if (!cJSON_AddItemToObject(*obj, key, arr)) {
    cJSON_Delete(arr);
    return bench_err_set(err, BENCH_ENOMEM, "out of memory storing %s values", key);
  }
  return BENCH_OK;
}

int bench_set_put(bench_set *s, mdl_benchmark_result *r, const double *samples, size_t n,
                  bench_err *err) {
  int rc;
  mdl_err me;
  assert(s != NULL && r != NULL);
  if (mdl_benchmark_result_validate(r, &me) != MDL_OK)
    return bench_err_set(err, BENCH_EINVAL, "record for %s is invalid: field '%s': %s",
                         mdl_operation_type_name(r->operation_type), me.field, me.msg);
  if (samples != NULL && n > 0 &&
      (rc = put_array(&s->samples, mdl_operation_type_name(r->operation_type), samples, n, 2,
                      err)) != BENCH_OK)
    return rc;
  /* A calibration belongs to the samples it was taken with: new samples drop the old one. */
  if (s->calibration != NULL)
    cJSON_DeleteItemFromObjectCaseSensitive(s->calibration,
                                            mdl_operation_type_name(r->operation_type));
  s->present = 1;
  mdl_benchmark_result_free(&s->results[r->operation_type]);
  s->results[r->operation_type] = *r;
  s->has[r->operation_type] = 1;
  memset(r, 0, sizeof *r);
  return BENCH_OK;
}

int bench_set_put_calibration(bench_set *s, mdl_operation_type op, const double *calib_ms, size_t n,
                              bench_err *err) {
  assert(s != NULL);
  const cJSON *smp = op < MDL_OP_COUNT ? bench_set_samples(s, op) : NULL;
  if (smp == NULL || calib_ms == NULL || (size_t)cJSON_GetArraySize(smp) != n)
    return bench_err_set(err, BENCH_EINVAL,
                         "calibration of %s: %zu value(s) for %d stored sample(s); store the "
                         "samples first, one calibration value per sample",
                         op < MDL_OP_COUNT ? mdl_operation_type_name(op) : "?", n,
                         smp != NULL ? cJSON_GetArraySize(smp) : 0);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(calib_ms[i]) || calib_ms[i] <= 0)
      return bench_err_set(err, BENCH_EINVAL,
                           "calibration of %s: value %zu must be a finite time > 0 ms (got %g)",
                           mdl_operation_type_name(op), i, calib_ms[i]);
  return put_array(&s->calibration, mdl_operation_type_name(op), calib_ms, n, 4, err);
}

const cJSON *bench_set_calibration(const bench_set *s, mdl_operation_type op) {
  assert(s != NULL);
  if (s->calibration == NULL || op >= MDL_OP_COUNT) return NULL;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(s->calibration, mdl_operation_type_name(op));
  return cJSON_IsArray(a) ? a : NULL;
}

void bench_set_drop(bench_set *s, mdl_operation_type op) {
  assert(s != NULL && (int)op >= 0 && op < MDL_OP_COUNT);
  if (!s->has[op]) return;
  mdl_benchmark_result_free(&s->results[op]);
  memset(&s->results[op], 0, sizeof s->results[op]);
  s->has[op] = 0;
  if (s->samples != NULL)
    cJSON_DeleteItemFromObjectCaseSensitive(s->samples, mdl_operation_type_name(op));
}

const cJSON *bench_set_samples(const bench_set *s, mdl_operation_type op) {
  assert(s != NULL);
  if (s->samples == NULL || op >= MDL_OP_COUNT) return NULL;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(s->samples, mdl_operation_type_name(op));
  return cJSON_IsArray(a) ? a : NULL;
}

double *bench_numbers(const cJSON *a, size_t *n, int *oom) {
  assert(n != NULL);
  *n = 0;
  if (oom != NULL) *oom = 0;
  int len = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
  if (len <= 0) return NULL;
  double *v = malloc((size_t)len * sizeof *v);
  if (v == NULL) {
    if (oom != NULL) *oom = 1;
    return NULL;
  }
  const cJSON *x;
  cJSON_ArrayForEach(x, a) if (cJSON_IsNumber(x)) v[(*n)++] = x->valuedouble;
  if (*n == 0) {
    free(v);
    return NULL;
  }
  return v;
}

cJSON *bench_set_to_json(const bench_set *s) {
  cJSON *root = cJSON_CreateObject(), *results = NULL;
  assert(s != NULL);
  if (root == NULL) return NULL;
  cJSON_AddStringToObject(root, "format", BENCH_SET_FORMAT);
  if (s->commit[0] != '\0')
    cJSON_AddStringToObject(root, "commit", s->commit);
  else
    cJSON_AddNullToObject(root, "commit");
  if (s->measured_at[0] != '\0')
    cJSON_AddStringToObject(root, "measured_at", s->measured_at);
  else
    cJSON_AddNullToObject(root, "measured_at");
  if (s->machine != NULL)
    cJSON_AddItemToObject(root, "machine", cJSON_Duplicate(s->machine, 1));
  else
    cJSON_AddNullToObject(root, "machine");
  results = cJSON_AddArrayToObject(root, "results");
  int expected = 0;
  for (int i = 0; results != NULL && i < MDL_OP_COUNT; i++) {
    if (!s->has[i]) continue;
    expected++;
    cJSON_AddItemToArray(results, mdl_benchmark_result_to_json(&s->results[i]));
  }
  if (s->samples != NULL) cJSON_AddItemToObject(root, "samples", cJSON_Duplicate(s->samples, 1));
  if (s->calibration != NULL)
    cJSON_AddItemToObject(root, "calibration", cJSON_Duplicate(s->calibration, 1));
  if (results == NULL || cJSON_GetArraySize(results) != expected) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

int bench_set_write(const bench_set *s, const char *path, bench_err *err) {
  int rc = BENCH_OK;
  cJSON *json = NULL;
  char *text = NULL, *withnl = NULL;
  assert(s != NULL && path != NULL);
  json = bench_set_to_json(s);
  if (json != NULL) text = cJSON_Print(json);
  if (text == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory serialising results for %s", path);
    goto cleanup;
  }
  size_t n = strlen(text);
  withnl = malloc(n + 2);
  if (withnl == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory serialising results for %s", path);
    goto cleanup;
  }
  memcpy(withnl, text, n);
  withnl[n] = '\n';
  withnl[n + 1] = '\0';
  rc = bench_write_file(path, withnl, err);
cleanup:
  free(withnl);
  free(text);
  cJSON_Delete(json);
  return rc;
}
