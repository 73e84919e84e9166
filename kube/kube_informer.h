/* kube_informer.h — list+watch that keeps a consistent picture of a
 * collection in memory and tells the caller about every change, for long
 * running programs (konduktor-fs keeps one per resource kind).
 *
 * A background thread lists (in pages), then watches from the list's
 * resourceVersion with bookmarks, reconnecting after drops with capped
 * backoff and resuming where it left off. When the server says the
 * version is gone (410, as a status or an ERROR event) or the stream is
 * malformed, it lists again and reconciles: new objects are reported
 * ADDED and changed ones MODIFIED as each page of the list arrives (a
 * list is never held whole, so memory stays at one page of objects), and
 * once the last page is in, objects that vanished in the gap are reported
 * DELETED (with their last known state) — so a consumer never misses or
 * repeats a final state. After each (re)list, on_synced says the cache is
 * complete again.
 *
 * Threads: callbacks run on the informer's thread, one at a time, never
 * while the cache lock is held: they may call kube_informer_get/foreach/
 * count, but not kube_informer_stop/free. Objects passed to callbacks are
 * valid only during the call. The cache functions may be called from any
 * thread. */
#ifndef KONDUKTOR_KUBE_INFORMER_H
#define KONDUKTOR_KUBE_INFORMER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kube_client.h"
#include "kube_watch.h"

struct kube_informer;

/* type is ADDED, MODIFIED or DELETED; for MODIFIED old_object is the
 * previous state (NULL otherwise); for DELETED object is the final state. */
typedef void (*kube_informer_event_fn)(enum kube_event_type type, const cJSON *object,
				       const cJSON *old_object, void *ctx);
/* The cache matches the server again (after the first list and every relist). */
typedef void (*kube_informer_synced_fn)(void *ctx);
/* The connection was lost (err says why; the informer keeps retrying) or
 * is back (err NULL). Optional. */
typedef void (*kube_informer_status_fn)(bool connected, const struct error *err, void *ctx);

struct kube_informer_opts {
	const struct kube_resource *resource;
	const char *namespace;       /* NULL: every namespace */
	const char *label_selector;  /* only matching objects are listed and watched */
	const char *field_selector;
	kube_informer_event_fn on_event;
	kube_informer_synced_fn on_synced;  /* optional */
	kube_informer_status_fn on_status;  /* optional */
	/* Optional: called (with ctx) on each object after on_event has seen
	 * it in full, to cut it down before it stays in the cache, for a
	 * consumer that keeps records of its own and need not hold every
	 * object twice (as client-go's transform). It must keep
	 * metadata.name, metadata.namespace and metadata.resourceVersion.
	 * kube_informer_get/foreach, MODIFIED events' old_object and the last
	 * state of objects that vanished during a gap are then the cut form. */
	void (*trim)(cJSON *object, void *ctx);
	void *ctx;
	/* Each watch asks the server to end after a random time in [t, 2t)
	 * seconds, then resumes (default t = 300, as client-go). */
	int watch_timeout_seconds;
	int64_t page_size;           /* list page size (default 500) */
	int64_t min_backoff_ms;      /* reconnect backoff, doubling (default 500) */
	int64_t max_backoff_ms;      /* its cap (default 30000) */
};

/* Starts the informer thread; the client must outlive the informer. */
struct kube_informer *kube_informer_start(struct kube_client *client,
					  const struct kube_informer_opts *opts, struct error *err);
/* Stops the thread promptly (an in-flight request is woken, not awaited)
 * and waits for it; no callback runs after it returns. Idempotent. */
void kube_informer_stop(struct kube_informer *informer);
/* Stops (if needed) and frees the informer and its cache. */
void kube_informer_free(struct kube_informer *informer);

/* True once the first list has been reconciled. */
bool kube_informer_has_synced(struct kube_informer *informer);
/* Waits until the first sync, the timeout (ms, < 0: forever) or a stop;
 * true if synced. */
bool kube_informer_wait_synced(struct kube_informer *informer, int64_t timeout_ms);
/* A copy of the cached object (the caller frees it), or NULL. `ns` is
 * NULL or "" for cluster-scoped objects. */
cJSON *kube_informer_get(struct kube_informer *informer, const char *ns, const char *name);
size_t kube_informer_count(struct kube_informer *informer);
/* Calls fn for each cached object, in no particular order, under the
 * cache's read lock: fn must be quick and must not call the informer's
 * other functions. Non-zero from fn stops early (and is returned). */
int kube_informer_foreach(struct kube_informer *informer,
			  int (*fn)(const cJSON *object, void *ctx), void *ctx);
/* The resourceVersion the informer has caught up to (a copy), or NULL. */
char *kube_informer_resource_version(struct kube_informer *informer);

#endif
