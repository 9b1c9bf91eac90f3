// health_response_test.cc — HealthCheckResponse / ConnectionPoolStats rules (SPEC "Records", US5
// /health).
#include "models/health_response.h"

#include <gtest/gtest.h>

#include <string>

#include "models/test_util.h"

namespace {

using mdltest::Fixture;
using mdltest::Set;
constexpr mdl_record_kind K = MDL_REC_HEALTH;

TEST(Health, SeedExample_ParsesWithDerivedUtilization) {
  auto d = Fixture("health.json");
  mdl_health h;
  mdl_err err;
  ASSERT_EQ(mdl_health_from_json(d->j, &h, &err), MDL_OK) << err.field << ": " << err.msg;
  EXPECT_EQ(h.status, MDL_HEALTH_HEALTHY);
  EXPECT_EQ(h.database_status, MDL_DB_CONNECTED);
  EXPECT_EQ(h.connection_pool.size, 5);
  EXPECT_EQ(h.connection_pool.free, 3);
  EXPECT_DOUBLE_EQ(mdl_pool_utilization_percent(&h.connection_pool), 40.0);
  EXPECT_DOUBLE_EQ(h.uptime_seconds, 3600.5);
  mdltest::Doc out(mdl_health_to_json(&h));
  EXPECT_NE(out.Print().find("\"utilization_percent\":40}"), std::string::npos) << out.Print();
  mdl_health_free(&h);
}

TEST(Health, Rule_FreeLeSize) {
  auto ok = Fixture("health.json");
  Set(ok->j, "connection_pool.free", "5");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("health.json");
  Set(d->j, "connection_pool.free", "6");
  EXPECT_REJECTED(K, d, MDL_ERULE, "connection_pool.free", "free must be <= size");
}

TEST(Health, Rule_MinLeSizeLeMaxWhenConnected) {
  auto small = Fixture("health.json");
  Set(small->j, "connection_pool.size", "1");
  Set(small->j, "connection_pool.free", "1");
  EXPECT_REJECTED(K, small, MDL_ERULE, "connection_pool.size",
                  "size must be >= min_size when database_status is connected");
  auto big = Fixture("health.json");
  Set(big->j, "connection_pool.size", "11");
  EXPECT_REJECTED(K, big, MDL_ERULE, "connection_pool.size",
                  "size must be <= max_size when database_status is connected");
  // Disconnected: the pool may have shrunk below min_size.
  auto down = Fixture("health.json");
  Set(down->j, "database_status", "\"disconnected\"");
  Set(down->j, "status", "\"unhealthy\"");
  Set(down->j, "connection_pool.size", "0");
  Set(down->j, "connection_pool.free", "0");
  EXPECT_ACCEPTED(K, down);
}

TEST(Health, Rule_MaxSizeAtLeastOne) {
  auto d = Fixture("health.json");
  Set(d->j, "connection_pool.max_size", "0");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "connection_pool.max_size", "max_size must be >= 1");
  auto m = Fixture("health.json");
  Set(m->j, "connection_pool.min_size", "12");
  Set(m->j, "database_status", "\"degraded\"");
  EXPECT_REJECTED(K, m, MDL_ERULE, "connection_pool.max_size", "max_size must be >= min_size");
}

TEST(Health, Rule_UtilizationDerivedAndCheckedWhenPresent) {
  auto ok = Fixture("health.json");
  Set(ok->j, "connection_pool.utilization_percent", "40.0");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("health.json");
  Set(d->j, "connection_pool.utilization_percent", "60");
  EXPECT_REJECTED(K, d, MDL_ERULE, "connection_pool.utilization_percent",
                  "utilization_percent must equal (size - free) / size * 100 = 40.00");
  mdl_pool_stats p = {3, 2, 10, 1};
  EXPECT_NEAR(mdl_pool_utilization_percent(&p), 66.6666666, 1e-6);
  mdl_pool_stats empty = {0, 0, 10, 0};
  EXPECT_DOUBLE_EQ(mdl_pool_utilization_percent(&empty), 0.0);
}

TEST(Health, Rule_StatusEnums) {
  for (const char *s : {"\"healthy\"", "\"degraded\"", "\"unhealthy\""}) {
    auto ok = Fixture("health.json");
    Set(ok->j, "status", s);
    EXPECT_ACCEPTED(K, ok);
  }
  auto d = Fixture("health.json");
  Set(d->j, "status", "\"ok\"");
  EXPECT_REJECTED(K, d, MDL_EENUM, "status",
                  "status must be one of \"healthy\", \"degraded\", \"unhealthy\"");
  auto db = Fixture("health.json");
  Set(db->j, "database_status", "\"up\"");
  EXPECT_REJECTED(K, db, MDL_EENUM, "database_status", "database_status must be one of");
}

TEST(Health, Rule_DisconnectedMeansUnhealthy) {
  auto ok = Fixture("health.json");
  Set(ok->j, "database_status", "\"disconnected\"");
  Set(ok->j, "status", "\"unhealthy\"");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("health.json");
  Set(d->j, "database_status", "\"disconnected\"");
  EXPECT_REJECTED(K, d, MDL_ERULE, "status",
                  "status must be unhealthy when database_status is disconnected");
}

TEST(Health, Rule_UptimeNonNegative) {
  auto ok = Fixture("health.json");
  Set(ok->j, "uptime_seconds", "0");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("health.json");
  Set(d->j, "uptime_seconds", "-0.5");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "uptime_seconds", "uptime_seconds must be >= 0");
}

TEST(Health, Rule_DetailsStringMap) {
  auto ok = Fixture("health.json");
  Set(ok->j, "details", R"({"version":"1.0.0","db_ping_ms":"3"})");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("health.json");
  Set(d->j, "details", R"({"db_ping_ms":3})");
  EXPECT_REJECTED(K, d, MDL_ETYPE, "details.db_ping_ms",
                  "details values must be strings (got number)");
}

TEST(Health, Rule_PoolFieldsRequiredIntegers) {
  auto d = Fixture("health.json");
  Set(d->j, "connection_pool.free", nullptr);
  EXPECT_REJECTED(K, d, MDL_EMISSING, "connection_pool.free", "free is required");
  auto t = Fixture("health.json");
  Set(t->j, "connection_pool.size", "5.5");
  EXPECT_REJECTED(K, t, MDL_ETYPE, "connection_pool.size", "size must be an integer");
  auto o = Fixture("health.json");
  Set(o->j, "connection_pool", "[]");
  EXPECT_REJECTED(K, o, MDL_ETYPE, "connection_pool",
                  "connection_pool must be an object (got array)");
}

TEST(Health, Classify_SpecThresholds) {
  EXPECT_EQ(mdl_health_classify(true, 3, 40, false), MDL_HEALTH_HEALTHY);
  EXPECT_EQ(mdl_health_classify(true, 49.9, 79.9, false), MDL_HEALTH_HEALTHY);
  EXPECT_EQ(mdl_health_classify(true, 50, 40, false), MDL_HEALTH_DEGRADED);
  EXPECT_EQ(mdl_health_classify(true, 3, 80, false), MDL_HEALTH_DEGRADED);
  EXPECT_EQ(mdl_health_classify(true, 3, 95, false), MDL_HEALTH_DEGRADED);
  EXPECT_EQ(mdl_health_classify(true, 3, 40, true), MDL_HEALTH_DEGRADED);
  EXPECT_EQ(mdl_health_classify(true, 3, 95.1, false), MDL_HEALTH_UNHEALTHY);
  EXPECT_EQ(mdl_health_classify(false, 0, 0, false), MDL_HEALTH_UNHEALTHY);
}

TEST(Health, Serialise_DetailsOnlyWhenPresent) {
  mdl_health h = {};
  mdl_time_now(h.timestamp);
  h.connection_pool = {2, 2, 10, 2};
  h.uptime_seconds = 1.25;
  mdl_err err;
  ASSERT_EQ(mdl_health_validate(&h, &err), MDL_OK) << err.field << ": " << err.msg;
  {
    mdltest::Doc j(mdl_health_to_json(&h));
    EXPECT_EQ(j.Print().find("details"), std::string::npos);
  }
  ASSERT_EQ(mdl_strmap_set(&h.details, "server_id", "codebase-mcp", nullptr), MDL_OK);
  mdltest::Doc j(mdl_health_to_json(&h));
  EXPECT_NE(j.Print().find("\"details\":{\"server_id\":\"codebase-mcp\"}"), std::string::npos)
      << j.Print();
  mdl_health_free(&h);
}

}  // namespace
