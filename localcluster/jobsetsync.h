/* jobsetsync.h — one reconciliation of a jobset.x-k8s.io/v1alpha2 JobSet,
 * as a pure function, following the JobSet controller (v0.5 and later):
 * child Jobs <jobset>-<replicatedJob>-<index> labelled and annotated with
 * the jobset.sigs.k8s.io keys, a headless Service for pod DNS names,
 * successPolicy (All/Any, targetReplicatedJobs), failurePolicy.maxRestarts
 * (every child Job recreated with the next restart-attempt), InOrder
 * startup, suspend/resume, replicatedJobsStatus, the Completed/Failed/
 * Suspended/StartupPolicy conditions, and ttlSecondsAfterFinished.
 *
 * The JobSet webhook's defaults (successPolicy All, enableDNSHostnames,
 * publishNotReadyAddresses, Indexed child Jobs, restartPolicy OnFailure)
 * are applied when reading, since the local cluster runs no webhook. */
#ifndef KONDUKTOR_JOBSETSYNC_H
#define KONDUKTOR_JOBSETSYNC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "k8sobj.h"
#include "strv.h"

#define JOBSET_NAME_KEY "jobset.sigs.k8s.io/jobset-name"
#define JOBSET_RJOB_NAME_KEY "jobset.sigs.k8s.io/replicatedjob-name"
#define JOBSET_RJOB_REPLICAS_KEY "jobset.sigs.k8s.io/replicatedjob-replicas"
#define JOBSET_JOB_INDEX_KEY "jobset.sigs.k8s.io/job-index"
#define JOBSET_JOB_GLOBAL_INDEX_KEY "jobset.sigs.k8s.io/job-global-index"
#define JOBSET_GLOBAL_REPLICAS_KEY "jobset.sigs.k8s.io/global-replicas"
#define JOBSET_RESTART_ATTEMPT_KEY "jobset.sigs.k8s.io/restart-attempt"
#define JOBSET_JOB_KEY "jobset.sigs.k8s.io/job-key"

/* A child Job to suspend or resume (spec.suspend set to `suspend`). */
struct jobset_suspend_change {
	char *job;
	bool suspend;
};

struct jobset_sync_result {
	cJSON **creates; /* child Jobs with metadata.name; owned */
	size_t n_creates;
	struct strv deletes; /* child Jobs to delete with Foreground propagation */
	struct jobset_suspend_change *suspend_changes;
	size_t n_suspend_changes;
	cJSON *service; /* the headless Service to create, or NULL */
	cJSON *status;  /* the new status, or NULL if unchanged */
	struct k8s_event *events;
	size_t n_events;
	bool delete_jobset;        /* ttlSecondsAfterFinished has passed */
	int64_t requeue_after_ms;  /* -1: none */
};

void jobset_sync_result_release(struct jobset_sync_result *r);

/* Reconciles `jobset` with `jobs` (every Job whose controller reference
 * is the JobSet) at now_ms. `service_exists` says whether the Service
 * named after the subdomain exists. Fails for a JobSet it cannot work
 * with (no replicatedJobs, a replicatedJob without name or template),
 * naming the field. */
int jobset_sync(const cJSON *jobset, const cJSON *const *jobs, size_t n_jobs, bool service_exists,
		int64_t now_ms, struct jobset_sync_result *ret, struct error *err);

/* The subdomain of the JobSet's pods: network.subdomain or its name. */
const char *jobset_subdomain(const cJSON *jobset);

#endif
