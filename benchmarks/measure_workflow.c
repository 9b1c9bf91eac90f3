/* measure_workflow.c — the workflow-mcp measurements: seeding (workgen), project switches and
 * JSONB-filtered entity queries (bench_op_workflow in measure.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmarks/measure.h"
#include "benchmarks/result_builder.h"
#include "testing/proc.h"
#include "testing/workgen.h"

static const char *jstr(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- workflow ------------------------------------------------------------------------------ */

#define MAX_PROJECTS 16

typedef struct wf_data {
  char ids[MAX_PROJECTS][64];
  int n;
  cJSON *gen; /* workgen output; owned */
} wf_data;

/* Calls tool with obj (adding project_id when given); *out_id (optional) gets answer.id. */
static bench_code wf_call(const char *url, const char *tool, cJSON *obj, const char *project_id,
                          char *out_id, size_t idn, bench_err *err) {
  bench_code rc = BENCH_OK;
  cJSON *out = NULL;
  char *text = NULL;
  if (project_id != NULL) {
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "project_id");
    cJSON_AddStringToObject(obj, "project_id", project_id);
  }
  if ((text = cJSON_PrintUnformatted(obj)) == NULL)
    return bench_err_set(err, BENCH_ENOMEM, "out of memory");
  if ((rc = bench_tool(url, tool, text, 30000, &out, NULL, err)) != BENCH_OK) goto cleanup;
  if (out_id != NULL) {
    const char *id = jstr(out, "id");
    const cJSON *inner = cJSON_GetObjectItemCaseSensitive(out, "project");
    if (id == NULL && inner != NULL) id = jstr(inner, "id");
    if (id == NULL) id = jstr(out, "project_id");
    if (id == NULL) {
      rc = bench_err_set(err, BENCH_ERUN, "%s answered without an id: %.200s", tool, text);
      goto cleanup;
    }
    snprintf(out_id, idn, "%s", id);
  }
cleanup:
  free(text);
  cJSON_Delete(out);
  return rc;
}

static int wf_seed(const char *url, uint64_t seed, wf_data *d, int *entities, int *items,
                   bench_err *err) {
  int rc = BENCH_OK;
  tst_err te;
  tst_workgen_opts o;
  memset(&o, 0, sizeof o);
  o.seed = seed;
  o.entities = -1;
  memset(d, 0, sizeof *d);
  *entities = *items = 0;
  if (tst_workgen_generate(&o, &d->gen, &te) != TST_OK)
    return bench_err_set(err, BENCH_ESETUP, "workgen: %s", te.msg);
  const cJSON *types = cJSON_GetObjectItemCaseSensitive(d->gen, "entity_types");
  const cJSON *projects = cJSON_GetObjectItemCaseSensitive(d->gen, "projects"), *p;
  cJSON_ArrayForEach(p, projects) {
    if (d->n >= MAX_PROJECTS) break;
    char *pid = d->ids[d->n];
    cJSON *args = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(p, "project"), 1);
    rc = args != NULL ? wf_call(url, "create_project", args, NULL, pid, 64, err)
                      : bench_err_set(err, BENCH_ENOMEM, "out of memory");
    cJSON_Delete(args);
    if (rc != BENCH_OK) return rc;
    d->n++;
    const cJSON *t, *e, *w;
    cJSON_ArrayForEach(t, types) {
      cJSON *a = cJSON_Duplicate(t, 1);
      rc = a != NULL ? wf_call(url, "register_entity_type", a, pid, NULL, 0, err)
                     : bench_err_set(err, BENCH_ENOMEM, "out of memory");
      cJSON_Delete(a);
      if (rc != BENCH_OK) return rc;
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "entities")) {
      cJSON *a = cJSON_Duplicate(e, 1);
      rc = a != NULL ? wf_call(url, "create_entity", a, pid, NULL, 0, err)
                     : bench_err_set(err, BENCH_ENOMEM, "out of memory");
      cJSON_Delete(a);
      if (rc != BENCH_OK) return rc;
      (*entities)++;
    }
    const cJSON *wis = cJSON_GetObjectItemCaseSensitive(p, "work_items");
    int nw = cJSON_GetArraySize(wis), k = 0;
    char(*wid)[64] = calloc((size_t)(nw > 0 ? nw : 1), sizeof *wid);
    if (wid == NULL) return bench_err_set(err, BENCH_ENOMEM, "out of memory");
    cJSON_ArrayForEach(w, wis) {
      cJSON *a = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(w, "args"), 1);
      const cJSON *pi = cJSON_GetObjectItemCaseSensitive(w, "parent_index");
      if (a != NULL && cJSON_IsNumber(pi) && pi->valueint >= 0 && pi->valueint < k)
        cJSON_AddStringToObject(a, "parent_id", wid[pi->valueint]);
      rc = a != NULL ? wf_call(url, "create_work_item", a, pid, wid[k], 64, err)
                     : bench_err_set(err, BENCH_ENOMEM, "out of memory");
      cJSON_Delete(a);
      if (rc != BENCH_OK) {
        free(wid);
        return rc;
      }
      k++;
      (*items)++;
    }
    free(wid);
  }
  if (d->n < 2) return bench_err_set(err, BENCH_ESETUP, "workgen produced %d project(s)", d->n);
  return BENCH_OK;
}

/* A JSONB filter query derived from entity e (so at least e matches): kind 0 containment on a
 * top-level scalar, 1 nested containment, 2 numeric range, 3 tag + containment. */
static char *entity_query_args(const cJSON *e, const char *project, int kind) {
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(e, "data"), *f;
  const cJSON *scalar = NULL, *number = NULL, *object = NULL;
  int strings = 0;
  cJSON_ArrayForEach(f, data) {
    /* The second string field (status, vendor_name, priority in workgen's types) rather than the
     * first (a unique name), so containment queries select a realistic share of the rows. */
    if ((cJSON_IsString(f) || cJSON_IsBool(f)) && (scalar == NULL || strings == 1)) {
      scalar = f;
      strings++;
    }
    if (number == NULL && cJSON_IsNumber(f)) number = f;
    if (object == NULL && cJSON_IsObject(f) && f->child != NULL &&
        (cJSON_IsString(f->child) || cJSON_IsNumber(f->child)))
      object = f;
  }
  cJSON *a = cJSON_CreateObject(), *filter = cJSON_CreateObject();
  char *s = NULL;
  if (a == NULL || filter == NULL) goto cleanup;
  cJSON_AddStringToObject(a, "project_id", project);
  const char *type = jstr(e, "entity_type");
  if (type != NULL) cJSON_AddStringToObject(a, "entity_type", type);
  if (kind == 1 && object != NULL) {
    cJSON *inner = cJSON_AddObjectToObject(filter, object->string);
    if (inner != NULL)
      cJSON_AddItemToObject(inner, object->child->string, cJSON_Duplicate(object->child, 1));
  } else if (kind == 2 && number != NULL) {
    cJSON *cmp = cJSON_AddObjectToObject(filter, number->string);
    if (cmp != NULL) cJSON_AddNumberToObject(cmp, "$gte", number->valuedouble);
  } else if (scalar != NULL) {
    cJSON_AddItemToObject(filter, scalar->string, cJSON_Duplicate(scalar, 1));
  }
  if (kind == 3) {
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(e, "tags");
    if (cJSON_GetArraySize(tags) > 0) {
      cJSON *t = cJSON_AddArrayToObject(a, "tags");
      if (t != NULL) cJSON_AddItemToArray(t, cJSON_Duplicate(cJSON_GetArrayItem(tags, 0), 1));
    }
  }
  cJSON_AddItemToObject(a, "filter", filter);
  filter = NULL;
  cJSON_AddNumberToObject(a, "limit", 100);
  s = cJSON_PrintUnformatted(a);
cleanup:
  cJSON_Delete(filter);
  cJSON_Delete(a);
  return s;
}

static int put_record(bench_set *set, mdl_operation_type op, double *samples, int n, double wall,
                      int warmup, const char *k1, long long v1, const char *k2, long long v2,
                      const char *k3, long long v3, bench_err *err) {
  mdl_benchmark_result r;
  bench_result_opts o = {op, MDL_SERVER_WORKFLOW_MCP, 0, wall, 1, warmup};
  int rc = bench_result_build(&o, samples, (size_t)n, &r, NULL, err);
  if (rc == BENCH_OK) rc = bench_result_param_int(&r, k1, v1, err);
  if (rc == BENCH_OK) rc = bench_result_param_int(&r, k2, v2, err);
  if (rc == BENCH_OK) rc = bench_result_param_int(&r, k3, v3, err);
  if (rc == BENCH_OK) rc = bench_set_put(set, &r, samples, (size_t)n, err);
  mdl_benchmark_result_free(&r);
  return rc;
}

/* One project switch (round robin: step i switches to project i mod n). */
static int switch_once(const char *url, const wf_data *d, int i, double *ms, bench_err *err) {
  char body[160];
  snprintf(body, sizeof body, "{\"project_id\":\"%s\"}", d->ids[i % d->n]);
  return bench_tool(url, "switch_project", body, 30000, NULL, ms, err);
}

/* Entity query number i: a filter derived from a generated entity of project i mod n, which
 * must match at least that entity. *ms < 0 when that project has no entities (nothing to ask). */
static int query_once(const char *url, const wf_data *d, int i, double *ms, bench_err *err) {
  int rc = BENCH_OK, p = i % d->n;
  const cJSON *projects = cJSON_GetObjectItemCaseSensitive(d->gen, "projects");
  const cJSON *ents = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(projects, p), "entities");
  int ne = cJSON_GetArraySize(ents);
  *ms = -1;
  if (ne == 0) return BENCH_OK;
  const cJSON *e = cJSON_GetArrayItem(ents, (i * 37) % ne);
  char *args = entity_query_args(e, d->ids[p], (i / d->n) % 4);
  cJSON *out = NULL;
  if (args == NULL) return bench_err_set(err, BENCH_ENOMEM, "out of memory");
  rc = bench_tool(url, "query_entities", args, 30000, &out, ms, err);
  if (rc == BENCH_OK) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(out, "count");
    if (!cJSON_IsNumber(c) || c->valuedouble < 1)
      rc = bench_err_set(err, BENCH_ERUN,
                         "query_entities %s matched nothing, yet the entity it was built from "
                         "satisfies it",
                         args);
  }
  free(args);
  cJSON_Delete(out);
  return rc;
}

int bench_op_workflow(bench_env *env, const bench_plan *plan, bench_set *set, bench_err *err) {
  int rc = BENCH_OK, entities = 0, items = 0;
  wf_data d;
  double *sw = NULL, *eq = NULL;
  assert(env->workflow != NULL);
  memset(&d, 0, sizeof d);
  const char *url = tst_server_url(env->workflow);
  double t0 = tst_now_ms();
  if ((rc = wf_seed(url, plan->seed, &d, &entities, &items, err)) != BENCH_OK) goto cleanup;
  fprintf(stderr, "workflow data: %d projects, %d entities, %d work items in %.1f s\n", d.n,
          entities, items, (tst_now_ms() - t0) / 1000.0);
  sw = calloc((size_t)plan->switches + 1, sizeof *sw);
  eq = calloc((size_t)plan->entity_queries + 1, sizeof *eq);
  if (sw == NULL || eq == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  /* Switches: round robin, so every switch changes the active project. */
  double wall = 0;
  for (int i = 0; i < plan->switch_warmup + plan->switches; i++) {
    double ms = 0;
    if ((rc = switch_once(url, &d, i, &ms, err)) != BENCH_OK) goto cleanup;
    if (i >= plan->switch_warmup) {
      sw[i - plan->switch_warmup] = ms;
      wall += ms / 1000.0;
    }
  }
  if ((rc = put_record(set, MDL_OP_PROJECT_SWITCH, sw, plan->switches, wall, plan->switch_warmup,
                       "switches", plan->switches, "projects", d.n, "entities", entities, err)) !=
      BENCH_OK)
    goto cleanup;
  /* Entity queries: filters derived from generated entities, spread over the projects. */
  wall = 0;
  for (int i = 0; i < plan->entity_queries; i++) {
    double ms = 0;
    if ((rc = query_once(url, &d, i, &ms, err)) != BENCH_OK) goto cleanup;
    if (ms < 0) continue;
    eq[i] = ms;
    wall += ms / 1000.0;
  }
  rc = put_record(set, MDL_OP_ENTITY_QUERY, eq, plan->entity_queries, wall, 0, "queries",
                  plan->entity_queries, "projects", d.n, "entities", entities, err);
  if (rc == BENCH_OK) {
    mdl_benchmark_result *r = &set->results[MDL_OP_ENTITY_QUERY];
    rc = bench_result_param_int(r, "work_items", items, err);
    if (rc == BENCH_OK)
      rc = bench_result_param_str(r, "filters", "containment, nested containment, $gte range, tags",
                                  err);
  }
cleanup:
  free(sw);
  free(eq);
  cJSON_Delete(d.gen);
  return rc;
}

/* ---- A/B (the regression's sensitivity test) ----------------------------------------------- */

struct bench_wf_data {
  wf_data d;
  int entities, items;
};

int bench_wf_seed(bench_env *env, uint64_t seed, bench_wf_data **out, bench_err *err) {
  assert(env != NULL && env->workflow != NULL && out != NULL);
  *out = calloc(1, sizeof **out);
  if (*out == NULL) return bench_err_set(err, BENCH_ENOMEM, "out of memory");
  int rc = wf_seed(tst_server_url(env->workflow), seed, &(*out)->d, &(*out)->entities,
                   &(*out)->items, err);
  if (rc != BENCH_OK) {
    bench_wf_free(*out);
    *out = NULL;
  }
  return rc;
}

void bench_wf_free(bench_wf_data *d) {
  if (d == NULL) return;
  cJSON_Delete(d->d.gen);
  free(d);
}

/* Step i of operation op on url; *ms < 0 when there was nothing to ask. */
static int ab_step(mdl_operation_type op, const char *url, const wf_data *d, int i, double *ms,
                   bench_err *err) {
  return op == MDL_OP_PROJECT_SWITCH ? switch_once(url, d, i, ms, err)
                                     : query_once(url, d, i, ms, err);
}

int bench_wf_ab(const bench_wf_data *data, mdl_operation_type op, const char *url_a,
                const char *url_b, int warmup, int n, bench_set *a, bench_set *b, bench_err *err) {
  int rc = BENCH_OK, na = 0, nb = 0;
  double *sa = calloc((size_t)n + 1, sizeof *sa), *sb = calloc((size_t)n + 1, sizeof *sb);
  double wa = 0, wb = 0;
  assert(op == MDL_OP_PROJECT_SWITCH || op == MDL_OP_ENTITY_QUERY);
  if (sa == NULL || sb == NULL) {
    rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
    goto cleanup;
  }
  for (int i = 0; i < warmup + n; i++) {
    double ms = 0;
    /* Alternate which server goes first, so neither always follows the other's request. */
    const char *first = i % 2 == 0 ? url_a : url_b, *second = i % 2 == 0 ? url_b : url_a;
    for (int k = 0; k < 2; k++) {
      const char *url = k == 0 ? first : second;
      if ((rc = ab_step(op, url, &data->d, i, &ms, err)) != BENCH_OK) goto cleanup;
      if (i < warmup || ms < 0) continue;
      if (url == url_a) {
        sa[na++] = ms;
        wa += ms / 1000.0;
      } else {
        sb[nb++] = ms;
        wb += ms / 1000.0;
      }
    }
  }
  const char *what = op == MDL_OP_PROJECT_SWITCH ? "switches" : "queries";
  if ((rc = put_record(a, op, sa, na, wa, warmup, what, na, "projects", data->d.n, "entities",
                       data->entities, err)) != BENCH_OK ||
      (rc = put_record(b, op, sb, nb, wb, warmup, what, nb, "projects", data->d.n, "entities",
                       data->entities, err)) != BENCH_OK)
    goto cleanup;
cleanup:
  free(sa);
  free(sb);
  return rc;
}
