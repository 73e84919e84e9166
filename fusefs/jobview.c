/* jobview.c — a job's files from its objects (see jobview.h). */
#include "jobview.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "manifest.h"
#include "strutil.h"

/* File contents are small; these bounds are far above what they hold. */
#define TEXT_MAX ((size_t)64 * 1024)

static void reason_line(enum status_reason reason, const char *message, struct buf *out)
{
	const char *name = status_reason_name(reason);
	bool has_message = message && *message;

	if (!*name && !has_message)
		return;
	buf_printf(out, "%s%s%s\n", name, *name && has_message ? ": " : "",
		   has_message ? message : "");
}

void job_status_text(const struct job_status *status, struct buf *out)
{
	buf_printf(out, "%s\n", job_state_name(status->state));
	reason_line(status->reason, status->message, out);
}

void index_status_text(const struct index_status *index, struct buf *out)
{
	buf_printf(out, "%s\n", job_state_name(index->state));
	reason_line(index->reason, index->message, out);
}

void result_error_text(const struct result *result, struct buf *out)
{
	buf_printf(out, "%s\n%s\n", result_outcome_name(result->outcome),
		   result->reason ? result->reason : "");
	if (result->log_tail && *result->log_tail) {
		buf_printf(out, "\n%s", result->log_tail);
		if (result->log_tail[strlen(result->log_tail) - 1] != '\n')
			buf_putc(out, '\n');
	}
}

void job_error_text(const struct job_status *status, const struct result *result,
		    struct buf *out)
{
	if (!result) {
		buf_printf(out, "%s\n%s\n", status_reason_name(REASON_CANCELLED), status->message);
		return;
	}
	result_error_text(result, out);
}

/* The task container's status, else the first (as lib/status.c reads it). */
static const cJSON *task_container(const cJSON *pod)
{
	const cJSON *statuses = json_get(pod, "status.containerStatuses"), *c;

	cJSON_ArrayForEach(c, statuses)
		if (str_eq(json_get_string(c, "name"), MANIFEST_CONTAINER_NAME))
			return c;
	return cJSON_IsArray(statuses) ? statuses->child : NULL;
}

const cJSON *log_pod(const struct index_status *index, bool *ret_complete)
{
	const cJSON *pod = index->pod, *container;
	const char *phase;
	bool ended;

	*ret_complete = false;
	if (!pod || !json_get_string(pod, "metadata.name"))
		return NULL;
	container = task_container(pod);
	phase = json_get_string(pod, "status.phase");
	ended = str_eq(phase, "Succeeded") || str_eq(phase, "Failed") ||
		json_get(container, "state.terminated");
	*ret_complete = ended;
	/* A container that never started has no log to read. */
	if (!ended && !json_get(container, "state.running"))
		return NULL;
	return pod;
}

void vnode_add_index_logs(struct vnode *dir, const struct index_status *index, int64_t now_ms)
{
	bool complete = false;
	const cJSON *pod = log_pod(index, &complete);

	vnode_add_logs(dir, "logs",
		       pod ? blob_from_string(json_get_string(pod, "metadata.name")) : NULL,
		       complete, now_ms);
}

/* The pod whose termination message decides an ended job, if at hand. */
static const cJSON *reporting_pod(const struct job_status *status)
{
	size_t failing;

	if (status->state == JOB_SUCCEEDED)
		return status->n_indexes ? status->indexes[0].pod : NULL;
	failing = result_failing_index(status);
	return failing != SIZE_MAX ? status->indexes[failing].pod : NULL;
}

static void add_buf(struct vnode *dir, const char *name, struct buf *text, int64_t now_ms)
{
	vnode_add_file(dir, name, blob_new(text->data, text->len), now_ms);
	buf_reset(text);
}

static void add_ranks(struct vnode *job_dir, const struct job_status *status, int64_t now_ms)
{
	struct vnode *ranks = vnode_add_dir(job_dir, "ranks", status->n_indexes, now_ms);
	struct buf text = BUF_INIT(TEXT_MAX);

	for (size_t i = 0; i < status->n_indexes; i++) {
		char name[24];
		struct vnode *rank;

		snprintf(name, sizeof(name), "%zu", i);
		rank = vnode_add_dir(ranks, name, 2, now_ms);
		index_status_text(&status->indexes[i], &text);
		add_buf(rank, "status", &text, now_ms);
		vnode_add_index_logs(rank, &status->indexes[i], now_ms);
	}
	buf_release(&text);
}

struct view *job_view_build(const cJSON *workload, const cJSON *pods, struct blob *task,
			    int64_t now_ms)
{
	struct job_status status;
	struct result result;
	struct buf text = BUF_INIT(TEXT_MAX);
	struct view *view;
	enum job_result_state ended;
	struct error err = ERROR_INIT;

	job_status_init(&status);
	result_init(&result);
	if (job_status_compute(workload, pods, NULL, &status, &err) < 0) {
		/* Not a workload status can follow (too many indexes): say so. */
		job_status_release(&status);
		status.state = JOB_NOT_FOUND;
		str_copy(status.message, sizeof(status.message), err.msg); /* cut if need be */
	}
	ended = result_from_job(workload, &status, false, &result);
	if (ended == JOB_RESULT_PODS_BEHIND && !reporting_pod(&status))
		/* The cache holds every pod there is: a missing one was deleted. */
		ended = result_from_job(workload, &status, true, &result);
	view = view_new(6, now_ms);
	job_status_text(&status, &text);
	add_buf(&view->root, "status", &text, now_ms);
	if (ended == JOB_RESULT_DECIDED && result.outcome == RESULT_OK) {
		vnode_add_text(&view->root, "result.json", result.json, now_ms);
	} else if (ended == JOB_RESULT_DECIDED || ended == JOB_RESULT_CANCELLED) {
		job_error_text(&status, ended == JOB_RESULT_DECIDED ? &result : NULL, &text);
		add_buf(&view->root, "error", &text, now_ms);
	}
	if (status.n_indexes) {
		vnode_add_index_logs(&view->root, &status.indexes[0], now_ms);
	} else {
		vnode_add_logs(&view->root, "logs", NULL, false, now_ms);
	}
	if (task)
		vnode_add_file(&view->root, "task.yaml", blob_ref(task), now_ms);
	if (status.n_indexes > 1)
		add_ranks(&view->root, &status, now_ms);
	view_seal(view);
	buf_release(&text);
	result_release(&result);
	job_status_release(&status);
	return view;
}
