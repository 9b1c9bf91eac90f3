/* scenario.c — parsing, flow choice and templating of load scenarios (see scenario.h).
 *
 * Variables are collected from "values", from every "extract" and from the built-ins; templates
 * are checked at parse time against that set so a typo fails before the run. Whether an
 * extracted variable is set before it is used is only known at run time (the step that sets it
 * may fail), and then the iteration stops with error type "missing_value". */
#include "load/scenario.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/buf.h"

static int find_var(const ld_scenario *s, const char *name, size_t n) {
  for (int i = 0; i < s->nvars; i++)
    if (strlen(s->vars[i].name) == n && strncmp(s->vars[i].name, name, n) == 0) return i;
  return -1;
}

static int add_var(ld_scenario *s, const char *name, const char *where, ld_err *err) {
  int i = find_var(s, name, strlen(name));
  if (i >= 0) return i;
  if (s->nvars >= LD_MAX_VARS)
    return -ld_err_set(err, LD_EINVAL, "%s: more than %d variables", where, LD_MAX_VARS);
  if (name[0] == '\0' || strlen(name) >= LD_NAME_LEN)
    return -ld_err_set(err, LD_EINVAL, "%s: variable name must be 1-%d characters", where,
                       LD_NAME_LEN - 1);
  snprintf(s->vars[s->nvars].name, LD_NAME_LEN, "%s", name);
  return s->nvars++;
}

/* Checks every ${name} of t names a known variable. */
static int check_template(const ld_scenario *s, const char *t, const char *where, ld_err *err) {
  for (const char *p = strstr(t, "${"); p != NULL; p = strstr(p + 2, "${")) {
    const char *e = strchr(p + 2, '}');
    if (e == NULL) return ld_err_set(err, LD_EINVAL, "%s: \"${\" without a closing \"}\"", where);
    if (find_var(s, p + 2, (size_t)(e - p - 2)) < 0)
      return ld_err_set(err, LD_EINVAL,
                        "%s: unknown variable ${%.*s} (define it in \"values\", set it with "
                        "\"extract\" in an earlier step, or use ${vu}, ${iter}, ${rand})",
                        where, (int)(e - p - 2), p + 2);
  }
  return LD_OK;
}

static int copy_name(char *dst, const cJSON *j, const char *where, ld_err *err) {
  if (!cJSON_IsString(j) || j->valuestring[0] == '\0' || strlen(j->valuestring) >= LD_NAME_LEN)
    return ld_err_set(err, LD_EINVAL, "%s: must be a string of 1-%d characters", where,
                      LD_NAME_LEN - 1);
  snprintf(dst, LD_NAME_LEN, "%s", j->valuestring);
  return LD_OK;
}

static int parse_step(ld_scenario *s, ld_step *st, const cJSON *j, const char *where, ld_err *err) {
  char w[400];
  int rc;
  if (!cJSON_IsObject(j)) return ld_err_set(err, LD_EINVAL, "%s: must be an object", where);
  snprintf(w, sizeof w, "%s.name", where);
  if ((rc = copy_name(st->name, cJSON_GetObjectItemCaseSensitive(j, "name"), w, err))) return rc;
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
  const char *method = cJSON_IsString(m) ? m->valuestring : (m == NULL ? "GET" : NULL);
  if (method == NULL || (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "PUT") &&
                         strcmp(method, "DELETE") && strcmp(method, "PATCH")))
    return ld_err_set(err, LD_EINVAL, "%s.method: must be GET, POST, PUT, PATCH or DELETE", where);
  snprintf(st->method, sizeof st->method, "%s", method);
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "path");
  if (!cJSON_IsString(p) || p->valuestring[0] != '/')
    return ld_err_set(err, LD_EINVAL, "%s.path: must be a string starting with \"/\"", where);
  if ((st->path = strdup(p->valuestring)) == NULL)
    return ld_err_set(err, LD_ENOMEM, "out of memory");
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "body");
  if (b != NULL && !cJSON_IsNull(b)) {
    st->body = cJSON_IsString(b) ? strdup(b->valuestring) : cJSON_PrintUnformatted(b);
    if (st->body == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
  }
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "extract"), *e;
  if (x != NULL && !cJSON_IsObject(x))
    return ld_err_set(err, LD_EINVAL, "%s.extract: must be an object {variable: path}", where);
  cJSON_ArrayForEach(e, x) {
    if (st->nextract >= LD_MAX_EXTRACT)
      return ld_err_set(err, LD_EINVAL, "%s.extract: at most %d values", where, LD_MAX_EXTRACT);
    if (!cJSON_IsString(e) || e->valuestring[0] == '\0' || strlen(e->valuestring) >= 128)
      return ld_err_set(err, LD_EINVAL, "%s.extract.%s: must be a dotted path string", where,
                        e->string);
    snprintf(w, sizeof w, "%s.extract", where);
    int v = add_var(s, e->string, w, err);
    if (v < 0) return -v;
    st->extract[st->nextract].var = v;
    snprintf(st->extract[st->nextract].path, 128, "%s", e->valuestring);
    st->nextract++;
  }
  return LD_OK;
}

int ld_scenario_parse(const cJSON *json, ld_scenario **out, ld_err *err) {
  int rc = LD_OK;
  char w[240];
  *out = NULL;
  if (!cJSON_IsObject(json))
    return ld_err_set(err, LD_EINVAL,
                      "scenario: must be a JSON object with \"name\" and \"flows\"");
  ld_scenario *s = calloc(1, sizeof *s);
  if (s == NULL) return ld_err_set(err, LD_ENOMEM, "out of memory");
  if ((rc = copy_name(s->name, cJSON_GetObjectItemCaseSensitive(json, "name"), "name", err)))
    goto cleanup;
  static const char *builtins[] = {"vu", "iter", "rand"};
  for (int i = 0; i < 3; i++) {
    int v = add_var(s, builtins[i], "built-in", err);
    s->vars[v].builtin = i + 1;
  }
  const cJSON *vals = cJSON_GetObjectItemCaseSensitive(json, "values"), *v;
  if (vals != NULL && !cJSON_IsObject(vals)) {
    rc = ld_err_set(err, LD_EINVAL, "values: must be an object {name: [strings]}");
    goto cleanup;
  }
  cJSON_ArrayForEach(v, vals) {
    snprintf(w, sizeof w, "values.%s", v->string);
    int n = cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n == 0) {
      rc = ld_err_set(err, LD_EINVAL, "%s: must be a non-empty array of strings", w);
      goto cleanup;
    }
    int k = add_var(s, v->string, w, err);
    if (k < 0) {
      rc = -k;
      goto cleanup;
    }
    if (s->vars[k].builtin) {
      rc = ld_err_set(err, LD_EINVAL, "%s: \"%s\" is a built-in variable", w, v->string);
      goto cleanup;
    }
    s->vars[k].values = calloc((size_t)n, sizeof(char *));
    if (s->vars[k].values == NULL) {
      rc = ld_err_set(err, LD_ENOMEM, "out of memory");
      goto cleanup;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
      char *txt = cJSON_IsString(e)   ? strdup(e->valuestring)
                  : cJSON_IsNumber(e) ? cJSON_PrintUnformatted(e)
                                      : NULL;
      if (txt == NULL) {
        rc = ld_err_set(err, LD_EINVAL, "%s[%d]: must be a string or a number", w,
                        s->vars[k].nvalues);
        goto cleanup;
      }
      s->vars[k].values[s->vars[k].nvalues++] = txt;
    }
  }
  const cJSON *flows = cJSON_GetObjectItemCaseSensitive(json, "flows"), *f;
  int nf = cJSON_GetArraySize(flows);
  if (!cJSON_IsArray(flows) || nf < 1 || nf > LD_MAX_FLOWS) {
    rc = ld_err_set(err, LD_EINVAL, "flows: must be an array of 1-%d flows", LD_MAX_FLOWS);
    goto cleanup;
  }
  cJSON_ArrayForEach(f, flows) {
    ld_flow *fl = &s->flows[s->nflows];
    snprintf(w, sizeof w, "flows[%d]", s->nflows);
    if (!cJSON_IsObject(f)) {
      rc = ld_err_set(err, LD_EINVAL, "%s: must be an object", w);
      goto cleanup;
    }
    char wn[300];
    snprintf(wn, sizeof wn, "%s.name", w);
    if ((rc = copy_name(fl->name, cJSON_GetObjectItemCaseSensitive(f, "name"), wn, err)))
      goto cleanup;
    const cJSON *wt = cJSON_GetObjectItemCaseSensitive(f, "weight");
    fl->weight = wt == NULL ? 1 : cJSON_IsNumber(wt) ? wt->valuedouble : -1;
    if (!(fl->weight > 0)) {
      rc = ld_err_set(err, LD_EINVAL, "%s.weight: must be a number > 0", w);
      goto cleanup;
    }
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(f, "steps"), *st;
    int ns = cJSON_GetArraySize(steps);
    if (!cJSON_IsArray(steps) || ns < 1 || ns > LD_MAX_STEPS) {
      rc = ld_err_set(err, LD_EINVAL, "%s.steps: must be an array of 1-%d requests", w,
                      LD_MAX_STEPS);
      goto cleanup;
    }
    s->nflows++;
    s->total_weight += fl->weight;
    cJSON_ArrayForEach(st, steps) {
      snprintf(wn, sizeof wn, "%s.steps[%d]", w, fl->nsteps);
      ld_step *sp = &fl->steps[fl->nsteps++];
      if ((rc = parse_step(s, sp, st, wn, err))) goto cleanup;
    }
  }
  /* Templates are checked once every variable is known; request names get their ids. */
  for (int i = 0; i < s->nflows; i++)
    for (int k = 0; k < s->flows[i].nsteps; k++) {
      ld_step *sp = &s->flows[i].steps[k];
      snprintf(w, sizeof w, "flows[%d].steps[%d].path", i, k);
      if ((rc = check_template(s, sp->path, w, err))) goto cleanup;
      snprintf(w, sizeof w, "flows[%d].steps[%d].body", i, k);
      if (sp->body != NULL && (rc = check_template(s, sp->body, w, err))) goto cleanup;
      sp->id = -1;
      for (int r = 0; r < s->nrequests; r++)
        if (strcmp(s->request_names[r], sp->name) == 0) sp->id = r;
      if (sp->id < 0) {
        sp->id = s->nrequests;
        snprintf(s->request_names[s->nrequests++], LD_NAME_LEN, "%s", sp->name);
      }
    }
  *out = s;
  s = NULL;
cleanup:
  ld_scenario_free(s);
  return rc;
}

int ld_scenario_load(const char *path, ld_scenario **out, ld_err *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return ld_err_set(err, LD_EIO, "cannot read scenario file %s: %m (check --scenario)", path);
  mdl_buf b = MDL_BUF_INIT;
  size_t n;
  char chunk[8192];
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (mdl_buf_add(&b, chunk, n) != MDL_OK) break;
  fclose(f);
  if (b.failed != MDL_OK) {
    mdl_buf_free(&b);
    return ld_err_set(err, LD_ENOMEM, "out of memory");
  }
  if (b.data == NULL) return ld_err_set(err, LD_EINVAL, "scenario file %s is empty", path);
  const char *buf = b.data;
  cJSON *j = cJSON_Parse(buf);
  int rc;
  if (j == NULL) {
    const char *at = cJSON_GetErrorPtr();
    long off = at != NULL && at >= buf && at <= buf + b.len ? (long)(at - buf) : -1;
    rc =
        ld_err_set(err, LD_EINVAL, "scenario file %s is not valid JSON (near byte %ld)", path, off);
  } else {
    ld_err e2;
    rc = ld_scenario_parse(j, out, &e2);
    if (rc != LD_OK) ld_err_set(err, (ld_code)rc, "scenario file %s: %s", path, e2.msg);
  }
  cJSON_Delete(j);
  mdl_buf_free(&b);
  return rc;
}

int ld_scenario_pick(const ld_scenario *s, double u) {
  double x = u * s->total_weight;
  for (int i = 0; i < s->nflows; i++) {
    if (x < s->flows[i].weight) return i;
    x -= s->flows[i].weight;
  }
  return s->nflows - 1;
}

/* Appends v escaped for a JSON string (json) or a URL (percent-encoding). A failed addition is
 * sticky in b (models/buf.h): the caller checks once, at mdl_buf_take. */
static void put_escaped(mdl_buf *b, const char *v, int json) {
  char tmp[8];
  for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
    if (json) {
      if (*c == '"' || *c == '\\') {
        tmp[0] = '\\';
        tmp[1] = (char)*c;
        mdl_buf_add(b, tmp, 2);
      } else if (*c < 0x20) {
        snprintf(tmp, sizeof tmp, "\\u%04x", *c);
        mdl_buf_add(b, tmp, 6);
      } else {
        mdl_buf_putc(b, (char)*c);
      }
    } else if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
               *c == '-' || *c == '_' || *c == '.' || *c == '~') {
      mdl_buf_putc(b, (char)*c);
    } else {
      snprintf(tmp, sizeof tmp, "%%%02X", *c);
      mdl_buf_add(b, tmp, 3);
    }
  }
}

char *ld_template_expand(const ld_scenario *s, const char *t, char *const *vals, int json_escape,
                         int *missing) {
  mdl_buf b = MDL_BUF_INIT;
  *missing = -1;
  const char *p = t;
  for (;;) {
    const char *q = strstr(p, "${");
    if (q == NULL) break;
    mdl_buf_add(&b, p, (size_t)(q - p));
    const char *e = strchr(q + 2, '}');
    assert(e != NULL); /* checked at parse time */
    int v = find_var(s, q + 2, (size_t)(e - q - 2));
    assert(v >= 0);
    if (vals[v] == NULL) {
      *missing = v;
      mdl_buf_free(&b);
      return NULL;
    }
    put_escaped(&b, vals[v], json_escape);
    p = e + 1;
  }
  mdl_buf_puts(&b, p);
  char *out = mdl_buf_take(&b); /* "" for an empty template; NULL when an addition failed */
  if (out == NULL) mdl_buf_free(&b);
  return out;
}

char *ld_json_path_string(const cJSON *json, const char *path) {
  char seg[128];
  const char *p = path;
  const cJSON *cur = json;
  while (cur != NULL && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof seg) return NULL;
    memcpy(seg, p, n);
    seg[n] = '\0';
    if (cJSON_IsArray(cur)) {
      char *end;
      long i = strtol(seg, &end, 10);
      cur = *end == '\0' && i >= 0 ? cJSON_GetArrayItem(cur, (int)i) : NULL;
    } else {
      cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
    }
    p += n;
    if (*p == '.') p++;
  }
  if (cJSON_IsString(cur)) return strdup(cur->valuestring);
  if (cJSON_IsNumber(cur)) return cJSON_PrintUnformatted(cur);
  return NULL;
}

void ld_scenario_free(ld_scenario *s) {
  if (s == NULL) return;
  for (int i = 0; i < LD_MAX_FLOWS; i++)
    for (int k = 0; k < LD_MAX_STEPS; k++) {
      free(s->flows[i].steps[k].path);
      free(s->flows[i].steps[k].body);
    }
  for (int i = 0; i < s->nvars; i++) {
    for (int k = 0; k < s->vars[i].nvalues; k++) free(s->vars[i].values[k]);
    free(s->vars[i].values);
  }
  free(s);
}
