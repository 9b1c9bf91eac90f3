// The grammars fetched by ci/bootstrap.sh must load in Debian's tree-sitter runtime.
#include <gtest/gtest.h>
#include <tree_sitter/api.h>

#include <cstring>

extern "C" const TSLanguage *tree_sitter_python(void);
extern "C" const TSLanguage *tree_sitter_javascript(void);

namespace {

bool ParsesClean(const TSLanguage *lang, const char *src) {
  TSParser *p = ts_parser_new();
  EXPECT_TRUE(ts_parser_set_language(p, lang));
  TSTree *t = ts_parser_parse_string(p, nullptr, src, (uint32_t)strlen(src));
  bool ok = t && !ts_node_has_error(ts_tree_root_node(t));
  ts_tree_delete(t);
  ts_parser_delete(p);
  return ok;
}

TEST(GrammarAbi, PythonLoadsAtRuntimeAbi) {
  EXPECT_LE(ts_language_version(tree_sitter_python()), (uint32_t)TREE_SITTER_LANGUAGE_VERSION);
  EXPECT_TRUE(ParsesClean(tree_sitter_python(), "class A:\n    def f(self):\n        return 1\n"));
  EXPECT_FALSE(ParsesClean(tree_sitter_python(), "def (:\n"));
}

TEST(GrammarAbi, JavascriptLoadsAtRuntimeAbi) {
  EXPECT_LE(ts_language_version(tree_sitter_javascript()), (uint32_t)TREE_SITTER_LANGUAGE_VERSION);
  EXPECT_TRUE(ParsesClean(tree_sitter_javascript(), "import x from 'y';\nclass A { m() { return 1; } }\n"));
  EXPECT_FALSE(ParsesClean(tree_sitter_javascript(), "function ( {\n"));
}

}  // namespace
