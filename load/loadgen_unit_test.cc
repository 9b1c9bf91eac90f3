// loadgen_unit_test.cc — parsing (stages, durations, thresholds, scenarios), templating, result
// JSON round trip and shard merge of //load, without a server.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <string>

#include "load/engine.h"
#include "load/result.h"
#include "load/scenario.h"
#include "load/summary.h"

namespace {

TEST(Stage, ParsesK6Forms) {
  ld_stage s;
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_stage_parse("30s:50", &s, &e)) << e.msg;
  EXPECT_DOUBLE_EQ(30, s.duration_s);
  EXPECT_EQ(50, s.target);
  ASSERT_EQ(LD_OK, ld_stage_parse("1h30m:0", &s, &e)) << e.msg;
  EXPECT_DOUBLE_EQ(5400, s.duration_s);
  ASSERT_EQ(LD_OK, ld_stage_parse("90:10", &s, &e)) << e.msg;
  EXPECT_DOUBLE_EQ(90, s.duration_s);
}

TEST(Stage, MalformedStageSaysTheExpectedForm) {
  ld_stage s;
  for (const char *bad : {"30s", ":50", "30x:50", "30s:-1", "30s:fifty", "", "5m:50:1"}) {
    ld_err e{};
    EXPECT_EQ(LD_EINVAL, ld_stage_parse(bad, &s, &e)) << bad;
    EXPECT_NE(nullptr, strstr(e.msg, "DURATION:TARGET")) << e.msg;
  }
}

TEST(Duration, Units) {
  double d;
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_duration_parse("250ms", &d, &e));
  EXPECT_DOUBLE_EQ(0.25, d);
  ASSERT_EQ(LD_OK, ld_duration_parse("1m30s", &d, &e));
  EXPECT_DOUBLE_EQ(90, d);
  EXPECT_EQ(LD_EINVAL, ld_duration_parse("1 minute", &d, &e));
}

TEST(Threshold, ParsesK6StyleExpressions) {
  ld_threshold t;
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_threshold_parse("p95<2000", &t, &e)) << e.msg;
  EXPECT_DOUBLE_EQ(95, t.pct);
  EXPECT_DOUBLE_EQ(2000, t.limit);
  EXPECT_EQ(0, t.abort_on_fail);
  ASSERT_EQ(LD_OK, ld_threshold_parse("p(99.9)<=500", &t, &e)) << e.msg;
  EXPECT_DOUBLE_EQ(99.9, t.pct);
  ASSERT_EQ(LD_OK, ld_threshold_parse("error_rate<0.01,abortOnFail", &t, &e)) << e.msg;
  EXPECT_EQ(1, t.abort_on_fail);
  EXPECT_STREQ("error_rate<0.01", t.expr);
  for (const char *bad : {"p95", "p95<", "latency<5", "p101<3", "p95<2000,abort_later", "<5"}) {
    EXPECT_EQ(LD_EINVAL, ld_threshold_parse(bad, &t, &e)) << bad;
    EXPECT_NE(nullptr, strstr(e.msg, "abortOnFail")) << e.msg;
  }
}

ld_scenario *Parse(const char *text, ld_err *e) {
  cJSON *j = cJSON_Parse(text);
  ld_scenario *s = nullptr;
  int rc = ld_scenario_parse(j, &s, e);
  cJSON_Delete(j);
  return rc == LD_OK ? s : nullptr;
}

TEST(Scenario, CarriesValuesBetweenSteps) {
  ld_err e{};
  ld_scenario *s = Parse(
      R"({"name":"wf","values":{"p":["a\"b"]},"flows":[{"name":"cg","weight":3,"steps":[
        {"name":"create","method":"POST","path":"/mcp/work_items","body":{"t":"${p}"},
         "extract":{"item":"id"}},
        {"name":"get","path":"/mcp/work_items/${item}"}]},
        {"name":"other","steps":[{"name":"get","path":"/x/${vu}"}]}]})",
      &e);
  ASSERT_NE(nullptr, s) << e.msg;
  EXPECT_EQ(2, s->nrequests);  // "create" and "get", shared across flows
  EXPECT_EQ(0, ld_scenario_pick(s, 0.0));
  EXPECT_EQ(0, ld_scenario_pick(s, 0.74));
  EXPECT_EQ(1, ld_scenario_pick(s, 0.76));
  char *vals[LD_MAX_VARS] = {};
  int p = -1, item = -1;
  for (int i = 0; i < s->nvars; i++) {
    if (std::string(s->vars[i].name) == "p") p = i;
    if (std::string(s->vars[i].name) == "item") item = i;
  }
  ASSERT_GE(p, 0);
  ASSERT_GE(item, 0);
  vals[p] = const_cast<char *>("a\"b");
  int missing = -2;
  char *body = ld_template_expand(s, s->flows[0].steps[0].body, vals, 1, &missing);
  ASSERT_NE(nullptr, body);
  EXPECT_STREQ(R"({"t":"a\"b"})", body);
  free(body);
  EXPECT_EQ(nullptr, ld_template_expand(s, s->flows[0].steps[1].path, vals, 0, &missing));
  EXPECT_EQ(item, missing);
  vals[item] = const_cast<char *>("id 1/2");
  char *path = ld_template_expand(s, s->flows[0].steps[1].path, vals, 0, &missing);
  ASSERT_NE(nullptr, path);
  EXPECT_STREQ("/mcp/work_items/id%201%2F2", path);
  free(path);
  cJSON *ans = cJSON_Parse(R"({"id":"x1","results":[{"chunk_id":7}]})");
  char *v = ld_json_path_string(ans, "results.0.chunk_id");
  EXPECT_STREQ("7", v);
  free(v);
  EXPECT_EQ(nullptr, ld_json_path_string(ans, "results.1.chunk_id"));
  cJSON_Delete(ans);
  ld_scenario_free(s);
}

TEST(Scenario, BadScenariosNameThePlace) {
  struct {
    const char *json, *want;
  } cases[] = {
      {R"({"flows":[]})", "name"},
      {R"({"name":"x","flows":[]})", "flows"},
      {R"({"name":"x","flows":[{"name":"f","steps":[{"name":"s","path":"/a/${nope}"}]}]})",
       "flows[0].steps[0].path: unknown variable ${nope}"},
      {R"({"name":"x","flows":[{"name":"f","weight":0,"steps":[{"name":"s","path":"/"}]}]})",
       "flows[0].weight"},
      {R"({"name":"x","flows":[{"name":"f","steps":[{"name":"s","path":"nosl"}]}]})",
       "flows[0].steps[0].path"},
      {R"({"name":"x","flows":[{"name":"f","steps":[{"name":"s","method":"BREW","path":"/"}]}]})",
       "method"},
      {R"({"name":"x","values":{"q":[]},"flows":[{"name":"f","steps":[{"name":"s","path":"/"}]}]})",
       "values.q"},
  };
  for (const auto &c : cases) {
    ld_err e{};
    ld_scenario *s = Parse(c.json, &e);
    EXPECT_EQ(nullptr, s) << c.json;
    EXPECT_NE(nullptr, strstr(e.msg, c.want)) << e.msg;
    ld_scenario_free(s);
  }
}

// A result with known figures, as one shard of two.
void Fill(ld_result *r, int shard, int n, double base_ms) {
  memset(r, 0, sizeof *r);
  snprintf(r->scenario, sizeof r->scenario, "%s", "mix");
  r->server = MDL_SERVER_CODEBASE_MCP;
  r->shard_index = shard;
  r->shard_count = 2;
  r->interval_s = 1;
  r->duration_s = 3;
  r->peak_vus = 5;
  r->max_vus = 5;
  snprintf(r->timestamp, sizeof r->timestamp, "%s", "2026-12-02T01:00:00.000Z");
  r->req = static_cast<ld_request_stats *>(calloc(1, sizeof *r->req));
  r->nreq = 1;
  snprintf(r->req[0].name, sizeof r->req[0].name, "%s", "search");
  r->npoints = 3;
  r->points = static_cast<ld_point *>(calloc(3, sizeof *r->points));
  for (int i = 0; i < n; i++) {
    double ms = base_ms + i;
    int pt = i % 3;
    mdl_histogram_add(&r->lat, ms, nullptr);
    mdl_histogram_add(&r->req[0].lat, ms, nullptr);
    mdl_histogram_add(&r->points[pt].lat, ms, nullptr);
    r->points[pt].requests++;
    r->req[0].count++;
    r->requests++;
    if (i % 10 == 0) {
      r->errors++;
      r->errors_by_type[LD_ERR_HTTP503]++;
      mdl_histogram_add(&r->err_lat[LD_ERR_HTTP503], ms, nullptr);
      r->points[pt].errors++;
      r->req[0].errors++;
    }
  }
  r->iterations = r->requests;
  r->res.samples = 3;
  r->res.cpu_sum = 30;
  r->res.cpu_max = 15;
  r->res.rss_sum = 60;
  r->res.rss_max = 21;
}

TEST(Result, JsonRoundTripsAndIsAValidLoadTestResult) {
  ld_result r, back;
  Fill(&r, 0, 100, 1);
  cJSON *j = nullptr;
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_result_to_json(&r, &j, &e)) << e.msg;
  EXPECT_EQ(100, cJSON_GetObjectItem(j, "total_requests")->valueint);
  EXPECT_EQ(10, cJSON_GetObjectItem(j, "failed_requests")->valueint);
  cJSON *eb = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "error_breakdown"), 0);
  EXPECT_STREQ("http_503", cJSON_GetObjectItem(eb, "error_type")->valuestring);
  ASSERT_EQ(LD_OK, ld_result_from_json(j, &back, &e)) << e.msg;
  EXPECT_EQ(r.requests, back.requests);
  EXPECT_EQ(r.lat.count, back.lat.count);
  EXPECT_EQ(r.err_lat[LD_ERR_HTTP503].count, back.err_lat[LD_ERR_HTTP503].count);
  EXPECT_EQ(3u, back.npoints);
  cJSON_Delete(j);
  ld_result_free(&back);
  ld_result_free(&r);
}

TEST(Result, ShardsMergeExactly) {
  ld_result a, b;
  Fill(&a, 0, 100, 1);
  Fill(&b, 1, 57, 40);
  ld_err e{};
  ASSERT_EQ(LD_OK, ld_result_merge(&a, &b, &e)) << e.msg;
  EXPECT_EQ(157u, a.requests);
  EXPECT_EQ(157u, a.lat.count);
  EXPECT_EQ(16u, a.errors);
  EXPECT_EQ(16u, a.errors_by_type[LD_ERR_HTTP503]);
  EXPECT_EQ(157u, a.req[0].count);
  uint64_t pts = 0;
  for (size_t i = 0; i < a.npoints; i++) pts += a.points[i].requests;
  EXPECT_EQ(157u, pts);
  EXPECT_DOUBLE_EQ(100, a.lat.max_ms);
  EXPECT_DOUBLE_EQ(1, a.lat.min_ms);
  EXPECT_EQ(10, a.peak_vus);
  // the same shard twice is refused
  EXPECT_EQ(LD_EINVAL, ld_result_merge(&b, &b, &e));
  ld_result_free(&a);
  ld_result_free(&b);
}

TEST(Result, HostCalibrationGoesThroughJsonMergeAndSummary) {
  ld_result r, back, none, other;
  Fill(&r, 0, 100, 1);
  ld_err e{};
  for (double ms : {1.0, 1.1, 0.9, 1.2, 3.0}) ASSERT_EQ(LD_OK, ld_result_add_calib(&r, ms, &e));
  cJSON *j = nullptr;
  ASSERT_EQ(LD_OK, ld_result_to_json(&r, &j, &e)) << e.msg;
  const cJSON *hc = cJSON_GetObjectItem(j, "host_calibration");
  ASSERT_NE(nullptr, hc);
  EXPECT_EQ(5, cJSON_GetObjectItem(hc, "probes")->valueint);
  EXPECT_DOUBLE_EQ(1.1, cJSON_GetObjectItem(hc, "median_ms")->valuedouble);
  EXPECT_GT(cJSON_GetObjectItem(hc, "cv_percent")->valuedouble, 0);
  ASSERT_EQ(LD_OK, ld_result_from_json(j, &back, &e)) << e.msg;
  ASSERT_EQ(5u, back.ncalib);
  EXPECT_DOUBLE_EQ(3.0, back.calib_ms[4]);
  cJSON_Delete(j);
  char *text = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  ld_summary_print(&back, f);
  fclose(f);
  EXPECT_NE(nullptr, strstr(text, "host speed: calibration probe median 1.10 ms")) << text;
  free(text);
  // a result without probes writes no host_calibration and reads back with none
  Fill(&none, 0, 10, 1);
  ASSERT_EQ(LD_OK, ld_result_to_json(&none, &j, &e)) << e.msg;
  EXPECT_EQ(nullptr, cJSON_GetObjectItem(j, "host_calibration"));
  cJSON_Delete(j);
  // shards: the probes of both
  Fill(&other, 1, 10, 1);
  ASSERT_EQ(LD_OK, ld_result_add_calib(&other, 2.0, &e));
  ASSERT_EQ(LD_OK, ld_result_merge(&back, &other, &e)) << e.msg;
  EXPECT_EQ(6u, back.ncalib);
  mdl_host_calibration h;
  ASSERT_EQ(LD_OK, ld_result_host_calibration(&back, &h, &e)) << e.msg;
  EXPECT_EQ(6, h.probes);
  EXPECT_DOUBLE_EQ(1.15, h.median_ms);
  ld_result_free(&other);
  ld_result_free(&none);
  ld_result_free(&back);
  ld_result_free(&r);
}

}  // namespace
