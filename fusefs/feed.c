/* feed.c — informers for Jobs, JobSets and Pods feeding the cache (see
 * feed.h). */
#include "feed.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_informer.h"
#include "threads.h"
#include "timeutil.h"
#include "trim.h"
#include "xalloc.h"

/* Objects per page of a list. */
#define FEED_PAGE_SIZE 100

enum feed_kind {
	FEED_JOBS,
	FEED_JOBSETS,
	FEED_PODS,
	FEED_CONFIGMAPS,
	FEED_KINDS,
};

struct feed;

struct feed_source {
	struct feed *feed;
	enum feed_kind kind;
	struct kube_informer *informer;
	bool synced;
	bool connected; /* false after a failure, until the next success */
};

struct feed {
	struct fs_cache *cache;
	struct feed_opts opts;
	struct feed_source sources[FEED_KINDS];
	pthread_mutex_t lock; /* guards synced/connected, first_error and the condition */
	pthread_cond_t cond;
	struct error first_error; /* the first failure before everything synced */
	bool failed_early;
};

static const struct kube_resource *const resources[FEED_KINDS] = {
	[FEED_JOBS] = &kube_jobs,
	[FEED_JOBSETS] = &kube_jobsets,
	[FEED_PODS] = &kube_pods,
	[FEED_CONFIGMAPS] = &kube_configmaps,
};

static const char *const selectors[FEED_KINDS] = {
	[FEED_JOBS] = FEED_JOB_SELECTOR,
	[FEED_JOBSETS] = FEED_WORKLOAD_SELECTOR,
	[FEED_PODS] = FEED_WORKLOAD_SELECTOR,
	[FEED_CONFIGMAPS] = FEED_CONFIGMAP_SELECTOR,
};

static void on_event(enum kube_event_type type, const cJSON *object, const cJSON *old,
		     void *ctx)
{
	struct feed_source *src = ctx;
	bool deleted = type == KUBE_EVENT_DELETED;

	(void)old;
	switch (src->kind) {
	case FEED_PODS:
		fs_cache_pod(src->feed->cache, object, deleted);
		break;
	case FEED_CONFIGMAPS:
		fs_cache_configmap(src->feed->cache, object, deleted);
		break;
	default:
		fs_cache_workload(src->feed->cache, object, deleted);
		break;
	}
}

static bool all_synced(const struct feed *f)
{
	for (int k = 0; k < FEED_KINDS; k++)
		if (f->sources[k].informer && !f->sources[k].synced)
			return false;
	return true;
}

static void on_synced(void *ctx)
{
	struct feed_source *src = ctx;
	struct feed *f = src->feed;

	pthread_mutex_lock(&f->lock);
	src->synced = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void on_status(bool connected, const struct error *err, void *ctx)
{
	struct feed_source *src = ctx;
	struct feed *f = src->feed;
	bool report;

	pthread_mutex_lock(&f->lock);
	/* Once per loss, once per recovery, after the first list (before, a
	 * failure ends the start: feed_wait_synced() says why). */
	report = connected != src->connected && all_synced(f);
	src->connected = connected;
	if (!connected && !all_synced(f) && !f->failed_early) {
		f->failed_early = true;
		if (err)
			f->first_error = *err;
		pthread_cond_broadcast(&f->cond);
	}
	pthread_mutex_unlock(&f->lock);
	if (f->opts.on_connection && report)
		f->opts.on_connection(resources[src->kind]->plural, connected, connected ? NULL : err,
				      f->opts.ctx);
}

struct feed *feed_start(struct kube_client *client, struct fs_cache *cache,
			const struct feed_opts *opts, struct error *err)
{
	struct feed *f = xcalloc(1, sizeof(*f));

	f->cache = cache;
	f->opts = *opts;
	f->opts.namespace = NULL; /* only needed while starting */
	pthread_mutex_init(&f->lock, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&f->cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	/* The informers' threads inherit this thread's blocked signals. */
	threads_block_signals(1);
	for (int k = 0; k < FEED_KINDS; k++) {
		struct feed_source *src = &f->sources[k];
		struct kube_informer_opts io = {
			.resource = resources[k],
			.namespace = opts->namespace,
			.label_selector = selectors[k],
			.on_event = on_event,
			.on_synced = on_synced,
			.on_status = on_status,
			.trim = trim_to_identity,
			.ctx = src,
			.min_backoff_ms = opts->min_backoff_ms,
			.max_backoff_ms = opts->max_backoff_ms,
			/* A page of whole Jobs with their pod templates is the
			 * daemon's peak memory: keep pages small. */
			.page_size = FEED_PAGE_SIZE,
		};

		src->feed = f;
		src->kind = k;
		src->connected = true;
		if (k == FEED_JOBSETS && !opts->jobsets)
			continue;
		src->informer = kube_informer_start(client, &io, err);
		if (!src->informer) {
			threads_block_signals(0);
			feed_stop(f);
			return NULL;
		}
	}
	threads_block_signals(0);
	return f;
}

int feed_wait_synced(struct feed *f, int64_t timeout_ms, struct error *err)
{
	int64_t deadline = time_mono_ms() + timeout_ms;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	while (!all_synced(f) && !f->failed_early) {
		struct timespec until;
		int64_t left = deadline - time_mono_ms();

		if (left <= 0) {
			rc = error_set(err, "no answer from the API server within %lld ms",
				       (long long)timeout_ms);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += left / 1000;
		until.tv_nsec += (left % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&f->cond, &f->lock, &until);
	}
	if (!rc && f->failed_early) {
		if (err)
			*err = f->first_error;
		rc = -1;
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void feed_stop(struct feed *f)
{
	if (!f)
		return;
	for (int k = 0; k < FEED_KINDS; k++)
		kube_informer_free(f->sources[k].informer);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
