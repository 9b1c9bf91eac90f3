// calibration_test.cc — the fixed calibration workload (deterministic, pinned checksum) and the
// calibrated CV against hand-computed values.
#include "models/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

TEST(Calibration, WorkloadIsDeterministicAndPinned) {
  // The pinned value guards the workload: changing it would make old calibration figures
  // incomparable, so a change must be deliberate (update the constant and say so).
  EXPECT_EQ(mdl_calib_work(1), MDL_CALIB_CHECKSUM_1);
  EXPECT_EQ(mdl_calib_work(1), mdl_calib_work(1));
  EXPECT_NE(mdl_calib_work(2), mdl_calib_work(1));
}

TEST(Calibration, TimeIsPositiveAndGrowsWithUnits) {
  double one = mdl_calib_time_ms(1);
  EXPECT_GT(one, 0.0);
  // Eight units take longer than one on any host (min of three to ride out a preemption).
  double eight = 1e9;
  for (int i = 0; i < 3; i++) eight = std::fmin(eight, mdl_calib_time_ms(8));
  EXPECT_GT(eight, one / 2);
}

TEST(Calibration, ProbeKeepsMeanMinMax) {
  mdl_calib_probe p = {};
  EXPECT_EQ(mdl_calib_probe_mean(&p), 0.0);
  mdl_calib_probe_add(&p, 2.0);
  mdl_calib_probe_add(&p, 4.0);
  mdl_calib_probe_add(&p, 3.0);
  EXPECT_EQ(p.n, 3u);
  EXPECT_DOUBLE_EQ(mdl_calib_probe_mean(&p), 3.0);
  EXPECT_DOUBLE_EQ(p.min_ms, 2.0);
  EXPECT_DOUBLE_EQ(p.max_ms, 4.0);
  double ms = mdl_calib_probe_take(&p, 1);
  EXPECT_GT(ms, 0.0);
  EXPECT_EQ(p.n, 4u);
}

struct Counted {
  int calls;
  uint64_t sink;
};
void CountedWork(void *ctx) {
  Counted *c = static_cast<Counted *>(ctx);
  c->calls++;
  c->sink ^= mdl_calib_work(2);
}

TEST(Calibration, ProbeRunTimesTheCallersWorkloadOnThisThread) {
  mdl_calib_probe p{};
  Counted c{0, 0};
  double a = mdl_calib_probe_run(&p, CountedWork, &c);
  double b = mdl_calib_probe_run(&p, CountedWork, &c);
  EXPECT_EQ(c.calls, 2) << "the workload runs once per probe";
  EXPECT_EQ(c.sink, 0u) << "the same work twice (x ^ x)";
  EXPECT_GT(a, 0.0);
  EXPECT_GT(b, 0.0);
  EXPECT_EQ(p.n, 2u);
  EXPECT_DOUBLE_EQ(p.sum_ms, a + b);
  EXPECT_DOUBLE_EQ(p.min_ms, std::fmin(a, b));
  EXPECT_DOUBLE_EQ(p.max_ms, std::fmax(a, b));
}

TEST(Calibration, HostSlowdownCancelsOut) {
  // The host runs 0%, 10%, 20% slower: the job and the workload both stretch by that factor.
  // Raw: mean 110, sample stddev 10 => CV 9.0909%. Calibrated: 100 * 1.1 / 1.0 etc. = 110 each.
  std::vector<double> v = {100, 110, 120}, c = {1.0, 1.1, 1.2}, out(3);
  mdl_calib_cv_result r;
  ASSERT_EQ(mdl_calib_cv(v.data(), c.data(), 3, &r, out.data(), nullptr), MDL_OK);
  EXPECT_NEAR(r.raw_cv_percent, 100.0 / 11.0, 1e-9);
  EXPECT_NEAR(r.calibrated_cv_percent, 0.0, 1e-9);
  EXPECT_NEAR(r.calib_cv_percent, 100.0 / 11.0, 1e-9);
  EXPECT_DOUBLE_EQ(r.ref_ms, 1.1);
  for (double x : out) EXPECT_NEAR(x, 110.0, 1e-9);
}

TEST(Calibration, CodeSlowdownStillShows) {
  // The host is steady and the third run really is slower: the calibrated CV sees it.
  std::vector<double> v = {100, 100, 130}, c = {1.0, 1.0, 1.0};
  mdl_calib_cv_result r;
  ASSERT_EQ(mdl_calib_cv(v.data(), c.data(), 3, &r, nullptr, nullptr), MDL_OK);
  // mean 110, deviations -10 -10 20, sample variance (100 + 100 + 400) / 2 = 300.
  EXPECT_NEAR(r.calibrated_cv_percent, std::sqrt(300.0) / 110.0 * 100.0, 1e-9);
  EXPECT_DOUBLE_EQ(r.raw_cv_percent, r.calibrated_cv_percent);
  EXPECT_DOUBLE_EQ(r.calib_cv_percent, 0.0);
}

TEST(Calibration, RejectsBadInputWithFieldAndRule) {
  mdl_calib_cv_result r;
  mdl_err e;
  double v[2] = {1, 2}, c[2] = {1, 0};
  EXPECT_EQ(mdl_calib_cv(v, c, 0, &r, nullptr, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "samples");
  EXPECT_EQ(mdl_calib_cv(v, c, 2, &r, nullptr, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "calibration");
  EXPECT_NE(std::string(e.msg).find("> 0"), std::string::npos);
  double bad[2] = {1, NAN}, ok[2] = {1, 1};
  EXPECT_EQ(mdl_calib_cv(bad, ok, 2, &r, nullptr, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "samples");
  EXPECT_EQ(r.raw_cv_percent, 0.0);
}

}  // namespace
