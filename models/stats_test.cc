// stats_test.cc — the suite's one percentile method (linear interpolation between closest ranks,
// numpy "linear"), mean/min/max, sample stddev, CV and outlier counts against hand-computed values.
#include "models/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

std::vector<double> OneToTen() {
  std::vector<double> v;
  for (int i = 1; i <= 10; i++) v.push_back(i);
  return v;
}

TEST(Stats, Percentile_LinearInterpolation_OneToTen) {
  std::vector<double> v = OneToTen();
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 50), 5.5);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 95), 9.55);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 99), 9.91);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 0), 1.0);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 100), 10.0);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 25), 3.25);
}

TEST(Stats, Percentile_MatchesNumpyLinear_UnevenValues) {
  // numpy.percentile([15, 20, 35, 40, 50], 40) == 29.0 ; 90 -> 46.0
  std::vector<double> v = {15, 20, 35, 40, 50};
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 40), 29.0);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(v.data(), v.size(), 90), 46.0);
}

TEST(Stats, Percentile_SingleSampleIsThatSample) {
  double x = 42.0;
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(&x, 1, 0), 42.0);
  EXPECT_DOUBLE_EQ(mdl_stats_percentile_sorted(&x, 1, 99), 42.0);
}

TEST(Stats, Summary_OneToTen_HandComputed) {
  std::vector<double> v = {7, 3, 10, 1, 5, 9, 2, 8, 6, 4};  // unsorted on purpose
  mdl_stats_summary s;
  mdl_err err;
  ASSERT_EQ(mdl_stats_summarize(v.data(), v.size(), &s, &err), MDL_OK) << err.msg;
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.stddev, 3.0276503540974917, 1e-12);  // sample (n-1) stddev
  EXPECT_NEAR(s.cv, 0.5504818825631803, 1e-12);
  EXPECT_NEAR(s.cv_percent, 55.04818825631803, 1e-10);
  EXPECT_DOUBLE_EQ(s.p50, 5.5);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.p95, 9.55);
  EXPECT_DOUBLE_EQ(s.p99, 9.91);
  EXPECT_DOUBLE_EQ(s.q1, 3.25);
  EXPECT_DOUBLE_EQ(s.q3, 7.75);
  EXPECT_DOUBLE_EQ(s.iqr, 4.5);
  EXPECT_EQ(s.outliers_stddev, 4u);  // 1, 2, 9, 10 are more than 3.03 from 5.5
  EXPECT_EQ(s.outliers_iqr, 0u);     // fences -3.5 and 14.5
  // The input is not reordered.
  EXPECT_DOUBLE_EQ(v[0], 7);
}

TEST(Stats, Summary_IqrOutlierDetected) {
  std::vector<double> v = {1, 2, 3, 4, 100};
  mdl_stats_summary s;
  ASSERT_EQ(mdl_stats_summarize(v.data(), v.size(), &s, nullptr), MDL_OK);
  EXPECT_DOUBLE_EQ(s.q1, 2);
  EXPECT_DOUBLE_EQ(s.q3, 4);
  EXPECT_EQ(s.outliers_iqr, 1u);     // 100 > 4 + 1.5 * 2
  EXPECT_EQ(s.outliers_stddev, 1u);  // only 100 is beyond one stddev (~43.6) of the mean 22
}

TEST(Stats, CV_IndexingRunsUnderFivePercent) {
  // SC: indexing CV < 5% over 5 runs — the CV is a ratio; cv_percent is that ratio * 100.
  std::vector<double> v = {120.0, 118.5, 121.2, 119.9, 120.4};
  EXPECT_DOUBLE_EQ(mdl_stats_mean(v.data(), v.size()), 120.0);
  EXPECT_NEAR(mdl_stats_stddev(v.data(), v.size()), 0.9823441352194263, 1e-12);
  EXPECT_NEAR(mdl_stats_cv(v.data(), v.size()), 0.008186201126828554, 1e-14);
  EXPECT_DOUBLE_EQ(mdl_stats_min(v.data(), v.size()), 118.5);
  EXPECT_DOUBLE_EQ(mdl_stats_max(v.data(), v.size()), 121.2);
}

TEST(Stats, StddevOfOneSampleIsZero) {
  double x = 3.0;
  EXPECT_DOUBLE_EQ(mdl_stats_stddev(&x, 1), 0.0);
  EXPECT_DOUBLE_EQ(mdl_stats_cv(&x, 1), 0.0);
}

TEST(Stats, Welford_StableForLargeOffset) {
  // Naive sum-of-squares loses everything here; Welford keeps the stddev of {0,1,2} + 1e9.
  std::vector<double> v = {1e9, 1e9 + 1, 1e9 + 2};
  EXPECT_NEAR(mdl_stats_stddev(v.data(), v.size()), 1.0, 1e-9);
}

TEST(Stats, Summarize_RejectsEmptyAndNonFinite) {
  mdl_stats_summary s;
  mdl_err err;
  EXPECT_EQ(mdl_stats_summarize(nullptr, 0, &s, &err), MDL_ERANGE);
  EXPECT_STREQ(err.field, "samples");
  std::vector<double> v = {1.0, NAN, 3.0};
  EXPECT_EQ(mdl_stats_summarize(v.data(), v.size(), &s, &err), MDL_ERANGE);
  EXPECT_NE(std::string(err.msg).find("finite"), std::string::npos);
  EXPECT_EQ(s.count, 0u);
}

TEST(Stats, Round2_HalfAwayFromZeroAndNoNegativeZero) {
  EXPECT_DOUBLE_EQ(mdl_round2(245.304), 245.3);
  EXPECT_DOUBLE_EQ(mdl_round2(0.125), 0.13);
  EXPECT_DOUBLE_EQ(mdl_round2(-0.125), -0.13);
  EXPECT_FALSE(std::signbit(mdl_round2(-0.001)));
  EXPECT_DOUBLE_EQ(mdl_round2(1e20), 1e20);  // beyond cents precision: unchanged
  EXPECT_DOUBLE_EQ(mdl_round2(mdl_round2(387.2)), mdl_round2(387.2));
}

}  // namespace
