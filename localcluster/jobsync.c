/* jobsync.c — the Job controller's reconciliation as a pure function
 * (see jobsync.h). Function names follow kube-controller-manager's
 * pkg/controller/job where a step corresponds to one there. */
#include "jobsync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "indexset.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define MAX_UNCOUNTED_PODS 500
#define GENERATED_NAME_MAX 58 /* 63 minus the 5 random characters */

enum pfp_action { PFP_NONE, PFP_IGNORE, PFP_COUNT, PFP_FAIL_JOB, PFP_FAIL_INDEX };

/* A pod of the Job with what the algorithm asks of it, read once. */
struct jpod {
	const cJSON *obj;
	const char *uid;
	const char *name;
	int64_t index;      /* completion index, -1 if none */
	bool valid_index;   /* NonIndexed, or an index below completions */
	bool has_finalizer;
	bool active;
	bool terminating;
	bool ready;
	bool succeeded;     /* phase Succeeded */
	bool failed;        /* isPodFailed() */
	int64_t finished_ms;
};

struct finish {
	const char *type; /* NULL: not finishing */
	const char *reason;
	char *message;
};

struct jctx {
	const cJSON *job;
	const char *name;
	const char *ns;
	const char *uid;
	int64_t now_ms;
	const struct job_sync_config *config;
	bool indexed;
	bool has_completions;
	int64_t completions;
	int64_t parallelism;
	int64_t backoff_limit;
	bool per_index;
	int64_t backoff_limit_per_index;
	bool has_max_failed;
	int64_t max_failed_indexes;
	const cJSON *pfp_rules; /* spec.podFailurePolicy.rules, or NULL */
	bool only_replace_failed;
	bool suspended;
	bool deleting;

	struct jpod *pods;
	size_t n_pods;
	struct strv uncounted_succeeded; /* uids from status.uncountedTerminatedPods */
	struct strv uncounted_failed;

	cJSON *status; /* the status being computed */
	int64_t active, terminating, ready, succeeded, failed;
	struct index_set prev_succeeded_indexes;
	struct index_set succeeded_indexes;
	struct index_set failed_indexes;
	/* backoffLimitPerIndex: per index, the failed pod whose deletion waits
	 * for its replacement (to hand on its failure count); NULL if none. */
	struct jpod **delayed;
	struct finish finished;
	struct job_sync_result *out;
};

/* ---------- small helpers ---------- */

static void add_event(struct jctx *c, const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_event(struct jctx *c, const char *type, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	k8s_event_vadd(&c->out->events, &c->out->n_events, type, reason, fmt, ap);
	va_end(ap);
}

static void set_finish(struct jctx *c, const char *type, const char *reason, const char *message)
{
	free(c->finished.message);
	c->finished = (struct finish){ type, reason, xstrdup(message ? message : "") };
}

static void requeue_after(struct jctx *c, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (c->out->requeue_after_ms < 0 || ms < c->out->requeue_after_ms)
		c->out->requeue_after_ms = ms;
}

static int64_t status_int(const cJSON *status, const char *key)
{
	int64_t v = 0;

	json_get_int64(status, key, &v);
	return v;
}

/* Go's omitempty for the int32 counters. */
static void set_count(cJSON *status, const char *key, int64_t v)
{
	if (v)
		json_set_int64(status, key, v);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(status, key);
}

static void uid_list_to_strv(const cJSON *array, struct strv *out)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, array)
		if (cJSON_IsString(item))
			strv_push(out, item->valuestring);
}

static cJSON *strv_to_json(const struct strv *v)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; i < v->len; i++)
		cJSON_AddItemToArray(array, cJSON_CreateString(v->items[i]));
	return array;
}

static bool strv_contains(const struct strv *v, const char *s)
{
	return strv_find(v, s) >= 0;
}

static void strv_remove_at(struct strv *v, size_t i)
{
	free(v->items[i]);
	memmove(&v->items[i], &v->items[i + 1], (v->len - i) * sizeof(*v->items));
	v->len--;
}

static char *format_indexes(const struct index_set *s)
{
	struct buf b = BUF_INIT(BUF_MAX_DEFAULT);

	index_set_format(s, &b);
	return buf_detach(&b, NULL);
}

/* ---------- pod facts ---------- */

/* getFinishedTime(): when the pod ended, in epoch ms. */
static int64_t pod_finished_ms(const cJSON *pod)
{
	const cJSON *statuses = json_get(pod, "status.containerStatuses"), *cs;
	const cJSON *ready = k8s_condition(pod, "status.conditions", "Ready");
	int64_t latest = -1, t;
	bool all = cJSON_GetArraySize(statuses) > 0;

	cJSON_ArrayForEach(cs, statuses) {
		t = k8s_time_at(cs, "state.terminated.finishedAt");
		if (t < 0) {
			all = false;
			break;
		}
		if (t > latest)
			latest = t;
	}
	if (all && latest >= 0)
		return latest * 1000;
	if (ready && str_eq(json_get_string(ready, "status"), "False") &&
	    (t = k8s_time_at(ready, "lastTransitionTime")) >= 0)
		return t * 1000;
	if ((t = k8s_time_at(pod, "metadata.deletionTimestamp")) >= 0) {
		int64_t grace = 0;

		json_get_int64(pod, "metadata.deletionGracePeriodSeconds", &grace);
		return (t - grace) * 1000;
	}
	t = k8s_time_at(pod, "metadata.creationTimestamp");
	return t < 0 ? 0 : t * 1000;
}

static bool exit_code_matches(int64_t code, const cJSON *req)
{
	const char *op = json_get_string(req, "operator");
	const cJSON *v;
	bool found = false;

	cJSON_ArrayForEach(v, json_get(req, "values"))
		if (cJSON_IsNumber(v) && (int64_t)v->valuedouble == code)
			found = true;
	if (str_eq(op, "In"))
		return found;
	if (str_eq(op, "NotIn"))
		return !found;
	return false;
}

static const cJSON *match_exit_codes_in(const cJSON *statuses, const cJSON *req)
{
	const char *container = json_get_string(req, "containerName");
	const cJSON *cs;

	cJSON_ArrayForEach(cs, statuses) {
		int64_t code = 0;

		if (!json_get(cs, "state.terminated"))
			continue; /* still terminating: no exit code to match */
		if (container && !str_eq(container, json_get_string(cs, "name")))
			continue;
		json_get_int64(cs, "state.terminated.exitCode", &code);
		if (code != 0 && exit_code_matches(code, req))
			return cs;
	}
	return NULL;
}

static const cJSON *match_pod_conditions(const cJSON *pod, const cJSON *patterns)
{
	const cJSON *cond, *pattern;

	cJSON_ArrayForEach(cond, json_get(pod, "status.conditions")) {
		cJSON_ArrayForEach(pattern, patterns) {
			const char *want = json_get_string(pattern, "status");

			if (str_eq(json_get_string(cond, "type"), json_get_string(pattern, "type")) &&
			    str_eq(json_get_string(cond, "status"), want ? want : "True"))
				return cond;
		}
	}
	return NULL;
}

static enum pfp_action parse_action(const char *action)
{
	if (str_eq(action, "Ignore"))
		return PFP_IGNORE;
	if (str_eq(action, "Count"))
		return PFP_COUNT;
	if (str_eq(action, "FailJob"))
		return PFP_FAIL_JOB;
	if (str_eq(action, "FailIndex"))
		return PFP_FAIL_INDEX;
	return PFP_NONE;
}

/* matchPodFailurePolicy(): the action of the first rule the failed pod
 * matches; *ret_count says whether the failure counts towards the limits;
 * *ret_message (FailJob only) is the Job's failure message. */
static enum pfp_action match_pod_failure_policy(const struct jctx *c, const cJSON *pod,
						bool *ret_count, char **ret_message)
{
	const cJSON *rule;
	int index = 0;

	*ret_count = true;
	if (ret_message)
		*ret_message = NULL;
	cJSON_ArrayForEach(rule, c->pfp_rules) {
		const char *action_name = json_get_string(rule, "action");
		enum pfp_action action = parse_action(action_name);
		const cJSON *on_exit = json_get(rule, "onExitCodes");
		const cJSON *on_conditions = json_get(rule, "onPodConditions");
		const cJSON *cs = NULL, *cond = NULL;

		if (on_exit) {
			cs = match_exit_codes_in(json_get(pod, "status.containerStatuses"), on_exit);
			if (!cs)
				cs = match_exit_codes_in(json_get(pod, "status.initContainerStatuses"),
							 on_exit);
		} else if (on_conditions) {
			cond = match_pod_conditions(pod, on_conditions);
		}
		if ((cs || cond) && action != PFP_NONE) {
			*ret_count = action != PFP_IGNORE;
			if (action == PFP_FAIL_JOB && ret_message) {
				int64_t code = 0;

				json_get_int64(cs, "state.terminated.exitCode", &code);
				*ret_message =
					cs ? xasprintf("Container %s for pod %s/%s failed with exit code %" PRId64
						       " matching FailJob rule at index %d",
						       json_get_string(cs, "name"), c->ns, k8s_name(pod), code,
						       index)
					   : xasprintf("Pod %s/%s has condition %s matching FailJob rule at index %d",
						       c->ns, k8s_name(pod), json_get_string(cond, "type"),
						       index);
			}
			return action;
		}
		index++;
	}
	return PFP_NONE;
}

static bool count_failure(const struct jctx *c, const struct jpod *p)
{
	bool count = true;

	if (c->pfp_rules)
		match_pod_failure_policy(c, p->obj, &count, NULL);
	return count;
}

/* isIndexFailed(): the pod's index is out of retries. */
static bool is_index_failed(const struct jctx *c, const struct jpod *p)
{
	bool counted = false;

	if (!p->failed)
		return false;
	if (c->pfp_rules) {
		bool count;

		if (match_pod_failure_policy(c, p->obj, &count, NULL) == PFP_FAIL_INDEX)
			return true;
		counted = count;
	} else {
		counted = true;
	}
	return counted && pod_int_annotation(p->obj, JOB_INDEX_FAILURE_COUNT_KEY) >=
				  c->backoff_limit_per_index;
}

/* ---------- reading the Job ---------- */

static int read_job(struct jctx *c, const cJSON *job, struct error *err)
{
	const char *mode = json_get_string(job, "spec.completionMode");
	const char *replacement = json_get_string(job, "spec.podReplacementPolicy");

	c->job = job;
	c->name = k8s_name(job);
	c->ns = k8s_namespace(job);
	c->uid = k8s_uid(job);
	if (!c->name || !c->ns || !c->uid)
		return error_set(err, "job without metadata.name, namespace or uid");
	if (mode && strcmp(mode, "Indexed") && strcmp(mode, "NonIndexed"))
		return error_set(err, "job '%s/%s': unknown spec.completionMode '%s'", c->ns,
				 c->name, mode);
	c->indexed = str_eq(mode, "Indexed");
	c->has_completions = json_get_int64(job, "spec.completions", &c->completions);
	if (c->indexed && !c->has_completions)
		return error_set(err, "job '%s/%s': an Indexed job needs spec.completions", c->ns,
				 c->name);
	if (!json_get_int64(job, "spec.parallelism", &c->parallelism))
		c->parallelism = 1;
	c->per_index = c->indexed &&
		       json_get_int64(job, "spec.backoffLimitPerIndex", &c->backoff_limit_per_index);
	if (!json_get_int64(job, "spec.backoffLimit", &c->backoff_limit))
		c->backoff_limit = c->per_index ? INT32_MAX : 6;
	c->has_max_failed = c->per_index &&
			    json_get_int64(job, "spec.maxFailedIndexes", &c->max_failed_indexes);
	c->pfp_rules = json_get(job, "spec.podFailurePolicy.rules");
	if (!cJSON_IsArray(c->pfp_rules))
		c->pfp_rules = NULL;
	/* onlyReplaceFailedPods(): podReplacementPolicy Failed, which is also
	 * the default when a podFailurePolicy is set. */
	c->only_replace_failed = str_eq(replacement, "Failed") || json_get(job, "spec.podFailurePolicy");
	c->suspended = json_get_bool(job, "spec.suspend", false);
	c->deleting = k8s_is_deleting(job);
	return 0;
}

static void read_pods(struct jctx *c, const cJSON *const *pods, size_t n)
{
	c->pods = xcalloc(n ? n : 1, sizeof(*c->pods));
	for (size_t i = 0; i < n; i++) {
		const cJSON *pod = pods[i];
		struct jpod *p = &c->pods[c->n_pods];
		const char *phase = pod_phase(pod);

		if (!k8s_uid(pod) || !k8s_name(pod))
			continue;
		*p = (struct jpod){
			.obj = pod,
			.uid = k8s_uid(pod),
			.name = k8s_name(pod),
			.index = pod_completion_index(pod),
			.has_finalizer = k8s_has_finalizer(pod, JOB_TRACKING_FINALIZER),
			.active = pod_is_active(pod),
			.terminating = pod_is_terminating(pod),
			.ready = pod_is_ready(pod),
			.succeeded = !strcmp(phase, "Succeeded"),
			.finished_ms = pod_finished_ms(pod),
		};
		p->valid_index = !c->indexed || (p->index >= 0 && p->index < c->completions);
		/* isPodFailed(): deleted pods count as failed unless only failed
		 * pods are replaced. */
		p->failed = !strcmp(phase, "Failed") ||
			    (!c->only_replace_failed && k8s_is_deleting(pod) && !p->succeeded);
		c->n_pods++;
	}
}

/* ---------- decisions ---------- */

/* The pods counted neither in the status counters nor in the uncounted
 * lists yet (getNewFinishedPods()). */
static bool is_new_finished(const struct jctx *c, const struct jpod *p, bool succeeded)
{
	if (!p->has_finalizer || !p->valid_index)
		return false;
	if (succeeded)
		return p->succeeded && !strv_contains(&c->uncounted_succeeded, p->uid);
	return p->failed && !strv_contains(&c->uncounted_failed, p->uid);
}

/* newBackoffRecord(): failures since the last success, and when the last was. */
static struct job_backoff new_backoff_record(const struct jctx *c, const struct job_backoff *old)
{
	struct job_backoff b = *old;
	int64_t last_success = -1, last_failure = -1;
	size_t failures = 0;

	for (size_t i = 0; i < c->n_pods; i++) {
		const struct jpod *p = &c->pods[i];

		if (is_new_finished(c, p, true) && p->finished_ms > last_success)
			last_success = p->finished_ms;
	}
	for (size_t i = 0; i < c->n_pods; i++) {
		const struct jpod *p = &c->pods[i];

		if (!is_new_finished(c, p, false))
			continue;
		if (last_success >= 0 && p->finished_ms <= last_success)
			continue;
		failures++;
		if (p->finished_ms > last_failure)
			last_failure = p->finished_ms;
	}
	if (last_success >= 0) {
		b.failures_after_last_success = 0;
		b.last_failure_ms = 0;
	}
	if (failures) {
		b.failures_after_last_success += (int64_t)failures;
		b.last_failure_ms = last_failure;
	}
	return b;
}

/* getRemainingTimeForFailuresCount(). */
static int64_t backoff_remaining(const struct jctx *c, int64_t failures, int64_t last_failure_ms)
{
	int64_t delay = c->config->pod_failure_backoff_ms, elapsed;

	if (failures <= 0)
		return 0;
	for (int64_t i = 1; i < failures; i++) {
		delay *= 2;
		if (delay >= c->config->pod_failure_backoff_max_ms) {
			delay = c->config->pod_failure_backoff_max_ms;
			break;
		}
	}
	elapsed = c->now_ms - last_failure_ms;
	return delay < elapsed ? 0 : delay - elapsed;
}

/* pastBackoffLimitOnFailure(): restarts of pods that restart in place. */
static bool past_backoff_limit_on_failure(const struct jctx *c)
{
	int64_t restarts = 0;

	if (!str_eq(json_get_string(c->job, "spec.template.spec.restartPolicy"), "OnFailure"))
		return false;
	for (size_t i = 0; i < c->n_pods; i++) {
		const char *phase = pod_phase(c->pods[i].obj);
		const char *lists[] = { "status.initContainerStatuses", "status.containerStatuses" };

		if (strcmp(phase, "Running") && strcmp(phase, "Pending"))
			continue;
		for (size_t l = 0; l < 2; l++) {
			const cJSON *cs;

			cJSON_ArrayForEach(cs, json_get(c->pods[i].obj, lists[l]))
				restarts += status_int(cs, "restartCount");
		}
	}
	if (c->backoff_limit == 0)
		return restarts > 0;
	return restarts >= c->backoff_limit;
}

static char *fail_job_message(const struct jctx *c)
{
	if (!c->pfp_rules)
		return NULL;
	for (size_t i = 0; i < c->n_pods; i++) {
		char *message = NULL;
		bool count;

		if (c->pods[i].failed &&
		    match_pod_failure_policy(c, c->pods[i].obj, &count, &message) == PFP_FAIL_JOB)
			return message;
		free(message);
	}
	return NULL;
}

static void calculate_indexes(struct jctx *c)
{
	index_set_parse_lenient(&c->prev_succeeded_indexes,
				json_get_string(c->status, "completedIndexes"), c->completions);
	index_set_union(&c->succeeded_indexes, &c->prev_succeeded_indexes);
	for (size_t i = 0; i < c->n_pods; i++) {
		const struct jpod *p = &c->pods[i];

		if (p->succeeded && p->valid_index && p->has_finalizer)
			index_set_add(&c->succeeded_indexes, p->index);
	}
	if (!c->per_index)
		return;
	index_set_parse_lenient(&c->failed_indexes, json_get_string(c->status, "failedIndexes"),
				c->completions);
	for (size_t i = 0; i < c->n_pods; i++) {
		const struct jpod *p = &c->pods[i];

		if (p->valid_index && p->has_finalizer && is_index_failed(c, p))
			index_set_add(&c->failed_indexes, p->index);
	}
}

static int64_t absolute_failure_count(const cJSON *pod)
{
	return pod_int_annotation(pod, JOB_INDEX_FAILURE_COUNT_KEY) +
	       pod_int_annotation(pod, JOB_INDEX_IGNORED_FAILURE_COUNT_KEY);
}

/* getPodsWithDelayedDeletionPerIndex(). */
static void find_delayed_deletions(struct jctx *c)
{
	struct index_set active = INDEX_SET_INIT;

	c->delayed = xcalloc((size_t)(c->completions > 0 ? c->completions : 1), sizeof(*c->delayed));
	for (size_t i = 0; i < c->n_pods; i++)
		if (c->pods[i].active && c->pods[i].index >= 0)
			index_set_add(&active, c->pods[i].index);
	for (size_t i = 0; i < c->n_pods; i++) {
		struct jpod *p = &c->pods[i];
		struct jpod *last;

		if (!p->has_finalizer || !p->valid_index || !p->failed)
			continue;
		if (index_set_contains(&c->succeeded_indexes, p->index) ||
		    index_set_contains(&c->failed_indexes, p->index) ||
		    index_set_contains(&active, p->index))
			continue;
		last = c->delayed[p->index];
		if (!last || (absolute_failure_count(last->obj) <= absolute_failure_count(p->obj) &&
			      p->finished_ms >= last->finished_ms))
			c->delayed[p->index] = p;
	}
	index_set_release(&active);
}

/* matchSuccessPolicy(). */
static bool match_success_policy(const struct jctx *c, char **ret_message)
{
	const cJSON *rule;
	int index = 0;

	if (!c->succeeded_indexes.len)
		return false;
	cJSON_ArrayForEach(rule, json_get(c->job, "spec.successPolicy.rules")) {
		const char *indexes = json_get_string(rule, "succeededIndexes");
		int64_t count = 0;
		bool has_count = json_get_int64(rule, "succeededCount", &count);
		bool met = false;

		if (indexes) {
			struct index_set required = INDEX_SET_INIT;
			int64_t contained = 0;

			index_set_parse_lenient(&required, indexes, c->completions);
			for (size_t i = 0; i < required.len; i++)
				for (int64_t ix = required.items[i].first; ix <= required.items[i].last; ix++)
					contained += index_set_contains(&c->succeeded_indexes, ix);
			met = required.len &&
			      (contained == index_set_count(&required) || (has_count && contained >= count));
			index_set_release(&required);
		} else if (has_count) {
			met = index_set_count(&c->succeeded_indexes) >= count;
		}
		if (met) {
			*ret_message = xasprintf("Matched rules at index %d", index);
			return true;
		}
		index++;
	}
	return false;
}

/* ---------- manageJob ---------- */

static int phase_ordinal(const cJSON *pod)
{
	const char *phase = pod_phase(pod);

	if (!strcmp(phase, "Pending"))
		return 0;
	if (!strcmp(phase, "Unknown"))
		return 1;
	return 2;
}

static int64_t max_restarts(const cJSON *pod)
{
	const cJSON *cs;
	int64_t most = 0;

	cJSON_ArrayForEach(cs, json_get(pod, "status.containerStatuses"))
		if (status_int(cs, "restartCount") > most)
			most = status_int(cs, "restartCount");
	return most;
}

/* controller.ActivePods: the pods to give up first sort first. */
static int compare_active_pods(const void *a, const void *b)
{
	const struct jpod *x = *(struct jpod *const *)a, *y = *(struct jpod *const *)b;
	const char *nx = json_get_string(x->obj, "spec.nodeName");
	const char *ny = json_get_string(y->obj, "spec.nodeName");
	bool ax = !str_is_empty(nx), ay = !str_is_empty(ny);
	int64_t tx, ty;

	if (ax != ay)
		return ax ? 1 : -1;
	if (phase_ordinal(x->obj) != phase_ordinal(y->obj))
		return phase_ordinal(x->obj) - phase_ordinal(y->obj);
	if (x->ready != y->ready)
		return x->ready ? 1 : -1;
	if (max_restarts(x->obj) != max_restarts(y->obj))
		return max_restarts(x->obj) > max_restarts(y->obj) ? -1 : 1;
	tx = k8s_time_at(x->obj, "metadata.creationTimestamp");
	ty = k8s_time_at(y->obj, "metadata.creationTimestamp");
	if (tx != ty)
		return tx > ty ? -1 : 1; /* newer first */
	return strcmp(x->name, y->name);
}

static int compare_index(const void *a, const void *b)
{
	const struct jpod *x = *(struct jpod *const *)a, *y = *(struct jpod *const *)b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return compare_active_pods(a, b);
}

/* activePodsForRemoval(): duplicated or invalid indexes first, then the
 * least advanced pods. Appends names to out->deletes; returns how many
 * of them were ready. */
static int64_t choose_pods_to_remove(struct jctx *c, struct jpod **active, size_t n_active,
				     int64_t at_least)
{
	struct jpod **left = xcalloc(n_active ? n_active : 1, sizeof(*left));
	size_t n_left = 0, n_rm = 0;
	int64_t ready = 0;

	if (c->indexed) {
		qsort(active, n_active, sizeof(*active), compare_index);
		for (size_t i = 0; i < n_active; i++) {
			bool keep = active[i]->valid_index &&
				    (i + 1 == n_active || active[i + 1]->index != active[i]->index);

			/* Of pods sharing an index the last (most advanced) stays. */
			if (keep) {
				left[n_left++] = active[i];
			} else {
				strv_push(&c->out->deletes, active[i]->name);
				ready += active[i]->ready;
				n_rm++;
			}
		}
	} else {
		memcpy(left, active, n_active * sizeof(*left));
		n_left = n_active;
	}
	if ((int64_t)n_rm < at_least) {
		qsort(left, n_left, sizeof(*left), compare_active_pods);
		for (size_t i = 0; i < n_left && (int64_t)n_rm < at_least; i++, n_rm++) {
			strv_push(&c->out->deletes, left[i]->name);
			ready += left[i]->ready;
		}
	}
	free(left);
	return ready;
}

static void add_index_env(cJSON *containers)
{
	cJSON *container;

	cJSON_ArrayForEach(container, containers) {
		cJSON *env = cJSON_GetObjectItemCaseSensitive(container, "env"), *item, *var;
		bool present = false;

		cJSON_ArrayForEach(item, env)
			present |= str_eq(json_get_string(item, "name"), "JOB_COMPLETION_INDEX");
		if (present)
			continue;
		if (!cJSON_IsArray(env)) {
			env = cJSON_CreateArray();
			json_set(container, "env", env);
		}
		var = cJSON_CreateObject();
		cJSON_AddStringToObject(var, "name", "JOB_COMPLETION_INDEX");
		json_set_string(json_ensure_object(var, "valueFrom.fieldRef"), "fieldPath",
				"metadata.labels['" JOB_COMPLETION_INDEX_KEY "']");
		cJSON_AddItemToArray(env, var);
	}
}

/* A pod from the Job's template, as the controller creates it. */
static cJSON *new_pod(struct jctx *c, int64_t index)
{
	const cJSON *tmpl = json_get(c->job, "spec.template");
	cJSON *pod = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(pod, "metadata");
	const cJSON *spec = json_get(tmpl, "spec");
	const char *keys[] = { "labels", "annotations", "finalizers" };
	char generate[128];

	cJSON_AddStringToObject(pod, "apiVersion", "v1");
	cJSON_AddStringToObject(pod, "kind", "Pod");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *v = json_get(tmpl, "metadata") ?
					 cJSON_GetObjectItemCaseSensitive(json_get(tmpl, "metadata"), keys[i]) : NULL;

		if (v)
			json_set(meta, keys[i], cJSON_Duplicate(v, true));
	}
	json_set(pod, "spec", spec ? cJSON_Duplicate(spec, true) : cJSON_CreateObject());
	cJSON_AddStringToObject(meta, "namespace", c->ns);
	/* The API server puts these labels on the template; a Job created
	 * without them (a manual selector) still gets its pods labelled. */
	if (!k8s_label(pod, "batch.kubernetes.io/controller-uid"))
		k8s_set_label(pod, "batch.kubernetes.io/controller-uid", c->uid);
	if (!k8s_label(pod, "batch.kubernetes.io/job-name"))
		k8s_set_label(pod, "batch.kubernetes.io/job-name", c->name);
	if (!k8s_label(pod, "controller-uid"))
		k8s_set_label(pod, "controller-uid", c->uid);
	if (!k8s_label(pod, "job-name"))
		k8s_set_label(pod, "job-name", c->name);
	k8s_add_finalizer(pod, JOB_TRACKING_FINALIZER);
	k8s_add_controller_ref(pod, "batch/v1", "Job", c->name, c->uid);
	if (index < 0) {
		snprintf(generate, sizeof(generate), "%.*s-", GENERATED_NAME_MAX - 1, c->name);
	} else {
		char ix[32], suffix[40];
		cJSON *pod_spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");
		struct jpod *replaced = c->per_index ? c->delayed[index] : NULL;

		snprintf(ix, sizeof(ix), "%" PRId64, index);
		snprintf(suffix, sizeof(suffix), "-%s-", ix);
		/* podGenerateNameWithIndex(): the name is cut, never the index. */
		snprintf(generate, sizeof(generate), "%.*s%s",
			 (int)(GENERATED_NAME_MAX - strlen(suffix)), c->name, suffix);
		k8s_set_annotation(pod, JOB_COMPLETION_INDEX_KEY, ix);
		k8s_set_label(pod, JOB_COMPLETION_INDEX_KEY, ix);
		{
			_cleanup_free_ char *hostname = xasprintf("%s-%s", c->name, ix);

			json_set_string(pod_spec, "hostname", hostname);
		}
		add_index_env(cJSON_GetObjectItemCaseSensitive(pod_spec, "initContainers"));
		add_index_env(cJSON_GetObjectItemCaseSensitive(pod_spec, "containers"));
		if (c->per_index) {
			/* getNewIndexFailureCounts(): hand on the replaced pod's counts. */
			int64_t failures = 0, ignored = 0;
			char text[32];

			if (replaced) {
				failures = pod_int_annotation(replaced->obj, JOB_INDEX_FAILURE_COUNT_KEY);
				ignored = pod_int_annotation(replaced->obj,
							     JOB_INDEX_IGNORED_FAILURE_COUNT_KEY);
				if (count_failure(c, replaced))
					failures++;
				else
					ignored++;
			}
			snprintf(text, sizeof(text), "%" PRId64, failures);
			k8s_set_annotation(pod, JOB_INDEX_FAILURE_COUNT_KEY, text);
			if (ignored) {
				snprintf(text, sizeof(text), "%" PRId64, ignored);
				k8s_set_annotation(pod, JOB_INDEX_IGNORED_FAILURE_COUNT_KEY, text);
			}
		}
	}
	json_set_string(meta, "generateName", generate);
	return pod;
}

static void add_create(struct jctx *c, cJSON *pod)
{
	struct job_sync_result *r = c->out;

	r->creates = xreallocarray(r->creates, r->n_creates + 1, sizeof(*r->creates));
	r->creates[r->n_creates++] = pod;
}

/* firstPendingIndexes(). */
static void first_pending_indexes(struct jctx *c, int64_t count, struct index_set *ret)
{
	struct index_set busy = INDEX_SET_INIT;
	int64_t found = 0;

	index_set_union(&busy, &c->succeeded_indexes);
	index_set_union(&busy, &c->failed_indexes);
	for (size_t i = 0; i < c->n_pods; i++) {
		const struct jpod *p = &c->pods[i];

		if (p->index >= 0 && (p->active || (c->only_replace_failed && p->terminating)))
			index_set_add(&busy, p->index);
	}
	for (int64_t ix = 0; ix < c->completions && found < count; ix++) {
		if (!index_set_contains(&busy, ix)) {
			index_set_add(ret, ix);
			found++;
		}
	}
	index_set_release(&busy);
}

/* manageJob(): starts or stops pods to reach the wanted parallelism. */
static void manage_job(struct jctx *c, const struct job_backoff *backoff)
{
	struct jpod **active = xcalloc(c->n_pods ? c->n_pods : 1, sizeof(*active));
	size_t n_active = 0;
	int64_t want, diff, removed_ready, terminating_for_diff;

	for (size_t i = 0; i < c->n_pods; i++)
		if (c->pods[i].active)
			active[n_active++] = &c->pods[i];
	if (c->suspended) {
		removed_ready = choose_pods_to_remove(c, active, n_active, (int64_t)n_active);
		c->out->remove_finalizer_first = true;
		c->active -= (int64_t)c->out->deletes.len;
		c->terminating += (int64_t)c->out->deletes.len;
		c->ready -= removed_ready;
		free(active);
		return;
	}
	if (!c->has_completions) {
		want = c->succeeded > 0 ? c->active : c->parallelism;
	} else {
		want = c->completions - c->succeeded;
		if (want > c->parallelism)
			want = c->parallelism;
		if (want < 0)
			want = 0;
	}
	removed_ready = choose_pods_to_remove(c, active, n_active,
					      c->active > want ? c->active - want : 0);
	free(active);
	if (c->out->deletes.len) {
		while ((int64_t)c->out->deletes.len > c->config->max_pods_per_sync) {
			free(c->out->deletes.items[--c->out->deletes.len]);
			c->out->deletes.items[c->out->deletes.len] = NULL;
		}
		c->out->remove_finalizer_first = true;
		c->active -= (int64_t)c->out->deletes.len;
		c->terminating += (int64_t)c->out->deletes.len;
		c->ready -= removed_ready;
		return;
	}
	terminating_for_diff = c->only_replace_failed ? c->terminating : 0;
	diff = want - terminating_for_diff - c->active;
	if (diff <= 0)
		return;
	if (!c->per_index) {
		int64_t remaining = backoff_remaining(c, backoff->failures_after_last_success,
						      backoff->last_failure_ms);

		if (remaining > 0) {
			requeue_after(c, remaining);
			return;
		}
	}
	if (diff > c->config->max_pods_per_sync)
		diff = c->config->max_pods_per_sync;
	if (!c->indexed) {
		for (int64_t i = 0; i < diff; i++)
			add_create(c, new_pod(c, -1));
		c->active += diff;
		return;
	}
	{
		struct index_set pending = INDEX_SET_INIT;
		int64_t soonest = -1;
		size_t created = 0;

		first_pending_indexes(c, diff, &pending);
		for (size_t i = 0; i < pending.len; i++) {
			for (int64_t ix = pending.items[i].first; ix <= pending.items[i].last; ix++) {
				int64_t remaining = 0;

				if (c->per_index && c->delayed[ix])
					remaining = backoff_remaining(
						c, absolute_failure_count(c->delayed[ix]->obj) + 1,
						c->delayed[ix]->finished_ms);
				if (remaining > 0) {
					if (soonest < 0 || remaining < soonest)
						soonest = remaining;
					continue;
				}
				add_create(c, new_pod(c, ix));
				created++;
			}
		}
		/* getPodCreationInfoForIndependentIndexes(): when no index may
		 * start yet, come back when the first one may. */
		if (!created && soonest > 0)
			requeue_after(c, soonest);
		c->active += (int64_t)created;
		index_set_release(&pending);
	}
}

/* ---------- trackJobStatusAndRemoveFinalizers ---------- */

static bool can_remove_finalizer(const struct jctx *c, const struct jpod *p)
{
	if (c->deleting || c->finished.type || p->succeeded)
		return true;
	if (!p->failed)
		return false;
	if (c->per_index && p->index >= 0 && p->index < c->completions &&
	    c->delayed[p->index] == p)
		return false; /* kept until its replacement carries its failure count */
	return true;
}

/* cleanUncountedPodsWithoutFinalizers(): uids whose pod no longer has the
 * finalizer (or is gone) move into the counters. */
static bool clean_uncounted(struct jctx *c, const struct strv *with_finalizer)
{
	bool changed = false;

	for (size_t i = 0; i < c->uncounted_succeeded.len;) {
		if (strv_contains(with_finalizer, c->uncounted_succeeded.items[i])) {
			i++;
			continue;
		}
		strv_remove_at(&c->uncounted_succeeded, i);
		set_count(c->status, "succeeded", status_int(c->status, "succeeded") + 1);
		changed = true;
	}
	for (size_t i = 0; i < c->uncounted_failed.len;) {
		if (strv_contains(with_finalizer, c->uncounted_failed.items[i])) {
			i++;
			continue;
		}
		strv_remove_at(&c->uncounted_failed, i);
		set_count(c->status, "failed", status_int(c->status, "failed") + 1);
		changed = true;
	}
	return changed;
}

static void write_uncounted(struct jctx *c)
{
	cJSON *u = cJSON_CreateObject();

	if (c->uncounted_succeeded.len)
		json_set(u, "succeeded", strv_to_json(&c->uncounted_succeeded));
	if (c->uncounted_failed.len)
		json_set(u, "failed", strv_to_json(&c->uncounted_failed));
	json_set(c->status, "uncountedTerminatedPods", u);
}

static void write_indexes(struct jctx *c, const struct index_set *new_succeeded)
{
	_cleanup_free_ char *completed = NULL;

	index_set_union(&c->succeeded_indexes, new_succeeded);
	completed = format_indexes(&c->succeeded_indexes);
	set_count(c->status, "succeeded", index_set_count(&c->succeeded_indexes));
	if (*completed)
		json_set_string(c->status, "completedIndexes", completed);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(c->status, "completedIndexes");
	if (c->per_index) {
		_cleanup_free_ char *failed = format_indexes(&c->failed_indexes);

		json_set_string(c->status, "failedIndexes", failed);
	}
}

static void track_status(struct jctx *c, bool needs_flush)
{
	struct strv with_finalizer = STRV_INIT;
	struct index_set new_succeeded = INDEX_SET_INIT;
	bool reached_max = false;
	char now[RFC3339_MAX];

	time_format_rfc3339((time_t)(c->now_ms / 1000), now);
	for (size_t i = 0; i < c->n_pods; i++)
		if (c->pods[i].has_finalizer)
			strv_push(&with_finalizer, c->pods[i].uid);
	needs_flush |= clean_uncounted(c, &with_finalizer);
	for (size_t i = 0; i < c->n_pods; i++) {
		struct jpod *p = &c->pods[i];

		if (!p->has_finalizer || !can_remove_finalizer(c, p))
			continue;
		strv_push(&c->out->finalizer_removals, p->name);
		if (p->succeeded && !strv_contains(&c->uncounted_failed, p->uid)) {
			if (c->indexed) {
				if (p->valid_index && !index_set_contains(&c->prev_succeeded_indexes, p->index)) {
					index_set_add(&new_succeeded, p->index);
					needs_flush = true;
				}
			} else if (!strv_contains(&c->uncounted_succeeded, p->uid)) {
				strv_push(&c->uncounted_succeeded, p->uid);
				needs_flush = true;
			}
		} else if (p->failed || (c->finished.type && strcmp(c->finished.type, "SuccessCriteriaMet"))) {
			/* When the Job is finishing, every pod not succeeded failed. */
			if (!strv_contains(&c->uncounted_failed, p->uid) && p->valid_index &&
			    count_failure(c, p)) {
				strv_push(&c->uncounted_failed, p->uid);
				needs_flush = true;
			}
		}
		if ((int64_t)(index_set_count(&new_succeeded) + (int64_t)c->uncounted_succeeded.len +
			      (int64_t)c->uncounted_failed.len) >= MAX_UNCOUNTED_PODS) {
			reached_max = true;
			break;
		}
	}
	if (c->indexed) {
		_cleanup_free_ char *before = xstrdup(json_get_string(c->status, "completedIndexes") ?: "");
		_cleanup_free_ char *failed_before =
			json_get_string(c->status, "failedIndexes") ? xstrdup(json_get_string(c->status, "failedIndexes")) : NULL;

		write_indexes(c, &new_succeeded);
		needs_flush |= !str_eq(before, json_get_string(c->status, "completedIndexes") ?: "");
		needs_flush |= !str_eq(failed_before, json_get_string(c->status, "failedIndexes"));
	}
	if (c->finished.type && !strcmp(c->finished.type, "FailureTarget")) {
		k8s_set_condition(c->status, "conditions", "FailureTarget", "True", c->finished.reason,
				  c->finished.message, true, true);
		needs_flush = true;
		c->finished.type = "Failed";
	} else if (c->finished.type && !strcmp(c->finished.type, "SuccessCriteriaMet")) {
		if (!k8s_condition_true(c->status, "conditions", "SuccessCriteriaMet")) {
			k8s_set_condition(c->status, "conditions", "SuccessCriteriaMet", "True",
					  c->finished.reason, c->finished.message, true, true);
			needs_flush = true;
		}
		c->finished.type = "Complete";
	}
	write_uncounted(c);
	if (needs_flush)
		c->out->status_interim = cJSON_Duplicate(c->status, true);

	/* As if every finalizer removal succeeded: jobcontroller.c writes
	 * status_final only when they all did. */
	for (size_t i = 0; i < c->out->finalizer_removals.len; i++) {
		for (size_t j = 0; j < c->n_pods; j++) {
			long at;

			if (strcmp(c->pods[j].name, c->out->finalizer_removals.items[i]))
				continue;
			at = strv_find(&with_finalizer, c->pods[j].uid);
			if (at >= 0)
				strv_remove_at(&with_finalizer, (size_t)at);
		}
	}
	if (clean_uncounted(c, &with_finalizer))
		write_uncounted(c);

	/* enactJobFinished(): only once nothing is uncounted or terminating. */
	if (!reached_max && c->finished.type && !c->uncounted_succeeded.len &&
	    !c->uncounted_failed.len && c->terminating == 0) {
		k8s_set_condition(c->status, "conditions", c->finished.type, "True", c->finished.reason,
				  c->finished.message, true, false);
		if (!strcmp(c->finished.type, "Complete")) {
			json_set_string(c->status, "completionTime", now);
			if (c->has_completions && status_int(c->status, "succeeded") > c->completions)
				add_event(c, "Warning", "TooManySucceededPods",
					  "Too many succeeded pods running after completion count reached");
			add_event(c, "Normal", "Completed", "Job completed");
		} else {
			add_event(c, "Warning", c->finished.reason, "%s", c->finished.message);
		}
		c->out->finishes = true;
	}
	strv_release(&with_finalizer);
	index_set_release(&new_succeeded);
}

/* ---------- syncJob ---------- */

int job_sync(const cJSON *job, const cJSON *const *pods, size_t n_pods, int64_t now_ms,
	     const struct job_backoff *backoff, const struct job_sync_config *config,
	     struct job_sync_result *ret, struct error *err)
{
	struct jctx c = { .now_ms = now_ms, .config = config, .out = ret };
	const cJSON *status = json_get(job, "status");
	char now[RFC3339_MAX];
	bool needs_update = false;
	int64_t old_active, old_ready = -1, old_terminating = -1;
	int rc = -1;

	*ret = (struct job_sync_result){ .requeue_after_ms = -1, .new_backoff = *backoff };
	if (read_job(&c, job, err) < 0)
		return -1;
	time_format_rfc3339((time_t)(now_ms / 1000), now);
	c.status = status ? cJSON_Duplicate(status, true) : cJSON_CreateObject();
	if (job_is_finished(job)) {
		rc = 0;
		goto out;
	}
	uid_list_to_strv(json_get(c.status, "uncountedTerminatedPods.succeeded"), &c.uncounted_succeeded);
	uid_list_to_strv(json_get(c.status, "uncountedTerminatedPods.failed"), &c.uncounted_failed);
	read_pods(&c, pods, n_pods);
	for (size_t i = 0; i < c.n_pods; i++) {
		c.active += c.pods[i].active;
		c.terminating += c.pods[i].terminating;
		c.ready += c.pods[i].active && c.pods[i].ready;
	}
	old_active = status_int(c.status, "active");
	json_get_int64(c.status, "ready", &old_ready);
	json_get_int64(c.status, "terminating", &old_terminating);
	{
		int64_t new_succeeded = 0, new_failed = 0;

		for (size_t i = 0; i < c.n_pods; i++) {
			new_succeeded += is_new_finished(&c, &c.pods[i], true);
			new_failed += is_new_finished(&c, &c.pods[i], false) &&
				      count_failure(&c, &c.pods[i]);
		}
		c.succeeded = status_int(c.status, "succeeded") + new_succeeded +
			      (int64_t)c.uncounted_succeeded.len;
		c.failed = status_int(c.status, "failed") + new_failed + (int64_t)c.uncounted_failed.len;
	}
	if (!json_get_string(c.status, "startTime") && !c.suspended) {
		json_set_string(c.status, "startTime", now);
		needs_update = true;
	}
	ret->new_backoff = new_backoff_record(&c, backoff);

	if (k8s_condition_true(c.status, "conditions", "SuccessCriteriaMet")) {
		const cJSON *scm = k8s_condition(c.status, "conditions", "SuccessCriteriaMet");

		set_finish(&c, "SuccessCriteriaMet", json_get_string(scm, "reason"),
			   json_get_string(scm, "message"));
	} else if (k8s_condition_true(c.status, "conditions", "FailureTarget")) {
		const cJSON *ft = k8s_condition(c.status, "conditions", "FailureTarget");

		/* newFailedConditionForFailureTarget() */
		set_finish(&c, "Failed", json_get_string(ft, "reason"), json_get_string(ft, "message"));
	} else {
		_cleanup_free_ char *message = fail_job_message(&c);

		if (message)
			set_finish(&c, "FailureTarget", "PodFailurePolicy", message);
	}
	if (!c.finished.type) {
		int64_t deadline = 0;
		int64_t start = k8s_time_at(c.status, "startTime");
		bool has_deadline = json_get_int64(job, "spec.activeDeadlineSeconds", &deadline);

		if (c.failed > c.backoff_limit || past_backoff_limit_on_failure(&c)) {
			set_finish(&c, "FailureTarget", "BackoffLimitExceeded",
				   "Job has reached the specified backoff limit");
		} else if (has_deadline && start >= 0 && !c.suspended &&
			   now_ms - start * 1000 >= deadline * 1000) {
			set_finish(&c, "FailureTarget", "DeadlineExceeded",
				   "Job was active longer than specified deadline");
		} else if (has_deadline && start >= 0 && !c.suspended) {
			requeue_after(&c, start * 1000 + deadline * 1000 - now_ms);
		}
	}
	if (c.indexed) {
		calculate_indexes(&c);
		c.succeeded = index_set_count(&c.succeeded_indexes);
		if (c.per_index) {
			int64_t failed_total = index_set_count(&c.failed_indexes);

			if (!c.finished.type) {
				if (c.has_max_failed && failed_total > c.max_failed_indexes)
					set_finish(&c, "FailureTarget", "MaxFailedIndexesExceeded",
						   "Job has exceeded the specified maximal number of failed indexes");
				else if (failed_total > 0 && failed_total + c.succeeded >= c.completions)
					set_finish(&c, "FailureTarget", "FailedIndexes",
						   "Job has failed indexes");
			}
			find_delayed_deletions(&c);
		}
		if (!c.finished.type) {
			_cleanup_free_ char *message = NULL;

			if (match_success_policy(&c, &message))
				set_finish(&c, "SuccessCriteriaMet", "SuccessPolicy", message);
		}
	}

	if (c.finished.type) {
		/* deleteActivePods(): stop what still runs; finalizers stay so the
		 * pods are counted as failed once gone. */
		for (size_t i = 0; i < c.n_pods; i++) {
			if (!c.pods[i].active)
				continue;
			strv_push(&ret->deletes, c.pods[i].name);
			c.active--;
			c.terminating++;
			c.ready -= c.pods[i].ready;
		}
	} else {
		bool managed = false;
		bool complete;

		if (!c.deleting) {
			manage_job(&c, &ret->new_backoff);
			managed = true;
		}
		complete = c.has_completions ? c.succeeded >= c.completions && c.active == 0
					     : c.succeeded > 0 && c.active == 0;
		if (complete) {
			set_finish(&c, "SuccessCriteriaMet", "CompletionsReached",
				   "Reached expected number of succeeded pods");
		} else if (managed && c.suspended) {
			if (k8s_set_condition(c.status, "conditions", "Suspended", "True", "JobSuspended",
					      "Job suspended", true, true)) {
				needs_update = true;
				add_event(&c, "Normal", "Suspended", "Job suspended");
			}
		} else if (managed) {
			if (k8s_set_condition(c.status, "conditions", "Suspended", "False", "JobResumed",
					      "Job resumed", true, true)) {
				needs_update = true;
				add_event(&c, "Normal", "Resumed", "Job resumed");
				/* activeDeadlineSeconds counts continuous activity. */
				json_set_string(c.status, "startTime", now);
			}
		}
	}
	needs_update |= c.active != old_active || c.ready != old_ready ||
			c.terminating != old_terminating;
	set_count(c.status, "active", c.active);
	json_set_int64(c.status, "ready", c.ready);
	json_set_int64(c.status, "terminating", c.terminating);
	track_status(&c, needs_update);
	rc = 0;
out:
	if (rc == 0) {
		bool changed = status ? !cJSON_Compare(c.status, status, true) : c.status->child != NULL;

		if (changed || ret->finishes)
			ret->status_final = TAKE_PTR(c.status);
		/* Without finalizers to remove, the interim write adds nothing. */
		if (ret->status_interim && !ret->finalizer_removals.len) {
			cJSON_Delete(ret->status_interim);
			ret->status_interim = NULL;
		}
	}
	cJSON_Delete(c.status);
	free(c.pods);
	free(c.delayed);
	free(c.finished.message);
	strv_release(&c.uncounted_succeeded);
	strv_release(&c.uncounted_failed);
	index_set_release(&c.prev_succeeded_indexes);
	index_set_release(&c.succeeded_indexes);
	index_set_release(&c.failed_indexes);
	if (rc < 0)
		job_sync_result_release(ret);
	return rc;
}

void job_sync_result_release(struct job_sync_result *r)
{
	for (size_t i = 0; i < r->n_creates; i++)
		cJSON_Delete(r->creates[i]);
	free(r->creates);
	strv_release(&r->deletes);
	strv_release(&r->finalizer_removals);
	cJSON_Delete(r->status_interim);
	cJSON_Delete(r->status_final);
	k8s_events_free(r->events, r->n_events);
	*r = (struct job_sync_result){ .requeue_after_ms = -1 };
}

bool job_is_finished(const cJSON *job)
{
	return k8s_condition_true(job, "status.conditions", "Complete") ||
	       k8s_condition_true(job, "status.conditions", "Failed");
}

int64_t job_ttl_expiry(const cJSON *job)
{
	int64_t ttl, finished = -1;
	const cJSON *cond;

	if (!json_get_int64(job, "spec.ttlSecondsAfterFinished", &ttl) || !job_is_finished(job))
		return -1;
	/* The TTL controller's jobFinishTime(): the terminal condition's
	 * lastTransitionTime. */
	cJSON_ArrayForEach(cond, json_get(job, "status.conditions")) {
		const char *type = json_get_string(cond, "type");

		if ((str_eq(type, "Complete") || str_eq(type, "Failed")) &&
		    str_eq(json_get_string(cond, "status"), "True"))
			finished = k8s_time_at(cond, "lastTransitionTime");
	}
	if (finished < 0)
		return -1;
	return finished + ttl;
}
