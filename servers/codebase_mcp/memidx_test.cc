// Issue 13: the in-memory index's top-k search (early stopping) gives exactly the exhaustive
// ranking, for AND and OR queries, with the language and path-prefix filters and the name lifts,
// ties in doc order; impacts are ts_rank's per-lexeme shares; total_count is exact.
#include "servers/codebase_mcp/memidx.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Doc {
  std::string lang, path, sym, parent, tsv;
};

cb_memidx *Build(const std::vector<Doc> &docs, int64_t gen = 7) {
  cb_memidx_builder *b = cb_memidx_builder_new();
  EXPECT_NE(b, nullptr);
  for (size_t i = 0; i < docs.size(); i++) {
    cb_memidx_doc d = {};
    memset(d.id, 0, 16);
    d.id[0] = (unsigned char)(i >> 24);
    d.id[1] = (unsigned char)(i >> 16);
    d.id[2] = (unsigned char)(i >> 8);
    d.id[3] = (unsigned char)i;
    d.language = docs[i].lang.c_str();
    d.file_path = docs[i].path.c_str();
    d.symbol = docs[i].sym.c_str();
    d.parent_symbol = docs[i].parent.c_str();
    d.tsv = docs[i].tsv.c_str();
    EXPECT_EQ(cb_memidx_builder_add(b, &d), 0) << docs[i].tsv;
  }
  cb_memidx *m = nullptr;
  EXPECT_EQ(cb_memidx_build(b, gen, &m), 0);
  return m;
}

std::vector<cb_memidx_hit> SearchIdx(const cb_memidx *m, const cb_memidx_query &q, int k,
                                     long *total, bool exhaustive, cb_memidx_stats *st = nullptr) {
  std::vector<cb_memidx_hit> out(k);
  int n = 0;
  int rc = exhaustive ? cb_memidx_search_exhaustive(m, &q, k, out.data(), &n, total)
                      : cb_memidx_search(m, &q, k, out.data(), &n, total, st);
  EXPECT_EQ(rc, 0);
  out.resize(n);
  return out;
}

TEST(Memidx, Issue13_ImpactIsTsRankShareOfTheLexeme) {
  uint8_t a[] = {3};
  EXPECT_EQ(cb_memidx_impact(a, 1), 155);  // 1.0 / (pi^2 / 6) x 255
  uint8_t b[] = {2};
  EXPECT_EQ(cb_memidx_impact(b, 1), 62);  // 0.4 / 1.6449 x 255
  uint8_t ac[] = {3, 1};
  EXPECT_EQ(cb_memidx_impact(ac, 2), 163);     // (1 + 0.2 / 4) / 1.6449 x 255
  uint8_t ca[] = {1, 3};                       // the heaviest counts whole wherever it is
  EXPECT_EQ(cb_memidx_impact(ca, 2), 186);     // (1 + 0.2) / 1.6449 x 255
  EXPECT_EQ(cb_memidx_impact(nullptr, 0), 8);  // no positions: D
}

TEST(Memidx, Issue13_ParsesTsvectorTextAndSkipsSymbolTwins) {
  std::vector<Doc> docs = {
      {"python", "a.py", "parse_config", "", "'#config':1A '#pars':1A 'config':1A,5 'pars':1A"},
      {"python", "b.py", "", "", "'it''s':2 'rat':3B,4C"},
  };
  cb_memidx *m = Build(docs, 42);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(cb_memidx_generation(m), 42);
  EXPECT_EQ(cb_memidx_docs(m), 2u);
  EXPECT_EQ(cb_memidx_terms(m), 4u);  // config, pars, it's, rat ("rate" stemmed)
  EXPECT_EQ(cb_memidx_postings(m), 4u);
  EXPECT_GT(cb_memidx_bytes(m), 0u);
  EXPECT_EQ(cb_memidx_doc_id(m, 1)[3], 1);
  cb_memidx_query q;
  ASSERT_EQ(cb_memidx_query_parse("rate", 1, &q), 1);
  long total = -1;
  auto hits = SearchIdx(m, q, 10, &total, false);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].doc, 1u);
  EXPECT_EQ(total, 1);
  cb_memidx_release(m);

  cb_memidx_builder *b = cb_memidx_builder_new();
  cb_memidx_doc bad = {};
  bad.language = "python";
  bad.file_path = "x.py";
  bad.symbol = bad.parent_symbol = "";
  bad.tsv = "'open:1A";
  EXPECT_EQ(cb_memidx_builder_add(b, &bad), -1);
  cb_memidx_builder_free(b);
}

TEST(Memidx, Issue13_QueryParseMatchesTsqueryGroupsAndNames) {
  cb_memidx_query q;
  ASSERT_EQ(cb_memidx_query_parse("parseConfig the HttpClient", 1, &q), 2);  // "the": stop word
  EXPECT_STREQ(q.terms[q.words[0].whole], "parseconfig");
  ASSERT_EQ(q.words[0].nparts, 2);
  EXPECT_STREQ(q.terms[q.words[0].parts[0]], "pars");
  EXPECT_STREQ(q.terms[q.words[0].parts[1]], "config");
  EXPECT_STREQ(q.whole_name, "parseconfigthehttpclient");
  ASSERT_EQ(q.nnames, 3);
  EXPECT_STREQ(q.names[2], "httpclient");
  ASSERT_EQ(cb_memidx_query_parse("!!", 1, &q), 0);
}

// An exact symbol match first; a class named in the query lifts its own methods; the language
// and path filters; ties in doc order.
TEST(Memidx, Issue13_LiftsFiltersAndTies) {
  std::vector<Doc> docs = {
      {"python", "lib/mailer.py", "send", "Mailer", "'send':1A 'httpclient':3B,5B,7B,9C"},
      {"python", "net/client.py", "send", "HttpClient", "'send':1A 'httpclient':2D"},
      {"python", "net/client.py", "HttpClient", "",
       "'httpclient':1A 'http':1A 'client':1A 'send':4C"},
      {"javascript", "web/a.js", "", "", "'send':2C 'httpclient':3C"},
      {"javascript", "web/b.js", "", "", "'send':2C 'httpclient':3C"},
  };
  cb_memidx *m = Build(docs);
  ASSERT_NE(m, nullptr);
  cb_memidx_query q;
  ASSERT_EQ(cb_memidx_query_parse("HttpClient send", 1, &q), 2);
  long total = 0;
  auto hits = SearchIdx(m, q, 10, &total, false);
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_EQ(total, 5);
  EXPECT_EQ(hits[0].doc, 1u);  // HttpClient.send: + 2
  EXPECT_GE(hits[0].score, 2.0);
  EXPECT_EQ(hits[3].doc, 3u);  // equal text: doc order
  EXPECT_EQ(hits[4].doc, 4u);
  ASSERT_EQ(cb_memidx_query_parse("http_client", 1, &q), 1);
  hits = SearchIdx(m, q, 1, &total, false);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].doc, 2u);  // the symbol the whole query spells: + 3
  EXPECT_GE(hits[0].score, 3.0);
  ASSERT_EQ(cb_memidx_query_parse("send", 1, &q), 1);
  q.language = "javascript";
  hits = SearchIdx(m, q, 10, &total, false);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(total, 2);
  q.language = "cobol";
  hits = SearchIdx(m, q, 10, &total, false);
  EXPECT_EQ(hits.size(), 0u);
  q.language = nullptr;
  q.path_prefix = "net/";
  hits = SearchIdx(m, q, 10, &total, false);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(total, 2);
  q.path_prefix = "net/client.pyz";
  hits = SearchIdx(m, q, 10, &total, false);
  EXPECT_EQ(hits.size(), 0u);
  cb_memidx_release(m);
}

// A generated corpus: Zipf-distributed lexemes, skewed weights and positions, a few languages,
// directories, and symbol / parent names from a small pool (so lifts happen often).
std::vector<Doc> Corpus(std::mt19937 &rng, int ndocs, int vocab, std::vector<std::string> *lex) {
  lex->clear();
  for (int i = 0; i < vocab; i++) lex->push_back("w" + std::to_string(i));
  std::vector<double> wts;
  for (int i = 0; i < vocab; i++) wts.push_back(1.0 / (i + 1));
  std::discrete_distribution<int> zipf(wts.begin(), wts.end());
  // as in code: most positions are code (C) or comments (B), few are in a symbol name (A)
  std::discrete_distribution<int> weight({20, 60, 17, 3}), npos({0, 60, 25, 10, 5});
  std::uniform_int_distribution<int> len(1, 30), coin(0, 9);
  const char *langs[] = {"python", "javascript", "text"};
  const char *letters = " CBA";  // D is printed without a letter
  std::vector<Doc> docs;
  for (int d = 0; d < ndocs; d++) {
    Doc doc;
    doc.lang = langs[rng() % 3];
    doc.path = "d" + std::to_string(rng() % 7) + "/f" + std::to_string(rng() % 40) + ".py";
    if (coin(rng) < 6) doc.sym = "W" + std::to_string(rng() % 12);  // names some terms spell
    if (coin(rng) < 3) doc.parent = "w" + std::to_string(rng() % 12);
    std::vector<int> seen;
    int n = len(rng), pos = 1;
    for (int i = 0; i < n; i++) {
      int t = zipf(rng);
      bool dup = false;
      for (int s : seen) dup = dup || s == t;
      if (dup) continue;
      seen.push_back(t);
      if (!doc.tsv.empty()) doc.tsv += " ";
      doc.tsv += "'" + (*lex)[t] + "':";
      int np = npos(rng);
      for (int p = 0; p < np; p++) {
        pos += 1 + (int)(rng() % 5);
        int w = weight(rng);
        doc.tsv += (p ? "," : "") + std::to_string(pos);
        if (w) doc.tsv += letters[w];
      }
    }
    docs.push_back(doc);
  }
  return docs;
}

TEST(Memidx, Issue13_TopKEqualsExhaustiveRankingOnGeneratedCorpora) {
  std::mt19937 rng(13);
  int checked = 0;
  for (int corpus = 0; corpus < 6; corpus++) {
    std::vector<std::string> lex;
    int ndocs = corpus < 3 ? 300 : 6000;
    std::vector<Doc> docs = Corpus(rng, ndocs, corpus % 2 ? 40 : 400, &lex);
    cb_memidx *m = Build(docs);
    ASSERT_NE(m, nullptr);
    for (int qi = 0; qi < 150; qi++) {
      cb_memidx_query q;
      memset(&q, 0, sizeof q);
      q.and_mode = (int)(rng() % 2);
      int nw = 1 + (int)(rng() % 4);
      for (int w = 0; w < nw; w++) {
        // a word is one term, or a whole form that is rarely present plus 2-3 pieces
        if (rng() % 3) {
          std::string t = rng() % 20 ? lex[rng() % std::min<size_t>(lex.size(), 60)] : "absent";
          ASSERT_EQ(cb_memidx_query_add_term(&q, t.c_str()), 0);
        } else {
          cb_memidx_word *wd = &q.words[q.nwords++];
          snprintf(q.terms[q.nterms], sizeof q.terms[0], "%s", lex[rng() % lex.size()].c_str());
          wd->whole = q.nterms++;
          wd->nparts = 2 + (int)(rng() % 2);
          for (int p = 0; p < wd->nparts; p++) {
            snprintf(q.terms[q.nterms], sizeof q.terms[0], "%s", lex[rng() % 20].c_str());
            wd->parts[p] = q.nterms++;
          }
        }
      }
      // names: sometimes the whole query names a symbol, sometimes a class
      if (rng() % 2) {
        snprintf(q.whole_name, sizeof q.whole_name, "w%d", (int)(rng() % 12));
        q.nnames = 1 + (int)(rng() % 2);
        for (int i = 0; i < q.nnames; i++) snprintf(q.names[i], 65, "w%d", (int)(rng() % 12));
      }
      if (rng() % 4 == 0) q.language = rng() % 2 ? "python" : "text";
      if (rng() % 4 == 0) q.path_prefix = rng() % 2 ? "d3/" : "d1/f1";
      int k = std::vector<int>{1, 3, 10, 50}[rng() % 4];
      long total = -1, etotal = -2;
      auto got = SearchIdx(m, q, k, &total, false);
      auto want = SearchIdx(m, q, k, &etotal, true);
      ASSERT_EQ(total, etotal) << "corpus " << corpus << " query " << qi;
      ASSERT_EQ(got.size(), want.size()) << "corpus " << corpus << " query " << qi;
      for (size_t i = 0; i < got.size(); i++) {
        ASSERT_EQ(got[i].doc, want[i].doc) << "corpus " << corpus << " query " << qi << " #" << i;
        ASSERT_EQ(got[i].key, want[i].key);
        ASSERT_DOUBLE_EQ(got[i].score, want[i].score);
      }
      checked += got.size() > 0;
    }
    cb_memidx_release(m);
  }
  EXPECT_GT(checked, 400);  // most queries had answers to compare
}

// The point of it: on common words the top-k pass evaluates a fraction of the matches.
TEST(Memidx, Issue13_TopKStopsEarlyOnCommonWords) {
  std::mt19937 rng(5);
  std::vector<std::string> lex;
  std::vector<Doc> docs = Corpus(rng, 60000, 30, &lex);
  cb_memidx *m = Build(docs);
  ASSERT_NE(m, nullptr);
  for (int and_mode = 0; and_mode < 2; and_mode++) {
    cb_memidx_query q;
    memset(&q, 0, sizeof q);
    q.and_mode = and_mode;
    ASSERT_EQ(cb_memidx_query_add_term(&q, "w0"), 0);
    ASSERT_EQ(cb_memidx_query_add_term(&q, "w1"), 0);
    long total = 0;
    cb_memidx_stats st;
    auto got = SearchIdx(m, q, 10, &total, false, &st);
    long etotal = 0;
    auto want = SearchIdx(m, q, 10, &etotal, true);
    ASSERT_EQ(got.size(), 10u);
    for (size_t i = 0; i < got.size(); i++) EXPECT_EQ(got[i].doc, want[i].doc);
    EXPECT_EQ(total, etotal);
    printf("%s: %ld matches, %llu candidates, %llu fully scored, %llu blocks skipped\n",
           and_mode ? "AND" : "OR", total, (unsigned long long)st.candidates,
           (unsigned long long)st.scored, (unsigned long long)st.blocks_skipped);
    EXPECT_GT(total, 10000);
    EXPECT_LT(st.scored * 4, (unsigned long long)total);
  }
  cb_memidx_release(m);
}

}  // namespace
