/* projects.c — create_project, list_projects, switch_project, get_active_project.
 *
 * The active project is the single row of active_project. A switch is one atomic upsert that
 * bumps switch_seq, so concurrent switches serialise on that row: the switch with the highest
 * switch_seq is the one that committed last and is the active project afterwards. The first
 * project created becomes active when none is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/uuid.h"
#include "servers/common/db.h"
#include "servers/workflow_mcp/names.h"
#include "servers/workflow_mcp/store.h"
#include "servers/workflow_mcp/workflow.h"

typedef struct project_op {
  const cJSON *args;
  char id[MDL_UUID_LEN];
  cJSON *out;
} project_op;

static void op_reset(project_op *op) {
  cJSON_Delete(op->out);
  op->out = NULL;
}

/* ---- create_project ---- */

static srv_code create_fn(PGconn *c, void *arg, srv_err *err) {
  project_op *op = arg;
  op_reset(op);
  const char *name = wf_arg_str(op->args, "name");
  const char *desc = wf_arg_str(op->args, "description");
  const char *p[3] = {op->id, name, desc ? desc : ""};
  srv_code rc = srv_db_exec(c,
                            "WITH p AS (INSERT INTO projects (id, name, description) "
                            "VALUES ($1::uuid, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id) "
                            "INSERT INTO active_project (singleton, project_id) "
                            "SELECT true, id FROM p ON CONFLICT (singleton) DO NOTHING",
                            3, p, NULL, err);
  if (rc == SRV_ECONFLICT)
    return srv_err_set(err, SRV_ECONFLICT,
                       "a project named \"%s\" already exists: select it with switch_project "
                       "{\"name\": \"%s\"} or choose another name",
                       name, name);
  if (rc != SRV_OK) return rc;
  rc = wf_query_json(c,
                     "SELECT (" WF_SQL_PROJECT_JSON
                     " || jsonb_build_object('active', "
                     "COALESCE(p.id = (SELECT project_id FROM active_project), false)))::text "
                     "FROM projects p WHERE p.id = $1::uuid",
                     1, p, &op->out, err);
  if (rc == SRV_OK && op->out == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "project %s vanished right after it was created", op->id);
  return rc;
}

srv_code wf_create_project(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  project_op op = {.args = args};
  mdl_err me;
  srv_code rc = wf_check_project_name("name", wf_arg_str(args, "name"), err);
  if (rc != SRV_OK) return rc;
  if (mdl_uuid_v4(op.id, &me) != MDL_OK)
    return srv_err_set(err, SRV_EINTERNAL, "cannot generate a project id");
  /* The id is chosen here and the insert is ON CONFLICT DO NOTHING: running it twice is harmless.
   */
  rc = srv_call_db(call, create_fn, &op, 1, err);
  if (rc != SRV_OK) {
    cJSON_Delete(op.out);
    return rc;
  }
  call->http_status = 201;
  *out = op.out;
  return SRV_OK;
}

/* ---- list_projects ---- */

static srv_code list_fn(PGconn *c, void *arg, srv_err *err) {
  project_op *op = arg;
  op_reset(op);
  char lim[24], off[24];
  snprintf(lim, sizeof(lim), "%ld", wf_arg_int(op->args, "limit", 100));
  snprintf(off, sizeof(off), "%ld", wf_arg_int(op->args, "offset", 0));
  const char *p[2] = {lim, off};
  return wf_query_json(
      c,
      "SELECT jsonb_build_object("
      "'projects', COALESCE((SELECT jsonb_agg(" WF_SQL_PROJECT_JSON
      " || jsonb_build_object("
      "'active', COALESCE(p.id = (SELECT project_id FROM active_project), false)) "
      "ORDER BY p.created_at, p.id) FROM (SELECT * FROM projects ORDER BY created_at, id "
      "LIMIT $1::int OFFSET $2::int) p), '[]'::jsonb), "
      "'active_project_id', (SELECT project_id FROM active_project), "
      "'total', (SELECT count(*) FROM projects), 'limit', $1::int, 'offset', $2::int)::text",
      2, p, &op->out, err);
}

srv_code wf_list_projects(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  project_op op = {.args = args};
  srv_code rc = srv_call_db(call, list_fn, &op, 1, err);
  if (rc != SRV_OK) {
    cJSON_Delete(op.out);
    return rc;
  }
  *out = op.out;
  return SRV_OK;
}

/* ---- switch_project ---- */

#define SWITCH_SQL(where)                                                            \
  "WITH p AS (SELECT * FROM projects WHERE " where                                   \
  "), "                                                                              \
  "s AS (INSERT INTO active_project (singleton, project_id) SELECT true, id FROM p " \
  "ON CONFLICT (singleton) DO UPDATE SET project_id = EXCLUDED.project_id, "         \
  "switch_seq = active_project.switch_seq + 1, switched_at = clock_timestamp() "     \
  "RETURNING switch_seq, switched_at) "                                              \
  "SELECT jsonb_build_object('active_project', " WF_SQL_PROJECT_JSON                 \
  ", 'switch_seq', "                                                                 \
  "s.switch_seq, 'switched_at', " WF_SQL_TS("s.switched_at") ")::text FROM p, s"

static srv_code switch_fn(PGconn *c, void *arg, srv_err *err) {
  project_op *op = arg;
  op_reset(op);
  const char *id = wf_arg_str(op->args, "project_id");
  const char *name = wf_arg_str(op->args, "name");
  const char *p[1] = {id ? id : name};
  srv_code rc = wf_query_json(c, id ? SWITCH_SQL("id = $1::uuid") : SWITCH_SQL("name = $1"), 1, p,
                              &op->out, err);
  if (rc == SRV_OK && op->out == NULL)
    rc = srv_err_set(err, SRV_ENOTFOUND,
                     "project %s \"%s\" does not exist: list_projects shows the projects, "
                     "create_project makes one",
                     id ? "with id" : "named", p[0]);
  return rc;
}

srv_code wf_switch_project(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  project_op op = {.args = args};
  const char *id = wf_arg_str(args, "project_id");
  const char *name = wf_arg_str(args, "name");
  srv_code rc;
  if ((id == NULL) == (name == NULL))
    return srv_err_set(err, SRV_EINVAL,
                       "switch_project needs exactly one of project_id or name (got %s)",
                       id ? "both" : "neither");
  if (id != NULL && (rc = wf_check_uuid("project_id", id, err)) != SRV_OK) return rc;
  /* Switching to the same project twice leaves the same state: safe to retry. */
  rc = srv_call_db(call, switch_fn, &op, 1, err);
  if (rc != SRV_OK) {
    cJSON_Delete(op.out);
    return rc;
  }
  *out = op.out;
  return SRV_OK;
}

/* ---- get_active_project ---- */

static srv_code active_fn(PGconn *c, void *arg, srv_err *err) {
  project_op *op = arg;
  op_reset(op);
  srv_code rc = wf_query_json(
      c,
      "SELECT jsonb_build_object('active_project', " WF_SQL_PROJECT_JSON
      ", 'switch_seq', a.switch_seq, 'switched_at', " WF_SQL_TS(
          "a.switched_at") ")::text FROM active_project a JOIN projects p ON p.id = a.project_id",
      0, NULL, &op->out, err);
  if (rc == SRV_OK && op->out == NULL) {
    op->out = cJSON_CreateObject();
    if (op->out == NULL || cJSON_AddNullToObject(op->out, "active_project") == NULL ||
        cJSON_AddStringToObject(op->out, "message",
                                "no active project: create one with create_project and select it "
                                "with switch_project") == NULL)
      return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  return rc;
}

srv_code wf_get_active_project(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  project_op op = {.args = args};
  srv_code rc = srv_call_db(call, active_fn, &op, 1, err);
  if (rc != SRV_OK) {
    cJSON_Delete(op.out);
    return rc;
  }
  *out = op.out;
  return SRV_OK;
}
