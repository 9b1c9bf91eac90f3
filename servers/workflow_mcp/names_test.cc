// Unit tests of the identifier rules (names.h) and the SQL text[] literal quoting (sqlbuf.h).
#include "servers/workflow_mcp/names.h"

#include <gtest/gtest.h>

#include <string>

#include "servers/workflow_mcp/sqlbuf.h"

namespace {

srv_code Check(srv_code (*fn)(const char *, const char *, srv_err *), const char *s,
               std::string *msg = nullptr) {
  srv_err err;
  srv_err_clear(&err);
  srv_code rc = fn("name", s, &err);
  if (msg) *msg = err.msg;
  return rc;
}

TEST(Names, ProjectNames) {
  EXPECT_EQ(Check(wf_check_project_name, "Alpha project"), SRV_OK);
  EXPECT_EQ(Check(wf_check_project_name, "Émile – ünïcode"), SRV_OK);
  std::string msg;
  EXPECT_EQ(Check(wf_check_project_name, "", &msg), SRV_EINVAL);
  EXPECT_EQ(msg, "name must not be empty");
  EXPECT_EQ(Check(wf_check_project_name, " lead", &msg), SRV_EINVAL);
  EXPECT_NE(msg.find("must not start or end with a space"), std::string::npos);
  EXPECT_EQ(Check(wf_check_project_name, "tab\there"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_project_name, "bad \xc3\x28 utf8"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_project_name, "overlong \xc0\xaf"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_project_name, std::string(100, 'x').c_str()), SRV_OK);
  EXPECT_EQ(Check(wf_check_project_name, std::string(101, 'x').c_str(), &msg), SRV_EINVAL);
  EXPECT_EQ(msg, "name must be at most 100 characters (got 101)");
}

TEST(Names, TypeNames) {
  EXPECT_EQ(Check(wf_check_type_name, "invoice"), SRV_OK);
  EXPECT_EQ(Check(wf_check_type_name, "vendor.contact-v2_x"), SRV_OK);
  EXPECT_EQ(Check(wf_check_type_name, "2fast"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_type_name, "a b"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_type_name, std::string(64, 'a').c_str()), SRV_EINVAL);
}

TEST(Names, StatusChunkIdUuid) {
  EXPECT_EQ(Check(wf_check_status, "in_progress"), SRV_OK);
  EXPECT_EQ(Check(wf_check_status, "Done"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_chunk_id, "3f2a9c0d1e:src/a.py#L1"), SRV_OK);
  EXPECT_EQ(Check(wf_check_chunk_id, "has space"), SRV_EINVAL);
  EXPECT_EQ(Check(wf_check_uuid, "1b4e28ba-2fa1-11d2-883f-0016d3cca427"), SRV_OK);
  std::string msg;
  EXPECT_EQ(Check(wf_check_uuid, "1b4e28ba", &msg), SRV_EINVAL);
  EXPECT_NE(msg.find("name must be a UUID"), std::string::npos);
}

TEST(Names, TitleLimitCountsCharactersNotBytes) {
  std::string t;
  for (int i = 0; i < WF_TITLE_MAX; i++) t += "\xc3\xa9";  // é, 2 bytes each
  srv_err err;
  EXPECT_EQ(wf_check_text("title", t.c_str(), WF_TITLE_MAX, &err), SRV_OK);
  t += "x";
  EXPECT_EQ(wf_check_text("title", t.c_str(), WF_TITLE_MAX, &err), SRV_EINVAL);
  EXPECT_EQ(wf_check_text("title", "   ", WF_TITLE_MAX, &err), SRV_EINVAL);
}

TEST(SqlBuf, TextArrayLiteralQuotesEverything) {
  const char *items[] = {"a", "b c", "q\"x", "back\\slash", "{}", ""};
  char *lit = wf_sql_text_array_literal(items, 6);
  ASSERT_NE(lit, nullptr);
  EXPECT_STREQ(lit, R"({"a","b c","q\"x","back\\slash","{}",""})");
  free(lit);
  lit = wf_sql_text_array_literal(nullptr, 0);
  EXPECT_STREQ(lit, "{}");
  free(lit);
}

TEST(SqlBuf, ParamsAreNumberedAndBounded) {
  wf_sql sql;
  wf_sql_init(&sql);
  srv_err err;
  int n = 0;
  for (int i = 0; i < WF_SQL_MAX_PARAMS; i++) {
    ASSERT_EQ(wf_sql_param(&sql, "v", &n, &err), SRV_OK);
    ASSERT_EQ(n, i + 1);
  }
  EXPECT_EQ(wf_sql_param(&sql, "v", &n, &err), SRV_EINVAL);
  ASSERT_EQ(wf_sql_append(&sql, &err, "SELECT $%d", 7), SRV_OK);
  ASSERT_EQ(wf_sql_append(&sql, &err, " + %s", std::string(1000, '1').c_str()), SRV_OK);
  EXPECT_EQ(std::string(sql.text.data).substr(0, 12), "SELECT $7 + ");
  EXPECT_EQ(sql.text.len, 1012u);
  wf_sql_free(&sql);
}

}  // namespace
