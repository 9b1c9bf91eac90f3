// smoke_test.cc — US3 smoke profile (load/profiles/smoke.json) against one real server: ramps
// to 50 VUs within 20 s, holds, ramps down (60 s), 1 s think time, over the scenario template of
// that server (codebase-mcp: four kinds of search + job status polls over an indexed repogen
// fixture; workflow-mcp: project switch, entity queries, work item create then get). Built twice
// with LD_SMOKE_SERVER set to each server id. Asserts the requirement's thresholds (p95 < 2 s,
// error rate < 1%), that every request of the mix ran, and that the LoadTestResult validates;
// the figures are in the test log and the JSON in the outputs.
#include <gtest/gtest.h>

#include "load/profile.h"
#include "load/summary.h"

namespace {

TEST(US3Smoke, SC_50ClientsWithin60sHoldP95Under2sAndErrorsUnder1Percent) {
  ld_profile_opts o{};
  o.profile_path = "load/profiles/smoke.json";
  o.server = LD_SMOKE_SERVER;
  ld_profile_outcome out{};
  ld_err err{};
  ASSERT_EQ(LD_OK, ld_profile_run(&o, &out, &err)) << err.msg;
  ld_summary_print(&out.last, stdout);
  const ld_result &r = out.last;
  EXPECT_EQ(50, r.peak_vus);
  EXPECT_GT(r.requests, 500u);  // 50 VUs with ~1 s think for 40 s at full strength
  for (int i = 0; i < r.nreq; i++) EXPECT_GT(r.req[i].count, 0u) << r.req[i].name;
  for (int i = 0; i < r.nthresholds; i++)
    EXPECT_TRUE(r.thresholds[i].ok) << r.thresholds[i].th.expr << " was " << r.thresholds[i].value;
  EXPECT_EQ(2, r.nthresholds);
  EXPECT_GT(r.res.samples, 30u);  // CPU / RSS once a second
  EXPECT_GT(r.res.rss_max, 1.0);  // MB: the server process was really sampled
  EXPECT_GT(r.res.pool_samples, 30u);
  cJSON *j = nullptr;
  ASSERT_EQ(LD_OK, ld_result_to_json(&r, &j, &err)) << err.msg;  // validated LoadTestResult
  cJSON_Delete(j);
  ld_result_free(&out.last);
}

}  // namespace
