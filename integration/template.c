/* template.c — `{{...}}` rendering (see template.h). */
#include "integration/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/jpath.h"
#include "models/buf.h"
#include "models/uuid.h"

/* The value of expr as a new cJSON, or NULL with why filled. */
static cJSON *eval(const itg_ctx *c, const char *expr, char *why, size_t why_n) {
  while (*expr == ' ') expr++;
  size_t len = strlen(expr);
  while (len > 0 && expr[len - 1] == ' ') len--;
  char e[512];
  if (len >= sizeof e) {
    snprintf(why, why_n, "template expression too long");
    return NULL;
  }
  memcpy(e, expr, len);
  e[len] = '\0';
  if (strcmp(e, "project") == 0) return cJSON_CreateString(c->project ? c->project : "");
  if (strcmp(e, "project_b") == 0) return cJSON_CreateString(c->project_b ? c->project_b : "");
  if (strcmp(e, "work_dir") == 0) return cJSON_CreateString(c->work_dir ? c->work_dir : "");
  if (strcmp(e, "client") == 0) return cJSON_CreateNumber(c->client);
  if (strcmp(e, "uuid") == 0) {
    char u[MDL_UUID_LEN];
    mdl_err me;
    if (mdl_uuid_v4(u, &me) != MDL_OK) {
      snprintf(why, why_n, "{{uuid}}: %s", me.msg);
      return NULL;
    }
    return cJSON_CreateString(u);
  }
  const cJSON *list = NULL;
  const char *rest = NULL;
  if (strncmp(e, "steps.", 6) == 0)
    list = c->steps, rest = e + 6;
  else if (strncmp(e, "setup.", 6) == 0)
    list = c->setup, rest = e + 6;
  if (rest == NULL) {
    snprintf(why, why_n,
             "{{%s}} is not a known expression: use steps.N.<path>, setup.N.<path>, project, "
             "project_b, work_dir, client or uuid",
             e);
    return NULL;
  }
  char *end;
  long n = strtol(rest, &end, 10);
  if (end == rest || (*end != '.' && *end != '\0')) {
    snprintf(why, why_n, "{{%s}}: a step number must follow \"%.6s\"", e, e);
    return NULL;
  }
  const cJSON *view = n >= 1 ? cJSON_GetArrayItem(list, (int)n - 1) : NULL;
  if (view == NULL || cJSON_IsNull(view)) {
    snprintf(why, why_n, "{{%s}}: step %ld has not run yet (steps can only use earlier steps)", e,
             n);
    return NULL;
  }
  char pw[400];
  const cJSON *v = itg_jpath_get(view, *end == '.' ? end + 1 : "", pw, sizeof pw);
  if (v == NULL) {
    snprintf(why, why_n, "{{%s}}: %s", e, pw);
    return NULL;
  }
  return cJSON_Duplicate(v, 1);
}

char *itg_render_text(const itg_ctx *ctx, const char *text, char *why, size_t why_n) {
  mdl_buf b = MDL_BUF_INIT;
  const char *p = text ? text : "";
  for (;;) {
    const char *open = strstr(p, "{{");
    if (open == NULL) break;
    const char *close = strstr(open + 2, "}}");
    if (close == NULL) {
      snprintf(why, why_n, "unclosed \"{{\" in \"%.200s\"", text);
      mdl_buf_free(&b);
      return NULL;
    }
    mdl_buf_add(&b, p, (size_t)(open - p));
    char expr[512];
    snprintf(expr, sizeof expr, "%.*s", (int)(close - open - 2), open + 2);
    cJSON *v = eval(ctx, expr, why, why_n);
    if (v == NULL) {
      mdl_buf_free(&b);
      return NULL;
    }
    if (cJSON_IsString(v)) {
      mdl_buf_puts(&b, v->valuestring);
    } else {
      char *s = cJSON_PrintUnformatted(v);
      if (s != NULL) mdl_buf_puts(&b, s);
      cJSON_free(s);
    }
    cJSON_Delete(v);
    p = close + 2;
  }
  mdl_buf_puts(&b, p);
  char *out = mdl_buf_take(&b);
  if (out == NULL) {
    mdl_buf_free(&b);
    snprintf(why, why_n, "out of memory rendering a template");
  }
  return out;
}

cJSON *itg_render_json(const itg_ctx *ctx, const cJSON *in, char *why, size_t why_n) {
  if (in == NULL) return cJSON_CreateNull();
  if (cJSON_IsString(in)) {
    const char *s = in->valuestring;
    size_t n = strlen(s);
    /* Exactly one expression: keep the value's JSON type. */
    if (n > 4 && strncmp(s, "{{", 2) == 0 && strcmp(s + n - 2, "}}") == 0 &&
        strstr(s + 2, "{{") == NULL && strstr(s + 2, "}}") == s + n - 2) {
      char expr[512];
      snprintf(expr, sizeof expr, "%.*s", (int)(n - 4), s + 2);
      return eval(ctx, expr, why, why_n);
    }
    char *t = itg_render_text(ctx, s, why, why_n);
    if (t == NULL) return NULL;
    cJSON *r = cJSON_CreateString(t);
    free(t);
    return r;
  }
  if (cJSON_IsArray(in) || cJSON_IsObject(in)) {
    cJSON *out = cJSON_IsArray(in) ? cJSON_CreateArray() : cJSON_CreateObject();
    const cJSON *e;
    if (out == NULL) return NULL;
    cJSON_ArrayForEach(e, in) {
      cJSON *r = itg_render_json(ctx, e, why, why_n);
      if (r == NULL) {
        cJSON_Delete(out);
        return NULL;
      }
      if (cJSON_IsArray(in))
        cJSON_AddItemToArray(out, r);
      else
        cJSON_AddItemToObject(out, e->string, r);
    }
    return out;
  }
  return cJSON_Duplicate(in, 1);
}
