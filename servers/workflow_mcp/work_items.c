/* work_items.c — create_work_item, get_work_item, update_work_item, query_work_items.
 *
 * A work item lives in one project; parents are in the same project (composite foreign key).
 * depth is 0 at a root and at most WF_MAX_DEPTH. Re-parenting runs in one transaction under a
 * per-project advisory lock (so two concurrent moves cannot build a cycle together), refuses a
 * parent inside the item's own subtree, and shifts the depth of the whole subtree. Updates use
 * optimistic locking on `version`. get_work_item asks codebase-mcp (coderefs.h) about the
 * referenced chunks after the database connection has been given back, so a slow codebase-mcp
 * never holds a pooled connection; creating an item never talks to codebase-mcp. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/uuid.h"
#include "servers/common/db.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"
#include "servers/workflow_mcp/names.h"
#include "servers/workflow_mcp/sqlbuf.h"
#include "servers/workflow_mcp/store.h"
#include "servers/workflow_mcp/workflow.h"

#define WF_MAX_DEPTH 5
/* get_work_item answers within 500 ms even when codebase-mcp is slow: the database read and the
 * reference check share this budget (100 ms of the 500 are left for the rest of the request, on a
 * loaded machine). */
#define WF_GET_BUDGET_MS 400
#define WF_DEFAULT_ITEM_TYPE "task" /* create_work_item without item_type */

typedef struct item_op {
  const cJSON *args;
  char id[MDL_UUID_LEN];
  char *metadata; /* compact JSON of args.metadata or NULL */
  char *refs;     /* text[] literal of args.entity_references or NULL */
  cJSON *out;
} item_op;

static void op_reset(item_op *op) {
  cJSON_Delete(op->out);
  op->out = NULL;
}

static void op_free(item_op *op) {
  cJSON_Delete(op->out);
  cJSON_free(op->metadata);
  free(op->refs);
}

/* Checks and converts the fields shared by create and update. */
static srv_code check_fields(const cJSON *args, item_op *op, srv_err *err) {
  srv_code rc = SRV_OK;
  const char *title = wf_arg_str(args, "title");
  const char *status = wf_arg_str(args, "status");
  const cJSON *meta = cJSON_GetObjectItemCaseSensitive(args, "metadata");
  if (title != NULL && (rc = wf_check_text("title", title, WF_TITLE_MAX, err)) != SRV_OK) return rc;
  if (status != NULL && (rc = wf_check_status("status", status, err)) != SRV_OK) return rc;
  if (meta != NULL && !cJSON_IsNull(meta)) {
    if (!cJSON_IsObject(meta))
      return srv_err_set(err, SRV_EINVAL,
                         "metadata must be a JSON object (e.g. {\"priority\": 2})");
    if ((op->metadata = cJSON_PrintUnformatted(meta)) == NULL)
      return srv_err_set(err, SRV_EINTERNAL, "out of memory");
  }
  op->refs =
      wf_arg_text_array(args, "entity_references", WF_MAX_REFERENCES, wf_check_chunk_id, &rc, err);
  return rc;
}

static srv_code depth_error(srv_err *err, const char *parent, int pdepth, int height) {
  return srv_err_set(
      err, SRV_EINVAL,
      "work item hierarchy depth is limited to %d below a root (depth 0..%d): parent "
      "%s is at depth %d, so this item%s would reach depth %d; attach it higher up",
      WF_MAX_DEPTH, WF_MAX_DEPTH, parent, pdepth, height > 0 ? " and its subtree" : "",
      pdepth + 1 + height);
}

/* ---- create_work_item ---- */

static srv_code create_fn(PGconn *c, void *arg, srv_err *err) {
  item_op *op = arg;
  op_reset(op);
  char project[37], depth[24] = "0";
  const cJSON *a = op->args;
  const char *parent = wf_arg_str(a, "parent_id");
  const char *status = wf_arg_str(a, "status");
  const char *item_type = wf_arg_str(a, "item_type");
  PGresult *res = NULL;
  srv_code rc = wf_begin(c, err);
  if (rc != SRV_OK) return rc;
  if ((rc = wf_resolve_project_for_write(c, wf_arg_str(a, "project_id"), project, err)) != SRV_OK)
    goto cleanup;
  if (parent != NULL) {
    const char *pp[2] = {parent, project};
    rc = srv_db_exec(
        c, "SELECT depth FROM work_items WHERE id = $1::uuid AND project_id = $2::uuid FOR SHARE",
        2, pp, &res, err);
    if (rc != SRV_OK) goto cleanup;
    if (PQntuples(res) == 0) {
      rc = srv_err_set(err, SRV_ENOTFOUND, "parent work item %s does not exist in project %s",
                       parent, project);
      goto cleanup;
    }
    long pd = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    if (pd >= WF_MAX_DEPTH) {
      rc = depth_error(err, parent, (int)pd, 0);
      goto cleanup;
    }
    snprintf(depth, sizeof(depth), "%ld", pd + 1);
  }
  const char *p[9] = {op->id,
                      project,
                      parent,
                      wf_arg_str(a, "title"),
                      item_type ? item_type : WF_DEFAULT_ITEM_TYPE,
                      status ? status : "active",
                      op->metadata ? op->metadata : "{}",
                      op->refs ? op->refs : "{}",
                      depth};
  rc = srv_db_exec(
      c,
      "INSERT INTO work_items (id, project_id, parent_id, title, item_type, status, metadata, "
      "entity_references, depth) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb, "
      "$8::text[], $9::int) ON CONFLICT (id) DO NOTHING",
      9, p, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = wf_query_json(
      c, "SELECT " WF_SQL_WORK_ITEM_JSON "::text FROM work_items w WHERE w.id = $1::uuid", 1, p,
      &op->out, err);
  if (rc == SRV_OK && op->out == NULL)
    rc = srv_err_set(err, SRV_EINTERNAL, "work item vanished after insert");
  if (rc == SRV_OK) rc = wf_commit(c, err);
cleanup:
  PQclear(res);
  if (rc != SRV_OK) wf_rollback(c);
  return rc;
}

srv_code wf_create_work_item(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  item_op op = {.args = args};
  const char *parent = wf_arg_str(args, "parent_id");
  srv_code rc = wf_check_text("title", wf_arg_str(args, "title"), WF_TITLE_MAX, err);
  if (rc == SRV_OK && parent != NULL) rc = wf_check_uuid("parent_id", parent, err);
  if (rc == SRV_OK) rc = check_fields(args, &op, err);
  /* Own id + ON CONFLICT DO NOTHING inside one transaction: safe to retry. */
  if (rc == SRV_OK)
    rc = wf_create_with_id(call, op.id, "a work item", create_fn, &op, &op.out, out, err);
  op_free(&op);
  return rc;
}

/* ---- get_work_item ---- */

static srv_code get_fn(PGconn *c, void *arg, srv_err *err) {
  item_op *op = arg;
  op_reset(op);
  const char *given = wf_arg_str(op->args, "project_id");
  const char *id = wf_arg_str(op->args, "id");
  const char *p[2] = {given, id};
  /* One round trip on the hot path: the project is resolved inside the statement. */
  srv_code rc = wf_query_json(
      c,
      "SELECT (" WF_SQL_WORK_ITEM_JSON " || jsonb_build_object('code_project_id', " WF_SQL_CODE_PROJECT(
          "pr.name") "))::text FROM work_items w JOIN projects pr ON pr.id = w.project_id "
                     "WHERE w.id = $2::uuid AND w.project_id = " WF_SQL_PROJECT_OF_P1,
      2, p, &op->out, err);
  if (rc != SRV_OK || op->out != NULL) return rc;
  char project[37];
  rc = wf_resolve_project(c, given, project, err); /* no project, or no such item in it */
  if (rc == SRV_OK)
    rc = srv_err_set(err, SRV_ENOTFOUND, "work item %s does not exist in project %s", id, project);
  return rc;
}

static const char *str_or(const cJSON *o, const char *key, const char *dflt) {
  const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
  return v != NULL && *v ? v : dflt;
}

/* One stale_references entry {chunk_id, reason, message, file_path, symbol, likely_successor}
 * from codebase-mcp's account of a missing chunk (d: {chunk_id, reason, file_path, symbol, kind,
 * likely_successor}). The message says which of "changed and re-indexed" / "file deleted and
 * re-indexed" happened and, when the same symbol still exists under a new id, names it as the
 * one-step fix. NULL on out of memory. */
static cJSON *stale_entry(const cJSON *d) {
  const char *id = str_or(d, "chunk_id", "?"), *reason = str_or(d, "reason", "unknown");
  const char *file = str_or(d, "file_path", NULL), *sym = str_or(d, "symbol", NULL);
  const char *kind = str_or(d, "kind", "chunk");
  const cJSON *succ = cJSON_GetObjectItemCaseSensitive(d, "likely_successor");
  const char *succ_id = str_or(succ, "chunk_id", NULL);
  char what[400], fix[600], msg[1200];
  if (sym != NULL)
    snprintf(what, sizeof(what), " (%s %s in %s)", kind, sym, file ? file : "?");
  else if (file != NULL)
    snprintf(what, sizeof(what), " (in %s)", file);
  else
    what[0] = '\0';
  if (succ_id != NULL) {
    const cJSON *sl = cJSON_GetObjectItemCaseSensitive(succ, "start_line");
    const cJSON *el = cJSON_GetObjectItemCaseSensitive(succ, "end_line");
    snprintf(fix, sizeof(fix),
             "likely successor: chunk %s (%s %s in %s, lines %d-%d); replace %s with it in this "
             "work item's entity_references (update_work_item)",
             succ_id, kind, sym ? sym : "?", str_or(succ, "file_path", "?"),
             cJSON_IsNumber(sl) ? sl->valueint : 0, cJSON_IsNumber(el) ? el->valueint : 0, id);
  } else {
    snprintf(fix, sizeof(fix),
             "no chunk with that symbol remains; re-run search_code to find the current code and "
             "update this work item's entity_references");
  }
  if (strcmp(reason, "changed") == 0)
    snprintf(msg, sizeof(msg),
             "stale reference: chunk %s%s no longer exists because its file was changed and "
             "re-indexed; %s",
             id, what, fix);
  else if (strcmp(reason, "file_deleted") == 0)
    snprintf(msg, sizeof(msg),
             "stale reference: chunk %s%s no longer exists because its file was deleted and the "
             "project re-indexed; %s",
             id, what, fix);
  else
    snprintf(msg, sizeof(msg),
             "stale reference: chunk %s is not in this project's code index (the code was changed "
             "or deleted and re-indexed, or the chunk belongs to another project); re-run "
             "search_code to find the current chunk and update this work item's "
             "entity_references",
             id);
  cJSON *s = cJSON_CreateObject();
  if (s == NULL) return NULL;
  cJSON_AddStringToObject(s, "chunk_id", id);
  cJSON_AddStringToObject(s, "reason", reason);
  cJSON_AddStringToObject(s, "message", msg);
  if (file != NULL)
    cJSON_AddStringToObject(s, "file_path", file);
  else
    cJSON_AddNullToObject(s, "file_path");
  if (sym != NULL)
    cJSON_AddStringToObject(s, "symbol", sym);
  else
    cJSON_AddNullToObject(s, "symbol");
  if (succ_id != NULL)
    cJSON_AddItemToObject(s, "likely_successor", cJSON_Duplicate(succ, 1));
  else
    cJSON_AddNullToObject(s, "likely_successor");
  return s;
}

/* Adds stale_references / warnings / references_checked to item by asking codebase-mcp in the
 * item's code project (code_project_id). */
static void check_references(srv_call *call, cJSON *item, int64_t deadline_ms) {
  wf_state *st = call->user;
  cJSON *stale = cJSON_AddArrayToObject(item, "stale_references");
  cJSON *warnings = cJSON_AddArrayToObject(item, "warnings");
  const cJSON *refs = cJSON_GetObjectItemCaseSensitive(item, "entity_references");
  int n = cJSON_GetArraySize(refs);
  if (stale == NULL || warnings == NULL) return;
  if (n == 0) {
    cJSON_AddBoolToObject(item, "references_checked", 1);
    return;
  }
  const char **ids = calloc((size_t)n, sizeof(*ids));
  if (ids == NULL) return;
  int k = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, refs) if (cJSON_IsString(e)) ids[k++] = e->valuestring;
  if (k == 0) { /* defensive: entity_references is a text[], so never only non-strings */
    free(ids);
    cJSON_AddBoolToObject(item, "references_checked", 1);
    return;
  }
  cJSON *missing = NULL, *details = NULL;
  srv_err err;
  srv_err_clear(&err);
  const cJSON *cp = cJSON_GetObjectItemCaseSensitive(item, "code_project_id");
  srv_code rc = st && st->refs
                    ? wf_coderefs_missing(st->refs, cJSON_GetStringValue(cp), ids, k, deadline_ms,
                                          &missing, &details, &err)
                    : srv_err_set(&err, SRV_EUNAVAIL, "no codebase-mcp client configured");
  if (rc != SRV_OK) {
    /* One WARN line per second at most, so an outage does not flood the log. */
    static _Atomic int64_t last_warn_ms;
    int64_t now = srv_mono_ms(), prev = atomic_load(&last_warn_ms);
    if (now - prev >= 1000 && atomic_compare_exchange_strong(&last_warn_ms, &prev, now))
      srv_log_event(SRV_LOG_WARN, "code_search_unavailable",
                    "work item references not checked: %s (warnings: code_search_unavailable)",
                    err.msg);
    char msg[768];
    cJSON_AddItemToArray(warnings, cJSON_CreateString("code_search_unavailable"));
    snprintf(msg, sizeof(msg),
             "code search is unavailable (%s): the %d code reference(s) were not checked and are "
             "returned as stored; start codebase-mcp or check CODEBASE_MCP_URL",
             err.msg, k);
    cJSON_AddStringToObject(item, "message", msg);
    cJSON_AddBoolToObject(item, "references_checked", 0);
  } else {
    cJSON_ArrayForEach(e, details) {
      cJSON *s = stale_entry(e);
      if (s != NULL) cJSON_AddItemToArray(stale, s);
    }
    cJSON_AddBoolToObject(item, "references_checked", 1);
  }
  cJSON_Delete(missing);
  cJSON_Delete(details);
  free(ids);
}

srv_code wf_get_work_item(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  item_op op = {.args = args};
  const char *given = wf_arg_str(args, "project_id");
  /* The whole answer within WF_GET_BUDGET_MS: the reference check gets what the read left. */
  int64_t deadline = srv_mono_ms() + WF_GET_BUDGET_MS;
  if (call->deadline_ms > 0 && call->deadline_ms < deadline) deadline = call->deadline_ms;
  srv_code rc = wf_check_uuid("id", wf_arg_str(args, "id"), err);
  if (rc == SRV_OK && given != NULL) rc = wf_check_uuid("project_id", given, err);
  if (rc == SRV_OK) rc = srv_call_db(call, get_fn, &op, 1, err);
  if (rc == SRV_OK) {
    check_references(call, op.out, deadline); /* the connection is back in the pool by now */
    *out = op.out;
    op.out = NULL;
  }
  op_free(&op);
  return rc;
}

/* ---- update_work_item ---- */

/* With the item locked (FOR UPDATE) at version `cur`: validates a move under new_parent (NULL:
 * make it a root) and shifts the subtree's depths. Writes the item's new depth to new_depth. */
static srv_code move_subtree(PGconn *c, const char *id, const char *project, const char *new_parent,
                             long old_depth, long *new_depth, srv_err *err) {
  PGresult *res = NULL;
  srv_code rc = SRV_OK;
  long pdepth = -1;
  if (new_parent != NULL) {
    if (strcmp(new_parent, id) == 0)
      return srv_err_set(err, SRV_EINVAL,
                         "cannot make work item %s its own parent: that would be a cycle; choose "
                         "another parent_id or null for a root",
                         id);
    const char *pp[2] = {new_parent, project};
    rc =
        srv_db_exec(c, "SELECT depth FROM work_items WHERE id = $1::uuid AND project_id = $2::uuid",
                    2, pp, &res, err);
    if (rc != SRV_OK) return rc;
    if (PQntuples(res) == 0) {
      PQclear(res);
      return srv_err_set(err, SRV_ENOTFOUND, "parent work item %s does not exist in project %s",
                         new_parent, project);
    }
    pdepth = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    res = NULL;
  }
  const char *sp[2] = {id, new_parent};
  rc = srv_db_exec(
      c,
      "WITH RECURSIVE sub AS (SELECT id, depth FROM work_items WHERE id = $1::uuid "
      "UNION SELECT w.id, w.depth FROM work_items w JOIN sub ON w.parent_id = sub.id) "
      "SELECT max(depth) - min(depth), COALESCE(bool_or(id = $2::uuid), false) FROM sub",
      2, sp, &res, err);
  if (rc != SRV_OK) return rc;
  long height = strtol(PQgetvalue(res, 0, 0), NULL, 10);
  int cycle = PQgetvalue(res, 0, 1)[0] == 't';
  PQclear(res);
  if (cycle)
    return srv_err_set(err, SRV_EINVAL,
                       "cannot move work item %s under %s: %s is one of its descendants, so the "
                       "hierarchy would contain a cycle; choose a parent outside its subtree",
                       id, new_parent, new_parent);
  *new_depth = pdepth + 1;
  if (*new_depth + height > WF_MAX_DEPTH)
    return depth_error(err, new_parent, (int)pdepth, (int)height);
  if (*new_depth == old_depth) return SRV_OK;
  char delta[24];
  snprintf(delta, sizeof(delta), "%ld", *new_depth - old_depth);
  const char *dp[2] = {id, delta};
  return srv_db_exec(
      c,
      "WITH RECURSIVE sub AS (SELECT id FROM work_items WHERE id = $1::uuid "
      "UNION SELECT w.id FROM work_items w JOIN sub ON w.parent_id = sub.id) "
      "UPDATE work_items SET depth = depth + $2::int WHERE id IN (SELECT id FROM sub) "
      "AND id <> $1::uuid",
      2, dp, NULL, err);
}

/* What a caller whose update lost a version race should do. */
static const char kReread[] = "re-read it with get_work_item and apply your change to that version";

static srv_code update_fn(PGconn *c, void *arg, srv_err *err) {
  item_op *op = arg;
  op_reset(op);
  const cJSON *a = op->args;
  char project[37], version[24], depth[24] = "";
  const char *id = wf_arg_str(a, "id");
  const cJSON *parent = cJSON_GetObjectItemCaseSensitive(a, "parent_id");
  int moving = parent != NULL;
  const char *new_parent = parent != NULL && cJSON_IsString(parent) ? parent->valuestring : NULL;
  PGresult *res = NULL;
  snprintf(version, sizeof(version), "%ld", wf_arg_int(a, "version", 0));
  srv_code rc = wf_begin(c, err);
  if (rc != SRV_OK) return rc;
  if ((rc = wf_resolve_project(c, wf_arg_str(a, "project_id"), project, err)) != SRV_OK)
    goto cleanup;
  if (moving) {
    const char *lp[1] = {project};
    if ((rc = srv_db_exec(c, "SELECT pg_advisory_xact_lock(hashtext('wf_tree:' || $1))", 1, lp,
                          NULL, err)) != SRV_OK)
      goto cleanup;
    const char *ip[2] = {id, project};
    rc = srv_db_exec(
        c,
        "SELECT version, depth FROM work_items WHERE id = $1::uuid AND project_id = $2::uuid "
        "FOR UPDATE",
        2, ip, &res, err);
    if (rc != SRV_OK) goto cleanup;
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), version) != 0) {
      rc = wf_version_error(c, "work_items", "work item", id, project, version, kReread, err);
      goto cleanup;
    }
    long old_depth = strtol(PQgetvalue(res, 0, 1), NULL, 10), nd = 0;
    if ((rc = move_subtree(c, id, project, new_parent, old_depth, &nd, err)) != SRV_OK)
      goto cleanup;
    snprintf(depth, sizeof(depth), "%ld", nd);
  }
  const char *p[11] = {id,
                       project,
                       version,
                       wf_arg_str(a, "title"),
                       wf_arg_str(a, "status"),
                       wf_arg_str(a, "item_type"),
                       op->metadata,
                       op->refs,
                       moving ? "t" : "f",
                       new_parent,
                       moving ? depth : NULL};
  rc = wf_query_json(
      c,
      "UPDATE work_items w SET title = COALESCE($4, w.title), status = COALESCE($5, w.status), "
      "item_type = COALESCE($6, w.item_type), metadata = COALESCE($7::jsonb, w.metadata), "
      "entity_references = COALESCE($8::text[], w.entity_references), "
      "parent_id = CASE WHEN $9::bool THEN $10::uuid ELSE w.parent_id END, "
      "depth = COALESCE($11::int, w.depth), version = w.version + 1, updated_at = now() "
      "WHERE w.id = $1::uuid AND w.project_id = $2::uuid AND w.version = $3::int "
      "RETURNING " WF_SQL_WORK_ITEM_JSON "::text",
      11, p, &op->out, err);
  if (rc == SRV_OK && op->out == NULL)
    rc = wf_version_error(c, "work_items", "work item", id, project, version, kReread, err);
  if (rc == SRV_OK) rc = wf_commit(c, err);
cleanup:
  PQclear(res);
  if (rc != SRV_OK) wf_rollback(c);
  return rc;
}

srv_code wf_update_work_item(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  item_op op = {.args = args};
  const cJSON *parent = cJSON_GetObjectItemCaseSensitive(args, "parent_id");
  static const char *const fields[] = {
      "title", "status", "item_type", "metadata", "entity_references", "parent_id"};
  int any = 0;
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
    any |= cJSON_GetObjectItemCaseSensitive(args, fields[i]) != NULL;
  srv_code rc = wf_check_uuid("id", wf_arg_str(args, "id"), err);
  if (rc == SRV_OK && !any)
    rc = srv_err_set(
        err, SRV_EINVAL,
        "update_work_item needs at least one field to change: title, status, item_type, "
        "metadata, entity_references or parent_id");
  if (rc == SRV_OK && cJSON_IsString(parent))
    rc = wf_check_uuid("parent_id", parent->valuestring, err);
  if (rc == SRV_OK) rc = check_fields(args, &op, err);
  /* version = version + 1 is not idempotent: never retried after the statement was sent. */
  if (rc == SRV_OK) rc = wf_call_db_out(call, update_fn, &op, 0, &op.out, out, err);
  op_free(&op);
  return rc;
}

/* ---- query_work_items ---- */

static srv_code query_fn(PGconn *c, void *arg, srv_err *err) {
  item_op *op = arg;
  op_reset(op);
  const cJSON *a = op->args;
  wf_sql sql;
  wf_sql_init(&sql);
  int n = 0;
  const char *given = wf_arg_str(a, "project_id");
  static const char *const eq_fields[] = {"status", "item_type"};
  srv_code rc = wf_page_begin(&sql, given, WF_SQL_WORK_ITEM_JSON, "work_items", "w", err);
  if (rc != SRV_OK) goto cleanup;
  for (size_t i = 0; i < 2; i++) {
    const char *v = wf_arg_str(a, eq_fields[i]);
    if (v == NULL) continue;
    if ((rc = wf_sql_param(&sql, v, &n, err)) != SRV_OK) goto cleanup;
    if ((rc = wf_sql_append(&sql, err, " AND w.%s = $%d", eq_fields[i], n)) != SRV_OK) goto cleanup;
  }
  const char *parent = wf_arg_str(a, "parent_id");
  if (parent != NULL) {
    if ((rc = wf_sql_param(&sql, parent, &n, err)) != SRV_OK) goto cleanup;
    if ((rc = wf_sql_append(&sql, err, " AND w.parent_id = $%d::uuid", n)) != SRV_OK) goto cleanup;
  }
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "roots_only")) &&
      (rc = wf_sql_append(&sql, err, " AND w.parent_id IS NULL")) != SRV_OK)
    goto cleanup;
  rc = wf_page_run(c, &sql, "w", given, a, "work_items", &op->out, err);
cleanup:
  wf_sql_free(&sql);
  return rc;
}

srv_code wf_query_work_items(srv_call *call, const cJSON *args, cJSON **out, srv_err *err) {
  item_op op = {.args = args};
  const char *parent = wf_arg_str(args, "parent_id");
  const char *status = wf_arg_str(args, "status");
  const char *given = wf_arg_str(args, "project_id");
  srv_code rc = SRV_OK;
  if (given != NULL) rc = wf_check_uuid("project_id", given, err);
  if (rc == SRV_OK && parent != NULL) rc = wf_check_uuid("parent_id", parent, err);
  if (rc == SRV_OK && status != NULL) rc = wf_check_status("status", status, err);
  if (rc == SRV_OK) rc = wf_call_db_out(call, query_fn, &op, 1, &op.out, out, err);
  op_free(&op);
  return rc;
}
