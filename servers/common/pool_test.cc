// Proves pool.c and db.c against a real PostgreSQL (//testing:pg): FIFO queueing and SRV_EBUSY
// after the deadline (FR-016, US3), the 80% WARN line (US4/US5), recovery after
// pg_terminate_backend of every pool connection and after a database restart (US4: loss detected
// <= 5 s, retried with backoff, recovered <= 10 s).
#include "servers/common/pool.h"

#include <cjson/cJSON.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "servers/common/db.h"
#include "servers/common/health.h"
#include "servers/common/log.h"
#include "servers/common/timeutil.h"
#include "testing/gtest_fixtures.h"
#include "testing/pg.h"

namespace {

class PoolTest : public tst::PgSuite {
 protected:
  std::string log_path_;
  srv_pool *pool_ = nullptr;

  void SetUp() override {
    ASSERT_NE(nullptr, pg);
    const char *dir = getenv("TEST_TMPDIR");
    log_path_ = std::string(dir ? dir : "/tmp") + "/" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log";
    unlink(log_path_.c_str());
    srv_log_config lc = {"codebase-mcp", log_path_.c_str(), 0, SRV_LOG_DEBUG};
    srv_err err;
    ASSERT_EQ(SRV_OK, srv_log_init(&lc, &err)) << err.msg;
  }
  void TearDown() override {
    srv_pool_destroy(pool_);
    pool_ = nullptr;
    srv_log_shutdown();
  }
  void Create(int min, int max, int stmt_ms = 0) {
    srv_pool_config cfg = {};
    cfg.conninfo = tst_pg_url(pg);
    cfg.min_size = min;
    cfg.max_size = max;
    cfg.statement_timeout_ms = stmt_ms;
    cfg.application_name = "pool_test";
    srv_err err;
    ASSERT_EQ(SRV_OK, srv_pool_create(&cfg, &pool_, &err)) << err.msg;
  }
  srv_pool_stats Stats() {
    srv_pool_stats st;
    srv_pool_stats_get(pool_, &st);
    return st;
  }
  // Log lines (parsed) whose operation_name is op.
  std::vector<cJSON *> LogLines(const std::string &op) {
    std::vector<cJSON *> out;
    std::ifstream f(log_path_);
    std::string line;
    while (std::getline(f, line)) {
      cJSON *o = cJSON_Parse(line.c_str());
      EXPECT_NE(nullptr, o) << line;
      if (o == nullptr) continue;
      cJSON *name = cJSON_GetObjectItem(o, "operation_name");
      if (cJSON_IsString(name) && op == name->valuestring)
        out.push_back(o);
      else
        cJSON_Delete(o);
    }
    return out;
  }
  static void Free(std::vector<cJSON *> &v) {
    for (cJSON *o : v) cJSON_Delete(o);
    v.clear();
  }
  // Waits until pred() or timeout_ms; returns elapsed ms or -1.
  template <class F>
  int64_t WaitFor(F pred, int64_t timeout_ms) {
    int64_t t0 = srv_mono_ms();
    while (srv_mono_ms() - t0 < timeout_ms) {
      if (pred()) return srv_mono_ms() - t0;
      srv_sleep_ms(20);
    }
    return -1;
  }
};

srv_code SelectOne(PGconn *c, void *arg, srv_err *err) {
  PGresult *r = nullptr;
  srv_code rc = srv_db_exec(c, "SELECT 41 + 1", 0, nullptr, &r, err);
  if (rc == SRV_OK) {
    *static_cast<int *>(arg) = (int)strtol(PQgetvalue(r, 0, 0), nullptr, 10);
    PQclear(r);
  }
  return rc;
}

}  // namespace

TEST_F(PoolTest, FR016_LazyGrowthUpToMaxAndSettingsApplied) {
  Create(1, 3, 4321);
  srv_pool_stats st = Stats();
  EXPECT_EQ(1, st.size);
  EXPECT_EQ(1, st.free);
  EXPECT_EQ(1, st.db_connected);
  PGconn *a, *b;
  srv_err err;
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &a, &err)) << err.msg;
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &b, &err)) << err.msg;
  st = Stats();
  EXPECT_EQ(2, st.size);
  EXPECT_EQ(2, st.in_use);
  PGresult *r = PQexec(a, "SHOW statement_timeout");
  EXPECT_STREQ("4321ms", PQgetvalue(r, 0, 0));
  PQclear(r);
  r = PQexec(a, "SHOW application_name");
  EXPECT_STREQ("pool_test", PQgetvalue(r, 0, 0));
  PQclear(r);
  srv_pool_release(pool_, a, 0);
  srv_pool_release(pool_, b, 0);
  st = Stats();
  EXPECT_EQ(2, st.free);
  EXPECT_EQ(0, st.in_use);
  EXPECT_EQ(2u, st.total_acquired);
}

TEST_F(PoolTest, FR016_QueuesInFifoOrderThenBusyAfterDeadline) {
  Create(0, 2);
  srv_err err;
  PGconn *held[2];
  for (auto &c : held) ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &c, &err));
  std::mutex mu;
  std::vector<int> order;
  std::vector<PGconn *> got(3, nullptr);
  std::vector<std::thread> ts;
  for (int i = 0; i < 3; i++) {
    ts.emplace_back([&, i] {
      PGconn *c = nullptr;
      srv_err e;
      EXPECT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 10000, &c, &e)) << e.msg;
      std::lock_guard<std::mutex> g(mu);
      order.push_back(i);
      got[i] = c;
    });
    // Enqueue strictly one after the other.
    ASSERT_GE(WaitFor([&] { return Stats().waiting == i + 1; }, 3000), 0);
  }
  auto count = [&] {
    std::lock_guard<std::mutex> g(mu);
    return order.size();
  };
  srv_pool_release(pool_, held[0], 0);
  ASSERT_GE(WaitFor([&] { return count() == 1; }, 3000), 0);
  srv_pool_release(pool_, held[1], 0);
  ASSERT_GE(WaitFor([&] { return count() == 2; }, 3000), 0);
  {
    std::lock_guard<std::mutex> g(mu);
    srv_pool_release(pool_, got[order[0]], 0);
  }
  ASSERT_GE(WaitFor([&] { return count() == 3; }, 3000), 0);
  for (auto &t : ts) t.join();
  EXPECT_EQ((std::vector<int>{0, 1, 2}), order);

  // Both connections busy again: an acquire gives up at its deadline with SRV_EBUSY.
  int64_t t0 = srv_mono_ms();
  PGconn *c = nullptr;
  EXPECT_EQ(SRV_EBUSY, srv_pool_acquire(pool_, t0 + 300, &c, &err));
  int64_t waited = srv_mono_ms() - t0;
  EXPECT_EQ(nullptr, c);
  EXPECT_GE(waited, 295);
  EXPECT_LT(waited, 1500);
  EXPECT_STREQ("connection pool exhausted: 2 of 2 connections busy, 0 waiting; retry later",
               err.msg);
  EXPECT_EQ(503, srv_code_http_status(err.code));
  srv_pool_stats st = Stats();
  EXPECT_EQ(1u, st.total_timeouts);
  EXPECT_EQ(0, st.waiting);
  srv_pool_release(pool_, got[order[1]], 0);
  srv_pool_release(pool_, got[order[2]], 0);
}

TEST_F(PoolTest, FR016_WarnLogWhenUtilisationPasses80Percent) {
  Create(0, 5);
  srv_err err;
  std::vector<PGconn *> held(5);
  for (int i = 0; i < 4; i++)
    ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &held[i], &err));
  auto lines = LogLines("pool_utilization_high");
  EXPECT_EQ(0u, lines.size()) << "80% is not above 80%";
  Free(lines);
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &held[4], &err));
  // One more caller queues (and times out), so the queue length shows up in the stats.
  PGconn *extra = nullptr;
  EXPECT_EQ(SRV_EBUSY, srv_pool_acquire(pool_, srv_mono_ms() + 100, &extra, &err));
  lines = LogLines("pool_utilization_high");
  ASSERT_EQ(1u, lines.size()) << "rate limit: at most one warning per second";
  cJSON *l = lines[0];
  EXPECT_STREQ("WARN", cJSON_GetObjectItem(l, "level")->valuestring);
  cJSON *ctx = cJSON_GetObjectItem(l, "context");
  ASSERT_NE(nullptr, ctx);
  cJSON *pool = cJSON_GetObjectItem(ctx, "pool");
  ASSERT_NE(nullptr, pool);
  EXPECT_EQ(5, cJSON_GetObjectItem(pool, "in_use")->valueint);
  EXPECT_EQ(5, cJSON_GetObjectItem(pool, "max_size")->valueint);
  EXPECT_DOUBLE_EQ(100.0, cJSON_GetObjectItem(pool, "utilization_percent")->valuedouble);
  EXPECT_TRUE(cJSON_IsNumber(cJSON_GetObjectItem(ctx, "queue_length")));
  Free(lines);
  // After the rate-limit interval a queued caller triggers another warning with queue length 1,
  // logged while it is still waiting (not when its wait ends).
  srv_sleep_ms(1100);
  srv_code waited_rc = SRV_OK;
  std::thread waiter([&] {
    srv_err werr;
    PGconn *c = nullptr;
    waited_rc = srv_pool_acquire(pool_, srv_mono_ms() + 1500, &c, &werr);
  });
  srv_sleep_ms(300);
  lines = LogLines("pool_utilization_high");
  EXPECT_EQ(1, Stats().waiting) << "the caller should still be queued";
  EXPECT_EQ(2u, lines.size()) << "the warning waits for the end of the wait";
  if (lines.size() == 2u) {
    EXPECT_EQ(
        1, cJSON_GetObjectItem(cJSON_GetObjectItem(lines[1], "context"), "queue_length")->valueint);
  }
  Free(lines);
  waiter.join();
  EXPECT_EQ(SRV_EBUSY, waited_rc);
  for (PGconn *c : held) srv_pool_release(pool_, c, 0);
}

TEST_F(PoolTest, SC008_RecoversAfterTerminateBackendOfEveryPoolConnection) {
  Create(3, 5);
  srv_err err;
  ASSERT_EQ(3, Stats().size);
  int terminated = 0;
  tst_err terr{};
  ASSERT_EQ(TST_OK, tst_pg_terminate_backends(pg, tst_pg_dbname(pg), &terminated, &terr))
      << terr.msg;
  ASSERT_GE(terminated, 3);
  int64_t t0 = srv_mono_ms();
  // Not retry-safe: the first (dead) connection's failure is reported, not retried.
  int v = 0;
  EXPECT_EQ(SRV_EUNAVAIL, srv_db_run(pool_, srv_mono_ms() + 5000, SelectOne, &v, 0, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "not retried")) << err.msg;
  // Retry-safe: succeeds (dead connections are discarded, a fresh one is opened).
  v = 0;
  ASSERT_EQ(SRV_OK, srv_db_run(pool_, srv_mono_ms() + 5000, SelectOne, &v, 1, &err)) << err.msg;
  EXPECT_EQ(42, v);
  // The background ping finds the remaining dead connections and refills to min within 5 s.
  int64_t healed = WaitFor(
      [&] {
        srv_pool_stats st = Stats();
        return st.total_discarded >= 3 && st.size >= 3 && st.db_connected;
      },
      5000);
  ASSERT_GE(healed, 0) << "dead connections not replaced within 5 s";
  RecordProperty("terminate_detect_and_refill_ms", std::to_string(srv_mono_ms() - t0));
  // Every connection now works.
  std::vector<PGconn *> cs(3);
  for (auto &c : cs) {
    ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 2000, &c, &err));
    PGresult *r = PQexec(c, "SELECT 1");
    EXPECT_EQ(PGRES_TUPLES_OK, PQresultStatus(r));
    PQclear(r);
  }
  for (auto c : cs) srv_pool_release(pool_, c, 0);
}

TEST_F(PoolTest, SC008_DatabaseLossDetectedWithin5sAndRecoveryLogged) {
  Create(2, 4);
  srv_err err;
  ASSERT_GE(WaitFor([&] { return Stats().last_ping_ms >= 0; }, 3000), 0);
  tst_err terr{};
  ASSERT_EQ(TST_OK, tst_pg_stop(pg, &terr)) << terr.msg;
  int64_t detect = WaitFor([&] { return Stats().db_connected == 0; }, 5000);
  ASSERT_GE(detect, 0) << "database loss not detected within 5 s";
  RecordProperty("db_loss_detect_ms", std::to_string(detect));
  // Health says unhealthy (503) from memory; acquire fails fast with "retry later".
  cJSON *h = nullptr;
  int http = 0;
  ASSERT_EQ(SRV_OK, srv_health_render(pool_, 1.0, &h, &http, &err));
  EXPECT_EQ(503, http);
  EXPECT_STREQ("disconnected", cJSON_GetObjectItem(h, "database_status")->valuestring);
  cJSON_Delete(h);
  PGconn *c = nullptr;
  int64_t t0 = srv_mono_ms();
  EXPECT_EQ(SRV_EUNAVAIL, srv_pool_acquire(pool_, srv_mono_ms() + 3000, &c, &err));
  EXPECT_LT(srv_mono_ms() - t0, 2500);
  EXPECT_TRUE(srv_code_is_retry_later(err.code));

  // A retry-safe operation issued while the database is down succeeds once it is back,
  // if that happens within its backoff window (100 + 200 + 400 ms).
  ASSERT_EQ(TST_OK, tst_pg_restart(pg, &terr)) << terr.msg;
  int64_t recover = WaitFor([&] { return Stats().db_connected == 1 && Stats().size >= 2; }, 10000);
  ASSERT_GE(recover, 0) << "not recovered within 10 s";
  RecordProperty("db_recover_ms", std::to_string(recover));
  int v = 0;
  ASSERT_EQ(SRV_OK, srv_db_run(pool_, srv_mono_ms() + 5000, SelectOne, &v, 1, &err)) << err.msg;
  EXPECT_EQ(42, v);

  auto lost = LogLines("db_connection_lost");
  auto back = LogLines("db_connection_recovered");
  ASSERT_EQ(1u, lost.size());
  ASSERT_EQ(1u, back.size());
  EXPECT_STREQ("WARN", cJSON_GetObjectItem(lost[0], "level")->valuestring);
  cJSON *ctx = cJSON_GetObjectItem(back[0], "context");
  ASSERT_NE(nullptr, ctx);
  EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItem(ctx, "lost_at")));
  EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItem(ctx, "recovered_at")));
  EXPECT_GT(cJSON_GetObjectItem(ctx, "outage_ms")->valuedouble, 0);
  EXPECT_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(lost[0], "context"), "lost_at")->valuestring,
               cJSON_GetObjectItem(ctx, "lost_at")->valuestring);
  Free(lost);
  Free(back);
}

TEST_F(PoolTest, SC008_FrozenDatabaseServerIsDetectedWithin5s) {
  // A frozen server (SIGSTOP: like a paused VM or a hung host) keeps TCP acknowledged by the
  // kernel, so only the ping's own timeout can notice it.
  Create(2, 4);
  srv_err err;
  ASSERT_GE(WaitFor([&] { return Stats().last_ping_ms >= 0; }, 3000), 0);
  std::vector<pid_t> pids = {tst_pg_postmaster_pid(pg)};
  ASSERT_GT(pids[0], 0);
  {
    PGconn *admin = PQconnectdb(tst_pg_admin_url(pg));
    PGresult *r =
        PQexec(admin, "SELECT pid FROM pg_stat_activity WHERE application_name = 'pool_test'");
    ASSERT_EQ(PGRES_TUPLES_OK, PQresultStatus(r));
    for (int i = 0; i < PQntuples(r); i++)
      pids.push_back((pid_t)strtol(PQgetvalue(r, i, 0), nullptr, 10));
    PQclear(r);
    PQfinish(admin);
  }
  ASSERT_GE(pids.size(), 3u);
  struct Thaw {  // resumes the server on every exit path
    std::vector<pid_t> &p;
    ~Thaw() {
      for (pid_t x : p) kill(x, SIGCONT);
    }
  } thaw{pids};
  for (pid_t x : pids) ASSERT_EQ(0, kill(x, SIGSTOP));
  int64_t detect = WaitFor([&] { return Stats().db_connected == 0; }, 6000);
  RecordProperty("frozen_db_detect_ms", std::to_string(detect));
  EXPECT_GE(detect, 0) << "frozen database not detected within 6 s";
  EXPECT_LE(detect, 5000);
  for (pid_t x : pids) kill(x, SIGCONT);
  int64_t recover = WaitFor([&] { return Stats().db_connected == 1 && Stats().size >= 2; }, 10000);
  RecordProperty("frozen_db_recover_ms", std::to_string(recover));
  ASSERT_GE(recover, 0) << "not recovered within 10 s of the server resuming";
  int v = 0;
  ASSERT_EQ(SRV_OK, srv_db_run(pool_, srv_mono_ms() + 5000, SelectOne, &v, 1, &err)) << err.msg;
  EXPECT_EQ(42, v);
}

TEST_F(PoolTest, SC008_RetrySafeOperationRidesOutAShortOutage) {
  Create(1, 2);
  srv_err err;
  tst_err terr{};
  ASSERT_EQ(TST_OK, tst_pg_stop(pg, &terr)) << terr.msg;
  std::thread restarter([&] {
    srv_sleep_ms(150);
    tst_err e{};
    EXPECT_EQ(TST_OK, tst_pg_restart(pg, &e)) << e.msg;
  });
  int v = 0;
  int64_t t0 = srv_mono_ms();
  srv_code rc = srv_db_run(pool_, srv_mono_ms() + 10000, SelectOne, &v, 1, &err);
  int64_t took = srv_mono_ms() - t0;
  restarter.join();
  // Restart takes ~0.3-1 s here; with at most 3 retries (100+200+400 ms) the run may or may not
  // outlast it, but it must either succeed or fail as "retry later", never as a hard error.
  if (rc == SRV_OK) {
    EXPECT_EQ(42, v);
  } else {
    EXPECT_EQ(SRV_EUNAVAIL, rc) << err.msg;
    EXPECT_NE(nullptr, strstr(err.msg, "4 attempts")) << err.msg;
  }
  EXPECT_LT(took, 9000);
  auto retries = LogLines("db_retry");
  EXPECT_GE(retries.size(), 1u);
  EXPECT_LE(retries.size(), 3u);
  Free(retries);
  ASSERT_GE(WaitFor([&] { return Stats().db_connected == 1; }, 10000), 0);
}

// srv_db_run_wait with a background job's policy (the indexer's): no retry limit, a capped
// backoff, its own retry line; it waits out an outage longer than a request's three retries.
struct RetryLog {
  std::vector<std::pair<int, int64_t>> seen;  // (attempt, backoff_ms)
  bool stop = false;
};

void RecordRetry(void *arg, int attempt, int64_t backoff_ms, const srv_err *why) {
  static_cast<RetryLog *>(arg)->seen.push_back({attempt, backoff_ms});
}

int StopAsked(void *arg) {
  return static_cast<RetryLog *>(arg)->stop;
}

TEST_F(PoolTest, SC008_RunWaitRidesOutAnOutageWithItsOwnBackoffPolicy) {
  Create(1, 2);
  RetryLog log;
  srv_db_wait wait = {};
  wait.max_retries = -1;
  wait.backoff_ms = 100;
  wait.backoff_max_ms = 400;
  wait.attempt_ms = 2000;
  wait.retry_busy = 1;
  wait.stop = StopAsked;
  wait.on_retry = RecordRetry;
  wait.arg = &log;
  tst_err terr{};
  ASSERT_EQ(TST_OK, tst_pg_stop(pg, &terr)) << terr.msg;
  std::thread restarter([&] {
    srv_sleep_ms(1500);  // longer than 100 + 200 + 400 ms
    tst_err e{};
    EXPECT_EQ(TST_OK, tst_pg_restart(pg, &e)) << e.msg;
  });
  int v = 0;
  srv_err err;
  srv_code rc = srv_db_run_wait(pool_, srv_mono_ms() + 30000, &wait, SelectOne, &v, 1, &err);
  restarter.join();
  ASSERT_EQ(SRV_OK, rc) << err.msg;
  EXPECT_EQ(42, v);
  ASSERT_GE(log.seen.size(), 4u) << "the outage outlasted three retries";
  for (size_t i = 0; i < log.seen.size(); i++) {
    EXPECT_EQ((int)i + 1, log.seen[i].first);
    EXPECT_EQ(std::min<int64_t>(400, 100LL << i), log.seen[i].second) << "retry " << i + 1;
  }
  auto db_retry = LogLines("db_retry");
  EXPECT_EQ(0u, db_retry.size()) << "on_retry replaces the db_retry line";
  Free(db_retry);
  ASSERT_GE(WaitFor([&] { return Stats().db_connected == 1; }, 10000), 0);

  // A stop request ends the waiting: the first failure is returned, no retry is made.
  ASSERT_EQ(TST_OK, tst_pg_stop(pg, &terr)) << terr.msg;
  log = RetryLog();
  log.stop = true;
  rc = srv_db_run_wait(pool_, srv_mono_ms() + 30000, &wait, SelectOne, &v, 1, &err);
  EXPECT_EQ(SRV_EUNAVAIL, rc) << err.msg;
  EXPECT_NE(nullptr, strstr(err.msg, "(1 attempt)")) << err.msg;
  EXPECT_TRUE(log.seen.empty());
  ASSERT_EQ(TST_OK, tst_pg_restart(pg, &terr)) << terr.msg;
  ASSERT_GE(WaitFor([&] { return Stats().db_connected == 1; }, 10000), 0);
}

srv_code ShortSleep(PGconn *c, void *arg, srv_err *err) {
  return srv_db_exec(c, "SELECT pg_sleep(0.002)", 0, nullptr, nullptr, err);
}

TEST_F(PoolTest, FR016_SixteenThreadsOnFourConnectionsAllSucceed) {
  Create(1, 4);
  const int kThreads = 16, kOps = 40;
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::atomic<int> max_in_use{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; t++) {
    ts.emplace_back([&] {
      for (int i = 0; i < kOps; i++) {
        srv_err e;
        srv_code rc = srv_db_run(pool_, srv_mono_ms() + 10000, ShortSleep, nullptr, 1, &e);
        if (rc == SRV_OK)
          ok++;
        else if (rc == SRV_EBUSY)
          busy++;
        else
          other++;
        int in_use = Stats().in_use;
        int prev = max_in_use.load();
        while (in_use > prev && !max_in_use.compare_exchange_weak(prev, in_use)) {
        }
      }
    });
  }
  for (auto &t : ts) t.join();
  EXPECT_EQ(kThreads * kOps, ok.load());
  EXPECT_EQ(0, busy.load());
  EXPECT_EQ(0, other.load());
  srv_pool_stats st = Stats();
  EXPECT_LE(max_in_use.load(), 4);
  EXPECT_LE(st.size, 4);
  EXPECT_EQ(0, st.in_use);
  EXPECT_EQ(0, st.waiting);
  EXPECT_GE(st.total_acquired, (uint64_t)(kThreads * kOps));
  EXPECT_EQ(0u, st.total_timeouts);
}

TEST_F(PoolTest, DestroyWaitsForAStragglerToRelease) {
  Create(1, 2);
  srv_err err;
  PGconn *c = nullptr;
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &c, &err));
  srv_pool *p = pool_;
  std::thread late([&] {
    srv_sleep_ms(300);
    srv_pool_release(p, c, 0);
  });
  int64_t t0 = srv_mono_ms();
  srv_pool_destroy(pool_);
  pool_ = nullptr;
  int64_t took = srv_mono_ms() - t0;
  late.join();
  EXPECT_GE(took, 250);
  EXPECT_LT(took, 5000);
}

TEST_F(PoolTest, DbExecMapsErrors) {
  Create(1, 2, 300);
  srv_err err;
  PGconn *c = nullptr;
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &c, &err));
  ASSERT_EQ(SRV_OK, srv_db_exec(c, "CREATE TEMP TABLE t (id int PRIMARY KEY, n int CHECK (n > 0))",
                                0, nullptr, nullptr, &err))
      << err.msg;
  const char *p1[] = {"1", "5"};
  ASSERT_EQ(SRV_OK, srv_db_exec(c, "INSERT INTO t VALUES ($1::int, $2::int)", 2, p1, nullptr, &err))
      << err.msg;
  EXPECT_EQ(SRV_ECONFLICT,
            srv_db_exec(c, "INSERT INTO t VALUES ($1::int, $2::int)", 2, p1, nullptr, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "duplicate key")) << err.msg;
  const char *p2[] = {"abc", "5"};
  EXPECT_EQ(SRV_EINVAL,
            srv_db_exec(c, "INSERT INTO t VALUES ($1::int, $2::int)", 2, p2, nullptr, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "22P02")) << err.msg;
  const char *p3[] = {"2", "-1"};
  EXPECT_EQ(SRV_EINVAL,
            srv_db_exec(c, "INSERT INTO t VALUES ($1::int, $2::int)", 2, p3, nullptr, &err));
  EXPECT_EQ(SRV_ETIMEOUT, srv_db_exec(c, "SELECT pg_sleep(2)", 0, nullptr, nullptr, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "statement timeout")) << err.msg;
  EXPECT_EQ(SRV_EINTERNAL, srv_db_exec(c, "SELEC 1", 0, nullptr, nullptr, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "42601")) << err.msg;
  PGresult *r = nullptr;
  ASSERT_EQ(SRV_OK, srv_db_exec(c, "SELECT n FROM t WHERE id = 1", 0, nullptr, &r, &err));
  EXPECT_STREQ("5", PQgetvalue(r, 0, 0));
  PQclear(r);
  srv_pool_release(pool_, c, 0);
  // A connection left inside a transaction is rolled back on release, not handed out dirty.
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &c, &err));
  PQclear(PQexec(c, "BEGIN"));
  srv_pool_release(pool_, c, 0);
  ASSERT_EQ(SRV_OK, srv_pool_acquire(pool_, srv_mono_ms() + 5000, &c, &err));
  EXPECT_EQ(PQTRANS_IDLE, PQtransactionStatus(c));
  srv_pool_release(pool_, c, 0);
}
