/* test_retry.c — what is retried, backoff bounds with jitter, and
 * Retry-After in both forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "retry.h"

static void test_classification(void **state)
{
	/* 429 for every verb: the server did not act on the request. */
	assert_int_equal(retry_classify(false, CURLE_OK, 429, true), RETRY_THROTTLED);
	assert_int_equal(retry_classify(true, CURLE_OK, 429, true), RETRY_THROTTLED);
	/* 5xx only when repeating is harmless. */
	for (long s = 500; s <= 504; s++) {
		if (s == 501)
			continue;
		assert_int_equal(retry_classify(true, CURLE_OK, s, true), RETRY_SERVER_ERROR);
		assert_int_equal(retry_classify(false, CURLE_OK, s, true), RETRY_NO);
	}
	assert_int_equal(retry_classify(true, CURLE_OK, 501, true), RETRY_NO);
	assert_int_equal(retry_classify(true, CURLE_OK, 200, true), RETRY_NO);
	assert_int_equal(retry_classify(true, CURLE_OK, 404, true), RETRY_NO);
	assert_int_equal(retry_classify(true, CURLE_OK, 409, true), RETRY_NO);
	/* Nothing reached the server: any verb. */
	assert_int_equal(retry_classify(false, CURLE_COULDNT_CONNECT, 0, false),
			 RETRY_CONNECT_FAILED);
	assert_int_equal(retry_classify(false, CURLE_COULDNT_RESOLVE_HOST, 0, false),
			 RETRY_CONNECT_FAILED);
	/* Broken mid-way: idempotent verbs always, others only if unsent. */
	assert_int_equal(retry_classify(true, CURLE_RECV_ERROR, 0, true), RETRY_DROPPED);
	assert_int_equal(retry_classify(true, CURLE_OPERATION_TIMEDOUT, 0, true), RETRY_DROPPED);
	assert_int_equal(retry_classify(false, CURLE_GOT_NOTHING, 0, true), RETRY_NO);
	assert_int_equal(retry_classify(false, CURLE_SSL_CONNECT_ERROR, 0, false),
			 RETRY_CONNECT_FAILED);
	/* Deterministic failures never. */
	assert_int_equal(retry_classify(true, CURLE_PEER_FAILED_VERIFICATION, 0, false), RETRY_NO);
	assert_int_equal(retry_classify(true, CURLE_ABORTED_BY_CALLBACK, 0, true), RETRY_NO);
}

static void test_backoff_doubles_within_bounds(void **state)
{
	const struct kube_retry_policy p = { .max_attempts = 10, .initial_backoff_ms = 200,
					     .max_backoff_ms = 5000, .max_retry_after_ms = 60000 };
	const int64_t expect_cap[] = { 200, 400, 800, 1600, 3200, 5000, 5000, 5000 };

	for (int retry = 1; retry <= 8; retry++) {
		int64_t d = expect_cap[retry - 1];

		/* Equal jitter: between half and all of the capped delay. */
		assert_int_equal(retry_backoff_ms(&p, retry, 0), d - d / 2);
		assert_int_equal(retry_backoff_ms(&p, retry, (uint32_t)(d / 2)), d);
		for (uint32_t r = 0; r < 1000000; r += 7919) {
			int64_t got = retry_backoff_ms(&p, retry, r * 2654435761u);

			assert_true(got >= d - d / 2 && got <= d);
		}
	}
	/* A huge retry count neither overflows nor exceeds the cap. */
	assert_true(retry_backoff_ms(&p, 1000, 12345) <= 5000);
}

static void test_retry_after_forms(void **state)
{
	/* 2015-10-21T07:28:00Z */
	const time_t now = 1445412480;
	int64_t ms = -1;

	assert_int_equal(retry_after_parse("3", now, &ms), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(retry_after_parse(" 0 ", now, &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(retry_after_parse("Wed, 21 Oct 2015 07:28:05 GMT", now, &ms), 0);
	assert_int_equal(ms, 5000);
	assert_int_equal(retry_after_parse("Wed, 21 Oct 2015 07:27:00 GMT", now, &ms), 0);
	assert_int_equal(ms, 0); /* in the past: now */
	ms = 42;
	assert_int_equal(retry_after_parse("-1", now, &ms), -1);
	assert_int_equal(retry_after_parse("1.5", now, &ms), -1);
	assert_int_equal(retry_after_parse("soon", now, &ms), -1);
	assert_int_equal(retry_after_parse("", now, &ms), -1);
	assert_int_equal(retry_after_parse("99999999999", now, &ms), -1);
	assert_int_equal(retry_after_parse("Wed, 21 Foo 2015 07:28:05 GMT", now, &ms), -1);
	assert_int_equal(retry_after_parse("Wed, 21 Oct 2015 07:28:05 PST", now, &ms), -1);
	assert_int_equal(retry_after_parse("Wed, 21 Oct 2015 07:28:05 GMT junk", now, &ms), -1);
	assert_int_equal(ms, 42); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classification),
		cmocka_unit_test(test_backoff_doubles_within_bounds),
		cmocka_unit_test(test_retry_after_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
