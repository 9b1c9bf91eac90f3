// metrics_test.cc — US5: GET /metrics of real servers. The Prometheus text passes a strict 0.0.4
// parser (promparse.h) and `promtool check metrics`; the JSON form passes //models'
// MetricsResponse; counters rise by exactly the requests sent, histogram counts equal them, errors
// are counted by type; and /metrics answers within 100 ms (p95) while a load runs. Figures:
// metrics_latency.json in the test's outputs.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "load/engine.h"
#include "models/histogram.h"
#include "models/metrics_response.h"
#include "observability/test_util.h"

namespace {

class Metrics : public obs_test::StackTest<true, true> {
 protected:
  std::string Url(const std::string &server) {
    return server == "workflow" ? stack()->wf() : stack()->cb();
  }
};

// One scrape, parsed strictly. Fails the test (and returns false) if it does not parse.
struct Scrape {
  obs_prom_doc doc{};
  std::string text;
  ~Scrape() {
    obs_prom_free(&doc);
  }
  ::testing::AssertionResult Take(const std::string &url) {
    obs_test::Resp r = obs_test::Get(url + "/metrics");
    if (!r.error.empty()) return ::testing::AssertionFailure() << r.error;
    if (r.status != 200) return ::testing::AssertionFailure() << "HTTP " << r.status << r.body;
    text = r.body;
    obs_prom_free(&doc);
    obs_err e{};
    if (obs_prom_parse(text.data(), text.size(), &doc, &e) != OBS_OK)
      return ::testing::AssertionFailure() << "line " << e.line << ": " << e.msg;
    return ::testing::AssertionSuccess();
  }
  // Value of sample `name` with label (k, v) (k NULL: no label), NAN when absent.
  double V(const std::string &name, const char *k = nullptr, const std::string &v = "") const {
    const char *kv[] = {k, v.c_str(), nullptr};
    const obs_prom_sample *s = obs_prom_sample_find(&doc, name.c_str(), k ? kv : nullptr);
    return s ? s->value : NAN;
  }
};

std::string Prefix(const std::string &server) {
  return server == "workflow" ? "workflow_mcp_" : "codebase_mcp_";
}

// US5: the text form passes the strict parser and has every family SPEC.md asks for, typed.
TEST_F(Metrics, US5_PrometheusTextParsesStrictlyWithEveryFamily) {
  for (std::string server : {"workflow", "codebase"}) {
    std::string url = Url(server);
    obs_test::Resp r = obs_test::Get(url + "/metrics");
    EXPECT_NE(r.content_type.find("text/plain"), std::string::npos) << r.content_type;
    EXPECT_NE(r.content_type.find("version=0.0.4"), std::string::npos) << r.content_type;
    Scrape s;
    ASSERT_TRUE(s.Take(url)) << server;
    std::string p = Prefix(server);
    const std::pair<const char *, obs_prom_type> want[] = {
        {"http_requests_total", OBS_PROM_COUNTER},
        {"http_request_errors_total", OBS_PROM_COUNTER},
        {"http_request_duration_seconds", OBS_PROM_HISTOGRAM},
        {"tool_calls_total", OBS_PROM_COUNTER},
        {"tool_errors_total", OBS_PROM_COUNTER},
        {"tool_duration_seconds", OBS_PROM_HISTOGRAM},
        {"request_errors_total", OBS_PROM_COUNTER},
        {"db_pool_size", OBS_PROM_GAUGE},
        {"db_pool_free", OBS_PROM_GAUGE},
        {"db_pool_in_use", OBS_PROM_GAUGE},
        {"db_pool_waiting", OBS_PROM_GAUGE},
        {"db_pool_max", OBS_PROM_GAUGE},
        {"db_up", OBS_PROM_GAUGE},
        {"process_resident_memory_bytes", OBS_PROM_GAUGE},
        {"process_cpu_seconds_total", OBS_PROM_COUNTER},
        {"uptime_seconds", OBS_PROM_GAUGE},
    };
    for (auto &w : want) {
      const obs_prom_family *f = obs_prom_family_find(&s.doc, (p + w.first).c_str());
      ASSERT_NE(f, nullptr) << server << ": no family " << p << w.first;
      EXPECT_EQ(f->type, w.second) << p << w.first;
      EXPECT_TRUE(f->help != nullptr && f->help[0] != '\0') << p << w.first << " has no HELP";
      EXPECT_GT(f->n_samples, 0u) << p << w.first;
    }
    EXPECT_GT(s.V(p + "process_resident_memory_bytes"), 1e6) << "memory gauge implausible";
    EXPECT_EQ(s.V(p + "db_up"), 1);
  }
}

// US5: `promtool check metrics` (the Prometheus project's own linter) accepts both servers' text.
TEST_F(Metrics, US5_PromtoolCheckMetricsAccepts) {
  OBS_REQUIRE_PROMTOOL(promtool);
  for (std::string server : {"workflow", "codebase"}) {
    std::string url = Url(server);
    obs_test::Tool(url, server == "workflow" ? "list_projects" : "search_code",
                   server == "workflow" ? "{}" : "{\"query\": \"x\"}");
    obs_test::Resp r = obs_test::Get(url + "/metrics");
    ASSERT_EQ(r.status, 200);
    std::string file = obs_test::TmpDir() + "/" + server + ".prom";
    ASSERT_TRUE(obs_test::WriteFile(file, r.body));
    std::string out;
    int rc = obs_test::Promtool(promtool, {"check", "metrics"}, file, &out);
    EXPECT_EQ(rc, 0) << server << ": promtool check metrics said:\n" << out;
  }
}

// US5: the JSON form (Accept: application/json) is a valid MetricsResponse (//models) and agrees
// with the text form on every counter the scrapes themselves do not move.
TEST_F(Metrics, US5_MetricsJsonValidatedByModelsAndMatchesText) {
  for (std::string server : {"workflow", "codebase"}) {
    std::string url = Url(server);
    obs_test::Resp r = obs_test::Get(url + "/metrics", {"Accept: application/json"});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << r.content_type;
    cJSON *j = cJSON_Parse(r.body.c_str());
    ASSERT_NE(j, nullptr) << r.body.substr(0, 300);
    mdl_metrics m{};
    mdl_err e{};
    ASSERT_EQ(mdl_metrics_from_json(j, &m, &e), MDL_OK) << e.field << ": " << e.msg;
    EXPECT_GT(m.counter_count, 10u);
    EXPECT_GT(m.histogram_count, 10u);
    EXPECT_GT(m.gauge_count, 4u);
    Scrape s;
    ASSERT_TRUE(s.Take(url));
    std::string p = Prefix(server);
    size_t compared = 0;
    for (size_t i = 0; i < m.counter_count; i++) {
      const mdl_metric_counter &c = m.counters[i];
      std::string label = c.labels.count > 0 ? c.labels.items[0].key : "";
      std::string value = c.labels.count > 0 ? c.labels.items[0].value : "";
      if (value == "GET /metrics" || std::string(c.name) == p + "process_cpu_seconds_total")
        continue;
      double t = label.empty() ? s.V(c.name) : s.V(c.name, label.c_str(), value);
      EXPECT_EQ(t, c.value) << c.name << "{" << label << "=" << value << "}";
      compared++;
    }
    EXPECT_GT(compared, 20u);
    for (size_t i = 0; i < m.histogram_count; i++) {
      const mdl_metric_histogram &h = m.histograms[i];
      ASSERT_EQ(h.bucket_count, 15u) << h.name;  // 14 bounds + +Inf, as in the text form
      EXPECT_TRUE(std::isinf(h.buckets[h.bucket_count - 1].bucket_le));
    }
    mdl_metrics_free(&m);
    cJSON_Delete(j);
  }
}

// US5: counters rise by exactly the requests sent, histogram _count by the same, _sum by no more
// than the client saw; per route and per tool.
TEST_F(Metrics, US5_CountersAndHistogramsRiseByExactlyTheRequestsSent) {
  const std::string url = stack()->wf(), p = "workflow_mcp_";
  Scrape a, b;
  ASSERT_TRUE(a.Take(url));
  const int kQuery = 37, kList = 23, kHealth = 11;
  double client_ms = 0;
  for (int i = 0; i < kQuery; i++) {
    obs_test::Resp r = obs_test::Tool(url, "query_entities", "{\"limit\": 3}");
    ASSERT_EQ(r.status, 200) << r.body << r.error;
    client_ms += r.ms;
  }
  for (int i = 0; i < kList; i++) {
    obs_test::Resp r = obs_test::Do("POST", url + "/list_projects", "{}");
    ASSERT_EQ(r.status, 200) << r.body << r.error;
  }
  for (int i = 0; i < kHealth; i++) ASSERT_EQ(obs_test::Get(url + "/health").status, 200);
  ASSERT_TRUE(b.Take(url));
  auto d = [&](const std::string &name, const char *k, const std::string &v) {
    return b.V(p + name, k, v) - a.V(p + name, k, v);
  };
  const char *R = "route";
  EXPECT_EQ(d("http_requests_total", R, "POST /mcp/query_entities"), kQuery);
  EXPECT_EQ(d("http_request_duration_seconds_count", R, "POST /mcp/query_entities"), kQuery);
  EXPECT_EQ(d("http_requests_total", R, "POST /list_projects"), kList);
  EXPECT_EQ(d("http_request_duration_seconds_count", R, "POST /list_projects"), kList);
  EXPECT_EQ(d("http_requests_total", R, "GET /health"), kHealth);
  EXPECT_EQ(d("http_request_duration_seconds_count", R, "GET /health"), kHealth);
  EXPECT_EQ(d("http_requests_total", R, "GET /metrics"), 1);  // scrape a, seen by scrape b
  EXPECT_EQ(d("tool_calls_total", "tool", "query_entities"), kQuery);
  EXPECT_EQ(d("tool_duration_seconds_count", "tool", "query_entities"), kQuery);
  EXPECT_EQ(d("tool_calls_total", "tool", "list_projects"), kList);
  EXPECT_EQ(d("http_request_errors_total", R, "POST /mcp/query_entities"), 0);
  EXPECT_EQ(d("tool_errors_total", "tool", "query_entities"), 0);
  // the +Inf bucket moved with _count, and the server's time is within what the client saw
  const char *inf[] = {"route", "POST /mcp/query_entities", "le", "+Inf", nullptr};
  double inf_b =
      obs_prom_sample_find(&b.doc, (p + "http_request_duration_seconds_bucket").c_str(), inf)
          ->value;
  double inf_a =
      obs_prom_sample_find(&a.doc, (p + "http_request_duration_seconds_bucket").c_str(), inf)
          ->value;
  EXPECT_EQ(inf_b - inf_a, kQuery);
  double sum = d("http_request_duration_seconds_sum", R, "POST /mcp/query_entities");
  EXPECT_GT(sum, 0);
  EXPECT_LE(sum * 1000, client_ms) << "server-side time above the client's round trips";
  // no failure of any type was counted
  for (const char *t : {"invalid_argument", "not_found", "conflict", "database_unavailable"})
    EXPECT_EQ(d("request_errors_total", "type", t), 0) << t;
}

// US5: errors are counted by type: request_errors_total{type} rises by exactly the failures of
// each kind sent (400, 404, 409, 413, and 503 with the database stopped), and each failure also
// in its route's http_request_errors_total.
TEST_F(Metrics, US5_ErrorsCountedByType) {
  const std::string url = stack()->wf(), p = "workflow_mcp_";
  Scrape a, b;
  ASSERT_TRUE(a.Take(url));
  std::map<std::string, int> sent;
  for (int i = 0; i < 4; i++) {  // invalid_argument
    ASSERT_EQ(obs_test::Tool(url, "query_entities", "{\"limit\": -1}").status, 400);
    sent["invalid_argument"]++;
  }
  for (int i = 0; i < 3; i++) {  // not_found
    ASSERT_EQ(obs_test::Get(url + "/mcp/work_items/6a0f1c1e-1111-4111-8111-11111111111" +
                            std::to_string(i))
                  .status,
              404);
    sent["not_found"]++;
  }
  for (int i = 0; i < 2; i++) {  // conflict: the stack's project exists
    ASSERT_EQ(obs_test::Tool(url, "create_project", "{\"name\": \"observability\"}").status, 409);
    sent["conflict"]++;
  }
  {  // payload_too_large: 2 MB over the default body limit
    std::string big = "{\"limit\": 1, \"pad\": \"" + std::string(2 << 20, 'x') + "\"}";
    obs_test::Resp r = obs_test::Tool(url, "query_entities", big);
    ASSERT_EQ(r.status, 413) << r.body << r.error;
    sent["payload_too_large"]++;
  }
  {  // database_unavailable: PostgreSQL stopped. /health's own 503s are of that type too, so
     // the polls are counted.
    tst_err err{};
    ASSERT_EQ(tst_pg_stop(stack()->env.pg, &err), TST_OK) << err.msg;
    auto poll = [&](long want) {
      for (double t0 = tst_now_ms(); tst_now_ms() - t0 < 15000; usleep(20000)) {
        long st = obs_test::Get(url + "/health").status;
        if (st == 503) sent["database_unavailable"]++;
        if (st == want) return true;
      }
      return false;
    };
    bool down = poll(503);
    long st1 = obs_test::Tool(url, "query_entities", "{\"limit\": 1}").status;
    long st2 = obs_test::Tool(url, "query_entities", "{\"limit\": 1}").status;
    ASSERT_EQ(tst_pg_restart(stack()->env.pg, &err), TST_OK) << err.msg;
    ASSERT_TRUE(down) << "/health never said 503 with the database stopped";
    EXPECT_EQ(st1, 503);
    EXPECT_EQ(st2, 503);
    sent["database_unavailable"] += 2;
    ASSERT_TRUE(poll(200)) << "/health not 200 15 s after the database came back";
  }
  ASSERT_TRUE(b.Take(url));
  for (const char *t : {"invalid_argument", "not_found", "conflict", "payload_too_large",
                        "database_unavailable", "pool_exhausted", "timeout", "internal_error"}) {
    double d =
        b.V(p + "request_errors_total", "type", t) - a.V(p + "request_errors_total", "type", t);
    EXPECT_EQ(d, sent.count(t) ? sent[t] : 0) << "request_errors_total{type=\"" << t << "\"}";
  }
  // every failed request is also an error of its route (4 x 400, 1 x 413, 2 x 503; 2 x 409)
  const char *R = "route";
  EXPECT_EQ(b.V(p + "http_request_errors_total", R, "POST /mcp/query_entities") -
                a.V(p + "http_request_errors_total", R, "POST /mcp/query_entities"),
            7);
  EXPECT_EQ(b.V(p + "http_request_errors_total", R, "POST /mcp/create_project") -
                a.V(p + "http_request_errors_total", R, "POST /mcp/create_project"),
            2);
  EXPECT_EQ(b.V(p + "tool_errors_total", "tool", "create_project") -
                a.V(p + "tool_errors_total", "tool", "create_project"),
            2);
}

// US5: /metrics p95 < 100 ms while //load's generator runs 6 virtual users (10 ms think time,
// one kept-alive connection each) of database work and /health against the server.
TEST_F(Metrics, US5_MetricsP95Under100msUnderLoad) {
  for (std::string server : {"workflow", "codebase"}) {
    std::string url = Url(server);
    const char *scenario_json = server == "workflow" ? R"({"name": "obs-workflow", "flows": [
                 {"name": "query", "weight": 2, "steps": [{"name": "query_entities",
                  "method": "POST", "path": "/mcp/query_entities", "body": {"limit": 5}}]},
                 {"name": "health", "weight": 1, "steps": [{"name": "health", "method": "GET",
                  "path": "/health"}]}]})"
                                                     : R"({"name": "obs-codebase",
                 "values": {"query": ["parse config", "load settings", "render page"]},
                 "flows": [
                 {"name": "search", "weight": 2, "steps": [{"name": "search_code",
                  "method": "POST", "path": "/mcp/search_code",
                  "body": {"query": "${query}", "limit": 5}}]},
                 {"name": "health", "weight": 1, "steps": [{"name": "health", "method": "GET",
                  "path": "/health"}]}]})";
    cJSON *sj = cJSON_Parse(scenario_json);
    ASSERT_NE(sj, nullptr);
    ld_scenario *sc = nullptr;
    ld_err le{};
    ASSERT_EQ(ld_scenario_parse(sj, &sc, &le), LD_OK) << le.msg;
    cJSON_Delete(sj);
    ld_config cfg;
    ld_config_defaults(&cfg);
    cfg.base_url = url.c_str();
    cfg.scenario = sc;
    cfg.server = server == "workflow" ? MDL_SERVER_WORKFLOW_MCP : MDL_SERVER_CODEBASE_MCP;
    cfg.stages[0] = {0.3, 6};
    cfg.stages[1] = {60, 6};
    cfg.nstages = 2;
    cfg.think_ms = 10;
    cfg.think_jitter = 0;
    cfg.health_url = "";
    volatile int stop = 0;
    cfg.stop = &stop;
    ld_result res{};
    int rc = -1;
    std::thread gen([&] { rc = ld_run(&cfg, &res, &le); });
    usleep(600000);
    std::string bad;
    auto ms = obs_test::TimeGets(url + "/metrics", 150, {}, {200}, &bad);
    stop = 1;
    gen.join();
    ld_scenario_free(sc);
    ASSERT_EQ(rc, LD_OK) << le.msg;
    EXPECT_TRUE(bad.empty()) << bad;
    EXPECT_EQ(res.errors, 0u) << "load requests failed";
    double load_p95 = mdl_histogram_percentile(&res.lat, 95);
    auto s = obs_test::Summary(ms);
    printf(
        "US5 %s /metrics under load: n=%zu p50=%.3f p95=%.3f p99=%.3f ms; load %llu requests "
        "p95=%.3f ms\n",
        server.c_str(), s.count, s.p50, s.p95, s.p99, (unsigned long long)res.requests, load_p95);
    char lf[200];
    snprintf(lf, sizeof lf, "\"load_requests\": {\"n\": %llu, \"errors\": %llu, \"p95_ms\": %.3f}",
             (unsigned long long)res.requests, (unsigned long long)res.errors, load_p95);
    obs_test::Artifact("metrics_latency_" + server + ".json",
                       "{" + obs_test::Figures("metrics_under_load", s) + ", " + lf + "}\n");
    uint64_t n = res.requests;
    ld_result_free(&res);
    ASSERT_EQ(s.count, 150u);
    EXPECT_GT(n, 50u) << "the load did not run";
    EXPECT_LT(s.p95, 100.0);
  }
}

}  // namespace
