// regression_sensitivity_test.cc — does the regression verdict catch a real 20% slowdown, and
// pass an unchanged server, on real servers? (//benchmarks:regression_sensitivity, manual.)
//
// Manual because on a loaded shared machine it is not reliable (docs/performance/README.md has
// every run): with load averages of 20-30 two identical fresh servers differed by 13-38% in 4 of
// 14 runs, and a fixed delay of 20% of the median moved the median by only 6-8% in 2. Run it on a
// quiet machine: bazel test //benchmarks:regression_sensitivity
#include <cmath>
#include <cstdio>
#include <string>

#include "benchmarks/compare.h"
#include "benchmarks/test_util.h"

namespace {

// FR-018 sizing, on real servers: at the regression run's sample sizes an unchanged server is
// judged pass and one made 20% slower (the test-only TEST_REQUEST_DELAY_US knob of servers/common,
// set to 20% of the measured median) is caught. Two workflow-mcp processes serve one seeded
// database and every step runs once on each (A/B, order alternating), so the host's noise falls
// on both alike and only the injected delay differs; both are started fresh for each phase. The
// operation is the entity query: it only reads, so A and B do not disturb each other (project
// switches all upsert one shared row, and there B measured 4x slower than A with no delay at all,
// so an A/B of switches on one database measures the interference, not the servers). Writes
// sensitivity-*.md to the outputs.
void Judge(bench_set *a, bench_set *b, const char *name, bench_comparison *cmp) {
  bench_set_stamp(a);
  bench_set_stamp(b);
  snprintf(a->source, sizeof a->source, "server A (no delay)");
  snprintf(b->source, sizeof b->source, "server B (%s)", name);
  bench_compare(a, b, cmp);
  printf("%s: %s\n", name, cmp->summary);
  for (size_t i = 0; i < cmp->n; i++)
    printf("  %s: %s — %s\n", cmp->rows[i].metric, bench_verdict_name(cmp->rows[i].verdict),
           cmp->rows[i].reason);
  const char *out = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (out == nullptr) return;
  std::string path = std::string(out) + "/sensitivity-" + name + ".md";
  FILE *f = fopen(path.c_str(), "w");
  if (f == nullptr) return;
  bench_comparison_write_markdown(cmp, a, b, f, nullptr);
  fclose(f);
}

TEST(Regression, FR018_TwentyPercentSlowdownIsCaughtAndUnchangedIsPass) {
  bench_env env;
  bench_err err;
  bench_wf_data *data = nullptr;
  ASSERT_EQ(bench_env_start(&env, 0, 1, &err), BENCH_OK) << err.msg;
  ASSERT_EQ(bench_wf_seed(&env, bench_plan_short().seed, &data, &err), BENCH_OK) << err.msg;
  const bench_plan plan = bench_plan_short();
  const mdl_operation_type op = MDL_OP_ENTITY_QUERY;
  // Each phase starts two fresh servers (A without the knob, B with knob_b): the seeding server
  // is never measured, since a warm server against a fresh one measured B 53-68% slower with no
  // delay at all.
  auto phase = [&](const char *knob_b, bench_set *a, bench_set *b) {
    tst_server *sa = nullptr, *sb = nullptr;
    ASSERT_EQ(bench_workflow_start_extra(&env, nullptr, &sa, &err), BENCH_OK) << err.msg;
    ASSERT_EQ(bench_workflow_start_extra(&env, knob_b, &sb, &err), BENCH_OK) << err.msg;
    EXPECT_EQ(bench_wf_ab(data, op, tst_server_url(sa), tst_server_url(sb), 30, plan.entity_queries,
                          a, b, &err),
              BENCH_OK)
        << err.msg;
    tst_server_destroy(sa);
    tst_server_destroy(sb);
  };

  // Unchanged: B is the same binary with the same settings.
  bench_set a{}, b{};
  phase(nullptr, &a, &b);
  ASSERT_TRUE(a.has[op] && b.has[op]);
  bench_comparison cmp;
  Judge(&a, &b, "unchanged", &cmp);
  EXPECT_EQ(cmp.verdict, BENCH_PASS) << cmp.summary;
  double median = a.results[op].latency_p50_ms;
  bench_set_free(&a);
  bench_set_free(&b);

  // 20% slower: the delay is 20% of A's median. The load of a shared machine can double the
  // latencies between two phases, and then the same delay is a 10% slowdown; a phase where the
  // delay came out under 15% of that phase's own A median did not inject 20%, so it is re-run
  // with the delay recomputed from it (at most twice more; every attempt is printed).
  const bench_row *p50 = nullptr;
  for (int attempt = 1; attempt <= 3; attempt++) {
    long delay_us = std::lround(median * 1000.0 * 0.2);
    if (delay_us < 1) delay_us = 1;
    std::string knob = "TEST_REQUEST_DELAY_US=" + std::to_string(delay_us);
    bench_set_free(&a);
    bench_set_free(&b);
    phase(knob.c_str(), &a, &b);
    ASSERT_TRUE(a.has[op] && b.has[op]);
    Judge(&a, &b, "entity_query-20pct", &cmp);
    double now = a.results[op].latency_p50_ms;
    printf(
        "entity_query: attempt %d, median %.3f ms, injected %ld us = %.1f%% of this phase's "
        "median %.3f ms\n",
        attempt, median, delay_us, delay_us / (now * 10.0), now);
    p50 = nullptr;
    for (size_t i = 0; i < cmp.n; i++)
      if (std::string("entity_query.p50") == cmp.rows[i].metric) p50 = &cmp.rows[i];
    ASSERT_NE(p50, nullptr);
    if (p50->verdict == BENCH_REVIEW || delay_us >= 0.15 * now * 1000.0) break;
    median = now;
  }
  EXPECT_EQ(p50->verdict, BENCH_REVIEW) << "a 20% slowdown was not caught: " << p50->reason;
  EXPECT_EQ(cmp.verdict, BENCH_REVIEW) << cmp.summary;
  bench_set_free(&a);
  bench_set_free(&b);
  bench_wf_free(data);
  bench_env_stop(&env);
}

}  // namespace
