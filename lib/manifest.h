/* manifest.h — a task as the Kubernetes objects that run it (cJSON), each
 * valid for an API server with fieldValidation=Strict.
 *
 * launch_build() returns, in creation order:
 *   1. a ConfigMap "<job>-files" with the workdir and file_mounts as tar
 *      archives, when the task ships files (refused, with the size and the
 *      1 MiB limit, when they do not fit);
 *   2. for num_nodes > 1 without JobSet: a headless Service "<job>" that
 *      gives each pod the DNS name "<job>-<rank>.<job>";
 *   3. the workload: a batch/v1 Job (Indexed; completions, parallelism,
 *      backoffLimitPerIndex = max_restarts, maxFailedIndexes 0, a pod
 *      failure policy that does not retry wrapper errors and does not count
 *      disruptions), or for num_nodes > 1 on a cluster serving JobSets a
 *      jobset.x-k8s.io/v1alpha2 JobSet with one replicated job "workers"
 *      and failurePolicy.maxRestarts = max_restarts.
 * Every pod runs the POSIX sh wrapper (pod-wrapper.sh) as its command, with
 * the environment of docs/task-reference.md, an emptyDir at
 * /konduktor/output, the termination message contract of docs/results.md,
 * resources from the task, placement from the user config, and the
 * credential Secrets mounted read-only.
 *
 * Every object carries the labels of labels.h; the workload carries the
 * task text and launch time as annotations. Scripts, env values and
 * inputs are escaped against the kubelet's $(VAR) expansion
 * (k8sexpand.h), so they reach the pod exactly as written.
 *
 * Nothing here talks to a cluster; the caller creates the objects in
 * order and may then make the workload the owner of the others with
 * manifest_set_owner(). */
#ifndef KONDUKTOR_MANIFEST_H
#define KONDUKTOR_MANIFEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "task.h"
#include "userconfig.h"

/* Kubernetes' limit on a ConfigMap's data, summed over its values. */
#define MANIFEST_CONFIGMAP_MAX ((size_t)1024 * 1024)
#define MANIFEST_CONTAINER_NAME "task"
#define MANIFEST_REPLICATED_JOB "workers"

/* Paths inside every pod. */
#define POD_OUTPUT_DIR "/konduktor/output"
#define POD_WORK_DIR "/konduktor/work"
#define POD_FILES_DIR "/konduktor/files"
#define POD_INPUTS_DIR "/konduktor/group-inputs"
#define POD_INPUT_DIR "/konduktor/input"
#define POD_INPUT_FILE "/konduktor/input/input.json"
#define POD_CONTROL_DIR "/konduktor/control"
#define POD_TERMINATION_LOG "/dev/termination-log"

struct launch {
	const struct task *task;          /* complete (task_check_complete) */
	const struct user_config *config; /* NULL: defaults */
	const char *job_name;             /* the workload's name */
	const char *namespace;            /* NULL: left to the client */
	const char *user;                 /* for LABEL_USER; sanitised here */
	const char *created_at;           /* RFC 3339; NULL: now */
	bool jobset_available;            /* the cluster serves jobset.x-k8s.io/v1alpha2 */
};

/* A job name for a task: "<task name>-<4 random [a-z0-9]>". */
int launch_job_name(const char *task_name, char out[64], struct error *err);

/* The objects of a launch, as a new JSON array (see above). */
int launch_build(const struct launch *launch, cJSON **ret_items, struct error *err);

/* --- pieces shared with group.c ---------------------------------------- */

/* What a pod template needs to know beyond the task. */
struct pod_params {
	const struct task *task;
	const struct user_config *config;
	const char *workload_name;
	const cJSON *labels;           /* the pod's labels (copied) */
	bool multi_node;               /* RANK from the completion index; MASTER_ADDR rank 0 */
	const char *master_addr;       /* NULL: localhost */
	const char *subdomain;         /* NULL: none */
	bool restart_from_jobset;      /* RESTART_ATTEMPT from the JobSet label, else the Job annotation */
	const char *files_configmap;   /* NULL: no files shipped */
	/* groups */
	const char *group_id;
	const char *const *input_configmaps;
	size_t n_input_configmaps;
	const char *control_configmap; /* NULL: no fail-fast switch */
};

cJSON *manifest_pod_template(const struct pod_params *params, struct error *err);
/* The files ConfigMap of a task, or *ret NULL when it ships nothing. */
int manifest_files_configmap(const struct task *task, const char *name, const char *namespace,
			     const cJSON *labels, cJSON **ret, struct error *err);
/* metadata with name, optional namespace, copies of labels/annotations. */
cJSON *manifest_metadata(const char *name, const char *namespace, const cJSON *labels,
			 const cJSON *annotations);
/* The labels every object of a job or group carries. */
cJSON *manifest_common_labels(const char *kind, const char *job_name, const char *group_id,
			      const char *task_name, const char *user, const char *component);
/* Labels of a workload and its pods: common labels, the user config's
 * labels, then the task's labels (the task wins). */
cJSON *manifest_workload_labels(const struct task *task, const struct user_config *config,
				const cJSON *common);
/* The pod failure policy of every Job this project creates. */
cJSON *manifest_pod_failure_policy(void);

/* Sets `object`'s metadata.ownerReferences to the created `owner`
 * (apiVersion, kind, name, uid from the API server's answer), so deleting
 * the owner deletes the object. -1 if owner has no uid. */
int manifest_set_owner(cJSON *object, const cJSON *owner, struct error *err);

#endif
