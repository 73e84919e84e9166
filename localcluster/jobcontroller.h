/* jobcontroller.h — the batch/v1 Job controller of the local cluster:
 * follows Jobs and their pods in the store and applies jobsync.h's
 * decisions (pods created and deleted, tracking finalizers removed,
 * status written with resourceVersion preconditions, events); deletes
 * finished Jobs once ttlSecondsAfterFinished has passed; and takes the
 * tracking finalizer off pods whose Job is gone. */
#ifndef KONDUKTOR_LC_JOBCONTROLLER_H
#define KONDUKTOR_LC_JOBCONTROLLER_H

#include "error.h"
#include "jobsync.h"

struct store;
struct jobcontroller;

struct jobcontroller *jobcontroller_start(struct store *store, const struct job_sync_config *config,
					  struct error *err);
void jobcontroller_stop(struct jobcontroller *jc);

#endif
