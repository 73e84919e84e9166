/* retry.h — what may be retried and how long to wait: the pure half of the
 * retry policy in kube_client.h, kept apart so it is unit-tested without a
 * network. Internal to kube/. */
#ifndef KONDUKTOR_KUBE_RETRY_H
#define KONDUKTOR_KUBE_RETRY_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kube_client.h"

enum retry_reason {
	RETRY_NO = 0,
	RETRY_THROTTLED,      /* 429: the server did not act on the request */
	RETRY_SERVER_ERROR,   /* 500/502/503/504 on an idempotent request */
	RETRY_CONNECT_FAILED, /* nothing of the request reached the server */
	RETRY_DROPPED,        /* the connection broke or timed out mid-request (idempotent) */
};

/* Decides from one attempt's outcome. `request_sent`: curl sent at least
 * one byte of the request (CURLINFO_REQUEST_SIZE > 0). */
enum retry_reason retry_classify(bool idempotent, CURLcode code, long http_status,
				 bool request_sent);

/* The wait before retry number `retry` (1 for the first): the doubling
 * delay d = min(max, initial * 2^(retry-1)), half of it fixed and half
 * random ("equal jitter"), so waits never collapse to zero. `random` is
 * any 32-bit random value. */
int64_t retry_backoff_ms(const struct kube_retry_policy *policy, int retry, uint32_t random);

/* Parses a Retry-After value: delta-seconds ("3") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `now`). Returns 0 and sets
 * *ret_ms (a date in the past gives 0), or -1 when unparseable. */
int retry_after_parse(const char *value, time_t now, int64_t *ret_ms);

#endif
