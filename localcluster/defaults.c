/* defaults.c — server-side defaulting and per-kind create/update resets. */
#include "defaults.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "jsonutil.h"
#include "strutil.h"

static void set_if_absent(cJSON *obj, const char *key, cJSON *value)
{
	if (!cJSON_IsObject(obj) || json_get_child(obj, key)) {
		cJSON_Delete(value);
		return;
	}
	json_set(obj, key, value);
}

static void string_if_absent(cJSON *obj, const char *key, const char *value)
{
	set_if_absent(obj, key, cJSON_CreateString(value));
}

static void number_if_absent(cJSON *obj, const char *key, double value)
{
	set_if_absent(obj, key, cJSON_CreateNumber(value));
}

/* ---- pods ---- */

static const char *image_pull_policy(const char *image)
{
	const char *slash = image ? strrchr(image, '/') : NULL;
	const char *last = slash ? slash + 1 : image;
	const char *colon = last ? strchr(last, ':') : NULL;

	if (image && strchr(image, '@'))
		return "IfNotPresent"; /* pinned by digest */
	if (!colon || !strcmp(colon + 1, "latest"))
		return "Always";
	return "IfNotPresent";
}

static void default_container(cJSON *c)
{
	cJSON *item;
	cJSON *resources;

	string_if_absent(c, "terminationMessagePath", "/dev/termination-log");
	string_if_absent(c, "terminationMessagePolicy", "File");
	string_if_absent(c, "imagePullPolicy", image_pull_policy(json_get_child_string(c, "image")));
	set_if_absent(c, "resources", cJSON_CreateObject());
	resources = cJSON_GetObjectItemCaseSensitive(c, "resources");
	/* Limits without requests default the requests (SetDefaults_Pod). */
	if (cJSON_IsObject(json_get_child(resources, "limits"))) {
		const cJSON *limit;
		cJSON *requests;

		set_if_absent(resources, "requests", cJSON_CreateObject());
		requests = cJSON_GetObjectItemCaseSensitive(resources, "requests");
		cJSON_ArrayForEach(limit, json_get_child(resources, "limits"))
			set_if_absent(requests, limit->string, cJSON_Duplicate(limit, true));
	}
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "ports"))
		string_if_absent(item, "protocol", "TCP");
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(c, "env"))
	{
		cJSON *ref = (cJSON *)json_get(item, "valueFrom.fieldRef");

		string_if_absent(ref, "apiVersion", "v1");
	}
}

void default_pod_spec(cJSON *spec)
{
	static const char *const lists[] = { "containers", "initContainers" };
	cJSON *item;

	if (!cJSON_IsObject(spec))
		return;
	string_if_absent(spec, "restartPolicy", "Always");
	string_if_absent(spec, "dnsPolicy", "ClusterFirst");
	string_if_absent(spec, "schedulerName", "default-scheduler");
	number_if_absent(spec, "terminationGracePeriodSeconds", 30);
	set_if_absent(spec, "securityContext", cJSON_CreateObject());
	set_if_absent(spec, "enableServiceLinks", cJSON_CreateTrue());
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(spec, lists[l]))
			default_container(item);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(spec, "volumes"))
	{
		number_if_absent(cJSON_GetObjectItemCaseSensitive(item, "configMap"), "defaultMode",
				 420);
		number_if_absent(cJSON_GetObjectItemCaseSensitive(item, "secret"), "defaultMode",
				 420);
	}
}

const char *pod_qos_class(const cJSON *spec)
{
	static const char *const lists[] = { "containers", "initContainers" };
	bool any = false, guaranteed = true;
	const cJSON *c;

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		cJSON_ArrayForEach(c, json_get_child(spec, lists[l]))
		{
			const cJSON *requests = json_get(c, "resources.requests");
			const cJSON *limits = json_get(c, "resources.limits");

			if (cJSON_GetArraySize(requests) || cJSON_GetArraySize(limits))
				any = true;
			if (!json_get_child(limits, "cpu") || !json_get_child(limits, "memory"))
				guaranteed = false;
			for (const cJSON *r = requests ? requests->child : NULL; r; r = r->next)
				if (!cJSON_Compare(r, json_get_child(limits, r->string), true))
					guaranteed = false;
		}
	if (!any)
		return "BestEffort";
	return guaranteed ? "Guaranteed" : "Burstable";
}

/* The QoS class needs the defaulted spec, so defaulting sets it (on a
 * status that prepare_pod() created). */
static void finish_pod_status(cJSON *obj)
{
	cJSON *status = cJSON_GetObjectItemCaseSensitive(obj, "status");

	if (cJSON_IsObject(status) && !json_get_child(status, "qosClass"))
		json_set_string(status, "qosClass", pod_qos_class(json_get_child(obj, "spec")));
}

static cJSON *toleration(const char *key)
{
	cJSON *t = cJSON_CreateObject();

	json_set_string(t, "key", key);
	json_set_string(t, "operator", "Exists");
	json_set_string(t, "effect", "NoExecute");
	json_set_int64(t, "tolerationSeconds", 300);
	return t;
}

void default_pod(cJSON *obj)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	cJSON *tolerations;
	static const char *const keys[] = { "node.kubernetes.io/not-ready",
					    "node.kubernetes.io/unreachable" };

	if (!cJSON_IsObject(spec))
		return;
	default_pod_spec(spec);
	/* Admission: ServiceAccount, Priority and DefaultTolerationSeconds. */
	string_if_absent(spec, "serviceAccountName", "default");
	string_if_absent(spec, "serviceAccount", json_get_child_string(spec, "serviceAccountName"));
	number_if_absent(spec, "priority", 0);
	string_if_absent(spec, "preemptionPolicy", "PreemptLowerPriority");
	set_if_absent(spec, "tolerations", cJSON_CreateArray());
	tolerations = cJSON_GetObjectItemCaseSensitive(spec, "tolerations");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && cJSON_IsArray(tolerations); i++) {
		const cJSON *t;
		bool present = false;

		cJSON_ArrayForEach(t, tolerations)
		{
			if (str_eq(json_get_child_string(t, "key"), keys[i]))
				present = true;
		}
		if (!present)
			cJSON_AddItemToArray(tolerations, toleration(keys[i]));
	}
	finish_pod_status(obj);
}

/* A new object's status is {"phase": phase}, whatever the client sent. */
static void set_initial_phase(cJSON *obj, const cJSON *old, const char *phase)
{
	cJSON *status;

	if (old)
		return;
	status = cJSON_CreateObject();
	json_set_string(status, "phase", phase);
	json_set(obj, "status", status);
}

void prepare_pod(cJSON *obj, const cJSON *old)
{
	set_initial_phase(obj, old, "Pending");
}

/* ---- namespaces ---- */

void prepare_namespace(cJSON *obj, const cJSON *old)
{
	set_initial_phase(obj, old, "Active");
}

void default_namespace(cJSON *obj)
{
	cJSON *spec = json_ensure_object(obj, "spec");
	cJSON *finalizers = cJSON_CreateArray();

	cJSON_AddItemToArray(finalizers, cJSON_CreateString("kubernetes"));
	set_if_absent(spec, "finalizers", finalizers);
}

/* ---- services ---- */

/* A stable address in 10.96.0.0/12 derived from the uid: unique enough for
 * one node's services, and the same after a restart. */
static void allocate_cluster_ip(cJSON *spec, const char *uid)
{
	uint32_t h = 2166136261u;
	char ip[32];
	cJSON *ips;

	for (const char *p = uid ? uid : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = h % ((1u << 20) - 2) + 1; /* skip the network and .1 (the API service) */
	snprintf(ip, sizeof(ip), "10.%u.%u.%u", 96 + (h >> 16), (h >> 8) & 255, h & 255);
	json_set_string(spec, "clusterIP", ip);
	ips = cJSON_CreateArray();
	cJSON_AddItemToArray(ips, cJSON_CreateString(ip));
	json_set(spec, "clusterIPs", ips);
}

void prepare_service(cJSON *obj, const cJSON *old)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	const char *ip;

	if (!cJSON_IsObject(spec))
		return;
	if (old) {
		/* clusterIP is kept when an update leaves it out. */
		if (!json_get_child(spec, "clusterIP") && json_get(old, "spec.clusterIP")) {
			json_set(spec, "clusterIP", cJSON_Duplicate(json_get(old, "spec.clusterIP"), true));
			json_set(spec, "clusterIPs",
				 cJSON_Duplicate(json_get(old, "spec.clusterIPs"), true));
		}
		return;
	}
	json_set(obj, "status", cJSON_CreateObject());
	json_ensure_object(obj, "status.loadBalancer");
	ip = json_get_child_string(spec, "clusterIP");
	if (str_eq(ip, "None")) {
		cJSON *ips = cJSON_CreateArray();

		cJSON_AddItemToArray(ips, cJSON_CreateString("None"));
		set_if_absent(spec, "clusterIPs", ips);
	} else if (!ip || !*ip) {
		allocate_cluster_ip(spec, json_get_string(obj, "metadata.uid"));
	}
}

void default_service(cJSON *obj)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	cJSON *port;
	cJSON *families;

	if (!cJSON_IsObject(spec))
		return;
	string_if_absent(spec, "type", "ClusterIP");
	string_if_absent(spec, "sessionAffinity", "None");
	string_if_absent(spec, "internalTrafficPolicy", "Cluster");
	string_if_absent(spec, "ipFamilyPolicy", "SingleStack");
	families = cJSON_CreateArray();
	cJSON_AddItemToArray(families, cJSON_CreateString("IPv4"));
	set_if_absent(spec, "ipFamilies", families);
	cJSON_ArrayForEach(port, cJSON_GetObjectItemCaseSensitive(spec, "ports"))
	{
		string_if_absent(port, "protocol", "TCP");
		if (json_get_child(port, "port"))
			set_if_absent(port, "targetPort",
				      cJSON_Duplicate(json_get_child(port, "port"), true));
	}
}

/* ---- secrets ---- */

void default_secret(cJSON *obj)
{
	string_if_absent(obj, "type", "Opaque");
}

void prepare_secret(cJSON *obj, const cJSON *old)
{
	cJSON *string_data = cJSON_DetachItemFromObjectCaseSensitive(obj, "stringData");
	const cJSON *item;
	cJSON *data;

	if (!string_data)
		return;
	/* stringData is write-only: merged into data, base64-encoded. */
	cJSON_ArrayForEach(item, string_data)
	{
		struct buf encoded = BUF_INIT(BUF_MAX_DEFAULT);

		if (!cJSON_IsString(item))
			continue;
		if (!cJSON_IsObject(json_get_child(obj, "data")))
			json_set(obj, "data", cJSON_CreateObject());
		data = cJSON_GetObjectItemCaseSensitive(obj, "data");
		if (base64_encode(item->valuestring, strlen(item->valuestring), &encoded) == 0)
			json_set_string(data, item->string, encoded.data);
		buf_release(&encoded);
	}
	cJSON_Delete(string_data);
}

/* ---- batch/v1 Jobs ---- */

void prepare_job(cJSON *obj, const cJSON *old)
{
	const char *uid = json_get_string(obj, "metadata.uid");
	const char *name = json_get_string(obj, "metadata.name");
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	cJSON *labels, *selector, *match;

	if (old || !cJSON_IsObject(spec))
		return;
	json_set(obj, "status", cJSON_CreateObject());
	if (json_get_bool(spec, "manualSelector", false) || !uid || !name)
		return;
	/* generateSelector(): the controller uid ties pods to this Job. */
	labels = json_ensure_object(spec, "template.metadata.labels");
	json_set_string(labels, "batch.kubernetes.io/controller-uid", uid);
	json_set_string(labels, "batch.kubernetes.io/job-name", name);
	json_set_string(labels, "controller-uid", uid);
	json_set_string(labels, "job-name", name);
	if (!json_get_child(spec, "selector")) {
		selector = cJSON_CreateObject();
		match = cJSON_CreateObject();
		json_set_string(match, "batch.kubernetes.io/controller-uid", uid);
		json_set(selector, "matchLabels", match);
		json_set(spec, "selector", selector);
	}
}

void default_job(cJSON *obj)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	cJSON *rule;

	if (!cJSON_IsObject(spec))
		return;
	if (!json_get_child(spec, "completions") && !json_get_child(spec, "parallelism"))
		number_if_absent(spec, "completions", 1);
	number_if_absent(spec, "parallelism", 1);
	if (json_get_child(spec, "backoffLimitPerIndex"))
		number_if_absent(spec, "backoffLimit", 2147483647);
	else
		number_if_absent(spec, "backoffLimit", 6);
	string_if_absent(spec, "completionMode", "NonIndexed");
	set_if_absent(spec, "suspend", cJSON_CreateFalse());
	string_if_absent(spec, "podReplacementPolicy",
			 json_get_child(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
	cJSON_ArrayForEach(rule, (cJSON *)json_get(spec, "podFailurePolicy.rules"))
	{
		cJSON *condition;

		cJSON_ArrayForEach(condition, cJSON_GetObjectItemCaseSensitive(rule, "onPodConditions"))
			string_if_absent(condition, "status", "True");
	}
	default_pod_spec((cJSON *)json_get(spec, "template.spec"));
}

/* ---- jobset.x-k8s.io/v1alpha2 JobSets (the JobSet webhook's defaults) ---- */

void prepare_jobset(cJSON *obj, const cJSON *old)
{
	if (!old)
		json_set(obj, "status", cJSON_CreateObject());
}

void default_jobset(cJSON *obj)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	cJSON *rjob;

	if (!cJSON_IsObject(spec))
		return;
	string_if_absent(json_ensure_object(spec, "successPolicy"), "operator", "All");
	string_if_absent(json_ensure_object(spec, "startupPolicy"), "startupPolicyOrder",
			 "AnyOrder");
	set_if_absent(json_ensure_object(spec, "network"), "enableDNSHostnames", cJSON_CreateTrue());
	set_if_absent(json_ensure_object(spec, "network"), "publishNotReadyAddresses",
		      cJSON_CreateTrue());
	cJSON_ArrayForEach(rjob, cJSON_GetObjectItemCaseSensitive(spec, "replicatedJobs"))
	{
		cJSON *job_spec = (cJSON *)json_get(rjob, "template.spec");

		number_if_absent(rjob, "replicas", 1);
		if (!cJSON_IsObject(job_spec))
			continue;
		string_if_absent(job_spec, "completionMode", "Indexed");
		string_if_absent((cJSON *)json_get(job_spec, "template.spec"), "restartPolicy",
				 "OnFailure");
	}
}
