// svg_test.cc — the histogram pictures of the performance report (FR-020).
#include "benchmarks/svg.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

size_t Count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) n++;
  return n;
}

TEST(Svg, FR020_BaselineAndCurrentBarsWithP95AndTargetLines) {
  std::vector<double> base, cur;
  for (int i = 0; i < 100; i++) base.push_back(10.0 + i % 10);
  for (int i = 0; i < 50; i++) cur.push_back(12.0 + i % 10);
  bench_series b = {"baseline <a&b>", base.data(), base.size()};
  bench_series c = {"current", cur.data(), cur.size()};
  char *svg = nullptr;
  bench_err err;
  ASSERT_EQ(bench_svg_histogram("Search", &b, &c, 10, 20.0, &svg, &err), BENCH_OK) << err.msg;
  std::string s(svg);
  free(svg);
  EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(s.find("</svg>"), std::string::npos);
  EXPECT_GT(Count(s, "fill=\"#9e9e9e\" fill-opacity"), 4u);  // baseline bars
  EXPECT_GT(Count(s, "fill=\"#1f77b4\" fill-opacity"), 4u);  // current bars
  EXPECT_EQ(Count(s, "stroke-dasharray"), 2u);               // one p95 line per set
  EXPECT_NE(s.find("target 20 ms"), std::string::npos);
  EXPECT_NE(s.find("baseline &lt;a&amp;b&gt;"), std::string::npos);  // escaped label
  EXPECT_NE(s.find("n=100"), std::string::npos);
}

TEST(Svg, FR020_OneSidedAndDegenerateInputs) {
  double one = 5.0;
  bench_series c = {"current", &one, 1};
  char *svg = nullptr;
  ASSERT_EQ(bench_svg_histogram("Switch", nullptr, &c, 8, 50.0, &svg, nullptr), BENCH_OK);
  std::string s(svg);
  free(svg);
  EXPECT_EQ(Count(s, "stroke-dasharray"), 1u);
  EXPECT_EQ(s.find("target 50 ms"), std::string::npos);  // target outside the drawn range
  bench_series empty = {"x", nullptr, 0};
  bench_err err;
  EXPECT_EQ(bench_svg_histogram("Empty", &empty, &empty, 8, 0, &svg, &err), BENCH_EINVAL);
  EXPECT_NE(std::string(err.msg).find("no samples"), std::string::npos);
}

TEST(Svg, LinesOverTimeWithGapsAndATargetLine) {
  double x[] = {0, 1, 2, 3, 4};
  double p95[] = {10, 12, -1, 14, 20};  // -1: no sample in that interval, a gap in the line
  double p50[] = {5, 6, 7, 8, 9};
  bench_line l[2] = {{"p95 <ms>", x, p95, 5}, {"p50", x, p50, 5}};
  char *svg = nullptr;
  ASSERT_EQ(bench_svg_lines("Latency", "minutes", "ms", l, 2, 50, "limit", &svg, nullptr),
            BENCH_OK);
  std::string s(svg);
  free(svg);
  EXPECT_EQ(Count(s, "<polyline"), 3u);  // p95 split by its gap, p50 whole
  EXPECT_NE(s.find("p95 &lt;ms&gt;"), std::string::npos);
  EXPECT_NE(s.find(">limit</text>"), std::string::npos);
  bench_err err;
  double none[] = {-1};
  bench_line empty = {"x", x, none, 1};
  EXPECT_EQ(bench_svg_lines("E", "x", "y", &empty, 1, 0, nullptr, &svg, &err), BENCH_EINVAL);
  EXPECT_EQ(bench_svg_lines("E", "x", "y", l, 5, 0, nullptr, &svg, &err), BENCH_EINVAL);
}

}  // namespace
