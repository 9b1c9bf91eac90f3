// profile_test.cc — one load profile (load/profiles/*.json) against one real server, as a test.
// Built once per profile and server with LD_PROFILE (the profile's name) and LD_SERVER (a
// mdl_server_id). Asserts the requirement's thresholds (p95 < 2 s, error rate < 1%; the soak's
// 0.1%), that every request of the mix ran and that the LoadTestResult validates; for capacity,
// that the stepping found a knee. The result JSON goes to the test's outputs.
//   smoke (in //load:all): ramps to 50 VUs within 20 s, 60 s in all, 300-file fixture;
//   standard / soak / capacity: tagged manual, run on purpose, e.g.
//     bazel test //load:soak_codebase --test_timeout=5400
// The figures of the committed runs are in docs/performance/load-testing-report.md.
#include "load/profile.h"

#include <gtest/gtest.h>

#include <string>

#include "load/summary.h"

namespace {

TEST(US3Profile, SC006_50ClientsHoldP95Under2sAndErrorsUnderTheLimit) {
  std::string path = std::string("load/profiles/") + LD_PROFILE + ".json";
  bool capacity = std::string(LD_PROFILE) == "capacity";
  ld_profile_opts o{};
  o.profile_path = path.c_str();
  o.server = LD_SERVER;
  ld_profile_outcome out{};
  ld_err err{};
  ASSERT_EQ(LD_OK, ld_profile_run(&o, &out, &err)) << err.msg;
  ld_summary_print(&out.last, stdout);
  const ld_result &r = out.last;
  if (capacity) {
    printf("capacity: knee %.0f/s offered, %.1f req/s, p95 %.2f ms after %d steps\n", out.knee_rate,
           out.knee_rps, out.knee_p95_ms, out.steps);
    EXPECT_GT(out.knee_rate, 0) << "not even the first step kept within the limits";
  } else {
    EXPECT_EQ(50, r.peak_vus);
    EXPECT_GT(r.requests, 500u);  // 50 VUs with ~1 s think for 40 s at full strength, at least
    for (int i = 0; i < r.nreq; i++) EXPECT_GT(r.req[i].count, 0u) << r.req[i].name;
    EXPECT_EQ(2, r.nthresholds);
    for (int i = 0; i < r.nthresholds; i++)
      EXPECT_TRUE(r.thresholds[i].ok)
          << r.thresholds[i].th.expr << " was " << r.thresholds[i].value;
    EXPECT_GT(r.res.samples, 30u);  // CPU / RSS once a second
    EXPECT_GT(r.res.rss_max, 1.0);  // MB: the server process was really sampled
    EXPECT_GT(r.res.pool_samples, 30u);
  }
  cJSON *j = nullptr;
  ASSERT_EQ(LD_OK, ld_result_to_json(&r, &j, &err)) << err.msg;  // validated LoadTestResult
  cJSON_Delete(j);
  ld_result_free(&out.last);
}

}  // namespace
