// tuning_sweep_test.cc — the measurements behind docs/operations/performance-tuning.md (manual:
// `bazel test //observability:tuning_sweep_test`, a few minutes). One 2,000-file FR-024 fixture is
// indexed once; then, for each setting, a fresh codebase-mcp process on the same database serves
// 10 concurrent search clients (no think time) for 5 s after 1 s of warm-up, and the figures
// (p50/p95/p99, searches per second, failures) are written to tuning_sweep.json and printed as a
// markdown table. Settings: POOL_MAX, HTTP_WORKERS, HTTP_THREADS, and PostgreSQL's jit, work_mem
// and random_page_cost (per database, ALTER DATABASE; the harness's cluster fixes shared_buffers at
// 16MB on its command line, so that one is not swept here). Asserts only that
// every configuration served its searches (the figures are what the guide reports, not a gate).
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/uuid.h"
#include "observability/test_util.h"
#include "testing/repogen.h"
#include "testing/runfiles.h"

namespace {

class TuningSweep : public obs_test::StackTest<true, false> {};

struct Row {
  std::string setting;
  mdl_stats_summary s;
  double per_s;
  long failures;
};

TEST_F(TuningSweep, US5_MeasureSettingsForThePerformanceGuide) {
  bench_env *env = &stack()->env;
  obs_test::Indexed ix;
  ASSERT_EQ(obs_test::IndexFixture(env, 2000, 7, 128, 10, &ix), "");
  const std::vector<std::string> &queries = ix.queries;
  double index_ms = ix.index_ms;
  tst_server_stop(env->codebase, 10000, nullptr, nullptr);  // each setting gets its own process

  char bin[4096];
  ASSERT_EQ(tst_runfile(BENCH_CODEBASE_BIN, bin, sizeof bin), 0) << bin;
  std::string db = std::string("DATABASE_URL=") + env->codebase_db;
  std::vector<Row> rows;
  auto run = [&](const std::string &label, std::vector<std::string> extra) {
    std::vector<const char *> envv = {db.c_str()};
    for (auto &e : extra) envv.push_back(e.c_str());
    envv.push_back(nullptr);
    tst_server_opts o{};
    o.binary = bin;
    o.env = envv.data();
    o.health_timeout_ms = 20000;
    tst_server *srv = nullptr;
    tst_err err{};
    ASSERT_EQ(tst_server_start(&o, &srv, &err), TST_OK) << label << ": " << err.msg;
    std::string url = tst_server_url(srv);
    obs_test::Load load;
    load.Start(10, [&](int c, long i) {
      obs_test::Resp r = obs_test::Tool(url, "search_code", queries[(c * 31 + i) % queries.size()]);
      return r.error.empty() && r.status == 200 ? r.ms : -1;
    });
    usleep(1000000);
    load.Take();
    double t0 = tst_now_ms();
    long f0 = load.failures();
    usleep(5000000);
    std::vector<double> ms = load.Take();
    double secs = (tst_now_ms() - t0) / 1000.0;
    load.Stop();
    tst_server_destroy(srv);
    Row r{label, obs_test::Summary(ms), ms.size() / secs, load.failures() - f0};
    printf("| %s | %zu | %.1f | %.1f | %.1f | %.1f | %ld |\n", label.c_str(), r.s.count, r.s.p50,
           r.s.p95, r.s.p99, r.per_s, r.failures);
    fflush(stdout);
    rows.push_back(r);
  };
  auto sql = [&](const std::string &q) {
    tst_err err{};
    EXPECT_EQ(tst_pg_exec(env->pg, tst_pg_admin_url(env->pg), q.c_str(), &err), TST_OK)
        << q << ": " << err.msg;
  };
  std::string dbname = env->codebase_db;
  dbname = dbname.substr(dbname.rfind('/') + 1);
  printf("| setting | searches | p50 ms | p95 ms | p99 ms | searches/s | failed |\n");
  printf("|---|---|---|---|---|---|---|\n");
  // Two rounds through every setting, so each figure has a twin measured minutes apart on the same
  // (shared, noisy) machine.
  for (int round = 1; round <= 2; round++) {
    std::string r = " (round " + std::to_string(round) + ")";
    for (int pool : {2, 5, 10, 20})
      run("POOL_MAX=" + std::to_string(pool) + r,
          {"POOL_MAX=" + std::to_string(pool), "POOL_MIN=" + std::to_string(pool < 5 ? pool : 5)});
    for (int w : {4, 16})
      run("HTTP_WORKERS=" + std::to_string(w) + r, {"HTTP_WORKERS=" + std::to_string(w)});
    for (int t : {1, 2})
      run("HTTP_THREADS=" + std::to_string(t) + r, {"HTTP_THREADS=" + std::to_string(t)});
    sql("ALTER DATABASE " + dbname + " SET jit = off");
    run("jit=off" + r, {});
    sql("ALTER DATABASE " + dbname + " RESET jit");
    sql("ALTER DATABASE " + dbname + " SET work_mem = '64MB'");
    run("work_mem=64MB" + r, {});
    sql("ALTER DATABASE " + dbname + " RESET work_mem");
    sql("ALTER DATABASE " + dbname + " SET random_page_cost = 1.1");
    run("random_page_cost=1.1" + r, {});
    sql("ALTER DATABASE " + dbname + " RESET random_page_cost");
    run("defaults: POOL_MAX=20, HTTP_WORKERS=64, HTTP_THREADS=4" + r, {});
  }
  std::string json = "{\"index_ms\": " + std::to_string((long)index_ms) +
                     ", \"files\": 2000, \"clients\": 10, \"rows\": [";
  for (size_t i = 0; i < rows.size(); i++) {
    char buf[512];
    snprintf(buf, sizeof buf,
             "%s{\"setting\": \"%s\", \"n\": %zu, \"p50_ms\": %.2f, \"p95_ms\": %.2f, "
             "\"p99_ms\": %.2f, \"per_second\": %.1f, \"failed\": %ld}",
             i ? ", " : "", rows[i].setting.c_str(), rows[i].s.count, rows[i].s.p50, rows[i].s.p95,
             rows[i].s.p99, rows[i].per_s, rows[i].failures);
    json += buf;
  }
  obs_test::Artifact("tuning_sweep.json", json + "]}\n");
  for (auto &r : rows) {
    EXPECT_GT(r.s.count, 20u) << r.setting;
    EXPECT_EQ(r.failures, 0) << r.setting;
  }
}

}  // namespace
