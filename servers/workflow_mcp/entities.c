/* entities.c — register_entity_type, create_entity, update_entity, query_entities.
 *
 * Each entity belongs to one project and one registered type; its data (a JSON object) is
 * validated against the type's schema on every write (entity_schema.h). Updates use optimistic
 * locking: the caller sends the version it read, the UPDATE matches only that version, and a
 * mismatch is SRV_ECONFLICT naming the current version. Queries always filter by project first
 * (tenant isolation), then type, tags (GIN) and the compiled JSONB filter (GIN for containment). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/uuid.h"
#include "servers/common/db.h"
#include "servers/workflow_mcp/entity_schema.h"
#include "servers/workflow_mcp/filter.h"
#include "servers/workflow_mcp/names.h"
#include "servers/workflow_mcp/sqlbuf.h"
#include "servers/workflow_mcp/store.h"
#include "servers/workflow_mcp/workflow.h"

typedef struct entity_op {
  const cJSON *args;
  char id[MDL_UUID_LEN];
  char *data; /* compact JSON of args.data, or NULL */
  char *tags; /* text[] literal of args.tags, or NULL */
  cJSON *out;
  int created; /* register_entity_type: 1 when the type is new */
} entity_op;

static void op_reset(entity_op *op) {
  cJSON_Delete(op->out);
  op->out = NULL;
}

static void op_free(entity_op *op) {
  cJSON_Delete(op->out);
  cJSON_free(op->data);
  free(op->tags);
}

static srv_code check_tag(const char *what, const char *s, srv_err *err) {
  return wf_check_text(what, s, WF_TAG_MAX, err);
}

/* Loads the schema of type `type` in project `project` and validates data against it. */
static srv_code validate_against_type(PGconn *c, const char *project, const char *type,
                                      const cJSON *data, srv_err *err) {
  cJSON *schema = NULL;
  const char *p[2] = {project, type};
  srv_code rc = wf_query_json(c,
                              "SELECT schema::text FROM entity_types WHERE project_id = $1::uuid "
                              "AND name = $2",
                              2, p, &schema, err);
  if (rc != SRV_OK) return rc;
  if (schema == NULL)
    return srv_err_set(err, SRV_ENOTFOUND,
                       "entity type \"%s\" is not registered in project %s: call "
                       "register_entity_type {\"name\": \"%s\", \"schema\": {...}} first",
                       type, project, type);
  rc = wf_entity_validate(schema, data, err);
  cJSON_Delete(schema);
  return rc;
}

/* ---- register_entity_type ---- */

static srv_code register_fn(PGconn *c, void *arg, srv_err *err) {
  entity_op *op = arg;
  op_reset(op);
  char project[37];
  srv_code rc = wf_resolve_project_for_write(c, wf_arg_str(op->args, "project_id"), project, err);
  if (rc != SRV_OK) return rc;
  const char *p[3] = {project, wf_arg_str(op->args, "name"), op->data};
  rc = wf_query_json(
      c,
      "INSERT INTO entity_types (project_id, name, schema) VALUES ($1::uuid, $2, $3::jsonb) "
      "ON CONFLICT (project_id, name) DO UPDATE SET schema = EXCLUDED.schema, "
      "updated_at = now() RETURNING jsonb_build_object('project_id', project_id, "
      "'name', name, 'schema', schema, 'created', xmax = 0)::text",
      3, p, &op->out, err);
  if (rc == SRV_OK && op->out == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "register returned no row");
  if (rc == SRV_OK)
    op->created = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op->out, "created"));
  return rc;
}

srv_code wf_register_entity_type(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  entity_op op = {.args = args};
  srv_code rc = wf_check_type_name("name", wf_arg_str(args, "name"), err);
  if (rc == SRV_OK)
    rc = wf_entity_schema_check(cJSON_GetObjectItemCaseSensitive(args, "schema"), err);
  if (rc == SRV_OK && (op.data = wf_arg_json(args, "schema")) == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
  /* An upsert of the same schema: safe to retry. */
  if (rc == SRV_OK) rc = wf_call_db_out(call, register_fn, &op, 1, &op.out, out, err);
  if (rc == SRV_OK) call->http_status = op.created ? 201 : 200;
  op_free(&op);
  return rc;
}

/* ---- create_entity ---- */

static srv_code create_fn(PGconn *c, void *arg, srv_err *err) {
  entity_op *op = arg;
  op_reset(op);
  char project[37];
  const char *type = wf_arg_str(op->args, "entity_type");
  srv_code rc = wf_resolve_project_for_write(c, wf_arg_str(op->args, "project_id"), project, err);
  if (rc == SRV_OK)
    rc = validate_against_type(c, project, type, cJSON_GetObjectItemCaseSensitive(op->args, "data"),
                               err);
  if (rc != SRV_OK) return rc;
  const char *p[5] = {op->id, project, type, op->data, op->tags ? op->tags : "{}"};
  rc = srv_db_exec(
      c,
      "INSERT INTO entities (id, project_id, entity_type, data, tags) "
      "VALUES ($1::uuid, $2::uuid, $3, $4::jsonb, $5::text[]) ON CONFLICT (id) DO NOTHING",
      5, p, NULL, err);
  if (rc != SRV_OK) return rc;
  rc = wf_query_json(c, "SELECT " WF_SQL_ENTITY_JSON "::text FROM entities e WHERE e.id = $1::uuid",
                     1, p, &op->out, err);
  if (rc == SRV_OK && op->out == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "entity vanished after insert");
  return rc;
}

srv_code wf_create_entity(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  entity_op op = {.args = args};
  srv_code rc = wf_check_type_name("entity_type", wf_arg_str(args, "entity_type"), err);
  if (rc == SRV_OK && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(args, "data")))
    rc = srv_err_set(err, SRV_EINVAL, "data must be a JSON object (e.g. {\"amount\": 10})");
  if (rc == SRV_OK) op.tags = wf_arg_text_array(args, "tags", WF_MAX_TAGS, check_tag, &rc, err);
  if (rc == SRV_OK && (op.data = wf_arg_json(args, "data")) == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
  /* The id is chosen here and the insert is ON CONFLICT DO NOTHING: safe to retry. */
  if (rc == SRV_OK)
    rc = wf_create_with_id(call, op.id, "an entity", create_fn, &op, &op.out, out, err);
  op_free(&op);
  return rc;
}

/* ---- update_entity ---- */

static srv_code update_fn(PGconn *c, void *arg, srv_err *err) {
  entity_op *op = arg;
  op_reset(op);
  char project[37], version[24];
  const char *id = wf_arg_str(op->args, "id");
  PGresult *res = NULL;
  snprintf(version, sizeof(version), "%ld", wf_arg_int(op->args, "version", 0));
  srv_code rc = wf_resolve_project(c, wf_arg_str(op->args, "project_id"), project, err);
  if (rc != SRV_OK) return rc;
  const char *p[5] = {id, project, version, op->data, op->tags};
  if (op->data != NULL) {
    rc = srv_db_exec(
        c, "SELECT entity_type FROM entities WHERE id = $1::uuid AND project_id = $2::uuid", 2, p,
        &res, err);
    if (rc != SRV_OK) return rc;
    if (PQntuples(res) == 0) {
      PQclear(res);
      return srv_err_set(err, SRV_ENOTFOUND, "entity %s does not exist in project %s", id, project);
    }
    char type[WF_TYPE_NAME_MAX + 1];
    snprintf(type, sizeof(type), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    rc = validate_against_type(c, project, type, cJSON_GetObjectItemCaseSensitive(op->args, "data"),
                               err);
    if (rc != SRV_OK) return rc;
  }
  rc = wf_query_json(
      c,
      "UPDATE entities e SET data = COALESCE($4::jsonb, e.data), "
      "tags = COALESCE($5::text[], e.tags), version = e.version + 1, updated_at = now() "
      "WHERE e.id = $1::uuid AND e.project_id = $2::uuid AND e.version = $3::int "
      "RETURNING " WF_SQL_ENTITY_JSON "::text",
      5, p, &op->out, err);
  if (rc != SRV_OK || op->out != NULL) return rc;
  return wf_version_error(c, "entities", "entity", id, project, version,
                          "re-read the entity and apply your change to it", err);
}

srv_code wf_update_entity(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  entity_op op = {.args = args};
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(args, "data");
  srv_code rc = wf_check_uuid("id", wf_arg_str(args, "id"), err);
  if (rc == SRV_OK && data == NULL && cJSON_GetObjectItemCaseSensitive(args, "tags") == NULL)
    rc = srv_err_set(err, SRV_EINVAL, "update_entity needs data and/or tags to change");
  if (rc == SRV_OK && data != NULL && !cJSON_IsObject(data))
    rc = srv_err_set(err, SRV_EINVAL, "data must be a JSON object (it replaces the entity's data)");
  if (rc == SRV_OK) op.tags = wf_arg_text_array(args, "tags", WF_MAX_TAGS, check_tag, &rc, err);
  if (rc == SRV_OK && data != NULL && (op.data = wf_arg_json(args, "data")) == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "out of memory");
  /* version = version + 1 is not idempotent: never retried after the statement was sent. */
  if (rc == SRV_OK) rc = wf_call_db_out(call, update_fn, &op, 0, &op.out, out, err);
  op_free(&op);
  return rc;
}

/* ---- query_entities ---- */

static srv_code query_fn(PGconn *c, void *arg, srv_err *err) {
  entity_op *op = arg;
  op_reset(op);
  wf_sql sql;
  wf_sql_init(&sql);
  int n = 0;
  const char *type = wf_arg_str(op->args, "entity_type");
  const char *given = wf_arg_str(op->args, "project_id");
  srv_code rc = wf_page_begin(&sql, given, WF_SQL_ENTITY_JSON, "entities", "e", err);
  if (rc != SRV_OK) goto cleanup;
  if (type != NULL) {
    if ((rc = wf_sql_param(&sql, type, &n, err)) != SRV_OK) goto cleanup;
    if ((rc = wf_sql_append(&sql, err, " AND e.entity_type = $%d", n)) != SRV_OK) goto cleanup;
  }
  if (op->tags != NULL) {
    if ((rc = wf_sql_param(&sql, op->tags, &n, err)) != SRV_OK) goto cleanup;
    if ((rc = wf_sql_append(&sql, err, " AND e.tags @> $%d::text[]", n)) != SRV_OK) goto cleanup;
  }
  rc = wf_filter_compile(cJSON_GetObjectItemCaseSensitive(op->args, "filter"), "e.data", &sql, err);
  if (rc == SRV_OK) rc = wf_page_run(c, &sql, "e", given, op->args, "entities", &op->out, err);
cleanup:
  wf_sql_free(&sql);
  return rc;
}

srv_code wf_query_entities(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  entity_op op = {.args = args};
  srv_code rc = SRV_OK;
  const char *type = wf_arg_str(args, "entity_type");
  const char *given = wf_arg_str(args, "project_id");
  if (given != NULL) rc = wf_check_uuid("project_id", given, err);
  if (rc == SRV_OK && type != NULL) rc = wf_check_type_name("entity_type", type, err);
  if (rc == SRV_OK) op.tags = wf_arg_text_array(args, "tags", WF_MAX_TAGS, check_tag, &rc, err);
  if (rc == SRV_OK) {
    /* Compile once here so a bad filter is rejected before a connection is taken. */
    wf_sql probe;
    wf_sql_init(&probe);
    rc = wf_filter_compile(cJSON_GetObjectItemCaseSensitive(args, "filter"), "e.data", &probe, err);
    wf_sql_free(&probe);
  }
  if (rc == SRV_OK) rc = wf_call_db_out(call, query_fn, &op, 1, &op.out, out, err);
  op_free(&op);
  return rc;
}
