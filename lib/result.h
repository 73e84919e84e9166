/* result.h — the result contract (docs/results.md): decoding what a
 * finished pod reported through its termination message into one outcome,
 * each with its exit code (exitcode.h) and a one-line reason.
 *
 * The pod wrapper (pod-wrapper.sh) writes, when `run` exits 0 on rank 0:
 *   - the bytes of $KONDUKTOR_OUTPUT_DIR/result.json, unchanged, when the
 *     file has 1 to 4096 bytes and does not begin with '#';
 *   - otherwise a marker line "#konduktor/v1 <kind> [detail]":
 *       no-result                    the file does not exist
 *       too-large <bytes>            the file has more than 4096 bytes
 *       malformed <why>              empty, not a regular file, or it
 *                                    begins with '#' (no JSON text can)
 * and, when it fails itself before the task ran, "#konduktor/v1 error
 * <text>" with exit code 121; a group input skipped by fail-fast writes
 * "#konduktor/v1 skipped <text>" with exit code 122. When `run` (or
 * `setup`) exits non-zero the message is left empty, so the kubelet fills
 * it with the log's tail (FallbackToLogsOnError).
 *
 * So a message beginning with '#' is always a marker and anything else is
 * always the user's own bytes: no result can be mistaken for a marker and
 * all 4096 bytes remain available for a result. JSON validity is decided
 * here (MalformedResult), never guessed from a truncated message. */
#ifndef KONDUKTOR_RESULT_H
#define KONDUKTOR_RESULT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "exitcode.h"

#define RESULT_MAX 4096
#define RESULT_MARKER "#konduktor/v1"
#define RESULT_WRAPPER_ERROR_EXIT 121
#define RESULT_SKIPPED_EXIT 122

enum result_outcome {
	RESULT_OK,               /* JSON result */
	RESULT_JOB_FAILED,       /* non-zero exit, never reported, wrapper error */
	RESULT_TOO_LARGE,        /* result.json over 4096 bytes */
	RESULT_MALFORMED,        /* result.json is not one JSON value */
	RESULT_NONE,             /* succeeded without writing result.json */
	RESULT_TIMEOUT,          /* set by the caller: the deadline passed first */
	RESULT_SKIPPED,          /* a group input that fail-fast never ran */
	RESULT_CANCELLED,        /* a group input stopped by `group cancel` or by
				  * --cancel-running-on-fail before it finished */
};

struct result {
	enum result_outcome outcome;
	char *json;            /* RESULT_OK: the result's text as reported */
	int exit_code;         /* the container's exit code (-1 unknown) */
	char *reason;          /* a one-line reason, lower case (never NULL after decode) */
	char *log_tail;        /* RESULT_JOB_FAILED: the log's last lines, if known */
	size_t size;           /* RESULT_TOO_LARGE: the file's size */
};

void result_init(struct result *result);
void result_release(struct result *result);

/* Decodes a terminated container: its termination message (NULL as
 * empty), exit code and the kubelet's reason ("Completed", "Error",
 * "OOMKilled", ...; may be NULL). */
void result_decode(const char *message, int exit_code, const char *reason,
		   struct result *ret);

/* Finds the reporting container of a pod (the container named
 * MANIFEST_CONTAINER_NAME, else the first) and decodes it. -1 with err
 * when the pod has not terminated. */
int result_from_pod(const cJSON *pod, struct result *ret, struct error *err);

/* Sets a Timeout outcome (the caller's deadline passed). */
void result_set_timeout(struct result *ret, long seconds);
/* Sets an outcome the caller decided (a group input skipped, cancelled or
 * whose pod is gone) with a one-line reason and the exit code, -1 if
 * unknown. */
void result_set(struct result *ret, enum result_outcome outcome, int exit_code, const char *reason);

/* "Result", "JobFailed", "ResultTooLarge", "MalformedResult",
 * "NoResultReported", "Timeout", "Skipped", "Cancelled". */
const char *result_outcome_name(enum result_outcome outcome);
/* The outcome's process exit code (exitcode.h). */
int result_exit_code(enum result_outcome outcome);
/* Parses a name back; -1 if unknown. */
int result_outcome_parse(const char *name, enum result_outcome *ret);

/* Recording a result on the workload so that it outlives its pods: a
 * merge patch {"metadata":{"annotations":{outcome, result}}}, and reading
 * it back (0 if recorded, 1 if not). */
cJSON *result_annotations_patch(const struct result *result);
int result_from_annotations(const cJSON *workload, struct result *ret);

/* The outcome of a whole job, from its workload and the status
 * job_status_compute() made of it and its pods (the one rule for
 * `result`, `wait`, `launch --wait` and the filesystem's files):
 *   - a result recorded on the workload wins;
 *   - SUCCEEDED: rank 0's (index 0's) pod reports once its container has
 *     terminated;
 *   - FAILED and cancelled: JOB_RESULT_CANCELLED (*ret untouched; the
 *     status's message says when);
 *   - FAILED: JobFailed, decoded from the failing rank's terminated pod
 *     (its exit code, reason and log tail, "rank <i> " before the reason
 *     when there are several), else from the status's message;
 *   - anything else: JOB_RESULT_PENDING (*ret untouched).
 * When the pod that should report is missing or has not terminated, the
 * pods in hand may be behind the workload (two watches are not in step):
 * JOB_RESULT_PODS_BEHIND, unless `settled` (the pods were read after the
 * workload ended), when missing pods were deleted: a succeeded job then
 * never reported (JobFailed), a failed one is described from its status. */
struct job_status;
enum job_result_state {
	JOB_RESULT_PENDING,     /* not ended yet: no outcome */
	JOB_RESULT_DECIDED,     /* *ret holds the outcome */
	JOB_RESULT_CANCELLED,   /* cancelled before it ended */
	JOB_RESULT_PODS_BEHIND, /* ended, but the pods do not show how yet */
};
enum job_result_state result_from_job(const cJSON *workload, const struct job_status *status,
				      bool settled, struct result *ret);
/* The rank whose failure ended a FAILED job: the lowest failed one that
 * has a pod and was not merely stopped because another failed; SIZE_MAX
 * when none has a pod. */
size_t result_failing_index(const struct job_status *status);

#endif
