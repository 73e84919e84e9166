/* labels.h — every label and annotation key the project reads or writes,
 * in one place, and the rules for label keys and values.
 *
 * Labels find things again (listing always uses label selectors); the
 * annotations carry what a selector never needs (the task as launched, a
 * group's policy, a job's recorded result). */
#ifndef KONDUKTOR_LABELS_H
#define KONDUKTOR_LABELS_H

#include <stdbool.h>
#include <stddef.h>

/* --- labels the project sets on everything it creates ------------------ */

/* Standard "who manages this" label, value LABEL_MANAGED_BY_VALUE. */
#define LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define LABEL_MANAGED_BY_VALUE "kubectl-konduktor"
/* "job" (a launched task) or "group" (a task mapped over inputs). */
#define LABEL_KIND "konduktor.io/kind"
#define LABEL_KIND_JOB "job"
#define LABEL_KIND_GROUP "group"
/* What an object is for: see the LABEL_COMPONENT_* values. */
#define LABEL_COMPONENT "konduktor.io/component"
#define LABEL_COMPONENT_WORKLOAD "workload" /* the Job or JobSet, and its pods */
#define LABEL_COMPONENT_FILES "files"       /* ConfigMap: workdir and file_mounts */
#define LABEL_COMPONENT_SERVICE "service"   /* headless Service for pod DNS */
#define LABEL_COMPONENT_INPUTS "inputs"     /* ConfigMap: a chunk of a group's inputs */
#define LABEL_COMPONENT_CONTROL "control"   /* ConfigMap: a group's fail-fast switch */
#define LABEL_COMPONENT_RESULTS "results"   /* ConfigMap: a group's recorded results */
/* The launched job's name (the Job/JobSet name) on all its objects and pods. */
#define LABEL_JOB_NAME "konduktor.io/job-name"
/* The task's `name:` field. */
#define LABEL_TASK_NAME "konduktor.io/task-name"
/* Who launched it (sanitised to a label value). */
#define LABEL_USER "konduktor.io/user"
/* A group's id, grp-<8 hex>, on the group's Job, ConfigMaps and pods. */
#define LABEL_GROUP_ID "konduktor.io/group-id"
/* A group input's index: the Job controller labels each pod of the
 * group's Indexed Job with its completion index, which is the input's
 * index; the project reads it rather than setting a label of its own. */
#define LABEL_GROUP_INDEX "batch.kubernetes.io/job-completion-index"

/* --- annotations ------------------------------------------------------- */

/* The task YAML as launched (original text; flag overrides are listed in
 * a trailing comment). At most TASK_YAML_MAX bytes (task.h). */
#define ANNOTATION_TASK "konduktor.io/task"
/* RFC 3339 time of the launch. */
#define ANNOTATION_CREATED_AT "konduktor.io/created-at"
/* Set by `cancel` (RFC 3339 time) together with spec.suspend=true. */
#define ANNOTATION_CANCELLED_AT "konduktor.io/cancelled-at"
/* Recorded result (result.h): outcome name, and the termination message. */
#define ANNOTATION_OUTCOME "konduktor.io/outcome"
#define ANNOTATION_RESULT "konduktor.io/result"
/* Number of nodes of a launched task. */
#define ANNOTATION_NUM_NODES "konduktor.io/num-nodes"
/* A group's policy (group.h), each as its decimal or true/false text. */
#define ANNOTATION_GROUP_SIZE "konduktor.io/group-size"
#define ANNOTATION_INPUT_MODE "konduktor.io/input-mode"
#define ANNOTATION_MAX_CONCURRENT "konduktor.io/max-concurrent"
#define ANNOTATION_RETRIES "konduktor.io/retries"
#define ANNOTATION_FAIL_FAST "konduktor.io/fail-fast"
#define ANNOTATION_CANCEL_RUNNING_ON_FAIL "konduktor.io/cancel-running-on-fail"
#define ANNOTATION_INPUT_CHUNKS "konduktor.io/input-chunks"

/* --- keys of other components that the project reads or passes on ------ */

#define K8S_JOB_NAME_LABEL "batch.kubernetes.io/job-name"
#define K8S_COMPLETION_INDEX "batch.kubernetes.io/job-completion-index" /* label and annotation */
#define K8S_INDEX_FAILURE_COUNT "batch.kubernetes.io/job-index-failure-count" /* annotation */
#define JOBSET_NAME_LABEL "jobset.sigs.k8s.io/jobset-name"
#define JOBSET_REPLICATED_JOB_LABEL "jobset.sigs.k8s.io/replicatedjob-name"
#define JOBSET_RESTART_ATTEMPT_LABEL "jobset.sigs.k8s.io/restart-attempt"
#define KUEUE_QUEUE_NAME_LABEL "kueue.x-k8s.io/queue-name"
#define KUEUE_PRIORITY_CLASS_LABEL "kueue.x-k8s.io/priority-class"

/* --- rules --------------------------------------------------------------- */

#define LABEL_VALUE_MAX 63

/* Kubernetes' qualified-name rule for label and annotation keys:
 * [prefix/]name, prefix a DNS subdomain (<= 253), name <= 63 characters
 * of [A-Za-z0-9-_.] starting and ending alphanumeric. On false, *why (if
 * not NULL) says what is wrong. */
bool label_key_is_valid(const char *key, const char **why);
/* Label values: empty, or <= 63 of [A-Za-z0-9-_.] with alphanumeric ends. */
bool label_value_is_valid(const char *value, const char **why);
/* Keys a task may not set because the project or the controllers own them. */
bool label_key_is_reserved(const char *key);
/* Turns any string into a valid label value (e.g. a user name with '@'):
 * invalid characters become '-', the ends are trimmed to alphanumerics,
 * the length cut to 63; "unknown" if nothing is left. */
void label_value_sanitize(const char *in, char out[LABEL_VALUE_MAX + 1]);

#endif
