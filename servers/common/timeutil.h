/* timeutil.h — the two clocks of servers/common: monotonic milliseconds for deadlines and
 * latencies, and wall-clock ISO 8601 UTC strings (millisecond precision) for logs and records.
 *
 * Deadlines everywhere in servers/common are absolute srv_mono_ms() values (int64_t), so they are
 * immune to wall-clock jumps. All functions are thread-safe and never fail. */
#ifndef SRV_TIMEUTIL_H
#define SRV_TIMEUTIL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes needed for "YYYY-MM-DDTHH:MM:SS.mmmZ" plus the NUL. */
#define SRV_ISO8601_LEN 25

/* Milliseconds on CLOCK_MONOTONIC (arbitrary origin). */
int64_t srv_mono_ms(void);

/* Microseconds on CLOCK_MONOTONIC, for latencies finer than a millisecond. */
int64_t srv_mono_us(void);

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t srv_wall_ms(void);

/* Writes the current UTC time as "2026-11-28T15:10:31.123Z" into buf (SRV_ISO8601_LEN bytes). */
void srv_wall_iso8601(char buf[SRV_ISO8601_LEN]);

/* Same for a given Unix time in milliseconds (e.g. a remembered event time). */
void srv_wall_iso8601_at(int64_t unix_ms, char buf[SRV_ISO8601_LEN]);

/* Sleeps ms milliseconds (restarting after signals); ms <= 0 returns at once. */
void srv_sleep_ms(int64_t ms);

/* Milliseconds left until deadline_mono_ms (negative when passed). */
int64_t srv_ms_until(int64_t deadline_mono_ms);

#ifdef __cplusplus
}
#endif

#endif /* SRV_TIMEUTIL_H */
