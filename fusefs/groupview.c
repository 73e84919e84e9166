/* groupview.c — a group's files from its objects (see groupview.h). */
#include "groupview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "group.h"
#include "groupresults.h"
#include "inputs.h"
#include "jobview.h"
#include "jsonutil.h"
#include "labels.h"
#include "result.h"
#include "status.h"
#include "strutil.h"
#include "xalloc.h"

/* The whole of a group's inputs or results is already in memory as the
 * ConfigMaps it comes from; these bounds only stop a runaway. */
#define GROUP_TEXT_MAX ((size_t)1 << 30)
#define FILE_TEXT_MAX ((size_t)64 * 1024)

void group_index_name(size_t index, size_t size, char *out, size_t out_size)
{
	char digits[24];
	size_t width = 1, len = (size_t)snprintf(digits, sizeof(digits), "%zu", index), pad;

	for (size_t n = size > 0 ? size - 1 : 0; n >= 10; n /= 10)
		width++;
	pad = width > len ? width - len : 0;
	if (pad + len + 1 > out_size)
		pad = len + 1 <= out_size ? out_size - len - 1 : 0;
	memset(out, '0', pad);
	str_copy(out + pad, out_size - pad, digits);
}

static bool is_component(const cJSON *configmap, const char *component)
{
	return str_eq(json_get_child_string(json_get(configmap, "metadata.labels"), LABEL_COMPONENT),
		      component);
}

/* --- inputs.jsonl ------------------------------------------------------------ */

/* One chunk of inputs: the encoded lines of inputs first..last. */
struct chunk {
	size_t first, last;
	const char *lines;
};

static int compare_chunks(const void *a, const void *b)
{
	const struct chunk *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* The inputs, decoded: inputs.jsonl and where each input's line is in it
 * (offsets[i], lengths[i], 0 when unknown). */
struct inputs_text {
	struct buf jsonl;
	size_t *offsets, *lengths;
};

static void inputs_text_read(const cJSON *configmaps, size_t size, struct inputs_text *ret)
{
	_cleanup_free_ struct chunk *chunks = NULL;
	size_t n = 0, cap = 0;
	const cJSON *cm, *entry;

	buf_init(&ret->jsonl, GROUP_TEXT_MAX);
	ret->offsets = xcalloc(size ? size : 1, sizeof(*ret->offsets));
	ret->lengths = xcalloc(size ? size : 1, sizeof(*ret->lengths));
	cJSON_ArrayForEach(cm, configmaps) {
		if (!is_component(cm, LABEL_COMPONENT_INPUTS))
			continue;
		cJSON_ArrayForEach(entry, json_get(cm, "data")) {
			uint64_t first, last;
			char key_first[24], key_last[24];

			if (!cJSON_IsString(entry) || !entry->string ||
			    sscanf(entry->string, "inputs-%23[0-9]-%23[0-9]", key_first, key_last) != 2 ||
			    str_to_uint64(key_first, &first) < 0 || str_to_uint64(key_last, &last) < 0 ||
			    first > last || last >= size)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				chunks = xreallocarray(chunks, cap, sizeof(*chunks));
			}
			chunks[n++] = (struct chunk){ (size_t)first, (size_t)last, entry->valuestring };
		}
	}
	if (n > 1)
		qsort(chunks, n, sizeof(*chunks), compare_chunks);
	for (size_t k = 0; k < n; k++) {
		const char *line = chunks[k].lines;

		for (size_t i = chunks[k].first; i <= chunks[k].last && *line; i++) {
			const char *end = strchr(line, '\n');
			size_t len = end ? (size_t)(end - line) : strlen(line);
			size_t start = ret->jsonl.len;

			if (!ret->lengths[i] && input_line_json(line, len, &ret->jsonl, NULL) == 0 &&
			    buf_putc(&ret->jsonl, '\n') == 0) {
				ret->offsets[i] = start;
				ret->lengths[i] = ret->jsonl.len - start;
			} else {
				buf_truncate(&ret->jsonl, start);
			}
			line += len + (end ? 1 : 0);
		}
	}
}

static void inputs_text_release(struct inputs_text *t)
{
	buf_release(&t->jsonl);
	free(t->offsets);
	free(t->lengths);
}

/* --- per input ---------------------------------------------------------------- */

/* An input's result.json or error from its recorded line (its pod is gone). */
static void add_files_from_line(struct vnode *dir, const char *line, int64_t now_ms)
{
	_cleanup_json_ cJSON *parsed = cJSON_Parse(line);
	const cJSON *result = json_get(parsed, "result"), *error = json_get(parsed, "error");
	struct buf text = BUF_INIT(FILE_TEXT_MAX);

	if (result) {
		_cleanup_free_ char *json = json_print_compact(result);

		buf_printf(&text, "%s\n", json);
		vnode_add_file(dir, "result.json", blob_new(text.data, text.len), now_ms);
	} else if (error) {
		buf_printf(&text, "%s\n%s\n",
			   json_get_string(error, "outcome") ? json_get_string(error, "outcome") : "",
			   json_get_string(error, "reason") ? json_get_string(error, "reason") : "");
		vnode_add_file(dir, "error", blob_new(text.data, text.len), now_ms);
	}
	buf_release(&text);
}

/* result.json or error of a finished input, and its line for results.jsonl. */
static void add_outcome(struct vnode *dir, const cJSON *job, size_t i,
			const struct index_status *is, struct group_results *results, int64_t now_ms)
{
	struct result r;
	bool from_pod;

	result_init(&r);
	if (group_input_result(job, is, &r) != 0) {
		result_release(&r);
		return; /* not finished */
	}
	if (!group_results_has(results, i))
		group_results_add(results, i, &r, is->attempts, NULL);
	/* The pod's own bytes while it is there; the recorded line once not. */
	from_pod = is->pod && json_get(is->pod, "status.containerStatuses");
	if (!from_pod && results->lines[i]) {
		add_files_from_line(dir, results->lines[i], now_ms);
	} else if (r.outcome == RESULT_OK) {
		vnode_add_text(dir, "result.json", r.json, now_ms);
	} else {
		struct buf text = BUF_INIT(FILE_TEXT_MAX);

		result_error_text(&r, &text);
		vnode_add_file(dir, "error", blob_new(text.data, text.len), now_ms);
		buf_release(&text);
	}
	result_release(&r);
}

static void add_input_dir(struct vnode *root, const cJSON *job, size_t i, size_t size,
			  const struct index_status *is, struct group_results *results,
			  const struct inputs_text *inputs, struct blob *task, int64_t now_ms)
{
	char name[24];
	struct buf text = BUF_INIT(FILE_TEXT_MAX);
	struct vnode *dir;

	group_index_name(i, size, name, sizeof(name));
	dir = vnode_add_dir(root, name, 5, now_ms);
	index_status_text(is, &text);
	vnode_add_file(dir, "status", blob_new(text.data, text.len), now_ms);
	add_outcome(dir, job, i, is, results, now_ms);
	vnode_add_index_logs(dir, is, now_ms);
	if (inputs->lengths[i])
		vnode_add_file(dir, "input.json",
			       blob_new(inputs->jsonl.data + inputs->offsets[i], inputs->lengths[i]),
			       now_ms);
	if (task)
		vnode_add_file(dir, "task.yaml", blob_ref(task), now_ms);
	buf_release(&text);
}

/* --- the group ---------------------------------------------------------------- */

static void group_status_text(const struct job_status *st, struct buf *out)
{
	static const enum job_state order[] = { JOB_PENDING, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED };

	job_status_text(st, out);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		buf_printf(out, "%s %zu\n", job_state_name(order[k]), st->counts[order[k]]);
}

struct view *group_view_build(const cJSON *job, const cJSON *pods, const cJSON *configmaps,
			      struct blob *task, int64_t now_ms)
{
	struct job_status status;
	struct group_results results;
	struct inputs_text inputs;
	struct buf text = BUF_INIT(GROUP_TEXT_MAX);
	struct error err = ERROR_INIT;
	struct view *view;
	const cJSON *cm;
	size_t size;

	job_status_init(&status);
	if (job_status_compute(job, pods, NULL, &status, &err) < 0) {
		job_status_release(&status);
		status.state = JOB_NOT_FOUND;
		str_copy(status.message, sizeof(status.message), err.msg); /* cut if need be */
	}
	size = status.n_indexes;
	group_results_init(&results, size);
	cJSON_ArrayForEach(cm, configmaps)
		if (is_component(cm, LABEL_COMPONENT_RESULTS))
			group_results_load(&results, cm, NULL, NULL);
	inputs_text_read(configmaps, size, &inputs);

	view = view_new(4 + size, now_ms);
	group_status_text(&status, &text);
	vnode_add_file(&view->root, "status", blob_new(text.data, text.len), now_ms);
	buf_reset(&text);
	for (size_t i = 0; i < size; i++)
		add_input_dir(&view->root, job, i, size, &status.indexes[i], &results, &inputs,
			      task, now_ms);
	/* After the inputs: each finished one has added its line. */
	group_results_render(&results, true, &text);
	vnode_add_file(&view->root, "results.jsonl", blob_new(text.data, text.len), now_ms);
	vnode_add_file(&view->root, "inputs.jsonl", blob_new(inputs.jsonl.data, inputs.jsonl.len),
		       now_ms);
	if (task)
		vnode_add_file(&view->root, "task.yaml", blob_ref(task), now_ms);
	view_seal(view);
	buf_release(&text);
	inputs_text_release(&inputs);
	group_results_release(&results);
	job_status_release(&status);
	return view;
}
