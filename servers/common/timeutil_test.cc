// Proves timeutil.c: ISO 8601 UTC with milliseconds (FR-013 timestamps) and monotonic clocks.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "servers/common/timeutil.h"

TEST(TimeUtil, FR013_Iso8601UtcMilliseconds) {
  char buf[SRV_ISO8601_LEN];
  srv_wall_iso8601(buf);
  EXPECT_TRUE(std::regex_match(std::string(buf),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << buf;
  srv_wall_iso8601_at(0, buf);
  EXPECT_STREQ("1970-01-01T00:00:00.000Z", buf);
  srv_wall_iso8601_at(1795100431123LL, buf);
  EXPECT_STREQ("2026-11-19T15:00:31.123Z", buf);
  srv_wall_iso8601_at(-1, buf);
  EXPECT_STREQ("1969-12-31T23:59:59.999Z", buf);
}

TEST(TimeUtil, MonotonicAdvancesWithSleep) {
  int64_t a = srv_mono_ms();
  int64_t au = srv_mono_us();
  srv_sleep_ms(30);
  int64_t b = srv_mono_ms();
  EXPECT_GE(b - a, 29);
  EXPECT_LT(b - a, 1000);
  EXPECT_GE(srv_mono_us() - au, 29000);
  EXPECT_LE(srv_ms_until(b + 500), 500);
  EXPECT_GT(srv_ms_until(b + 500), 400);
}
