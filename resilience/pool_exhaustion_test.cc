// US4 deliverable 4 (FR-016, FR-015): pool exhaustion on workflow-mcp, for real.
//
// workflow-mcp runs with POOL_MAX=4 and REQUEST_TIMEOUT_MS=2500 (the documented settings; the
// default deadline is 30 s). The test takes an ACCESS EXCLUSIVE lock on work_items from its own
// connection for 4 s (less than the 5 s statement timeout), so every request that reads work
// items holds its pooled connection while it waits for the lock. 12 clients ask for work items
// at once and 4 more 1.2 s later: 4 get connections and block, the rest queue in the pool's FIFO.
// The test asserts:
//   - requests queue (the WARN's queue_length > 0, /health's "waiting" > 0);
//   - a WARN "pool_utilization_high" above 80% carrying the pool stats (size, in_use, free,
//     max_size, waiting, utilization_percent) and queue_length;
//   - the queued requests get 503 at their deadline, with Retry-After and a body saying the pool
//     is exhausted and to retry later; the 4 holding a connection answer once the lock is gone;
//   - after the burst every request succeeds again and /health is healthy.
#include <atomic>
#include <mutex>
#include <thread>

#include "resilience/test_util.h"

namespace {

TEST(PoolExhaustion, FR016_BurstQueuesWarnsAbove80PercentThen503sAndRecovers) {
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(tst_pg_start(&pg, &err), TST_OK) << err.msg;
  char url[600];
  tst_server *wf = nullptr;
  const char *env[] = {"POOL_MIN=2", "POOL_MAX=4", "REQUEST_TIMEOUT_MS=2500",
                       "CODEBASE_MCP_URL=http://127.0.0.1:9", nullptr};
  ASSERT_EQ(rs_server_start(pg, RS_WORKFLOW_BIN, "workflow", env, url, sizeof url, &wf, &err),
            TST_OK)
      << err.msg;
  std::string base = tst_server_url(wf), db = url;
  cJSON *out = nullptr;
  ASSERT_EQ(rs::Post(base, "/mcp/projects", "{\"name\":\"pool\"}", &out), 201);
  std::string project = rs::Str(out, "id");
  cJSON_Delete(out);
  ASSERT_EQ(
      rs::Post(base, "work_items",
               "{\"title\":\"held\",\"item_type\":\"task\",\"project_id\":\"" + project + "\"}",
               &out),
      201);
  std::string item = rs::Str(out, "id");
  cJSON_Delete(out);
  const std::string read = "{\"project_id\":\"" + project + "\"}";

  // Hold the lock from a connection of our own.
  PGconn *holder = PQconnectdb(url);
  ASSERT_EQ(PQstatus(holder), CONNECTION_OK) << PQerrorMessage(holder);
  PQclear(PQexec(holder, "BEGIN"));
  PGresult *r = PQexec(holder, "LOCK TABLE work_items IN ACCESS EXCLUSIVE MODE");
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(holder);
  PQclear(r);
  int64_t t_burst = rs_wall_ms();

  constexpr int kClients = 16, kFirstWave = 12;
  std::mutex mu;
  std::vector<long> statuses;
  std::vector<double> lat503;
  std::string body503;
  bool retry_after = true;
  auto client = [&] {
    tst_http_resp resp{};
    tst_err e{};
    long st = 0;
    if (rs_post(base.c_str(), "query_work_items", read.c_str(), 15000, &resp, &e) == TST_OK)
      st = resp.status;
    std::lock_guard<std::mutex> l(mu);
    statuses.push_back(st);
    if (st == 503) {
      lat503.push_back(resp.latency_ms);
      if (body503.empty()) body503 = resp.body;
      if (tst_http_header(&resp, "Retry-After") == nullptr) retry_after = false;
    }
    tst_http_resp_free(&resp);
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < kFirstWave; c++) clients.emplace_back(client);
  // While the burst waits: /health shows the queue.
  int max_waiting = 0;
  for (int i = 0; i < 20; i++) {
    if (i == 12)  // the second wave, after the pool's one-second WARN interval
      for (int c = kFirstWave; c < kClients; c++) clients.emplace_back(client);
    tst_http_resp resp{};
    tst_err e{};
    if (tst_http_get((base + "/health").c_str(), 2000, nullptr, &resp, &e) == TST_OK) {
      const cJSON *d = cJSON_GetObjectItemCaseSensitive(resp.json, "details");
      max_waiting = std::max(max_waiting, (int)strtol(rs::Str(d, "waiting").c_str(), nullptr, 10));
    }
    tst_http_resp_free(&resp);
    rs::SleepMs(100);
  }
  // Keep the lock past the queued requests' deadlines, then let go.
  rs::SleepMs((int)std::max<int64_t>(0, t_burst + 4000 - rs_wall_ms()));
  PQclear(PQexec(holder, "COMMIT"));
  PQfinish(holder);
  for (auto &t : clients) t.join();

  size_t ok = 0, s503 = 0, other = 0;
  std::string others;
  for (long st : statuses) {
    (st == 200 ? ok : st == 503 ? s503 : other)++;
    if (st != 200 && st != 503) others += " " + std::to_string(st);
  }
  printf(
      "burst of %d with the pool's 4 connections blocked: %zu ok, %zu 503, %zu other; /health "
      "saw up to %d waiting\n503 body: %s\n",
      kClients, ok, s503, other, max_waiting, body503.c_str());
  EXPECT_GT(max_waiting, 0) << "requests did not queue";
  EXPECT_GE(s503, (size_t)(kClients - 4)) << "queued requests must get 503 at their deadline";
  EXPECT_EQ(other, 0u) << others;
  EXPECT_TRUE(retry_after) << "a 503 without Retry-After";
  EXPECT_NE(body503.find("connection pool exhausted"), std::string::npos) << body503;
  EXPECT_NE(body503.find("retry later"), std::string::npos) << body503;
  for (double l : lat503) EXPECT_GE(l, 2400) << "503 before the 2.5 s deadline";

  // The WARN, with pool stats and queue length.
  rs_log log{};
  ASSERT_EQ(rs_log_load(tst_server_log_path(wf), &log, &err), TST_OK) << err.msg;
  const rs_event *w = nullptr;
  for (size_t from = 0; (w = rs_log_find(&log, "pool_utilization_high", t_burst, &from));) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(w->line, "context"), "pool");
    if (rs_event_ctx_num(w, "queue_length", 0) > 0 && rs::Num(p, "utilization_percent") > 80) break;
  }
  ASSERT_NE(w, nullptr) << "no pool_utilization_high WARN with a queue";
  EXPECT_STREQ(w->level, "WARN");
  const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(w->line, "context");
  const cJSON *pool = cJSON_GetObjectItemCaseSensitive(ctx, "pool");
  for (const char *k : {"size", "in_use", "free", "max_size", "waiting", "utilization_percent"})
    EXPECT_TRUE(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(pool, k))) << "pool." << k;
  EXPECT_GT(rs::Num(pool, "utilization_percent"), 80.0);
  EXPECT_EQ(rs::Num(pool, "max_size"), 4);
  printf("WARN after %lld ms: %s\n", (long long)(w->wall_ms - t_burst), w->message);
  rs_log_free(&log);

  // Full service after the burst.
  double t0 = tst_now_ms();
  int good = 0;
  for (int i = 0; i < 20; i++)
    if (rs::Post(base, "query_work_items", read) == 200) good++;
  tst_http_resp got{};
  EXPECT_EQ(tst_http_get((base + "/mcp/work_items/" + item).c_str(), 5000, nullptr, &got, &err),
            TST_OK)
      << err.msg;
  EXPECT_EQ(got.status, 200) << got.body;
  tst_http_resp_free(&got);
  std::string state;
  EXPECT_EQ(rs::Health(base, &state), 200) << state;
  printf("after the burst: %d of 20 requests ok in %.0f ms; /health %s\n", good, tst_now_ms() - t0,
         state.c_str());
  EXPECT_EQ(good, 20);
  tst_server_destroy(wf);
  tst_pg_destroy(pg);
}

}  // namespace
