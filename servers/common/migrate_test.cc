// Proves migrate.c and migrations.bzl against a real PostgreSQL: SQL files compiled into the
// binary are applied in order, once, under an advisory lock; the schema check gives the exact
// `migrate` command (US4: schema not migrated => message with the migration command).
#include "servers/common/migrate.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "servers/common/pool.h"
#include "servers/common/test_migrations.h"
#include "testing/gtest_fixtures.h"
#include "testing/pg.h"

namespace {

// One cluster for the suite (tst::PgSuite); a fresh database per test.
class MigrateTest : public tst::PgSuite {
 protected:
  std::string url_;
  void SetUp() override {
    ASSERT_NE(nullptr, pg);
    static int n = 0;
    char name[32], url[512];
    snprintf(name, sizeof name, "migrate_%d", ++n);
    tst_err err{};
    ASSERT_EQ(TST_OK, tst_pg_create_db(pg, name, url, sizeof url, &err)) << err.msg;
    url_ = url;
  }
  PGconn *Connect() {
    srv_pool_config cfg = {};
    cfg.conninfo = url_.c_str();
    PGconn *c = nullptr;
    srv_err err;
    EXPECT_EQ(SRV_OK, srv_pool_connect_once(&cfg, &c, &err)) << err.msg;
    return c;
  }
  static std::string One(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    std::string v =
        PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "<error>";
    PQclear(r);
    return v;
  }
};

}  // namespace

TEST(Migrations, GeneratedArrayIsSortedWithFileText) {
  ASSERT_EQ(2u, test_migrations_count);
  EXPECT_EQ(1, test_migrations[0].version);
  EXPECT_STREQ("create_items", test_migrations[0].name);
  EXPECT_EQ(2, test_migrations[1].version);
  EXPECT_STREQ("tricky_text", test_migrations[1].name);
  EXPECT_NE(nullptr,
            strstr(test_migrations[1].sql, "E'it''s a \"quote\" \\\\ back ?\?= slash %d %s'"));
  EXPECT_NE(nullptr, strstr(test_migrations[1].sql, "a tab\tand"));
}

TEST_F(MigrateTest, SC014_CheckNamesTheExactMigrateCommand) {
  PGconn *c = Connect();
  ASSERT_NE(nullptr, c);
  int cur = -1;
  srv_err err;
  EXPECT_EQ(SRV_EINVAL, srv_migrate_check(c, test_migrations, test_migrations_count, "codebase-mcp",
                                          &cur, &err));
  EXPECT_EQ(0, cur);
  EXPECT_STREQ(
      "database schema is at version 0, this codebase-mcp needs 2: run `codebase-mcp migrate` "
      "(with the same DATABASE_URL)",
      err.msg);
  // Only migration 1 applied => version 1.
  ASSERT_EQ(SRV_OK, srv_migrate_apply(c, test_migrations, 1, &err)) << err.msg;
  EXPECT_EQ(SRV_EINVAL, srv_migrate_check(c, test_migrations, test_migrations_count, "workflow-mcp",
                                          &cur, &err));
  EXPECT_EQ(1, cur);
  EXPECT_STREQ(
      "database schema is at version 1, this workflow-mcp needs 2: run `workflow-mcp migrate` "
      "(with the same DATABASE_URL)",
      err.msg);
  ASSERT_EQ(SRV_OK, srv_migrate_apply(c, test_migrations, test_migrations_count, &err)) << err.msg;
  EXPECT_EQ(SRV_OK, srv_migrate_check(c, test_migrations, test_migrations_count, "codebase-mcp",
                                      &cur, &err))
      << err.msg;
  EXPECT_EQ(2, cur);
  // A binary that only knows version 1 meets a newer database.
  EXPECT_EQ(SRV_EINVAL, srv_migrate_check(c, test_migrations, 1, "codebase-mcp", &cur, &err));
  EXPECT_STREQ(
      "database schema is at version 2, newer than this codebase-mcp knows (1): upgrade "
      "codebase-mcp",
      err.msg);
  PQfinish(c);
}

TEST_F(MigrateTest, ApplyIsIdempotentAndEmbedsTextExactly) {
  PGconn *c = Connect();
  ASSERT_NE(nullptr, c);
  srv_err err;
  ASSERT_EQ(SRV_OK, srv_migrate_apply(c, test_migrations, test_migrations_count, &err)) << err.msg;
  ASSERT_EQ(SRV_OK, srv_migrate_apply(c, test_migrations, test_migrations_count, &err)) << err.msg;
  EXPECT_EQ("2", One(c, "SELECT count(*) FROM schema_version"));
  EXPECT_EQ("1", One(c, "SELECT count(*) FROM items"));
  EXPECT_EQ("it's a \"quote\" \\ back ?\?= slash %d %s", One(c, "SELECT body FROM items"));
  EXPECT_EQ("tricky_text", One(c, "SELECT name FROM schema_version WHERE version = 2"));
  EXPECT_EQ("t", One(c, "SELECT applied_at <= now() FROM schema_version WHERE version = 2"));
  PQfinish(c);
}

TEST_F(MigrateTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  srv_code rc[2];
  srv_err errs[2];
  std::thread ts[2];
  for (int i = 0; i < 2; i++) {
    ts[i] = std::thread([&, i] {
      PGconn *c = Connect();
      rc[i] = srv_migrate_apply(c, test_migrations, test_migrations_count, &errs[i]);
      PQfinish(c);
    });
  }
  for (auto &t : ts) t.join();
  EXPECT_EQ(SRV_OK, rc[0]) << errs[0].msg;
  EXPECT_EQ(SRV_OK, rc[1]) << errs[1].msg;
  PGconn *c = Connect();
  EXPECT_EQ("2", One(c, "SELECT count(*) FROM schema_version"));
  EXPECT_EQ("1", One(c, "SELECT count(*) FROM items"));
  PQfinish(c);
}

TEST_F(MigrateTest, FailingMigrationIsRolledBackAndNamed) {
  PGconn *c = Connect();
  ASSERT_NE(nullptr, c);
  srv_migration migs[3] = {
      test_migrations[0],
      test_migrations[1],
      {3, "broken", "CREATE TABLE ok_part (x int); SELECT no_such_column FROM items"}};
  srv_err err;
  EXPECT_EQ(SRV_EINTERNAL, srv_migrate_apply(c, migs, 3, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "migration 3 (broken)")) << err.msg;
  EXPECT_NE(nullptr, strstr(err.msg, "no_such_column")) << err.msg;
  EXPECT_EQ("2", One(c, "SELECT max(version) FROM schema_version"));
  EXPECT_EQ("f", One(c, "SELECT to_regclass('ok_part') IS NOT NULL"));
  EXPECT_EQ(PQTRANS_IDLE, PQtransactionStatus(c));
  // Another server's migrations against this database are refused with a clear reason.
  srv_migration other[1] = {{1, "create_projects", "SELECT 1"}};
  int cur = 0;
  EXPECT_EQ(SRV_EINVAL, srv_migrate_check(c, other, 1, "workflow-mcp", &cur, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "belongs to another server")) << err.msg;
  PQfinish(c);
}
