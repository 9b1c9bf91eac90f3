// US4 deliverable 2 (SC-008): a Jepsen-style set test on workflow-mcp under database outages.
//
// Ten client threads each create work items with unique titles ("c<client>-<n>") through
// POST /mcp/work_items, one after another, for the whole run, while PostgreSQL is stopped for 3 s
// and started again RS_OUTAGES times (1 in CI, 20 in the manual target). Every outcome is
// classified:
//   acknowledged  2xx with an id: the item must be in the database at the end (zero lost);
//   failed        an HTTP error: a 503 must carry Retry-After (the client may retry), and the
//                 error body says so;
//   unknown       no answer (client timeout, reset): counted and reported, may or may not exist.
// A monitor thread polls /health every 100 ms: it must report 503 "unhealthy" during each outage
// and 200 after it, with no manual step. Detection and recovery come from the server's log
// (db_connection_lost / db_connection_recovered) against the fault's wall-clock times. Artifacts:
// a LoadTestResult (workflow_set) and PerformanceBenchmarkResult records (workflow_outage_*).
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "resilience/test_util.h"

extern "C" {
#include "models/stats.h"
#include "servers/common/procstat.h"
}

#ifndef RS_OUTAGES
#define RS_OUTAGES 1
#endif

namespace {

constexpr int kClients = 10;
constexpr int kOutageMs = 3000;
constexpr long kClientTimeoutMs = 5000;

struct Outcome {
  std::string title, id;
  enum Kind { ACKED, FAILED_503, FAILED_OTHER, UNKNOWN } kind;
  long status;
  bool retry_after;
  double latency_ms;
};

struct HealthSample {
  int64_t wall_ms;
  long status;
  std::string state;
  double pool_util;
};

TEST(WorkflowSet, SC008_AcknowledgedWritesSurviveOutages_NoneLost) {
  tst_err err{};
  tst_pg *pg = nullptr;
  ASSERT_EQ(tst_pg_start(&pg, &err), TST_OK) << err.msg;
  char url[600];
  tst_server *wf = nullptr;
  const char *env[] = {"LOG_LEVEL=info", "CODEBASE_MCP_URL=http://127.0.0.1:9", nullptr};
  ASSERT_EQ(rs_server_start(pg, RS_WORKFLOW_BIN, "workflow", env, url, sizeof url, &wf, &err),
            TST_OK)
      << err.msg;
  std::string base = tst_server_url(wf), db = url;
  cJSON *proj = nullptr;
  ASSERT_EQ(rs::Post(base, "/mcp/projects", "{\"name\":\"set-test\"}", &proj), 201);
  std::string project = rs::Str(proj, "id");
  cJSON_Delete(proj);
  ASSERT_FALSE(project.empty());

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::vector<HealthSample> health;
  std::vector<double> rss_mb;
  srv_procstat ps0{};
  srv_err se{};
  ASSERT_EQ(srv_procstat_read(tst_server_pid(wf), &ps0, &se), SRV_OK) << se.msg;
  double t_start = tst_now_ms();

  std::vector<std::thread> writers;
  for (int c = 0; c < kClients; c++) {
    writers.emplace_back([&, c] {
      for (int n = 0; !stop.load(); n++) {
        std::string title = "c" + std::to_string(c) + "-" + std::to_string(n);
        std::string body = "{\"title\":\"" + title + "\",\"item_type\":\"task\",\"project_id\":\"" +
                           project + "\"}";
        tst_http_resp resp{};
        tst_err e{};
        Outcome o{title, "", Outcome::UNKNOWN, 0, false, 0};
        if (rs_post(base.c_str(), "work_items", body.c_str(), kClientTimeoutMs, &resp, &e) ==
            TST_OK) {
          o.status = resp.status;
          o.latency_ms = resp.latency_ms;
          if (resp.status >= 200 && resp.status < 300) {
            o.kind = Outcome::ACKED;
            o.id = rs::Str(resp.json, "id");
          } else {
            o.kind = resp.status == 503 ? Outcome::FAILED_503 : Outcome::FAILED_OTHER;
            o.retry_after = tst_http_header(&resp, "Retry-After") != nullptr;
          }
        } else {
          o.latency_ms = resp.latency_ms;
        }
        tst_http_resp_free(&resp);
        {
          std::lock_guard<std::mutex> l(mu);
          outcomes.push_back(o);
        }
        if (o.kind != Outcome::ACKED) rs::SleepMs(100);  // a client backs off a little
      }
    });
  }
  std::thread monitor([&] {
    while (!stop.load()) {
      tst_http_resp resp{};
      tst_err e{};
      HealthSample h{rs_wall_ms(), 0, "", 0};
      if (tst_http_get((base + "/health").c_str(), 2000, nullptr, &resp, &e) == TST_OK) {
        h.status = resp.status;
        h.state = rs::Str(resp.json, "status");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(resp.json, "details");
        std::string u = rs::Str(d, "pool_exhaustion_percent");
        h.pool_util = u.empty() ? 0 : strtod(u.c_str(), nullptr);
      }
      tst_http_resp_free(&resp);
      srv_procstat p{};
      srv_err pe{};
      {
        std::lock_guard<std::mutex> l(mu);
        health.push_back(h);
        if (srv_procstat_read(tst_server_pid(wf), &p, &pe) == SRV_OK)
          rss_mb.push_back((double)p.rss_bytes / 1048576.0);
      }
      rs::SleepMs(100);
    }
  });

  std::vector<int64_t> t_fault, t_back;
  rs::SleepMs(2000);
  for (int i = 0; i < RS_OUTAGES; i++) {
    t_fault.push_back(rs_wall_ms());
    EXPECT_EQ(tst_pg_stop(pg, &err), TST_OK) << err.msg;
    rs::SleepMs((int)std::max<int64_t>(0, t_fault.back() + kOutageMs - rs_wall_ms()));
    EXPECT_EQ(tst_pg_restart(pg, &err), TST_OK) << err.msg;
    t_back.push_back(rs_wall_ms());
    rs::SleepMs(3000);  // steady writes after each outage
  }
  stop.store(true);
  for (auto &t : writers) t.join();
  monitor.join();
  double wall_s = (tst_now_ms() - t_start) / 1000.0;
  srv_procstat ps1{};
  ASSERT_EQ(srv_procstat_read(tst_server_pid(wf), &ps1, &se), SRV_OK) << se.msg;
  EXPECT_TRUE(tst_server_running(wf)) << "workflow-mcp died during the outages";

  // The set: every acknowledged item is there.
  std::map<std::string, int> stored;  // title -> copies
  std::map<std::string, std::string> stored_id;
  for (const std::string &row :
       rs::Rows(db, "SELECT title, id FROM work_items WHERE project_id = '" + project + "'")) {
    std::string title = row.substr(0, row.find('|'));
    stored[title]++;
    stored_id[title] = row.substr(row.find('|') + 1);
  }
  size_t acked = 0, lost = 0, f503 = 0, f503_no_retry_after = 0, fother = 0, unknown = 0,
         unknown_present = 0, failed_present = 0, duplicates = 0;
  std::vector<double> lat;
  for (const Outcome &o : outcomes) {
    bool present = stored.count(o.title) > 0;
    lat.push_back(o.latency_ms);
    switch (o.kind) {
      case Outcome::ACKED:
        acked++;
        if (!present || stored_id[o.title] != o.id) {
          if (lost++ < 5) ADD_FAILURE() << "acknowledged item lost: " << o.title << " " << o.id;
        }
        break;
      case Outcome::FAILED_503:
        f503++;
        if (!o.retry_after) f503_no_retry_after++;
        if (present) failed_present++;
        break;
      case Outcome::FAILED_OTHER:
        fother++;
        if (fother < 5) ADD_FAILURE() << o.title << ": HTTP " << o.status << " is not retry-later";
        if (present) failed_present++;
        break;
      case Outcome::UNKNOWN:
        unknown++;
        if (present) unknown_present++;
        break;
    }
  }
  for (auto &kv : stored)
    if (kv.second > 1) duplicates++;
  printf(
      "set test: %d outage(s) of %d ms, %zu writes in %.1f s: %zu acknowledged (%zu lost), "
      "%zu failed with 503 (%zu without Retry-After, %zu present anyway), %zu other failures, "
      "%zu unknown (%zu present), %zu duplicated titles\n",
      RS_OUTAGES, kOutageMs, outcomes.size(), wall_s, acked, lost, f503, f503_no_retry_after,
      failed_present, fother, unknown, unknown_present, duplicates);
  EXPECT_GT(acked, 0u);
  EXPECT_EQ(lost, 0u) << "SC-008: zero lost acknowledged writes";
  EXPECT_EQ(f503_no_retry_after, 0u) << "a 503 must say when to retry";
  EXPECT_EQ(fother, 0u) << "failures during an outage must be retry-later (503)";
  EXPECT_EQ(duplicates, 0u);

  // /health: unhealthy during each outage, healthy after; detection and recovery from the log.
  rs_log log{};
  ASSERT_EQ(rs_log_load(tst_server_log_path(wf), &log, &err), TST_OK) << err.msg;
  std::vector<double> det, rec, client_rec;
  for (int i = 0; i < RS_OUTAGES; i++) {
    int64_t until = i + 1 < RS_OUTAGES ? t_fault[i + 1] : rs_wall_ms();
    bool unhealthy = false, healthy_after = false;
    for (const HealthSample &h : health) {
      if (h.wall_ms >= t_fault[i] && h.wall_ms <= t_back[i] && h.status == 503 &&
          h.state == "unhealthy")
        unhealthy = true;
      if (h.wall_ms > t_back[i] && h.wall_ms < until && h.status == 200) healthy_after = true;
    }
    EXPECT_TRUE(unhealthy) << "outage " << i << ": /health never said unhealthy (503)";
    EXPECT_TRUE(healthy_after) << "outage " << i << ": /health not healthy again afterwards";
    const rs_event *lostev = rs_log_find(&log, "db_connection_lost", t_fault[i], nullptr);
    const rs_event *recev = rs_log_find(&log, "db_connection_recovered", t_fault[i], nullptr);
    EXPECT_TRUE(lostev != nullptr && lostev->wall_ms < until) << "outage " << i;
    EXPECT_TRUE(recev != nullptr && recev->wall_ms < until) << "outage " << i;
    if (lostev == nullptr || recev == nullptr) continue;
    det.push_back((double)(lostev->wall_ms - t_fault[i]));
    rec.push_back((double)std::max<int64_t>(0, recev->wall_ms - t_back[i]));
    EXPECT_LE(det.back(), 5000) << "outage " << i << ": SC-008 detection within 5 s";
    EXPECT_LE(rec.back(), 10000) << "outage " << i << ": SC-008 recovery within 10 s";
  }
  rs_log_free(&log);
  if (!det.empty()) {
    mdl_stats_summary d{}, r{};
    mdl_err me{};
    mdl_stats_summarize(det.data(), det.size(), &d, &me);
    mdl_stats_summarize(rec.data(), rec.size(), &r, &me);
    printf(
        "detection over %zu outage(s): p50 %.0f ms, max %.0f ms; recovery after PostgreSQL was "
        "back: p50 %.0f ms, max %.0f ms\n",
        det.size(), d.p50, d.max, r.p50, r.max);
  }

  // Artifacts.
  for (int which = 0; which < 2 && !det.empty(); which++) {
    const std::vector<double> &v = which == 0 ? det : rec;
    const rs_param ps[] = {
        {"measured",
         which == 0 ? "detection: PostgreSQL stopped -> db_connection_lost"
                    : "recovery: PostgreSQL back -> db_connection_recovered",
         0, 0},
        {"operation", "create_work_item under outage (operation_type is the record's nearest)", 0,
         0},
        {"outages", nullptr, (double)RS_OUTAGES, 1},
        {"outage_ms", nullptr, kOutageMs, 1},
        {"clients", nullptr, kClients, 1},
        {"acknowledged", nullptr, (double)acked, 1},
        {"lost_acknowledged", nullptr, (double)lost, 1},
        {"unknown_outcomes", nullptr, (double)unknown, 1},
        {"goal_ms", nullptr, which == 0 ? 1000.0 : 2000.0, 1},
    };
    char name[64];
    snprintf(name, sizeof name, "workflow_outage_%s%s", which == 0 ? "detection" : "recovery",
             RS_OUTAGES > 1 ? "_x20" : "");
    EXPECT_EQ(
        rs_write_benchmark(name, MDL_SERVER_WORKFLOW_MCP, MDL_OP_ENTITY_QUERY, v.data(), v.size(),
                           which == 0 ? 5000 : 10000, ps, sizeof ps / sizeof ps[0], nullptr, &err),
        TST_OK)
        << err.msg;
  }
  mdl_load_result lr{};
  mdl_err me{};
  ASSERT_EQ(mdl_uuid_v4(lr.test_id, &me), MDL_OK);
  lr.server_id = MDL_SERVER_WORKFLOW_MCP;
  std::string scenario = "set test: " + std::to_string(kClients) + " writers, " +
                         std::to_string(RS_OUTAGES) + " PostgreSQL outage(s) of " +
                         std::to_string(kOutageMs) + " ms";
  lr.test_scenario = strdup(scenario.c_str());
  lr.concurrent_clients = kClients;
  lr.test_duration_seconds = std::max(1.0, wall_s);
  mdl_time_now(lr.timestamp);
  lr.total_requests = (int64_t)outcomes.size();
  lr.successful_requests = (int64_t)acked;
  lr.failed_requests = lr.total_requests - lr.successful_requests;
  mdl_stats_summary ls{};
  mdl_stats_summarize(lat.data(), lat.size(), &ls, &me);
  lr.latency_avg_ms = mdl_round2(ls.mean);
  lr.latency_p95_ms = mdl_round2(ls.p95);
  lr.latency_max_ms = mdl_round2(ls.max);
  double total = (double)outcomes.size();
  struct {
    const char *type;
    size_t n;
  } kinds[] = {
      {"http_503_retry_later", f503}, {"http_other", fother}, {"unknown_outcome", unknown}};
  for (auto &k : kinds)
    ASSERT_EQ(mdl_load_result_add_error(&lr, k.type, (int64_t)k.n, 100.0 * k.n / total, &me),
              MDL_OK)
        << me.msg;
  // CPU of the server process over the run, as a share of all the machine's cores.
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  double cpu = 100.0 * ((ps1.cpu_user_s + ps1.cpu_system_s) - (ps0.cpu_user_s + ps0.cpu_system_s)) /
               wall_s / (double)(ncpu > 0 ? ncpu : 1);
  double umax = 0, usum = 0, mmax = 0, msum = 0;
  for (const HealthSample &h : health) {
    umax = std::max(umax, h.pool_util);
    usum += h.pool_util;
  }
  for (double m : rss_mb) {
    mmax = std::max(mmax, m);
    msum += m;
  }
  lr.resource_usage.cpu_percent_avg = mdl_round2(std::min(100.0, cpu));
  lr.resource_usage.cpu_percent_max = lr.resource_usage.cpu_percent_avg;  // one interval only
  lr.resource_usage.memory_mb_avg = mdl_round2(rss_mb.empty() ? 0 : msum / rss_mb.size());
  lr.resource_usage.memory_mb_max = mdl_round2(mmax);
  lr.resource_usage.connection_pool_utilization_avg =
      mdl_round2(health.empty() ? 0 : usum / health.size());
  lr.resource_usage.connection_pool_utilization_max = mdl_round2(umax);
  EXPECT_EQ(rs_write_load(RS_OUTAGES > 1 ? "workflow_set_x20" : "workflow_set", &lr, &err), TST_OK)
      << err.msg;
  mdl_load_result_free(&lr);

  tst_server_destroy(wf);
  tst_pg_destroy(pg);
}

}  // namespace
