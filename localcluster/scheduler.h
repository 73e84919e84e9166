/* scheduler.h — the local cluster's scheduler: binds each pending pod to
 * the one node when it fits (schedfit.h), in priority then creation
 * order; a pod that does not fit stays Pending with PodScheduled=False,
 * reason Unschedulable, and a FailedScheduling event, and is tried again
 * whenever a pod on the node ends or goes, or the Node changes. */
#ifndef KONDUKTOR_LC_SCHEDULER_H
#define KONDUKTOR_LC_SCHEDULER_H

#include "error.h"

struct store;
struct scheduler;

struct scheduler *scheduler_start(struct store *store, const char *node_name, struct error *err);
void scheduler_stop(struct scheduler *sc);

#endif
