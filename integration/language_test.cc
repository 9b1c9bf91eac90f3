// language_test.cc — the assertion language and the templates of scenario steps, on data alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "integration/assertion.h"
#include "integration/template.h"

namespace {

cJSON *View() {
  return cJSON_Parse(
      R"({"status":201,"latency_ms":12.5,"headers":{"mcp-session-id":"s1"},)"
      R"("body":{"id":"x","results":[{"chunk_id":"a","project_id":"p"},{"chunk_id":"b","project_id":"p"}],)"
      R"("msg":"stale reference: changed and re-indexed","n":3,"f":1.5,"ok":true,"none":null}})");
}

TEST(Assertions, SC011_EveryFormOfTheLanguage) {
  cJSON *v = View();
  char why[1024];
  const char *pass[] = {"status equals 201",
                        "latency_ms under 500",
                        "latency_ms within 10% of 12",
                        "latency_ms within 10% of 10 + 1.5",
                        "body.id exists",
                        "body.gone not exists",
                        "body.id equals \"x\"",
                        "body.id equals x",
                        "body.id not equals \"y\"",
                        "body.msg contains \"re-indexed\"",
                        "body.results contains {\"chunk_id\":\"b\"}",
                        "body.results not contains {\"chunk_id\":\"c\"}",
                        "body.results length greater than 1",
                        "body.results length equals 2",
                        "body.results[*].project_id equals \"p\"",
                        "body.results[-1].chunk_id equals \"b\"",
                        "body.n type is integer",
                        "body.f type is number",
                        "body.ok type is boolean",
                        "body.none type is null",
                        "body.results type is array",
                        "headers.mcp-session-id equals \"s1\"",
                        "body contains \"results\""};
  for (const char *a : pass) EXPECT_EQ(itg_assert(v, a, why, sizeof why), 0) << a << ": " << why;
  const char *failing[] = {"status equals 200",
                           "latency_ms under 10",
                           "body.gone exists",
                           "body.results length greater than 2",
                           "body.results[5].chunk_id exists",
                           "body.id type is number",
                           "body.msg contains \"deleted\""};
  for (const char *a : failing) EXPECT_EQ(itg_assert(v, a, why, sizeof why), 1) << a;
  EXPECT_EQ(itg_assert(v, "body.id is great", why, sizeof why), -1);
  EXPECT_NE(std::string(why).find("not understood"), std::string::npos) << why;
  EXPECT_EQ(itg_assert(v, "body.results length greater than 2", why, sizeof why), 1);
  EXPECT_NE(std::string(why).find("length 2"), std::string::npos) << why;
  cJSON_Delete(v);
}

TEST(Templates, SC011_EarlierResponsesProjectAndTypes) {
  cJSON *steps = cJSON_CreateArray();
  cJSON_AddItemToArray(steps, cJSON_CreateNull());
  cJSON_AddItemToArray(steps, View());
  itg_ctx ctx{"it-x-1", "it-x-1-b", "/tmp/w", 0, nullptr, steps};
  char why[1024];
  char *t = itg_render_text(
      &ctx, "/mcp/work_items/{{steps.2.body.results[0].chunk_id}}?p={{project}}", why, sizeof why);
  ASSERT_NE(t, nullptr) << why;
  EXPECT_STREQ(t, "/mcp/work_items/a?p=it-x-1");
  free(t);
  cJSON *in = cJSON_Parse(
      R"({"n":"{{steps.2.body.n}}","refs":["{{steps.2.body.id}}"],"s":"n={{steps.2.body.n}}"})");
  cJSON *out = itg_render_json(&ctx, in, why, sizeof why);
  ASSERT_NE(out, nullptr) << why;
  char *s = cJSON_PrintUnformatted(out);
  EXPECT_STREQ(s, R"({"n":3,"refs":["x"],"s":"n=3"})");
  cJSON_free(s);
  cJSON_Delete(out);
  cJSON_Delete(in);
  EXPECT_EQ(itg_render_text(&ctx, "{{steps.1.body.id}}", why, sizeof why), nullptr);
  EXPECT_NE(std::string(why).find("has not run"), std::string::npos) << why;
  EXPECT_EQ(itg_render_text(&ctx, "{{steps.2.body.nope}}", why, sizeof why), nullptr);
  EXPECT_NE(std::string(why).find("nope does not exist"), std::string::npos) << why;
  cJSON_Delete(steps);
}

}  // namespace
