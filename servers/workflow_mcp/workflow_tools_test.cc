// workflow_tools_test — every workflow-mcp tool over HTTP (REST routes and POST /mcp/<tool>) and
// MCP, against a real PostgreSQL and a real server process; codebase-mcp is absent here (its
// URL points at a port nobody listens on), which also proves that work items never depend on it.
// Requirements: issue 6 (projects, entities, work items, tenants, rapid switching, persistence),
// US1 (switch / query latency: see workflow_bench_test), US2 (codebase-mcp down => warning).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/gtest_fixtures.h"
#include "testing/mcp.h"
#include "testing/proc.h"

namespace {

tst::PgServer *&g_srv = tst::ServerSuite::env;

// workflow-mcp from runfiles with CODEBASE_MCP_URL on a port nothing listens on.
tst::ServerSpec WorkflowMcp() {
  return {"servers/workflow_mcp/workflow-mcp",
          {"CODEBASE_MCP_URL=http://127.0.0.1:" + std::to_string(tst_free_port())}};
}

class Workflow : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite(WorkflowMcp());
  }

  // Creates a project with a unique name; returns its id.
  static std::string NewProject(const char *prefix = "p") {
    tst::Resp r = g_srv->Post("/mcp/create_project", "{\"name\":\"" + tst::Unique(prefix) + "\"}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("id");
  }
  static void Switch(const std::string &id) {
    tst::Resp r = g_srv->Post("/switch_project", "{\"project_id\":\"" + id + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static std::string ActiveId() {
    tst::Resp r = g_srv->Post("/mcp/get_active_project", "{}");
    const cJSON *ap = r.Get("active_project");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(ap, "id");
    return cJSON_IsString(id) ? id->valuestring : "";
  }
  static void RegisterInvoice(const std::string &project) {
    tst::Resp r = g_srv->Post("/mcp/register_entity_type",
                              "{\"project_id\":\"" + project +
                                  "\",\"name\":\"invoice\",\"schema\":{\"type\":\"object\","
                                  "\"required\":[\"amount\",\"status\"],"
                                  "\"properties\":{\"amount\":{\"type\":\"number\",\"minimum\":0},"
                                  "\"status\":{\"type\":\"string\","
                                  "\"enum\":[\"open\",\"paid\",\"void\"]},\"vendor\":{\"type\":"
                                  "\"object\",\"properties\":{\"name\":"
                                  "{\"type\":\"string\"},\"country\":{\"type\":\"string\"}}},"
                                  "\"lines\":{\"type\":\"array\",\"items\":"
                                  "{\"type\":\"object\",\"required\":[\"sku\"],\"properties\":{"
                                  "\"sku\":{\"type\":\"string\"},"
                                  "\"qty\":{\"type\":\"integer\",\"minimum\":1}}}}}}}");
    ASSERT_TRUE(r.status == 201 || r.status == 200) << r.body;
  }
  static std::string CreateEntity(const std::string &project, const std::string &data,
                                  const std::string &tags = "[]") {
    tst::Resp r =
        g_srv->Post("/mcp/create_entity", "{\"project_id\":\"" + project +
                                              "\",\"entity_type\":\"invoice\",\"data\":" + data +
                                              ",\"tags\":" + tags + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("id");
  }
  static std::string CreateItem(const std::string &project, const std::string &title,
                                const std::string &parent = "", const std::string &extra = "") {
    std::string body =
        "{\"project_id\":\"" + project + "\",\"title\":\"" + title + "\",\"item_type\":\"task\"";
    if (!parent.empty()) body += ",\"parent_id\":\"" + parent + "\"";
    body += extra + "}";
    tst::Resp r = g_srv->Post("/mcp/work_items", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Str("id");
  }
  // Ids of the "entities" / "work_items" array of a query answer.
  static std::set<std::string> Ids(const tst::Resp &r, const char *key) {
    std::set<std::string> out;
    const cJSON *e;
    cJSON_ArrayForEach(e, r.Get(key))
        out.insert(cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring);
    return out;
  }
};

// ---- projects ----

TEST_F(Workflow, Projects_CreateListSwitchGetActiveOverRest) {
  std::string name = tst::Unique("alpha");
  tst::Resp c =
      g_srv->Post("/mcp/create_project", "{\"name\":\"" + name + "\",\"description\":\"d\"}");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.Str("name"), name);
  EXPECT_EQ(c.Str("id").size(), 36u);
  tst::Resp dup = g_srv->Post("/mcp/create_project", "{\"name\":\"" + name + "\"}");
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_NE(dup.ErrorMessage().find("already exists"), std::string::npos) << dup.body;

  tst::Resp l = g_srv->Post("/list_projects", "{}");
  ASSERT_EQ(l.status, 200) << l.body;
  bool listed = false;
  const cJSON *p;
  cJSON_ArrayForEach(p, l.Get("projects")) listed |=
      c.Str("id") == cJSON_GetObjectItem(p, "id")->valuestring;
  EXPECT_TRUE(listed) << l.body;

  tst::Resp s = g_srv->Post("/switch_project", "{\"name\":\"" + name + "\"}");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(ActiveId(), c.Str("id"));
  EXPECT_GT(s.Num("switch_seq"), 0);

  tst::Resp bad =
      g_srv->Post("/switch_project", "{\"project_id\":\"00000000-0000-4000-8000-000000000000\"}");
  EXPECT_EQ(bad.status, 404) << bad.body;
  EXPECT_EQ(ActiveId(), c.Str("id")) << "a failed switch must not change the active project";
  tst::Resp both = g_srv->Post("/switch_project", "{}");
  EXPECT_EQ(both.status, 400) << both.body;
  tst::Resp blank = g_srv->Post("/mcp/create_project", "{\"name\":\" x\"}");
  EXPECT_EQ(blank.status, 400) << blank.body;
}

TEST_F(Workflow, Mcp_ToolsListNamesEveryToolWithItsSchema) {
  tst_mcp m;
  tst_err err;
  ASSERT_EQ(tst_mcp_open(&m, g_srv->Url(), 10000, &err), TST_OK) << err.msg;
  cJSON *result = nullptr;
  ASSERT_EQ(tst_mcp_request(&m, "tools/list", "{}", &result, nullptr, &err), TST_OK) << err.msg;
  std::set<std::string> names;
  const cJSON *t;
  cJSON_ArrayForEach(t, cJSON_GetObjectItem(result, "tools")) {
    names.insert(cJSON_GetObjectItem(t, "name")->valuestring);
    EXPECT_TRUE(cJSON_IsObject(cJSON_GetObjectItem(t, "inputSchema")));
  }
  cJSON_Delete(result);
  EXPECT_EQ(names,
            (std::set<std::string>{"create_project", "list_projects", "switch_project",
                                   "get_active_project", "register_entity_type", "create_entity",
                                   "update_entity", "query_entities", "create_work_item",
                                   "get_work_item", "update_work_item", "query_work_items"}));
}

TEST_F(Workflow, Mcp_EveryToolServedOverMcp) {
  bool is_error = true;
  std::string text;
  cJSON *d =
      g_srv->Mcp("create_project", "{\"name\":\"" + tst::Unique("mcp") + "\"}", &is_error, &text);
  ASSERT_NE(d, nullptr) << text;
  ASSERT_FALSE(is_error) << text;
  std::string pid = cJSON_GetObjectItem(d, "id")->valuestring;
  cJSON_Delete(d);
  auto call = [&](const char *tool, const std::string &args) {
    cJSON *r = g_srv->Mcp(tool, args, &is_error, &text);
    EXPECT_NE(r, nullptr) << tool << ": " << text;
    EXPECT_FALSE(is_error) << tool << ": " << text;
    return r;
  };
  cJSON_Delete(call("switch_project", "{\"project_id\":\"" + pid + "\"}"));
  d = call("get_active_project", "{}");
  EXPECT_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "active_project"), "id")->valuestring,
               pid.c_str());
  cJSON_Delete(d);
  d = call("list_projects", "{\"limit\":1000}");
  EXPECT_GE(cJSON_GetArraySize(cJSON_GetObjectItem(d, "projects")), 1);
  cJSON_Delete(d);
  cJSON_Delete(call("register_entity_type",
                    "{\"name\":\"note\",\"schema\":{\"type\":\"object\",\"properties\":{\"n\":{"
                    "\"type\":\"integer\"}}}}"));
  d = call("create_entity", "{\"entity_type\":\"note\",\"data\":{\"n\":1}}");
  std::string eid = cJSON_GetObjectItem(d, "id")->valuestring;
  cJSON_Delete(d);
  d = call("update_entity", "{\"id\":\"" + eid + "\",\"version\":1,\"data\":{\"n\":2}}");
  EXPECT_EQ(cJSON_GetObjectItem(d, "version")->valueint, 2);
  cJSON_Delete(d);
  d = call("query_entities", "{\"entity_type\":\"note\",\"filter\":{\"n\":{\"$gte\":2}}}");
  EXPECT_EQ(cJSON_GetObjectItem(d, "count")->valueint, 1);
  cJSON_Delete(d);
  d = call("create_work_item", "{\"title\":\"t\",\"item_type\":\"research\"}");
  std::string wid = cJSON_GetObjectItem(d, "id")->valuestring;
  cJSON_Delete(d);
  d = call("get_work_item", "{\"id\":\"" + wid + "\"}");
  EXPECT_STREQ(cJSON_GetObjectItem(d, "title")->valuestring, "t");
  cJSON_Delete(d);
  d = call("update_work_item", "{\"id\":\"" + wid + "\",\"version\":1,\"status\":\"done\"}");
  EXPECT_STREQ(cJSON_GetObjectItem(d, "status")->valuestring, "done");
  cJSON_Delete(d);
  d = call("query_work_items", "{\"status\":\"done\"}");
  EXPECT_EQ(cJSON_GetObjectItem(d, "count")->valueint, 1);
  cJSON_Delete(d);
  // A tool error is an MCP tool result with isError, naming the problem.
  d = g_srv->Mcp("update_entity", "{\"id\":\"" + eid + "\",\"version\":1,\"data\":{\"n\":3}}",
                 &is_error, &text);
  EXPECT_TRUE(is_error);
  EXPECT_NE(text.find("current_version=2"), std::string::npos) << text;
  cJSON_Delete(d);
}

// ---- entities ----

TEST_F(Workflow, Entities_SchemaViolationsNameThePath) {
  std::string p = NewProject();
  RegisterInvoice(p);
  struct Case {
    const char *data;
    const char *expect;
  } cases[] = {
      {"{\"amount\":-5,\"status\":\"open\"}", "data.amount must be >= 0 (got -5)"},
      {"{\"amount\":5}", "status"},
      {"{\"amount\":5,\"status\":\"lost\"}", "data.status"},
      {"{\"amount\":\"5\",\"status\":\"open\"}", "data.amount"},
      {"{\"amount\":5,\"status\":\"open\",\"vendor\":{\"name\":3}}", "data.vendor.name"},
      {"{\"amount\":5,\"status\":\"open\",\"lines\":[{\"sku\":\"a\",\"qty\":0}]}",
       "data.lines[0].qty"},
  };
  for (const Case &c : cases) {
    tst::Resp r = g_srv->Post(
        "/mcp/create_entity",
        "{\"project_id\":\"" + p + "\",\"entity_type\":\"invoice\",\"data\":" + c.data + "}");
    EXPECT_EQ(r.status, 400) << c.data << " " << r.body;
    EXPECT_NE(r.ErrorMessage().find(c.expect), std::string::npos) << c.data << " " << r.body;
  }
  tst::Resp unknown = g_srv->Post(
      "/mcp/create_entity", "{\"project_id\":\"" + p + "\",\"entity_type\":\"nope\",\"data\":{}}");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.ErrorMessage().find("register_entity_type"), std::string::npos) << unknown.body;
  tst::Resp badschema =
      g_srv->Post("/mcp/register_entity_type",
                  "{\"project_id\":\"" + p + "\",\"name\":\"x\",\"schema\":{\"type\":\"array\"}}");
  EXPECT_EQ(badschema.status, 400) << badschema.body;
  // Updates are validated too.
  std::string id = CreateEntity(p, "{\"amount\":1,\"status\":\"open\"}");
  tst::Resp u = g_srv->Post("/mcp/update_entity",
                            "{\"project_id\":\"" + p + "\",\"id\":\"" + id +
                                "\",\"version\":1,\"data\":{\"amount\":-1,\"status\":\"open\"}}");
  EXPECT_EQ(u.status, 400) << u.body;
  EXPECT_NE(u.ErrorMessage().find("data.amount must be >= 0"), std::string::npos) << u.body;
  // Argument schema of the tool itself (registry): wrong type for data.
  tst::Resp t = g_srv->Post("/mcp/create_entity", "{\"project_id\":\"" + p +
                                                      "\",\"entity_type\":\"invoice\",\"data\":7}");
  EXPECT_EQ(t.status, 400) << t.body;
}

TEST_F(Workflow, Entities_StaleVersionIs409WithCurrentVersion) {
  std::string p = NewProject();
  RegisterInvoice(p);
  std::string id = CreateEntity(p, "{\"amount\":1,\"status\":\"open\"}");
  std::string base = "{\"project_id\":\"" + p + "\",\"id\":\"" + id + "\",";
  tst::Resp a = g_srv->Post("/mcp/update_entity",
                            base + "\"version\":1,\"data\":{\"amount\":2,\"status\":\"open\"}}");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Num("version"), 2);
  tst::Resp b = g_srv->Post("/mcp/update_entity",
                            base + "\"version\":1,\"data\":{\"amount\":3,\"status\":\"open\"}}");
  EXPECT_EQ(b.status, 409) << b.body;
  EXPECT_NE(b.ErrorMessage().find("current_version=2"), std::string::npos) << b.body;
  const cJSON *cv = cJSON_GetObjectItemCaseSensitive(b.Get("error"), "current_version");
  ASSERT_TRUE(cJSON_IsNumber(cv)) << "409 carries error.current_version: " << b.body;
  EXPECT_EQ(cv->valueint, 2);
  tst::Resp t = g_srv->Post("/mcp/update_entity", base + "\"version\":2,\"tags\":[\"x\"]}");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.Num("version"), 3);
  EXPECT_EQ(cJSON_GetObjectItem(t.Get("data"), "amount")->valueint, 2)
      << "tags-only update keeps data";
  tst::Resp missing =
      g_srv->Post("/mcp/update_entity", "{\"project_id\":\"" + p +
                                            "\",\"id\":\"00000000-0000-4000-8000-000000000000\","
                                            "\"version\":1,\"tags\":[]}");
  EXPECT_EQ(missing.status, 404) << missing.body;
}

TEST_F(Workflow, Entities_JsonbFilterContainmentAndComparisons) {
  std::string p = NewProject();
  RegisterInvoice(p);
  std::string e50 = CreateEntity(
      p, "{\"amount\":50,\"status\":\"open\",\"vendor\":{\"name\":\"acme\",\"country\":\"DE\"}}",
      "[\"q1\"]");
  std::string e150 = CreateEntity(
      p, "{\"amount\":150,\"status\":\"paid\",\"vendor\":{\"name\":\"bolt\",\"country\":\"FR\"}}",
      "[\"q1\",\"big\"]");
  std::string e500 = CreateEntity(
      p, "{\"amount\":500,\"status\":\"open\",\"lines\":[{\"sku\":\"a\"},{\"sku\":\"b\"}]}",
      "[\"big\"]");
  auto q = [&](const std::string &args) {
    tst::Resp r = g_srv->Post("/query_entities", "{\"project_id\":\"" + p + "\"" + args + "}");
    EXPECT_EQ(r.status, 200) << args << " " << r.body;
    return Ids(r, "entities");
  };
  using S = std::set<std::string>;
  EXPECT_EQ(q(""), (S{e50, e150, e500}));
  EXPECT_EQ(q(",\"filter\":{\"status\":\"open\"}"), (S{e50, e500}));
  EXPECT_EQ(q(",\"filter\":{\"vendor\":{\"country\":\"FR\"}}"), (S{e150}));
  EXPECT_EQ(q(",\"filter\":{\"lines\":[{\"sku\":\"b\"}]}"), (S{e500}));
  EXPECT_EQ(q(",\"filter\":{\"amount\":{\"$gte\":150}}"), (S{e150, e500}));
  EXPECT_EQ(q(",\"filter\":{\"amount\":{\"$gt\":50,\"$lt\":500}}"), (S{e150}));
  EXPECT_EQ(q(",\"filter\":{\"amount\":{\"$gte\":100},\"status\":\"open\"}"), (S{e500}));
  EXPECT_EQ(q(",\"filter\":{\"vendor\":{\"name\":{\"$lt\":\"b\"}}}"), (S{e50}));
  EXPECT_EQ(q(",\"filter\":{\"status\":{\"$ne\":\"open\"}}"), (S{e150}));
  EXPECT_EQ(q(",\"filter\":{\"amount\":{\"$in\":[50,500]}}"), (S{e50, e500}));
  EXPECT_EQ(q(",\"filter\":{\"vendor\":{\"$exists\":false}}"), (S{e500}));
  EXPECT_EQ(q(",\"filter\":{\"amount\":{\"$eq\":150}}"), (S{e150}));
  EXPECT_EQ(q(",\"tags\":[\"big\"]"), (S{e150, e500}));
  EXPECT_EQ(q(",\"tags\":[\"big\",\"q1\"]"), (S{e150}));
  EXPECT_EQ(q(",\"entity_type\":\"other\""), S{});
  // Values are parameters, never SQL: this matches nothing and breaks nothing.
  EXPECT_EQ(q(",\"filter\":{\"status\":\"x'); DROP TABLE entities; --\"}"), S{});
  EXPECT_EQ(q(",\"filter\":{\"status\":{\"$lt\":\"' OR '1'='1\"}}").size(), 0u);
  EXPECT_EQ(q("").size(), 3u) << "entities survived the injection attempts";
  // Paging.
  tst::Resp page = g_srv->Post("/query_entities", "{\"project_id\":\"" + p + "\",\"limit\":2}");
  EXPECT_EQ(page.Num("count"), 2);
  EXPECT_TRUE(cJSON_IsTrue(page.Get("has_more")));
  tst::Resp page2 =
      g_srv->Post("/query_entities", "{\"project_id\":\"" + p + "\",\"limit\":2,\"offset\":2}");
  EXPECT_EQ(page2.Num("count"), 1);
  EXPECT_FALSE(cJSON_IsTrue(page2.Get("has_more")));
  tst::Resp notuuid = g_srv->Post("/query_entities", "{\"project_id\":\"nope\"}");
  EXPECT_EQ(notuuid.status, 400) << notuuid.body;
  EXPECT_NE(notuuid.ErrorMessage().find("project_id must be a UUID"), std::string::npos)
      << notuuid.body;
  tst::Resp noproj =
      g_srv->Post("/query_entities", "{\"project_id\":\"00000000-0000-4000-8000-000000000000\"}");
  EXPECT_EQ(noproj.status, 404) << noproj.body;
  tst::Resp noproj2 =
      g_srv->Post("/query_work_items", "{\"project_id\":\"00000000-0000-4000-8000-000000000000\"}");
  EXPECT_EQ(noproj2.status, 404) << noproj2.body;
  tst::Resp bad = g_srv->Post(
      "/query_entities", "{\"project_id\":\"" + p + "\",\"filter\":{\"amount\":{\"$like\":1}}}");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.ErrorMessage().find("filter.amount"), std::string::npos) << bad.body;
}

// ---- work items ----

TEST_F(Workflow, WorkItems_CreateIs201AndGetByRestRoute) {
  std::string p = NewProject();
  Switch(p);
  tst::Resp c =
      g_srv->Post("/mcp/work_items",
                  "{\"title\":\"Investigate\",\"item_type\":\"research\",\"metadata\":{\"prio\":2},"
                  "\"entity_references\":[\"chunk-1\",\"chunk-2\"]}");
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.Str("project_id"), p) << "defaults to the active project";
  EXPECT_EQ(c.Str("status"), "active");
  EXPECT_EQ(c.Num("depth"), 0);
  tst::Resp g = g_srv->Get("/mcp/work_items/" + c.Str("id"));
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.Str("title"), "Investigate");
  EXPECT_EQ(cJSON_GetArraySize(g.Get("entity_references")), 2);
  EXPECT_EQ(cJSON_GetObjectItem(g.Get("metadata"), "prio")->valueint, 2);
  tst::Resp none = g_srv->Get("/mcp/work_items/00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(none.status, 404) << none.body;
  tst::Resp badtype = g_srv->Post("/mcp/work_items", "{\"title\":\"x\",\"item_type\":\"epic\"}");
  EXPECT_EQ(badtype.status, 400) << badtype.body;
  tst::Resp badid = g_srv->Get("/mcp/work_items/not-a-uuid");
  EXPECT_EQ(badid.status, 400) << badid.body;
}

TEST_F(Workflow, WorkItems_StaleVersionIs409) {
  std::string p = NewProject();
  std::string id = CreateItem(p, "a");
  std::string base = "{\"project_id\":\"" + p + "\",\"id\":\"" + id + "\",";
  tst::Resp a = g_srv->Post("/mcp/update_work_item",
                            base + "\"version\":1,\"title\":\"b\",\"metadata\":{\"k\":1}}");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Num("version"), 2);
  EXPECT_EQ(a.Str("title"), "b");
  tst::Resp b = g_srv->Post("/mcp/update_work_item", base + "\"version\":1,\"title\":\"c\"}");
  EXPECT_EQ(b.status, 409) << b.body;
  EXPECT_NE(b.ErrorMessage().find("current_version=2"), std::string::npos) << b.body;
  const cJSON *cv = cJSON_GetObjectItemCaseSensitive(b.Get("error"), "current_version");
  ASSERT_TRUE(cJSON_IsNumber(cv)) << "409 carries error.current_version: " << b.body;
  EXPECT_EQ(cv->valueint, 2);
  tst::Resp nothing = g_srv->Post("/mcp/update_work_item", base + "\"version\":2}");
  EXPECT_EQ(nothing.status, 400) << nothing.body;
}

TEST_F(Workflow, Concurrency_SameVersionFrom5ClientsExactlyOneWins) {
  std::string p = NewProject();
  RegisterInvoice(p);
  std::string e = CreateEntity(p, "{\"amount\":1,\"status\":\"open\"}");
  std::string w = CreateItem(p, "race");
  std::atomic<int> ok_e{0}, conflict_e{0}, ok_w{0}, conflict_w{0}, other{0};
  auto tally = [&](long status, std::atomic<int> &ok, std::atomic<int> &conflict) {
    if (status == 200)
      ok++;
    else if (status == 409)
      conflict++;
    else
      other++;
  };
  std::vector<std::thread> th;
  for (int i = 0; i < 5; i++) {
    th.emplace_back([&, i] {
      tst::Resp a =
          g_srv->Post("/mcp/update_entity", "{\"project_id\":\"" + p + "\",\"id\":\"" + e +
                                                "\",\"version\":1,\"data\":{\"amount\":" +
                                                std::to_string(i + 10) + ",\"status\":\"open\"}}");
      tally(a.status, ok_e, conflict_e);
      tst::Resp b = g_srv->Post("/mcp/update_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" +
                                                             w + "\",\"version\":1,\"title\":\"t" +
                                                             std::to_string(i) + "\"}");
      tally(b.status, ok_w, conflict_w);
    });
  }
  for (auto &t : th) t.join();
  EXPECT_EQ(ok_e.load(), 1);
  EXPECT_EQ(conflict_e.load(), 4);
  EXPECT_EQ(ok_w.load(), 1);
  EXPECT_EQ(conflict_w.load(), 4);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(Workflow, Concurrency_CrossedMovesCannotBuildACycle) {
  // a and b are roots; moving a under b and b under a at the same time: one move must lose.
  for (int round = 0; round < 5; round++) {
    std::string p = NewProject();
    std::string a = CreateItem(p, "a"), b = CreateItem(p, "b");
    tst::Resp r1, r2;
    std::thread t1([&] {
      r1 =
          g_srv->Post("/mcp/update_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + a +
                                                   "\",\"version\":1,\"parent_id\":\"" + b + "\"}");
    });
    std::thread t2([&] {
      r2 =
          g_srv->Post("/mcp/update_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + b +
                                                   "\",\"version\":1,\"parent_id\":\"" + a + "\"}");
    });
    t1.join();
    t2.join();
    EXPECT_EQ((r1.status == 200) + (r2.status == 200), 1) << r1.body << " / " << r2.body;
    tst::Resp roots =
        g_srv->Post("/query_work_items", "{\"project_id\":\"" + p + "\",\"roots_only\":true}");
    EXPECT_EQ(roots.Num("count"), 1) << "exactly one root remains: " << roots.body;
  }
}

TEST_F(Workflow, WorkItems_HierarchyDepthAtMost5) {
  std::string p = NewProject();
  std::vector<std::string> chain{CreateItem(p, "d0")};
  for (int d = 1; d <= 5; d++)
    chain.push_back(CreateItem(p, "d" + std::to_string(d), chain.back()));
  tst::Resp deepest = g_srv->Post("/mcp/get_work_item",
                                  "{\"project_id\":\"" + p + "\",\"id\":\"" + chain[5] + "\"}");
  EXPECT_EQ(deepest.Num("depth"), 5);
  tst::Resp six = g_srv->Post("/mcp/work_items", "{\"project_id\":\"" + p +
                                                     "\",\"title\":\"d6\",\"item_type\":\"task\","
                                                     "\"parent_id\":\"" +
                                                     chain[5] + "\"}");
  EXPECT_EQ(six.status, 400) << six.body;
  EXPECT_NE(six.ErrorMessage().find("depth"), std::string::npos) << six.body;
  // Moving a 2-level subtree under depth 4 would put its leaf at depth 6.
  std::string other = CreateItem(p, "o0");
  std::string other_child = CreateItem(p, "o1", other);
  tst::Resp mv = g_srv->Post("/mcp/update_work_item",
                             "{\"project_id\":\"" + p + "\",\"id\":\"" + other +
                                 "\",\"version\":1,\"parent_id\":\"" + chain[4] + "\"}");
  EXPECT_EQ(mv.status, 400) << mv.body;
  // Under depth 3 it fits: the subtree's depths shift.
  tst::Resp ok = g_srv->Post("/mcp/update_work_item",
                             "{\"project_id\":\"" + p + "\",\"id\":\"" + other +
                                 "\",\"version\":1,\"parent_id\":\"" + chain[3] + "\"}");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Num("depth"), 4);
  tst::Resp child = g_srv->Post("/mcp/get_work_item",
                                "{\"project_id\":\"" + p + "\",\"id\":\"" + other_child + "\"}");
  EXPECT_EQ(child.Num("depth"), 5);
  // And back to a root.
  tst::Resp root =
      g_srv->Post("/mcp/update_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + other +
                                               "\",\"version\":2,\"parent_id\":null}");
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_EQ(root.Num("depth"), 0);
  EXPECT_TRUE(cJSON_IsNull(root.Get("parent_id")));
  child = g_srv->Post("/mcp/get_work_item",
                      "{\"project_id\":\"" + p + "\",\"id\":\"" + other_child + "\"}");
  EXPECT_EQ(child.Num("depth"), 1);
}

TEST_F(Workflow, WorkItems_CyclesRefused) {
  std::string p = NewProject();
  std::string a = CreateItem(p, "a");
  std::string b = CreateItem(p, "b", a);
  std::string c = CreateItem(p, "c", b);
  auto move = [&](const std::string &id, const std::string &parent) {
    return g_srv->Post("/mcp/update_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + id +
                                                    "\",\"version\":1,\"parent_id\":\"" + parent +
                                                    "\"}");
  };
  tst::Resp self = move(a, a);
  EXPECT_EQ(self.status, 400) << self.body;
  EXPECT_NE(self.ErrorMessage().find("cycle"), std::string::npos) << self.body;
  tst::Resp desc = move(a, c);
  EXPECT_EQ(desc.status, 400) << desc.body;
  EXPECT_NE(desc.ErrorMessage().find("cycle"), std::string::npos) << desc.body;
  tst::Resp child = move(a, b);
  EXPECT_EQ(child.status, 400) << child.body;
  // The tree is unchanged: a is still the root.
  tst::Resp ga =
      g_srv->Post("/mcp/get_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + a + "\"}");
  EXPECT_TRUE(cJSON_IsNull(ga.Get("parent_id")));
  EXPECT_EQ(ga.Num("version"), 1);
}

TEST_F(Workflow, WorkItems_QueryByStatusTypeParent) {
  std::string p = NewProject();
  std::string root = CreateItem(p, "root");
  std::string k1 = CreateItem(p, "k1", root, ",\"status\":\"done\"");
  std::string k2 = CreateItem(p, "k2", root);
  tst::Resp r = g_srv->Post("/mcp/work_items", "{\"project_id\":\"" + p +
                                                   "\",\"title\":\"s\",\"item_type\":\"session\"}");
  std::string s = r.Str("id");
  auto q = [&](const std::string &args) {
    tst::Resp w = g_srv->Post("/query_work_items", "{\"project_id\":\"" + p + "\"" + args + "}");
    EXPECT_EQ(w.status, 200) << args << " " << w.body;
    return Ids(w, "work_items");
  };
  using S = std::set<std::string>;
  EXPECT_EQ(q(""), (S{root, k1, k2, s}));
  EXPECT_EQ(q(",\"status\":\"done\""), (S{k1}));
  EXPECT_EQ(q(",\"item_type\":\"session\""), (S{s}));
  EXPECT_EQ(q(",\"parent_id\":\"" + root + "\""), (S{k1, k2}));
  EXPECT_EQ(q(",\"roots_only\":true"), (S{root, s}));
  EXPECT_EQ(q(",\"limit\":1").size(), 1u);
}

// ---- tenants ----

TEST_F(Workflow, Tenants_ProjectsNeverSeeEachOthersData) {
  std::string a = NewProject("tenant-a"), b = NewProject("tenant-b");
  RegisterInvoice(a);
  RegisterInvoice(b);
  std::string ea = CreateEntity(a, "{\"amount\":1,\"status\":\"open\"}");
  std::string eb = CreateEntity(b, "{\"amount\":1,\"status\":\"open\"}");
  std::string wa = CreateItem(a, "a-item");
  tst::Resp qa = g_srv->Post("/query_entities",
                             "{\"project_id\":\"" + a + "\",\"filter\":{\"status\":\"open\"}}");
  tst::Resp qb = g_srv->Post("/query_entities",
                             "{\"project_id\":\"" + b + "\",\"filter\":{\"status\":\"open\"}}");
  EXPECT_EQ(Ids(qa, "entities"), (std::set<std::string>{ea}));
  EXPECT_EQ(Ids(qb, "entities"), (std::set<std::string>{eb}));
  tst::Resp wb = g_srv->Post("/query_work_items", "{\"project_id\":\"" + b + "\"}");
  EXPECT_EQ(wb.Num("count"), 0) << wb.body;
  // Direct access by id from the other project: not found, and no change possible.
  tst::Resp g =
      g_srv->Post("/mcp/get_work_item", "{\"project_id\":\"" + b + "\",\"id\":\"" + wa + "\"}");
  EXPECT_EQ(g.status, 404) << g.body;
  tst::Resp u = g_srv->Post("/mcp/update_entity", "{\"project_id\":\"" + b + "\",\"id\":\"" + ea +
                                                      "\",\"version\":1,\"tags\":[\"stolen\"]}");
  EXPECT_EQ(u.status, 404) << u.body;
  tst::Resp uw =
      g_srv->Post("/mcp/update_work_item", "{\"project_id\":\"" + b + "\",\"id\":\"" + wa +
                                               "\",\"version\":1,\"title\":\"stolen\"}");
  EXPECT_EQ(uw.status, 404) << uw.body;
  // A parent from another project is refused.
  tst::Resp cross = g_srv->Post("/mcp/work_items", "{\"project_id\":\"" + b +
                                                       "\",\"title\":\"x\",\"item_type\":\"task\","
                                                       "\"parent_id\":\"" +
                                                       wa + "\"}");
  EXPECT_EQ(cross.status, 404) << cross.body;
  // Through the active project as well.
  Switch(b);
  tst::Resp viaActive = g_srv->Get("/mcp/work_items/" + wa);
  EXPECT_EQ(viaActive.status, 404) << viaActive.body;
  Switch(a);
  viaActive = g_srv->Get("/mcp/work_items/" + wa);
  EXPECT_EQ(viaActive.status, 200) << viaActive.body;
}

// ---- codebase-mcp absent ----

TEST_F(Workflow, SC009_CodebaseDownWorkItemStillReturnedWithWarning) {
  std::string p = NewProject();
  std::string id =
      CreateItem(p, "refs", "", ",\"entity_references\":[\"c1\",\"c2\",\"c3\",\"c4\",\"c5\"]");
  tst::Resp g =
      g_srv->Post("/mcp/get_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + id + "\"}");
  ASSERT_EQ(g.status, 200) << g.body;
  const cJSON *w = g.Get("warnings");
  ASSERT_EQ(cJSON_GetArraySize(w), 1) << g.body;
  EXPECT_STREQ(cJSON_GetArrayItem(w, 0)->valuestring, "code_search_unavailable");
  EXPECT_NE(g.Str("message").find("not checked"), std::string::npos) << g.body;
  EXPECT_FALSE(cJSON_IsTrue(g.Get("references_checked")));
  EXPECT_EQ(cJSON_GetArraySize(g.Get("entity_references")), 5);
  EXPECT_EQ(cJSON_GetArraySize(g.Get("stale_references")), 0);
  EXPECT_LT(g.ms, 600.0);
  // No references: nothing to check, no warning.
  std::string plain = CreateItem(p, "plain");
  tst::Resp g2 =
      g_srv->Post("/mcp/get_work_item", "{\"project_id\":\"" + p + "\",\"id\":\"" + plain + "\"}");
  EXPECT_EQ(cJSON_GetArraySize(g2.Get("warnings")), 0) << g2.body;
}

// ---- active project: rapid switching and persistence ----

TEST_F(Workflow, EdgeCase_RapidSwitchingFrom5ClientsStaysConsistent) {
  std::vector<std::string> projects;
  for (int i = 0; i < 5; i++) projects.push_back(NewProject("rapid"));
  struct Ack {
    double seq;
    std::string id;
    long status;
  };
  std::vector<Ack> acks(10);
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < 5; c++) {
    threads.emplace_back([&, c] {
      for (int k = 0; k < 2; k++) {
        int slot = c * 2 + k;
        const std::string &target = projects[(c + k * 3) % 5];
        tst::Resp r = g_srv->Post("/switch_project", "{\"project_id\":\"" + target + "\"}");
        const cJSON *ap = r.Get("active_project");
        acks[slot] = {r.Num("switch_seq"),
                      cJSON_IsObject(ap) ? cJSON_GetObjectItem(ap, "id")->valuestring : "",
                      r.status};
        EXPECT_EQ(acks[slot].id, target);
      }
    });
  }
  for (auto &t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 1.0) << "10 switches from 5 clients should finish within a second";
  std::set<double> seqs;
  const Ack *last = &acks[0];
  for (const Ack &a : acks) {
    EXPECT_EQ(a.status, 200);
    seqs.insert(a.seq);
    if (a.seq > last->seq) last = &a;
  }
  EXPECT_EQ(seqs.size(), 10u) << "every switch was applied exactly once, in one order";
  EXPECT_EQ(*seqs.rbegin() - *seqs.begin(), 9) << "switch_seq values are consecutive";
  EXPECT_EQ(ActiveId(), last->id)
      << "the active project is the one of the last acknowledged switch";
}

TEST_F(Workflow, Persistence_ActiveProjectSurvivesRestart) {
  std::string p = NewProject("persist");
  Switch(p);
  ASSERT_EQ(ActiveId(), p);
  g_srv->Stop();
  std::string why;
  ASSERT_TRUE(g_srv->Start(WorkflowMcp(), tst_pg_url(g_srv->pg), &why)) << why;
  EXPECT_EQ(ActiveId(), p);
}

}  // namespace
