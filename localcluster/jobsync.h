/* jobsync.h — one reconciliation of a batch/v1 Job, as a pure function:
 * given the Job, the pods it controls and the time, decide which pods to
 * create and delete, whose tracking finalizers to remove, and the Job's
 * new status — the algorithm of kube-controller-manager's Job controller
 * (1.32+: pod tracking finalizers and uncountedTerminatedPods, Indexed and
 * NonIndexed modes, backoffLimit and backoffLimitPerIndex, maxFailedIndexes,
 * podFailurePolicy, successPolicy, activeDeadlineSeconds, suspend, the
 * FailureTarget/SuccessCriteriaMet conditions before Failed/Complete, and
 * the exponential delay before replacing failed pods).
 *
 * jobcontroller.c applies the result to the store, in this order:
 * deletions, creations, status_interim, finalizer removals, status_final,
 * events. A step that fails stops the sequence; the next sync starts over
 * from what the store then holds (the API's uncountedTerminatedPods make
 * that safe, as in the real controller). */
#ifndef KONDUKTOR_JOBSYNC_H
#define KONDUKTOR_JOBSYNC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "k8sobj.h"
#include "strv.h"

#define JOB_TRACKING_FINALIZER "batch.kubernetes.io/job-tracking"
#define JOB_COMPLETION_INDEX_KEY "batch.kubernetes.io/job-completion-index"
#define JOB_INDEX_FAILURE_COUNT_KEY "batch.kubernetes.io/job-index-failure-count"
#define JOB_INDEX_IGNORED_FAILURE_COUNT_KEY "batch.kubernetes.io/job-index-ignored-failure-count"

/* What the controller remembers of a Job between syncs (not in the API):
 * consecutive pod failures since the last success, for the delay before
 * creating replacement pods. */
struct job_backoff {
	int64_t failures_after_last_success;
	int64_t last_failure_ms; /* epoch ms, 0 if none */
};

struct job_sync_config {
	int64_t pod_failure_backoff_ms;     /* first delay: 10 s in Kubernetes */
	int64_t pod_failure_backoff_max_ms; /* cap: 10 min */
	int64_t max_pods_per_sync;          /* creations or deletions per sync: 500 */
};

#define JOB_SYNC_CONFIG_DEFAULT { .pod_failure_backoff_ms = 10000, \
				  .pod_failure_backoff_max_ms = 600000, \
				  .max_pods_per_sync = 500 }

struct job_sync_result {
	/* Pods to create (each with metadata.generateName); owned. */
	cJSON **creates;
	size_t n_creates;
	/* Active pods to delete. remove_finalizer_first: take the tracking
	 * finalizer off before deleting (scale-down, suspend), as opposed to a
	 * finishing Job, which keeps it until the pod is counted. */
	struct strv deletes;
	bool remove_finalizer_first;
	/* Status to write before removing finalizers (it records the pods
	 * about to be counted), or NULL when there are none to remove. */
	cJSON *status_interim;
	/* Pods whose tracking finalizer to remove (after status_interim). */
	struct strv finalizer_removals;
	/* The whole new status, to write once every removal succeeded (it may
	 * equal status_interim), or NULL if the status did not change. */
	cJSON *status_final;
	struct k8s_event *events;
	size_t n_events;
	/* Sync again after this many ms (deadline, back-off), or -1. */
	int64_t requeue_after_ms;
	/* The back-off memory to keep once status_interim is written. */
	struct job_backoff new_backoff;
	/* status_final marks the Job Complete or Failed. */
	bool finishes;
};

void job_sync_result_release(struct job_sync_result *r);

/* Reconciles `job` with `pods` (every pod whose controller reference is
 * the Job, any order) at `now_ms`. Fails only for a Job the controller
 * cannot work with (an unknown completionMode, Indexed without
 * completions), naming the field. */
int job_sync(const cJSON *job, const cJSON *const *pods, size_t n_pods, int64_t now_ms,
	     const struct job_backoff *backoff, const struct job_sync_config *config,
	     struct job_sync_result *ret, struct error *err);

/* True once the Job has a Complete or Failed condition that is True. */
bool job_is_finished(const cJSON *job);
/* When a finished Job expires under ttlSecondsAfterFinished, in epoch
 * seconds; -1 if it has no TTL or is not finished. */
int64_t job_ttl_expiry(const cJSON *job);

#endif
