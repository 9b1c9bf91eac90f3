// Issue 5 relevance goal: for queries built from the fixture manifest (a symbol's name, or the
// words of its doc comment) the expected chunk is in the top 3 for >= 90% of queries.
#include <gtest/gtest.h>

#include <string>

#include "servers/codebase_mcp/test_client.h"

namespace {

TEST(Relevance, ExpectedChunkInTop3ForAtLeast90Percent) {
  tst::PgServer env;
  ASSERT_TRUE(env.Start(cbtest::Spec()));
  std::string dir = tst::TempDir("cbrel");
  std::string repo = dir + "/repo", manifest = dir + "/manifest.tsv";
  tst_repogen_opts o = {};
  o.out_dir = repo.c_str();
  o.manifest_path = manifest.c_str();
  o.files = 1500;
  o.seed = 7;
  o.binary_files = -1;
  o.unparseable_files = -1;
  tst_repogen_stats st = {};
  tst_err err = {};
  ASSERT_EQ(tst_repogen_generate(&o, &st, &err), TST_OK) << err.msg;
  cJSON *s = cbtest::Index(env, repo, "rel");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(tst::Str(s, "status"), "completed");
  // binary files and the unparseable file never fail the run
  EXPECT_EQ(tst::Num(s, "files_rejected"), st.binary_files);
  cJSON_Delete(s);
  tst_manifest *man = nullptr;
  ASSERT_EQ(tst_manifest_load(manifest.c_str(), &man, &err), TST_OK) << err.msg;
  cbtest::Relevance r = cbtest::MeasureRelevance(env, man, "rel", 37, true);
  tst_manifest_free(man);
  printf(
      "relevance: %d of %d queries have the expected chunk in the top 3 (%.1f%%); "
      "by name %d/%d, by doc words %d/%d\n",
      r.hits, r.queries, 100.0 * r.Rate(), r.name_hits, r.name_queries, r.doc_hits, r.doc_queries);
  ASSERT_GE(r.queries, 200);
  EXPECT_GE(r.Rate(), 0.90);
  env.Stop();
}

}  // namespace
