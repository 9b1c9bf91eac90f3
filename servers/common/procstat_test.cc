// Proves procstat.c: RSS and CPU readings move the way the process does (US3/US5 gauges).
#include "servers/common/procstat.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TEST(ProcStat, US5_RssGrowsWhenMemoryIsTouched) {
  uint64_t before = srv_proc_rss_bytes();
  ASSERT_GT(before, 100000u);
  const size_t n = 64u << 20;
  char *p = static_cast<char *>(malloc(n));
  ASSERT_NE(nullptr, p);
  memset(p, 1, n);
  uint64_t after = srv_proc_rss_bytes();
  EXPECT_GE(after, before + n / 2) << before << " -> " << after;
  srv_procstat st;
  srv_err err;
  ASSERT_EQ(SRV_OK, srv_procstat_read(0, &st, &err)) << err.msg;
  EXPECT_GE(st.rss_bytes, n / 2);
  EXPECT_GE(st.vsize_bytes, st.rss_bytes);
  EXPECT_GE(st.num_threads, 1);
  free(p);
}

TEST(ProcStat, CpuSecondsAdvanceWithWork) {
  double c0 = srv_proc_cpu_seconds();
  volatile double x = 0;
  for (long i = 0; i < 200000000L && srv_proc_cpu_seconds() - c0 < 0.2; i++) x += i * 0.5;
  EXPECT_GE(srv_proc_cpu_seconds() - c0, 0.2);
  srv_procstat st;
  srv_err err;
  ASSERT_EQ(SRV_OK, srv_procstat_read(getpid(), &st, &err));
  EXPECT_GE(st.cpu_user_s + st.cpu_system_s, 0.2);
}

TEST(ProcStat, MissingProcessIsNotFound) {
  srv_procstat st;
  srv_err err;
  EXPECT_EQ(SRV_ENOTFOUND, srv_procstat_read(999999999, &st, &err));
  EXPECT_NE(nullptr, strstr(err.msg, "999999999")) << err.msg;
}
