// parse_probe_test.cc — the indexing benchmark's tree-sitter calibration workload does the same
// work on every call (pinned chunk count and source size), and its probe is timed.
#include "benchmarks/parse_probe.h"

#include <gtest/gtest.h>

namespace {

TEST(ParseProbe, SC001_EveryCallParsesTheSameSourceIntoThePinnedChunks) {
  bench_parse_probe *p = nullptr;
  bench_err err;
  ASSERT_EQ(bench_parse_probe_new(&p, &err), BENCH_OK) << err.msg;
  EXPECT_EQ(bench_parse_probe_last_chunks(p), -1) << "nothing parsed yet";
  size_t bytes = bench_parse_probe_source_bytes(p);
  EXPECT_GT(bytes, 5000u);
  for (int i = 0; i < 3; i++) {
    bench_parse_probe_work(p);
    EXPECT_EQ(bench_parse_probe_last_chunks(p), BENCH_PARSE_PROBE_CHUNKS)
        << "a class, its two methods and a function per generated class, call " << i;
  }
  EXPECT_EQ(bench_parse_probe_source_bytes(p), bytes) << "the source never changes";
  bench_parse_probe_free(p);
}

TEST(ParseProbe, SC001_TakeTimesOneParseIntoTheProbe) {
  bench_parse_probe *p = nullptr;
  bench_err err;
  ASSERT_EQ(bench_parse_probe_new(&p, &err), BENCH_OK) << err.msg;
  mdl_calib_probe probe{};
  double ms = bench_parse_probe_take(p, &probe);
  EXPECT_GT(ms, 0.0);
  EXPECT_EQ(probe.n, 1u);
  EXPECT_DOUBLE_EQ(mdl_calib_probe_mean(&probe), ms);
  EXPECT_EQ(bench_parse_probe_last_chunks(p), BENCH_PARSE_PROBE_CHUNKS);
  bench_parse_probe_free(p);
}

}  // namespace
