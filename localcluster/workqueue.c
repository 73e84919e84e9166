/* workqueue.c — keyed, deduplicating, delayed work queue (workqueue.h). */
#include "workqueue.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hashmap.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

/* What the maps hold for a key (values must be non-NULL pointers). */
#define MARK ((void *)1)

struct workqueue {
	char *name;
	workqueue_fn fn;
	void *ctx;
	pthread_t worker;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	/* The ready keys in FIFO order: a ring of owned strings. */
	char **ring;
	size_t head, len, cap;
	struct hashmap queued;     /* keys in the ring */
	struct hashmap processing; /* the key being processed */
	struct hashmap dirty;      /* added again while processing */
	struct hashmap delayed;    /* key -> int64_t * due time (monotonic ms) */
};

static void ring_push(struct workqueue *q, const char *key)
{
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		char **ring = xcalloc(cap, sizeof(*ring));

		for (size_t i = 0; i < q->len; i++)
			ring[i] = q->ring[(q->head + i) % q->cap];
		free(q->ring);
		q->ring = ring;
		q->head = 0;
		q->cap = cap;
	}
	q->ring[(q->head + q->len++) % q->cap] = xstrdup(key);
}

static char *ring_pop(struct workqueue *q)
{
	char *key = q->ring[q->head];

	q->head = (q->head + 1) % q->cap;
	q->len--;
	return key;
}

/* Makes key ready; the caller holds the lock. */
static void enqueue_locked(struct workqueue *q, const char *key)
{
	if (hashmap_get(&q->processing, key)) {
		hashmap_put(&q->dirty, key, MARK);
		return;
	}
	if (hashmap_get(&q->queued, key))
		return;
	hashmap_put(&q->queued, key, MARK);
	ring_push(q, key);
	pthread_cond_signal(&q->wake);
}

/* Moves due delayed keys to the ring; returns the next due time or -1. */
static int64_t promote_delayed(struct workqueue *q, int64_t now)
{
	int64_t next = -1;
	size_t pos = 0;
	const char *key;
	void *value;

	while (hashmap_next(&q->delayed, &pos, &key, &value)) {
		int64_t due = *(int64_t *)value;

		if (due <= now) {
			char *copy = xstrdup(key);

			free(hashmap_remove(&q->delayed, key));
			enqueue_locked(q, copy);
			free(copy);
			continue;
		}
		if (next < 0 || due < next)
			next = due;
	}
	return next;
}

static void *worker_main(void *arg)
{
	struct workqueue *q = arg;

	pthread_mutex_lock(&q->lock);
	while (!q->stopping) {
		int64_t next = promote_delayed(q, time_mono_ms());
		char *key;

		if (!q->len) {
			if (next < 0) {
				pthread_cond_wait(&q->wake, &q->lock);
			} else {
				struct timespec until;
				int64_t wait_ms = next - time_mono_ms();

				if (wait_ms < 0)
					wait_ms = 0;
				time_after_ms(CLOCK_REALTIME, wait_ms, &until);
				pthread_cond_timedwait(&q->wake, &q->lock, &until);
			}
			continue;
		}
		key = ring_pop(q);
		hashmap_remove(&q->queued, key);
		hashmap_put(&q->processing, key, MARK);
		pthread_mutex_unlock(&q->lock);
		q->fn(q->ctx, key);
		pthread_mutex_lock(&q->lock);
		hashmap_remove(&q->processing, key);
		if (hashmap_remove(&q->dirty, key))
			enqueue_locked(q, key);
		free(key);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct workqueue *workqueue_new(const char *name, workqueue_fn fn, void *ctx)
{
	struct workqueue *q = xcalloc(1, sizeof(*q));
	int rc;

	q->name = xstrdup(name);
	q->fn = fn;
	q->ctx = ctx;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	hashmap_init(&q->queued);
	hashmap_init(&q->processing);
	hashmap_init(&q->dirty);
	hashmap_init(&q->delayed);
	rc = pthread_create(&q->worker, NULL, worker_main, q);
	if (rc)
		die("cannot start the %s worker: %s", name, strerror(rc));
	return q;
}

void workqueue_add(struct workqueue *q, const char *key)
{
	pthread_mutex_lock(&q->lock);
	if (!q->stopping)
		enqueue_locked(q, key);
	pthread_mutex_unlock(&q->lock);
}

void workqueue_add_after(struct workqueue *q, const char *key, int64_t delay_ms)
{
	int64_t due = time_mono_ms() + delay_ms, *slot;

	if (delay_ms <= 0) {
		workqueue_add(q, key);
		return;
	}
	pthread_mutex_lock(&q->lock);
	if (!q->stopping) {
		slot = hashmap_get(&q->delayed, key);
		if (!slot) {
			slot = xmalloc(sizeof(*slot));
			*slot = due;
			hashmap_put(&q->delayed, key, slot);
		} else if (due < *slot) {
			*slot = due;
		}
		pthread_cond_signal(&q->wake);
	}
	pthread_mutex_unlock(&q->lock);
}

void workqueue_free(struct workqueue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->worker, NULL);
	while (q->len)
		free(ring_pop(q));
	hashmap_release(&q->queued);
	hashmap_release(&q->processing);
	hashmap_release(&q->dirty);
	hashmap_release_with(&q->delayed, free);
	free(q->ring);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->wake);
	free(q->name);
	free(q);
}
