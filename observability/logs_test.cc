// logs_test.cc — US5 / FR-013: the log of real servers (their whole stderr, as tst_server captures
// it). Every line is one JSON object with the FR-013 fields; every request has its line, under the
// X-Request-Id the client sent; an operation slower than 1 s (a real query waiting on a table
// lock) logs a WARN with its details; a pool above 80% logs a WARN with the pool's stats and the
// queue length.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "models/timestamp.h"
#include "models/uuid.h"
#include "observability/test_util.h"

namespace {

using obs_test::JStr;

class Logs : public obs_test::StackTest<true, true> {
 protected:
  std::string LogOf(const std::string &server) {
    return tst_server_log_path(server == "workflow" ? stack()->env.workflow
                                                    : stack()->env.codebase);
  }
};

// Parsed log lines; owns them.
struct Lines {
  std::vector<cJSON *> v;
  std::vector<std::string> raw;
  ~Lines() {
    for (cJSON *j : v) cJSON_Delete(j);
  }
  void Read(const std::string &path) {
    for (cJSON *j : v) cJSON_Delete(j);
    v.clear();
    raw = obs_test::ReadLines(path);
    for (auto &l : raw) v.push_back(cJSON_Parse(l.c_str()));
  }
  // Lines for which pred holds.
  std::vector<const cJSON *> Where(std::function<bool(const cJSON *)> pred) const {
    std::vector<const cJSON *> out;
    for (cJSON *j : v)
      if (j != nullptr && pred(j)) out.push_back(j);
    return out;
  }
};

// Re-reads path until at least n lines satisfy pred (lines are written just after the answer).
std::vector<const cJSON *> WaitLines(Lines *l, const std::string &path, size_t n,
                                     std::function<bool(const cJSON *)> pred,
                                     int timeout_ms = 5000) {
  double t0 = tst_now_ms();
  for (;;) {
    l->Read(path);
    auto got = l->Where(pred);
    if (got.size() >= n || tst_now_ms() - t0 > timeout_ms) return got;
    usleep(20000);
  }
}

// FR-013: checks one line; returns "" or what is wrong.
std::string CheckLine(const cJSON *j, const std::string &server_id) {
  if (!cJSON_IsObject(j)) return "not a JSON object";
  int64_t us;
  mdl_err e{};
  std::string ts = JStr(j, "timestamp");
  if (mdl_time_parse(ts.c_str(), &us, &e) != MDL_OK) return "timestamp: " + std::string(e.msg);
  if (ts.back() != 'Z') return "timestamp not UTC: " + ts;
  static const std::set<std::string> levels = {"DEBUG", "INFO", "WARN", "ERROR"};
  if (!levels.count(JStr(j, "level"))) return "level: " + JStr(j, "level");
  if (!mdl_uuid_valid(JStr(j, "request_id").c_str())) return "request_id not a UUID";
  if (JStr(j, "operation_name").empty()) return "operation_name missing";
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(j, "latency_ms");
  if (!cJSON_IsNumber(lat) || lat->valuedouble < 0) return "latency_ms not a number >= 0";
  std::string outcome = JStr(j, "outcome");
  if (outcome != "success" && outcome != "failure") return "outcome: " + outcome;
  if (JStr(j, "server_id") != server_id) return "server_id: " + JStr(j, "server_id");
  for (const char *k : {"error_details", "context"}) {
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, k);
    if (o != nullptr && !cJSON_IsObject(o)) return std::string(k) + " is not an object";
  }
  return "";
}

// FR-013: every line both servers wrote, through start-up, successes, failures, /health, /metrics,
// MCP and a database outage, is JSON with every required field.
TEST_F(Logs, FR013_EveryLineIsJsonWithRequiredFields) {
  const std::string wf = stack()->wf(), cb = stack()->cb();
  obs_test::Tool(wf, "query_entities", "{\"limit\": 2}");
  obs_test::Tool(wf, "query_entities", "{\"limit\": -2}");                     // 400
  obs_test::Get(wf + "/mcp/work_items/6a0f1c1e-1111-4111-8111-111111111111");  // 404
  obs_test::Get(wf + "/no/such/route");
  obs_test::Get(wf + "/health");
  obs_test::Get(wf + "/metrics");
  obs_test::Do("POST", wf + "/mcp",
               "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\"}");
  obs_test::Tool(cb, "search_code", "{\"query\": \"load settings\"}");
  obs_test::Tool(cb, "search_code", "{}");  // 400
  obs_test::Get(cb + "/health");
  {  // an outage: db_connection_lost / recovered events, 503s
    tst_err err{};
    ASSERT_EQ(tst_pg_stop(stack()->env.pg, &err), TST_OK) << err.msg;
    std::string last;
    obs_test::WaitHealth(
        wf, [](const cJSON *, long st) { return st == 503; }, 10000, &last);
    obs_test::Tool(wf, "query_entities", "{\"limit\": 1}");
    ASSERT_EQ(tst_pg_restart(stack()->env.pg, &err), TST_OK) << err.msg;
    ASSERT_TRUE(obs_test::WaitHealth(
        wf, [](const cJSON *, long st) { return st == 200; }, 15000, &last))
        << last;
  }
  for (std::string server : {"workflow", "codebase"}) {
    Lines l;
    l.Read(LogOf(server));
    ASSERT_GT(l.raw.size(), 5u) << server << " logged almost nothing";
    std::set<std::string> levels, ops;
    for (size_t i = 0; i < l.raw.size(); i++) {
      std::string why = CheckLine(l.v[i], server + "-mcp");
      EXPECT_EQ(why, "") << server << " log line " << i + 1 << ": " << l.raw[i];
      if (l.v[i]) levels.insert(JStr(l.v[i], "level")), ops.insert(JStr(l.v[i], "operation_name"));
    }
    printf("FR-013 %s: %zu lines, levels seen:", server.c_str(), l.raw.size());
    for (auto &s : levels) printf(" %s", s.c_str());
    printf(", %zu operation names\n", ops.size());
    EXPECT_TRUE(levels.count("INFO")) << server;
  }
  // the outage's events, with their details
  Lines l;
  auto back = WaitLines(&l, LogOf("workflow"), 1, [](const cJSON *j) {
    return JStr(j, "operation_name") == "db_connection_recovered";
  });
  auto lost =
      l.Where([](const cJSON *j) { return JStr(j, "operation_name") == "db_connection_lost"; });
  ASSERT_FALSE(lost.empty());
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(JStr(lost[0], "level"), "WARN");
  const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(back.back(), "context");
  EXPECT_TRUE(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(ctx, "outage_ms")));
  // a failed request carries error_details {code, message}
  auto bad = l.Where([](const cJSON *j) {
    return JStr(j, "operation_name") == "query_entities" && JStr(j, "outcome") == "failure" &&
           JStr(cJSON_GetObjectItemCaseSensitive(j, "error_details"), "code") == "invalid_argument";
  });
  ASSERT_FALSE(bad.empty()) << "no failure line for the 400";
  EXPECT_NE(
      JStr(cJSON_GetObjectItemCaseSensitive(bad[0], "error_details"), "message").find("limit"),
      std::string::npos);
}

// FR-013: each request has exactly one line, under the X-Request-Id it sent, naming its
// operation; the answer echoes the id; a request without one gets a fresh UUID.
TEST_F(Logs, FR013_RequestIdsMatchXRequestIdSent) {
  const std::string wf = stack()->wf();
  struct Sent {
    std::string rid, op;
    long status;
  };
  std::vector<Sent> sent;
  for (int i = 0; i < 24; i++) {
    char rid[40];
    mdl_err e{};
    ASSERT_EQ(mdl_uuid_v4(rid, &e), MDL_OK);
    std::vector<std::string> h = {std::string("X-Request-Id: ") + rid};
    obs_test::Resp r;
    std::string op;
    switch (i % 4) {
      case 0:
        r = obs_test::Tool(wf, "query_entities", "{\"limit\": 1}", h), op = "query_entities";
        break;
      case 1:
        r = obs_test::Do("POST", wf + "/list_projects", "{}", h), op = "list_projects";
        break;
      case 2:
        r = obs_test::Get(wf + "/health", h), op = "GET /health";
        break;
      default:
        r = obs_test::Tool(wf, "query_entities", "{\"limit\": 0}", h), op = "query_entities";
        break;
    }
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.request_id, rid) << "the answer does not echo X-Request-Id";
    sent.push_back({rid, op, r.status});
  }
  obs_test::Resp anon = obs_test::Get(wf + "/health");
  EXPECT_TRUE(mdl_uuid_valid(anon.request_id.c_str())) << anon.request_id;
  Lines l;
  for (auto &s : sent) {
    auto got = WaitLines(&l, LogOf("workflow"), 1,
                         [&](const cJSON *j) { return JStr(j, "request_id") == s.rid; });
    ASSERT_EQ(got.size(), 1u) << "lines for request id " << s.rid;
    EXPECT_EQ(JStr(got[0], "operation_name"), s.op) << s.rid;
    EXPECT_EQ(JStr(got[0], "outcome"), s.status < 400 ? "success" : "failure") << s.rid;
  }
  auto got = WaitLines(&l, LogOf("workflow"), 1,
                       [&](const cJSON *j) { return JStr(j, "request_id") == anon.request_id; });
  EXPECT_EQ(got.size(), 1u) << "no line under the generated id " << anon.request_id;
}

// FR-013: an operation over 1 s — a real query_entities that waits in PostgreSQL on a table
// lock — logs a WARN with latency, the slow-operation flag and threshold, and the request's
// method, path and status.
TEST_F(Logs, FR013_SlowOperationOver1sLogsWarnWithDetails) {
  const std::string wf = stack()->wf();
  char rid[40];
  mdl_err e{};
  ASSERT_EQ(mdl_uuid_v4(rid, &e), MDL_OK);
  obs_test::EntityLock lock;
  ASSERT_EQ(lock.Acquire(stack()->env.workflow_db), "");
  obs_test::Resp r;
  std::thread t([&] {
    r = obs_test::Tool(wf, "query_entities", "{\"limit\": 5}",
                       {std::string("X-Request-Id: ") + rid}, 20000);
  });
  usleep(1300000);
  lock.Release();
  t.join();
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_GT(r.ms, 1000);
  Lines l;
  auto got = WaitLines(&l, LogOf("workflow"), 1,
                       [&](const cJSON *j) { return JStr(j, "request_id") == rid; });
  ASSERT_EQ(got.size(), 1u);
  const cJSON *j = got[0];
  EXPECT_EQ(JStr(j, "level"), "WARN");
  EXPECT_EQ(JStr(j, "operation_name"), "query_entities");
  EXPECT_EQ(JStr(j, "outcome"), "success");
  EXPECT_GT(cJSON_GetObjectItemCaseSensitive(j, "latency_ms")->valuedouble, 1000);
  const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(j, "context");
  ASSERT_TRUE(cJSON_IsObject(ctx)) << obs_test::ReadAll(LogOf("workflow")).size();
  EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ctx, "slow_operation")));
  const cJSON *thr = cJSON_GetObjectItemCaseSensitive(ctx, "slow_threshold_ms");
  ASSERT_TRUE(cJSON_IsNumber(thr));
  EXPECT_EQ(thr->valuedouble, 1000);
  EXPECT_EQ(JStr(ctx, "method"), "POST");
  EXPECT_EQ(JStr(ctx, "path"), "/mcp/query_entities");
  EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(ctx, "status")->valuedouble, 200);
  EXPECT_NE(JStr(j, "message").find("query_entities"), std::string::npos) << JStr(j, "message");
  // and a fast successful one is not a WARN
  auto fast = l.Where([](const cJSON *x) {
    return JStr(x, "operation_name") == "GET /health" && JStr(x, "outcome") == "success" &&
           JStr(x, "level") != "INFO";
  });
  EXPECT_TRUE(fast.empty());
}

// US5 / FR-013: the pool above 80% (9 of 10 busy) logs WARN pool_utilization_high with the pool's
// stats and queue_length 0; the next one (the pool warns at most once a second), with 10 busy and
// callers queued, gives the queue length.
TEST_F(Logs, FR016_PoolAbove80PercentLogsWarnWithStatsAndQueueLength) {
  const std::string wf = stack()->wf(), path = LogOf("workflow");
  auto is_warn = [](const cJSON *j) {
    return JStr(j, "operation_name") == "pool_utilization_high";
  };
  auto is_queued = [&](const cJSON *j) {
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "context"), "queue_length");
    return is_warn(j) && cJSON_IsNumber(q) && q->valuedouble > 0;
  };
  Lines l, l2;  // l2 owns the lines `second` points into
  l.Read(path);
  size_t before = l.Where(is_warn).size(), before_q = l.Where(is_queued).size();
  obs_test::EntityLock lock;
  ASSERT_EQ(lock.Acquire(stack()->env.workflow_db), "");
  obs_test::SlowCalls calls;
  calls.Add(wf, 9);
  auto first = WaitLines(&l, path, before + 1, is_warn);
  double t_first = tst_now_ms();
  std::vector<const cJSON *> second;
  if (first.size() > before) {
    calls.Add(wf, 1);  // 10 of 10 busy, within the second: no new line yet
    usleep(1150000);   // the pool warns at most once a second
    calls.Add(wf, 2);  // queued
    second = WaitLines(&l2, path, before_q + 1, is_queued);
  }
  printf("pool WARN lines after %.0f ms of holding the lock\n", tst_now_ms() - t_first);
  lock.Release();
  auto results = calls.Join();
  for (auto &c : results) EXPECT_EQ(c.status, 200) << c.body << c.error;
  l.Read(path);
  auto warns = l.Where(is_warn);
  for (size_t i = before; i < warns.size(); i++) {
    char *t = cJSON_PrintUnformatted(warns[i]);
    printf("%s\n", t);
    free(t);
  }
  ASSERT_GT(warns.size(), before) << "no pool_utilization_high line with 9 of 10 busy";
  const cJSON *w = warns[before];
  EXPECT_EQ(JStr(w, "level"), "WARN");
  const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(w, "context");
  const cJSON *pool = cJSON_GetObjectItemCaseSensitive(ctx, "pool");
  ASSERT_TRUE(cJSON_IsObject(pool)) << "no pool stats in the WARN";
  auto num = [](const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
  };
  EXPECT_EQ(num(pool, "max_size"), 10);
  EXPECT_EQ(num(pool, "min_size"), 2);
  EXPECT_GE(num(pool, "in_use"), 9);
  EXPECT_GT(num(pool, "utilization_percent"), 80);
  EXPECT_GE(num(pool, "size"), num(pool, "in_use"));
  EXPECT_GE(num(pool, "free"), 0);
  EXPECT_EQ(num(ctx, "threshold_percent"), 80);
  EXPECT_EQ(num(ctx, "queue_length"), num(pool, "waiting"));
  ASSERT_GT(second.size(), before_q) << "no pool_utilization_high line with callers queued";
  const cJSON *c2 = cJSON_GetObjectItemCaseSensitive(second.back(), "context");
  EXPECT_GE(num(c2, "queue_length"), 1);
  EXPECT_EQ(num(cJSON_GetObjectItemCaseSensitive(c2, "pool"), "in_use"), 10);
  EXPECT_EQ(num(c2, "queue_length"), num(cJSON_GetObjectItemCaseSensitive(c2, "pool"), "waiting"));
  EXPECT_NE(JStr(second.back(), "message").find("waiting"), std::string::npos);
}

}  // namespace
