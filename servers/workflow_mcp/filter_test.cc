// Unit tests of the query_entities filter compiler: the SQL shape and that values only travel as
// parameters. (Semantics against real PostgreSQL are proven in workflow_tools_test.)
#include "servers/workflow_mcp/filter.h"

#include <cjson/cJSON.h>
#include <gtest/gtest.h>

#include <string>

namespace {

struct Compiled {
  srv_code rc;
  std::string sql;
  std::vector<std::string> params;
  std::string msg;
};

Compiled Compile(const char *json) {
  Compiled c;
  cJSON *f = cJSON_Parse(json);
  EXPECT_NE(f, nullptr) << json;
  wf_sql sql;
  wf_sql_init(&sql);
  srv_err err;
  srv_err_clear(&err);
  c.rc = wf_filter_compile(f, "data", &sql, &err);
  c.sql = sql.text.data ? sql.text.data : "";
  for (int i = 0; i < sql.nparams; i++)
    c.params.push_back(sql.params[i] ? sql.params[i] : "<NULL>");
  c.msg = err.msg;
  wf_sql_free(&sql);
  cJSON_Delete(f);
  return c;
}

TEST(Filter, PlainObjectIsOneContainmentParameter) {
  Compiled c = Compile(R"({"status":"open","owner":{"team":"core"}})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  EXPECT_EQ(c.sql, " AND (data @> $1::jsonb)");
  ASSERT_EQ(c.params.size(), 1u);
  EXPECT_EQ(c.params[0], R"({"status":"open","owner":{"team":"core"}})");
}

TEST(Filter, EmptyFilterAddsNothing) {
  Compiled c = Compile("{}");
  ASSERT_EQ(c.rc, SRV_OK);
  EXPECT_EQ(c.sql, "");
  EXPECT_TRUE(c.params.empty());
}

TEST(Filter, NumericComparisonUsesPathAndValueParameters) {
  Compiled c = Compile(R"({"amount":{"$gte":100}})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  ASSERT_EQ(c.params.size(), 2u);
  EXPECT_EQ(c.params[0], R"({"amount"})");
  EXPECT_EQ(c.params[1], "100");
  EXPECT_NE(c.sql.find("jsonb_typeof(data #> $1::text[]) = 'number'"), std::string::npos) << c.sql;
  EXPECT_NE(c.sql.find("::numeric >= $2::numeric"), std::string::npos) << c.sql;
}

TEST(Filter, NestedPathAndStringComparison) {
  Compiled c = Compile(R"({"owner":{"name":{"$lt":"m"}},"kind":"a"})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  ASSERT_EQ(c.params.size(), 3u);
  EXPECT_EQ(c.params[0], R"({"owner","name"})");
  EXPECT_EQ(c.params[1], "m");
  EXPECT_EQ(c.params[2], R"({"kind":"a"})");
  EXPECT_NE(c.sql.find("(data #>> $1::text[]) < $2::text"), std::string::npos) << c.sql;
  EXPECT_NE(c.sql.find("data @> $3::jsonb"), std::string::npos) << c.sql;
}

TEST(Filter, ScalarEqJoinsContainmentForTheIndex) {
  Compiled c = Compile(R"({"a":{"b":{"$eq":5}}})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  EXPECT_EQ(c.sql, " AND (data @> $1::jsonb)");
  EXPECT_EQ(c.params[0], R"({"a":{"b":5}})");
}

TEST(Filter, NeInExists) {
  Compiled c = Compile(R"({"s":{"$ne":"x","$in":["a","b"],"$exists":true}})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  EXPECT_NE(c.sql.find("IS DISTINCT FROM"), std::string::npos);
  EXPECT_NE(c.sql.find("jsonb_array_elements"), std::string::npos);
  EXPECT_NE(c.sql.find("IS NOT NULL"), std::string::npos);
}

TEST(Filter, Security_ValuesNeverEnterSqlText) {
  Compiled c = Compile(R"({"x":"'); DROP TABLE entities; --","y":{"$gt":"' OR 1=1 --"},"z\"'":1})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  EXPECT_EQ(c.sql.find("DROP"), std::string::npos) << c.sql;
  EXPECT_EQ(c.sql.find("OR 1=1"), std::string::npos) << c.sql;
  EXPECT_EQ(c.sql.find('\''), c.sql.find("'string'")) << c.sql;  // only our literal type names
}

TEST(Filter, PathWithQuotesIsEscapedInArrayLiteral) {
  Compiled c = Compile(R"({"a\"b\\c":{"$exists":false}})");
  ASSERT_EQ(c.rc, SRV_OK) << c.msg;
  EXPECT_EQ(c.params[0], R"({"a\"b\\c"})");
}

TEST(Filter, Errors_NamePathAndWhatToDo) {
  Compiled c = Compile(R"({"amount":{"$gte":true}})");
  EXPECT_EQ(c.rc, SRV_EINVAL);
  EXPECT_EQ(c.msg, "filter.amount.$gte must be a number or a string (got true)");

  c = Compile(R"({"a":{"$regex":"x"}})");
  EXPECT_EQ(c.rc, SRV_EINVAL);
  EXPECT_NE(c.msg.find("filter.a: unknown operator \"$regex\""), std::string::npos) << c.msg;

  c = Compile(R"({"a":{"$gt":1,"b":2}})");
  EXPECT_EQ(c.rc, SRV_EINVAL);
  EXPECT_NE(c.msg.find("do not mix operators"), std::string::npos) << c.msg;

  c = Compile(R"({"a":{"$in":3}})");
  EXPECT_EQ(c.rc, SRV_EINVAL);
  EXPECT_NE(c.msg.find("filter.a.$in must be an array"), std::string::npos) << c.msg;

  c = Compile(R"([1,2])");
  EXPECT_EQ(c.rc, SRV_EINVAL);
  EXPECT_NE(c.msg.find("filter must be a JSON object"), std::string::npos) << c.msg;
}

TEST(Filter, Limits_TooManyComparisonsRejected) {
  std::string f = "{";
  for (int i = 0; i <= WF_FILTER_MAX_CONDS; i++) {
    if (i) f += ",";
    f += "\"k" + std::to_string(i) + "\":{\"$gt\":1}";
  }
  f += "}";
  Compiled c = Compile(f.c_str());
  EXPECT_EQ(c.rc, SRV_EINVAL);
  EXPECT_NE(c.msg.find("more than 32 comparisons"), std::string::npos) << c.msg;
}

}  // namespace
