/* integration_case.c — IntegrationTestCase / IntegrationTestStep (see the header).
 *
 * Free-form JSON (api_call.payload, expected_response) is deep-copied on parse and printed as is:
 * cJSON prints a parsed value back identically, so round trips stay byte-stable. */
#include "models/integration_case.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "models/json_field.h"

static const char *const k_run[MDL_RUN_COUNT] = {"not_run", "pass", "fail", "skipped"};
static const char *const k_servers[MDL_SERVER_COUNT] = {"codebase-mcp", "workflow-mcp"};
static const char *const k_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
#define N_METHODS ((int)(sizeof k_methods / sizeof k_methods[0]))
#define MAX_STEPS 1024      /* per list */
#define MAX_ASSERTIONS 1024 /* per step */

const char *mdl_run_status_name(mdl_run_status s) {
  return (int)s >= 0 && s < MDL_RUN_COUNT ? k_run[s] : "?";
}

bool mdl_run_status_parse(const char *name, mdl_run_status *out) {
  for (int i = 0; name != NULL && i < MDL_RUN_COUNT; i++) {
    if (strcmp(name, k_run[i]) == 0) {
      *out = (mdl_run_status)i;
      return true;
    }
  }
  return false;
}

/* ---- steps ------------------------------------------------------------------------------------
 */

void mdl_integration_step_free(mdl_integration_step *s) {
  if (s == NULL) return;
  free(s->action);
  free(s->api_call.endpoint);
  cJSON_Delete(s->api_call.payload);
  cJSON_Delete(s->expected_response);
  for (size_t i = 0; i < s->assertion_count; i++) free(s->assertions[i]);
  free(s->assertions);
  memset(s, 0, sizeof *s);
}

/* Rules of one step on its own (numbering and server membership are case rules). */
static mdl_code step_validate(const mdl_integration_step *s, const char *base, mdl_err *err) {
  char path[MDL_FIELD_MAX];
  mdl_jf_path(path, base, "step_number");
  if (s->step_number < 1)
    return mdl_err_set(err, MDL_ERANGE, path, "step_number must be >= 1 (got %lld)",
                       (long long)s->step_number);
  mdl_jf_path(path, base, "server");
  if ((int)s->server < 0 || s->server >= MDL_SERVER_COUNT)
    return mdl_err_set(err, MDL_EENUM, path, "server must be \"codebase-mcp\" or \"workflow-mcp\"");
  mdl_jf_path(path, base, "action");
  if (s->action == NULL || s->action[0] == '\0')
    return mdl_err_set(err, MDL_ERANGE, path, "action must not be empty");
  if (s->has_api_call) {
    char cbase[MDL_FIELD_MAX];
    mdl_jf_path(cbase, base, "api_call");
    bool known = false;
    for (int i = 0; i < N_METHODS; i++)
      known = known || strcmp(s->api_call.method, k_methods[i]) == 0;
    mdl_jf_path(path, cbase, "method");
    if (!known)
      return mdl_err_set(err, MDL_EENUM, path,
                         "method must be one of \"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"");
    mdl_jf_path(path, cbase, "endpoint");
    if (s->api_call.endpoint == NULL || s->api_call.endpoint[0] != '/')
      return mdl_err_set(err, MDL_ERANGE, path, "endpoint must start with \"/\"");
  }
  if (s->assertion_count > MAX_ASSERTIONS) {
    mdl_jf_path(path, base, "assertions");
    return mdl_err_set(err, MDL_ERANGE, path, "assertions must have at most %d entries",
                       MAX_ASSERTIONS);
  }
  for (size_t i = 0; i < s->assertion_count; i++) {
    if (s->assertions[i] == NULL || s->assertions[i][0] == '\0') {
      mdl_jf_index(path, base, "assertions", i);
      return mdl_err_set(err, MDL_ERANGE, path, "assertions must be non-empty strings");
    }
  }
  return MDL_OK;
}

static mdl_code api_call_from_json(const cJSON *j, const char *base, mdl_api_call *out,
                                   mdl_err *err) {
  mdl_code rc = MDL_OK;
  int m = 0;
  bool oom = false;
  char cbase[MDL_FIELD_MAX];
  mdl_jf_path(cbase, base, "api_call");
  MDL_TRY(mdl_jf_enum(j, cbase, "method", true, k_methods, N_METHODS, &m, NULL, err));
  memcpy(out->method, k_methods[m], strlen(k_methods[m]) + 1);
  MDL_TRY(mdl_jf_strdup(j, cbase, "endpoint", true, &out->endpoint, err));
  out->payload = mdl_jf_dup(mdl_jf_item(j, "payload"), &oom);
  if (oom) rc = mdl_err_set(err, MDL_ENOMEM, cbase, "out of memory copying payload");
cleanup:
  return rc;
}

mdl_code mdl_integration_step_from_json(const cJSON *json, const char *prefix,
                                        mdl_integration_step *out, mdl_err *err) {
  assert(out != NULL);
  const char *base = prefix != NULL ? prefix : "";
  mdl_code rc = MDL_OK;
  int e = 0;
  bool oom = false, have = false;
  const cJSON *call = NULL, *asserts = NULL;
  char path[MDL_FIELD_MAX];
  memset(out, 0, sizeof *out);
  MDL_TRY(mdl_jf_expect_object(json, base, err));
  MDL_TRY(mdl_jf_int(json, base, "step_number", true, &out->step_number, NULL, err));
  MDL_TRY(mdl_jf_enum(json, base, "server", true, k_servers, MDL_SERVER_COUNT, &e, NULL, err));
  out->server = (mdl_server_id)e;
  MDL_TRY(mdl_jf_strdup(json, base, "action", true, &out->action, err));
  MDL_TRY(mdl_jf_object(json, base, "api_call", false, &call, &out->has_api_call, err));
  if (out->has_api_call) MDL_TRY(api_call_from_json(call, base, &out->api_call, err));
  out->expected_response = mdl_jf_dup(mdl_jf_item(json, "expected_response"), &oom);
  if (oom) {
    rc = mdl_err_set(err, MDL_ENOMEM, base, "out of memory copying expected_response");
    goto cleanup;
  }
  MDL_TRY(mdl_jf_array(json, base, "assertions", false, &asserts, &have, err));
  if (have) {
    int n = cJSON_GetArraySize(asserts);
    mdl_jf_path(path, base, "assertions");
    if (n > MAX_ASSERTIONS) {
      rc = mdl_err_set(err, MDL_ERANGE, path, "assertions must have at most %d entries",
                       MAX_ASSERTIONS);
      goto cleanup;
    }
    if (n > 0) {
      out->assertions = calloc((size_t)n, sizeof *out->assertions);
      if (out->assertions == NULL) {
        rc = mdl_err_set(err, MDL_ENOMEM, path, "out of memory");
        goto cleanup;
      }
    }
    size_t i = 0;
    for (const cJSON *a = asserts->child; a != NULL; a = a->next, i++) {
      mdl_jf_index(path, base, "assertions", i);
      if (!cJSON_IsString(a) || a->valuestring == NULL) {
        rc = mdl_err_set(err, MDL_ETYPE, path, "assertions must be strings (got %s)",
                         mdl_jf_type_name(a));
        goto cleanup;
      }
      out->assertions[i] = strdup(a->valuestring);
      if (out->assertions[i] == NULL) {
        rc = mdl_err_set(err, MDL_ENOMEM, path, "out of memory");
        goto cleanup;
      }
      out->assertion_count = i + 1;
    }
  }
  MDL_TRY(step_validate(out, base, err));
cleanup:
  if (rc != MDL_OK) mdl_integration_step_free(out);
  return rc;
}

cJSON *mdl_integration_step_to_json(const mdl_integration_step *s) {
  assert(s != NULL);
  cJSON *o = cJSON_CreateObject();
  bool ok = o != NULL, oom = false;
  ok = ok && mdl_jf_add_int(o, "step_number", s->step_number);
  ok = ok && mdl_jf_add_string(o, "server", mdl_server_id_name(s->server));
  ok = ok && mdl_jf_add_string(o, "action", s->action);
  if (s->has_api_call) {
    cJSON *c = ok ? cJSON_CreateObject() : NULL;
    ok = ok && mdl_jf_add_item(o, "api_call", c);
    ok = ok && mdl_jf_add_string(c, "method", s->api_call.method);
    ok = ok && mdl_jf_add_string(c, "endpoint", s->api_call.endpoint);
    if (s->api_call.payload != NULL)
      ok = ok && mdl_jf_add_item(c, "payload", mdl_jf_dup(s->api_call.payload, &oom));
    else
      ok = ok && mdl_jf_add_null(c, "payload");
  } else {
    ok = ok && mdl_jf_add_null(o, "api_call");
  }
  if (s->expected_response != NULL)
    ok = ok && mdl_jf_add_item(o, "expected_response", mdl_jf_dup(s->expected_response, &oom));
  else
    ok = ok && mdl_jf_add_null(o, "expected_response");
  cJSON *arr = ok ? cJSON_CreateArray() : NULL;
  ok = ok && mdl_jf_add_item(o, "assertions", arr);
  for (size_t i = 0; ok && i < s->assertion_count; i++) {
    cJSON *str = cJSON_CreateString(s->assertions[i] != NULL ? s->assertions[i] : "");
    ok = str != NULL && cJSON_AddItemToArray(arr, str);
    if (!ok) cJSON_Delete(str);
  }
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* ---- step lists -------------------------------------------------------------------------------
 */

static void list_free(mdl_step_list *l) {
  for (size_t i = 0; i < l->count; i++) mdl_integration_step_free(&l->items[i]);
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

static mdl_code list_from_json(const cJSON *json, const char *key, bool required,
                               mdl_step_list *out, mdl_err *err) {
  const cJSON *arr = NULL;
  bool have = false;
  mdl_code rc = mdl_jf_array(json, "", key, required, &arr, &have, err);
  if (rc != MDL_OK || !have) return rc;
  int n = cJSON_GetArraySize(arr);
  if (n > MAX_STEPS)
    return mdl_err_set(err, MDL_ERANGE, key, "%s must have at most %d steps", key, MAX_STEPS);
  if (n == 0) return MDL_OK;
  out->items = calloc((size_t)n, sizeof *out->items);
  if (out->items == NULL) return mdl_err_set(err, MDL_ENOMEM, key, "out of memory");
  size_t i = 0;
  char base[MDL_FIELD_MAX];
  for (const cJSON *s = arr->child; s != NULL; s = s->next, i++) {
    mdl_jf_index(base, "", key, i);
    rc = mdl_integration_step_from_json(s, base, &out->items[i], err);
    if (rc != MDL_OK) return rc; /* the caller frees the list */
    out->count = i + 1;
  }
  return MDL_OK;
}

static mdl_code list_validate(const mdl_integration_case *c, const mdl_step_list *l,
                              const char *key, mdl_err *err) {
  char base[MDL_FIELD_MAX], path[MDL_FIELD_MAX];
  if (l->count > MAX_STEPS)
    return mdl_err_set(err, MDL_ERANGE, key, "%s must have at most %d steps", key, MAX_STEPS);
  for (size_t i = 0; i < l->count; i++) {
    const mdl_integration_step *s = &l->items[i];
    mdl_jf_index(base, "", key, i);
    mdl_code rc = step_validate(s, base, err);
    if (rc != MDL_OK) return rc;
    if (s->step_number != (int64_t)i + 1) {
      mdl_jf_path(path, base, "step_number");
      return mdl_err_set(err, MDL_ERULE, path,
                         "step_number must be %zu (steps are numbered 1, 2, 3, ...; got %lld)",
                         i + 1, (long long)s->step_number);
    }
    bool listed = false;
    for (size_t k = 0; k < c->required_server_count; k++)
      listed = listed || c->required_servers[k] == s->server;
    if (!listed) {
      mdl_jf_path(path, base, "server");
      return mdl_err_set(err, MDL_ERULE, path, "server must be one of required_servers (got %s)",
                         mdl_server_id_name(s->server));
    }
  }
  return MDL_OK;
}

static cJSON *list_to_json(const mdl_step_list *l) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; arr != NULL && i < l->count; i++) {
    cJSON *s = mdl_integration_step_to_json(&l->items[i]);
    if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
      cJSON_Delete(s);
      cJSON_Delete(arr);
      return NULL;
    }
  }
  return arr;
}

/* ---- cases ------------------------------------------------------------------------------------
 */

mdl_code mdl_integration_case_validate(const mdl_integration_case *c, mdl_err *err) {
  assert(c != NULL);
  mdl_code rc = MDL_OK;
  int64_t us;
  if (!mdl_uuid_valid(c->test_id)) {
    rc = mdl_err_set(err, MDL_ERANGE, "test_id", "test_id must be a UUID (8-4-4-4-12 hex digits)");
    goto cleanup;
  }
  size_t len = c->test_name != NULL ? strlen(c->test_name) : 0;
  if (len < 1 || len > MDL_TEST_NAME_MAX) {
    rc = mdl_err_set(err, MDL_ERANGE, "test_name", "test_name must be 1-%d characters (got %zu)",
                     MDL_TEST_NAME_MAX, len);
    goto cleanup;
  }
  if (c->required_server_count < 1 || c->required_server_count > MDL_SERVER_COUNT) {
    rc = mdl_err_set(err, MDL_ERANGE, "required_servers",
                     "required_servers must list 1-%d server ids (got %zu)", MDL_SERVER_COUNT,
                     c->required_server_count);
    goto cleanup;
  }
  for (size_t i = 0; i < c->required_server_count; i++) {
    char path[MDL_FIELD_MAX];
    mdl_jf_index(path, "", "required_servers", i);
    if ((int)c->required_servers[i] < 0 || c->required_servers[i] >= MDL_SERVER_COUNT) {
      rc = mdl_err_set(err, MDL_EENUM, path,
                       "required_servers entries must be \"codebase-mcp\" or \"workflow-mcp\"");
      goto cleanup;
    }
    for (size_t j = 0; j < i; j++) {
      if (c->required_servers[j] == c->required_servers[i]) {
        rc = mdl_err_set(err, MDL_ERULE, path, "required_servers must not repeat a server (%s)",
                         mdl_server_id_name(c->required_servers[i]));
        goto cleanup;
      }
    }
  }
  MDL_TRY(list_validate(c, &c->setup_steps, "setup_steps", err));
  if (c->workflow_steps.count < 1) {
    rc = mdl_err_set(err, MDL_ERANGE, "workflow_steps", "workflow_steps must have at least 1 step");
    goto cleanup;
  }
  MDL_TRY(list_validate(c, &c->workflow_steps, "workflow_steps", err));
  MDL_TRY(list_validate(c, &c->teardown_steps, "teardown_steps", err));
  if ((int)c->last_run_status < 0 || c->last_run_status >= MDL_RUN_COUNT) {
    rc = mdl_err_set(err, MDL_EENUM, "last_run_status",
                     "last_run_status must be one of \"pass\", \"fail\", \"skipped\", \"not_run\"");
    goto cleanup;
  }
  if (c->has_last_run_timestamp && mdl_time_parse(c->last_run_timestamp, &us, NULL) != MDL_OK) {
    rc = mdl_err_set(err, MDL_ERANGE, "last_run_timestamp",
                     "last_run_timestamp must be an ISO 8601 UTC time like 2025-10-13T10:30:00Z");
    goto cleanup;
  }
cleanup:
  return rc;
}

mdl_code mdl_integration_case_from_json(const cJSON *json, mdl_integration_case *out,
                                        mdl_err *err) {
  assert(out != NULL);
  mdl_code rc = MDL_OK;
  const cJSON *servers = NULL;
  int e = 0;
  bool have = false;
  memset(out, 0, sizeof *out);
  MDL_TRY(mdl_jf_expect_object(json, "", err));
  MDL_TRY(mdl_jf_uuid(json, "", "test_id", out->test_id, err));
  MDL_TRY(mdl_jf_strdup(json, "", "test_name", true, &out->test_name, err));
  MDL_TRY(mdl_jf_strdup(json, "", "test_description", false, &out->test_description, err));
  MDL_TRY(mdl_jf_array(json, "", "required_servers", true, &servers, NULL, err));
  int n = cJSON_GetArraySize(servers);
  if (n < 1 || n > MDL_SERVER_COUNT) {
    rc = mdl_err_set(err, MDL_ERANGE, "required_servers",
                     "required_servers must list 1-%d server ids (got %d)", MDL_SERVER_COUNT, n);
    goto cleanup;
  }
  size_t i = 0;
  for (const cJSON *s = servers->child; s != NULL; s = s->next, i++) {
    char path[MDL_FIELD_MAX];
    mdl_jf_index(path, "", "required_servers", i);
    mdl_server_id id;
    if (!cJSON_IsString(s)) {
      rc = mdl_err_set(err, MDL_ETYPE, path, "required_servers entries must be strings (got %s)",
                       mdl_jf_type_name(s));
      goto cleanup;
    }
    if (!mdl_server_id_parse(s->valuestring, &id)) {
      rc = mdl_err_set(
          err, MDL_EENUM, path,
          "required_servers entries must be \"codebase-mcp\" or \"workflow-mcp\" (got \"%.40s\")",
          s->valuestring);
      goto cleanup;
    }
    out->required_servers[i] = id;
    out->required_server_count = i + 1;
  }
  MDL_TRY(list_from_json(json, "setup_steps", false, &out->setup_steps, err));
  MDL_TRY(list_from_json(json, "workflow_steps", true, &out->workflow_steps, err));
  MDL_TRY(list_from_json(json, "teardown_steps", false, &out->teardown_steps, err));
  MDL_TRY(mdl_jf_enum(json, "", "last_run_status", false, k_run, MDL_RUN_COUNT, &e, &have, err));
  out->last_run_status = have ? (mdl_run_status)e : MDL_RUN_NOT_RUN;
  MDL_TRY(mdl_jf_time(json, "", "last_run_timestamp", false, out->last_run_timestamp,
                      &out->has_last_run_timestamp, err));
  MDL_TRY(mdl_jf_strdup(json, "", "last_run_error", false, &out->last_run_error, err));
  MDL_TRY(mdl_integration_case_validate(out, err));
cleanup:
  if (rc != MDL_OK) mdl_integration_case_free(out);
  return rc;
}

cJSON *mdl_integration_case_to_json(const mdl_integration_case *c) {
  assert(c != NULL);
  cJSON *o = cJSON_CreateObject();
  bool ok = o != NULL;
  ok = ok && mdl_jf_add_string(o, "test_id", c->test_id);
  ok = ok && mdl_jf_add_string(o, "test_name", c->test_name);
  ok = ok && mdl_jf_add_string(o, "test_description", c->test_description);
  cJSON *servers = ok ? cJSON_CreateArray() : NULL;
  ok = ok && mdl_jf_add_item(o, "required_servers", servers);
  for (size_t i = 0; ok && i < c->required_server_count; i++) {
    cJSON *s = cJSON_CreateString(mdl_server_id_name(c->required_servers[i]));
    ok = s != NULL && cJSON_AddItemToArray(servers, s);
    if (!ok) cJSON_Delete(s);
  }
  ok = ok && mdl_jf_add_item(o, "setup_steps", list_to_json(&c->setup_steps));
  ok = ok && mdl_jf_add_item(o, "workflow_steps", list_to_json(&c->workflow_steps));
  ok = ok && mdl_jf_add_item(o, "teardown_steps", list_to_json(&c->teardown_steps));
  ok = ok && mdl_jf_add_string(o, "last_run_status", mdl_run_status_name(c->last_run_status));
  if (c->has_last_run_timestamp)
    ok = ok && mdl_jf_add_string(o, "last_run_timestamp", c->last_run_timestamp);
  else
    ok = ok && mdl_jf_add_null(o, "last_run_timestamp");
  if (c->last_run_error != NULL)
    ok = ok && mdl_jf_add_string(o, "last_run_error", c->last_run_error);
  else
    ok = ok && mdl_jf_add_null(o, "last_run_error");
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

void mdl_integration_case_free(mdl_integration_case *c) {
  if (c == NULL) return;
  free(c->test_name);
  free(c->test_description);
  list_free(&c->setup_steps);
  list_free(&c->workflow_steps);
  list_free(&c->teardown_steps);
  free(c->last_run_error);
  memset(c, 0, sizeof *c);
}
