/* migrate.h — numbered SQL migrations compiled into the server binary, and the schema check.
 *
 * Migrations are files NNN_name.sql in a server's package; the srv_migrations() Bazel macro
 * (migrations.bzl) turns them into a C array sorted by number. The database records what was
 * applied in a table schema_version (version int primary key, name text, applied_at timestamptz).
 * Each migration runs in its own transaction together with its schema_version row; a
 * session-level advisory lock serialises concurrent migrators (two processes starting at once).
 * One database per server: the check also compares applied names, so pointing two different
 * servers at one database is reported instead of silently mixing schemas. */
#ifndef SRV_MIGRATE_H
#define SRV_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "servers/common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct srv_migration {
  int version;      /* from the file name's number; 1, 2, ... strictly increasing */
  const char *name; /* file name without number and .sql, e.g. "create_chunks" */
  const char *sql;  /* the file's text; may hold several statements */
} srv_migration;

/* Advisory lock key used by srv_migrate_apply (pg_advisory_lock(key)). */
#define SRV_MIGRATE_LOCK_KEY 0x6d6370736368LL

/* Applies every migration with a version above the database's current one, in order, each in
 * its own transaction, under the advisory lock; logs one INFO line per migration applied.
 * Idempotent: with everything applied it changes nothing. migs must be sorted by version.
 * Failures: SRV_EUNAVAIL (connection lost), SRV_EINTERNAL with the failing migration's version,
 * name and PostgreSQL message (that migration is rolled back; earlier ones stay applied),
 * SRV_EINVAL if the database has a version newer than the last of migs or names differ. */
srv_code srv_migrate_apply(PGconn *c, const srv_migration *migs, size_t n, srv_err *err);

/* Reads the current version (0 when schema_version does not exist) into *current (may be NULL)
 * and compares it with the last of migs. SRV_OK when they are equal. Otherwise SRV_EINVAL with a
 * message naming both versions and the exact command, e.g.
 *   "database schema is at version 0, this codebase-mcp needs 2: run `codebase-mcp migrate`
 *    (with the same DATABASE_URL)"
 * or, when the database is newer, "database schema is at version 3, newer than this
 * codebase-mcp knows (2): upgrade codebase-mcp". binary is the server's command name.
 * SRV_EUNAVAIL / SRV_EINTERNAL if the query fails. */
srv_code srv_migrate_check(PGconn *c, const srv_migration *migs, size_t n, const char *binary,
                           int *current, srv_err *err);

#ifdef __cplusplus
}
#endif

#endif /* SRV_MIGRATE_H */
