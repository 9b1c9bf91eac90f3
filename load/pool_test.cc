// pool_test.cc — US3 pool behaviour under load: workflow-mcp with a pool of 10 and 50 VUs without
// think time. While a side connection holds a lock on the entities table for 3 s, the 10 pool
// connections are stuck behind it, so the other requests queue for a connection (the test sees
// /health report waiters), the server logs the 80% warning (pool_utilization_high), and the
// queued requests whose deadline passes get 503 — and only those: the fastest 503 took at least
// the deadline. The deadline is REQUEST_TIMEOUT_MS=1000 here to keep the test short; the
// default is 30 s (servers/common/config.c, FR-025 "client request 30 s").
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "load/engine.h"
#include "load/result.h"
#include "load/scenario.h"
#include "testing/http.h"
#include "testing/pg.h"
#include "testing/proc.h"
#include "testing/runfiles.h"
#include "testing/server.h"

namespace {

constexpr int kDeadlineMs = 1000;

std::string ReadFile(const std::string &path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(US3Pool, FR016_PoolOf10With50ClientsQueuesWarnsAndAnswers503OnlyPastTheDeadline) {
  tst_err te{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(TST_OK, tst_pg_start(&pg, &te)) << te.msg;
  char bin[4096];
  ASSERT_EQ(0, tst_runfile("servers/workflow_mcp/workflow-mcp", bin, sizeof bin)) << bin;
  char url[1024];
  ASSERT_EQ(TST_OK, tst_pg_create_db(pg, "wf_pool", url, sizeof url, &te)) << te.msg;
  std::string db = std::string("DATABASE_URL=") + url;
  std::string deadline = "REQUEST_TIMEOUT_MS=" + std::to_string(kDeadlineMs);
  const char *env[] = {db.c_str(),
                       "POOL_MIN=2",
                       "POOL_MAX=10",
                       deadline.c_str(),
                       "CODEBASE_MCP_URL=http://127.0.0.1:9",
                       nullptr};
  const char *margs[] = {"migrate", nullptr};
  int status = 0;
  char log[4096];
  ASSERT_EQ(TST_OK, tst_run(bin, margs, env, 60000, &status, log, sizeof log, &te)) << te.msg;
  ASSERT_EQ(0, status) << log;
  tst_server_opts o{};
  o.binary = bin;
  o.env = env;
  tst_server *s = nullptr;
  ASSERT_EQ(TST_OK, tst_server_start(&o, &s, &te)) << te.msg;
  std::string base = tst_server_url(s);

  // One project with one entity type and a few entities.
  tst_http_resp r{};
  ASSERT_EQ(TST_OK, tst_http_post_json((base + "/mcp/create_project").c_str(),
                                       R"({"name":"pool","description":"pool test"})", 10000,
                                       nullptr, &r, &te))
      << te.msg;
  ASSERT_EQ(201, r.status) << r.body;
  std::string pid = cJSON_GetObjectItem(r.json, "id")->valuestring;
  tst_http_resp_free(&r);
  std::string reg =
      R"({"project_id":")" + pid +
      R"(","name":"invoice","schema":{"type":"object","properties":{"status":{"type":"string"}}}})";
  ASSERT_EQ(TST_OK, tst_http_post_json((base + "/mcp/register_entity_type").c_str(), reg.c_str(),
                                       10000, nullptr, &r, &te));
  ASSERT_LT(r.status, 300) << r.body;
  tst_http_resp_free(&r);
  for (int i = 0; i < 10; i++) {
    std::string e = R"({"project_id":")" + pid + R"(","entity_type":"invoice","data":{"status":")" +
                    (i % 2 ? "open" : "paid") + R"("}})";
    ASSERT_EQ(TST_OK, tst_http_post_json((base + "/mcp/create_entity").c_str(), e.c_str(), 10000,
                                         nullptr, &r, &te));
    ASSERT_EQ(201, r.status) << r.body;
    tst_http_resp_free(&r);
  }

  std::string sc_text = R"({"name":"pool-entity-query","values":{"p":[")" + pid +
                        R"("],"st":["open","paid"]},"flows":[{"name":"q","steps":[
      {"name":"query_entities","method":"POST","path":"/query_entities",
       "body":{"project_id":"${p}","entity_type":"invoice","filter":{"status":"${st}"}}}]}]})";
  cJSON *scj = cJSON_Parse(sc_text.c_str());
  ld_scenario *sc = nullptr;
  ld_err le{};
  ASSERT_EQ(LD_OK, ld_scenario_parse(scj, &sc, &le)) << le.msg;
  cJSON_Delete(scj);

  ld_config c;
  ld_config_defaults(&c);
  c.base_url = base.c_str();
  c.scenario = sc;
  c.server = MDL_SERVER_WORKFLOW_MCP;
  c.think_ms = 0;  // no think time: every VU always has a request in flight
  c.stages[0] = {1, 50};
  c.stages[1] = {11, 50};
  c.nstages = 2;
  c.timeout_ms = 30000;
  c.pids[c.npids++] = tst_server_pid(s);

  std::atomic<bool> done{false};
  std::atomic<int> max_waiting{0};
  std::thread watcher([&] {  // queueing as the server reports it
    std::string h = base + "/health";
    while (!done) {
      tst_http_resp hr{};
      tst_err he{};
      if (tst_http_get(h.c_str(), 1000, nullptr, &hr, &he) == TST_OK && hr.json != nullptr) {
        cJSON *w = cJSON_GetObjectItem(cJSON_GetObjectItem(hr.json, "details"), "waiting");
        int n = cJSON_IsString(w)   ? (int)strtol(w->valuestring, nullptr, 10)
                : cJSON_IsNumber(w) ? w->valueint
                                    : 0;
        if (n > max_waiting) max_waiting = n;
      }
      tst_http_resp_free(&hr);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::thread locker([&] {  // makes the 10 connections hold on for 3 s
    std::this_thread::sleep_for(std::chrono::milliseconds(4000));
    tst_err e2{};
    EXPECT_EQ(TST_OK, tst_pg_exec(pg, url,
                                  "BEGIN; LOCK TABLE entities IN ACCESS EXCLUSIVE MODE; "
                                  "SELECT pg_sleep(3); COMMIT;",
                                  &e2))
        << e2.msg;
  });
  ld_result res;
  int rc = ld_run(&c, &res, &le);
  locker.join();
  done = true;
  watcher.join();
  ASSERT_EQ(LD_OK, rc) << le.msg;
  if (const char *d = getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
    std::string p = std::string(d) + "/pool-workflow-mcp.json";
    EXPECT_EQ(LD_OK, ld_result_write(&res, p.c_str(), &le)) << le.msg;
  }
  const mdl_histogram &h503 = res.err_lat[LD_ERR_HTTP503];
  printf(
      "requests %llu, 503: %llu (fastest %.1f ms, slowest %.1f ms), other errors %llu, max "
      "waiting %d, pool max %.0f%%\n",
      (unsigned long long)res.requests, (unsigned long long)res.errors_by_type[LD_ERR_HTTP503],
      h503.min_ms, h503.max_ms,
      (unsigned long long)(res.errors - res.errors_by_type[LD_ERR_HTTP503]), max_waiting.load(),
      res.res.pool_max);
  EXPECT_EQ(50, res.peak_vus);
  EXPECT_GT(max_waiting.load(), 0) << "no request ever waited for a connection";
  EXPECT_GE(res.res.pool_max, 80.0);
  // 503 for the requests that waited past the deadline, and only for them
  EXPECT_GT(res.errors_by_type[LD_ERR_HTTP503], 0u);
  EXPECT_GE(h503.min_ms, kDeadlineMs * 0.95) << "a 503 came before the deadline";
  EXPECT_EQ(res.errors, res.errors_by_type[LD_ERR_HTTP503]) << "errors other than 503";
  EXPECT_GT(res.requests - res.errors, 100u) << "the pool should keep serving outside the lock";
  // the 80% warning in the server's log, with the queue length
  std::string slog = ReadFile(tst_server_log_path(s));
  size_t at = slog.find("pool_utilization_high");
  ASSERT_NE(std::string::npos, at) << "no pool_utilization_high warning in the log";
  size_t line = slog.rfind('\n', at);
  std::string warn = slog.substr(line == std::string::npos ? 0 : line + 1, 400);
  EXPECT_NE(std::string::npos, warn.find("\"WARN\"")) << warn;
  ld_result_free(&res);
  ld_scenario_free(sc);
  tst_server_destroy(s);
  tst_pg_destroy(pg);
}

}  // namespace
