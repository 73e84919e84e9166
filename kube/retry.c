/* retry.c — retry classification, backoff with jitter, Retry-After. */
#include "retry.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

enum retry_reason retry_classify(bool idempotent, CURLcode code, long http_status,
				 bool request_sent)
{
	switch (code) {
	case CURLE_OK:
		if (http_status == 429)
			return RETRY_THROTTLED;
		if (idempotent && (http_status == 500 || http_status == 502 || http_status == 503 ||
				   http_status == 504))
			return RETRY_SERVER_ERROR;
		return RETRY_NO;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return RETRY_CONNECT_FAILED;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		if (idempotent)
			return RETRY_DROPPED;
		/* A POST is repeated only if the server cannot have seen it. */
		return request_sent ? RETRY_NO : RETRY_CONNECT_FAILED;
	default:
		/* Verification failures, bad options, cancellation: retrying
		 * cannot change the outcome. */
		return RETRY_NO;
	}
}

int64_t retry_backoff_ms(const struct kube_retry_policy *policy, int retry, uint32_t random)
{
	int64_t delay = policy->initial_backoff_ms;
	int64_t half;

	for (int i = 1; i < retry && delay < policy->max_backoff_ms; i++)
		delay *= 2;
	if (delay > policy->max_backoff_ms)
		delay = policy->max_backoff_ms;
	if (delay <= 0)
		return 0;
	half = delay / 2;
	return delay - half + (int64_t)(random % (uint64_t)(half + 1));
}

static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* IMF-fixdate, the only date form servers may send (RFC 9110 5.6.7). */
static int parse_http_date(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	char weekday[4], month[4], zone[4];
	int day, year, hour, min, sec, consumed = 0;

	if (sscanf(s, "%3[A-Za-z], %d %3[A-Za-z] %d %d:%d:%d %3[A-Z]%n", weekday, &day, month,
		   &year, &hour, &min, &sec, zone, &consumed) != 8 ||
	    s[consumed] != '\0' || strlen(weekday) != 3 || strcmp(zone, "GMT") != 0)
		return -1;
	tm.tm_mon = -1;
	for (int i = 0; i < 12; i++)
		if (!strcmp(month, month_names[i]))
			tm.tm_mon = i;
	if (tm.tm_mon < 0 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 ||
	    year < 1970)
		return -1;
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*ret = timegm(&tm);
	return *ret == (time_t)-1 ? -1 : 0;
}

int retry_after_parse(const char *value, time_t now, int64_t *ret_ms)
{
	int64_t seconds;
	time_t when;
	char trimmed[64];
	size_t len;

	while (*value == ' ' || *value == '\t')
		value++;
	if (str_copy(trimmed, sizeof(trimmed), value) < 0)
		return -1;
	len = strlen(trimmed);
	while (len && isspace((unsigned char)trimmed[len - 1]))
		trimmed[--len] = '\0';
	if (isdigit((unsigned char)trimmed[0])) {
		if (str_to_int64(trimmed, &seconds) < 0 || seconds < 0 || seconds > 86400 * 365)
			return -1;
		*ret_ms = seconds * 1000;
		return 0;
	}
	if (parse_http_date(trimmed, &when) < 0)
		return -1;
	*ret_ms = when > now ? (int64_t)(when - now) * 1000 : 0;
	return 0;
}
