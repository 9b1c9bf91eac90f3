// workflow_bench_test — the issue-6 latency goals measured on a real server and PostgreSQL
// (US1 / SC-003 / SC-004). Prints p50/p95/p99 and asserts the requirements (not the stricter
// goals, which are reported): switch_project p95 < 50 ms over 20 switches among 5 projects;
// query_entities with a JSONB filter p95 < 100 ms with 1,000 entities over 5 projects (and
// reported with 100,000); get_work_item with 5 references p95 <= 600 ms while codebase-mcp is down.
// Latency is measured by the client (libcurl, new connection per call) around each HTTP request.
#include <gtest/gtest.h>
#include <stdio.h>
#include <string.h>

#include <fstream>
#include <string>
#include <vector>

#include "testing/gtest_fixtures.h"
#include "testing/proc.h"
#include "testing/workgen.h"

namespace {

tst::PgServer *&g_srv = tst::ServerSuite::env;

// workflow-mcp from runfiles with CODEBASE_MCP_URL on a port nothing listens on.
tst::ServerSpec WorkflowMcp() {
  return {"servers/workflow_mcp/workflow-mcp",
          {"CODEBASE_MCP_URL=http://127.0.0.1:" + std::to_string(tst_free_port())}};
}

void Report(const char *what, const std::vector<double> &ms, double goal) {
  printf(
      "BENCH %-48s n=%3zu p50=%7.2f ms p95=%7.2f ms p99=%7.2f ms max=%7.2f ms (goal p95 <= %.0f "
      "ms)\n",
      what, ms.size(), tst::Percentile(ms, 50), tst::Percentile(ms, 95), tst::Percentile(ms, 99),
      tst::Percentile(ms, 100), goal);
  fflush(stdout);
}

// Server-side latencies (the request log's latency_ms) of the last n requests of operation op.
std::vector<double> ServerSide(const char *op, size_t n) {
  std::vector<double> all;
  std::ifstream f(tst_server_log_path(g_srv->Raw()));
  std::string line;
  while (std::getline(f, line)) {
    if (line.find(op) == std::string::npos) continue;
    cJSON *j = cJSON_Parse(line.c_str());
    const cJSON *name = cJSON_GetObjectItem(j, "operation_name");
    const cJSON *ms = cJSON_GetObjectItem(j, "latency_ms");
    if (cJSON_IsString(name) && strcmp(name->valuestring, op) == 0 && cJSON_IsNumber(ms))
      all.push_back(ms->valuedouble);
    cJSON_Delete(j);
  }
  if (all.size() > n) all.erase(all.begin(), all.end() - (long)n);
  return all;
}

void ReportServer(const char *what, const char *op, size_t n) {
  std::vector<double> ms = ServerSide(op, n);
  printf("BENCH %-48s n=%3zu p50=%7.2f ms p95=%7.2f ms (server-side, from the request log)\n", what,
         ms.size(), tst::Percentile(ms, 50), tst::Percentile(ms, 95));
}

class WorkflowBench : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite(WorkflowMcp());
  }
  static std::vector<std::string> Projects(int n, const char *prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; i++) {
      tst::Resp r =
          g_srv->Post("/mcp/create_project", "{\"name\":\"" + tst::Unique(prefix) + "\"}");
      EXPECT_EQ(r.status, 201) << r.body;
      ids.push_back(r.Str("id"));
    }
    return ids;
  }
};

TEST_F(WorkflowBench, SC003_SwitchProjectP95Over20SwitchesAmong5Projects) {
  std::vector<std::string> p = Projects(5, "sw");
  for (int i = 0; i < 5; i++)
    g_srv->Post("/switch_project", "{\"project_id\":\"" + p[i] + "\"}");  // warm-up
  std::vector<double> ms;
  for (int i = 0; i < 20; i++) {
    tst::Resp r = g_srv->Post("/switch_project", "{\"project_id\":\"" + p[i % 5] + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    ms.push_back(r.ms);
  }
  Report("switch_project (20 switches, 5 projects)", ms, 2);
  ReportServer("  switch_project", "switch_project", 20);
  EXPECT_LT(tst::Percentile(ms, 95), 50.0);
}

TEST_F(WorkflowBench, SC004_QueryEntitiesJsonbFilterP95With1000And100000Entities) {
  std::vector<std::string> p = Projects(5, "eq");
  const char *schema =
      "{\"type\":\"object\",\"required\":[\"amount\",\"status\"],\"properties\":{\"amount\":{"
      "\"type\":\"number\","
      "\"minimum\":0},\"status\":{\"type\":\"string\",\"enum\":[\"open\",\"paid\",\"void\"]},"
      "\"vendor\":{\"type\":"
      "\"object\"}}}";
  for (auto &id : p) {
    tst::Resp r = g_srv->Post(
        "/mcp/register_entity_type",
        "{\"project_id\":\"" + id + "\",\"name\":\"invoice\",\"schema\":" + schema + "}");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // 1,000 entities over 5 projects, through the API (validated like any write).
  static const char *st[] = {"open", "paid", "void"};
  for (int i = 0; i < 1000; i++) {
    char data[256];
    snprintf(data, sizeof(data),
             "{\"amount\":%d,\"status\":\"%s\",\"vendor\":{\"country\":\"%s\"}}", (i * 37) % 1000,
             st[i % 3], i % 7 == 0 ? "DE" : "FR");
    tst::Resp r = g_srv->Post(
        "/mcp/create_entity",
        "{\"project_id\":\"" + p[i % 5] + "\",\"entity_type\":\"invoice\",\"data\":" + data + "}");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const std::string filters[] = {
      "{\"status\":\"open\",\"vendor\":{\"country\":\"DE\"}}",
      "{\"status\":\"paid\",\"amount\":{\"$gte\":500}}",
  };
  auto measure = [&](const char *label, double goal, double limit) {
    std::vector<double> ms;
    for (int w = 0; w < 5; w++)
      g_srv->Post("/query_entities",
                  "{\"project_id\":\"" + p[0] + "\",\"filter\":" + filters[0] + "}");
    for (int i = 0; i < 50; i++) {
      tst::Resp r = g_srv->Post("/query_entities", "{\"project_id\":\"" + p[i % 5] +
                                                       "\",\"entity_type\":\"invoice\","
                                                       "\"filter\":" +
                                                       filters[i % 2] + ",\"limit\":100}");
      ASSERT_EQ(r.status, 200) << r.body;
      ASSERT_GT(r.Num("count"), 0) << r.body;
      ms.push_back(r.ms);
    }
    Report(label, ms, goal);
    ReportServer("  query_entities", "query_entities", 50);
    if (limit > 0) {
      EXPECT_LT(tst::Percentile(ms, 95), limit);
    }
  };
  measure("query_entities JSONB filter, 1,000 entities", 5, 100);
  // Grow to 100,000 entities (bulk SQL insert into the server's database, then ANALYZE).
  tst_err err;
  std::string sql =
      "INSERT INTO entities (project_id, entity_type, data) SELECT p.id, 'invoice', "
      "jsonb_build_object('amount', "
      "(g * 37) % 1000, 'status', (ARRAY['open','paid','void'])[1 + g % 3], 'vendor', "
      "jsonb_build_object('country', "
      "CASE WHEN g % 7 = 0 THEN 'DE' ELSE 'FR' END)) FROM generate_series(1, 19800) g, projects p "
      "WHERE p.id IN ('" +
      p[0] + "','" + p[1] + "','" + p[2] + "','" + p[3] + "','" + p[4] + "'); ANALYZE entities";
  ASSERT_EQ(tst_pg_exec(g_srv->pg, nullptr, sql.c_str(), &err), TST_OK) << err.msg;
  measure("query_entities JSONB filter, 100,000 entities", 20, 0);
}

// The suite's US1 data set (testing/workgen.h: 5 projects, 3 entity types, 1,000 entities,
// 10-20 work items each) loaded through the API, then JSONB-filtered queries measured.
TEST_F(WorkflowBench, SC004_WorkgenDataSetLoadsAndQueriesUnder100ms) {
  tst_workgen_opts o = {};
  o.seed = 42;
  o.entities = 1000;
  cJSON *ds = nullptr;
  tst_err err;
  ASSERT_EQ(tst_workgen_generate(&o, &ds, &err), TST_OK) << err.msg;
  std::vector<std::string> pids;
  int entities = 0, items = 0;
  const cJSON *proj;
  cJSON_ArrayForEach(proj, cJSON_GetObjectItem(ds, "projects")) {
    cJSON *args = cJSON_Duplicate(cJSON_GetObjectItem(proj, "project"), 1);
    cJSON_ReplaceItemInObject(args, "name", cJSON_CreateString(tst::Unique("wg").c_str()));
    char *txt = cJSON_PrintUnformatted(args);
    tst::Resp p = g_srv->Post("/mcp/create_project", txt);
    cJSON_free(txt);
    cJSON_Delete(args);
    ASSERT_EQ(p.status, 201) << p.body;
    std::string pid = p.Str("id");
    pids.push_back(pid);
    auto post = [&](const char *path, const cJSON *a, std::string *id) {
      cJSON *b = cJSON_Duplicate(a, 1);
      cJSON_AddStringToObject(b, "project_id", pid.c_str());
      char *t = cJSON_PrintUnformatted(b);
      tst::Resp r = g_srv->Post(path, t);
      cJSON_free(t);
      cJSON_Delete(b);
      EXPECT_TRUE(r.status == 200 || r.status == 201) << path << " " << r.body;
      if (id) *id = r.Str("id");
    };
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(ds, "entity_types"))
        post("/mcp/register_entity_type", t, nullptr);
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(proj, "entities")) {
      post("/mcp/create_entity", t, nullptr);
      entities++;
    }
    std::vector<std::string> ids;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(proj, "work_items")) {
      cJSON *a = cJSON_Duplicate(cJSON_GetObjectItem(t, "args"), 1);
      const cJSON *pi = cJSON_GetObjectItem(t, "parent_index");
      if (cJSON_IsNumber(pi))
        cJSON_AddStringToObject(a, "parent_id", ids[(size_t)pi->valueint].c_str());
      std::string id;
      post("/mcp/work_items", a, &id);
      cJSON_Delete(a);
      ids.push_back(id);
      items++;
    }
  }
  cJSON_Delete(ds);
  EXPECT_EQ(entities, 1000);
  EXPECT_GE(items, 50);
  const char *queries[] = {
      "\"entity_type\":\"invoice\",\"filter\":{\"status\":\"paid\",\"amount\":{\"$gte\":100}}",
      "\"entity_type\":\"vendor\",\"filter\":{\"status\":\"active\"}",
      "\"entity_type\":\"ticket\",\"filter\":{\"state\":\"open\"}",
  };
  std::vector<double> ms;
  int nonempty = 0;
  for (int i = 0; i < 60; i++) {
    tst::Resp r = g_srv->Post("/query_entities", "{\"project_id\":\"" + pids[i % pids.size()] +
                                                     "\"," + queries[i % 3] + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    nonempty += r.Num("count") > 0;
    if (i >= 6) ms.push_back(r.ms);
  }
  EXPECT_GT(nonempty, 30) << "the filters select real data";
  Report("query_entities, workgen data set (1,000 entities)", ms, 5);
  EXPECT_LT(tst::Percentile(ms, 95), 100.0);
}

TEST_F(WorkflowBench, SC009_GetWorkItemWith5ReferencesP95WhileCodebaseDown) {
  std::vector<std::string> p = Projects(1, "refs");
  tst::Resp c = g_srv->Post("/mcp/work_items",
                            "{\"project_id\":\"" + p[0] +
                                "\",\"title\":\"t\",\"item_type\":\"task\",\"entity_references\":"
                                "[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\"]}");
  ASSERT_EQ(c.status, 201) << c.body;
  std::vector<double> ms;
  for (int i = 0; i < 20; i++) {
    tst::Resp r = g_srv->Post("/mcp/get_work_item",
                              "{\"project_id\":\"" + p[0] + "\",\"id\":\"" + c.Str("id") + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(cJSON_GetArraySize(r.Get("warnings")), 1) << r.body;
    ms.push_back(r.ms);
  }
  Report("get_work_item 5 refs, codebase-mcp down", ms, 600);
  ReportServer("  get_work_item", "get_work_item", 20);
  EXPECT_LE(tst::Percentile(ms, 95), 600.0);
}

}  // namespace
