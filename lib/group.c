/* group.c — the objects of a group: input chunks, the Indexed Job, the
 * fail-fast switch, and reading a group's policy back. */
#include "group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "labels.h"
#include "manifest.h"
#include "randutil.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

int group_id_generate(char out[GROUP_ID_LEN + 1], struct error *err)
{
	char hex[9];

	if (random_hex(hex, 4, err) < 0)
		return -1;
	snprintf(out, GROUP_ID_LEN + 1, GROUP_ID_PREFIX "%s", hex);
	return 0;
}

bool group_id_is_valid(const char *id)
{
	return id && strlen(id) == GROUP_ID_LEN && str_has_prefix(id, GROUP_ID_PREFIX) &&
	       strspn(id + 4, "0123456789abcdef") == 8;
}

char *group_control_name(const char *group_id)
{
	return xasprintf("%s-control", group_id);
}

cJSON *group_stop_patch(const char *reason)
{
	cJSON *patch = cJSON_CreateObject();

	json_set_string(json_ensure_object(patch, "data"), "stop", reason);
	return patch;
}

bool group_needs_follower(const struct group_policy *policy)
{
	return policy->fail_fast && !policy->cancel_running_on_fail;
}

static cJSON *configmap(const char *name, const char *namespace, const cJSON *labels)
{
	cJSON *cm = cJSON_CreateObject();

	json_set_string(cm, "apiVersion", "v1");
	json_set_string(cm, "kind", "ConfigMap");
	json_set(cm, "metadata", manifest_metadata(name, namespace, labels, NULL));
	return cm;
}

static void set_bool_text(cJSON *annotations, const char *key, bool value)
{
	json_set_string(annotations, key, value ? "true" : "false");
}

static void set_number_text(cJSON *annotations, const char *key, long long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", value);
	json_set_string(annotations, key, text);
}

static int check_launch(const struct group_launch *g, struct error *err)
{
	const struct group_policy *p = &g->policy;

	if (!group_id_is_valid(g->group_id))
		return error_set(err, "invalid group id '%s'", g->group_id ? g->group_id : "");
	if (task_check_complete(g->task, err) < 0)
		return -1;
	if (g->task->num_nodes != 1)
		return error_set(err, "task '%s': a group maps a single-node task over inputs, not "
				 "one with num_nodes %lld", g->task->source ? g->task->source : "-",
				 (long long)g->task->num_nodes);
	if (task_completions(g->task) != 1)
		return error_set(err, "task '%s': resources.job_config.completions does not apply to "
				 "a group (each input runs once)", g->task->source ? g->task->source : "-");
	if (!g->inputs || g->inputs->count == 0)
		return error_set(err, "a group needs at least one input");
	if (p->max_concurrent < 0 || p->max_concurrent > (int64_t)INPUTS_MAX_COUNT)
		return error_set(err, "--max-concurrent: %lld is out of range (0 to %zu)",
				 (long long)p->max_concurrent, INPUTS_MAX_COUNT);
	if (p->retries < 0 || p->retries > GROUP_MAX_RETRIES)
		return error_set(err, "--retries: %lld is out of range (0 to %d)",
				 (long long)p->retries, GROUP_MAX_RETRIES);
	return 0;
}

int group_build(const struct group_launch *g, cJSON **ret_items, struct error *err)
{
	const struct task *task;
	const struct group_policy *p = &g->policy;
	_cleanup_json_ cJSON *items = NULL, *common = NULL, *labels = NULL, *annotations = NULL;
	_cleanup_free_ char *files_name = NULL, *control_name = NULL;
	_cleanup_free_ char **chunk_names = NULL;
	cJSON *files = NULL, *pod, *job, *spec;
	struct pod_params params;
	size_t n_chunks;
	char now[RFC3339_MAX];
	int64_t parallelism;
	int ret = -1;

	if (check_launch(g, err) < 0)
		return -1;
	task = g->task;
	n_chunks = g->inputs->n_chunks;
	items = cJSON_CreateArray();
	common = manifest_common_labels(LABEL_KIND_GROUP, NULL, g->group_id, task->name, g->user,
					NULL);
	chunk_names = xcalloc(n_chunks, sizeof(*chunk_names));
	for (size_t k = 0; k < n_chunks; k++) {
		const struct input_chunk *chunk = &g->inputs->chunks[k];
		_cleanup_json_ cJSON *cm_labels = cJSON_Duplicate(common, 1);
		_cleanup_free_ char *key = xasprintf("inputs-%zu-%zu", chunk->first, chunk->last);
		cJSON *cm;

		chunk_names[k] = xasprintf("%s-inputs-%zu", g->group_id, k);
		json_set_string(cm_labels, LABEL_COMPONENT, LABEL_COMPONENT_INPUTS);
		cm = configmap(chunk_names[k], g->namespace, cm_labels);
		json_set_string(json_ensure_object(cm, "data"), key, chunk->lines.data);
		json_set(cm, "immutable", cJSON_CreateTrue());
		cJSON_AddItemToArray(items, cm);
	}
	files_name = xasprintf("%s-files", g->group_id);
	{
		_cleanup_json_ cJSON *files_labels = cJSON_Duplicate(common, 1);

		json_set_string(files_labels, LABEL_COMPONENT, LABEL_COMPONENT_FILES);
		if (manifest_files_configmap(task, files_name, g->namespace, files_labels, &files,
					     err) < 0)
			goto out;
	}
	if (files)
		cJSON_AddItemToArray(items, files);
	if (group_needs_follower(p)) {
		_cleanup_json_ cJSON *control_labels = cJSON_Duplicate(common, 1);

		control_name = group_control_name(g->group_id);
		json_set_string(control_labels, LABEL_COMPONENT, LABEL_COMPONENT_CONTROL);
		/* Not immutable: a follower writes "stop" into it. */
		cJSON_AddItemToArray(items, configmap(control_name, g->namespace, control_labels));
	}

	json_set_string(common, LABEL_COMPONENT, LABEL_COMPONENT_WORKLOAD);
	labels = manifest_workload_labels(task, g->config, common);
	params = (struct pod_params){
		.task = task,
		.config = g->config,
		.workload_name = g->group_id,
		.labels = labels,
		.files_configmap = files ? files_name : NULL,
		.group_id = g->group_id,
		.input_configmaps = (const char *const *)chunk_names,
		.n_input_configmaps = n_chunks,
		.control_configmap = control_name,
	};
	pod = manifest_pod_template(&params, err);
	if (!pod)
		goto out;

	annotations = cJSON_CreateObject();
	{
		_cleanup_free_ char *text = task_annotation_text(task);

		json_set_string(annotations, ANNOTATION_TASK, text);
	}
	if (!g->created_at)
		time_format_rfc3339(time(NULL), now);
	json_set_string(annotations, ANNOTATION_CREATED_AT, g->created_at ? g->created_at : now);
	set_number_text(annotations, ANNOTATION_GROUP_SIZE, (long long)g->inputs->count);
	json_set_string(annotations, ANNOTATION_INPUT_MODE, input_mode_name(g->inputs->mode));
	set_number_text(annotations, ANNOTATION_MAX_CONCURRENT, (long long)p->max_concurrent);
	set_number_text(annotations, ANNOTATION_RETRIES, (long long)p->retries);
	set_bool_text(annotations, ANNOTATION_FAIL_FAST, p->fail_fast);
	set_bool_text(annotations, ANNOTATION_CANCEL_RUNNING_ON_FAIL, p->cancel_running_on_fail);
	set_number_text(annotations, ANNOTATION_INPUT_CHUNKS, (long long)n_chunks);

	job = cJSON_CreateObject();
	json_set_string(job, "apiVersion", "batch/v1");
	json_set_string(job, "kind", "Job");
	json_set(job, "metadata", manifest_metadata(g->group_id, g->namespace, labels, annotations));
	spec = json_ensure_object(job, "spec");
	parallelism = p->max_concurrent == 0 || p->max_concurrent > (int64_t)g->inputs->count
			      ? (int64_t)g->inputs->count
			      : p->max_concurrent;
	json_set_string(spec, "completionMode", "Indexed");
	json_set_int64(spec, "completions", (int64_t)g->inputs->count);
	json_set_int64(spec, "parallelism", parallelism);
	/* Retries are per input; the Job-wide limit must not stop it first. */
	json_set_int64(spec, "backoffLimit", 2147483647);
	json_set_int64(spec, "backoffLimitPerIndex", p->retries);
	/* Kinetic's fail-fast with cancel-running-on-fail is exactly what the
	 * Job controller does when more indexes fail than allowed: no new
	 * pods, running ones terminated, the Job Failed. */
	if (p->fail_fast && p->cancel_running_on_fail)
		json_set_int64(spec, "maxFailedIndexes", 0);
	json_set(spec, "podFailurePolicy", manifest_pod_failure_policy());
	json_set(spec, "template", pod);
	cJSON_AddItemToArray(items, job);
	*ret_items = TAKE_PTR(items);
	ret = 0;
out:
	for (size_t k = 0; k < n_chunks; k++)
		free(chunk_names[k]);
	return ret;
}

static bool annotation_bool(const cJSON *a, const char *key)
{
	return str_eq(json_get_child_string(a, key), "true");
}

static int annotation_number(const cJSON *a, const char *key, int64_t *ret, struct error *err)
{
	const char *text = json_get_child_string(a, key);

	if (!text || str_to_int64(text, ret) < 0 || *ret < 0)
		return error_set(err, "annotation '%s' is missing or not a number", key);
	return 0;
}

int group_info_from_job(const cJSON *job, struct group_info *ret, struct error *err)
{
	const cJSON *a = json_get(job, "metadata.annotations");
	const cJSON *labels = json_get(job, "metadata.labels");
	const char *id = json_get_child_string(labels, LABEL_GROUP_ID);
	struct group_info info;
	int64_t size, chunks;

	memset(&info, 0, sizeof(info));
	if (!group_id_is_valid(id) || !str_eq(json_get_child_string(labels, LABEL_KIND), LABEL_KIND_GROUP))
		return error_set(err, "'%s' is not a konduktor group",
				 json_get_string(job, "metadata.name") ? json_get_string(job, "metadata.name")
								       : "?");
	if (annotation_number(a, ANNOTATION_GROUP_SIZE, &size, err) < 0 ||
	    annotation_number(a, ANNOTATION_MAX_CONCURRENT, &info.policy.max_concurrent, err) < 0 ||
	    annotation_number(a, ANNOTATION_RETRIES, &info.policy.retries, err) < 0 ||
	    annotation_number(a, ANNOTATION_INPUT_CHUNKS, &chunks, err) < 0 ||
	    input_mode_parse(json_get_child_string(a, ANNOTATION_INPUT_MODE), &info.mode, err) < 0)
		return error_prefix(err, "group '%s'", id);
	str_copy(info.id, sizeof(info.id), id);
	info.size = (size_t)size;
	info.input_chunks = (size_t)chunks;
	info.policy.fail_fast = annotation_bool(a, ANNOTATION_FAIL_FAST);
	info.policy.cancel_running_on_fail = annotation_bool(a, ANNOTATION_CANCEL_RUNNING_ON_FAIL);
	str_copy(info.created_at, sizeof(info.created_at),
		 json_get_child_string(a, ANNOTATION_CREATED_AT) ? json_get_child_string(a, ANNOTATION_CREATED_AT)
								 : "");
	str_copy(info.task_name, sizeof(info.task_name),
		 json_get_child_string(labels, LABEL_TASK_NAME) ? json_get_child_string(labels, LABEL_TASK_NAME)
								: "");
	*ret = info;
	return 0;
}
