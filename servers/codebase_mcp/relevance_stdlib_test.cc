// Issue 13 item 4, relevance on real code: the query set servers/codebase_mcp/testdata/relevance_stdlib.json
// (names, `Class method` pairs and plain words) against Debian's Python standard library, indexed
// by a real codebase-mcp on its own PostgreSQL. A query hits when its definition (file, symbol,
// and the line of its `def` / `class`, found in the file below its enclosing class) is in a
// top-5 result. Prints every miss and the top-5 hit rate; asserts the issue's goal (>= 95%).
// Skipped where that library is not installed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "servers/codebase_mcp/test_client.h"
#include "testing/runfiles.h"

using tst::Num;
using tst::Str;

namespace {

std::vector<std::string> Lines(const std::string &text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

size_t Indent(const std::string &l) {
  size_t i = 0;
  while (i < l.size() && l[i] == ' ') i++;
  return i;
}

bool Defines(const std::string &l, const std::string &name) {
  std::string s = l.substr(Indent(l));
  for (const char *kw : {"def ", "async def ", "class "}) {
    std::string k = kw + name;
    if (s.compare(0, k.size(), k) == 0 && s.size() > k.size() &&
        (s[k.size()] == '(' || s[k.size()] == ':'))
      return true;
  }
  return false;
}

// 1-based line of `def symbol` (inside `class parent` when parent is set), 0 if absent.
int DefinitionLine(const std::vector<std::string> &ls, const std::string &symbol,
                   const std::string &parent) {
  size_t from = 0, indent = 0;
  if (!parent.empty()) {
    for (from = 0; from < ls.size(); from++)
      if (Indent(ls[from]) == 0 && Defines(ls[from], parent)) break;
    if (from == ls.size()) return 0;
    from++;
    indent = 1;
  }
  for (size_t i = from; i < ls.size(); i++) {
    size_t in = Indent(ls[i]);
    if (indent && in == 0 && !ls[i].empty() && ls[i][0] != '#' && ls[i][0] != ')') break;
    if ((indent ? in > 0 : in == 0) && Defines(ls[i], symbol)) return (int)i + 1;
  }
  return 0;
}

TEST(RelevanceStdlib, ExpectedDefinitionInTop5ForAtLeast95Percent) {
  char path[4096];
  ASSERT_EQ(tst_runfile("servers/codebase_mcp/testdata/relevance_stdlib.json", path, sizeof path),
            0);
  cJSON *set = cJSON_Parse(tst::ReadFile(path).c_str());
  ASSERT_NE(set, nullptr) << path;
  std::string root = Str(set, "root");
  struct stat st;
  if (stat((root + "/argparse.py").c_str(), &st) != 0) {
    cJSON_Delete(set);
    GTEST_SKIP() << root << " is not installed (Debian package libpython3.11-stdlib)";
  }
  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec({"INDEX_ROOTS=" + root})));
  cJSON *job = cbtest::Index(env, root, "stdlib", false, 600000);
  ASSERT_NE(job, nullptr);
  ASSERT_EQ(Str(job, "status"), "completed") << cJSON_PrintUnformatted(job);
  printf("indexed %s: %.0f files, %.0f chunks in %.0f ms\n", root.c_str(),
         Num(job, "files_indexed"), Num(job, "chunks_created"), Num(job, "elapsed_ms"));
  cJSON_Delete(job);

  int queries = 0, hits = 0, top1 = 0;
  const cJSON *q;
  cJSON_ArrayForEach(q, cJSON_GetObjectItem(set, "queries")) {
    std::string text = Str(q, "query"), file = Str(q, "file"), symbol = Str(q, "symbol");
    std::string parent = Str(q, "parent");  // "" for null
    int line = DefinitionLine(Lines(tst::ReadFile(root + "/" + file)), symbol, parent);
    EXPECT_GT(line, 0) << "the set names a definition the library lacks: " << file << " " << parent
                       << "." << symbol;
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "query", text.c_str());
    cJSON_AddStringToObject(a, "project_id", "stdlib");
    cJSON_AddNumberToObject(a, "limit", 5);
    char *body = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    cJSON *r = nullptr;
    EXPECT_EQ(env.Post("/mcp/search", body, &r), 200) << body;
    free(body);
    int rank = 0, i = 0;
    std::string got;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "results")) {
      i++;
      if (rank == 0 && Str(it, "file_path") == file && Str(it, "symbol") == symbol &&
          Num(it, "start_line") <= line && line <= Num(it, "end_line"))
        rank = i;
      if (got.size() < 400)
        got += " " + Str(it, "file_path") + ":" + Str(it, "symbol") + "@" +
               std::to_string((int)Num(it, "start_line"));
    }
    cJSON_Delete(r);
    queries++;
    hits += rank > 0;
    top1 += rank == 1;
    if (rank == 0)
      printf("  miss \"%s\" (want %s:%s@%d):%s\n", text.c_str(), file.c_str(), symbol.c_str(), line,
             got.c_str());
  }
  cJSON_Delete(set);
  printf(
      "real-code relevance: %d of %d queries have the expected definition in the top 5 "
      "(%.1f%%), %d first\n",
      hits, queries, 100.0 * hits / queries, top1);
  ASSERT_GE(queries, 20);
  EXPECT_GE(hits * 100, queries * 95) << "issue 13 goal: top 5 for >= 95% of the real-code set";
  env.Stop();
}

}  // namespace
