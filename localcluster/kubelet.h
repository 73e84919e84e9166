/* kubelet.h — the local cluster's kubelet: registers the Node, runs the
 * containers of every pod bound to it as local processes (runner.h), and
 * reports them in the pod's status as a real kubelet does: phase,
 * conditions, container states, restarts with CrashLoopBackOff, the
 * termination message, ErrImagePull/ImagePullBackOff for images matching
 * a pattern, and events. It stops a deleted pod's processes within its
 * grace period, then removes the pod; when the cluster stops it shuts the
 * node down gracefully, and on a restart with a state directory it marks
 * the pods that were running as failed, as after a node reboot. */
#ifndef KONDUKTOR_LC_KUBELET_H
#define KONDUKTOR_LC_KUBELET_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "error.h"

struct store;

struct kubelet_config {
	const char *node_name;
	const char *data_dir;   /* pods' volumes: <data_dir>/pods/<uid>; the runner's files */
	const char *logs_dir;   /* container logs (podlog.h) */
	const char *fail_image_pattern; /* fnmatch(3) glob; NULL: every image "pulls" */
	int64_t backoff_ms;     /* first restart / image pull back-off: 10 s */
	int64_t backoff_max_ms; /* cap: 300 s */
	/* The Node's status.capacity and allocatable. */
	int64_t cpu_milli;
	int64_t memory_bytes;
	int64_t gpus;
	int64_t max_pods;
	const cJSON *node_labels; /* object of extra labels, or NULL */
	const cJSON *node_taints; /* array of taints, or NULL */
};

struct kubelet;

/* Forks the process runner: call it before the program starts threads. */
struct kubelet *kubelet_new(const struct kubelet_config *config, struct error *err);
/* Registers the Node, marks pods left running by a previous run as
 * failed, removes their leftovers, registers the pod terminator and
 * starts following pods and services. */
int kubelet_start(struct kubelet *k, struct store *store, struct error *err);
/* Graceful node shutdown: every container gets SIGTERM and, after
 * grace_ms, SIGKILL; running pods are then marked Failed with a
 * DisruptionTarget condition. Frees the kubelet. NULL is allowed. */
void kubelet_stop(struct kubelet *k, int64_t grace_ms);

#endif
