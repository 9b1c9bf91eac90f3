// health_test.cc — US5 / SC-010: GET /health of a real workflow-mcp (pool min 2 / max 10, FR-015)
// answers within 50 ms at p95, idle and with its pool saturated; its body is a HealthCheckResponse
// (//models) whose every field matches the server's real state; and the status moves healthy ->
// degraded (pool > 80%) -> unhealthy (database stopped, 503) -> healthy (database back).
//
// The pool is filled with real slow queries: EntityLock (test_util.h) holds a table lock, so each
// query_entities waits inside PostgreSQL while holding a connection.
// Figures: health_latency.json in the test's outputs (p50/p95/p99, idle and saturated).
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "models/health_response.h"
#include "models/timestamp.h"
#include "observability/test_util.h"

namespace {

using obs_test::DetailStr;
using obs_test::JStr;

std::string g_figures;  // collected by the latency tests, written at the end

class Health : public obs_test::StackTest<false, true> {
 protected:
  static void TearDownTestSuite() {
    if (!g_figures.empty()) obs_test::Artifact("health_latency.json", "{" + g_figures + "}\n");
    StackTest::TearDownTestSuite();
  }
  void SetUp() override {
    StackTest::SetUp();
    if (HasFatalFailure()) return;
    url_ = stack()->wf();
    // Every test starts from a healthy server with its database up.
    std::string last;
    ASSERT_TRUE(obs_test::WaitHealth(
        url_, [](const cJSON *j, long st) { return st == 200 && JStr(j, "status") == "healthy"; },
        15000, &last))
        << "server not healthy before the test: " << last;
  }
  std::string url_;
};

int DetailInt(const cJSON *h, const char *k) {
  std::string s = DetailStr(h, k);
  return s.empty() ? -1 : (int)strtol(s.c_str(), nullptr, 10);
}

void AddFigures(const char *what, const mdl_stats_summary &s) {
  if (!g_figures.empty()) g_figures += ", ";
  g_figures += obs_test::Figures(what, s);
}

// Checks one /health answer field by field against SPEC.md's HealthCheckResponse and //models.
void CheckContract(const obs_test::Resp &r, const char *expect_status, int expect_http,
                   const char *expect_db = "connected") {
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, expect_http) << r.body;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << r.content_type;
  cJSON *j = cJSON_Parse(r.body.c_str());
  ASSERT_NE(j, nullptr) << "not JSON: " << r.body;
  mdl_health h{};
  mdl_err e{};
  ASSERT_EQ(mdl_health_from_json(j, &h, &e), MDL_OK)
      << "//models rejects /health: " << e.field << ": " << e.msg << "\n"
      << r.body;
  // status
  EXPECT_STREQ(mdl_health_status_name(h.status), expect_status) << r.body;
  // timestamp: ISO 8601 UTC, close to now
  int64_t ts_us = 0;
  ASSERT_EQ(mdl_time_parse(JStr(j, "timestamp").c_str(), &ts_us, &e), MDL_OK) << e.msg;
  EXPECT_LT(std::fabs((double)(mdl_time_now_us() - ts_us)) / 1e6, 5.0) << "timestamp not now";
  // database_status
  std::string db = JStr(j, "database_status");
  EXPECT_EQ(db, expect_db) << r.body;
  // connection_pool: FR-015 sizes of workflow-mcp and the derived utilisation
  const cJSON *pool = cJSON_GetObjectItemCaseSensitive(j, "connection_pool");
  ASSERT_TRUE(cJSON_IsObject(pool)) << r.body;
  EXPECT_EQ(h.connection_pool.min_size, 2);
  EXPECT_EQ(h.connection_pool.max_size, 10);
  EXPECT_LE(h.connection_pool.free, h.connection_pool.size);
  if (db == "connected") {
    EXPECT_GE(h.connection_pool.size, h.connection_pool.min_size);
    EXPECT_LE(h.connection_pool.size, h.connection_pool.max_size);
  }
  const cJSON *util = cJSON_GetObjectItemCaseSensitive(pool, "utilization_percent");
  ASSERT_TRUE(cJSON_IsNumber(util)) << "connection_pool.utilization_percent missing: " << r.body;
  EXPECT_NEAR(util->valuedouble, mdl_pool_utilization_percent(&h.connection_pool), 0.006);
  // uptime_seconds grows
  EXPECT_GT(h.uptime_seconds, 0);
  // details: a string map (validated by //models); the pool figures the status is decided on
  for (const char *k : {"in_use", "waiting", "last_ping_ms", "pool_exhaustion_percent"})
    EXPECT_FALSE(DetailStr(j, k).empty()) << "details." << k << " missing: " << r.body;
  mdl_health_free(&h);
  cJSON_Delete(j);
}

// SC-010: idle /health p95 < 50 ms (goal p99 <= 1 ms, recorded, not asserted on a shared host).
TEST_F(Health, SC010_HealthP95Under50msIdle) {
  std::string bad;
  obs_test::Get(url_ + "/health");  // first connection set-up
  auto ms = obs_test::TimeGets(url_ + "/health", 300, {}, {200}, &bad);
  EXPECT_TRUE(bad.empty()) << bad;
  auto s = obs_test::Summary(ms);
  AddFigures("idle", s);
  printf("SC-010 /health idle: n=%zu p50=%.3f p95=%.3f p99=%.3f max=%.3f ms (goal p99 <= 1 ms)\n",
         s.count, s.p50, s.p95, s.p99, s.max);
  ASSERT_EQ(s.count, 300u);
  EXPECT_LT(s.p95, 50.0);
  // the server's own view (its histogram, no client or scheduling in it): share of all /health
  // answers so far within 0.5 ms and 1 ms
  obs_test::Resp m = obs_test::Get(url_ + "/metrics");
  obs_prom_doc d{};
  obs_err e{};
  ASSERT_EQ(obs_prom_parse(m.body.data(), m.body.size(), &d, &e), OBS_OK) << e.msg;
  auto bucket = [&](const char *le) {
    const char *kv[] = {"route", "GET /health", "le", le, nullptr};
    const obs_prom_sample *b =
        obs_prom_sample_find(&d, "workflow_mcp_http_request_duration_seconds_bucket", kv);
    return b ? b->value : -1;
  };
  double all = bucket("+Inf"), half = bucket("0.0005"), one = bucket("0.001");
  obs_prom_free(&d);
  ASSERT_GT(all, 300);
  char buf[200];
  snprintf(buf, sizeof buf,
           "\"server_side\": {\"answers\": %.0f, \"within_0_5_ms_percent\": %.2f, "
           "\"within_1_ms_percent\": %.2f}",
           all, 100 * half / all, 100 * one / all);
  g_figures += std::string(", ") + buf;
  printf("SC-010 /health server side: %.0f answers, %.2f%% within 0.5 ms, %.2f%% within 1 ms\n",
         all, 100 * half / all, 100 * one / all);
}

// SC-010: every field of the contract, on a healthy idle server.
TEST_F(Health, SC010_HealthBodyMatchesContract) {
  obs_test::Resp r = obs_test::Get(url_ + "/health");
  CheckContract(r, "healthy", 200);
  cJSON *j = cJSON_Parse(r.body.c_str());
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(DetailInt(j, "in_use"), 0) << r.body;
  EXPECT_EQ(DetailInt(j, "waiting"), 0) << r.body;
  cJSON_Delete(j);
  // uptime moves forward with the clock
  cJSON *a = cJSON_Parse(r.body.c_str());
  usleep(300000);
  obs_test::Resp r2 = obs_test::Get(url_ + "/health");
  cJSON *b = cJSON_Parse(r2.body.c_str());
  ASSERT_TRUE(a && b);
  double d = cJSON_GetObjectItem(b, "uptime_seconds")->valuedouble -
             cJSON_GetObjectItem(a, "uptime_seconds")->valuedouble;
  EXPECT_GT(d, 0.2) << r.body << "\n" << r2.body;
  cJSON_Delete(a);
  cJSON_Delete(b);
}

// SC-010: healthy -> degraded when the pool passes 80% (9 of 10 connections busy), and back.
TEST_F(Health, SC010_HealthyToDegradedAbove80Percent) {
  obs_test::EntityLock lock;
  ASSERT_EQ(lock.Acquire(stack()->env.workflow_db), "");
  obs_test::SlowCalls calls;
  calls.Add(url_, 9);
  std::string last;
  bool degraded = obs_test::WaitHealth(
      url_, [](const cJSON *j, long st) { return st == 200 && DetailInt(j, "in_use") == 9; }, 10000,
      &last);
  obs_test::Resp r = obs_test::Get(url_ + "/health");
  lock.Release();
  auto results = calls.Join();
  ASSERT_TRUE(degraded) << "pool never reached 9 of 10 busy: " << last;
  CheckContract(r, "degraded", 200);
  for (auto &c : results) EXPECT_EQ(c.status, 200) << c.body << c.error;
  // back to healthy once the queries are done
  EXPECT_TRUE(obs_test::WaitHealth(
      url_, [](const cJSON *j, long st) { return st == 200 && JStr(j, "status") == "healthy"; },
      5000, &last))
      << last;
}

// SC-010: p95 < 50 ms while the pool is saturated (10 of 10 busy, more queued): /health never
// queues behind the database; the status then is unhealthy (pool > 95%) with 503.
TEST_F(Health, SC010_HealthP95Under50msPoolSaturated) {
  obs_test::EntityLock lock;
  ASSERT_EQ(lock.Acquire(stack()->env.workflow_db), "");
  obs_test::SlowCalls calls;
  calls.Add(url_, 13);
  std::string last, bad;
  bool full = obs_test::WaitHealth(
      url_,
      [](const cJSON *j, long st) {
        return DetailInt(j, "in_use") == 10 && DetailInt(j, "waiting") == 3;
      },
      10000, &last);
  std::vector<double> ms;
  obs_test::Resp r;
  if (full) {
    r = obs_test::Get(url_ + "/health");
    ms = obs_test::TimeGets(url_ + "/health", 200, {}, {503}, &bad);
  }
  lock.Release();
  auto results = calls.Join();
  ASSERT_TRUE(full) << "pool never reached 10 busy + 3 waiting: " << last;
  CheckContract(r, "unhealthy", 503);
  EXPECT_TRUE(bad.empty()) << bad;
  auto s = obs_test::Summary(ms);
  AddFigures("pool_saturated", s);
  printf("SC-010 /health saturated: n=%zu p50=%.3f p95=%.3f p99=%.3f max=%.3f ms\n", s.count, s.p50,
         s.p95, s.p99, s.max);
  ASSERT_EQ(s.count, 200u);
  EXPECT_LT(s.p95, 50.0);
  for (auto &c : results) EXPECT_EQ(c.status, 200) << c.body << c.error;
}

// SC-010: degraded/healthy -> unhealthy (503, database disconnected) when PostgreSQL stops.
TEST_F(Health, SC010_UnhealthyWhenDatabaseStopped) {
  tst_err err{};
  ASSERT_EQ(tst_pg_stop(stack()->env.pg, &err), TST_OK) << err.msg;
  std::string last;
  double t0 = tst_now_ms();
  bool down = obs_test::WaitHealth(
      url_, [](const cJSON *j, long st) { return st == 503; }, 10000, &last);
  double detect_ms = tst_now_ms() - t0;
  obs_test::Resp r = obs_test::Get(url_ + "/health");
  ASSERT_EQ(tst_pg_restart(stack()->env.pg, &err), TST_OK) << err.msg;
  ASSERT_TRUE(down) << "still not 503 10 s after the database stopped: " << last;
  printf("SC-010 unhealthy detected %.0f ms after tst_pg_stop\n", detect_ms);
  CheckContract(r, "unhealthy", 503, "disconnected");
  // /health itself still answers fast while the database is gone
  EXPECT_LT(r.ms, 50.0);
}

// SC-010: unhealthy -> healthy once PostgreSQL is back (tst_pg_restart), no restart of the server.
TEST_F(Health, SC010_UnhealthyToHealthyAfterDatabaseRestart) {
  tst_err err{};
  ASSERT_EQ(tst_pg_stop(stack()->env.pg, &err), TST_OK) << err.msg;
  std::string last;
  bool down = obs_test::WaitHealth(
      url_, [](const cJSON *j, long st) { return st == 503; }, 10000, &last);
  ASSERT_EQ(tst_pg_restart(stack()->env.pg, &err), TST_OK) << err.msg;
  ASSERT_TRUE(down) << last;
  double t0 = tst_now_ms();
  bool up = obs_test::WaitHealth(
      url_, [](const cJSON *j, long st) { return st == 200 && JStr(j, "status") == "healthy"; },
      15000, &last);
  printf("SC-010 healthy again %.0f ms after tst_pg_restart returned\n", tst_now_ms() - t0);
  ASSERT_TRUE(up) << "not healthy 15 s after the database came back: " << last;
  CheckContract(obs_test::Get(url_ + "/health"), "healthy", 200);
  // and the server serves database work again
  obs_test::Resp q = obs_test::Tool(url_, "query_entities", "{\"limit\": 1}");
  EXPECT_EQ(q.status, 200) << q.body << q.error;
}

}  // namespace
