/* timeutil.h — clocks and the RFC 3339 timestamps Kubernetes uses. */
#ifndef KONDUKTOR_TIMEUTIL_H
#define KONDUKTOR_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock: for deadlines and durations. */
int64_t time_mono_ms(void);
/* Milliseconds since the epoch on the real-time clock. */
int64_t time_real_ms(void);
/* Sets *ret_ts to `ms` (>= 0) milliseconds from now on `clock`: the
 * absolute time pthread_cond_timedwait() takes, for a condition variable
 * that uses that clock. */
void time_after_ms(clockid_t clock, int64_t ms, struct timespec *ret_ts);

#define RFC3339_MAX 40
/* "2026-11-22T13:51:53Z" (seconds precision, UTC), as metav1.Time. */
void time_format_rfc3339(time_t t, char out[RFC3339_MAX]);
/* "2026-11-22T13:51:53.123456789Z" (RFC3339Nano, UTC), as log timestamps. */
void time_format_rfc3339_nano(const struct timespec *ts, char out[RFC3339_MAX]);
/* Parses RFC 3339 with optional fraction and Z or +hh:mm offset;
 * returns 0 and sets *ret (UTC seconds), or -1. */
int time_parse_rfc3339(const char *s, time_t *ret);

/* Parses a Go duration ("300ms", "1.5h", "1h30m", "-2s"; units ns, us,
 * µs, ms, s, m, h; "0" needs no unit), as kubectl's flags accept it.
 * Returns 0 and sets *ret_ns (nanoseconds), or -1 on syntax or overflow. */
int time_parse_duration_ns(const char *s, int64_t *ret_ns);

/* Parses a duration for flags that count seconds by default: a plain
 * number is seconds ("30"), anything else a Go duration as above
 * ("1m30s"); whole milliseconds, rounded down. 0 and sets *ret, or -1
 * leaving it (negative durations are refused). */
int time_parse_duration_ms(const char *s, int64_t *ret);

/* A duration as kubectl prints ages (apimachinery's HumanDuration):
 * "45s", "3m20s", "5h", "3d1h", "2y70d"; "0s" for -1 (clock skew),
 * "<invalid>" below that. `size` of 16 always suffices. */
void time_human_duration(int64_t seconds, char *out, size_t size);

/* Sleeps for ms milliseconds, resuming after signals. */
void time_sleep_ms(int64_t ms);

#endif
