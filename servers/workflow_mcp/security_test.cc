// Proves issue 12 against a real workflow-mcp process over real HTTP: every route refuses what a
// web page could send (foreign Origin 403, foreign Host 421, text/plain body 415) while curl-like
// clients pass; and user input cannot cost unbounded memory or time (schema patterns, nesting
// depth, huge numbers, response size, session floods).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "testing/gtest_fixtures.h"
#include "testing/http.h"
#include "testing/probe.h"
#include "testing/proc.h"

namespace {

tst::PgServer *&g_srv = tst::ServerSuite::env;

// workflow-mcp from runfiles with CODEBASE_MCP_URL on a port nothing listens on.
tst::ServerSpec WorkflowMcp() {
  return {"servers/workflow_mcp/workflow-mcp",
          {"CODEBASE_MCP_URL=http://127.0.0.1:" + std::to_string(tst_free_port())}};
}

class WfSecurity : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite(WorkflowMcp());
  }
};

TEST_F(WfSecurity, EveryRouteRefusesForeignOriginHostAndTextPlain) {
  static const tst_probe_route extra[] = {
      {"POST", "/mcp/work_items"}, {"GET", "/mcp/work_items/{id}"}, {"POST", "/switch_project"},
      {"POST", "/query_entities"}, {"POST", "/query_work_items"},   {"POST", "/list_projects"},
      {"POST", "/mcp/projects"},   {"GET", "/mcp/projects"},        {"GET", "/mcp/active_project"}};
  static char report[65536];
  size_t n = 0;
  tst_err err = {};
  int rc = tst_probe_routes(g_srv->Url(), extra, sizeof extra / sizeof extra[0], report,
                            sizeof report, &n, &err);
  tst_probe_save("workflow_probe.txt", report);
  printf("%s", report);
  EXPECT_EQ(rc, TST_OK) << err.msg;
  EXPECT_GE(n, 60u);
}

// Creates a project with a unique name and returns its id.
std::string NewProject() {
  tst::Resp r = g_srv->Post("/mcp/create_project", "{\"name\":\"" + tst::Unique("sec") + "\"}");
  EXPECT_EQ(r.status, 201) << r.body;
  return r.Str("id");
}

// Registers entity type `name` with the schema {"type": "object"} in project.
void RegisterObjectType(const std::string &project, const char *name) {
  tst::Resp t =
      g_srv->Post("/mcp/register_entity_type", "{\"project_id\":\"" + project + "\",\"name\":\"" +
                                                   name + "\",\"schema\":{\"type\":\"object\"}}");
  ASSERT_EQ(t.status, 201) << t.body;
}

// The server's peak resident memory (VmHWM) in KB, from /proc.
long PeakRssKb() {
  std::ifstream f("/proc/" + std::to_string(tst_server_pid(g_srv->Raw())) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// {"a":{"a":...{}}} nested `levels` objects deep.
std::string Nested(int levels) {
  std::string s;
  for (int i = 0; i < levels; i++) s += "{\"a\":";
  s += "1";
  for (int i = 0; i < levels; i++) s += "}";
  return s;
}

// Finding 2: the issue's pattern is refused with a 400 naming the rule, at no cost to the server;
// an ordinary pattern still registers and still validates writes.
TEST_F(WfSecurity, CostlySchemaPatternIs400AndCostsNothing) {
  std::string project = NewProject();
  long before = PeakRssKb();
  tst::Resp r =
      g_srv->Post("/mcp/register_entity_type",
                  "{\"project_id\":\"" + project +
                      "\",\"name\":\"bomb\",\"schema\":{\"type\":\"object\",\"properties\":{"
                      "\"c\":{\"type\":\"string\",\"pattern\":\"((a{1,100}){1,100}){1,100}\"}}}}");
  long after = PeakRssKb();
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.ErrorMessage().find("nested quantifiers"), std::string::npos) << r.body;
  printf("register with the issue's pattern: %ld, %.1f ms, server peak RSS %ld -> %ld KB\n",
         r.status, r.ms, before, after);
  EXPECT_LT(after - before, 100 * 1024) << "the pattern cost the server memory";
  tst::Resp ok =
      g_srv->Post("/mcp/register_entity_type",
                  "{\"project_id\":\"" + project +
                      "\",\"name\":\"code\",\"schema\":{\"type\":\"object\",\"properties\":{"
                      "\"c\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{3}-[0-9]{1,6}$\"}}}}");
  ASSERT_EQ(ok.status, 201) << ok.body;
  for (int i = 0; i < 3; i++) {  // the compiled pattern is reused across writes
    tst::Resp good =
        g_srv->Post("/mcp/create_entity", "{\"project_id\":\"" + project +
                                              "\",\"entity_type\":\"code\",\"data\":{\"c\":\"INV-" +
                                              std::to_string(i) + "\"}}");
    EXPECT_EQ(good.status, 201) << good.body;
  }
  tst::Resp bad = g_srv->Post(
      "/mcp/create_entity",
      "{\"project_id\":\"" + project + "\",\"entity_type\":\"code\",\"data\":{\"c\":\"nope\"}}");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.ErrorMessage().find("must match the pattern"), std::string::npos) << bad.body;
}

// Finding 6: data nested past 64 levels is refused with a 400 (before, it was stored and every
// page holding it failed with a 500); 60 levels are fine and the page still reads.
TEST_F(WfSecurity, DeepNestingIs400AndPagesStayReadable) {
  std::string project = NewProject();
  ASSERT_NO_FATAL_FAILURE(RegisterObjectType(project, "deep"));
  tst::Resp deep = g_srv->Post(
      "/mcp/create_entity",
      "{\"project_id\":\"" + project + "\",\"entity_type\":\"deep\",\"data\":" + Nested(990) + "}");
  EXPECT_EQ(deep.status, 400) << deep.body.substr(0, 300);
  EXPECT_NE(deep.ErrorMessage().find("more than 64 levels"), std::string::npos) << deep.body;
  tst::Resp item = g_srv->Post(
      "/mcp/create_work_item",
      "{\"project_id\":\"" + project + "\",\"title\":\"t\",\"metadata\":" + Nested(990) + "}");
  EXPECT_EQ(item.status, 400) << item.body.substr(0, 300);
  tst::Resp fine = g_srv->Post(
      "/mcp/create_entity",
      "{\"project_id\":\"" + project + "\",\"entity_type\":\"deep\",\"data\":" + Nested(60) + "}");
  EXPECT_EQ(fine.status, 201) << fine.body.substr(0, 300);
  tst::Resp page = g_srv->Post("/query_entities", "{\"project_id\":\"" + project + "\"}");
  EXPECT_EQ(page.status, 200) << page.body.substr(0, 300);
  EXPECT_EQ(page.Num("count"), 1);
  tst::Resp items = g_srv->Post("/query_work_items", "{\"project_id\":\"" + project + "\"}");
  EXPECT_EQ(items.status, 200) << items.body.substr(0, 300);
}

// Finding 7a: "version": 1e300 is a 400 naming the range, not an undefined conversion.
TEST_F(WfSecurity, HugeVersionIs400) {
  std::string project = NewProject();
  ASSERT_NO_FATAL_FAILURE(RegisterObjectType(project, "v"));
  tst::Resp e = g_srv->Post("/mcp/create_entity", "{\"project_id\":\"" + project +
                                                      "\",\"entity_type\":\"v\",\"data\":{}}");
  ASSERT_EQ(e.status, 201) << e.body;
  for (const char *v : {"1e300", "-1e300", "9007199254740993"}) {
    tst::Resp u =
        g_srv->Post("/mcp/update_entity",
                    "{\"id\":\"" + e.Str("id") + "\",\"version\":" + v + ",\"data\":{\"x\":1}}");
    EXPECT_EQ(u.status, 400) << v << ": " << u.body;
    EXPECT_NE(u.ErrorMessage().find("arguments.version must be an integer"), std::string::npos)
        << u.body;
  }
  tst::Resp l =
      g_srv->Post("/query_entities", "{\"project_id\":\"" + project + "\",\"offset\":1e300}");
  EXPECT_EQ(l.status, 400) << l.body;
}

// Finding 7b: a page of large entities stops at the response byte budget and says so, instead of
// costing the server hundreds of MB per request.
TEST_F(WfSecurity, LargePagesStopAtTheByteBudget) {
  std::string project = NewProject();
  ASSERT_NO_FATAL_FAILURE(RegisterObjectType(project, "blob"));
  std::string big(900 * 1024, 'x');
  const int n = 12;  // 12 x 900 KB = 10.5 MB > the 8 MiB budget
  for (int i = 0; i < n; i++) {
    tst::Resp c = g_srv->Post("/mcp/create_entity",
                              "{\"project_id\":\"" + project +
                                  "\",\"entity_type\":\"blob\",\"data\":{\"b\":\"" + big + "\"}}",
                              30000);
    ASSERT_EQ(c.status, 201) << c.body.substr(0, 300);
  }
  int seen = 0, pages = 0;
  while (seen < n && pages < n) {
    tst::Resp page = g_srv->Post("/query_entities",
                                 "{\"project_id\":\"" + project +
                                     "\",\"limit\":1000,\"offset\":" + std::to_string(seen) + "}",
                                 30000);
    ASSERT_EQ(page.status, 200) << page.body.substr(0, 300);
    int count = (int)page.Num("count");
    printf("page %d: %d entities, %zu bytes\n", pages, count, page.body.size());
    EXPECT_LE(page.body.size(), (size_t)9 * 1024 * 1024 + 2 * big.size());
    ASSERT_GE(count, 1);
    if (pages == 0) {
      EXPECT_LT(count, n);
      EXPECT_TRUE(cJSON_IsTrue(page.Get("has_more")));
      EXPECT_TRUE(cJSON_IsTrue(page.Get("size_limited")));
    }
    seen += count;
    pages++;
  }
  EXPECT_EQ(seen, n) << "paging with offset + count reaches every entity";
  EXPECT_GE(pages, 2);
}

// Finding 7c: an unknown session is 404 with -32003 on a real server, never -32001 (retry later).
TEST_F(WfSecurity, UnknownSessionIsNotRetryLater) {
  tst_http_resp r{};
  tst_err err{};
  const char *h[] = {"Mcp-Session-Id: 00000000-0000-4000-8000-000000000000", nullptr};
  ASSERT_EQ(
      tst_http_post_json((std::string(g_srv->Url()) + "/mcp").c_str(),
                         R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", 10000, h, &r, &err),
      TST_OK)
      << err.msg;
  EXPECT_EQ(r.status, 404);
  const cJSON *code = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "error"), "code");
  ASSERT_TRUE(cJSON_IsNumber(code)) << r.body;
  EXPECT_EQ(code->valuedouble, -32003);
  tst_http_resp_free(&r);
}

}  // namespace
