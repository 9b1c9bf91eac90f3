/* migrate.c — apply and check numbered migrations (see migrate.h).
 *
 * Assumes each migration's SQL contains no transaction control (BEGIN/COMMIT) and nothing that
 * refuses to run inside a transaction (CREATE INDEX CONCURRENTLY): it runs as one simple-query
 * string inside the transaction that also records it in schema_version. */
#include "servers/common/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servers/common/db.h"
#include "servers/common/log.h"

#define CREATE_TABLE                            \
  "CREATE TABLE IF NOT EXISTS schema_version (" \
  " version integer PRIMARY KEY,"               \
  " name text NOT NULL,"                        \
  " applied_at timestamptz NOT NULL DEFAULT now())"

/* Reads the applied versions: *current = highest (0 if none or no table). Verifies that every
 * applied version up to the last of migs has the expected name. */
static srv_code read_state(PGconn *c, const srv_migration *migs, size_t n, const char *binary,
                           int *current, srv_err *err) {
  PGresult *r = NULL;
  srv_code rc =
      srv_db_exec(c, "SELECT to_regclass('schema_version') IS NOT NULL", 0, NULL, &r, err);
  if (rc != SRV_OK) goto cleanup;
  int exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  r = NULL;
  *current = 0;
  if (!exists) goto cleanup;
  rc =
      srv_db_exec(c, "SELECT version, name FROM schema_version ORDER BY version", 0, NULL, &r, err);
  if (rc != SRV_OK) goto cleanup;
  for (int i = 0; i < PQntuples(r); i++) {
    long v = strtol(PQgetvalue(r, i, 0), NULL, 10);
    const char *name = PQgetvalue(r, i, 1);
    if (v > *current) *current = (int)v;
    for (size_t k = 0; k < n; k++) {
      if (migs[k].version == v && strcmp(migs[k].name, name) != 0) {
        rc = srv_err_set(err, SRV_EINVAL,
                         "database schema version %ld is '%s' but %s's migration %ld is '%s': this "
                         "database belongs to another server; give each server its own database "
                         "(DATABASE_URL)",
                         v, name, binary, v, migs[k].name);
        goto cleanup;
      }
    }
  }
cleanup:
  PQclear(r);
  return rc;
}

static int target_version(const srv_migration *migs, size_t n) {
  return n == 0 ? 0 : migs[n - 1].version;
}

srv_code srv_migrate_apply(PGconn *c, const srv_migration *migs, size_t n, srv_err *err) {
  srv_code rc = SRV_OK;
  int locked = 0;
  int current = 0;
  char key[32];
  const char *lock_params[1] = {key};
  snprintf(key, sizeof key, "%lld", (long long)SRV_MIGRATE_LOCK_KEY);
  for (size_t i = 1; i < n; i++) {
    if (migs[i].version <= migs[i - 1].version) {
      return srv_err_set(err, SRV_EINVAL, "migrations are not sorted: %d follows %d",
                         migs[i].version, migs[i - 1].version);
    }
  }
  rc = srv_db_exec(c, "SELECT pg_advisory_lock($1::bigint)", 1, lock_params, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  locked = 1;
  rc = srv_db_exec(c, CREATE_TABLE, 0, NULL, NULL, err);
  if (rc != SRV_OK) goto cleanup;
  rc = read_state(c, migs, n, "this server", &current, err);
  if (rc != SRV_OK) goto cleanup;
  if (current > target_version(migs, n)) {
    rc = srv_err_set(err, SRV_EINVAL,
                     "database schema is at version %d, newer than the %d this server knows: "
                     "upgrade the server instead of migrating",
                     current, target_version(migs, n));
    goto cleanup;
  }
  for (size_t i = 0; i < n; i++) {
    if (migs[i].version <= current) continue;
    char ver[16];
    const char *params[2] = {ver, migs[i].name};
    snprintf(ver, sizeof ver, "%d", migs[i].version);
    rc = srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
    if (rc != SRV_OK) goto cleanup;
    PGresult *r = PQexec(c, migs[i].sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      char what[160];
      snprintf(what, sizeof what, "migration %d (%s)", migs[i].version, migs[i].name);
      rc = srv_db_result_error(c, r, what, err);
      if (rc != SRV_EUNAVAIL) rc = SRV_EINTERNAL;
      if (err != NULL) err->code = rc;
      PQclear(r);
      PQclear(PQexec(c, "ROLLBACK"));
      goto cleanup;
    }
    PQclear(r);
    rc = srv_db_exec(c, "INSERT INTO schema_version (version, name) VALUES ($1::int, $2)", 2,
                     params, NULL, err);
    if (rc == SRV_OK) rc = srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);
    if (rc != SRV_OK) {
      PQclear(PQexec(c, "ROLLBACK"));
      goto cleanup;
    }
    srv_log_event(SRV_LOG_INFO, "migration_applied", "applied migration %d (%s)", migs[i].version,
                  migs[i].name);
  }
cleanup:
  if (locked) {
    srv_err ignore;
    srv_db_exec(c, "SELECT pg_advisory_unlock($1::bigint)", 1, lock_params, NULL, &ignore);
  }
  return rc;
}

srv_code srv_migrate_check(PGconn *c, const srv_migration *migs, size_t n, const char *binary,
                           int *current, srv_err *err) {
  int cur = 0;
  int want = target_version(migs, n);
  if (binary == NULL) binary = "the server";
  srv_code rc = read_state(c, migs, n, binary, &cur, err);
  if (current != NULL) *current = cur;
  if (rc != SRV_OK) return rc;
  if (cur < want) {
    return srv_err_set(err, SRV_EINVAL,
                       "database schema is at version %d, this %s needs %d: run `%s migrate` (with "
                       "the same DATABASE_URL)",
                       cur, binary, want, binary);
  }
  if (cur > want) {
    return srv_err_set(err, SRV_EINVAL,
                       "database schema is at version %d, newer than this %s knows (%d): upgrade "
                       "%s",
                       cur, binary, want, binary);
  }
  srv_err_clear(err);
  return SRV_OK;
}
