/* timeutil.c — clocks and RFC 3339 timestamps. */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

int64_t time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_after_ms(clockid_t clock, int64_t ms, struct timespec *ret_ts)
{
	clock_gettime(clock, ret_ts);
	ret_ts->tv_sec += ms / 1000;
	ret_ts->tv_nsec += (ms % 1000) * 1000000;
	if (ret_ts->tv_nsec >= 1000000000) {
		ret_ts->tv_sec++;
		ret_ts->tv_nsec -= 1000000000;
	}
}

void time_format_rfc3339(time_t t, char out[RFC3339_MAX])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, RFC3339_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_format_rfc3339_nano(const struct timespec *ts, char out[RFC3339_MAX])
{
	struct tm tm;
	char date[24];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, RFC3339_MAX, "%s.%09ldZ", date, (long)ts->tv_nsec);
}

static int parse_digits(const char **p, int count, int *ret)
{
	int v = 0;

	for (int i = 0; i < count; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*ret = v;
	return 0;
}

static int expect_char(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

int time_parse_rfc3339(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	int year, mon, day, hour, min, sec, offset = 0;
	const char *p = s;
	time_t t;

	if (parse_digits(&p, 4, &year) || expect_char(&p, '-') || parse_digits(&p, 2, &mon) ||
	    expect_char(&p, '-') || parse_digits(&p, 2, &day))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (parse_digits(&p, 2, &hour) || expect_char(&p, ':') || parse_digits(&p, 2, &min) ||
	    expect_char(&p, ':') || parse_digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;

		p++;
		if (parse_digits(&p, 2, &oh) || expect_char(&p, ':') || parse_digits(&p, 2, &om))
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (*p || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*ret = t - offset;
	return 0;
}

/* The unit at *p (advancing past it) in nanoseconds, or 0 if none. */
static uint64_t duration_unit_ns(const char **p)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\xc2\xb5s", 1000 }, /* U+00B5 micro sign */
		{ "\xce\xbcs", 1000 }, /* U+03BC Greek mu */
		{ "ms", 1000000 },
		{ "s", 1000000000ULL },
		{ "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	size_t best = 0;
	uint64_t ns = 0;

	/* Longest match, so that "ms" is not read as "m" followed by "s". */
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if (n > best && strncmp(*p, units[i].name, n) == 0) {
			best = n;
			ns = units[i].ns;
		}
	}
	*p += best;
	return ns;
}

int time_parse_duration_ns(const char *s, int64_t *ret_ns)
{
	const char *p = s;
	bool negative = false;
	uint64_t total = 0;

	if (!s)
		return -1;
	if (*p == '-' || *p == '+')
		negative = *p++ == '-';
	if (!strcmp(p, "0")) {
		*ret_ns = 0;
		return 0;
	}
	if (!*p)
		return -1;
	while (*p) {
		uint64_t whole = 0, unit;
		double fraction = 0, scale = 1;
		bool digits = false;

		while (isdigit((unsigned char)*p)) {
			if (whole > (UINT64_MAX - 9) / 10)
				return -1;
			whole = whole * 10 + (uint64_t)(*p++ - '0');
			digits = true;
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				scale /= 10;
				fraction += (*p++ - '0') * scale;
				digits = true;
			}
		}
		if (!digits)
			return -1;
		unit = duration_unit_ns(&p);
		if (!unit)
			return -1; /* missing or unknown unit */
		if (whole > (uint64_t)INT64_MAX / unit)
			return -1;
		whole *= unit;
		whole += (uint64_t)(fraction * (double)unit);
		if (whole > (uint64_t)INT64_MAX - total)
			return -1;
		total += whole;
	}
	*ret_ns = negative ? -(int64_t)total : (int64_t)total;
	return 0;
}

void time_sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int time_parse_duration_ms(const char *s, int64_t *ret)
{
	int64_t ns;

	if (!s || !*s)
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		int64_t seconds;

		if (str_to_int64(s, &seconds) < 0 || seconds > INT64_MAX / 1000)
			return -1;
		*ret = seconds * 1000;
		return 0;
	}
	if (time_parse_duration_ns(s, &ns) < 0 || ns < 0)
		return -1;
	*ret = ns / 1000000;
	return 0;
}

void time_human_duration(int64_t s, char *out, size_t size)
{
	int64_t minutes = s / 60, hours = s / 3600, days = hours / 24;

	if (s < -1)
		snprintf(out, size, "<invalid>");
	else if (s < 0)
		snprintf(out, size, "0s");
	else if (s < 120)
		snprintf(out, size, "%" PRId64 "s", s);
	else if (minutes < 10)
		snprintf(out, size, s % 60 ? "%" PRId64 "m%" PRId64 "s" : "%" PRId64 "m", minutes,
			 s % 60);
	else if (minutes < 180)
		snprintf(out, size, "%" PRId64 "m", minutes);
	else if (hours < 8)
		snprintf(out, size, minutes % 60 ? "%" PRId64 "h%" PRId64 "m" : "%" PRId64 "h", hours,
			 minutes % 60);
	else if (hours < 48)
		snprintf(out, size, "%" PRId64 "h", hours);
	else if (hours < 24 * 8)
		snprintf(out, size, hours % 24 ? "%" PRId64 "d%" PRId64 "h" : "%" PRId64 "d", days,
			 hours % 24);
	else if (hours < 24 * 365 * 2)
		snprintf(out, size, "%" PRId64 "d", days);
	else if (hours < 24 * 365 * 8)
		snprintf(out, size, days % 365 ? "%" PRId64 "y%" PRId64 "d" : "%" PRId64 "y",
			 days / 365, days % 365);
	else
		snprintf(out, size, "%" PRId64 "y", days / 365);
}
