// workflow_perf_test.cc — US1: 20 project switches among 5 projects (p95 < 50 ms) and entity
// queries with JSONB filters over 1,000 entities in 5 projects with 10-20 work items each
// (p95 < 100 ms). Writes workflow_perf.json, project_switch.result.json, entity_query.result.json.
#include "benchmarks/test_util.h"

namespace {

TEST(WorkflowPerf, SC003_SC004_SwitchP95Under50msAndEntityQueryP95Under100ms) {
  bench_env env;
  bench_err err;
  ASSERT_EQ(bench_env_start(&env, 0, 1, &err), BENCH_OK) << err.msg;
  bench_plan plan = bench_plan_full();
  bench_set set{};
  ASSERT_EQ(bench_op_workflow(&env, &plan, &set, &err), BENCH_OK) << err.msg;
  bench_set_stamp(&set);
  ASSERT_EQ(bench_write_outputs(&set, nullptr, "workflow_perf", &err), BENCH_OK) << err.msg;
  bench_test::ValidateWritten(MDL_OP_PROJECT_SWITCH);
  bench_test::ValidateWritten(MDL_OP_ENTITY_QUERY);

  const mdl_benchmark_result &sw = set.results[MDL_OP_PROJECT_SWITCH];
  const mdl_benchmark_result &eq = set.results[MDL_OP_ENTITY_QUERY];
  bench_test::Print(sw);
  bench_test::Print(eq);
  EXPECT_EQ(sw.sample_size, 20);
  EXPECT_EQ(bench_test::Param(sw, "projects"), 5);
  EXPECT_EQ(bench_test::Param(eq, "entities"), 1000);
  EXPECT_GE(bench_test::Param(eq, "work_items"), 50);
  EXPECT_LE(bench_test::Param(eq, "work_items"), 100);
  EXPECT_LT(sw.latency_p95_ms, 50.0) << "US1: project switch p95 < 50 ms";
  EXPECT_LT(eq.latency_p95_ms, 100.0) << "US1: entity query p95 < 100 ms";
  bench_set_free(&set);
  bench_env_stop(&env);
}

}  // namespace
