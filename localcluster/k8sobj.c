/* k8sobj.c — helpers over Kubernetes objects as cJSON trees. */
#include "k8sobj.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

void k8s_time_now(char out[RFC3339_MAX])
{
	time_format_rfc3339(time(NULL), out);
}

int64_t k8s_time_at(const cJSON *obj, const char *path)
{
	const char *text = json_get_string(obj, path);
	time_t t;

	if (!text || time_parse_rfc3339(text, &t) < 0)
		return -1;
	return (int64_t)t;
}

const char *k8s_name(const cJSON *obj)
{
	return json_get_string(obj, "metadata.name");
}

const char *k8s_namespace(const cJSON *obj)
{
	return json_get_string(obj, "metadata.namespace");
}

const char *k8s_uid(const cJSON *obj)
{
	return json_get_string(obj, "metadata.uid");
}

const char *k8s_label(const cJSON *obj, const char *key)
{
	return json_get_child_string(json_get(obj, "metadata.labels"), key);
}

const char *k8s_annotation(const cJSON *obj, const char *key)
{
	return json_get_child_string(json_get(obj, "metadata.annotations"), key);
}

void k8s_set_label(cJSON *obj, const char *key, const char *value)
{
	json_set_string(json_ensure_object(obj, "metadata.labels"), key, value);
}

void k8s_set_annotation(cJSON *obj, const char *key, const char *value)
{
	json_set_string(json_ensure_object(obj, "metadata.annotations"), key, value);
}

bool k8s_is_deleting(const cJSON *obj)
{
	const cJSON *ts = json_get(obj, "metadata.deletionTimestamp");

	return ts && !cJSON_IsNull(ts);
}

bool k8s_has_finalizer(const cJSON *obj, const char *finalizer)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, json_get(obj, "metadata.finalizers"))
		if (cJSON_IsString(item) && !strcmp(item->valuestring, finalizer))
			return true;
	return false;
}

void k8s_add_finalizer(cJSON *obj, const char *finalizer)
{
	cJSON *meta = json_ensure_object(obj, "metadata");
	cJSON *list = cJSON_GetObjectItemCaseSensitive(meta, "finalizers");

	if (k8s_has_finalizer(obj, finalizer))
		return;
	if (!cJSON_IsArray(list)) {
		list = cJSON_CreateArray();
		json_set(meta, "finalizers", list);
	}
	cJSON_AddItemToArray(list, cJSON_CreateString(finalizer));
}

bool k8s_remove_finalizer(cJSON *obj, const char *finalizer)
{
	cJSON *list = (cJSON *)json_get(obj, "metadata.finalizers");
	bool removed = false;
	int i = 0;

	for (cJSON *item = list ? list->child : NULL, *next; item; item = next) {
		next = item->next;
		if (cJSON_IsString(item) && !strcmp(item->valuestring, finalizer)) {
			cJSON_DeleteItemFromArray(list, i);
			removed = true;
			continue;
		}
		i++;
	}
	if (list && !list->child)
		cJSON_DeleteItemFromObjectCaseSensitive(json_ensure_object(obj, "metadata"),
							"finalizers");
	return removed;
}

const cJSON *k8s_controller_ref(const cJSON *obj)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, json_get(obj, "metadata.ownerReferences"))
		if (json_get_bool(ref, "controller", false))
			return ref;
	return NULL;
}

bool k8s_is_controlled_by(const cJSON *obj, const char *uid)
{
	const cJSON *ref = k8s_controller_ref(obj);

	return ref && uid && str_eq(json_get_string(ref, "uid"), uid);
}

void k8s_add_controller_ref(cJSON *obj, const char *api_version, const char *kind,
			    const char *name, const char *uid)
{
	cJSON *meta = json_ensure_object(obj, "metadata");
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences");
	cJSON *ref = cJSON_CreateObject();

	if (!cJSON_IsArray(refs)) {
		refs = cJSON_CreateArray();
		json_set(meta, "ownerReferences", refs);
	}
	cJSON_AddStringToObject(ref, "apiVersion", api_version);
	cJSON_AddStringToObject(ref, "kind", kind);
	cJSON_AddStringToObject(ref, "name", name);
	cJSON_AddStringToObject(ref, "uid", uid);
	cJSON_AddBoolToObject(ref, "controller", true);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", true);
	cJSON_AddItemToArray(refs, ref);
}

const cJSON *k8s_condition(const cJSON *obj, const char *path, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(obj, path))
		if (str_eq(json_get_string(c, "type"), type))
			return c;
	return NULL;
}

bool k8s_condition_true(const cJSON *obj, const char *path, const char *type)
{
	return str_eq(json_get_string(k8s_condition(obj, path, type), "status"), "True");
}

/* The array at path, created (with its parents) when absent. */
static cJSON *ensure_array(cJSON *obj, const char *path)
{
	const char *dot = strrchr(path, '.');
	cJSON *parent = obj, *array;
	char parent_path[128];
	const char *key = path;

	if (dot && (size_t)(dot - path) < sizeof(parent_path)) {
		memcpy(parent_path, path, (size_t)(dot - path));
		parent_path[dot - path] = '\0';
		parent = json_ensure_object(obj, parent_path);
		key = dot + 1;
	}
	array = cJSON_GetObjectItemCaseSensitive(parent, key);
	if (!cJSON_IsArray(array)) {
		array = cJSON_CreateArray();
		json_set(parent, key, array);
	}
	return array;
}

static bool set_string_if_changed(cJSON *obj, const char *key, const char *value)
{
	if (!value || !*value) {
		if (!cJSON_GetObjectItemCaseSensitive(obj, key))
			return false;
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		return true;
	}
	if (str_eq(json_get_child_string(obj, key), value))
		return false;
	json_set_string(obj, key, value);
	return true;
}

bool k8s_set_condition(cJSON *obj, const char *path, const char *type, const char *status,
		       const char *reason, const char *message, bool probe, bool skip_new_false)
{
	cJSON *c = (cJSON *)k8s_condition(obj, path, type);
	char now[RFC3339_MAX];
	bool changed = false;

	k8s_time_now(now);
	if (!c) {
		if (skip_new_false && !strcmp(status, "False"))
			return false;
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "type", type);
		cJSON_AddItemToArray(ensure_array(obj, path), c);
		changed = true;
	}
	if (!str_eq(json_get_string(c, "status"), status)) {
		json_set_string(c, "status", status);
		json_set_string(c, "lastTransitionTime", now);
		changed = true;
	} else if (!json_get_string(c, "lastTransitionTime")) {
		json_set_string(c, "lastTransitionTime", now);
	}
	changed |= set_string_if_changed(c, "reason", reason);
	changed |= set_string_if_changed(c, "message", message);
	if (probe && changed) {
		/* A Job condition is replaced whole when anything differs. */
		json_set_string(c, "lastProbeTime", now);
		json_set_string(c, "lastTransitionTime", now);
	}
	else if (!probe && !cJSON_GetObjectItemCaseSensitive(c, "lastProbeTime"))
		json_set(c, "lastProbeTime", cJSON_CreateNull());
	return changed;
}

const char *pod_phase(const cJSON *pod)
{
	const char *phase = json_get_string(pod, "status.phase");

	return phase ? phase : "Pending";
}

bool pod_is_terminal(const cJSON *pod)
{
	const char *phase = pod_phase(pod);

	return !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
}

bool pod_is_active(const cJSON *pod)
{
	return !pod_is_terminal(pod) && !k8s_is_deleting(pod);
}

bool pod_is_terminating(const cJSON *pod)
{
	return !pod_is_terminal(pod) && k8s_is_deleting(pod);
}

bool pod_is_ready(const cJSON *pod)
{
	return k8s_condition_true(pod, "status.conditions", "Ready");
}

int64_t pod_completion_index(const cJSON *pod)
{
	const char *text = k8s_annotation(pod, "batch.kubernetes.io/job-completion-index");
	int64_t v;

	if (!text || str_to_int64(text, &v) < 0 || v < 0)
		return -1;
	return v;
}

int64_t pod_int_annotation(const cJSON *pod, const char *key)
{
	const char *text = k8s_annotation(pod, key);
	int64_t v;

	if (!text || str_to_int64(text, &v) < 0 || v < 0 || v > INT32_MAX)
		return 0;
	return v;
}

void k8s_event_vadd(struct k8s_event **events, size_t *n_events, const char *type,
		    const char *reason, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT(BUF_MAX_SMALL);

	buf_vprintf(&msg, fmt, ap);
	*events = xreallocarray(*events, *n_events + 1, sizeof(**events));
	(*events)[(*n_events)++] = (struct k8s_event){ type, xstrdup(reason),
						       buf_detach(&msg, NULL) };
}

void k8s_events_free(struct k8s_event *events, size_t n_events)
{
	for (size_t i = 0; i < n_events; i++) {
		free(events[i].reason);
		free(events[i].message);
	}
	free(events);
}
