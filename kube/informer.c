/* informer.c — the list+watch loop behind kube_informer.h: a thread that
 * lists (page by page), reconciles the cache against the list, watches
 * from the list's resourceVersion, applies events, and on any trouble
 * either resumes the watch (drops, timeouts) or lists again (410 Gone,
 * malformed streams). */
#include "kube_informer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "hashmap.h"
#include "log.h"
#include "rest_internal.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

struct kube_informer {
	struct kube_client *client;
	struct kube_informer_opts opts;
	char *namespace, *label_selector, *field_selector; /* owned copies of opts' */
	pthread_t thread;
	bool thread_started;
	struct kube_cancel *cancel;

	pthread_mutex_t state_lock; /* guards stopping, synced and the condition */
	pthread_cond_t state_cond;
	bool stopping;
	bool synced;
	bool joined;

	pthread_rwlock_t cache_lock; /* guards cache and resource_version */
	struct hashmap cache;        /* "ns/name" -> cJSON object */
	char *resource_version;
};

static void free_object(void *object)
{
	cJSON_Delete(object);
}

/* The cache's key: "ns/name", or "/name" for cluster-scoped objects. */
static char *cache_key(const char *ns, const char *name)
{
	return xasprintf("%s/%s", ns ? ns : "", name);
}

static char *object_key(const cJSON *object)
{
	const char *name = json_get_string(object, "metadata.name");

	if (!name)
		return NULL;
	return cache_key(json_get_string(object, "metadata.namespace"), name);
}

static const char *object_rv(const cJSON *object)
{
	const char *rv = json_get_string(object, "metadata.resourceVersion");

	return rv ? rv : "";
}

static void set_resource_version(struct kube_informer *inf, const char *rv)
{
	if (str_is_empty(rv))
		return;
	pthread_rwlock_wrlock(&inf->cache_lock);
	free(inf->resource_version);
	inf->resource_version = xstrdup(rv);
	pthread_rwlock_unlock(&inf->cache_lock);
}

static bool is_stopping(struct kube_informer *inf)
{
	bool stopping;

	pthread_mutex_lock(&inf->state_lock);
	stopping = inf->stopping;
	pthread_mutex_unlock(&inf->state_lock);
	return stopping;
}

/* Sleeps up to ms, waking at once on stop. False if stopping. */
static bool pause_ms(struct kube_informer *inf, int64_t ms)
{
	struct timespec until;
	bool stopping;

	time_after_ms(CLOCK_MONOTONIC, ms, &until);
	pthread_mutex_lock(&inf->state_lock);
	while (!inf->stopping &&
	       pthread_cond_timedwait(&inf->state_cond, &inf->state_lock, &until) != ETIMEDOUT)
		;
	stopping = inf->stopping;
	pthread_mutex_unlock(&inf->state_lock);
	return !stopping;
}

static void emit(struct kube_informer *inf, enum kube_event_type type, const cJSON *object,
		 const cJSON *old)
{
	if (log_get_level() >= 6)
		log_msg(6, "informer %s: %s %s/%s rv %s", inf->opts.resource->plural,
			kube_event_type_name(type),
			json_get_string(object, "metadata.namespace")
				? json_get_string(object, "metadata.namespace")
				: "",
			json_get_string(object, "metadata.name"), object_rv(object));
	inf->opts.on_event(type, object, old, inf->opts.ctx);
}

/* Applies one watch event to the cache, then tells the caller. Events that
 * change nothing (a version already seen, a deletion of an unknown object)
 * are dropped, so nothing is reported twice. */
static void apply_event(struct kube_informer *inf, enum kube_event_type type, cJSON *object)
{
	_cleanup_free_ char *key = object_key(object);
	cJSON *old;

	if (!key)
		return;
	if (type == KUBE_EVENT_DELETED) {
		pthread_rwlock_wrlock(&inf->cache_lock);
		old = hashmap_remove(&inf->cache, key);
		pthread_rwlock_unlock(&inf->cache_lock);
		if (old)
			emit(inf, KUBE_EVENT_DELETED, object, NULL);
		cJSON_Delete(old);
		cJSON_Delete(object);
		return;
	}
	pthread_rwlock_wrlock(&inf->cache_lock);
	old = hashmap_get(&inf->cache, key);
	if (old && !strcmp(object_rv(old), object_rv(object))) {
		pthread_rwlock_unlock(&inf->cache_lock);
		cJSON_Delete(object);
		return;
	}
	hashmap_put(&inf->cache, key, object);
	pthread_rwlock_unlock(&inf->cache_lock);
	/* Only this thread changes the cache, so `object` stays valid here. */
	emit(inf, old ? KUBE_EVENT_MODIFIED : KUBE_EVENT_ADDED, object, old);
	cJSON_Delete(old);
	if (inf->opts.trim) {
		/* Readers copy cached objects under the read lock. */
		pthread_rwlock_wrlock(&inf->cache_lock);
		inf->opts.trim(object, inf->opts.ctx);
		pthread_rwlock_unlock(&inf->cache_lock);
	}
}

/* A relist, page by page: each item is applied as it arrives (so the
 * list is never held whole), and its key remembered; at the end, what the
 * cache holds and the list did not is reported DELETED. */
struct relist {
	struct kube_informer *inf;
	struct hashmap seen; /* keys listed (the values are unused markers) */
	char *resource_version; /* the latest page's */
};

static int relist_page(cJSON *page, void *ctx)
{
	struct relist *r = ctx;
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
	const char *rv = json_get_string(page, "metadata.resourceVersion");

	if (!str_is_empty(rv)) {
		free(r->resource_version);
		r->resource_version = xstrdup(rv);
	}
	while (cJSON_IsArray(items) && items->child) {
		cJSON *item = cJSON_DetachItemViaPointer(items, items->child);
		_cleanup_free_ char *key = object_key(item);

		if (!key) {
			cJSON_Delete(item);
			continue;
		}
		hashmap_put(&r->seen, key, r);
		apply_event(r->inf, KUBE_EVENT_MODIFIED, item);
	}
	return is_stopping(r->inf) ? 1 : 0;
}

static void relist_restart(void *ctx)
{
	struct relist *r = ctx;

	/* The list starts again: only what it lists this time counts. */
	hashmap_release(&r->seen);
}

/* Gone during the gap: DELETED with the last state we knew. */
static void report_unlisted(struct kube_informer *inf, const struct hashmap *seen)
{
	size_t pos = 0;
	const char *key;
	void *value;

	pthread_rwlock_wrlock(&inf->cache_lock);
	while (hashmap_next(&inf->cache, &pos, &key, &value)) {
		cJSON *gone;

		if (hashmap_get(seen, key))
			continue;
		gone = hashmap_remove(&inf->cache, key);
		pthread_rwlock_unlock(&inf->cache_lock);
		emit(inf, KUBE_EVENT_DELETED, gone, NULL);
		cJSON_Delete(gone);
		pthread_rwlock_wrlock(&inf->cache_lock);
	}
	pthread_rwlock_unlock(&inf->cache_lock);
}

static int on_watch_event(enum kube_event_type type, cJSON **object, void *ctx)
{
	struct kube_informer *inf = ctx;
	cJSON *taken = *object;

	*object = NULL;
	set_resource_version(inf, json_get_string(taken, "metadata.resourceVersion"));
	if (type == KUBE_EVENT_BOOKMARK)
		cJSON_Delete(taken);
	else
		apply_event(inf, type, taken);
	return is_stopping(inf) ? 1 : 0;
}

static void report_status(struct kube_informer *inf, bool connected, const struct error *err)
{
	if (inf->opts.on_status)
		inf->opts.on_status(connected, err, inf->opts.ctx);
}

static int relist(struct kube_informer *inf, struct error *err)
{
	struct kube_list_opts list_opts = {
		.label_selector = inf->label_selector,
		.field_selector = inf->field_selector,
		.limit = inf->opts.page_size,
	};
	struct relist r = { .inf = inf, .seen = HASHMAP_INIT };

	if (rest_list_walk(inf->client, inf->opts.resource, inf->namespace, &list_opts, relist_page,
			   relist_restart, &r, inf->cancel, err) < 0 ||
	    is_stopping(inf)) {
		hashmap_release(&r.seen);
		free(r.resource_version);
		if (is_stopping(inf))
			return error_set_code(err, KUBE_ERR_CANCELLED, "the informer is stopping");
		return -1;
	}
	report_unlisted(inf, &r.seen);
	hashmap_release(&r.seen);
	set_resource_version(inf, r.resource_version);
	free(r.resource_version);
	pthread_mutex_lock(&inf->state_lock);
	inf->synced = true;
	pthread_cond_broadcast(&inf->state_cond);
	pthread_mutex_unlock(&inf->state_lock);
	log_debug("informer %s: synced, %zu objects", inf->opts.resource->plural,
		  kube_informer_count(inf));
	if (inf->opts.on_synced)
		inf->opts.on_synced(inf->opts.ctx);
	return 0;
}

static int64_t next_backoff(const struct kube_informer *inf, int64_t current)
{
	int64_t doubled = current ? current * 2 : inf->opts.min_backoff_ms;

	if (doubled > inf->opts.max_backoff_ms)
		doubled = inf->opts.max_backoff_ms;
	return doubled;
}

/* Half fixed, half random, as the request engine's retries. */
static int64_t jittered(int64_t ms)
{
	return ms - ms / 2 + (int64_t)(arc4random_uniform((uint32_t)(ms / 2 + 1)));
}

static void *informer_main(void *arg)
{
	struct kube_informer *inf = arg;
	bool need_list = true, connected = true;
	int64_t backoff = 0;

	while (!is_stopping(inf)) {
		struct error err = ERROR_INIT;
		struct kube_watch_opts watch_opts;
		_cleanup_free_ char *rv = NULL;
		int64_t started;
		int rc;

		if (need_list) {
			if (relist(inf, &err) < 0) {
				if (err.code == KUBE_ERR_CANCELLED)
					break;
				log_debug("informer %s: list failed: %s", inf->opts.resource->plural,
					  err.msg);
				report_status(inf, false, &err);
				connected = false;
				backoff = next_backoff(inf, backoff);
				if (!pause_ms(inf, jittered(backoff)))
					break;
				continue;
			}
			need_list = false;
			if (!connected)
				report_status(inf, true, NULL);
			connected = true;
		}
		rv = kube_informer_resource_version(inf);
		watch_opts = (struct kube_watch_opts){
			.label_selector = inf->label_selector,
			.field_selector = inf->field_selector,
			.resource_version = rv,
			.allow_bookmarks = true,
			.timeout_seconds = inf->opts.watch_timeout_seconds +
					   (int)arc4random_uniform(
						   (uint32_t)inf->opts.watch_timeout_seconds),
		};
		started = time_mono_ms();
		rc = kube_watch(inf->client, inf->opts.resource, inf->namespace, &watch_opts,
				on_watch_event, inf, inf->cancel, &err);
		if (is_stopping(inf) || err.code == KUBE_ERR_CANCELLED)
			break;
		if (rc == 0) {
			/* The server ended the stream (its timeout): resume at once,
			 * unless it keeps ending streams straight away. */
			if (!connected)
				report_status(inf, true, NULL);
			connected = true;
			if (time_mono_ms() - started < 1000) {
				backoff = next_backoff(inf, backoff);
				if (!pause_ms(inf, jittered(backoff)))
					break;
			} else {
				backoff = 0;
			}
			continue;
		}
		log_debug("informer %s: watch ended: %s", inf->opts.resource->plural, err.msg);
		if (err.code == 410) {
			/* Too old: whatever happened meanwhile comes from a list. */
			need_list = true;
			continue;
		}
		if (err.code == KUBE_ERR_RESPONSE)
			need_list = true; /* a malformed stream may have lost an event */
		report_status(inf, false, &err);
		connected = false;
		backoff = next_backoff(inf, backoff);
		if (!pause_ms(inf, jittered(backoff)))
			break;
	}
	return NULL;
}

static char *strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct kube_informer *kube_informer_start(struct kube_client *client,
					  const struct kube_informer_opts *opts, struct error *err)
{
	struct kube_informer *inf;

	if (!opts->resource || !opts->on_event) {
		error_set_code(err, KUBE_ERR_INVALID, "an informer needs a resource and on_event");
		return NULL;
	}
	inf = xcalloc(1, sizeof(*inf));
	inf->client = client;
	inf->opts = *opts;
	if (inf->opts.watch_timeout_seconds <= 0)
		inf->opts.watch_timeout_seconds = 300;
	if (inf->opts.page_size <= 0)
		inf->opts.page_size = 500;
	if (inf->opts.min_backoff_ms <= 0)
		inf->opts.min_backoff_ms = 500;
	if (inf->opts.max_backoff_ms < inf->opts.min_backoff_ms)
		inf->opts.max_backoff_ms = inf->opts.min_backoff_ms > 30000 ? inf->opts.min_backoff_ms
									   : 30000;
	inf->namespace = strdup_or_null(opts->namespace);
	inf->label_selector = strdup_or_null(opts->label_selector);
	inf->field_selector = strdup_or_null(opts->field_selector);
	inf->opts.namespace = inf->namespace;
	inf->opts.label_selector = inf->label_selector;
	inf->opts.field_selector = inf->field_selector;
	inf->cancel = kube_cancel_new();
	pthread_mutex_init(&inf->state_lock, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&inf->state_cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	pthread_rwlock_init(&inf->cache_lock, NULL);
	hashmap_init(&inf->cache);
	if (pthread_create(&inf->thread, NULL, informer_main, inf) != 0) {
		error_set_code(err, KUBE_ERR_INVALID, "cannot start the informer thread: %s",
			       strerror(errno));
		kube_informer_free(inf);
		return NULL;
	}
	inf->thread_started = true;
	return inf;
}

void kube_informer_stop(struct kube_informer *inf)
{
	if (!inf)
		return;
	pthread_mutex_lock(&inf->state_lock);
	inf->stopping = true;
	pthread_cond_broadcast(&inf->state_cond);
	pthread_mutex_unlock(&inf->state_lock);
	kube_cancel_trigger(inf->cancel);
	if (inf->thread_started && !inf->joined) {
		pthread_join(inf->thread, NULL);
		inf->joined = true;
	}
}

void kube_informer_free(struct kube_informer *inf)
{
	if (!inf)
		return;
	kube_informer_stop(inf);
	hashmap_release_with(&inf->cache, free_object);
	free(inf->resource_version);
	free(inf->namespace);
	free(inf->label_selector);
	free(inf->field_selector);
	kube_cancel_free(inf->cancel);
	pthread_rwlock_destroy(&inf->cache_lock);
	pthread_cond_destroy(&inf->state_cond);
	pthread_mutex_destroy(&inf->state_lock);
	free(inf);
}

bool kube_informer_has_synced(struct kube_informer *inf)
{
	bool synced;

	pthread_mutex_lock(&inf->state_lock);
	synced = inf->synced;
	pthread_mutex_unlock(&inf->state_lock);
	return synced;
}

bool kube_informer_wait_synced(struct kube_informer *inf, int64_t timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? 0 : time_mono_ms() + timeout_ms;
	bool synced;

	pthread_mutex_lock(&inf->state_lock);
	while (!inf->synced && !inf->stopping) {
		struct timespec until;
		int64_t left = deadline ? deadline - time_mono_ms() : 1000;

		if (deadline && left <= 0)
			break;
		time_after_ms(CLOCK_MONOTONIC, left, &until);
		pthread_cond_timedwait(&inf->state_cond, &inf->state_lock, &until);
	}
	synced = inf->synced;
	pthread_mutex_unlock(&inf->state_lock);
	return synced;
}

cJSON *kube_informer_get(struct kube_informer *inf, const char *ns, const char *name)
{
	_cleanup_free_ char *key = cache_key(ns, name);
	cJSON *copy = NULL;
	const cJSON *object;

	pthread_rwlock_rdlock(&inf->cache_lock);
	object = hashmap_get(&inf->cache, key);
	if (object) {
		copy = cJSON_Duplicate(object, true);
		if (!copy)
			die("out of memory copying JSON");
	}
	pthread_rwlock_unlock(&inf->cache_lock);
	return copy;
}

size_t kube_informer_count(struct kube_informer *inf)
{
	size_t count;

	pthread_rwlock_rdlock(&inf->cache_lock);
	count = inf->cache.len;
	pthread_rwlock_unlock(&inf->cache_lock);
	return count;
}

int kube_informer_foreach(struct kube_informer *inf, int (*fn)(const cJSON *object, void *ctx),
			  void *ctx)
{
	size_t pos = 0;
	void *value;
	int rc = 0;

	pthread_rwlock_rdlock(&inf->cache_lock);
	while (rc == 0 && hashmap_next(&inf->cache, &pos, NULL, &value))
		rc = fn(value, ctx);
	pthread_rwlock_unlock(&inf->cache_lock);
	return rc;
}

char *kube_informer_resource_version(struct kube_informer *inf)
{
	char *rv;

	pthread_rwlock_rdlock(&inf->cache_lock);
	rv = strdup_or_null(inf->resource_version);
	pthread_rwlock_unlock(&inf->cache_lock);
	return rv;
}
