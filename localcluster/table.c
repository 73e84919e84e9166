/* table.c — Table rows for each served kind, as the real printers make
 * them (k8s.io/kubernetes/pkg/printers/internalversion, and the JobSet
 * CRD's additionalPrinterColumns). */
#include "table.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

struct column {
	const char *name;
	const char *type; /* string, integer, date */
	const char *format;
	const char *description;
	int priority; /* 1: shown with -o wide only */
};

typedef void (*cells_fn)(const cJSON *obj, time_t now, cJSON *cells);

struct printer {
	const struct column *columns;
	cells_fn cells;
};

/* ---- helpers ---- */

/* translateTimestampSince(): "<unknown>" without a timestamp. */
static void add_age(cJSON *cells, const char *timestamp, time_t now)
{
	char text[32];
	time_t t;

	if (!timestamp || time_parse_rfc3339(timestamp, &t) < 0) {
		cJSON_AddItemToArray(cells, cJSON_CreateString("<unknown>"));
		return;
	}
	time_human_duration((int64_t)(now - t), text, sizeof(text));
	cJSON_AddItemToArray(cells, cJSON_CreateString(text));
}

static void add_string(cJSON *cells, const char *text)
{
	cJSON_AddItemToArray(cells, cJSON_CreateString(text ? text : ""));
}

static void add_int(cJSON *cells, int64_t n)
{
	cJSON_AddItemToArray(cells, cJSON_CreateNumber((double)n));
}

static void add_name(cJSON *cells, const cJSON *obj)
{
	add_string(cells, json_get_string(obj, "metadata.name"));
}

static int64_t get_int(const cJSON *obj, const char *path)
{
	int64_t v = 0;

	json_get_int64(obj, path, &v);
	return v;
}

static bool has_condition(const cJSON *obj, const char *type, const char *status)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(obj, "status.conditions"))
	{
		if (str_eq(json_get_child_string(c, "type"), type) &&
		    str_eq(json_get_child_string(c, "status"), status))
			return true;
	}
	return false;
}

#define NAME_COLUMN                                                                              \
	{ "Name", "string", "name",                                                              \
	  "Name must be unique within a namespace. Is required when creating resources, although " \
	  "some resources may allow a client to request the generation of an appropriate name "  \
	  "automatically.",                                                                      \
	  0 }
#define AGE_COLUMN                                                                            \
	{ "Age", "string", "",                                                                \
	  "CreationTimestamp is a timestamp representing the server time when this object was " \
	  "created.",                                                                         \
	  0 }
#define END_COLUMN { NULL, NULL, NULL, NULL, 0 }

/* ---- pods: printPod ---- */

static const struct column pod_columns[] = {
	NAME_COLUMN,
	{ "Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0 },
	{ "Status", "string", "", "The aggregate status of the containers in this pod.", 0 },
	{ "Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0 },
	AGE_COLUMN,
	{ "IP", "string", "", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1 },
	{ "Node", "string", "", "NodeName is a request to schedule this pod onto a specific node.", 1 },
	{ "Nominated Node", "string", "", "nominatedNodeName is set when this pod preempts other pods on the node.", 1 },
	{ "Readiness Gates", "string", "", "If specified, all readiness gates will be evaluated for pod readiness.", 1 },
	END_COLUMN,
};

static void pod_cells(const cJSON *pod, time_t now, cJSON *cells)
{
	const char *reason = json_get_string(pod, "status.phase");
	const cJSON *statuses = json_get(pod, "status.containerStatuses");
	const cJSON *init = json_get(pod, "status.initContainerStatuses");
	int total = cJSON_GetArraySize(json_get(pod, "spec.containers"));
	int n_init = cJSON_GetArraySize(json_get(pod, "spec.initContainers"));
	int ready = 0, i = 0;
	int64_t restarts = 0;
	bool initializing = false, running = false;
	char text[96], ready_text[32];
	const cJSON *c;

	if (json_get_string(pod, "status.reason"))
		reason = json_get_string(pod, "status.reason");
	cJSON_ArrayForEach(c, init)
	{
		const cJSON *terminated = json_get(c, "state.terminated");
		const char *waiting = json_get_string(c, "state.waiting.reason");

		restarts += get_int(c, "restartCount");
		if (terminated && get_int(terminated, "exitCode") == 0) {
			i++;
			continue;
		}
		if (terminated) {
			const char *why = json_get_child_string(terminated, "reason");

			if (why && *why)
				snprintf(text, sizeof(text), "Init:%s", why);
			else if (get_int(terminated, "signal"))
				snprintf(text, sizeof(text), "Init:Signal:%" PRId64,
					 get_int(terminated, "signal"));
			else
				snprintf(text, sizeof(text), "Init:ExitCode:%" PRId64,
					 get_int(terminated, "exitCode"));
		} else if (waiting && *waiting && strcmp(waiting, "PodInitializing") != 0) {
			snprintf(text, sizeof(text), "Init:%s", waiting);
		} else {
			snprintf(text, sizeof(text), "Init:%d/%d", i, n_init);
		}
		reason = text;
		initializing = true;
		break;
	}
	if (!initializing) {
		restarts = 0;
		for (int k = cJSON_GetArraySize(statuses) - 1; k >= 0; k--) {
			const cJSON *s = cJSON_GetArrayItem(statuses, k);
			const char *waiting = json_get_string(s, "state.waiting.reason");
			const cJSON *terminated = json_get(s, "state.terminated");
			const char *why = json_get_string(terminated, "reason");

			restarts += get_int(s, "restartCount");
			if (waiting && *waiting) {
				reason = waiting;
			} else if (why && *why) {
				reason = why;
			} else if (terminated) {
				if (get_int(terminated, "signal"))
					snprintf(text, sizeof(text), "Signal:%" PRId64,
						 get_int(terminated, "signal"));
				else
					snprintf(text, sizeof(text), "ExitCode:%" PRId64,
						 get_int(terminated, "exitCode"));
				reason = text;
			} else if (json_get_bool(s, "ready", false) && json_get(s, "state.running")) {
				running = true;
				ready++;
			}
		}
		if (str_eq(reason, "Completed") && running)
			reason = has_condition(pod, "Ready", "True") ? "Running" : "NotReady";
	}
	if (json_get(pod, "metadata.deletionTimestamp"))
		reason = str_eq(json_get_string(pod, "status.reason"), "NodeLost") ? "Unknown"
										  : "Terminating";
	add_name(cells, pod);
	snprintf(ready_text, sizeof(ready_text), "%d/%d", ready, total);
	add_string(cells, ready_text);
	add_string(cells, reason ? reason : "Pending");
	snprintf(ready_text, sizeof(ready_text), "%" PRId64, restarts);
	add_string(cells, ready_text);
	add_age(cells, json_get_string(pod, "metadata.creationTimestamp"), now);
	add_string(cells, json_get_string(pod, "status.podIP") ?: "<none>");
	add_string(cells, json_get_string(pod, "spec.nodeName") ?: "<none>");
	add_string(cells, json_get_string(pod, "status.nominatedNodeName") ?: "<none>");
	add_string(cells, "<none>");
}

/* ---- jobs: printJob ---- */

static const struct column job_columns[] = {
	NAME_COLUMN,
	{ "Status", "string", "", "Status of the job.", 0 },
	{ "Completions", "string", "", "The desired number of successfully finished pods the job should be run with.", 0 },
	{ "Duration", "string", "", "Time required to complete the job.", 0 },
	AGE_COLUMN,
	{ "Containers", "string", "", "Names of each container in the template.", 1 },
	{ "Images", "string", "", "Images referenced by each container in the template.", 1 },
	{ "Selector", "string", "", "A label query over pods that should match the pod count.", 1 },
	END_COLUMN,
};

/* "a,b" of a field of each container. */
static void join_containers(const cJSON *containers, const char *key, struct buf *out)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, containers)
		buf_printf(out, "%s%s", out->len ? "," : "", json_get_child_string(c, key) ?: "");
}

static void job_cells(const cJSON *job, time_t now, cJSON *cells)
{
	const char *status = "Running";
	const char *start = json_get_string(job, "status.startTime");
	const char *end = json_get_string(job, "status.completionTime");
	char text[64];
	int64_t completions;
	struct buf list = BUF_INIT(BUF_MAX_SMALL);
	const cJSON *labels;

	if (has_condition(job, "Complete", "True"))
		status = "Complete";
	else if (has_condition(job, "Failed", "True"))
		status = "Failed";
	else if (json_get(job, "metadata.deletionTimestamp"))
		status = "Terminating";
	else if (has_condition(job, "Suspended", "True"))
		status = "Suspended";
	else if (has_condition(job, "FailureTarget", "True"))
		status = "FailureTarget";
	else if (has_condition(job, "SuccessCriteriaMet", "True"))
		status = "SuccessCriteriaMet";
	add_name(cells, job);
	add_string(cells, status);
	if (json_get_int64(job, "spec.completions", &completions))
		snprintf(text, sizeof(text), "%" PRId64 "/%" PRId64, get_int(job, "status.succeeded"),
			 completions);
	else if (get_int(job, "spec.parallelism") > 1)
		snprintf(text, sizeof(text), "%" PRId64 "/1 of %" PRId64,
			 get_int(job, "status.succeeded"), get_int(job, "spec.parallelism"));
	else
		snprintf(text, sizeof(text), "%" PRId64 "/1", get_int(job, "status.succeeded"));
	add_string(cells, text);
	{
		time_t from, to = now;

		if (start && time_parse_rfc3339(start, &from) == 0 &&
		    (!end || time_parse_rfc3339(end, &to) == 0)) {
			time_human_duration((int64_t)(to - from), text, sizeof(text));
			add_string(cells, text);
		} else {
			add_string(cells, "");
		}
	}
	add_age(cells, json_get_string(job, "metadata.creationTimestamp"), now);
	join_containers(json_get(job, "spec.template.spec.containers"), "name", &list);
	add_string(cells, list.data);
	buf_reset(&list);
	join_containers(json_get(job, "spec.template.spec.containers"), "image", &list);
	add_string(cells, list.data);
	buf_reset(&list);
	cJSON_ArrayForEach(labels, json_get(job, "spec.selector.matchLabels"))
		buf_printf(&list, "%s%s=%s", list.len ? "," : "", labels->string,
			   cJSON_IsString(labels) ? labels->valuestring : "");
	add_string(cells, list.len ? list.data : "<none>");
	buf_release(&list);
}

/* ---- nodes, namespaces, services, configmaps, secrets, events ---- */

static const struct column node_columns[] = {
	NAME_COLUMN,
	{ "Status", "string", "", "The status of the node", 0 },
	{ "Roles", "string", "", "The roles of the node", 0 },
	AGE_COLUMN,
	{ "Version", "string", "", "Kubelet Version reported by the node.", 0 },
	END_COLUMN,
};

static void node_cells(const cJSON *node, time_t now, cJSON *cells)
{
	char status[64];

	snprintf(status, sizeof(status), "%s%s",
		 has_condition(node, "Ready", "True") ? "Ready" : "NotReady",
		 json_get_bool(node, "spec.unschedulable", false) ? ",SchedulingDisabled" : "");
	add_name(cells, node);
	add_string(cells, status);
	add_string(cells, "<none>");
	add_age(cells, json_get_string(node, "metadata.creationTimestamp"), now);
	add_string(cells, json_get_string(node, "status.nodeInfo.kubeletVersion"));
}

static const struct column namespace_columns[] = {
	NAME_COLUMN,
	{ "Status", "string", "", "The status of the namespace", 0 },
	AGE_COLUMN,
	END_COLUMN,
};

static void namespace_cells(const cJSON *ns, time_t now, cJSON *cells)
{
	add_name(cells, ns);
	add_string(cells, json_get_string(ns, "status.phase"));
	add_age(cells, json_get_string(ns, "metadata.creationTimestamp"), now);
}

static const struct column service_columns[] = {
	NAME_COLUMN,
	{ "Type", "string", "", "The type of the service.", 0 },
	{ "Cluster-IP", "string", "", "The cluster IP of the service.", 0 },
	{ "External-IP", "string", "", "The external IP of the service.", 0 },
	{ "Port(s)", "string", "", "The ports of the service.", 0 },
	AGE_COLUMN,
	{ "Selector", "string", "", "Route service traffic to pods with label keys and values matching this selector.", 1 },
	END_COLUMN,
};

static void service_cells(const cJSON *svc, time_t now, cJSON *cells)
{
	struct buf ports = BUF_INIT(BUF_MAX_SMALL), selector = BUF_INIT(BUF_MAX_SMALL);
	const cJSON *p;

	cJSON_ArrayForEach(p, json_get(svc, "spec.ports"))
		buf_printf(&ports, "%s%" PRId64 "/%s", ports.len ? "," : "", get_int(p, "port"),
			   json_get_child_string(p, "protocol") ?: "TCP");
	cJSON_ArrayForEach(p, json_get(svc, "spec.selector"))
		buf_printf(&selector, "%s%s=%s", selector.len ? "," : "", p->string,
			   cJSON_IsString(p) ? p->valuestring : "");
	add_name(cells, svc);
	add_string(cells, json_get_string(svc, "spec.type"));
	add_string(cells, json_get_string(svc, "spec.clusterIP") ?: "<none>");
	add_string(cells, "<none>");
	add_string(cells, ports.len ? ports.data : "<none>");
	add_age(cells, json_get_string(svc, "metadata.creationTimestamp"), now);
	add_string(cells, selector.len ? selector.data : "<none>");
	buf_release(&ports);
	buf_release(&selector);
}

static const struct column configmap_columns[] = {
	NAME_COLUMN,
	{ "Data", "string", "", "Data contains the configuration data.", 0 },
	AGE_COLUMN,
	END_COLUMN,
};

static void configmap_cells(const cJSON *cm, time_t now, cJSON *cells)
{
	add_name(cells, cm);
	add_int(cells, cJSON_GetArraySize(json_get(cm, "data")) +
			       cJSON_GetArraySize(json_get(cm, "binaryData")));
	add_age(cells, json_get_string(cm, "metadata.creationTimestamp"), now);
}

static const struct column secret_columns[] = {
	NAME_COLUMN,
	{ "Type", "string", "", "The type of secret", 0 },
	{ "Data", "string", "", "Data contains the secret data.", 0 },
	AGE_COLUMN,
	END_COLUMN,
};

static void secret_cells(const cJSON *secret, time_t now, cJSON *cells)
{
	add_name(cells, secret);
	add_string(cells, json_get_string(secret, "type"));
	add_int(cells, cJSON_GetArraySize(json_get(secret, "data")));
	add_age(cells, json_get_string(secret, "metadata.creationTimestamp"), now);
}

static const struct column event_columns[] = {
	{ "Last Seen", "string", "", "The last time the event was seen.", 0 },
	{ "Type", "string", "", "Type of this event (Normal, Warning).", 0 },
	{ "Reason", "string", "", "A short, machine understandable string that gives the reason for the transition into the object's current status.", 0 },
	{ "Object", "string", "", "The object this Event is about.", 0 },
	{ "Message", "string", "", "A human-readable description of the status of this operation.", 0 },
	END_COLUMN,
};

static void event_cells(const cJSON *ev, time_t now, cJSON *cells)
{
	const char *kind = json_get_string(ev, "involvedObject.kind");
	const char *last = json_get_string(ev, "lastTimestamp");
	char object[320];
	size_t i;

	snprintf(object, sizeof(object), "%s/%s", kind ? kind : "",
		 json_get_string(ev, "involvedObject.name") ?: "");
	for (i = 0; object[i] && object[i] != '/'; i++)
		if (object[i] >= 'A' && object[i] <= 'Z')
			object[i] = (char)(object[i] - 'A' + 'a');
	add_age(cells, last ? last : json_get_string(ev, "metadata.creationTimestamp"), now);
	add_string(cells, json_get_string(ev, "type"));
	add_string(cells, json_get_string(ev, "reason"));
	add_string(cells, object);
	add_string(cells, json_get_string(ev, "message"));
}

/* ---- jobsets: the CRD's additionalPrinterColumns ---- */

static const struct column jobset_columns[] = {
	NAME_COLUMN,
	{ "TerminalState", "string", "", "Final state of JobSet", 0 },
	{ "Restarts", "string", "", "Number of restarts", 0 },
	{ "Completed", "string", "", "", 0 },
	{ "Suspended", "string", "", "JobSet suspended", 0 },
	{ "Age", "date", "", "Time this JobSet was created", 0 },
	END_COLUMN,
};

static void jobset_cells(const cJSON *js, time_t now, cJSON *cells)
{
	const cJSON *c;
	const char *completed = NULL;
	char text[32];
	const cJSON *suspend = json_get(js, "spec.suspend");

	cJSON_ArrayForEach(c, json_get(js, "status.conditions"))
	{
		if (str_eq(json_get_child_string(c, "type"), "Completed"))
			completed = json_get_child_string(c, "status");
	}
	add_name(cells, js);
	if (json_get_string(js, "status.terminalState"))
		add_string(cells, json_get_string(js, "status.terminalState"));
	else
		cJSON_AddItemToArray(cells, cJSON_CreateNull());
	if (json_get(js, "status.restarts")) {
		snprintf(text, sizeof(text), "%" PRId64, get_int(js, "status.restarts"));
		add_string(cells, text);
	} else {
		cJSON_AddItemToArray(cells, cJSON_CreateNull());
	}
	if (completed)
		add_string(cells, completed);
	else
		cJSON_AddItemToArray(cells, cJSON_CreateNull());
	if (cJSON_IsBool(suspend))
		add_string(cells, cJSON_IsTrue(suspend) ? "true" : "false");
	else
		cJSON_AddItemToArray(cells, cJSON_CreateNull());
	/* A date column carries the timestamp; kubectl shows its age. */
	add_string(cells, json_get_string(js, "metadata.creationTimestamp"));
	(void)now;
}

static const struct printer printers[RESOURCE_COUNT] = {
	[RESOURCE_NAMESPACE] = { namespace_columns, namespace_cells },
	[RESOURCE_NODE] = { node_columns, node_cells },
	[RESOURCE_POD] = { pod_columns, pod_cells },
	[RESOURCE_CONFIGMAP] = { configmap_columns, configmap_cells },
	[RESOURCE_SECRET] = { secret_columns, secret_cells },
	[RESOURCE_SERVICE] = { service_columns, service_cells },
	[RESOURCE_EVENT] = { event_columns, event_cells },
	[RESOURCE_JOB] = { job_columns, job_cells },
	[RESOURCE_JOBSET] = { jobset_columns, jobset_cells },
};

/* ---- the Table ---- */

bool table_requested(const char *accept)
{
	const char *p = accept;

	/* The first acceptable media type decides: kubectl lists Table first,
	 * with plain JSON as the fallback. */
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		_cleanup_free_ char *type = xstrndup(p, len);

		if (strstr(type, "as=Table") && strstr(type, "g=meta.k8s.io") &&
		    (strstr(type, "v=v1;") || str_has_suffix(type, "v=v1") ||
		     strstr(type, "v=v1beta1")))
			return true;
		if (str_has_prefix(type, "application/json") && !strstr(type, "as="))
			return false;
		p = end ? end + 1 : NULL;
		while (p && *p == ' ')
			p++;
	}
	return false;
}

int table_parse_include(const char *text, enum table_include *ret)
{
	if (!text || !*text || !strcmp(text, "Metadata"))
		*ret = TABLE_INCLUDE_METADATA;
	else if (!strcmp(text, "None"))
		*ret = TABLE_INCLUDE_NONE;
	else if (!strcmp(text, "Object"))
		*ret = TABLE_INCLUDE_OBJECT;
	else
		return -1;
	return 0;
}

static cJSON *column_definitions(const struct column *columns)
{
	cJSON *defs = cJSON_CreateArray();

	for (const struct column *c = columns; c->name; c++) {
		cJSON *d = cJSON_CreateObject();

		json_set_string(d, "name", c->name);
		json_set_string(d, "type", c->type);
		json_set_string(d, "format", c->format);
		json_set_string(d, "description", c->description);
		json_set_int64(d, "priority", c->priority);
		cJSON_AddItemToArray(defs, d);
	}
	return defs;
}

static cJSON *row_object(const struct store_obj *item, const cJSON *obj,
			 enum table_include include)
{
	cJSON *o;

	if (include == TABLE_INCLUDE_NONE)
		return cJSON_CreateNull();
	if (include == TABLE_INCLUDE_OBJECT)
		return cJSON_Duplicate(obj, true);
	o = cJSON_CreateObject();
	json_set_string(o, "kind", "PartialObjectMetadata");
	json_set_string(o, "apiVersion", "meta.k8s.io/v1");
	json_set(o, "metadata", cJSON_Duplicate(json_get_child(obj, "metadata"), true));
	(void)item;
	return o;
}

int table_render(struct buf *out, const struct resource *r, struct store_obj *const *items,
		 size_t n, uint64_t resource_version, const char *continue_token, int64_t remaining,
		 enum table_include include, time_t now)
{
	const struct printer *printer = &printers[r->id];
	_cleanup_json_ cJSON *table = cJSON_CreateObject();
	cJSON *meta = cJSON_CreateObject(), *rows = cJSON_CreateArray();
	char rv[24];

	json_set_string(table, "kind", "Table");
	json_set_string(table, "apiVersion", "meta.k8s.io/v1");
	snprintf(rv, sizeof(rv), "%" PRIu64, resource_version);
	if (resource_version)
		json_set_string(meta, "resourceVersion", rv);
	if (continue_token)
		json_set_string(meta, "continue", continue_token);
	if (continue_token && remaining >= 0)
		json_set_int64(meta, "remainingItemCount", remaining);
	json_set(table, "metadata", meta);
	json_set(table, "columnDefinitions", column_definitions(printer->columns));
	for (size_t i = 0; i < n; i++) {
		_cleanup_json_ cJSON *obj = store_obj_parse(items[i]);
		cJSON *row = cJSON_CreateObject(), *cells = cJSON_CreateArray();

		printer->cells(obj, now, cells);
		json_set(row, "cells", cells);
		json_set(row, "object", row_object(items[i], obj, include));
		cJSON_AddItemToArray(rows, row);
	}
	json_set(table, "rows", rows);
	return json_append(out, table);
}
