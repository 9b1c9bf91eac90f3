// significance_test.cc — Mann-Whitney U and the bootstrap ratio interval against known values.
//
// Every Mann-Whitney p-value below was computed with SciPy 1.10.1:
//   scipy.stats.mannwhitneyu(current, baseline, alternative=..., method="asymptotic",
//                            use_continuity=True)
// The bootstrap figures were computed with an independent Python re-implementation of the same
// procedure (each side sorted, then per resample n draws of splitmix64 from the seed mapped to an
// index by Lemire's multiply-shift, baseline first; numpy.percentile "linear") — they pin the
// procedure, so a change of generator or method cannot pass unnoticed.
#include "models/significance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

mdl_mwu_result Mwu(const std::vector<double> &b, const std::vector<double> &c) {
  mdl_mwu_result r;
  mdl_err e;
  EXPECT_EQ(mdl_mwu_test(b.data(), b.size(), c.data(), c.size(), &r, &e), MDL_OK) << e.msg;
  return r;
}

TEST(MannWhitney, CompleteSeparationThreeVsThree) {
  // scipy: U = 9.0, greater p = 0.04042779918502612, less 0.9854518341293739, two-sided
  // 0.08085559837005224. (Exact one-sided p would be 1/20 = 0.05.)
  mdl_mwu_result r = Mwu({1, 2, 3}, {4, 5, 6});
  EXPECT_DOUBLE_EQ(r.u, 9.0);
  EXPECT_DOUBLE_EQ(r.mean_u, 4.5);
  EXPECT_NEAR(r.sd_u, std::sqrt(5.25), 1e-12);
  EXPECT_NEAR(r.p_greater, 0.04042779918502612, 1e-12);
  EXPECT_NEAR(r.p_less, 0.9854518341293739, 1e-12);
  EXPECT_NEAR(r.p_two_sided, 0.08085559837005224, 1e-12);
}

TEST(MannWhitney, ThreeRunsAgainstFiveIsDecidable) {
  // The indexing case: 3 current runs all slower than 5 baseline runs.
  // scipy: U = 15.0, greater p = 0.018444212853524936, two-sided 0.03688842570704987.
  mdl_mwu_result r = Mwu({10, 11, 12, 13, 14}, {15, 16, 17});
  EXPECT_DOUBLE_EQ(r.u, 15.0);
  EXPECT_EQ(r.n_baseline, 5u);
  EXPECT_EQ(r.n_current, 3u);
  EXPECT_NEAR(r.p_greater, 0.018444212853524936, 1e-12);
  EXPECT_NEAR(r.p_two_sided, 0.03688842570704987, 1e-12);
}

TEST(MannWhitney, TiesUseAverageRanksAndTheTieCorrection) {
  // scipy: U = 24.0, greater p = 0.05695157229426534, less 0.9613756091726351.
  mdl_mwu_result r = Mwu({1, 2, 2, 3, 4}, {2, 3, 3, 5, 6, 7});
  EXPECT_DOUBLE_EQ(r.u, 24.0);
  // ties: {2,2,2} and {3,3,3}: sum(t^3 - t) = 48; var = 30/12 * (12 - 48/110).
  EXPECT_NEAR(r.sd_u, std::sqrt(30.0 / 12.0 * (12.0 - 48.0 / 110.0)), 1e-12);
  EXPECT_NEAR(r.p_greater, 0.05695157229426534, 1e-12);
  EXPECT_NEAR(r.p_less, 0.9613756091726351, 1e-12);
}

TEST(MannWhitney, TextbookExampleCurrentFaster) {
  // Baseline 19 22 16 29 24, current 20 11 17 12: U(current) = 3.
  // scipy: greater p = 0.9669037101389033, less 0.055673443266570206, two-sided
  // 0.11134688653314041.
  mdl_mwu_result r = Mwu({19, 22, 16, 29, 24}, {20, 11, 17, 12});
  EXPECT_DOUBLE_EQ(r.u, 3.0);
  EXPECT_NEAR(r.p_greater, 0.9669037101389033, 1e-12);
  EXPECT_NEAR(r.p_less, 0.055673443266570206, 1e-12);
  EXPECT_NEAR(r.p_two_sided, 0.11134688653314041, 1e-12);
}

TEST(MannWhitney, AllTiedIsNotSignificant) {
  mdl_mwu_result r = Mwu({5, 5, 5}, {5, 5, 5});
  EXPECT_DOUBLE_EQ(r.u, 4.5);
  EXPECT_DOUBLE_EQ(r.sd_u, 0.0);
  EXPECT_DOUBLE_EQ(r.p_greater, 1.0);
  EXPECT_DOUBLE_EQ(r.p_two_sided, 1.0);
}

TEST(MannWhitney, RejectsEmptyAndNonFiniteSides) {
  mdl_mwu_result r;
  mdl_err e;
  double x[2] = {1, 2}, bad[2] = {1, INFINITY};
  EXPECT_EQ(mdl_mwu_test(x, 0, x, 2, &r, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "baseline");
  EXPECT_EQ(mdl_mwu_test(x, 2, bad, 2, &r, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "current");
  EXPECT_NE(std::string(e.msg).find("sample 1"), std::string::npos) << e.msg;
}

TEST(Normal, UpperTail) {
  EXPECT_NEAR(mdl_normal_sf(0.0), 0.5, 1e-15);
  EXPECT_NEAR(mdl_normal_sf(1.6448536269514722), 0.05, 1e-12);  // scipy norm.isf(0.05)
  EXPECT_NEAR(mdl_normal_sf(-1.959963984540054), 0.975, 1e-12);
}

const std::vector<double> kBase = {10, 12, 11, 13, 9, 10, 14, 12};
const std::vector<double> kCur = {13, 12, 15, 14, 16, 13, 12, 17};

TEST(Bootstrap, MedianRatioIntervalIsPinned) {
  // Python re-implementation: (1.173913043478261, 1.0384615384615385, 1.5).
  mdl_ratio_ci ci;
  ASSERT_EQ(mdl_bootstrap_ratio_ci(kBase.data(), kBase.size(), kCur.data(), kCur.size(), 50, 0.95,
                                   1000, 42, &ci, nullptr),
            MDL_OK);
  EXPECT_NEAR(ci.ratio, 1.173913043478261, 1e-12);
  EXPECT_NEAR(ci.lo, 1.0384615384615385, 1e-12);
  EXPECT_NEAR(ci.hi, 1.5, 1e-12);
  EXPECT_EQ(ci.resamples, 1000);
}

TEST(Bootstrap, P95RatioIntervalIsPinned) {
  // Python re-implementation: (1.2197802197802199, 1.098901098901099, 1.374096030042918).
  mdl_ratio_ci ci;
  ASSERT_EQ(mdl_bootstrap_ratio_ci(kBase.data(), kBase.size(), kCur.data(), kCur.size(), 95, 0.90,
                                   500, 7, &ci, nullptr),
            MDL_OK);
  EXPECT_NEAR(ci.ratio, 1.2197802197802199, 1e-12);
  EXPECT_NEAR(ci.lo, 1.098901098901099, 1e-12);
  EXPECT_NEAR(ci.hi, 1.374096030042918, 1e-12);
}

TEST(Bootstrap, SameSeedSameIntervalAndIdenticalSetsStraddleOne) {
  mdl_ratio_ci a, b;
  ASSERT_EQ(mdl_bootstrap_ratio_ci(kBase.data(), kBase.size(), kBase.data(), kBase.size(), 50, 0.95,
                                   2000, 1, &a, nullptr),
            MDL_OK);
  ASSERT_EQ(mdl_bootstrap_ratio_ci(kBase.data(), kBase.size(), kBase.data(), kBase.size(), 50, 0.95,
                                   2000, 1, &b, nullptr),
            MDL_OK);
  EXPECT_DOUBLE_EQ(a.lo, b.lo);
  EXPECT_DOUBLE_EQ(a.hi, b.hi);
  EXPECT_DOUBLE_EQ(a.ratio, 1.0);
  EXPECT_LT(a.lo, 1.0);
  EXPECT_GT(a.hi, 1.0);
}

TEST(Bootstrap, ConstantSidesGiveAPointInterval) {
  std::vector<double> b(5, 10.0), c(7, 12.0);
  mdl_ratio_ci ci;
  ASSERT_EQ(mdl_bootstrap_ratio_ci(b.data(), b.size(), c.data(), c.size(), 95, 0.95, 100, 3, &ci,
                                   nullptr),
            MDL_OK);
  EXPECT_DOUBLE_EQ(ci.ratio, 1.2);
  EXPECT_DOUBLE_EQ(ci.lo, 1.2);
  EXPECT_DOUBLE_EQ(ci.hi, 1.2);
}

TEST(Bootstrap, RejectsBadParametersNamingThem) {
  mdl_ratio_ci ci;
  mdl_err e;
  const double *b = kBase.data(), *c = kCur.data();
  EXPECT_EQ(mdl_bootstrap_ratio_ci(b, 8, c, 8, 101, 0.95, 1000, 1, &ci, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "percentile");
  EXPECT_EQ(mdl_bootstrap_ratio_ci(b, 8, c, 8, 50, 1.0, 1000, 1, &ci, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "confidence");
  EXPECT_EQ(mdl_bootstrap_ratio_ci(b, 8, c, 8, 50, 0.95, 10, 1, &ci, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "resamples");
  EXPECT_EQ(mdl_bootstrap_ratio_ci(b, 0, c, 8, 50, 0.95, 1000, 1, &ci, &e), MDL_ERANGE);
  EXPECT_STREQ(e.field, "baseline");
}

}  // namespace
