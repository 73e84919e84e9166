/* feed.h — the informers that keep the cache current: one list+watch per
 * kind of object the tree is made of, selected by label, so the daemon
 * holds exactly what it shows:
 *   Jobs     app.kubernetes.io/managed-by=kubectl-konduktor,
 *            konduktor.io/component=workload, and not a JobSet's child
 *   JobSets  the same labels (when the cluster serves JobSets)
 *   Pods     the same labels
 *   ConfigMaps  managed-by, and konduktor.io/component inputs or results
 *            (a group's inputs and recorded results)
 * Each reconnects by itself after the API server went away and relists
 * after a 410, reporting everything that happened meanwhile. */
#ifndef KONDUKTOR_FUSEFS_FEED_H
#define KONDUKTOR_FUSEFS_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "error.h"
#include "kube_client.h"

#define FEED_WORKLOAD_SELECTOR                                                        \
	"app.kubernetes.io/managed-by=kubectl-konduktor,konduktor.io/component=workload"
#define FEED_JOB_SELECTOR FEED_WORKLOAD_SELECTOR ",!jobset.sigs.k8s.io/jobset-name"
#define FEED_CONFIGMAP_SELECTOR                                                        \
	"app.kubernetes.io/managed-by=kubectl-konduktor,konduktor.io/component in (inputs,results)"

struct feed;

struct feed_opts {
	const char *namespace; /* NULL: every namespace */
	bool jobsets;          /* the cluster serves JobSets */
	int64_t min_backoff_ms, max_backoff_ms; /* reconnecting (0: the informer's defaults) */
	/* Optional: told once when an informer loses the API server (err says
	 * why) and once when it is back (err NULL); `resource` is the plural
	 * ("pods"). Runs on the informer's thread. */
	void (*on_connection)(const char *resource, bool connected, const struct error *err,
			      void *ctx);
	void *ctx;
};

/* Starts the informers (their threads block the termination signals). */
struct feed *feed_start(struct kube_client *client, struct fs_cache *cache,
			const struct feed_opts *opts, struct error *err);
/* Waits until every informer has listed once: 0; -1 with err when the
 * first list of one failed (the cluster cannot be reached, or refuses) or
 * timeout_ms passed. */
int feed_wait_synced(struct feed *feed, int64_t timeout_ms, struct error *err);
/* Stops the informers and frees them. */
void feed_stop(struct feed *feed);

#endif
