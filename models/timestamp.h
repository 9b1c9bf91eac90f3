/* timestamp.h — ISO 8601 UTC timestamps: parse, format, now.
 *
 * Accepted input: "YYYY-MM-DDTHH:MM:SS" + optional fraction (1-9 digits, kept to microseconds) +
 * "Z" or
 * "+00:00" (other offsets are rejected: every record time is UTC). Canonical output is
 * "YYYY-MM-DDTHH:MM:SSZ" when the fraction is zero, ".mmmZ" when it is whole milliseconds, else
 * ".uuuuuuZ"; records store their times canonically, so a parse/format round trip is byte-stable.
 * Years 0001-9999. Times are microseconds since 1970-01-01T00:00:00Z (negative before it). */
#ifndef MDL_TIMESTAMP_H
#define MDL_TIMESTAMP_H

#include <stdint.h>

#include "models/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDL_TIME_LEN 32 /* buffer size for a formatted timestamp (27 characters + NUL at most) */

/* Parses text into microseconds since the epoch. On failure returns MDL_ERANGE with err->field ""
 * and a message saying which part is wrong; *out_us is untouched. */
mdl_code mdl_time_parse(const char *text, int64_t *out_us, mdl_err *err);

/* Formats us canonically into out (always NUL-terminated). Values outside years 0001-9999 are
 * clamped to the nearest representable instant. */
void mdl_time_format(int64_t us, char out[MDL_TIME_LEN]);

/* Canonical form of text (parse + format). Returns MDL_ERANGE like mdl_time_parse. */
mdl_code mdl_time_canonical(const char *text, char out[MDL_TIME_LEN], mdl_err *err);

/* Current wall-clock time (CLOCK_REALTIME) in microseconds since the epoch. */
int64_t mdl_time_now_us(void);

/* Current time, formatted canonically with millisecond precision. */
void mdl_time_now(char out[MDL_TIME_LEN]);

#ifdef __cplusplus
}
#endif

#endif /* MDL_TIMESTAMP_H */
