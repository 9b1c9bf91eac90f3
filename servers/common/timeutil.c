/* timeutil.c — monotonic and wall clocks (see timeutil.h). clock_gettime never fails for these
 * clocks on Linux, so neither do these functions. */
#include "servers/common/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t srv_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t srv_mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t srv_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void srv_wall_iso8601_at(int64_t unix_ms, char buf[SRV_ISO8601_LEN]) {
  time_t secs = (time_t)(unix_ms / 1000);
  int ms = (int)(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  struct tm tm;
  gmtime_r(&secs, &tm);
  char tmp[80]; /* roomy for the compiler's worst case; real output is 24 characters */
  snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  memcpy(buf, tmp, SRV_ISO8601_LEN - 1);
  buf[SRV_ISO8601_LEN - 1] = '\0';
}

void srv_wall_iso8601(char buf[SRV_ISO8601_LEN]) {
  srv_wall_iso8601_at(srv_wall_ms(), buf);
}

void srv_sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec req = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
  struct timespec rem;
  while (nanosleep(&req, &rem) != 0 && errno == EINTR) req = rem;
}

int64_t srv_ms_until(int64_t deadline_mono_ms) {
  return deadline_mono_ms - srv_mono_ms();
}
