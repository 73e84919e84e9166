/* schedfit.h — whether a pod fits the local cluster's node, and if not,
 * the reasons in kube-scheduler's words: its filters in its order
 * (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit)
 * and its "0/1 nodes are available: ..." message. Pure functions. */
#ifndef KONDUKTOR_LC_SCHEDFIT_H
#define KONDUKTOR_LC_SCHEDFIT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SCHED_MAX_RESOURCES 16

/* Amounts by resource name, in milli-units ("cpu" 500 = 0.5 CPU,
 * "memory" in bytes * 1000, "pods" 1000 per pod). */
struct resource_list {
	struct {
		char name[64];
		int64_t milli;
	} items[SCHED_MAX_RESOURCES];
	size_t len;
};

int64_t resource_list_get(const struct resource_list *l, const char *name);
void resource_list_add(struct resource_list *l, const char *name, int64_t milli);

/* The pod's effective requests (the larger of the sum over containers and
 * the largest init container, plus overhead), counting a limit as the
 * request where no request is given, plus "pods" 1. */
void pod_requests(const cJSON *pod_spec, struct resource_list *ret);

/* Checks pod_spec against node (a Node object) with `used` already
 * requested by the pods bound to it. Returns true if it fits; else false
 * with the scheduler's message in `message` (appended), e.g.
 * "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption:
 * 0/1 nodes are available: 1 No preemption victims found for incoming pod." */
bool sched_fit(const cJSON *node, const cJSON *pod_spec, const struct resource_list *used,
	       struct buf *message);

#endif
