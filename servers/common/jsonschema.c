/* jsonschema.c — the JSON Schema subset of jsonschema.h, applied recursively.
 *
 * Paths are built in a fixed buffer on the stack of each level (bounded at SCHEMA_PATH_MAX; a
 * deeper path is cut with "..."), and recursion is bounded at SCHEMA_DEPTH_MAX so hostile input
 * cannot exhaust the stack. The first violation wins: the message names one problem the caller
 * can fix. */
#include "servers/common/jsonschema.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "servers/common/pattern.h"

#define SCHEMA_PATH_MAX 256
#define SCHEMA_DEPTH_MAX 32
/* Integers are those a double holds exactly (|n| <= 2^53 - 1), so converting one to a C integer
 * is always defined: "version": 1e300 is not an integer argument. */
#define SAFE_INTEGER_MAX 9007199254740991.0

/* ---- helpers ------------------------------------------------------------------------------- */

static const char *json_type_name(const cJSON *v) {
  if (cJSON_IsNull(v)) return "null";
  if (cJSON_IsBool(v)) return "boolean";
  if (cJSON_IsNumber(v)) {
    double d = v->valuedouble;
    return (isfinite(d) && d == floor(d) && fabs(d) <= SAFE_INTEGER_MAX) ? "integer" : "number";
  }
  if (cJSON_IsString(v)) return "string";
  if (cJSON_IsArray(v)) return "array";
  if (cJSON_IsObject(v)) return "object";
  return "invalid";
}

static int is_integer(const cJSON *v) {
  return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble) &&
         fabs(v->valuedouble) <= SAFE_INTEGER_MAX;
}

/* Formats a number the way the caller wrote it where possible: integers without a fraction. */
static void fmt_num(char *buf, size_t n, double d) {
  if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
    snprintf(buf, n, "%.0f", d);
  else
    snprintf(buf, n, "%g", d);
}

/* A short rendering of a value for messages: strings quoted and cut at 40 characters. */
static void fmt_value(char *buf, size_t n, const cJSON *v) {
  if (cJSON_IsString(v)) {
    size_t len = strlen(v->valuestring);
    if (len > 40)
      snprintf(buf, n, "\"%.40s...\"", v->valuestring);
    else
      snprintf(buf, n, "\"%s\"", v->valuestring);
  } else if (cJSON_IsNumber(v)) {
    fmt_num(buf, n, v->valuedouble);
  } else if (cJSON_IsBool(v)) {
    snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
  } else {
    snprintf(buf, n, "%s", json_type_name(v));
  }
}

static void child_path(char *out, const char *parent, const char *key) {
  int w = snprintf(out, SCHEMA_PATH_MAX, "%s.%s", parent, key);
  if (w >= SCHEMA_PATH_MAX) memcpy(out + SCHEMA_PATH_MAX - 4, "...", 4);
}

static void index_path(char *out, const char *parent, int i) {
  int w = snprintf(out, SCHEMA_PATH_MAX, "%s[%d]", parent, i);
  if (w >= SCHEMA_PATH_MAX) memcpy(out + SCHEMA_PATH_MAX - 4, "...", 4);
}

static size_t utf8_len(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) n++;
  return n;
}

static int type_matches(const char *want, const cJSON *v) {
  if (strcmp(want, "integer") == 0) return is_integer(v);
  if (strcmp(want, "number") == 0) return cJSON_IsNumber(v);
  if (strcmp(want, "string") == 0) return cJSON_IsString(v);
  if (strcmp(want, "boolean") == 0) return cJSON_IsBool(v);
  if (strcmp(want, "object") == 0) return cJSON_IsObject(v);
  if (strcmp(want, "array") == 0) return cJSON_IsArray(v);
  if (strcmp(want, "null") == 0) return cJSON_IsNull(v);
  return 0;
}

static int known_type(const char *t) {
  static const char *const names[] = {"integer", "number", "string", "boolean",
                                      "object",  "array",  "null"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(t, names[i]) == 0) return 1;
  return 0;
}

static double num_kw(const cJSON *schema, const char *kw, int *present) {
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(schema, kw);
  *present = cJSON_IsNumber(k);
  return *present ? k->valuedouble : 0.0;
}

/* ---- validation ----------------------------------------------------------------------------- */

static srv_code validate(const cJSON *schema, const cJSON *v, const char *path, int depth,
                         srv_err *err);

static srv_code check_type(const cJSON *schema, const cJSON *v, const char *path, srv_err *err) {
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(schema, "type");
  char got[64];
  if (t == NULL) return SRV_OK;
  if (cJSON_IsString(t)) {
    if (type_matches(t->valuestring, v)) return SRV_OK;
    fmt_value(got, sizeof got, v);
    if (strcmp(t->valuestring, "integer") == 0 && cJSON_IsNumber(v) &&
        v->valuedouble == floor(v->valuedouble))
      return srv_err_set(err, SRV_EINVAL,
                         "%s must be an integer between -9007199254740991 and 9007199254740991 "
                         "(got %s)",
                         path, got);
    return srv_err_set(
        err, SRV_EINVAL, "%s must be %s %s (got %s)", path,
        (t->valuestring[0] == 'a' || t->valuestring[0] == 'i' || t->valuestring[0] == 'o') ? "an"
                                                                                           : "a",
        t->valuestring, got);
  }
  if (cJSON_IsArray(t)) {
    char names[128] = "";
    size_t used = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, t) {
      if (!cJSON_IsString(e)) continue;
      if (type_matches(e->valuestring, v)) return SRV_OK;
      int w =
          snprintf(names + used, sizeof names - used, "%s%s", used ? " or " : "", e->valuestring);
      if (w > 0 && (size_t)w < sizeof names - used) used += (size_t)w;
    }
    fmt_value(got, sizeof got, v);
    return srv_err_set(err, SRV_EINVAL, "%s must be of type %s (got %s)", path, names, got);
  }
  return SRV_OK;
}

static srv_code check_enum(const cJSON *schema, const cJSON *v, const char *path, srv_err *err) {
  const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
  const cJSON *cn = cJSON_GetObjectItemCaseSensitive(schema, "const");
  char got[64];
  if (cn != NULL && !cJSON_Compare(cn, v, 1)) {
    char want[64];
    fmt_value(want, sizeof want, cn);
    fmt_value(got, sizeof got, v);
    return srv_err_set(err, SRV_EINVAL, "%s must be %s (got %s)", path, want, got);
  }
  if (cJSON_IsArray(en)) {
    char names[256] = "";
    size_t used = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, en) {
      if (cJSON_Compare(e, v, 1)) return SRV_OK;
      char one[64];
      fmt_value(one, sizeof one, e);
      int w = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", one);
      if (w > 0 && (size_t)w < sizeof names - used) used += (size_t)w;
    }
    fmt_value(got, sizeof got, v);
    return srv_err_set(err, SRV_EINVAL, "%s must be one of %s (got %s)", path, names, got);
  }
  return SRV_OK;
}

static srv_code check_number(const cJSON *schema, const cJSON *v, const char *path, srv_err *err) {
  int has;
  double lim, d = v->valuedouble;
  char a[48], b[48];
  fmt_num(b, sizeof b, d);
  lim = num_kw(schema, "minimum", &has);
  if (has && d < lim) {
    fmt_num(a, sizeof a, lim);
    return srv_err_set(err, SRV_EINVAL, "%s must be >= %s (got %s)", path, a, b);
  }
  lim = num_kw(schema, "maximum", &has);
  if (has && d > lim) {
    fmt_num(a, sizeof a, lim);
    return srv_err_set(err, SRV_EINVAL, "%s must be <= %s (got %s)", path, a, b);
  }
  lim = num_kw(schema, "exclusiveMinimum", &has);
  if (has && d <= lim) {
    fmt_num(a, sizeof a, lim);
    return srv_err_set(err, SRV_EINVAL, "%s must be > %s (got %s)", path, a, b);
  }
  lim = num_kw(schema, "exclusiveMaximum", &has);
  if (has && d >= lim) {
    fmt_num(a, sizeof a, lim);
    return srv_err_set(err, SRV_EINVAL, "%s must be < %s (got %s)", path, a, b);
  }
  return SRV_OK;
}

static srv_code check_string(const cJSON *schema, const cJSON *v, const char *path, srv_err *err) {
  int has;
  double lim;
  size_t len = utf8_len(v->valuestring);
  const cJSON *pat = cJSON_GetObjectItemCaseSensitive(schema, "pattern");
  lim = num_kw(schema, "minLength", &has);
  if (has && (double)len < lim)
    return srv_err_set(err, SRV_EINVAL, "%s must be at least %.0f characters long (got %zu)", path,
                       lim, len);
  lim = num_kw(schema, "maxLength", &has);
  if (has && (double)len > lim)
    return srv_err_set(err, SRV_EINVAL, "%s must be at most %.0f characters long (got %zu)", path,
                       lim, len);
  if (cJSON_IsString(pat)) {
    int matched = 0;
    char where[SCHEMA_PATH_MAX + 32];
    snprintf(where, sizeof where, "the schema pattern for %s", path);
    srv_code rc = srv_pattern_match(pat->valuestring, v->valuestring, &matched, where, err);
    if (rc != SRV_OK) return rc;
    if (!matched) {
      char got[64];
      fmt_value(got, sizeof got, v);
      return srv_err_set(err, SRV_EINVAL, "%s must match the pattern %s (got %s)", path,
                         pat->valuestring, got);
    }
  }
  return SRV_OK;
}

static srv_code check_array(const cJSON *schema, const cJSON *v, const char *path, int depth,
                            srv_err *err) {
  int has, i = 0;
  double lim;
  int n = cJSON_GetArraySize(v);
  const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
  const cJSON *e;
  lim = num_kw(schema, "minItems", &has);
  if (has && (double)n < lim)
    return srv_err_set(err, SRV_EINVAL, "%s must have at least %.0f items (got %d)", path, lim, n);
  lim = num_kw(schema, "maxItems", &has);
  if (has && (double)n > lim)
    return srv_err_set(err, SRV_EINVAL, "%s must have at most %.0f items (got %d)", path, lim, n);
  if (!cJSON_IsObject(items)) return SRV_OK;
  cJSON_ArrayForEach(e, v) {
    char sub[SCHEMA_PATH_MAX];
    srv_code rc;
    index_path(sub, path, i++);
    rc = validate(items, e, sub, depth + 1, err);
    if (rc != SRV_OK) return rc;
  }
  return SRV_OK;
}

static srv_code check_object(const cJSON *schema, const cJSON *v, const char *path, int depth,
                             srv_err *err) {
  const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
  const cJSON *addl = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
  const cJSON *e;
  if (cJSON_IsArray(req)) {
    cJSON_ArrayForEach(e, req) {
      if (cJSON_IsString(e) && cJSON_GetObjectItemCaseSensitive(v, e->valuestring) == NULL) {
        char sub[SCHEMA_PATH_MAX];
        child_path(sub, path, e->valuestring);
        return srv_err_set(err, SRV_EINVAL, "%s is required", sub);
      }
    }
  }
  cJSON_ArrayForEach(e, v) {
    char sub[SCHEMA_PATH_MAX];
    const cJSON *ps = cJSON_IsObject(props) && e->string
                          ? cJSON_GetObjectItemCaseSensitive(props, e->string)
                          : NULL;
    srv_code rc;
    child_path(sub, path, e->string ? e->string : "?");
    if (ps != NULL) {
      rc = validate(ps, e, sub, depth + 1, err);
      if (rc != SRV_OK) return rc;
    } else if (cJSON_IsFalse(addl)) {
      char names[200] = "";
      size_t used = 0;
      const cJSON *p;
      if (cJSON_IsObject(props)) {
        cJSON_ArrayForEach(p, props) {
          int w = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", p->string);
          if (w > 0 && (size_t)w < sizeof names - used) used += (size_t)w;
        }
      }
      return srv_err_set(err, SRV_EINVAL, "%s is not an allowed property (allowed: %s)", sub,
                         used ? names : "none");
    } else if (cJSON_IsObject(addl)) {
      rc = validate(addl, e, sub, depth + 1, err);
      if (rc != SRV_OK) return rc;
    }
  }
  return SRV_OK;
}

static srv_code validate(const cJSON *schema, const cJSON *v, const char *path, int depth,
                         srv_err *err) {
  srv_code rc;
  if (depth > SCHEMA_DEPTH_MAX)
    return srv_err_set(err, SRV_EINVAL, "%s is nested too deeply (more than %d levels)", path,
                       SCHEMA_DEPTH_MAX);
  if (cJSON_IsTrue(schema)) return SRV_OK;
  if (cJSON_IsFalse(schema)) return srv_err_set(err, SRV_EINVAL, "%s is not allowed here", path);
  if (!cJSON_IsObject(schema)) return SRV_OK;
  if ((rc = check_type(schema, v, path, err)) != SRV_OK) return rc;
  if ((rc = check_enum(schema, v, path, err)) != SRV_OK) return rc;
  if (cJSON_IsNumber(v)) return check_number(schema, v, path, err);
  if (cJSON_IsString(v)) return check_string(schema, v, path, err);
  if (cJSON_IsArray(v)) return check_array(schema, v, path, depth, err);
  if (cJSON_IsObject(v)) return check_object(schema, v, path, depth, err);
  return SRV_OK;
}

/* Depth of v with the path of its deepest value, stopping once max is passed. */
static int depth_of(const cJSON *v, int max, const char *path, char *deepest) {
  int best = 1;
  const cJSON *e;
  int i = 0;
  if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) return 0;
  if (max <= 0) {
    snprintf(deepest, SCHEMA_PATH_MAX, "%s", path);
    return 1;
  }
  cJSON_ArrayForEach(e, v) {
    char sub[SCHEMA_PATH_MAX];
    if (cJSON_IsArray(v))
      index_path(sub, path, i++);
    else
      child_path(sub, path, e->string ? e->string : "?");
    int d = 1 + depth_of(e, max - 1, sub, deepest);
    if (d > best) best = d;
    if (best > max) break;
  }
  return best;
}

srv_code srv_json_check_depth(const cJSON *value, int max_depth, const char *path, srv_err *err) {
  char deepest[SCHEMA_PATH_MAX];
  assert(value != NULL && path != NULL && max_depth > 0);
  deepest[0] = '\0';
  if (depth_of(value, max_depth, path, deepest) <= max_depth) return SRV_OK;
  return srv_err_set(err, SRV_EINVAL,
                     "%s nests objects and arrays more than %d levels deep (at %.200s); flatten "
                     "it",
                     path, max_depth, deepest);
}

srv_code srv_schema_validate(const cJSON *schema, const cJSON *value, const char *path,
                             srv_err *err) {
  assert(schema != NULL && value != NULL && path != NULL);
  return validate(schema, value, path, 0, err);
}

/* ---- schema self-check ------------------------------------------------------------------------
 */

static srv_code check_schema(const cJSON *s, const char *path, int depth, srv_err *err) {
  static const char *const numeric[] = {"minimum",          "maximum",   "exclusiveMinimum",
                                        "exclusiveMaximum", "minLength", "maxLength",
                                        "minItems",         "maxItems"};
  const cJSON *t, *e;
  if (depth > SCHEMA_DEPTH_MAX)
    return srv_err_set(err, SRV_EINVAL, "schema %s is nested too deeply", path);
  if (cJSON_IsBool(s)) return SRV_OK;
  if (!cJSON_IsObject(s)) return srv_err_set(err, SRV_EINVAL, "schema %s must be an object", path);
  t = cJSON_GetObjectItemCaseSensitive(s, "type");
  if (t != NULL) {
    if (cJSON_IsString(t)) {
      if (!known_type(t->valuestring))
        return srv_err_set(err, SRV_EINVAL, "schema %s.type \"%s\" is not a JSON Schema type", path,
                           t->valuestring);
    } else if (cJSON_IsArray(t)) {
      cJSON_ArrayForEach(e, t) {
        if (!cJSON_IsString(e) || !known_type(e->valuestring))
          return srv_err_set(err, SRV_EINVAL, "schema %s.type lists an unknown type", path);
      }
    } else {
      return srv_err_set(err, SRV_EINVAL, "schema %s.type must be a string or a list", path);
    }
  }
  for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
    e = cJSON_GetObjectItemCaseSensitive(s, numeric[i]);
    if (e != NULL && !cJSON_IsNumber(e))
      return srv_err_set(err, SRV_EINVAL, "schema %s.%s must be a number", path, numeric[i]);
  }
  e = cJSON_GetObjectItemCaseSensitive(s, "required");
  if (e != NULL) {
    const cJSON *r;
    if (!cJSON_IsArray(e))
      return srv_err_set(err, SRV_EINVAL, "schema %s.required must be a list of names", path);
    cJSON_ArrayForEach(r, e) {
      if (!cJSON_IsString(r))
        return srv_err_set(err, SRV_EINVAL, "schema %s.required must be a list of names", path);
    }
  }
  e = cJSON_GetObjectItemCaseSensitive(s, "enum");
  if (e != NULL && !cJSON_IsArray(e))
    return srv_err_set(err, SRV_EINVAL, "schema %s.enum must be a list", path);
  e = cJSON_GetObjectItemCaseSensitive(s, "pattern");
  if (e != NULL) {
    char where[SCHEMA_PATH_MAX + 32];
    snprintf(where, sizeof where, "schema %s.pattern", path);
    if (!cJSON_IsString(e))
      return srv_err_set(err, SRV_EINVAL, "%s must be a POSIX extended regular expression", where);
    srv_code rc = srv_pattern_check(e->valuestring, where, err);
    if (rc != SRV_OK) return rc;
  }
  e = cJSON_GetObjectItemCaseSensitive(s, "properties");
  if (e != NULL) {
    const cJSON *p;
    if (!cJSON_IsObject(e))
      return srv_err_set(err, SRV_EINVAL, "schema %s.properties must be an object", path);
    cJSON_ArrayForEach(p, e) {
      char sub[SCHEMA_PATH_MAX];
      srv_code rc;
      child_path(sub, path, p->string);
      rc = check_schema(p, sub, depth + 1, err);
      if (rc != SRV_OK) return rc;
    }
  }
  e = cJSON_GetObjectItemCaseSensitive(s, "items");
  if (e != NULL) {
    char sub[SCHEMA_PATH_MAX];
    child_path(sub, path, "items");
    srv_code rc = check_schema(e, sub, depth + 1, err);
    if (rc != SRV_OK) return rc;
  }
  e = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
  if (e != NULL) {
    char sub[SCHEMA_PATH_MAX];
    child_path(sub, path, "additionalProperties");
    srv_code rc = check_schema(e, sub, depth + 1, err);
    if (rc != SRV_OK) return rc;
  }
  return SRV_OK;
}

srv_code srv_schema_check(const cJSON *schema, const char *path, srv_err *err) {
  assert(schema != NULL && path != NULL);
  return check_schema(schema, path, 0, err);
}
