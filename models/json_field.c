/* json_field.c — typed cJSON field access with field-path errors (see json_field.h). */
#include "models/json_field.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/stats.h"

/* Paths longer than MDL_FIELD_MAX are truncated on purpose (error.h); -c opt's _FORTIFY_SOURCE
 * would otherwise turn gcc's -Wformat-truncation into an error here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
void mdl_jf_path(char out[MDL_FIELD_MAX], const char *prefix, const char *key) {
  if (prefix == NULL || prefix[0] == '\0')
    snprintf(out, MDL_FIELD_MAX, "%s", key);
  else
    snprintf(out, MDL_FIELD_MAX, "%s.%s", prefix, key);
}
#pragma GCC diagnostic pop

void mdl_jf_index(char out[MDL_FIELD_MAX], const char *prefix, const char *key, size_t i) {
  if (prefix == NULL || prefix[0] == '\0')
    snprintf(out, MDL_FIELD_MAX, "%s[%zu]", key, i);
  else
    snprintf(out, MDL_FIELD_MAX, "%s.%s[%zu]", prefix, key, i);
}

/* The last component of a path, for messages ("connection_pool.free" -> "free"). */
static const char *leaf(const char *path) {
  const char *dot = strrchr(path, '.');
  return dot != NULL ? dot + 1 : path;
}

const cJSON *mdl_jf_item(const cJSON *obj, const char *key) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  return it == NULL || cJSON_IsNull(it) ? NULL : it;
}

const char *mdl_jf_type_name(const cJSON *j) {
  if (j == NULL || cJSON_IsNull(j)) return "null";
  if (cJSON_IsBool(j)) return "boolean";
  if (cJSON_IsNumber(j)) return "number";
  if (cJSON_IsString(j)) return "string";
  if (cJSON_IsArray(j)) return "array";
  if (cJSON_IsObject(j)) return "object";
  return "invalid";
}

mdl_code mdl_jf_expect_object(const cJSON *j, const char *path, mdl_err *err) {
  if (cJSON_IsObject(j)) return MDL_OK;
  const char *name = path[0] != '\0' ? path : "record";
  return mdl_err_set(err, MDL_ETYPE, path, "%s must be a JSON object (got %s)", name,
                     mdl_jf_type_name(j));
}

/* Looks key up; handles absent/required. *item NULL with MDL_OK means optional and absent. */
static mdl_code lookup(const cJSON *obj, const char *prefix, const char *key, bool required,
                       const cJSON **item, bool *present, char path[MDL_FIELD_MAX], mdl_err *err) {
  mdl_jf_path(path, prefix, key);
  *item = mdl_jf_item(obj, key);
  if (present != NULL) *present = *item != NULL;
  if (*item == NULL && required) return mdl_err_set(err, MDL_EMISSING, path, "%s is required", key);
  return MDL_OK;
}

static mdl_code wrong_type(const char *path, const char *want, const cJSON *got, mdl_err *err) {
  return mdl_err_set(err, MDL_ETYPE, path, "%s must be %s (got %s)", leaf(path), want,
                     mdl_jf_type_name(got));
}

mdl_code mdl_jf_number(const cJSON *obj, const char *prefix, const char *key, bool required,
                       double *out, bool *present, mdl_err *err) {
  char path[MDL_FIELD_MAX];
  const cJSON *it;
  mdl_code rc = lookup(obj, prefix, key, required, &it, present, path, err);
  if (rc != MDL_OK || it == NULL) return rc;
  if (!cJSON_IsNumber(it)) return wrong_type(path, "a number", it, err);
  if (!isfinite(it->valuedouble))
    return mdl_err_set(err, MDL_ERANGE, path, "%s must be a finite number", key);
  *out = it->valuedouble;
  return MDL_OK;
}

mdl_code mdl_jf_int(const cJSON *obj, const char *prefix, const char *key, bool required,
                    int64_t *out, bool *present, mdl_err *err) {
  char path[MDL_FIELD_MAX];
  const cJSON *it;
  mdl_code rc = lookup(obj, prefix, key, required, &it, present, path, err);
  if (rc != MDL_OK || it == NULL) return rc;
  if (!cJSON_IsNumber(it)) return wrong_type(path, "an integer", it, err);
  double v = it->valuedouble;
  if (!isfinite(v) || v != floor(v))
    return mdl_err_set(err, MDL_ETYPE, path, "%s must be an integer (got %g)", key, v);
  if (fabs(v) > MDL_MAX_SAFE_INT)
    return mdl_err_set(err, MDL_ERANGE, path, "%s must be an integer within +-2^53 (got %g)", key,
                       v);
  *out = (int64_t)v;
  return MDL_OK;
}

mdl_code mdl_jf_string(const cJSON *obj, const char *prefix, const char *key, bool required,
                       const char **out, bool *present, mdl_err *err) {
  char path[MDL_FIELD_MAX];
  const cJSON *it;
  mdl_code rc = lookup(obj, prefix, key, required, &it, present, path, err);
  if (rc != MDL_OK || it == NULL) return rc;
  if (!cJSON_IsString(it) || it->valuestring == NULL) return wrong_type(path, "a string", it, err);
  *out = it->valuestring;
  return MDL_OK;
}

mdl_code mdl_jf_strdup(const cJSON *obj, const char *prefix, const char *key, bool required,
                       char **out, mdl_err *err) {
  const char *s = NULL;
  bool present = false;
  mdl_code rc = mdl_jf_string(obj, prefix, key, required, &s, &present, err);
  if (rc != MDL_OK || !present || s == NULL) return rc;
  *out = strdup(s);
  if (*out == NULL) {
    char path[MDL_FIELD_MAX];
    mdl_jf_path(path, prefix, key);
    return mdl_err_set(err, MDL_ENOMEM, path, "out of memory copying %s", key);
  }
  return MDL_OK;
}

mdl_code mdl_jf_enum(const cJSON *obj, const char *prefix, const char *key, bool required,
                     const char *const *names, int count, int *out, bool *present, mdl_err *err) {
  const char *s = NULL;
  bool have = false;
  mdl_code rc = mdl_jf_string(obj, prefix, key, required, &s, &have, err);
  if (present != NULL) *present = have;
  if (rc != MDL_OK || !have || s == NULL) return rc;
  for (int i = 0; i < count; i++) {
    if (strcmp(s, names[i]) == 0) {
      *out = i;
      return MDL_OK;
    }
  }
  char allowed[160] = "";
  size_t used = 0;
  for (int i = 0; i < count && used < sizeof allowed; i++) {
    int n =
        snprintf(allowed + used, sizeof allowed - used, "%s\"%s\"", i > 0 ? ", " : "", names[i]);
    if (n < 0) break;
    used += (size_t)n;
  }
  char path[MDL_FIELD_MAX];
  mdl_jf_path(path, prefix, key);
  return mdl_err_set(err, MDL_EENUM, path, "%s must be one of %s (got \"%.40s\")", key, allowed, s);
}

mdl_code mdl_jf_uuid(const cJSON *obj, const char *prefix, const char *key, char out[MDL_UUID_LEN],
                     mdl_err *err) {
  const char *s = NULL;
  mdl_code rc = mdl_jf_string(obj, prefix, key, true, &s, NULL, err);
  if (rc != MDL_OK) return rc;
  if (mdl_uuid_canonical(s, out, NULL) != MDL_OK) {
    char path[MDL_FIELD_MAX];
    mdl_jf_path(path, prefix, key);
    return mdl_err_set(err, MDL_ERANGE, path, "%s must be a UUID (8-4-4-4-12 hex digits)", key);
  }
  return MDL_OK;
}

mdl_code mdl_jf_time(const cJSON *obj, const char *prefix, const char *key, bool required,
                     char out[MDL_TIME_LEN], bool *present, mdl_err *err) {
  const char *s = NULL;
  bool have = false;
  mdl_code rc = mdl_jf_string(obj, prefix, key, required, &s, &have, err);
  if (present != NULL) *present = have;
  if (rc != MDL_OK || !have) return rc;
  mdl_err terr;
  if (mdl_time_canonical(s, out, &terr) != MDL_OK) {
    char path[MDL_FIELD_MAX];
    mdl_jf_path(path, prefix, key);
    return mdl_err_set(err, MDL_ERANGE, path, "%s %s", key, terr.msg);
  }
  return MDL_OK;
}

mdl_code mdl_jf_array(const cJSON *obj, const char *prefix, const char *key, bool required,
                      const cJSON **out, bool *present, mdl_err *err) {
  char path[MDL_FIELD_MAX];
  const cJSON *it;
  mdl_code rc = lookup(obj, prefix, key, required, &it, present, path, err);
  if (rc != MDL_OK || it == NULL) return rc;
  if (!cJSON_IsArray(it)) return wrong_type(path, "an array", it, err);
  *out = it;
  return MDL_OK;
}

mdl_code mdl_jf_object(const cJSON *obj, const char *prefix, const char *key, bool required,
                       const cJSON **out, bool *present, mdl_err *err) {
  char path[MDL_FIELD_MAX];
  const cJSON *it;
  mdl_code rc = lookup(obj, prefix, key, required, &it, present, path, err);
  if (rc != MDL_OK || it == NULL) return rc;
  if (!cJSON_IsObject(it)) return wrong_type(path, "an object", it, err);
  *out = it;
  return MDL_OK;
}

#define MAP_MAX_ENTRIES 1024 /* maps are small; the cap keeps lookups linear-time safe */

static mdl_code map_size_check(const cJSON *map, const char *path, const char *key, mdl_err *err) {
  if (cJSON_GetArraySize(map) <= MAP_MAX_ENTRIES) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must have at most %d entries", key,
                     MAP_MAX_ENTRIES);
}

/* Shared walk for both maps: checks member type, key length and duplicates. */
static mdl_code map_member_check(const cJSON *m, const char *path, const char *map_key,
                                 mdl_err *err) {
  char mpath[MDL_FIELD_MAX];
  mdl_jf_path(mpath, path, m->string != NULL ? m->string : "");
  if (m->string == NULL || m->string[0] == '\0')
    return mdl_err_set(err, MDL_ERANGE, path, "%s keys must not be empty", map_key);
  if (strlen(m->string) > MDL_KEY_MAX)
    return mdl_err_set(err, MDL_ERANGE, mpath, "%s keys must be at most %d bytes", map_key,
                       MDL_KEY_MAX);
  for (const cJSON *p = m->prev; p != NULL && p->next != NULL; p = p->prev) {
    if (p->string != NULL && strcmp(p->string, m->string) == 0)
      return mdl_err_set(err, MDL_ERULE, mpath, "%s has duplicate key \"%.40s\"", map_key,
                         m->string);
  }
  return MDL_OK;
}

mdl_code mdl_jf_params(const cJSON *obj, const char *prefix, const char *key, mdl_params *out,
                       mdl_err *err) {
  const cJSON *map = NULL;
  bool present = false;
  mdl_code rc = mdl_jf_object(obj, prefix, key, false, &map, &present, err);
  if (rc != MDL_OK || !present || map == NULL) return rc;
  char path[MDL_FIELD_MAX], mpath[MDL_FIELD_MAX];
  mdl_jf_path(path, prefix, key);
  MDL_TRY(map_size_check(map, path, key, err));
  for (const cJSON *m = map->child; m != NULL; m = m->next) {
    MDL_TRY(map_member_check(m, path, key, err));
    mdl_jf_path(mpath, path, m->string);
    if (cJSON_IsString(m) && m->valuestring != NULL) {
      MDL_TRY(mdl_params_set_string(out, m->string, m->valuestring, err));
    } else if (cJSON_IsNumber(m)) {
      double v = m->valuedouble;
      if (!isfinite(v)) {
        rc = mdl_err_set(err, MDL_ERANGE, mpath, "%s values must be finite numbers", key);
        goto cleanup;
      }
      if (v == floor(v) && fabs(v) <= MDL_MAX_SAFE_INT)
        MDL_TRY(mdl_params_set_int(out, m->string, (int64_t)v, err));
      else
        MDL_TRY(mdl_params_set_float(out, m->string, v, err));
    } else {
      rc = mdl_err_set(err, MDL_ETYPE, mpath,
                       "%s values must be a string, integer or float (got %s)", key,
                       mdl_jf_type_name(m));
      goto cleanup;
    }
  }
cleanup:
  if (rc != MDL_OK && err != NULL && err->field[0] == '\0')
    snprintf(err->field, sizeof err->field, "%s", path);
  return rc;
}

mdl_code mdl_jf_strmap(const cJSON *obj, const char *prefix, const char *key, mdl_strmap *out,
                       mdl_err *err) {
  const cJSON *map = NULL;
  bool present = false;
  mdl_code rc = mdl_jf_object(obj, prefix, key, false, &map, &present, err);
  if (rc != MDL_OK || !present || map == NULL) return rc;
  char path[MDL_FIELD_MAX], mpath[MDL_FIELD_MAX];
  mdl_jf_path(path, prefix, key);
  MDL_TRY(map_size_check(map, path, key, err));
  for (const cJSON *m = map->child; m != NULL; m = m->next) {
    MDL_TRY(map_member_check(m, path, key, err));
    if (!cJSON_IsString(m) || m->valuestring == NULL) {
      mdl_jf_path(mpath, path, m->string);
      rc = mdl_err_set(err, MDL_ETYPE, mpath, "%s values must be strings (got %s)", key,
                       mdl_jf_type_name(m));
      goto cleanup;
    }
    MDL_TRY(mdl_strmap_set(out, m->string, m->valuestring, err));
  }
cleanup:
  if (rc != MDL_OK && err != NULL && err->field[0] == '\0')
    snprintf(err->field, sizeof err->field, "%s", path);
  return rc;
}

mdl_code mdl_jf_check_finite(double v, const char *path, mdl_err *err) {
  if (isfinite(v)) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must be a finite number", leaf(path));
}

mdl_code mdl_jf_check_ge(double v, double min, const char *path, mdl_err *err) {
  if (isfinite(v) && v >= min) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must be >= %g (got %g)", leaf(path), min, v);
}

mdl_code mdl_jf_check_gt(double v, double min, const char *path, mdl_err *err) {
  if (isfinite(v) && v > min) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must be > %g (got %g)", leaf(path), min, v);
}

mdl_code mdl_jf_check_range(double v, double lo, double hi, const char *path, mdl_err *err) {
  if (isfinite(v) && v >= lo && v <= hi) return MDL_OK;
  return mdl_err_set(err, MDL_ERANGE, path, "%s must be between %g and %g (got %g)", leaf(path), lo,
                     hi, v);
}

mdl_code mdl_jf_check_order(double lo, const char *lo_key, double hi, const char *hi_key,
                            const char *prefix, mdl_err *err) {
  if (mdl_round2(lo) <= mdl_round2(hi)) return MDL_OK;
  char path[MDL_FIELD_MAX];
  mdl_jf_path(path, prefix, hi_key);
  return mdl_err_set(err, MDL_ERULE, path, "%s must be >= %s (got %.2f < %.2f)", hi_key, lo_key, hi,
                     lo);
}

bool mdl_jf_add_number(cJSON *o, const char *key, double v) {
  return cJSON_AddNumberToObject(o, key, v) != NULL;
}

bool mdl_jf_add_round2(cJSON *o, const char *key, double v) {
  return cJSON_AddNumberToObject(o, key, mdl_round2(v)) != NULL;
}

bool mdl_jf_add_int(cJSON *o, const char *key, int64_t v) {
  return cJSON_AddNumberToObject(o, key, (double)v) != NULL;
}

bool mdl_jf_add_string(cJSON *o, const char *key, const char *s) {
  return cJSON_AddStringToObject(o, key, s != NULL ? s : "") != NULL;
}

bool mdl_jf_add_null(cJSON *o, const char *key) {
  return cJSON_AddNullToObject(o, key) != NULL;
}

bool mdl_jf_add_item(cJSON *o, const char *key, cJSON *item) {
  if (item == NULL) return false;
  if (!cJSON_AddItemToObject(o, key, item)) {
    cJSON_Delete(item);
    return false;
  }
  return true;
}

cJSON *mdl_jf_params_to_json(const mdl_params *p) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  bool ok = true;
  for (size_t i = 0; i < p->count && ok; i++) {
    const mdl_param *e = &p->items[i];
    if (e->kind == MDL_PARAM_STRING)
      ok = mdl_jf_add_string(o, e->key, e->str);
    else if (e->kind == MDL_PARAM_INT)
      ok = mdl_jf_add_int(o, e->key, e->i);
    else
      ok = mdl_jf_add_number(o, e->key, e->f);
  }
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *mdl_jf_strmap_to_json(const mdl_strmap *m) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL) return NULL;
  for (size_t i = 0; i < m->count; i++) {
    if (!mdl_jf_add_string(o, m->items[i].key, m->items[i].value)) {
      cJSON_Delete(o);
      return NULL;
    }
  }
  return o;
}

cJSON *mdl_jf_dup(const cJSON *j, bool *oom) {
  if (j == NULL) return NULL;
  cJSON *c = cJSON_Duplicate(j, 1);
  if (c == NULL) *oom = true;
  return c;
}
