/* trim.c — copying the parts of Kubernetes objects that status and
 * results are computed from (see trim.h). */
#include "trim.h"

#include <string.h>

#include "labels.h"
#include "strutil.h"
#include "xalloc.h"

static const struct trim_rule conditions[] = {
	{ "type", NULL }, { "status", NULL }, { "reason", NULL }, { "message", NULL }, { NULL, NULL },
};

/* --- workloads (lib/status.c, lib/result.c, lib/group.c) ------------------ */

static const struct trim_rule workload_labels[] = {
	{ "konduktor.io/*", NULL },
	{ LABEL_MANAGED_BY, NULL },
	{ NULL, NULL },
};

static const struct trim_rule workload_metadata[] = {
	{ "name", NULL },
	{ "namespace", NULL },
	{ "uid", NULL },
	{ "creationTimestamp", NULL },
	{ "deletionTimestamp", NULL },
	{ "labels", workload_labels },
	{ "annotations", NULL }, /* all of them, then the task is taken out */
	{ NULL, NULL },
};

static const struct trim_rule replicated_job_template_spec[] = {
	{ "completions", NULL }, { "parallelism", NULL }, { NULL, NULL },
};

static const struct trim_rule replicated_job_template[] = {
	{ "spec", replicated_job_template_spec }, { NULL, NULL },
};

static const struct trim_rule replicated_jobs[] = {
	{ "name", NULL }, { "replicas", NULL }, { "template", replicated_job_template }, { NULL, NULL },
};

static const struct trim_rule workload_spec[] = {
	{ "completions", NULL },
	{ "parallelism", NULL },
	{ "suspend", NULL },
	{ "replicatedJobs", replicated_jobs },
	{ NULL, NULL },
};

static const struct trim_rule workload_status[] = {
	{ "conditions", conditions },
	{ "completedIndexes", NULL },
	{ "failedIndexes", NULL },
	{ "restarts", NULL },
	{ "active", NULL },
	{ "succeeded", NULL },
	{ "failed", NULL },
	{ NULL, NULL },
};

static const struct trim_rule workload_rules[] = {
	{ "apiVersion", NULL },
	{ "kind", NULL },
	{ "metadata", workload_metadata },
	{ "spec", workload_spec },
	{ "status", workload_status },
	{ NULL, NULL },
};

/* --- pods ------------------------------------------------------------------ */

static const struct trim_rule pod_labels[] = {
	{ K8S_COMPLETION_INDEX, NULL },
	{ K8S_JOB_NAME_LABEL, NULL },
	{ "job-name", NULL },
	{ JOBSET_NAME_LABEL, NULL },
	{ JOBSET_RESTART_ATTEMPT_LABEL, NULL },
	{ LABEL_JOB_NAME, NULL },
	{ LABEL_GROUP_ID, NULL },
	{ NULL, NULL },
};

static const struct trim_rule pod_annotations[] = {
	{ K8S_COMPLETION_INDEX, NULL },
	{ K8S_INDEX_FAILURE_COUNT, NULL },
	{ NULL, NULL },
};

static const struct trim_rule pod_metadata[] = {
	{ "name", NULL },
	{ "namespace", NULL },
	{ "creationTimestamp", NULL },
	{ "deletionTimestamp", NULL },
	{ "labels", pod_labels },
	{ "annotations", pod_annotations },
	{ NULL, NULL },
};

static const struct trim_rule terminated[] = {
	{ "exitCode", NULL }, { "reason", NULL }, { "message", NULL }, { NULL, NULL },
};

static const struct trim_rule waiting[] = {
	{ "reason", NULL }, { "message", NULL }, { NULL, NULL },
};

static const struct trim_rule running[] = {
	{ "startedAt", NULL }, { NULL, NULL },
};

static const struct trim_rule container_state[] = {
	{ "waiting", waiting }, { "running", running }, { "terminated", terminated }, { NULL, NULL },
};

static const struct trim_rule last_state_terminated[] = {
	{ "exitCode", NULL }, { NULL, NULL },
};

static const struct trim_rule last_state[] = {
	{ "terminated", last_state_terminated }, { NULL, NULL },
};

static const struct trim_rule container_statuses[] = {
	{ "name", NULL }, { "state", container_state }, { "lastState", last_state }, { NULL, NULL },
};

static const struct trim_rule pod_status[] = {
	{ "phase", NULL },
	{ "reason", NULL },
	{ "message", NULL },
	{ "conditions", conditions },
	{ "containerStatuses", container_statuses },
	{ NULL, NULL },
};

static const struct trim_rule pod_rules[] = {
	{ "metadata", pod_metadata },
	{ "status", pod_status },
	{ NULL, NULL },
};

/* --- ConfigMaps of groups (lib/groupresults.c, lib/inputs.c) ------------------ */

static const struct trim_rule configmap_labels[] = {
	{ LABEL_COMPONENT, NULL }, { LABEL_GROUP_ID, NULL }, { NULL, NULL },
};

static const struct trim_rule configmap_metadata[] = {
	{ "name", NULL }, { "namespace", NULL }, { "labels", configmap_labels }, { NULL, NULL },
};

static const struct trim_rule configmap_rules[] = {
	{ "metadata", configmap_metadata }, { "data", NULL }, { NULL, NULL },
};

/* --- copying --------------------------------------------------------------- */

static bool rule_matches(const char *rule, const char *key)
{
	size_t len = strlen(rule);

	if (len && rule[len - 1] == '*')
		return strncmp(rule, key, len - 1) == 0;
	return strcmp(rule, key) == 0;
}

static const struct trim_rule *rule_for(const struct trim_rule *rules, const char *key)
{
	for (const struct trim_rule *r = rules; r->key; r++)
		if (rule_matches(r->key, key))
			return r;
	return NULL;
}

static cJSON *duplicate(const cJSON *value)
{
	cJSON *copy = cJSON_Duplicate(value, true);

	if (!copy)
		die("out of memory copying JSON");
	return copy;
}

static cJSON *copy_value(const cJSON *value, const struct trim_rule *children);

static cJSON *copy_object(const cJSON *object, const struct trim_rule *rules)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *member;

	cJSON_ArrayForEach(member, object) {
		const struct trim_rule *rule = member->string ? rule_for(rules, member->string) : NULL;

		if (rule)
			cJSON_AddItemToObject(out, member->string, copy_value(member, rule->children));
	}
	return out;
}

static cJSON *copy_value(const cJSON *value, const struct trim_rule *children)
{
	if (!children)
		return duplicate(value);
	if (cJSON_IsObject(value))
		return copy_object(value, children);
	if (cJSON_IsArray(value)) {
		cJSON *out = cJSON_CreateArray();
		const cJSON *item;

		cJSON_ArrayForEach(item, value)
			cJSON_AddItemToArray(out, copy_value(item, children));
		return out;
	}
	return duplicate(value);
}

cJSON *trim_copy(const cJSON *object, const struct trim_rule *rules)
{
	return copy_object(object, rules);
}

cJSON *trim_workload(const cJSON *workload)
{
	cJSON *copy = trim_copy(workload, workload_rules);
	cJSON *annotations = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(copy, "metadata"), "annotations");

	cJSON_DeleteItemFromObjectCaseSensitive(annotations, ANNOTATION_TASK);
	return copy;
}

cJSON *trim_pod(const cJSON *pod)
{
	return trim_copy(pod, pod_rules);
}

cJSON *trim_configmap(const cJSON *configmap)
{
	return trim_copy(configmap, configmap_rules);
}

void trim_to_identity(cJSON *object, void *ctx)
{
	static const char *const keep[] = { "name", "namespace", "resourceVersion" };
	cJSON *metadata = cJSON_DetachItemFromObjectCaseSensitive(object, "metadata");
	cJSON *identity = cJSON_CreateObject();

	(void)ctx;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		cJSON *value = cJSON_DetachItemFromObjectCaseSensitive(metadata, keep[i]);

		/* Constant keys: the cache holds thousands of these. */
		if (value)
			cJSON_AddItemToObjectCS(identity, keep[i], value);
	}
	cJSON_Delete(metadata);
	while (object->child)
		cJSON_Delete(cJSON_DetachItemViaPointer(object, object->child));
	cJSON_AddItemToObjectCS(object, "metadata", identity);
}
