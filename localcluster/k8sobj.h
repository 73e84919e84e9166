/* k8sobj.h — small helpers over Kubernetes objects as cJSON trees, shared
 * by the kubelet, the scheduler and the Job and JobSet controllers:
 * metadata (labels, annotations, finalizers, owners), conditions with the
 * API's transition-time rules, the Events a reconciliation asks for, and
 * the pod predicates the controllers use (active, terminating, ready,
 * completion index). */
#ifndef KONDUKTOR_K8SOBJ_H
#define KONDUKTOR_K8SOBJ_H

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timeutil.h"

/* metav1.Time of now, "2026-11-22T13:51:53Z". */
void k8s_time_now(char out[RFC3339_MAX]);
/* Seconds since the epoch of a metav1.Time at path, or -1 if absent or
 * malformed. */
int64_t k8s_time_at(const cJSON *obj, const char *path);

const char *k8s_name(const cJSON *obj);
const char *k8s_namespace(const cJSON *obj);
const char *k8s_uid(const cJSON *obj);
const char *k8s_label(const cJSON *obj, const char *key);
const char *k8s_annotation(const cJSON *obj, const char *key);
/* Sets metadata.labels[key] / metadata.annotations[key], creating the map. */
void k8s_set_label(cJSON *obj, const char *key, const char *value);
void k8s_set_annotation(cJSON *obj, const char *key, const char *value);
bool k8s_is_deleting(const cJSON *obj); /* metadata.deletionTimestamp is set */

bool k8s_has_finalizer(const cJSON *obj, const char *finalizer);
void k8s_add_finalizer(cJSON *obj, const char *finalizer);
/* Returns true if it was there. */
bool k8s_remove_finalizer(cJSON *obj, const char *finalizer);

/* The ownerReference with controller: true, or NULL. */
const cJSON *k8s_controller_ref(const cJSON *obj);
/* True if obj's controller reference names uid. */
bool k8s_is_controlled_by(const cJSON *obj, const char *uid);
/* Appends {apiVersion, kind, name, uid, controller: true,
 * blockOwnerDeletion: true} to obj's metadata.ownerReferences. */
void k8s_add_controller_ref(cJSON *obj, const char *api_version, const char *kind,
			    const char *name, const char *uid);

/* The condition of `type` in the array at obj[path], or NULL. */
const cJSON *k8s_condition(const cJSON *obj, const char *path, const char *type);
/* True if that condition exists with status "True". */
bool k8s_condition_true(const cJSON *obj, const char *path, const char *type);
/* Sets a condition in the array at obj[path] (created if absent) as the
 * API does. Pod conditions (probe false): lastTransitionTime changes only
 * when the status does, lastProbeTime is null. Job conditions (probe
 * true): any difference replaces both times, as the Job controller's
 * ensureJobConditionStatus does. A condition that does not exist yet is not added with
 * status "False" when `skip_new_false` (the Job controller's rule).
 * Returns true if anything changed. */
bool k8s_set_condition(cJSON *obj, const char *path, const char *type, const char *status,
		       const char *reason, const char *message, bool probe, bool skip_new_false);

/* An Event a controller's reconciliation asks it to record. */
struct k8s_event {
	const char *type; /* "Normal" or "Warning" (static) */
	char *reason;
	char *message;
};

/* Appends an event with a printf-style message to the array *events of
 * *n_events. */
void k8s_event_vadd(struct k8s_event **events, size_t *n_events, const char *type,
		    const char *reason, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
/* Frees n_events events and the array. */
void k8s_events_free(struct k8s_event *events, size_t n_events);

/* Pod predicates, as k8s.io/kubernetes/pkg/controller defines them. */
const char *pod_phase(const cJSON *pod);       /* "Pending" if absent */
bool pod_is_terminal(const cJSON *pod);        /* Succeeded or Failed */
bool pod_is_active(const cJSON *pod);          /* not terminal, not being deleted */
bool pod_is_terminating(const cJSON *pod);     /* not terminal, being deleted */
bool pod_is_ready(const cJSON *pod);           /* condition Ready is True */
/* batch.kubernetes.io/job-completion-index as a number, or -1. */
int64_t pod_completion_index(const cJSON *pod);
/* A non-negative int32 annotation (the index failure counts), 0 if absent
 * or invalid, as the Job controller reads it. */
int64_t pod_int_annotation(const cJSON *pod, const char *key);

#endif
