/* status.h — the state of a job or group computed from its Kubernetes
 * objects (pure functions over cJSON: the caller fetches or caches them).
 *
 * Input: the workload (a batch/v1 Job or a jobset.x-k8s.io JobSet, or NULL
 * when it does not exist), its pods and, optionally, Events, each as a
 * JSON array or a List object, exactly as the API server returns them.
 *
 * Output: one of PENDING, RUNNING, SUCCEEDED, FAILED, NOT_FOUND, a reason a
 * person can act on (with the scheduler's, kubelet's or controller's own
 * words in the message), and one entry per index: the ranks of a
 * multi-node job, the inputs of a group. Rules (docs/task-reference.md):
 * - terminal states come from the workload's conditions (Complete/Completed,
 *   Failed), refined by what its pods say (OOM-killed, evicted, exit code);
 * - a cancelled job (annotation konduktor.io/cancelled-at, see
 *   status_cancel_patch) is FAILED with reason Cancelled; a suspended one
 *   that was not cancelled is PENDING, Queued (e.g. waiting for Kueue);
 * - image pull failures, container config errors and crash loops are
 *   reported as soon as one pod shows them, and mark the job `stuck`:
 *   Kubernetes keeps retrying, but nothing changes without the user;
 * - an unschedulable pod reports what is insufficient (the PodScheduled
 *   condition's message, or the latest FailedScheduling Event);
 * - per index: completedIndexes/failedIndexes for Jobs, else the latest
 *   pod of the index (highest attempt, then newest); attempts count from the
 *   failure-count annotation (Jobs) or restart-attempt label (JobSets). */
#ifndef KONDUKTOR_STATUS_H
#define KONDUKTOR_STATUS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum job_state {
	JOB_PENDING,
	JOB_RUNNING,
	JOB_SUCCEEDED,
	JOB_FAILED,
	JOB_NOT_FOUND,
};
#define JOB_STATE_COUNT 5

enum status_reason {
	REASON_NONE,
	REASON_QUEUED,                 /* suspended, not cancelled: waiting for admission */
	REASON_STARTING,               /* scheduled, containers being created */
	REASON_NOT_STARTED,            /* an index without a pod yet */
	REASON_UNSCHEDULABLE,
	REASON_IMAGE_PULL,             /* ErrImagePull, ImagePullBackOff, InvalidImageName */
	REASON_CONFIG_ERROR,           /* CreateContainerConfigError, CreateContainerError */
	REASON_CRASH_LOOP,             /* CrashLoopBackOff */
	REASON_RESTARTING,             /* an attempt failed; another will follow */
	REASON_ERROR,                  /* a pod exited non-zero */
	REASON_OOM_KILLED,
	REASON_EVICTED,
	REASON_DEADLINE_EXCEEDED,
	REASON_BACKOFF_LIMIT_EXCEEDED, /* out of restarts */
	REASON_CANCELLED,
	REASON_SKIPPED,                /* a group input that fail-fast never ran */
};

#define STATUS_MESSAGE_MAX 512

struct index_status {
	enum job_state state;
	enum status_reason reason;
	int attempts;        /* attempts started (0: no pod yet) */
	int exit_code;       /* last terminated exit code, -1 if none */
	const cJSON *pod;    /* the index's latest pod (borrowed from the input), or NULL */
	char *message;       /* NULL, or what the pod says about the reason */
};

struct job_status {
	enum job_state state;
	enum status_reason reason;
	char message[STATUS_MESSAGE_MAX]; /* one line; "" when there is nothing to say */
	bool stuck;          /* cannot progress without a change by the user */
	int restarts;        /* JobSet restarts, or the most restarts of any index */
	size_t n_indexes;
	struct index_status *indexes;
	size_t counts[JOB_STATE_COUNT]; /* indexes per state */
};

void job_status_init(struct job_status *status);
void job_status_release(struct job_status *status);

/* Computes the status; -1 with err only for unusable input (a workload of
 * another kind, more than STATUS_MAX_INDEXES indexes). */
#define STATUS_MAX_INDEXES 1000000
int job_status_compute(const cJSON *workload, const cJSON *pods, const cJSON *events,
		       struct job_status *ret, struct error *err);

/* "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "NOT_FOUND". */
const char *job_state_name(enum job_state state);
/* A short, stable name for machines ("Unschedulable", "ImagePull", ...;
 * "" for REASON_NONE). */
const char *status_reason_name(enum status_reason reason);

/* The status as a document, for `status -o json|yaml` and anything else
 * that hands it to programs:
 *   {"apiVersion": "konduktor.io/v1", "kind": "JobStatus",
 *    "metadata": {"name", "namespace", "creationTimestamp"},
 *    "workloadKind": "Job"|"JobSet"|"" (not found), "task": the task name,
 *    "numNodes", "state", "reason", "message", "stuck", "restarts",
 *    "outcome" (the recorded result's outcome, when there is one),
 *    "cancelledAt" (when cancelled),
 *    "indexes": [{"index", "state", "reason", "attempts", "exitCode",
 *                 "pod", "message"}]}
 * Absent values are left out, never null. `workload` may be NULL (name and
 * namespace then come from the arguments). */
cJSON *job_status_to_json(const cJSON *workload, const char *name, const char *namespace,
			  const struct job_status *status);

/* How `cancel` marks a job, so that the status says "cancelled": a merge
 * patch setting the annotation konduktor.io/cancelled-at to `when` (RFC
 * 3339) and spec.suspend to true (the Job or JobSet controller then stops
 * its pods gracefully; the objects and any result stay readable). */
cJSON *status_cancel_patch(const char *when);
bool status_is_cancelled(const cJSON *workload);

#endif
