/* cache.h — every job and group the mount shows, kept in memory from the
 * informers' events, and the published views the filesystem is read from.
 *
 * Per job or group the cache keeps the trimmed objects (trim.h: the
 * workload, its pods, a group's ConfigMaps) as compact JSON text, the task
 * text, and the current view (jobview.h, groupview.h) with
 * every file's content already rendered. Events only store text and queue
 * the entry; fs_cache_refresh(), on one thread, rebuilds the views of
 * queued entries, publishes them and reports what changed. Directory
 * listings (the mount root, and each namespace with all_namespaces) are
 * sorted arrays rebuilt when their names change.
 *
 * Threads: feeding (the informers' threads), refreshing (one thread) and
 * reading (FUSE's workers) may run at once; reading never waits for a
 * refresh to finish and makes no API request. */
#ifndef KONDUKTOR_FUSEFS_CACHE_H
#define KONDUKTOR_FUSEFS_CACHE_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct fs_cache;

/* With a namespace, the root lists that namespace's jobs and groups and
 * objects of other namespaces are ignored; with NULL, the root lists
 * namespaces (those with something to show), each listing its own. */
struct fs_cache *fs_cache_new(const char *namespace);
void fs_cache_free(struct fs_cache *cache);

/* --- feeding: any thread ---------------------------------------------------- */

/* A Job or JobSet of a launched job or a group (its last state when
 * deleted; a deleted object needs only metadata.name and namespace). */
void fs_cache_workload(struct fs_cache *cache, const cJSON *workload, bool deleted);
/* A pod of one of them, found by its konduktor.io/job-name or group-id
 * label (a deleted pod is found by name). Pods of neither are ignored. */
void fs_cache_pod(struct fs_cache *cache, const cJSON *pod, bool deleted);
/* A ConfigMap of a group (its inputs, its recorded results), found by its
 * konduktor.io/group-id label. */
void fs_cache_configmap(struct fs_cache *cache, const cJSON *configmap, bool deleted);

/* --- refreshing: one thread --------------------------------------------------- */

/* Pacing: an entry whose rebuild took at least min_cost_ms is not rebuilt
 * again for `factor` times as long (at least a millisecond's worth, at
 * most max_ms); changes that come meanwhile wait for that and are
 * rebuilt together. The default (5 ms, 4, 800 ms) leaves jobs alone and
 * keeps a group of tens of thousands of inputs to about a fifth of a CPU,
 * still within a second. */
struct fs_cache_pacing {
	int64_t min_cost_ms;
	int64_t factor;
	int64_t max_ms;
};
void fs_cache_set_pacing(struct fs_cache *cache, const struct fs_cache_pacing *pacing);

/* Waits until an entry is queued (or a paced one is due), timeout_ms
 * passes or fs_cache_interrupt() is called; true if there is work. */
bool fs_cache_wait(struct fs_cache *cache, int64_t timeout_ms);
/* Ends the current (or next) fs_cache_wait() at once. */
void fs_cache_interrupt(struct fs_cache *cache);
/* Rebuilds every queued entry's view and publishes it; fn (may be NULL)
 * receives each changed path relative to the mount root (view.h). A path
 * may be reported a moment before readers see the change, so the kernel's
 * caches are invalidated once this returns. Returns the number of entries
 * rebuilt. */
size_t fs_cache_refresh(struct fs_cache *cache, int64_t now_ms, view_change_fn fn, void *ctx);

/* --- reading: any thread ------------------------------------------------------ */

/* The names of a directory above the jobs (the root, or a namespace). */
struct fs_listing {
	atomic_size_t refs;
	size_t len;
	int64_t mtime_ms;
	char **names; /* sorted (strcmp) */
};

void fs_listing_unref(struct fs_listing *listing);

/* A path resolved: either a listing (the root or a namespace directory),
 * or a node of one entry's view. Holds references until released. */
struct fs_node {
	struct fs_listing *listing; /* set for the root and namespace directories */
	struct view *view;          /* set inside a job or group */
	const struct vnode *vnode;  /* the node within view */
};

/* Resolves a path relative to the mount root ("" is the root,
 * "train-x7k2/ranks/0/status"); 0, or -1 when nothing is there. */
int fs_cache_resolve(struct fs_cache *cache, const char *path, struct fs_node *ret);
void fs_node_release(struct fs_node *node);

/* Counts, for tests and the daemon's log. */
struct fs_cache_stats {
	size_t entries;  /* jobs and groups known (shown or not) */
	size_t shown;    /* with a view */
	size_t pods;
	size_t configmaps;
	size_t queued;
	size_t text_bytes; /* trimmed objects kept as text */
};
void fs_cache_stats(struct fs_cache *cache, struct fs_cache_stats *ret);

#endif
