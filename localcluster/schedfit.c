/* schedfit.c — the scheduler's filters for the one node (schedfit.h). */
#include "schedfit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "quantity.h"
#include "strutil.h"
#include "strv.h"

int64_t resource_list_get(const struct resource_list *l, const char *name)
{
	for (size_t i = 0; i < l->len; i++)
		if (!strcmp(l->items[i].name, name))
			return l->items[i].milli;
	return 0;
}

static int64_t saturating_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	return a + b;
}

void resource_list_add(struct resource_list *l, const char *name, int64_t milli)
{
	for (size_t i = 0; i < l->len; i++) {
		if (!strcmp(l->items[i].name, name)) {
			l->items[i].milli = saturating_add(l->items[i].milli, milli);
			return;
		}
	}
	if (l->len == SCHED_MAX_RESOURCES)
		return; /* more resource kinds than any pod asks for: ignored */
	str_copy(l->items[l->len].name, sizeof(l->items[l->len].name), name);
	l->items[l->len].milli = milli;
	l->len++;
}

static void set_max(struct resource_list *l, const char *name, int64_t milli)
{
	for (size_t i = 0; i < l->len; i++) {
		if (!strcmp(l->items[i].name, name)) {
			if (milli > l->items[i].milli)
				l->items[i].milli = milli;
			return;
		}
	}
	resource_list_add(l, name, milli);
}

/* A quantity in JSON (string, or a plain number) in milli-units; -1 if
 * unreadable (the API validated it, so this does not happen). */
static int64_t quantity_milli(const cJSON *v)
{
	struct quantity q;
	char text[64];

	if (cJSON_IsNumber(v)) {
		snprintf(text, sizeof(text), "%.17g", v->valuedouble);
	} else if (cJSON_IsString(v)) {
		if (str_copy(text, sizeof(text), v->valuestring) < 0)
			return -1;
	} else {
		return -1;
	}
	if (quantity_parse(text, &q, NULL) < 0)
		return -1;
	return q.milli;
}

/* One container's requests, with limits standing in for missing requests. */
static void container_requests(const cJSON *container, struct resource_list *ret)
{
	const cJSON *requests = json_get(container, "resources.requests");
	const cJSON *limits = json_get(container, "resources.limits");
	const cJSON *r;

	cJSON_ArrayForEach(r, requests) {
		int64_t v = quantity_milli(r);

		if (v > 0)
			resource_list_add(ret, r->string, v);
	}
	cJSON_ArrayForEach(r, limits) {
		int64_t v = quantity_milli(r);

		if (v > 0 && !json_get_child(requests, r->string))
			resource_list_add(ret, r->string, v);
	}
}

void pod_requests(const cJSON *pod_spec, struct resource_list *ret)
{
	const cJSON *c, *r;

	memset(ret, 0, sizeof(*ret));
	cJSON_ArrayForEach(c, json_get(pod_spec, "containers"))
		container_requests(c, ret);
	cJSON_ArrayForEach(c, json_get(pod_spec, "initContainers")) {
		struct resource_list one = { .len = 0 };

		container_requests(c, &one);
		for (size_t i = 0; i < one.len; i++)
			set_max(ret, one.items[i].name, one.items[i].milli);
	}
	cJSON_ArrayForEach(r, json_get(pod_spec, "overhead")) {
		int64_t v = quantity_milli(r);

		if (v > 0)
			resource_list_add(ret, r->string, v);
	}
	resource_list_add(ret, "pods", 1000);
}

static bool tolerates(const cJSON *tolerations, const cJSON *taint)
{
	const char *key = json_get_string(taint, "key");
	const char *value = json_get_string(taint, "value");
	const char *effect = json_get_string(taint, "effect");
	const cJSON *t;

	cJSON_ArrayForEach(t, tolerations) {
		const char *tkey = json_get_string(t, "key");
		const char *op = json_get_string(t, "operator");
		const char *teffect = json_get_string(t, "effect");

		if (!str_is_empty(teffect) && !str_eq(teffect, effect))
			continue;
		if (str_is_empty(tkey)) {
			if (str_eq(op, "Exists"))
				return true; /* an empty key with Exists tolerates everything */
			continue;
		}
		if (!str_eq(tkey, key))
			continue;
		if (str_eq(op, "Exists"))
			return true;
		if (str_eq(json_get_string(t, "value") ? json_get_string(t, "value") : "",
			   value ? value : ""))
			return true;
	}
	return false;
}

/* A NoSchedule/NoExecute taint the pod does not tolerate, or NULL. */
static const cJSON *untolerated_taint(const cJSON *node, const cJSON *pod_spec)
{
	const cJSON *taint;

	cJSON_ArrayForEach(taint, json_get(node, "spec.taints")) {
		const char *effect = json_get_string(taint, "effect");

		if (!str_eq(effect, "NoSchedule") && !str_eq(effect, "NoExecute"))
			continue;
		if (!tolerates(json_get(pod_spec, "tolerations"), taint))
			return taint;
	}
	return NULL;
}

static bool requirement_matches(const cJSON *labels, const cJSON *req)
{
	const char *key = json_get_string(req, "key");
	const char *op = json_get_string(req, "operator");
	const char *value = json_get_child_string(labels, key ? key : "");
	const cJSON *v;
	bool in = false;

	cJSON_ArrayForEach(v, json_get(req, "values"))
		in |= cJSON_IsString(v) && value && !strcmp(v->valuestring, value);
	if (str_eq(op, "In"))
		return in;
	if (str_eq(op, "NotIn"))
		return !in;
	if (str_eq(op, "Exists"))
		return value != NULL;
	if (str_eq(op, "DoesNotExist"))
		return value == NULL;
	if (str_eq(op, "Gt") || str_eq(op, "Lt")) {
		const cJSON *first = cJSON_GetArrayItem(json_get(req, "values"), 0);
		int64_t have, want;

		if (!value || !cJSON_IsString(first) || str_to_int64(value, &have) < 0 ||
		    str_to_int64(first->valuestring, &want) < 0)
			return false;
		return str_eq(op, "Gt") ? have > want : have < want;
	}
	return false;
}

/* nodeSelector and requiredDuringSchedulingIgnoredDuringExecution. */
static bool matches_node_affinity(const cJSON *node, const cJSON *pod_spec)
{
	const cJSON *labels = json_get(node, "metadata.labels");
	const cJSON *sel, *terms, *term;
	bool any = false;

	cJSON_ArrayForEach(sel, json_get(pod_spec, "nodeSelector"))
		if (!cJSON_IsString(sel) || !str_eq(json_get_child_string(labels, sel->string), sel->valuestring))
			return false;
	terms = json_get(pod_spec,
			 "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
	if (!cJSON_GetArraySize(terms))
		return true;
	/* The terms are ORed; the requirements of one term ANDed. */
	cJSON_ArrayForEach(term, terms) {
		const cJSON *req;
		bool all = true;

		cJSON_ArrayForEach(req, json_get(term, "matchExpressions"))
			all &= requirement_matches(labels, req);
		cJSON_ArrayForEach(req, json_get(term, "matchFields")) {
			/* Only metadata.name can be matched on a field. */
			cJSON *fields = cJSON_CreateObject();

			cJSON_AddStringToObject(fields, "metadata.name",
						json_get_string(node, "metadata.name") ?: "");
			all &= requirement_matches(fields, req);
			cJSON_Delete(fields);
		}
		any |= all;
	}
	return any;
}

static void unavailable(struct buf *message, struct strv *reasons, bool resources)
{
	strv_sort(reasons);
	buf_puts(message, "0/1 nodes are available: ");
	for (size_t i = 0; i < reasons->len; i++)
		buf_printf(message, "%s1 %s", i ? ", " : "", reasons->items[i]);
	buf_printf(message, ". preemption: 0/1 nodes are available: 1 %s.",
		   resources ? "No preemption victims found for incoming pod"
			     : "Preemption is not helpful for scheduling");
}

bool sched_fit(const cJSON *node, const cJSON *pod_spec, const struct resource_list *used,
	       struct buf *message)
{
	struct strv reasons = STRV_INIT;
	struct resource_list want;
	const cJSON *taint;
	bool fits;

	if (!node) {
		buf_puts(message, "no nodes available to schedule pods");
		return false;
	}
	if (json_get_bool(node, "spec.unschedulable", false)) {
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "key", "node.kubernetes.io/unschedulable");
		cJSON_AddStringToObject(t, "effect", "NoSchedule");
		if (!tolerates(json_get(pod_spec, "tolerations"), t)) {
			strv_push(&reasons, "node(s) were unschedulable");
			unavailable(message, &reasons, false);
			cJSON_Delete(t);
			strv_release(&reasons);
			return false;
		}
		cJSON_Delete(t);
	}
	if ((taint = untolerated_taint(node, pod_spec))) {
		strv_pushf(&reasons, "node(s) had untolerated taint {%s: %s}",
			   json_get_string(taint, "key") ?: "", json_get_string(taint, "value") ?: "");
		unavailable(message, &reasons, false);
		strv_release(&reasons);
		return false;
	}
	if (!matches_node_affinity(node, pod_spec)) {
		strv_push(&reasons, "node(s) didn't match Pod's node affinity/selector");
		unavailable(message, &reasons, false);
		strv_release(&reasons);
		return false;
	}
	pod_requests(pod_spec, &want);
	for (size_t i = 0; i < want.len; i++) {
		const char *name = want.items[i].name;
		int64_t allocatable = quantity_milli(json_get_child(json_get(node, "status.allocatable"), name));

		if (allocatable < 0)
			allocatable = 0;
		if (saturating_add(resource_list_get(used, name), want.items[i].milli) <= allocatable)
			continue;
		if (!strcmp(name, "pods"))
			strv_push(&reasons, "Too many pods");
		else
			strv_pushf(&reasons, "Insufficient %s", name);
	}
	fits = reasons.len == 0;
	if (!fits)
		unavailable(message, &reasons, true);
	strv_release(&reasons);
	return fits;
}
