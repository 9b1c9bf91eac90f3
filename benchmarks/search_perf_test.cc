// search_perf_test.cc — US1: code search with 10 concurrent clients, >= 200 queries of four kinds
// (symbol, doc-comment words, misspelt identifier, path filter) over the indexed 10,000-file
// fixture; p95 < 500 ms. Then the same 10 clients on the low-vocabulary corpus of the same size,
// where each query of common words matches >= 100k chunks (issue 13): its own "search_lowvocab"
// figures. Writes search_perf.json, search.result.json and search_lowvocab.result.json.
#include "benchmarks/test_util.h"

namespace {

TEST(SearchPerf, SC002_SearchP95Under500msWith10ConcurrentClients) {
  bench_env env;
  bench_err err;
  ASSERT_EQ(bench_env_start(&env, 1, 0, &err), BENCH_OK) << err.msg;
  bench_plan plan = bench_plan_full();
  char repo[1024], manifest[1024], project[MDL_UUID_LEN];
  ASSERT_EQ(bench_fixture(&env, plan.index_files, plan.seed, repo, sizeof repo, manifest,
                          sizeof manifest, nullptr, &err),
            BENCH_OK)
      << err.msg;
  ASSERT_EQ(mdl_uuid_v4(project, nullptr), MDL_OK);
  double index_ms = 0;
  long files = 0;
  ASSERT_EQ(bench_index_once(&env, repo, project, 600000, &index_ms, nullptr, &files, nullptr,
                             nullptr, &err),
            BENCH_OK)
      << err.msg;
  printf("indexed %ld files in %.0f ms\n", files, index_ms);

  bench_set set{};
  double hit_rate = 0;
  ASSERT_EQ(bench_op_search(&env, &plan, manifest, project, &set, &hit_rate, &err), BENCH_OK)
      << err.msg;
  bench_set_stamp(&set);
  ASSERT_EQ(bench_write_outputs(&set, nullptr, "search_perf", &err), BENCH_OK) << err.msg;
  bench_test::ValidateWritten(MDL_OP_SEARCH);

  const mdl_benchmark_result &r = set.results[MDL_OP_SEARCH];
  bench_test::Print(r);
  printf(
      "expected file among the results: %.1f%% (symbol %.1f%%, doc %.1f%%, fuzzy %.1f%%, "
      "path %.1f%%)\n",
      100 * hit_rate, 100 * bench_test::Param(r, "hit_rate_symbol"),
      100 * bench_test::Param(r, "hit_rate_doc_words"),
      100 * bench_test::Param(r, "hit_rate_fuzzy_identifier"),
      100 * bench_test::Param(r, "hit_rate_path_filter"));
  printf("p95 by kind: symbol %.2f ms, doc %.2f ms, fuzzy %.2f ms, path %.2f ms\n",
         bench_test::Param(r, "p95_ms_symbol"), bench_test::Param(r, "p95_ms_doc_words"),
         bench_test::Param(r, "p95_ms_fuzzy_identifier"),
         bench_test::Param(r, "p95_ms_path_filter"));
  EXPECT_GE(r.sample_size, 200);
  EXPECT_EQ(bench_test::Param(r, "concurrent_clients"), 10);
  // The searches are real: looking a symbol up by name finds its file.
  EXPECT_GE(bench_test::Param(r, "hit_rate_symbol"), 0.8);
  EXPECT_LT(r.latency_p95_ms, 500.0) << "US1: search p95 < 500 ms with 10 concurrent clients";
  EXPECT_EQ(r.pass_status, MDL_STATUS_PASS);

  // Issue 13: the low-vocabulary corpus (same size and seed), where each query of common words
  // matches >= 100k chunks, as its own figures ("search_lowvocab"). Indexed after the searches
  // above, so their figures are taken exactly as before.
  char lrepo[1024], lmanifest[1024], lproject[MDL_UUID_LEN];
  ASSERT_EQ(bench_fixture_lowvocab(&env, plan.index_files, plan.seed, lrepo, sizeof lrepo,
                                   lmanifest, sizeof lmanifest, nullptr, &err),
            BENCH_OK)
      << err.msg;
  ASSERT_EQ(mdl_uuid_v4(lproject, nullptr), MDL_OK);
  ASSERT_EQ(bench_index_once(&env, lrepo, lproject, 900000, &index_ms, nullptr, &files, nullptr,
                             nullptr, &err),
            BENCH_OK)
      << err.msg;
  printf("indexed the low-vocabulary corpus (%ld files) in %.0f ms\n", files, index_ms);
  long min_matches = 0;
  // Every search must answer: the default engine's cost is bounded by k (issue 13).
  ASSERT_EQ(bench_op_search_lowvocab(&env, &plan, lmanifest, lproject, &set, &min_matches, &err),
            BENCH_OK)
      << err.msg;
  bench_set_stamp(&set);
  ASSERT_EQ(bench_write_outputs(&set, nullptr, "search_perf", &err), BENCH_OK) << err.msg;
  bench_test::ValidateWritten(MDL_OP_SEARCH_LOWVOCAB);
  const mdl_benchmark_result &lv = set.results[MDL_OP_SEARCH_LOWVOCAB];
  bench_test::Print(lv);
  printf("low vocabulary: each query matched %.0f..%.0f chunks (median %.0f)\n",
         bench_test::Param(lv, "matching_chunks_min"), bench_test::Param(lv, "matching_chunks_max"),
         bench_test::Param(lv, "matching_chunks_median"));
  EXPECT_GE(min_matches, 100000) << "issue 13: each low-vocabulary query matches >= 100k chunks";
  EXPECT_EQ(bench_test::Param(lv, "concurrent_clients"), 10);
  // SC-002 holds on this corpus too (issue 13's goal, 50 ms, is recorded, not asserted).
  EXPECT_LT(lv.latency_p95_ms, 500.0) << "SC-002: low-vocabulary search p95 < 500 ms, 10 clients";
  bench_set_free(&set);
  bench_env_stop(&env);
}

}  // namespace
