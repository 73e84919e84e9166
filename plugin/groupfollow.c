/* groupfollow.c — a group's inputs followed through its Job and active
 * pods, their lines taken from finished pods and the record, and the
 * client's share of the fail-fast policy (see groupfollow.h). */
#include "groupfollow.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "indexset.h"
#include "jsonutil.h"
#include "kube_informer.h"
#include "kube_resource.h"
#include "labels.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* Pods that still run or wait: finished ones leave the informer's cache
 * (and arrive once more, as DELETED, with their final state). */
#define ACTIVE_PODS "status.phase!=Succeeded,status.phase!=Failed"
#define FINISHED_PODS "status.phase!=Pending,status.phase!=Running"
/* Finished inputs without a line are looked up this long after they were
 * first noticed (their pod's last event is usually on its way), and at
 * most this often. */
#define MISSING_GRACE_MS 2000
#define MISSING_RETRY_MS 5000
/* With at most this many inputs to look up, one list per input; above, one
 * paged list of every finished pod of the group. */
#define MISSING_PER_INPUT_MAX 16
#define RECORD_INTERVAL_MS 1000

/* A finished pod as the informer's thread saw it, turned into its line. */
struct finished_pod {
	size_t index;
	int attempt;    /* failure count + 1 */
	bool succeeded; /* phase Succeeded: its line is final at once */
	bool last;      /* a failure after which the Job starts no other attempt */
	bool skipped;   /* it skipped its input (fail-fast's switch was thrown) */
	bool ok;        /* the line is a "result" line */
	char *line;
};

struct group_follower {
	struct kube_client *client;
	char *ns;
	char id[GROUP_ID_LEN + 1];
	struct group_follow_opts opts;
	struct group_info info;
	cJSON *job;                /* as last seen */
	struct job_status status;  /* as of the last refresh */
	struct group_results results;

	/* Per input. */
	bool *recorded;            /* its line is in the record */
	bool *started;             /* a pod of it was seen running */
	char **candidates;         /* the latest failed attempt's line, until the Job says */
	int *candidate_attempt;
	bool *candidate_last;      /* it was the input's last attempt */
	int64_t *missing_since;    /* when it was first seen finished without a line; 0 */
	int64_t missing_checked_ms;

	/* Informers (watch) or the one list (snapshot) of active pods. */
	struct kube_informer *job_informer, *pod_informer;
	cJSON *active_pods;        /* snapshot only */

	/* Filled by the informers' threads, drained by refresh. */
	pthread_mutex_t lock;
	pthread_cond_t changed_cond;
	bool changed;
	struct error watch_error;  /* why an informer lost the server, if it did */
	struct finished_pod *queue;
	size_t queue_len, queue_cap;

	/* The record. */
	bool record_disabled;
	size_t record_chunk;       /* the ConfigMap being filled */
	bool record_chunk_exists;
	size_t record_chunk_bytes;
	cJSON *record_patch;       /* pending lines */
	size_t record_patch_bytes;
	size_t *record_pending;    /* their indexes */
	size_t record_pending_len, record_pending_cap;
	int64_t record_last_ms;

	/* The fail-fast switch. */
	size_t first_failure;      /* an input seen failing for good; SIZE_MAX: none yet */
	bool stop_thrown;          /* "stop" is in the control ConfigMap */
	bool stop_failed;          /* writing it failed: do not retry */
	struct strv running_at_stop; /* pods active when the stop was seen */
	bool ended_early;          /* maxFailedIndexes 0 was set (or failed) */

	struct strv warnings;
};

static void warn(struct group_follower *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct group_follower *f, const char *fmt, ...)
{
	va_list ap;
	char line[ERROR_MSG_MAX + 128];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	strv_push(&f->warnings, line);
}

/* --- pods --------------------------------------------------------------------- */

static long label_number(const cJSON *obj, const char *where, const char *key)
{
	const char *text = json_get_child_string(json_get(obj, where), key);
	int64_t v;

	if (!text || str_to_int64(text, &v) < 0 || v < 0 || v > (int64_t)INPUTS_MAX_COUNT)
		return -1;
	return (long)v;
}

/* The pod was evicted, preempted or drained: the pod failure policy does
 * not count that as an attempt (manifest_pod_failure_policy()). */
static bool disrupted(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(pod, "status.conditions"))
		if (str_eq(json_get_string(c, "type"), "DisruptionTarget") &&
		    str_eq(json_get_string(c, "status"), "True"))
			return true;
	return false;
}

/* A finished pod's index, attempt and line; false if it is not one of
 * this group's finished pods. */
static bool finished_pod_of(const struct group_follower *f, const cJSON *pod,
			    struct finished_pod *ret)
{
	const char *phase = json_get_string(pod, "status.phase");
	long index = label_number(pod, "metadata.labels", K8S_COMPLETION_INDEX);
	long failures = label_number(pod, "metadata.annotations", K8S_INDEX_FAILURE_COUNT);
	struct result result;

	if (!str_eq(phase, "Succeeded") && !str_eq(phase, "Failed"))
		return false;
	if (index < 0 || (size_t)index >= f->info.size ||
	    !str_eq(json_get_child_string(json_get(pod, "metadata.labels"), K8S_JOB_NAME_LABEL),
		    f->id))
		return false;
	result_init(&result);
	if (result_from_pod(pod, &result, NULL) < 0)
		result_set(&result, RESULT_JOB_FAILED, -1, "its pod ended without a container status");
	ret->index = (size_t)index;
	ret->attempt = (int)(failures < 0 ? 0 : failures) + 1;
	ret->succeeded = str_eq(phase, "Succeeded");
	/* Out of retries, or failed in a way the pod failure policy does not
	 * retry (the wrapper's own errors, fail-fast skips); a disruption is
	 * retried without counting. */
	ret->last = !disrupted(pod) && (ret->attempt > f->info.policy.retries ||
					result.exit_code == RESULT_WRAPPER_ERROR_EXIT ||
					result.exit_code == RESULT_SKIPPED_EXIT);
	ret->skipped = result.outcome == RESULT_SKIPPED;
	ret->line = group_result_line_new(ret->index, &result, ret->attempt, &ret->ok);
	result_release(&result);
	return true;
}

static void queue_finished_pod(struct group_follower *f, const cJSON *pod)
{
	struct finished_pod fp;

	if (!finished_pod_of(f, pod, &fp))
		return;
	pthread_mutex_lock(&f->lock);
	if (f->queue_len == f->queue_cap) {
		f->queue_cap = f->queue_cap ? 2 * f->queue_cap : 64;
		f->queue = xreallocarray(f->queue, f->queue_cap, sizeof(*f->queue));
	}
	f->queue[f->queue_len++] = fp;
	pthread_mutex_unlock(&f->lock);
}

static void wake(struct group_follower *f)
{
	pthread_mutex_lock(&f->lock);
	f->changed = true;
	pthread_cond_broadcast(&f->changed_cond);
	pthread_mutex_unlock(&f->lock);
}

static void on_pod_event(enum kube_event_type type, const cJSON *object, const cJSON *old,
			 void *ctx)
{
	(void)type;
	(void)old;
	queue_finished_pod(ctx, object);
	wake(ctx);
}

static void on_job_event(enum kube_event_type type, const cJSON *object, const cJSON *old,
			 void *ctx)
{
	(void)type;
	(void)object;
	(void)old;
	wake(ctx);
}

static void on_synced(void *ctx)
{
	wake(ctx);
}

static void on_status(bool connected, const struct error *err, void *ctx)
{
	struct group_follower *f = ctx;

	pthread_mutex_lock(&f->lock);
	if (!connected && err)
		f->watch_error = *err;
	pthread_mutex_unlock(&f->lock);
}

/* --- lines ---------------------------------------------------------------------- */

static void record_queue(struct group_follower *f, size_t index);

/* A line that came from a pod (or that says its pod is gone): final, and
 * recorded. */
static void add_final_line(struct group_follower *f, size_t index, const char *line, bool ok)
{
	if (group_results_add_line(&f->results, index, line, ok, NULL) == 1)
		record_queue(f, index);
}

static void take_finished_pod(struct group_follower *f, struct finished_pod *fp)
{
	size_t i = fp->index;

	if (fp->succeeded) {
		add_final_line(f, i, fp->line, fp->ok);
	} else if (!f->candidates[i] || fp->attempt >= f->candidate_attempt[i]) {
		free(f->candidates[i]);
		f->candidates[i] = TAKE_PTR(fp->line);
		f->candidate_attempt[i] = fp->attempt;
		f->candidate_last[i] = fp->last;
		/* Its pod says so before the Job's status does: the sooner the
		 * switch is thrown, the fewer inputs start in between. */
		if (fp->last && !fp->skipped && f->first_failure == SIZE_MAX)
			f->first_failure = i;
	}
	free(fp->line);
}

static void drain_queue(struct group_follower *f)
{
	struct finished_pod *queue;
	size_t len;

	pthread_mutex_lock(&f->lock);
	queue = TAKE_PTR(f->queue);
	len = f->queue_len;
	f->queue_len = f->queue_cap = 0;
	pthread_mutex_unlock(&f->lock);
	for (size_t k = 0; k < len; k++)
		take_finished_pod(f, &queue[k]);
	free(queue);
}

/* --- the record --------------------------------------------------------------- */

static void record_queue(struct group_follower *f, size_t index)
{
	const char *line = f->results.lines[index];

	if (!f->opts.act || f->record_disabled || f->recorded[index])
		return;
	group_results_patch_add(&f->record_patch, index, line);
	f->record_patch_bytes += strlen(line) + 8;
	if (f->record_pending_len == f->record_pending_cap) {
		f->record_pending_cap = f->record_pending_cap ? 2 * f->record_pending_cap : 256;
		f->record_pending = xreallocarray(f->record_pending, f->record_pending_cap,
						  sizeof(*f->record_pending));
	}
	f->record_pending[f->record_pending_len++] = index;
	if (f->record_patch_bytes >= GROUP_RESULTS_BATCH_MAX)
		group_follow_flush(f);
}

static int record_load(struct group_follower *f, struct error *err)
{
	_cleanup_json_ cJSON *list = NULL;
	_cleanup_free_ char *selector = xasprintf("%s=%s,%s=%s", LABEL_GROUP_ID, f->id,
						  LABEL_COMPONENT, LABEL_COMPONENT_RESULTS);
	struct kube_list_opts opts = { .label_selector = selector };
	const cJSON *cm;
	bool any = false;

	if (kube_list_all(f->client, &kube_configmaps, f->ns, &opts, &list, err) < 0)
		return -1;
	cJSON_ArrayForEach(cm, json_get(list, "items")) {
		const char *name = json_get_string(cm, "metadata.name");
		size_t prefix = strlen(f->id) + strlen("-results-"), bytes = 0;
		struct error load_err = ERROR_INIT;
		uint64_t k;

		if (!name || strlen(name) <= prefix || str_to_uint64(name + prefix, &k) < 0)
			continue;
		if (group_results_load(&f->results, cm, &bytes, &load_err) > 0)
			warn(f, "%s", load_err.msg);
		if (!any || k > f->record_chunk) {
			f->record_chunk = (size_t)k;
			f->record_chunk_bytes = bytes;
		}
		any = true;
	}
	f->record_chunk_exists = any;
	for (size_t i = 0; i < f->info.size; i++)
		f->recorded[i] = group_results_has(&f->results, i);
	return 0;
}

static bool too_large(const struct error *err)
{
	return err->code == 413 || err->code == 422;
}

/* Creates the current chunk, or learns how full it is when another
 * follower made it first. */
static int record_create_chunk(struct group_follower *f, struct error *err)
{
	_cleanup_json_ cJSON *cm = group_results_configmap(f->job, f->record_chunk, err), *got = NULL;
	_cleanup_free_ char *name = NULL;

	if (!cm)
		return -1;
	if (kube_create(f->client, &kube_configmaps, f->ns, cm, NULL, NULL, err) == 0) {
		f->record_chunk_bytes = 0;
		f->record_chunk_exists = true;
		return 0;
	}
	if (err->code != 409)
		return -1;
	name = group_results_configmap_name(f->id, f->record_chunk);
	if (kube_get(f->client, &kube_configmaps, f->ns, name, &got, err) < 0)
		return -1;
	f->record_chunk_bytes = 0;
	if (group_results_load(&f->results, got, &f->record_chunk_bytes, NULL) > 0)
		warn(f, "configmap '%s' holds entries that are not result lines", name);
	f->record_chunk_exists = true;
	return 0;
}

static int record_write(struct group_follower *f, struct error *err)
{
	for (int tries = 0; tries < 8; tries++) {
		_cleanup_free_ char *name = NULL;

		if (f->record_chunk_exists && f->record_chunk_bytes > 0 &&
		    f->record_chunk_bytes + f->record_patch_bytes > GROUP_RESULTS_CHUNK_TARGET) {
			f->record_chunk++;
			f->record_chunk_exists = false;
		}
		if (!f->record_chunk_exists && record_create_chunk(f, err) < 0)
			return -1;
		if (f->record_chunk_bytes > 0 &&
		    f->record_chunk_bytes + f->record_patch_bytes > GROUP_RESULTS_CHUNK_TARGET)
			continue; /* another follower filled it */
		name = group_results_configmap_name(f->id, f->record_chunk);
		if (kube_patch(f->client, &kube_configmaps, f->ns, name, KUBE_PATCH_MERGE,
			       f->record_patch, NULL, NULL, err) == 0) {
			f->record_chunk_bytes += f->record_patch_bytes;
			return 0;
		}
		if (!too_large(err) && err->code != 404)
			return -1;
		/* Full after all (followers writing at once), or deleted. */
		if (err->code == 404)
			f->record_chunk_exists = false;
		else
			f->record_chunk_bytes = GROUP_RESULTS_CHUNK_TARGET;
	}
	return error_set(err, "no results configmap of group '%s' took the results", f->id);
}

void group_follow_flush(struct group_follower *f)
{
	struct error err = ERROR_INIT;

	if (!f->record_patch)
		return;
	f->record_last_ms = time_mono_ms();
	if (!f->record_disabled && f->job && record_write(f, &err) < 0) {
		warn(f, "cannot record the results of group '%s' (they stay readable while its "
		     "pods exist): %s", f->id, err.msg);
		f->record_disabled = true;
	}
	if (!f->record_disabled)
		for (size_t k = 0; k < f->record_pending_len; k++)
			f->recorded[f->record_pending[k]] = true;
	cJSON_Delete(f->record_patch);
	f->record_patch = NULL;
	f->record_patch_bytes = 0;
	f->record_pending_len = 0;
}

/* --- finished inputs without a line ------------------------------------------------ */

static int take_page(const cJSON *page, void *ctx)
{
	struct group_follower *f = ctx;
	const cJSON *pod;

	cJSON_ArrayForEach(pod, json_get(page, "items")) {
		struct finished_pod fp;

		if (finished_pod_of(f, pod, &fp))
			take_finished_pod(f, &fp);
	}
	return 0;
}

/* Lists the finished pods of the inputs in `missing` (or of the whole
 * group when there are many) and takes their lines. */
static int look_up(struct group_follower *f, const size_t *missing, size_t n, struct error *err)
{
	_cleanup_free_ char *group = xasprintf("%s=%s", LABEL_GROUP_ID, f->id);
	struct kube_list_opts opts = { .field_selector = FINISHED_PODS, .limit = 500 };

	if (n > MISSING_PER_INPUT_MAX) {
		opts.label_selector = group;
		return kube_list_pages(f->client, &kube_pods, f->ns, &opts, take_page, f, err);
	}
	for (size_t k = 0; k < n; k++) {
		_cleanup_free_ char *selector = xasprintf("%s,%s=%zu", group, K8S_COMPLETION_INDEX,
							  missing[k]);

		opts.label_selector = selector;
		if (kube_list_pages(f->client, &kube_pods, f->ns, &opts, take_page, f, err) < 0)
			return -1;
	}
	return 0;
}

/* Gives a finished input its line: its pod's (a success at once, a
 * failure once its last attempt's pod was seen), or what the status says
 * when the group's end decided it (Skipped, Cancelled). With give_up, the
 * pods were listed and what they did not tell nobody will. False when the
 * input must wait for its pod. */
static bool settle(struct group_follower *f, size_t i, const struct index_status *is,
		   bool give_up)
{
	struct index_status view = *is;
	_cleanup_free_ char *line = NULL;
	struct result r;
	bool ok, decided_by_end = is->reason == REASON_SKIPPED || is->reason == REASON_CANCELLED;

	if (group_results_has(&f->results, i))
		return true;
	if (!decided_by_end && f->candidates[i] && (f->candidate_last[i] || give_up)) {
		add_final_line(f, i, f->candidates[i], false);
		return true;
	}
	if (!decided_by_end && !give_up)
		return false;
	/* An input the group's end stopped had started: it was cancelled, not
	 * skipped, as the status would say if its pod were still among the
	 * active ones (group_input_result() decides what that means). Only a
	 * pod said so: the line is recorded, as those from pods are. */
	if (is->reason == REASON_SKIPPED && (f->started[i] || f->candidates[i])) {
		view.reason = REASON_CANCELLED;
		if (!view.attempts)
			view.attempts = f->candidates[i] ? f->candidate_attempt[i] : 1;
		decided_by_end = false;
	}
	/* Decided by the group's end (not recorded: the Job says it), or a
	 * pod that is gone for good (recorded: nobody will find it again). */
	result_init(&r);
	group_input_result(f->job, &view, &r);
	line = group_result_line_new(i, &r, view.attempts, &ok);
	if (decided_by_end)
		group_results_add_line(&f->results, i, line, false, NULL);
	else
		add_final_line(f, i, line, ok);
	result_release(&r);
	return true;
}

static bool is_finished(const struct index_status *is)
{
	return is->state == JOB_SUCCEEDED || is->state == JOB_FAILED;
}

static bool group_ended(const struct group_follower *f)
{
	return f->status.state == JOB_SUCCEEDED || f->status.state == JOB_FAILED;
}

static void settle_all(struct group_follower *f)
{
	int64_t now = time_mono_ms();
	_cleanup_free_ size_t *missing = NULL;
	size_t n_missing = 0;
	bool look = false;
	struct error err = ERROR_INIT;

	for (size_t i = 0; i < f->info.size; i++) {
		const struct index_status *is = &f->status.indexes[i];

		if (!is_finished(is) || settle(f, i, is, false)) {
			f->missing_since[i] = 0;
			continue;
		}
		if (!f->missing_since[i])
			f->missing_since[i] = now;
		if (!missing)
			missing = xcalloc(f->info.size, sizeof(*missing));
		missing[n_missing++] = i;
		look = look || now - f->missing_since[i] >= MISSING_GRACE_MS || !f->opts.watch ||
		       group_ended(f);
	}
	if (!n_missing || !look)
		return;
	if (f->opts.watch && !group_ended(f) && now - f->missing_checked_ms < MISSING_RETRY_MS)
		return;
	f->missing_checked_ms = now;
	if (look_up(f, missing, n_missing, &err) < 0) {
		warn(f, "cannot list the pods of group '%s': %s", f->id, err.msg);
		return;
	}
	/* What the pods did not tell, nobody will: the pod is gone. */
	for (size_t k = 0; k < n_missing; k++) {
		size_t i = missing[k];

		settle(f, i, &f->status.indexes[i], true);
	}
}

/* --- the fail-fast switch ------------------------------------------------------ */

static int note_running(const cJSON *pod, void *ctx)
{
	struct strv *names = ctx;

	strv_push(names, json_get_string(pod, "metadata.name") ? json_get_string(pod, "metadata.name")
							      : "");
	return 0;
}

static bool still_running(struct group_follower *f, const char *name)
{
	_cleanup_json_ cJSON *pod = NULL;
	const cJSON *p;

	if (f->pod_informer) {
		pod = kube_informer_get(f->pod_informer, f->ns, name);
		return pod != NULL;
	}
	cJSON_ArrayForEach(p, json_get(f->active_pods, "items"))
		if (str_eq(json_get_string(p, "metadata.name"), name))
			return true;
	return false;
}

static void active_pod_names(struct group_follower *f, struct strv *names)
{
	const cJSON *p;

	if (f->pod_informer) {
		kube_informer_foreach(f->pod_informer, note_running, names);
		return;
	}
	cJSON_ArrayForEach(p, json_get(f->active_pods, "items"))
		note_running(p, names);
}

static void enforce_fail_fast(struct group_follower *f)
{
	const char *failed = json_get_string(f->job, "status.failedIndexes");
	struct error err = ERROR_INIT;

	if (!f->opts.act || !group_needs_follower(&f->info.policy) || group_ended(f) ||
	    status_is_cancelled(f->job))
		return;
	if (!f->stop_thrown && !f->stop_failed &&
	    ((failed && *failed) || f->first_failure != SIZE_MAX)) {
		_cleanup_free_ char *control = group_control_name(f->id);
		char reason[64];
		_cleanup_json_ cJSON *patch = NULL;

		if (f->first_failure != SIZE_MAX)
			snprintf(reason, sizeof(reason), "input %zu failed", f->first_failure);
		else
			snprintf(reason, sizeof(reason), "input %.*s failed",
				 (int)strcspn(failed, ",-"), failed);
		patch = group_stop_patch(reason);
		if (kube_patch(f->client, &kube_configmaps, f->ns, control, KUBE_PATCH_MERGE, patch,
			       NULL, NULL, &err) < 0) {
			warn(f, "cannot stop group '%s' from starting more inputs (--fail-fast): %s",
			     f->id, err.msg);
			f->stop_failed = true;
			return;
		}
		f->stop_thrown = true;
		active_pod_names(f, &f->running_at_stop);
	}
	if (!f->stop_thrown || f->ended_early)
		return;
	for (size_t k = 0; k < f->running_at_stop.len; k++)
		if (still_running(f, f->running_at_stop.items[k]))
			return;
	/* Every input that ran when the switch was thrown has finished: the
	 * rest would only start to skip, so the Job need not start them. */
	{
		_cleanup_json_ cJSON *patch = cJSON_CreateObject();

		json_set_int64(json_ensure_object(patch, "spec"), "maxFailedIndexes", 0);
		f->ended_early = true;
		if (kube_patch(f->client, &kube_jobs, f->ns, f->id, KUBE_PATCH_MERGE, patch, NULL, NULL,
			       &err) < 0)
			warn(f, "cannot end group '%s' after its fail-fast stop (its remaining inputs "
			     "start and skip one by one): %s", f->id, err.msg);
	}
}

static int read_switch(struct group_follower *f, struct error *err)
{
	_cleanup_json_ cJSON *cm = NULL;
	_cleanup_free_ char *name = group_control_name(f->id);
	const char *stop;

	if (!group_needs_follower(&f->info.policy))
		return 0;
	if (kube_get(f->client, &kube_configmaps, f->ns, name, &cm, err) < 0) {
		if (err->code != 404)
			return -1;
		warn(f, "group '%s' has no configmap '%s': --fail-fast cannot stop new inputs", f->id,
		     name);
		f->stop_failed = true;
		error_clear(err);
		return 0;
	}
	stop = json_get_string(cm, "data.stop");
	if (stop && *stop) {
		f->stop_thrown = true;
		active_pod_names(f, &f->running_at_stop);
	}
	return 0;
}

/* --- following -------------------------------------------------------------------- */

static int read_job(struct group_follower *f, struct error *err)
{
	cJSON *job = NULL;

	if (f->job_informer) {
		job = kube_informer_get(f->job_informer, f->ns, f->id);
		if (!job)
			return error_set_code(err, 404, "group '%s' was deleted", f->id);
	} else if (kube_get(f->client, &kube_jobs, f->ns, f->id, &job, err) < 0) {
		return -1;
	}
	cJSON_Delete(f->job);
	f->job = job;
	return 0;
}

static int copy_pod(const cJSON *pod, void *ctx)
{
	cJSON_AddItemToArray(ctx, cJSON_Duplicate(pod, true));
	return 0;
}

int group_follow_refresh(struct group_follower *f, struct error *err)
{
	_cleanup_json_ cJSON *pods = NULL;
	struct job_status status;

	drain_queue(f);
	if (read_job(f, err) < 0)
		return -1;
	if (f->pod_informer) {
		pods = cJSON_CreateArray();
		kube_informer_foreach(f->pod_informer, copy_pod, pods);
	}
	job_status_init(&status);
	if (job_status_compute(f->job, pods ? pods : f->active_pods, NULL, &status, err) < 0)
		return error_prefix(err, "group '%s'", f->id);
	job_status_release(&f->status);
	f->status = status;
	for (size_t i = 0; i < f->status.n_indexes && i < f->info.size; i++)
		if (f->status.indexes[i].state == JOB_RUNNING)
			f->started[i] = true;
	settle_all(f);
	enforce_fail_fast(f);
	if (f->record_patch && (time_mono_ms() - f->record_last_ms >= RECORD_INTERVAL_MS ||
				group_follow_finished(f)))
		group_follow_flush(f);
	return 0;
}

static struct kube_informer *start_informer(struct group_follower *f,
					    const struct kube_resource *res, const char *labels,
					    const char *fields, kube_informer_event_fn on_event,
					    struct error *err)
{
	struct kube_informer_opts opts = {
		.resource = res,
		.namespace = f->ns,
		.label_selector = labels,
		.field_selector = fields,
		.on_event = on_event,
		.on_synced = on_synced,
		.on_status = on_status,
		.ctx = f,
	};
	int64_t timeout = kube_client_config(f->client)->request_timeout_ms;
	struct kube_informer *inf = kube_informer_start(f->client, &opts, err);

	/* The first list gets the time one request may take, as kubectl's. */
	if (inf && !kube_informer_wait_synced(inf, timeout > 0 ? timeout : -1)) {
		kube_informer_free(inf);
		pthread_mutex_lock(&f->lock);
		error_set(err, "cannot follow group '%s': %s", f->id,
			  f->watch_error.msg[0] ? f->watch_error.msg : "the API server did not answer");
		pthread_mutex_unlock(&f->lock);
		return NULL;
	}
	return inf;
}

int group_follow_start(struct kube_client *client, const char *ns, const char *id,
		       const struct group_follow_opts *opts, struct group_follower **ret,
		       struct error *err)
{
	struct group_follower *f = xcalloc(1, sizeof(*f));
	_cleanup_free_ char *job_field = xasprintf("metadata.name=%s", id);
	_cleanup_free_ char *pod_labels = xasprintf("%s=%s", LABEL_GROUP_ID, id);
	pthread_condattr_t attr;
	size_t n;

	f->client = client;
	f->first_failure = SIZE_MAX;
	f->ns = xstrdup(ns);
	f->opts = *opts;
	str_copy(f->id, sizeof(f->id), id);
	strv_init(&f->warnings);
	strv_init(&f->running_at_stop);
	job_status_init(&f->status);
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->changed_cond, &attr);
	pthread_condattr_destroy(&attr);

	if (!group_id_is_valid(id)) {
		error_set_code(err, 404, "'%s' is not a group id (grp- and 8 hex digits)", id);
		goto fail;
	}
	if (kube_get(client, &kube_jobs, ns, id, &f->job, err) < 0) {
		if (err->code == 404)
			error_set_code(err, 404, "group '%s' not found in namespace '%s'", id, ns);
		goto fail;
	}
	if (group_info_from_job(f->job, &f->info, err) < 0)
		goto fail;
	n = f->info.size;
	group_results_init(&f->results, n);
	f->recorded = xcalloc(n, sizeof(*f->recorded));
	f->started = xcalloc(n, sizeof(*f->started));
	f->candidates = xcalloc(n, sizeof(*f->candidates));
	f->candidate_attempt = xcalloc(n, sizeof(*f->candidate_attempt));
	f->candidate_last = xcalloc(n, sizeof(*f->candidate_last));
	f->missing_since = xcalloc(n, sizeof(*f->missing_since));

	/* Active pods first, then the record and the finished pods: a pod
	 * that finishes in between is seen by one or the other. */
	if (opts->watch) {
		f->job_informer = start_informer(f, &kube_jobs, NULL, job_field, on_job_event, err);
		if (!f->job_informer)
			goto fail;
		f->pod_informer = start_informer(f, &kube_pods, pod_labels, ACTIVE_PODS, on_pod_event,
						 err);
		if (!f->pod_informer)
			goto fail;
	} else {
		struct kube_list_opts list = { .label_selector = pod_labels,
					       .field_selector = ACTIVE_PODS };

		if (kube_list_all(client, &kube_pods, ns, &list, &f->active_pods, err) < 0)
			goto fail;
	}
	if (record_load(f, err) < 0 || read_switch(f, err) < 0)
		goto fail;
	if (group_follow_refresh(f, err) < 0)
		goto fail;
	*ret = f;
	return 0;
fail:
	group_follow_free(f);
	return -1;
}

void group_follow_free(struct group_follower *f)
{
	if (!f)
		return;
	kube_informer_free(f->job_informer);
	kube_informer_free(f->pod_informer);
	f->job_informer = f->pod_informer = NULL;
	if (f->opts.act && f->results.lines) {
		drain_queue(f);
		group_follow_flush(f);
	}
	for (size_t k = 0; k < f->queue_len; k++)
		free(f->queue[k].line);
	free(f->queue);
	for (size_t i = 0; f->candidates && i < f->info.size; i++)
		free(f->candidates[i]);
	free(f->candidates);
	free(f->candidate_attempt);
	free(f->candidate_last);
	free(f->missing_since);
	free(f->recorded);
	free(f->started);
	free(f->record_pending);
	cJSON_Delete(f->record_patch);
	group_results_release(&f->results);
	job_status_release(&f->status);
	cJSON_Delete(f->job);
	cJSON_Delete(f->active_pods);
	strv_release(&f->warnings);
	strv_release(&f->running_at_stop);
	pthread_cond_destroy(&f->changed_cond);
	pthread_mutex_destroy(&f->lock);
	free(f->ns);
	free(f);
}

bool group_follow_wait(struct group_follower *f, int64_t deadline_ms)
{
	bool changed;

	if (!f->opts.watch)
		return false;
	pthread_mutex_lock(&f->lock);
	while (!f->changed) {
		int64_t now = time_mono_ms();
		struct timespec until;

		if (deadline_ms >= 0 && now >= deadline_ms)
			break;
		/* Wake at least once a second: results are recorded, and
		 * missing ones looked up, on time as well as on events. */
		if (deadline_ms < 0 || deadline_ms - now > 1000)
			deadline_ms = now + 1000;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (deadline_ms - now) / 1000;
		until.tv_nsec += (long)((deadline_ms - now) % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&f->changed_cond, &f->lock, &until) != 0)
			break;
	}
	changed = f->changed;
	f->changed = false;
	pthread_mutex_unlock(&f->lock);
	return changed;
}

bool group_follow_finished(const struct group_follower *f)
{
	return group_ended(f) && f->results.finished == f->info.size;
}

const struct group_info *group_follow_info(const struct group_follower *f)
{
	return &f->info;
}

const cJSON *group_follow_job(const struct group_follower *f)
{
	return f->job;
}

const struct job_status *group_follow_status(const struct group_follower *f)
{
	return &f->status;
}

struct group_results *group_follow_results(struct group_follower *f)
{
	return &f->results;
}

void group_follow_counts(const struct group_follower *f, struct progress_counts *ret)
{
	size_t running = 0;

	for (size_t i = 0; i < f->status.n_indexes; i++)
		running += !group_results_has(&f->results, i) &&
			   f->status.indexes[i].state == JOB_RUNNING;
	ret->total = f->info.size;
	ret->done = f->results.finished;
	ret->failed = f->results.failed;
	ret->running = running;
	ret->pending = ret->total - ret->done - running;
}

size_t group_follow_active_pods(const struct group_follower *f)
{
	if (f->pod_informer)
		return kube_informer_count(f->pod_informer);
	return (size_t)cJSON_GetArraySize(json_get(f->active_pods, "items"));
}

void group_follow_time_out(struct group_follower *f, long seconds)
{
	struct result r;

	result_init(&r);
	result_set_timeout(&r, seconds);
	for (size_t i = 0; i < f->info.size; i++) {
		int attempts = i < f->status.n_indexes ? f->status.indexes[i].attempts : 0;

		if (!group_results_has(&f->results, i))
			group_results_add(&f->results, i, &r, attempts, NULL);
	}
	result_release(&r);
}

void group_follow_take_warnings(struct group_follower *f, struct strv *out)
{
	for (size_t k = 0; k < f->warnings.len; k++)
		strv_push(out, f->warnings.items[k]);
	strv_release(&f->warnings);
	strv_init(&f->warnings);
}
