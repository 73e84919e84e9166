/* fuzz_fsview.c — libFuzzer harness for konduktor-fs's files of a job or
 * group, built from whatever the API server sends: a document
 * {"workload": ..., "pods": [...], "configmaps": [...]} (the status
 * fixtures' form). The view must build without fault, with every
 * directory sorted and free of duplicates, and the views of the whole
 * objects and of their trimmed copies (what the daemon keeps) must be the
 * same, file for file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "groupview.h"
#include "jobview.h"
#include "jsonutil.h"
#include "trim.h"

/* A group of more inputs builds that many directories: fine for the
 * daemon, too slow for a fuzzer. */
#define MAX_COMPLETIONS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_dir(const struct vnode *dir)
{
	for (size_t i = 0; i < dir->dir.len; i++) {
		const struct vnode *node = &dir->dir.items[i];

		if (i > 0 && strcmp(dir->dir.items[i - 1].name, node->name) >= 0)
			abort();
		if (node->type == VNODE_DIR)
			check_dir(node);
		else if (node->type == VNODE_FILE && (!node->content || node->content->data[node->content->len]))
			abort();
	}
}

static cJSON *trimmed_array(const cJSON *items, cJSON *(*trim)(const cJSON *))
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *item;

	cJSON_ArrayForEach(item, items)
		if (cJSON_IsObject(item))
			cJSON_AddItemToArray(out, trim(item));
	return out;
}

static cJSON *objects_only(const cJSON *items)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *item;

	cJSON_ArrayForEach(item, items)
		if (cJSON_IsObject(item))
			cJSON_AddItemToArray(out, cJSON_Duplicate(item, true));
	return out;
}

static void check(const cJSON *workload, const cJSON *pods, const cJSON *configmaps,
		  struct blob *task, bool group)
{
	_cleanup_json_ cJSON *trimmed = trim_workload(workload);
	_cleanup_json_ cJSON *trimmed_pods = trimmed_array(pods, trim_pod);
	_cleanup_json_ cJSON *trimmed_cms = trimmed_array(configmaps, trim_configmap);
	_cleanup_json_ cJSON *whole_pods = objects_only(pods);
	_cleanup_json_ cJSON *whole_cms = objects_only(configmaps);
	struct view *whole, *kept;

	if (group) {
		whole = group_view_build(workload, whole_pods, whole_cms, task, 1);
		kept = group_view_build(trimmed, trimmed_pods, trimmed_cms, task, 1);
	} else {
		whole = job_view_build(workload, whole_pods, task, 1);
		kept = job_view_build(trimmed, trimmed_pods, task, 1);
	}
	check_dir(&whole->root);
	check_dir(&kept->root);
	if (view_inherit(kept, whole, "x", NULL, NULL) != 0)
		abort();
	view_unref(whole);
	view_unref(kept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_json_ cJSON *doc = json_parse_bounded((const char *)data, size, 65536, NULL);
	const cJSON *workload = json_get(doc, "workload");
	const cJSON *pods = json_get(doc, "pods");
	struct blob *task = blob_from_string("name: fuzz\n");
	int64_t completions = 1;

	if (json_get(pods, "items"))
		pods = json_get(pods, "items");
	if (!cJSON_IsObject(workload) ||
	    (json_get_int64(workload, "spec.completions", &completions) && completions > MAX_COMPLETIONS)) {
		blob_unref(task);
		return 0;
	}
	{
		const cJSON *rjob;

		cJSON_ArrayForEach(rjob, json_get(workload, "spec.replicatedJobs")) {
			int64_t replicas = 1, n = 1;

			json_get_int64(rjob, "replicas", &replicas);
			json_get_int64(rjob, "template.spec.completions", &n);
			if (replicas > MAX_COMPLETIONS || n > MAX_COMPLETIONS ||
			    replicas * n > MAX_COMPLETIONS) {
				blob_unref(task);
				return 0;
			}
		}
	}
	check(workload, pods, json_get(doc, "configmaps"), task, false);
	check(workload, pods, json_get(doc, "configmaps"), task, true);
	blob_unref(task);
	return 0;
}
