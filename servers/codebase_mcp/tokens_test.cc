// Unit tests of the code-aware tokenizer, the tsvector / tsquery text builders and chunk ids
// (issue 5: "Search" and "Indexer" items).
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include "models/buf.h"
#include "servers/codebase_mcp/hash.h"
#include "servers/codebase_mcp/strmap.h"
#include "servers/codebase_mcp/tokens.h"
#include "servers/common/pgtext.h"
}

namespace {

struct Tok {
  std::string text;
  bool part;
  unsigned word;
};

void Collect(const char *tok, size_t n, int is_part, unsigned idx, void *arg) {
  static_cast<std::vector<Tok> *>(arg)->push_back({std::string(tok, n), is_part != 0, idx});
}

std::vector<std::string> Tokens(const std::string &s) {
  std::vector<Tok> v;
  cb_tokens_each(s.data(), s.size(), Collect, &v);
  std::vector<std::string> out;
  for (auto &t : v) out.push_back(t.text);
  return out;
}

TEST(Tokens, SplitsCamelSnakeDigitsAndKeepsWhole) {
  EXPECT_EQ(Tokens("parseInvoiceHeader"),
            (std::vector<std::string>{"parseinvoiceheader", "pars", "invoic", "head"}));
  EXPECT_EQ(Tokens("parse_invoice_header"),
            (std::vector<std::string>{"parse_invoice_header", "pars", "invoic", "head"}));
  EXPECT_EQ(Tokens("HTTPServer2go"),
            (std::vector<std::string>{"httpserver2go", "http", "serv", "go"}));
  EXPECT_EQ(Tokens("__init__"), (std::vector<std::string>{"init"}));
  EXPECT_EQ(Tokens("InvoiceHeaderParser"),
            (std::vector<std::string>{"invoiceheaderparser", "invoic", "head", "pars"}));
}

std::vector<std::string> Leaves(const std::string &s) {
  std::vector<Tok> v;
  cb_tokens_leaves(s.data(), s.size(), Collect, &v);
  std::vector<std::string> out;
  for (auto &t : v) out.push_back(t.text);
  return out;
}

TEST(Tokens, LeavesDropCompoundWholes) {
  EXPECT_EQ(Leaves("parse_invoice_header ledger HTTPServer"),
            (std::vector<std::string>{"pars", "invoic", "head", "ledg", "http", "serv"}));
}

TEST(Strmap, PutFindGrow) {
  cb_strmap m = {};
  int added = 0;
  for (int i = 0; i < 2000; i++) {
    std::string k = "path/" + std::to_string(i);
    cb_strmap_entry *e = cb_strmap_put(&m, k.data(), k.size(), &added);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(added, 1);
    e->flag = i;
  }
  EXPECT_EQ(m.n, 2000u);
  cb_strmap_entry *e = cb_strmap_put(&m, "path/77xyz", 7, &added);  // key "path/77"
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(added, 0);
  EXPECT_EQ(e->flag, 77);
  ASSERT_NE(cb_strmap_find(&m, "path/1999"), nullptr);
  EXPECT_EQ(cb_strmap_find(&m, "path/1999")->flag, 1999);
  EXPECT_EQ(cb_strmap_find(&m, "path/2000"), nullptr);
  cb_strmap_free(&m);
  EXPECT_EQ(cb_strmap_find(&m, "path/1"), nullptr);
}

TEST(Tokens, StemsWordFormsTogether) {
  for (const char *w : {"evaluates", "evaluated", "evaluator", "evaluate", "evaluating"})
    EXPECT_EQ(Tokens(w), (std::vector<std::string>{"evaluat"})) << w;
  for (const char *w : {"settings", "setting", "sets"})
    EXPECT_EQ(Tokens(w), (std::vector<std::string>{"set"})) << w;
  EXPECT_EQ(Tokens("status class addresses"),
            (std::vector<std::string>{"status", "class", "address"}));
}

TEST(Tokens, DropsStopWordsNumbersAndSingleLetters) {
  EXPECT_EQ(Tokens("def self return the x 42 a1 ok"), (std::vector<std::string>{"a1", "ok"}));
  EXPECT_TRUE(cb_tokens_is_stopword("function", 8));
  EXPECT_FALSE(cb_tokens_is_stopword("invoice", 7));
}

TEST(Tokens, PartsShareTheWholeWordsPosition) {
  std::vector<Tok> v;
  const char *s = "loadUser settings";
  unsigned words = cb_tokens_each(s, strlen(s), Collect, &v);
  EXPECT_EQ(words, 2u);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].word, 0u);
  EXPECT_EQ(v[2].word, 0u);
  EXPECT_EQ(v[3].text, "set");
  EXPECT_EQ(v[3].word, 1u);
}

std::string Render(cb_tsv *t) {
  mdl_buf b = {};
  EXPECT_EQ(cb_tsv_render(t, &b), 0);
  std::string s = b.data ? b.data : "";
  mdl_buf_free(&b);
  return s;
}

TEST(Tsvector, WeightsSymbolAboveDocAboveCode) {
  cb_tsv *t = cb_tsv_new();
  ASSERT_NE(t, nullptr);
  cb_tsv_add_words(t, "parse_invoice", 13, CB_W_A);
  const char *code = "def parse_invoice(x):\n    # reads totals\n    return totals\n";
  cb_tsv_add_code(t, CB_LANG_PYTHON, code, strlen(code));
  std::string s = Render(t);
  // the compound whole is indexed for the symbol (A) only; in code only its pieces are
  EXPECT_NE(s.find("'parse_invoice':1A "), std::string::npos) << s;
  EXPECT_NE(s.find("'pars':1A,3C"), std::string::npos) << s;
  EXPECT_NE(s.find("'#parse_invoice':1A "), std::string::npos) << s;  // marked symbol token
  EXPECT_NE(s.find("'read':"), std::string::npos) << s;
  EXPECT_NE(s.find("'read':5B"), std::string::npos) << s;
  // positions count every word, stop words included; "totals" appears in a comment (B) and in code (C)
  EXPECT_NE(s.find("'total':6B,8C"), std::string::npos) << s;
  cb_tsv_reset(t);
  EXPECT_EQ(cb_tsv_count(t), 0u);
  EXPECT_EQ(Render(t), "");
  cb_tsv_free(t);
}

TEST(Tsvector, JavascriptCommentsAreDocAndStringsAreNot) {
  cb_tsv *t = cb_tsv_new();
  const char *code = "/** Sums the ledger. */\nconst s = 'http://x # y';\n// trailing note\n";
  cb_tsv_add_code(t, CB_LANG_JAVASCRIPT, code, strlen(code));
  std::string s = Render(t);
  EXPECT_NE(s.find("'sum':1B"), std::string::npos) << s;
  EXPECT_NE(s.find("'ledg':3B"), std::string::npos) << s;
  EXPECT_NE(s.find("'http':6C"), std::string::npos) << s;
  EXPECT_NE(s.find("'not':10B"), std::string::npos) << s;
  cb_tsv_free(t);
}

TEST(Tsvector, CapsPositionsPreferringHigherWeights) {
  cb_tsv *t = cb_tsv_new();
  std::string body;
  for (int i = 0; i < 20; i++) body += "ledger ";
  cb_tsv_add_words(t, body.data(), body.size(), CB_W_C);
  cb_tsv_add_words(t, "ledger", 6, CB_W_A);
  std::string s = Render(t);
  size_t commas = 0;
  for (char c : s) commas += c == ',';
  EXPECT_EQ(commas, (size_t)CB_TSV_MAX_POS - 1) << s;
  EXPECT_NE(s.find("21A"), std::string::npos) << s;
  cb_tsv_free(t);
}

TEST(Tsquery, AndOrGroupsWholeWordAndParts) {
  mdl_buf b = {};
  EXPECT_EQ(cb_tsquery_build("parseInvoice header", 1, &b), 2);
  EXPECT_STREQ(b.data, "('parseinvoice' | ('pars' & 'invoic')) & ('head')");
  mdl_buf_reset(&b);
  EXPECT_EQ(cb_tsquery_build("load user", 0, &b), 2);
  EXPECT_STREQ(b.data, "('load') | ('user')");
  mdl_buf_reset(&b);
  EXPECT_EQ(cb_tsquery_build_w("ledger", 1, 1, &b), 1);
  EXPECT_STREQ(b.data, "('#ledg')");
  mdl_buf_reset(&b);
  EXPECT_EQ(cb_tsquery_build("the !! ", 1, &b), 0);
  EXPECT_STREQ(b.data, "");
  mdl_buf_free(&b);
}

TEST(ChunkId, StableContentDerivedUuid) {
  char a[CB_CHUNK_ID_LEN], b[CB_CHUNK_ID_LEN], c[CB_CHUNK_ID_LEN], d[CB_CHUNK_ID_LEN];
  cb_chunk_id("default", "a.py", "f", "def f(): pass", 13, 0, a);
  cb_chunk_id("default", "a.py", "f", "def f(): pass", 13, 0, b);
  cb_chunk_id("other", "a.py", "f", "def f(): pass", 13, 0, c);
  cb_chunk_id("default", "a.py", "f", "def f(): pass", 13, 1, d);
  EXPECT_STREQ(a, b);
  EXPECT_STRNE(a, c);
  EXPECT_STRNE(a, d);
  ASSERT_EQ(strlen(a), 36u);
  EXPECT_EQ(a[14], '8');  // version 8
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  // Pinned value: the function must never change (ids are stored and referenced).
  EXPECT_STREQ(a, "e91a44a1-cf13-82a2-ad92-3f69a6aefe18");
}

TEST(Hash, LengthsAreIncludedInChains) {
  cb_hash128 z = {0, 0};
  cb_hash128 x = cb_hash("c", 1, cb_hash("ab", 2, z));
  cb_hash128 y = cb_hash("bc", 2, cb_hash("a", 1, z));
  EXPECT_FALSE(x.hi == y.hi && x.lo == y.lo);
  char hex[CB_HASH_HEX_LEN];
  cb_hash_hex(x, hex);
  EXPECT_EQ(strlen(hex), 32u);
}

// Pinned values over more than one 16-byte block and a nonzero ordinal: hash.c reads its input
// words little-endian on every host, so these hold on a big-endian build too.
TEST(Hash, PersistedValuesArePinnedAcrossBlocksAndOrdinals) {
  const char *src = "def handler(request):\n    return render(request, 'index.html')\n";
  char hex[CB_HASH_HEX_LEN], id[CB_CHUNK_ID_LEN];
  cb_hash_hex(cb_hash(src, strlen(src), cb_hash128{0, 0}), hex);
  EXPECT_STREQ(hex, "91bd4f0e69440a3ebf8f9e8a49f4f9f6");
  cb_chunk_id("default", "pkg/views.py", "handler", src, strlen(src), 2, id);
  EXPECT_STREQ(id, "545e5387-3ad3-88c3-b014-57890999c66a");
}

TEST(Buf, CopyFieldEscapes) {
  mdl_buf b = {};
  srv_pg_copy_field(&b, "a\tb\\c\nd\re", 9);
  EXPECT_STREQ(b.data, "a\\tb\\\\c\\nd\\re");
  mdl_buf_printf(&b, "%d-%s", 42, "x");
  EXPECT_STREQ(b.data, "a\\tb\\\\c\\nd\\re42-x");
  mdl_buf_free(&b);
}

}  // namespace
