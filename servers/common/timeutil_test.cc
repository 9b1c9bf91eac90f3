// Proves timeutil.c: ISO 8601 UTC with milliseconds (FR-013 timestamps) and monotonic clocks.
#include "servers/common/timeutil.h"

#include <ctype.h>
#include <gtest/gtest.h>

#include <string>

TEST(TimeUtil, FR013_Iso8601UtcMilliseconds) {
  char buf[SRV_ISO8601_LEN];
  srv_wall_iso8601(buf);
  // Shape "dddd-dd-ddTdd:dd:dd.dddZ" ('d' = digit).
  const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  ASSERT_EQ(shape.size(), strlen(buf)) << buf;
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] == 'd')
      EXPECT_TRUE(isdigit((unsigned char)buf[i])) << buf;
    else
      EXPECT_EQ(shape[i], buf[i]) << buf;
  }
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
