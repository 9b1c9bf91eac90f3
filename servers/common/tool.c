/* tool.c — the compiled tool registry (see tool.h).
 *
 * Owns the parsed input/output schemas of each tool. Lookup is a linear scan: servers declare a
 * handful of tools, so a scan over a few names beats a hash table in code and in time. */
#include "servers/common/tool.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/jsonschema.h"
#include "servers/common/request.h"
#include "servers/common/timeutil.h"

typedef struct compiled_tool {
  const srv_tool *decl;
  cJSON *input;  /* parsed input_schema */
  cJSON *output; /* parsed output_schema or NULL */
} compiled_tool;

struct srv_tools {
  size_t n;
  compiled_tool *t;
};

static int valid_name(const char *s) {
  if (s == NULL || *s == '\0') return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  return 1;
}

static srv_code compile_schema(const char *tool, const char *which, const char *text, cJSON **out,
                               srv_err *err) {
  const cJSON *type;
  srv_code rc;
  *out = cJSON_Parse(text);
  if (*out == NULL)
    return srv_err_set(err, SRV_EINVAL, "tool %s: %s is not valid JSON", tool, which);
  rc = srv_schema_check(*out, which, err);
  if (rc != SRV_OK) {
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return srv_err_set(err, SRV_EINVAL, "tool %s: %s", tool, msg);
  }
  type = cJSON_GetObjectItemCaseSensitive(*out, "type");
  if (!cJSON_IsString(type) || strcmp(type->valuestring, "object") != 0)
    return srv_err_set(err, SRV_EINVAL, "tool %s: %s must have \"type\": \"object\"", tool, which);
  return SRV_OK;
}

srv_code srv_tools_new(const srv_tool *tools, size_t n, srv_tools **out, srv_err *err) {
  srv_code rc = SRV_OK;
  srv_tools *r = NULL;
  assert(out != NULL && (tools != NULL || n == 0));
  *out = NULL;
  r = calloc(1, sizeof *r);
  if (r == NULL || (n > 0 && (r->t = calloc(n, sizeof *r->t)) == NULL)) {
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory compiling %zu tools", n);
    goto cleanup;
  }
  for (size_t i = 0; i < n; i++) {
    const srv_tool *d = &tools[i];
    r->t[i].decl = d;
    r->n = i + 1;
    if (!valid_name(d->name)) {
      rc = srv_err_set(err, SRV_EINVAL, "tool #%zu: name \"%s\" must be [a-z0-9_]+", i,
                       d->name ? d->name : "");
      goto cleanup;
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(tools[j].name, d->name) == 0) {
        rc = srv_err_set(err, SRV_EINVAL, "tool %s is declared twice", d->name);
        goto cleanup;
      }
    }
    if (d->handler == NULL || d->description == NULL || d->input_schema == NULL) {
      rc = srv_err_set(err, SRV_EINVAL, "tool %s needs a description, input_schema and handler",
                       d->name);
      goto cleanup;
    }
    rc = compile_schema(d->name, "inputSchema", d->input_schema, &r->t[i].input, err);
    if (rc != SRV_OK) goto cleanup;
    if (d->output_schema != NULL) {
      rc = compile_schema(d->name, "outputSchema", d->output_schema, &r->t[i].output, err);
      if (rc != SRV_OK) goto cleanup;
    }
  }
  *out = r;
  r = NULL;
cleanup:
  srv_tools_free(r);
  return rc;
}

void srv_tools_free(srv_tools *tools) {
  if (tools == NULL) return;
  for (size_t i = 0; i < tools->n; i++) {
    cJSON_Delete(tools->t[i].input);
    cJSON_Delete(tools->t[i].output);
  }
  free(tools->t);
  free(tools);
}

size_t srv_tools_count(const srv_tools *tools) {
  return tools ? tools->n : 0;
}

const srv_tool *srv_tools_at(const srv_tools *tools, size_t i) {
  assert(tools != NULL && i < tools->n);
  return tools->t[i].decl;
}

static const compiled_tool *find(const srv_tools *tools, const char *name) {
  if (tools == NULL || name == NULL) return NULL;
  for (size_t i = 0; i < tools->n; i++)
    if (strcmp(tools->t[i].decl->name, name) == 0) return &tools->t[i];
  return NULL;
}

const srv_tool *srv_tools_find(const srv_tools *tools, const char *name) {
  const compiled_tool *c = find(tools, name);
  return c ? c->decl : NULL;
}

cJSON *srv_tools_list_json(const srv_tools *tools) {
  cJSON *arr = cJSON_CreateArray();
  if (arr == NULL) return NULL;
  for (size_t i = 0; tools != NULL && i < tools->n; i++) {
    const compiled_tool *c = &tools->t[i];
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) goto fail;
    cJSON_AddItemToArray(arr, o);
    cJSON_AddStringToObject(o, "name", c->decl->name);
    cJSON_AddStringToObject(o, "description", c->decl->description);
    cJSON_AddItemToObject(o, "inputSchema", cJSON_Duplicate(c->input, 1));
    if (c->output != NULL) cJSON_AddItemToObject(o, "outputSchema", cJSON_Duplicate(c->output, 1));
    if (c->decl->flags != 0) {
      cJSON *a = cJSON_AddObjectToObject(o, "annotations");
      if (a == NULL) goto fail;
      if (c->decl->flags & SRV_TOOL_READONLY) cJSON_AddTrueToObject(a, "readOnlyHint");
      if (c->decl->flags & SRV_TOOL_IDEMPOTENT) cJSON_AddTrueToObject(a, "idempotentHint");
      if (c->decl->flags & SRV_TOOL_DESTRUCTIVE) cJSON_AddTrueToObject(a, "destructiveHint");
    }
  }
  return arr;
fail:
  cJSON_Delete(arr);
  return NULL;
}

srv_code srv_tools_invoke(const srv_tools *tools, const char *name, srv_call *call,
                          const cJSON *args, cJSON **out, int *schema_failed, srv_err *err) {
  const compiled_tool *c = find(tools, name);
  int64_t t0 = srv_mono_us();
  srv_code rc;
  cJSON *result = NULL;
  int counted = 0; /* an unknown name is no tool's traffic: not counted */
  assert(call != NULL && out != NULL);
  *out = NULL;
  if (schema_failed) *schema_failed = 0;
  if (c == NULL) {
    rc = srv_err_set(err, SRV_ENOTFOUND, "unknown tool: %s", name ? name : "(none)");
    goto cleanup;
  }
  counted = 1;
  call->tool_name = c->decl->name;
  if (args == NULL || !cJSON_IsObject(args)) {
    if (schema_failed) *schema_failed = 1;
    rc = srv_err_set(err, SRV_EINVAL, "arguments must be an object");
    goto cleanup;
  }
  rc = srv_json_check_depth(args, SRV_TOOL_ARGS_DEPTH_MAX, "arguments", err);
  if (rc == SRV_OK) rc = srv_schema_validate(c->input, args, "arguments", err);
  if (rc != SRV_OK) {
    if (schema_failed) *schema_failed = 1;
    goto cleanup;
  }
  srv_err_clear(err);
  rc = c->decl->handler(call, args, &result, err);
  if (rc != SRV_OK) {
    if (err != NULL && err->code == SRV_OK) srv_err_set(err, rc, "tool %s failed", name);
    cJSON_Delete(result);
    result = NULL;
    goto cleanup;
  }
  if (result == NULL) result = cJSON_CreateObject();
  if (c->output != NULL) {
    srv_err oerr;
    if (srv_schema_validate(c->output, result, "result", &oerr) != SRV_OK) {
      rc = srv_err_set(err, SRV_EINTERNAL,
                       "tool %s returned output that breaks its outputSchema: %s", name, oerr.msg);
      cJSON_Delete(result);
      result = NULL;
      goto cleanup;
    }
  }
  *out = result;
  result = NULL;
cleanup:
  if (counted) srv_observe_tool(c->decl->name, rc, srv_mono_us() - t0);
  return rc;
}

srv_code srv_call_db(srv_call *call, srv_db_fn fn, void *arg, int retry_safe, srv_err *err) {
  assert(call != NULL && fn != NULL);
  if (call->pool == NULL)
    return srv_err_set(err, SRV_EUNAVAIL, "this server runs without a database; retry later");
  return srv_db_run(call->pool, call->deadline_ms, fn, arg, retry_safe, err);
}
