/* groupresults.c — rendering a group's results as JSON lines, handing
 * them out in input or completion order, and their record in ConfigMaps. */
#include "groupresults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "group.h"
#include "jsonutil.h"
#include "labels.h"
#include "manifest.h"
#include "strutil.h"
#include "xalloc.h"

/* ,"result":<json> or ,"error":{...} */
static int append_outcome(struct buf *out, const struct result *result)
{
	_cleanup_json_ cJSON *error = NULL;

	if (result->outcome == RESULT_OK && result->json) {
		if (buf_puts(out, ",\"result\":") < 0)
			return -1;
		return json_minify_append(out, result->json, strlen(result->json));
	}
	error = cJSON_CreateObject();
	json_set_string(error, "outcome", result_outcome_name(result->outcome));
	json_set_string(error, "reason", result->reason ? result->reason : "");
	if (result->exit_code >= 0 && result->outcome != RESULT_SKIPPED &&
	    result->outcome != RESULT_CANCELLED)
		json_set_int64(error, "exitCode", result->exit_code);
	if (buf_puts(out, ",\"error\":") < 0)
		return -1;
	return json_append(out, error);
}

int group_result_line(size_t index, const struct result *result, int attempts, struct buf *out)
{
	size_t start = out->len;

	if (buf_printf(out, "{\"index\":%zu", index) < 0 ||
	    (attempts > 0 && buf_printf(out, ",\"attempts\":%d", attempts) < 0) ||
	    append_outcome(out, result) < 0 || buf_putc(out, '}') < 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

char *group_result_line_new(size_t index, const struct result *result, int attempts,
			    bool *ret_ok)
{
	struct buf line = BUF_INIT(GROUP_RESULT_LINE_MAX);
	bool ok = result->outcome == RESULT_OK && result->json;

	if (group_result_line(index, result, attempts, &line) < 0) {
		ok = false;
		struct result too_long;
		char reason[96];

		result_init(&too_long);
		snprintf(reason, sizeof(reason), "its line would be longer than %zu bytes",
			 GROUP_RESULT_LINE_MAX);
		result_set(&too_long, RESULT_MALFORMED, result->exit_code, reason);
		buf_reset(&line);
		/* Short enough by construction. */
		group_result_line(index, &too_long, attempts, &line);
		result_release(&too_long);
	}
	if (ret_ok)
		*ret_ok = ok;
	return buf_detach(&line, NULL);
}

#define SKIPPED_REASON "skipped: the group stopped after a failure"

int group_input_result(const cJSON *job, const struct index_status *is, struct result *ret)
{
	struct error err = ERROR_INIT;
	struct group_info info;
	bool plain_fail_fast;

	if (is->state == JOB_SUCCEEDED) {
		/* The latest pod left may be an earlier, failed attempt when the
		 * one that succeeded is gone. */
		if (!is->pod || result_from_pod(is->pod, ret, &err) < 0 || ret->exit_code != 0)
			result_set(ret, RESULT_NONE, 0,
				   "its pod was deleted before its result was recorded");
		return 0;
	}
	if (is->state != JOB_FAILED)
		return 1;
	plain_fail_fast = group_info_from_job(job, &info, NULL) == 0 &&
			  group_needs_follower(&info.policy);
	if (is->reason == REASON_SKIPPED ||
	    (is->reason == REASON_CANCELLED && plain_fail_fast && !status_is_cancelled(job))) {
		result_set(ret, RESULT_SKIPPED, -1, SKIPPED_REASON);
		return 0;
	}
	if (is->reason == REASON_CANCELLED) {
		result_set(ret, RESULT_CANCELLED, -1,
			   status_is_cancelled(job) ? "the group was cancelled"
						    : "stopped when another input failed");
		return 0;
	}
	/* The pod tells most (the log tail, the kubelet's reason), unless it
	 * claims a success the Job did not count. */
	if (is->pod && result_from_pod(is->pod, ret, &err) == 0 && ret->outcome != RESULT_OK &&
	    ret->outcome != RESULT_NONE)
		return 0;
	result_set(ret, RESULT_JOB_FAILED, is->exit_code, is->message ? is->message : "failed");
	return 0;
}

/* --- the collector ----------------------------------------------------------- */

void group_results_init(struct group_results *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->lines = xcalloc(size ? size : 1, sizeof(*r->lines));
	r->ok = xcalloc(size ? size : 1, sizeof(*r->ok));
	r->completion_order = xcalloc(size ? size : 1, sizeof(*r->completion_order));
}

void group_results_release(struct group_results *r)
{
	for (size_t i = 0; r->lines && i < r->size; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->ok);
	free(r->completion_order);
	memset(r, 0, sizeof(*r));
}

int group_results_add_line(struct group_results *r, size_t index, const char *line, bool ok,
			   struct error *err)
{
	if (index >= r->size)
		return error_set(err, "input %zu is not in a group of %zu inputs", index, r->size);
	if (r->lines[index])
		return 0;
	r->lines[index] = xstrdup(line);
	r->ok[index] = ok;
	r->completion_order[r->finished++] = index;
	r->failed += !ok;
	return 1;
}

int group_results_add(struct group_results *r, size_t index, const struct result *result,
		      int attempts, struct error *err)
{
	bool ok;
	_cleanup_free_ char *line = group_result_line_new(index, result, attempts, &ok);

	return group_results_add_line(r, index, line, ok, err);
}

bool group_results_has(const struct group_results *r, size_t index)
{
	return index < r->size && r->lines[index];
}

int group_results_emit(struct group_results *r, enum group_order order, group_line_fn fn,
		       void *ctx)
{
	int rc;

	if (order == GROUP_ORDER_INPUT) {
		while (r->next_input < r->size && r->lines[r->next_input]) {
			size_t i = r->next_input++;

			if ((rc = fn(i, r->lines[i], r->ok[i], ctx)) != 0)
				return rc;
		}
		return 0;
	}
	while (r->next_completed < r->finished) {
		size_t i = r->completion_order[r->next_completed++];

		if ((rc = fn(i, r->lines[i], r->ok[i], ctx)) != 0)
			return rc;
	}
	return 0;
}

int group_results_render(const struct group_results *r, bool with_failures, struct buf *out)
{
	size_t start = out->len;

	for (size_t i = 0; i < r->size; i++) {
		if (!r->lines[i] || (!r->ok[i] && !with_failures))
			continue;
		if (buf_puts(out, r->lines[i]) < 0 || buf_putc(out, '\n') < 0) {
			buf_truncate(out, start);
			return -1;
		}
	}
	return 0;
}

/* --- the record -------------------------------------------------------------- */

char *group_results_configmap_name(const char *group_id, size_t k)
{
	return xasprintf("%s-results-%zu", group_id, k);
}

cJSON *group_results_configmap(const cJSON *job, size_t k, struct error *err)
{
	static const char *const copied[] = { LABEL_MANAGED_BY, LABEL_KIND, LABEL_GROUP_ID,
					      LABEL_TASK_NAME, LABEL_USER };
	const cJSON *job_labels = json_get(job, "metadata.labels");
	const char *id = json_get_child_string(job_labels, LABEL_GROUP_ID);
	_cleanup_json_ cJSON *labels = cJSON_CreateObject();
	_cleanup_free_ char *name = NULL;
	cJSON *cm;

	if (!group_id_is_valid(id) ||
	    !str_eq(json_get_child_string(job_labels, LABEL_KIND), LABEL_KIND_GROUP))
		return error_set(err, "'%s' is not a konduktor group",
				 json_get_string(job, "metadata.name") ? json_get_string(job, "metadata.name")
								       : "?"),
		       NULL;
	for (size_t i = 0; i < ARRAY_SIZE(copied); i++)
		if (json_get_child_string(job_labels, copied[i]))
			json_set_string(labels, copied[i], json_get_child_string(job_labels, copied[i]));
	json_set_string(labels, LABEL_COMPONENT, LABEL_COMPONENT_RESULTS);
	name = group_results_configmap_name(id, k);
	cm = cJSON_CreateObject();
	json_set_string(cm, "apiVersion", "v1");
	json_set_string(cm, "kind", "ConfigMap");
	json_set(cm, "metadata", manifest_metadata(name, json_get_string(job, "metadata.namespace"),
						   labels, NULL));
	json_ensure_object(cm, "data");
	if (manifest_set_owner(cm, job, err) < 0) {
		cJSON_Delete(cm);
		return NULL;
	}
	return cm;
}

void group_results_patch_add(cJSON **patch, size_t index, const char *line)
{
	char key[32];

	if (!*patch)
		*patch = cJSON_CreateObject();
	snprintf(key, sizeof(key), "%zu", index);
	json_set_string(json_ensure_object(*patch, "data"), key, line);
}

/* True if `line` is input `index`'s line; *ret_ok says which kind. */
static bool is_line_of(const char *line, size_t index, bool *ret_ok)
{
	_cleanup_json_ cJSON *parsed = NULL;
	const cJSON *result, *error;
	int64_t at = -1;

	if (strchr(line, '\n'))
		return false;
	parsed = json_parse_bounded(line, strlen(line), GROUP_RESULT_LINE_MAX, NULL);
	if (!cJSON_IsObject(parsed) || !json_get_int64(parsed, "index", &at) || at < 0 ||
	    (size_t)at != index)
		return false;
	result = json_get_child(parsed, "result");
	error = json_get_child(parsed, "error");
	if (!result == !error || (error && !json_get_string(error, "outcome")))
		return false;
	*ret_ok = result != NULL;
	return true;
}

int group_results_load(struct group_results *r, const cJSON *configmap, size_t *ret_bytes,
		       struct error *err)
{
	const char *name = json_get_string(configmap, "metadata.name");
	const cJSON *entry;
	size_t bytes = 0;
	int skipped = 0;

	cJSON_ArrayForEach(entry, json_get(configmap, "data")) {
		uint64_t index;
		bool ok;

		if (cJSON_IsString(entry))
			bytes += strlen(entry->string) + strlen(entry->valuestring);
		if (!cJSON_IsString(entry) || str_to_uint64(entry->string, &index) < 0 ||
		    index >= r->size || !is_line_of(entry->valuestring, (size_t)index, &ok)) {
			if (skipped++ == 0)
				error_set(err, "configmap '%s': key '%s' is not a result line of an "
					  "input of this group", name ? name : "?", entry->string);
			continue;
		}
		group_results_add_line(r, (size_t)index, entry->valuestring, ok, NULL);
	}
	if (ret_bytes)
		*ret_bytes = bytes;
	return skipped;
}
