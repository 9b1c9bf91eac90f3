/* search_engine.c — the search engines' names and each engine's schema step (see search.h:
 * cb_search_engine_parse, cb_search_schema_apply). The engines' queries are in search.c (gin,
 * rum) and in the in-memory index's own module (memory). */
#include <string.h>

#include "servers/codebase_mcp/search.h"
#include "servers/common/db.h"

static const char *const kEngineNames[] = {"gin", "rum", "memory"};

const char *cb_search_engine_name(cb_search_engine e) {
  if ((int)e < 0 || (size_t)e >= sizeof kEngineNames / sizeof kEngineNames[0]) return "?";
  return kEngineNames[e];
}

int cb_search_engine_parse(const char *s, cb_search_engine *out) {
  for (size_t i = 0; s != NULL && i < sizeof kEngineNames / sizeof kEngineNames[0]; i++) {
    if (strcmp(s, kEngineNames[i]) == 0) {
      *out = (cb_search_engine)i;
      return 0;
    }
  }
  return -1;
}

#define GIN_INDEX \
  "CREATE INDEX IF NOT EXISTS code_chunks_tsv ON code_chunks USING gin (project_id, tsv)"
#define RUM_INDEX                                                            \
  "CREATE INDEX IF NOT EXISTS code_chunks_tsv_rum ON code_chunks USING rum " \
  "(project_id rum_text_ops, tsv rum_tsvector_ops)"

srv_code cb_search_schema_apply(PGconn *c, cb_search_engine engine, srv_err *err) {
  static const char *const gin[] = {"DROP INDEX IF EXISTS code_chunks_tsv_rum", GIN_INDEX, NULL};
  static const char *const rum[] = {"CREATE EXTENSION IF NOT EXISTS rum", RUM_INDEX,
                                    "DROP INDEX IF EXISTS code_chunks_tsv", NULL};
  static const char *const memory[] = {"DROP INDEX IF EXISTS code_chunks_tsv",
                                       "DROP INDEX IF EXISTS code_chunks_tsv_rum", NULL};
  const char *const *steps = engine == CB_ENGINE_RUM      ? rum
                             : engine == CB_ENGINE_MEMORY ? memory
                                                          : gin;
  srv_code rc = srv_db_exec(c, "BEGIN", 0, NULL, NULL, err);
  /* An index over existing chunks takes as long as it takes; a lock held by another instance's
   * job is waited for a while, not forever. */
  if (rc == SRV_OK) rc = srv_db_exec(c, "SET LOCAL statement_timeout = 0", 0, NULL, NULL, err);
  if (rc == SRV_OK) rc = srv_db_exec(c, "SET LOCAL lock_timeout = '30s'", 0, NULL, NULL, err);
  /* "DROP INDEX IF EXISTS" of an absent index is a NOTICE that libpq prints on stderr at every
   * start-up; the start-up's output is its interface (SC-014 counts its lines), so only warnings
   * and errors are reported. */
  if (rc == SRV_OK)
    rc = srv_db_exec(c, "SET LOCAL client_min_messages = warning", 0, NULL, NULL, err);
  for (int i = 0; rc == SRV_OK && steps[i] != NULL; i++) {
    rc = srv_db_exec(c, steps[i], 0, NULL, NULL, err);
    if (rc != SRV_OK && rc != SRV_EUNAVAIL && engine == CB_ENGINE_RUM && i == 0 && err != NULL) {
      char why[sizeof err->msg];
      memcpy(why, err->msg, sizeof why);
      rc = srv_err_set(err, SRV_EINTERNAL,
                       "search engine rum needs the PostgreSQL extension rum (Debian package "
                       "postgresql-15-rum) and a role allowed to create it: %s",
                       why);
    }
  }
  if (rc == SRV_OK) return srv_db_exec(c, "COMMIT", 0, NULL, NULL, err);
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult *r = PQexec(c, "ROLLBACK");
    PQclear(r);
  }
  return rc;
}
