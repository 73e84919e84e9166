/* test_workqueue.c — the controllers' work queue: deduplication, keys
 * added while processing, delays, and stopping with work queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "timeutil.h"
#include "workqueue.h"

struct record {
	pthread_mutex_t lock;
	char seen[64][16];
	int64_t at[64];
	int n;
	int in_flight, max_in_flight;
	struct workqueue *q;
	bool requeue_once;
};

static void process(void *ctx, const char *key)
{
	struct record *r = ctx;

	pthread_mutex_lock(&r->lock);
	r->in_flight++;
	if (r->in_flight > r->max_in_flight)
		r->max_in_flight = r->in_flight;
	if (r->n < 64) {
		strncpy(r->seen[r->n], key, 15);
		r->at[r->n] = time_mono_ms();
		r->n++;
	}
	pthread_mutex_unlock(&r->lock);
	if (r->requeue_once && !strcmp(key, "again")) {
		r->requeue_once = false;
		workqueue_add(r->q, "again"); /* while processing: runs again after */
	}
	time_sleep_ms(20);
	pthread_mutex_lock(&r->lock);
	r->in_flight--;
	pthread_mutex_unlock(&r->lock);
}

static int count(struct record *r, const char *key)
{
	int n = 0;

	pthread_mutex_lock(&r->lock);
	for (int i = 0; i < r->n; i++)
		n += !strcmp(r->seen[i], key);
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void wait_for(struct record *r, int total)
{
	int64_t deadline = time_mono_ms() + 10000;

	for (;;) {
		int n;

		pthread_mutex_lock(&r->lock);
		n = r->n;
		pthread_mutex_unlock(&r->lock);
		if (n >= total || time_mono_ms() > deadline)
			break;
		time_sleep_ms(5);
	}
}

static void test_dedup_and_requeue_while_processing(void **state)
{
	struct record r = { .lock = PTHREAD_MUTEX_INITIALIZER, .requeue_once = true };

	r.q = workqueue_new("test", process, &r);
	workqueue_add(r.q, "blocker");
	workqueue_add(r.q, "a");
	workqueue_add(r.q, "a");
	workqueue_add(r.q, "a");
	workqueue_add(r.q, "again");
	wait_for(&r, 4);
	time_sleep_ms(100);
	assert_int_equal(count(&r, "a"), 1);
	assert_int_equal(count(&r, "again"), 2);
	assert_int_equal(r.max_in_flight, 1);
	workqueue_free(r.q);
}

static void test_delays_keep_the_earliest(void **state)
{
	struct record r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	int64_t start = time_mono_ms();

	r.q = workqueue_new("test", process, &r);
	workqueue_add_after(r.q, "late", 5000);
	workqueue_add_after(r.q, "late", 150); /* earlier: wins */
	workqueue_add_after(r.q, "now", 0);
	wait_for(&r, 2);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.seen[0], "now");
	assert_string_equal(r.seen[1], "late");
	assert_true(r.at[1] - start >= 150);
	workqueue_free(r.q);
}

static void test_free_with_work_queued(void **state)
{
	struct record r = { .lock = PTHREAD_MUTEX_INITIALIZER };

	r.q = workqueue_new("test", process, &r);
	for (int i = 0; i < 20; i++) {
		char key[16];

		key[0] = 'k';
		key[1] = (char)('a' + i);
		key[2] = '\0';
		workqueue_add(r.q, key);
	}
	workqueue_add_after(r.q, "never", 60000);
	workqueue_free(r.q); /* returns after at most the key in progress */
	assert_true(r.n < 20);
	assert_int_equal(count(&r, "never"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup_and_requeue_while_processing),
		cmocka_unit_test(test_delays_keep_the_earliest),
		cmocka_unit_test(test_free_with_work_queued),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
