// US4 deliverable 6 (T037, FR-013): the structured log tells the story of an outage, in order.
//
// workflow-mcp is serving; the test stops its PostgreSQL, sends a retry-safe read during the
// outage (it is retried with exponential backoff, at most 3 times, then answered 503), starts
// PostgreSQL again and reads the server's JSON log back:
//   detection  WARN  db_connection_lost (context.lost_at, reason, pool stats), after the fault;
//   retries    WARN  db_retry x3 (context.attempt 1..3, backoff_ms 100/200/400 — each twice the
//                    one before — and max_retries 3), spaced at least by their backoff;
//   the answer WARN  the request's own line, outcome failure, 503-class error_details;
//   recovery   INFO  db_connection_recovered (lost_at, recovered_at, outage_ms), after the
//                    database is back;
// with timestamps in that order and every line carrying the FR-013 fields.
#include "resilience/test_util.h"

extern "C" {
#include "models/timestamp.h"
#include "models/uuid.h"
}

namespace {

void ExpectFr013Fields(const rs_event *e) {
  const cJSON *l = e->line;
  for (const char *k :
       {"timestamp", "level", "request_id", "operation_name", "outcome", "server_id", "message"})
    EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(l, k)))
        << e->operation_name << " lacks " << k;
  EXPECT_TRUE(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(l, "latency_ms")));
  EXPECT_TRUE(mdl_uuid_valid(rs::Str(l, "request_id").c_str()));
  EXPECT_EQ(rs::Str(l, "server_id"), "workflow-mcp");
}

TEST(RecoveryLog, SC008_DetectionRetriesWithBackoffAndRecoveryLoggedInOrder) {
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(tst_pg_start(&pg, &err), TST_OK) << err.msg;
  char url[600];
  tst_server *wf = nullptr;
  const char *env[] = {"CODEBASE_MCP_URL=http://127.0.0.1:9", nullptr};
  ASSERT_EQ(rs_server_start(pg, RS_WORKFLOW_BIN, "workflow", env, url, sizeof url, &wf, &err),
            TST_OK)
      << err.msg;
  std::string base = tst_server_url(wf);
  ASSERT_EQ(rs::Post(base, "/mcp/projects", "{\"name\":\"logs\"}"), 201);

  int64_t t_fault = rs_wall_ms();
  ASSERT_EQ(tst_pg_stop(pg, &err), TST_OK) << err.msg;
  // Wait for the detection, then a read during the outage.
  double until = tst_now_ms() + 10000;
  while (tst_now_ms() < until && rs::Health(base) != 503) rs::SleepMs(50);
  int64_t t_read = rs_wall_ms();
  cJSON *out = nullptr;
  long st = rs::Post(base, "list_projects", "{}", &out);
  EXPECT_EQ(st, 503) << cJSON_PrintUnformatted(out);
  cJSON_Delete(out);
  rs::SleepMs(500);
  ASSERT_EQ(tst_pg_restart(pg, &err), TST_OK) << err.msg;
  int64_t t_back = rs_wall_ms();
  until = tst_now_ms() + 15000;
  while (tst_now_ms() < until && rs::Health(base) != 200) rs::SleepMs(50);
  EXPECT_EQ(rs::Post(base, "list_projects", "{}"), 200) << "not serving after the outage";

  rs_log log{};
  rs::LoadUntil(wf, &log, "db_connection_recovered", t_fault);
  const rs_event *lost = rs_log_find(&log, "db_connection_lost", t_fault, nullptr);
  ASSERT_NE(lost, nullptr) << "no db_connection_lost";
  EXPECT_STREQ(lost->level, "WARN");
  const cJSON *lctx = cJSON_GetObjectItemCaseSensitive(lost->line, "context");
  EXPECT_FALSE(rs::Str(lctx, "lost_at").empty());
  EXPECT_FALSE(rs::Str(lctx, "reason").empty());
  EXPECT_TRUE(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(lctx, "pool")));

  // The read's retries: attempts 1..3 with doubling backoff, each after the previous + backoff.
  size_t from = 0;
  std::vector<const rs_event *> retries;
  for (const rs_event *e; (e = rs_log_find(&log, "db_retry", t_read, &from));) retries.push_back(e);
  ASSERT_EQ(retries.size(), 3u) << "SC-008: at most 3 retries per operation, each logged";
  int64_t prev_ms = lost->wall_ms;
  double prev_backoff = 0;
  for (size_t i = 0; i < retries.size(); i++) {
    const rs_event *r = retries[i];
    ExpectFr013Fields(r);
    EXPECT_STREQ(r->level, "WARN");
    EXPECT_EQ(rs_event_ctx_num(r, "attempt", -1), (double)(i + 1));
    EXPECT_EQ(rs_event_ctx_num(r, "max_retries", -1), 3);
    double b = rs_event_ctx_num(r, "backoff_ms", -1);
    EXPECT_EQ(b, 100.0 * (1 << i)) << "exponential backoff: 100, 200, 400 ms";
    if (i > 0) {
      EXPECT_EQ(b, 2 * prev_backoff);
      EXPECT_GE(r->wall_ms - prev_ms, (int64_t)prev_backoff) << "retry " << i + 1 << " too early";
    }
    EXPECT_GE(r->wall_ms, prev_ms) << "timestamps out of order";
    prev_ms = r->wall_ms;
    prev_backoff = b;
  }
  // The request's own line: failure, after its last retry's backoff.
  const rs_event *req = nullptr;
  for (size_t f = 0; (req = rs_log_find(&log, "list_projects", t_read, &f));)
    if (rs::Str(req->line, "outcome") == "failure") break;
  ASSERT_NE(req, nullptr) << "the failed request has no log line";
  ExpectFr013Fields(req);
  EXPECT_GE(req->wall_ms - prev_ms, (int64_t)prev_backoff);
  EXPECT_TRUE(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(req->line, "error_details")));

  const rs_event *rec = rs_log_find(&log, "db_connection_recovered", req->wall_ms, nullptr);
  ASSERT_NE(rec, nullptr) << "no db_connection_recovered after the retries";
  ExpectFr013Fields(rec);
  ExpectFr013Fields(lost);
  EXPECT_STREQ(rec->level, "INFO");
  const cJSON *rctx = cJSON_GetObjectItemCaseSensitive(rec->line, "context");
  EXPECT_EQ(rs::Str(rctx, "lost_at"), rs::Str(lctx, "lost_at"));
  int64_t lost_us = 0, rec_us = 0;
  mdl_err me{};
  EXPECT_EQ(mdl_time_parse(rs::Str(rctx, "lost_at").c_str(), &lost_us, &me), MDL_OK);
  EXPECT_EQ(mdl_time_parse(rs::Str(rctx, "recovered_at").c_str(), &rec_us, &me), MDL_OK);
  EXPECT_NEAR(rs::Num(rctx, "outage_ms"), (double)(rec_us - lost_us) / 1000.0, 1.0);
  EXPECT_LE(lost_us / 1000, lost->wall_ms) << "lost_at after its own line";
  EXPECT_LE(rec_us / 1000, rec->wall_ms) << "recovered_at after its own line";
  EXPECT_GE(rec->wall_ms, t_back - 2000) << "recovered before PostgreSQL could answer";
  printf(
      "fault at +0 ms; db_connection_lost +%lld; db_retry +%lld/+%lld/+%lld (backoff "
      "100/200/400); request failed +%lld; PostgreSQL back +%lld; db_connection_recovered "
      "+%lld (outage_ms %.0f)\n",
      (long long)(lost->wall_ms - t_fault), (long long)(retries[0]->wall_ms - t_fault),
      (long long)(retries[1]->wall_ms - t_fault), (long long)(retries[2]->wall_ms - t_fault),
      (long long)(req->wall_ms - t_fault), (long long)(t_back - t_fault),
      (long long)(rec->wall_ms - t_fault), rs::Num(rctx, "outage_ms"));
  EXPECT_LE(lost->wall_ms - t_fault, 5000) << "SC-008: detection within 5 s";
  rs_log_free(&log);
  tst_server_destroy(wf);
  tst_pg_destroy(pg);
}

}  // namespace
