/* timestamp.c — ISO 8601 UTC parse/format on microseconds since the epoch.
 *
 * Civil-date arithmetic uses Howard Hinnant's days_from_civil / civil_from_days (proleptic
 * Gregorian), so no time zone database or locale is involved. */
#include "models/timestamp.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_SEC INT64_C(1000000)
#define SEC_PER_DAY INT64_C(86400)

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned k[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : k[m - 1];
}

/* Reads exactly n digits at s; -1 if any is not a digit. */
static int64_t digits(const char *s, int n) {
  int64_t v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

#define FORMAT_HINT "must be an ISO 8601 UTC time like 2025-10-13T10:30:00Z"

mdl_code mdl_time_parse(const char *text, int64_t *out_us, mdl_err *err) {
  assert(out_us != NULL);
  if (text == NULL) return mdl_err_set(err, MDL_ERANGE, "", FORMAT_HINT);
  size_t len = strlen(text);
  if (len < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':')
    return mdl_err_set(err, MDL_ERANGE, "", FORMAT_HINT);
  int64_t y = digits(text, 4), mo = digits(text + 5, 2), d = digits(text + 8, 2);
  int64_t h = digits(text + 11, 2), mi = digits(text + 14, 2), s = digits(text + 17, 2);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s > 59)
    return mdl_err_set(err, MDL_ERANGE, "", FORMAT_HINT " (a date or time part is out of range)");
  if ((unsigned)d > days_in_month(y, (unsigned)mo))
    return mdl_err_set(err, MDL_ERANGE, "", FORMAT_HINT " (day %d does not exist in that month)",
                       (int)d);
  const char *p = text + 19;
  int64_t frac_us = 0;
  if (*p == '.') {
    p++;
    int n = 0;
    int64_t scale = 100000;
    while (*p >= '0' && *p <= '9') {
      if (n < 6) {
        frac_us += (*p - '0') * scale;
        scale /= 10;
      }
      n++;
      p++;
    }
    if (n < 1 || n > 9)
      return mdl_err_set(err, MDL_ERANGE, "", FORMAT_HINT " (fraction must have 1-9 digits)");
  }
  if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
    return mdl_err_set(err, MDL_ERANGE, "", FORMAT_HINT " (must be UTC: end with Z or +00:00)");
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  *out_us = ((days * SEC_PER_DAY) + h * 3600 + mi * 60 + s) * US_PER_SEC + frac_us;
  return MDL_OK;
}

void mdl_time_format(int64_t us, char out[MDL_TIME_LEN]) {
  assert(out != NULL);
  const int64_t lo = days_from_civil(1, 1, 1) * SEC_PER_DAY * US_PER_SEC;
  const int64_t hi = (days_from_civil(9999, 12, 31) + 1) * SEC_PER_DAY * US_PER_SEC - 1;
  if (us < lo) us = lo;
  if (us > hi) us = hi;
  int64_t secs = us / US_PER_SEC, frac = us % US_PER_SEC;
  if (frac < 0) {
    frac += US_PER_SEC;
    secs -= 1;
  }
  int64_t days = secs / SEC_PER_DAY, rem = secs % SEC_PER_DAY;
  if (rem < 0) {
    rem += SEC_PER_DAY;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  /* The modulo operations are no-ops on clamped values; they tell the compiler the widths. */
  unsigned yy = (unsigned)y % 10000u, mo = m % 13u, dd = d % 32u;
  unsigned hh = (unsigned)(rem / 3600) % 24u, mm = (unsigned)(rem % 3600 / 60) % 60u,
           ss = (unsigned)(rem % 60) % 60u;
  unsigned fr = (unsigned)frac % 1000000u;
  if (fr == 0)
    snprintf(out, MDL_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02uZ", yy, mo, dd, hh, mm, ss);
  else if (fr % 1000 == 0)
    snprintf(out, MDL_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", yy, mo, dd, hh, mm, ss,
             fr / 1000u);
  else
    snprintf(out, MDL_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", yy, mo, dd, hh, mm, ss, fr);
}

mdl_code mdl_time_canonical(const char *text, char out[MDL_TIME_LEN], mdl_err *err) {
  int64_t us = 0;
  mdl_code rc = mdl_time_parse(text, &us, err);
  if (rc != MDL_OK) return rc;
  mdl_time_format(us, out);
  return MDL_OK;
}

int64_t mdl_time_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

void mdl_time_now(char out[MDL_TIME_LEN]) {
  int64_t us = mdl_time_now_us();
  mdl_time_format(us - us % 1000, out);
}
