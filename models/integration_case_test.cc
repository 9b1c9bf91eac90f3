// integration_case_test.cc — IntegrationTestCase / IntegrationTestStep rules (SPEC "Records", US2):
// test_name 1-255, required_servers non-empty list of the two ids, workflow_steps >= 1, steps
// numbered 1, 2, 3 ..., last_run_status default not_run.
#include "models/integration_case.h"

#include <gtest/gtest.h>

#include <string>

#include "models/test_util.h"

namespace {

using mdltest::Fixture;
using mdltest::Set;
constexpr mdl_record_kind K = MDL_REC_INTEGRATION_CASE;

TEST(IntegrationCase, Example_ParsesAllParts) {
  auto d = Fixture("integration_case.json");
  mdl_integration_case c;
  mdl_err err;
  ASSERT_EQ(mdl_integration_case_from_json(d->j, &c, &err), MDL_OK) << err.field << ": " << err.msg;
  EXPECT_EQ(c.required_server_count, 2u);
  EXPECT_EQ(c.setup_steps.count, 1u);
  ASSERT_EQ(c.workflow_steps.count, 3u);
  EXPECT_EQ(c.teardown_steps.count, 0u);
  const mdl_integration_step &s2 = c.workflow_steps.items[1];
  EXPECT_EQ(s2.step_number, 2);
  EXPECT_EQ(s2.server, MDL_SERVER_WORKFLOW_MCP);
  EXPECT_STREQ(s2.action, "create_work_item");
  ASSERT_TRUE(s2.has_api_call);
  EXPECT_STREQ(s2.api_call.method, "POST");
  EXPECT_STREQ(s2.api_call.endpoint, "/mcp/work_items");
  ASSERT_NE(s2.api_call.payload, nullptr);
  EXPECT_STREQ(cJSON_GetObjectItem(s2.api_call.payload, "title")->valuestring,
               "Fix config parsing");
  ASSERT_EQ(s2.assertion_count, 1u);
  EXPECT_EQ(c.workflow_steps.items[2].api_call.payload, nullptr);  // "payload": null
  EXPECT_EQ(c.last_run_status, MDL_RUN_NOT_RUN);
  EXPECT_FALSE(c.has_last_run_timestamp);
  EXPECT_EQ(c.last_run_error, nullptr);
  mdl_integration_case_free(&c);
}

TEST(IntegrationCase, Rule_StepNumbersSequentialFromOne) {
  auto d = Fixture("integration_case.json");
  Set(d->j, "workflow_steps[1].step_number", "3");
  EXPECT_REJECTED(K, d, MDL_ERULE, "workflow_steps[1].step_number", "step_number must be 2");
  auto first = Fixture("integration_case.json");
  Set(first->j, "setup_steps[0].step_number", "2");
  EXPECT_REJECTED(K, first, MDL_ERULE, "setup_steps[0].step_number", "step_number must be 1");
  auto zero = Fixture("integration_case.json");
  Set(zero->j, "workflow_steps[0].step_number", "0");
  EXPECT_REJECTED(K, zero, MDL_ERANGE, "workflow_steps[0].step_number", "step_number must be >= 1");
}

TEST(IntegrationCase, Rule_StepsOneThreeRejected) {
  // The issue's example: two steps numbered 1, 3.
  auto d = Fixture("integration_case.json");
  Set(d->j, "workflow_steps[2]", nullptr);
  Set(d->j, "workflow_steps[1].step_number", "3");
  EXPECT_REJECTED(K, d, MDL_ERULE, "workflow_steps[1].step_number",
                  "step_number must be 2 (steps are numbered 1, 2, 3, ...; got 3)");
}

TEST(IntegrationCase, Rule_TestName1To255) {
  auto ok = Fixture("integration_case.json");
  Set(ok->j, "test_name", ("\"" + std::string(255, 'n') + "\"").c_str());
  EXPECT_ACCEPTED(K, ok);
  auto one = Fixture("integration_case.json");
  Set(one->j, "test_name", "\"x\"");
  EXPECT_ACCEPTED(K, one);
  auto empty = Fixture("integration_case.json");
  Set(empty->j, "test_name", "\"\"");
  EXPECT_REJECTED(K, empty, MDL_ERANGE, "test_name", "test_name must be 1-255 characters (got 0)");
  auto longer = Fixture("integration_case.json");
  Set(longer->j, "test_name", ("\"" + std::string(256, 'n') + "\"").c_str());
  EXPECT_REJECTED(K, longer, MDL_ERANGE, "test_name",
                  "test_name must be 1-255 characters (got 256)");
}

TEST(IntegrationCase, Rule_RequiredServersNonEmptyKnownDistinct) {
  auto empty = Fixture("integration_case.json");
  Set(empty->j, "required_servers", "[]");
  EXPECT_REJECTED(K, empty, MDL_ERANGE, "required_servers",
                  "required_servers must list 1-2 server ids");
  auto unknown = Fixture("integration_case.json");
  Set(unknown->j, "required_servers[1]", "\"search-mcp\"");
  EXPECT_REJECTED(K, unknown, MDL_EENUM, "required_servers[1]",
                  "must be \"codebase-mcp\" or \"workflow-mcp\"");
  auto dup = Fixture("integration_case.json");
  Set(dup->j, "required_servers[1]", "\"codebase-mcp\"");
  EXPECT_REJECTED(K, dup, MDL_ERULE, "required_servers[1]", "must not repeat a server");
  auto notlist = Fixture("integration_case.json");
  Set(notlist->j, "required_servers", "\"codebase-mcp\"");
  EXPECT_REJECTED(K, notlist, MDL_ETYPE, "required_servers",
                  "required_servers must be an array (got string)");
}

TEST(IntegrationCase, Rule_StepServerMustBeRequired) {
  auto ok = Fixture("integration_case.json");
  Set(ok->j, "required_servers", R"(["codebase-mcp"])");
  Set(ok->j, "workflow_steps", R"([{"step_number":1,"server":"codebase-mcp","action":"search"}])");
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("integration_case.json");
  Set(d->j, "required_servers", R"(["codebase-mcp"])");
  EXPECT_REJECTED(K, d, MDL_ERULE, "workflow_steps[1].server",
                  "server must be one of required_servers");
}

TEST(IntegrationCase, Rule_WorkflowStepsAtLeastOne) {
  auto ok = Fixture("integration_case.json");
  Set(ok->j, "workflow_steps[2]", nullptr);
  Set(ok->j, "workflow_steps[1]", nullptr);
  EXPECT_ACCEPTED(K, ok);
  auto d = Fixture("integration_case.json");
  Set(d->j, "workflow_steps", "[]");
  EXPECT_REJECTED(K, d, MDL_ERANGE, "workflow_steps", "workflow_steps must have at least 1 step");
  auto m = Fixture("integration_case.json");
  Set(m->j, "workflow_steps", nullptr);
  EXPECT_REJECTED(K, m, MDL_EMISSING, "workflow_steps", "workflow_steps is required");
}

TEST(IntegrationCase, Rule_LastRunStatusDefaultsToNotRun) {
  auto d = Fixture("integration_case.json");
  Set(d->j, "last_run_status", nullptr);
  mdl_integration_case c;
  ASSERT_EQ(mdl_integration_case_from_json(d->j, &c, nullptr), MDL_OK);
  EXPECT_EQ(c.last_run_status, MDL_RUN_NOT_RUN);
  mdltest::Doc out(mdl_integration_case_to_json(&c));
  EXPECT_NE(out.Print().find("\"last_run_status\":\"not_run\""), std::string::npos);
  mdl_integration_case_free(&c);
  auto bad = Fixture("integration_case.json");
  Set(bad->j, "last_run_status", "\"passed\"");
  EXPECT_REJECTED(K, bad, MDL_EENUM, "last_run_status",
                  "last_run_status must be one of \"not_run\", \"pass\", \"fail\", \"skipped\"");
  auto ran = Fixture("integration_case.json");
  Set(ran->j, "last_run_status", "\"fail\"");
  Set(ran->j, "last_run_timestamp", "\"2025-10-13T12:00:00Z\"");
  Set(ran->j, "last_run_error", "\"step 2: expected 201, got 500\"");
  EXPECT_ACCEPTED(K, ran);
  auto badtime = Fixture("integration_case.json");
  Set(badtime->j, "last_run_timestamp", "\"yesterday\"");
  EXPECT_REJECTED(K, badtime, MDL_ERANGE, "last_run_timestamp", "ISO 8601");
}

TEST(IntegrationCase, Rule_ApiCallMethodAndEndpoint) {
  for (const char *method : {"\"GET\"", "\"POST\"", "\"PUT\"", "\"PATCH\"", "\"DELETE\""}) {
    auto ok = Fixture("integration_case.json");
    Set(ok->j, "workflow_steps[0].api_call.method", method);
    EXPECT_ACCEPTED(K, ok);
  }
  auto m = Fixture("integration_case.json");
  Set(m->j, "workflow_steps[0].api_call.method", "\"FETCH\"");
  EXPECT_REJECTED(K, m, MDL_EENUM, "workflow_steps[0].api_call.method", "method must be one of");
  auto e = Fixture("integration_case.json");
  Set(e->j, "workflow_steps[0].api_call.endpoint", "\"mcp/search\"");
  EXPECT_REJECTED(K, e, MDL_ERANGE, "workflow_steps[0].api_call.endpoint",
                  "endpoint must start with \"/\"");
  auto none = Fixture("integration_case.json");  // a step without an HTTP call (e.g. "stop_server")
  Set(none->j, "workflow_steps[0].api_call", "null");
  EXPECT_ACCEPTED(K, none);
}

TEST(IntegrationCase, Rule_ActionAndAssertions) {
  auto ok = Fixture("integration_case.json");
  Set(ok->j, "workflow_steps[0].assertions", "[]");
  EXPECT_ACCEPTED(K, ok);
  auto a = Fixture("integration_case.json");
  Set(a->j, "workflow_steps[0].action", "\"\"");
  EXPECT_REJECTED(K, a, MDL_ERANGE, "workflow_steps[0].action", "action must not be empty");
  auto s = Fixture("integration_case.json");
  Set(s->j, "workflow_steps[0].assertions", R"(["ok", 3])");
  EXPECT_REJECTED(K, s, MDL_ETYPE, "workflow_steps[0].assertions[1]",
                  "assertions must be strings (got number)");
}

TEST(IntegrationCase, Step_ParsesAloneWithPrefix) {
  cJSON *j = cJSON_Parse(R"({"step_number":1,"server":"workflow-mcp","action":"list_projects"})");
  mdl_integration_step s;
  mdl_err err;
  ASSERT_EQ(mdl_integration_step_from_json(j, "", &s, &err), MDL_OK) << err.msg;
  EXPECT_FALSE(s.has_api_call);
  mdltest::Doc out(mdl_integration_step_to_json(&s));
  EXPECT_EQ(out.Print(),
            "{\"step_number\":1,\"server\":\"workflow-mcp\",\"action\":\"list_projects\",\"api_"
            "call\":null,"
            "\"expected_response\":null,\"assertions\":[]}");
  mdl_integration_step_free(&s);
  cJSON_Delete(j);
  j = cJSON_Parse(R"({"step_number":1,"server":"x","action":"a"})");
  EXPECT_EQ(mdl_integration_step_from_json(j, "steps[4]", &s, &err), MDL_EENUM);
  EXPECT_STREQ(err.field, "steps[4].server");
  cJSON_Delete(j);
}

}  // namespace
