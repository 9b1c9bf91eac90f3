// parallel_pg_test — one source, ten targets (parallel_pg_0..9 in BUILD.bazel): each starts its own
// PostgreSQL and checks that it sees only its own data. Run together with `--jobs 4` they prove
// that concurrent test targets do not interfere (issue 3, "Done when" #3).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <string>

#include "testing/pg.h"

namespace {

std::string One(PGconn *c, const std::string &sql) {
  PGresult *r = PQexec(c, sql.c_str());
  std::string v =
      PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "<error>";
  PQclear(r);
  return v;
}

TEST(ParallelPg, OwnClusterOwnDataUnderConcurrency) {
  const char *target = getenv("TEST_TARGET");
  std::string me = target ? target : "local";
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&pg, &err)) << err.msg;
  PGconn *c = PQconnectdb(tst_pg_url(pg));
  ASSERT_EQ(CONNECTION_OK, PQstatus(c)) << PQerrorMessage(c);
  PGresult *r = PQexec(c, "CREATE TABLE marks (who text, n int)");
  ASSERT_EQ(PGRES_COMMAND_OK, PQresultStatus(r)) << PQerrorMessage(c);
  PQclear(r);
  for (int i = 0; i < 50; i++) {
    const char *params[1] = {me.c_str()};
    r = PQexecParams(c, "INSERT INTO marks VALUES ($1, 1)", 1, nullptr, params, nullptr, nullptr,
                     0);
    ASSERT_EQ(PGRES_COMMAND_OK, PQresultStatus(r)) << PQerrorMessage(c);
    PQclear(r);
  }
  EXPECT_EQ("50", One(c, "SELECT count(*) FROM marks"));
  EXPECT_EQ("1", One(c, "SELECT count(DISTINCT who) FROM marks"));
  // Only this test's databases exist in its cluster.
  EXPECT_EQ("0", One(c,
                     "SELECT count(*) FROM pg_database WHERE datname NOT IN "
                     "('postgres', 'template0', 'template1', 'tst_main')"));
  // Nobody else is connected to it.
  EXPECT_EQ("1",
            One(c, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"));
  PQfinish(c);
  tst_pg_destroy(pg);
}

}  // namespace
