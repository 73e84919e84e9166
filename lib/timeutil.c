/* timeutil.c — clocks and RFC 3339 timestamps. */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int time_parse_duration_ms(const char *s, int64_t *ret)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = { { "ms", 1 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 } };
	bool plain = s && *s && strspn(s, "0123456789.") == strlen(s);
	double total = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	while (*p) {
		char *end;
		double v;
		size_t i;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		errno = 0;
		v = strtod(p, &end);
		if (errno || end == p)
			return -1;
		p = end;
		if (plain) {
			total = v * 1000; /* a plain number counts seconds */
			break;
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);

			if (!strncmp(p, units[i].unit, n)) {
				total += v * units[i].ms;
				p += n;
				break;
			}
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
	}
	if (total > 9.2e18)
		return -1;
	*ret = (int64_t)total;
	return 0;
}

void time_sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
