/* status.c — job and group states from Jobs, JobSets, pods and Events. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "indexset.h"
#include "jsonutil.h"
#include "labels.h"
#include "manifest.h"
#include "result.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

static const char *const state_names[] = { "PENDING", "RUNNING", "SUCCEEDED", "FAILED",
					    "NOT_FOUND" };

const char *job_state_name(enum job_state state)
{
	return (unsigned)state < JOB_STATE_COUNT ? state_names[state] : "UNKNOWN";
}

const char *status_reason_name(enum status_reason reason)
{
	switch (reason) {
	case REASON_NONE:
		return "";
	case REASON_QUEUED:
		return "Queued";
	case REASON_STARTING:
		return "Starting";
	case REASON_NOT_STARTED:
		return "NotStarted";
	case REASON_UNSCHEDULABLE:
		return "Unschedulable";
	case REASON_IMAGE_PULL:
		return "ImagePull";
	case REASON_CONFIG_ERROR:
		return "ContainerConfigError";
	case REASON_CRASH_LOOP:
		return "CrashLoopBackOff";
	case REASON_RESTARTING:
		return "Restarting";
	case REASON_ERROR:
		return "Error";
	case REASON_OOM_KILLED:
		return "OOMKilled";
	case REASON_EVICTED:
		return "Evicted";
	case REASON_DEADLINE_EXCEEDED:
		return "DeadlineExceeded";
	case REASON_BACKOFF_LIMIT_EXCEEDED:
		return "BackoffLimitExceeded";
	case REASON_CANCELLED:
		return "Cancelled";
	case REASON_SKIPPED:
		return "Skipped";
	}
	return "";
}

void job_status_init(struct job_status *status)
{
	memset(status, 0, sizeof(*status));
}

void job_status_release(struct job_status *status)
{
	for (size_t i = 0; i < status->n_indexes; i++)
		free(status->indexes[i].message);
	free(status->indexes);
	job_status_init(status);
}

/* --- reading objects ------------------------------------------------------- */

static const cJSON *items_of(const cJSON *list)
{
	if (cJSON_IsArray(list))
		return list;
	return cJSON_IsArray(json_get(list, "items")) ? json_get(list, "items") : NULL;
}

static const cJSON *true_condition(const cJSON *obj, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(obj, "status.conditions"))
		if (str_eq(json_get_string(c, "type"), type) &&
		    str_eq(json_get_string(c, "status"), "True"))
			return c;
	return NULL;
}

static const cJSON *false_condition(const cJSON *obj, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(obj, "status.conditions"))
		if (str_eq(json_get_string(c, "type"), type) &&
		    str_eq(json_get_string(c, "status"), "False"))
			return c;
	return NULL;
}

static long int_text(const char *s, long fallback)
{
	int64_t v;

	return s && str_to_int64(s, &v) == 0 && v >= 0 && v < STATUS_MAX_INDEXES ? (long)v
										   : fallback;
}

static long pod_index(const cJSON *pod)
{
	const char *s = json_get_child_string(json_get(pod, "metadata.labels"), K8S_COMPLETION_INDEX);

	if (!s)
		s = json_get_child_string(json_get(pod, "metadata.annotations"), K8S_COMPLETION_INDEX);
	return int_text(s, s ? -1 : 0);
}

static long pod_attempt(const cJSON *pod, bool jobset)
{
	const char *s = jobset ? json_get_child_string(json_get(pod, "metadata.labels"),
						       JOBSET_RESTART_ATTEMPT_LABEL)
			       : json_get_child_string(json_get(pod, "metadata.annotations"),
						       K8S_INDEX_FAILURE_COUNT);

	return int_text(s, 0);
}

static time_t timestamp(const cJSON *obj, const char *path)
{
	const char *s = json_get_string(obj, path);
	time_t t = 0;

	if (s)
		time_parse_rfc3339(s, &t);
	return t;
}

/* The task container's status (by name), else the first. */
static const cJSON *container_status(const cJSON *pod)
{
	const cJSON *statuses = json_get(pod, "status.containerStatuses"), *c;

	cJSON_ArrayForEach(c, statuses)
		if (str_eq(json_get_string(c, "name"), MANIFEST_CONTAINER_NAME))
			return c;
	return cJSON_IsArray(statuses) ? statuses->child : NULL;
}

/* The message of the newest Event about a pod with `reason`. */
static const char *latest_event(const cJSON *events, const cJSON *pod, const char *reason)
{
	const char *name = json_get_string(pod, "metadata.name");
	const char *best = NULL;
	time_t best_time = 0;
	const cJSON *e;

	if (!name)
		return NULL;
	cJSON_ArrayForEach(e, items_of(events)) {
		time_t t;

		if (!str_eq(json_get_string(e, "involvedObject.name"), name) ||
		    !str_eq(json_get_string(e, "reason"), reason))
			continue;
		t = timestamp(e, "lastTimestamp");
		if (!t)
			t = timestamp(e, "eventTime");
		if (!best || t >= best_time) {
			best = json_get_string(e, "message");
			best_time = t;
		}
	}
	return best;
}

/* --- one pod --------------------------------------------------------------- */

struct pod_view {
	enum job_state state;
	enum status_reason reason;
	const char *detail; /* borrowed from the pod or an event; may be NULL */
	int exit_code;
};

static bool is_image_pull(const char *reason)
{
	return str_eq(reason, "ErrImagePull") || str_eq(reason, "ImagePullBackOff") ||
	       str_eq(reason, "InvalidImageName") || str_eq(reason, "ErrImageNeverPull");
}

static void view_failed_pod(const cJSON *pod, const cJSON *cs, struct pod_view *v)
{
	const cJSON *terminated = json_get(cs, "state.terminated");
	int64_t code = -1;

	v->state = JOB_FAILED;
	v->reason = REASON_ERROR;
	if (json_get_int64(terminated, "exitCode", &code))
		v->exit_code = (int)code;
	if (str_eq(json_get_string(pod, "status.reason"), "Evicted") ||
	    true_condition(pod, "DisruptionTarget")) {
		const cJSON *disruption = true_condition(pod, "DisruptionTarget");

		v->reason = REASON_EVICTED;
		v->detail = json_get_string(pod, "status.message");
		if (!v->detail)
			v->detail = json_get_string(disruption, "message");
		return;
	}
	if (str_eq(json_get_string(terminated, "reason"), "OOMKilled")) {
		v->reason = REASON_OOM_KILLED;
		return;
	}
	v->detail = json_get_string(terminated, "message");
}

static void view_pod(const cJSON *pod, const cJSON *events, struct pod_view *v)
{
	const char *phase = json_get_string(pod, "status.phase");
	const cJSON *cs = container_status(pod);
	const char *waiting = json_get_string(cs, "state.waiting.reason");
	const cJSON *unscheduled = false_condition(pod, "PodScheduled");

	memset(v, 0, sizeof(*v));
	v->exit_code = -1;
	if (str_eq(phase, "Succeeded")) {
		v->state = JOB_SUCCEEDED;
		v->exit_code = 0;
		return;
	}
	if (str_eq(phase, "Failed")) {
		view_failed_pod(pod, cs, v);
		return;
	}
	if (is_image_pull(waiting)) {
		v->state = JOB_PENDING;
		v->reason = REASON_IMAGE_PULL;
		v->detail = json_get_string(cs, "state.waiting.message");
		if (!v->detail)
			v->detail = latest_event(events, pod, "Failed");
		return;
	}
	if (str_eq(waiting, "CreateContainerConfigError") || str_eq(waiting, "CreateContainerError") ||
	    str_eq(waiting, "RunContainerError")) {
		v->state = JOB_PENDING;
		v->reason = REASON_CONFIG_ERROR;
		v->detail = json_get_string(cs, "state.waiting.message");
		return;
	}
	if (str_eq(waiting, "CrashLoopBackOff")) {
		int64_t code = -1;

		v->state = JOB_RUNNING;
		v->reason = REASON_CRASH_LOOP;
		v->detail = json_get_string(cs, "state.waiting.message");
		if (json_get_int64(cs, "lastState.terminated.exitCode", &code))
			v->exit_code = (int)code;
		return;
	}
	if (unscheduled && str_eq(json_get_string(unscheduled, "reason"), "Unschedulable")) {
		v->state = JOB_PENDING;
		v->reason = REASON_UNSCHEDULABLE;
		v->detail = json_get_string(unscheduled, "message");
		if (!v->detail || !*v->detail)
			v->detail = latest_event(events, pod, "FailedScheduling");
		return;
	}
	if (str_eq(phase, "Running")) {
		v->state = JOB_RUNNING;
		return;
	}
	v->state = JOB_PENDING;
	v->reason = REASON_STARTING;
	v->detail = waiting;
}

/* --- the workload -------------------------------------------------------------- */

struct slot {
	const cJSON *latest;    /* highest attempt, then newest */
	long latest_attempt;
	const cJSON *failed;    /* newest failed pod of an earlier attempt or the same */
	long failed_attempt;
};

static bool newer(const cJSON *a, long attempt_a, const cJSON *b, long attempt_b)
{
	time_t ta, tb;

	if (attempt_a != attempt_b)
		return attempt_a > attempt_b;
	ta = timestamp(a, "metadata.creationTimestamp");
	tb = timestamp(b, "metadata.creationTimestamp");
	if (ta != tb)
		return ta > tb;
	return strcmp(json_get_string(a, "metadata.name") ? json_get_string(a, "metadata.name") : "",
		      json_get_string(b, "metadata.name") ? json_get_string(b, "metadata.name") : "") >
	       0;
}

static bool pod_belongs(const cJSON *pod, const char *name, bool jobset)
{
	const cJSON *labels = json_get(pod, "metadata.labels");
	const char *owner = jobset ? json_get_child_string(labels, JOBSET_NAME_LABEL)
				   : json_get_child_string(labels, K8S_JOB_NAME_LABEL);

	if (!owner)
		owner = json_get_child_string(labels, jobset ? JOBSET_NAME_LABEL : "job-name");
	return !owner || str_eq(owner, name);
}

static void set_message(struct job_status *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_message(struct job_status *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
	for (char *p = st->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static char *describe_view(const struct pod_view *v)
{
	switch (v->reason) {
	case REASON_OOM_KILLED:
		return xasprintf("OOM-killed (exit code %d): it used more memory than its limit",
				 v->exit_code);
	case REASON_EVICTED:
		return xasprintf("evicted%s%s", v->detail ? ": " : "", v->detail ? v->detail : "");
	case REASON_ERROR:
		return xasprintf("exited with code %d", v->exit_code);
	case REASON_CRASH_LOOP:
		return xasprintf("crash loop (last exit code %d)%s%s", v->exit_code,
				 v->detail ? ": " : "", v->detail ? v->detail : "");
	case REASON_UNSCHEDULABLE:
		return xasprintf("unschedulable: %s",
				 v->detail ? v->detail : "no node can run it (no details yet)");
	case REASON_IMAGE_PULL:
		return xasprintf("image cannot be pulled: %s", v->detail ? v->detail : "no details");
	case REASON_CONFIG_ERROR:
		return xasprintf("container cannot be created: %s",
				 v->detail ? v->detail : "no details");
	case REASON_STARTING:
		return v->detail ? xasprintf("starting (%s)", v->detail) : xstrdup("starting");
	default:
		return v->detail ? xstrdup(v->detail) : NULL;
	}
}

/* Priority of a reason when choosing what to tell about a whole job:
 * what the user must act on first. */
static int reason_rank(enum status_reason r)
{
	switch (r) {
	case REASON_IMAGE_PULL:
		return 10;
	case REASON_CONFIG_ERROR:
		return 9;
	case REASON_CRASH_LOOP:
		return 8;
	case REASON_UNSCHEDULABLE:
		return 7;
	case REASON_OOM_KILLED:
		return 6;
	case REASON_EVICTED:
		return 5;
	case REASON_ERROR:
	case REASON_RESTARTING:
		return 4;
	case REASON_STARTING:
		return 2;
	case REASON_NOT_STARTED:
		return 1;
	default:
		return 0;
	}
}

static bool reason_is_stuck(enum status_reason r)
{
	return r == REASON_IMAGE_PULL || r == REASON_CONFIG_ERROR || r == REASON_CRASH_LOOP;
}

/* "rank 1: ", "input 17: ", "index 2: " or "". */
static void index_label(const cJSON *workload, bool jobset, size_t n, size_t i, char out[48])
{
	const char *kind = json_get_child_string(json_get(workload, "metadata.labels"), LABEL_KIND);
	const char *nodes = json_get_child_string(json_get(workload, "metadata.annotations"),
						  ANNOTATION_NUM_NODES);

	out[0] = '\0';
	if (str_eq(kind, LABEL_KIND_GROUP))
		snprintf(out, 48, "input %zu: ", i);
	else if (jobset || (nodes && strcmp(nodes, "1") != 0))
		snprintf(out, 48, "rank %zu: ", i);
	else if (n > 1)
		snprintf(out, 48, "index %zu: ", i);
}

static int completions_of(const cJSON *workload, bool jobset, size_t *ret, struct error *err)
{
	int64_t n = 1;

	if (jobset) {
		const cJSON *rjob;

		n = 0;
		cJSON_ArrayForEach(rjob, json_get(workload, "spec.replicatedJobs")) {
			int64_t replicas = 1, completions = 1;

			json_get_int64(rjob, "replicas", &replicas);
			json_get_int64(rjob, "template.spec.completions", &completions);
			n += replicas * completions;
		}
	} else {
		json_get_int64(workload, "spec.completions", &n);
	}
	if (n < 1 || n > STATUS_MAX_INDEXES)
		return error_set(err, "'%s' has %lld completions, beyond what status can follow",
				 json_get_string(workload, "metadata.name"), (long long)n);
	*ret = (size_t)n;
	return 0;
}

static void set_nonempty(cJSON *obj, const char *key, const char *value)
{
	if (value && *value)
		json_set_string(obj, key, value);
}

cJSON *job_status_to_json(const cJSON *workload, const char *name, const char *namespace,
			  const struct job_status *st)
{
	cJSON *doc = cJSON_CreateObject(), *meta, *indexes;
	const cJSON *labels = json_get(workload, "metadata.labels");
	const cJSON *annotations = json_get(workload, "metadata.annotations");
	const char *nodes = json_get_child_string(annotations, ANNOTATION_NUM_NODES);
	int64_t num_nodes;

	json_set_string(doc, "apiVersion", "konduktor.io/v1");
	json_set_string(doc, "kind", "JobStatus");
	meta = json_ensure_object(doc, "metadata");
	json_set_string(meta, "name", json_get_string(workload, "metadata.name")
					      ? json_get_string(workload, "metadata.name")
					      : name);
	set_nonempty(meta, "namespace", json_get_string(workload, "metadata.namespace")
						? json_get_string(workload, "metadata.namespace")
						: namespace);
	set_nonempty(meta, "creationTimestamp",
		     json_get_string(workload, "metadata.creationTimestamp"));
	json_set_string(doc, "workloadKind", workload && json_get_string(workload, "kind")
						     ? json_get_string(workload, "kind")
						     : "");
	set_nonempty(doc, "task", json_get_child_string(labels, LABEL_TASK_NAME));
	if (nodes && str_to_int64(nodes, &num_nodes) == 0)
		json_set_int64(doc, "numNodes", num_nodes);
	json_set_string(doc, "state", job_state_name(st->state));
	json_set_string(doc, "reason", status_reason_name(st->reason));
	json_set_string(doc, "message", st->message);
	json_set(doc, "stuck", cJSON_CreateBool(st->stuck));
	json_set_int64(doc, "restarts", st->restarts);
	set_nonempty(doc, "outcome", json_get_child_string(annotations, ANNOTATION_OUTCOME));
	set_nonempty(doc, "cancelledAt", json_get_child_string(annotations, ANNOTATION_CANCELLED_AT));
	indexes = cJSON_CreateArray();
	for (size_t i = 0; i < st->n_indexes; i++) {
		const struct index_status *is = &st->indexes[i];
		cJSON *entry = cJSON_CreateObject();

		json_set_int64(entry, "index", (int64_t)i);
		json_set_string(entry, "state", job_state_name(is->state));
		json_set_string(entry, "reason", status_reason_name(is->reason));
		json_set_int64(entry, "attempts", is->attempts);
		if (is->exit_code >= 0)
			json_set_int64(entry, "exitCode", is->exit_code);
		set_nonempty(entry, "pod", json_get_string(is->pod, "metadata.name"));
		set_nonempty(entry, "message", is->message);
		cJSON_AddItemToArray(indexes, entry);
	}
	json_set(doc, "indexes", indexes);
	return doc;
}

cJSON *status_cancel_patch(const char *when)
{
	cJSON *patch = cJSON_CreateObject();

	json_set_string(json_ensure_object(patch, "metadata.annotations"), ANNOTATION_CANCELLED_AT,
			when);
	json_set(json_ensure_object(patch, "spec"), "suspend", cJSON_CreateTrue());
	return patch;
}

bool status_is_cancelled(const cJSON *workload)
{
	return json_get_child_string(json_get(workload, "metadata.annotations"),
				     ANNOTATION_CANCELLED_AT) != NULL;
}

/* Fills one index from its pods (and, for Jobs, the index sets). */
static void compute_index(struct index_status *is, const struct slot *slot, bool jobset,
			  const struct index_set *completed, const struct index_set *failed,
			  size_t i, bool job_finished, const cJSON *events)
{
	struct pod_view latest, prior;

	is->exit_code = -1;
	is->pod = slot->latest;
	is->attempts = slot->latest ? (int)slot->latest_attempt + 1 : 0;
	if (slot->latest)
		view_pod(slot->latest, events, &latest);
	if (slot->failed)
		view_pod(slot->failed, events, &prior);
	if (index_set_contains(completed, i) || (slot->latest && latest.state == JOB_SUCCEEDED)) {
		is->state = JOB_SUCCEEDED;
		is->exit_code = 0;
		if (!is->attempts)
			is->attempts = 1;
		return;
	}
	if (!slot->latest) {
		is->state = JOB_PENDING;
		is->reason = REASON_NOT_STARTED;
		if (index_set_contains(failed, i)) {
			is->state = JOB_FAILED;
			is->reason = REASON_ERROR;
		}
		return;
	}
	is->exit_code = latest.exit_code;
	if (!jobset && job_finished && !index_set_contains(failed, i) && latest.state != JOB_SUCCEEDED) {
		/* Not a failure of its own: the Job's end stopped it. */
		is->state = JOB_FAILED;
		is->reason = REASON_CANCELLED;
		is->message = xstrdup("stopped when the job failed");
		return;
	}
	if (index_set_contains(failed, i) || (latest.state == JOB_FAILED && (jobset || job_finished))) {
		is->state = JOB_FAILED;
		is->reason = latest.state == JOB_FAILED ? latest.reason : REASON_ERROR;
		if (latest.state == JOB_FAILED && latest.exit_code == RESULT_SKIPPED_EXIT) {
			is->reason = REASON_SKIPPED;
			is->message = xstrdup("skipped: the group stopped after a failure");
			return;
		}
		/* Counted failed while its latest pod has not: the failed pod, if
		 * it is at hand, says why. */
		if (latest.state == JOB_FAILED)
			is->message = describe_view(&latest);
		else if (slot->failed)
			is->message = describe_view(&prior);
		return;
	}
	if (latest.state == JOB_FAILED) {
		/* The Job will start the next attempt. */
		is->state = JOB_PENDING;
		is->reason = latest.reason == REASON_ERROR ? REASON_RESTARTING : latest.reason;
		{
			_cleanup_free_ char *why = describe_view(&latest);

			is->message = xasprintf("attempt %d %s; restarting", is->attempts, why);
		}
		return;
	}
	is->state = latest.state;
	is->reason = latest.reason;
	if (latest.state == JOB_PENDING && latest.reason == REASON_STARTING && slot->failed &&
	    slot->failed != slot->latest) {
		/* A new attempt is starting after a failure: say why. */
		_cleanup_free_ char *why = describe_view(&prior);

		is->reason = prior.reason == REASON_ERROR ? REASON_RESTARTING : prior.reason;
		is->exit_code = prior.exit_code;
		is->message = xasprintf("attempt %ld %s; restarting", slot->failed_attempt + 1, why);
		return;
	}
	is->message = describe_view(&latest);
}

int job_status_compute(const cJSON *workload, const cJSON *pods, const cJSON *events,
		       struct job_status *ret, struct error *err)
{
	struct job_status st;
	const char *kind = json_get_string(workload, "kind");
	const char *name = json_get_string(workload, "metadata.name");
	bool jobset, finished;
	struct index_set completed = INDEX_SET_INIT, failed = INDEX_SET_INIT;
	_cleanup_free_ struct slot *slots = NULL;
	const cJSON *pod, *done, *failure, *suspended;
	int64_t restarts = 0;
	size_t n = 0, worst = 0;
	int worst_rank = -1;
	char label[48];

	job_status_init(&st);
	if (!workload) {
		st.state = JOB_NOT_FOUND;
		set_message(&st, "not found");
		*ret = st;
		return 0;
	}
	if (!str_eq(kind, "Job") && !str_eq(kind, "JobSet"))
		return error_set(err, "'%s' is a %s, not a Job or JobSet", name ? name : "?",
				 kind ? kind : "object of unknown kind");
	jobset = str_eq(kind, "JobSet");
	if (completions_of(workload, jobset, &n, err) < 0)
		return -1;
	if (!jobset) {
		const char *completed_text = json_get_string(workload, "status.completedIndexes");
		const char *failed_text = json_get_string(workload, "status.failedIndexes");

		/* Read as the Job controller reads its own status: tolerant. */
		index_set_parse_lenient(&completed, completed_text ? completed_text : "", (int64_t)n);
		index_set_parse_lenient(&failed, failed_text ? failed_text : "", (int64_t)n);
	} else {
		json_get_int64(workload, "status.restarts", &restarts);
	}
	slots = xcalloc(n, sizeof(*slots));
	cJSON_ArrayForEach(pod, items_of(pods)) {
		long index = pod_index(pod), attempt = pod_attempt(pod, jobset);
		struct slot *s;

		if (index < 0 || (size_t)index >= n || !pod_belongs(pod, name, jobset))
			continue;
		/* Pods of an earlier JobSet attempt are being replaced. */
		if (jobset && attempt < restarts)
			continue;
		s = &slots[index];
		if (!s->latest || newer(pod, attempt, s->latest, s->latest_attempt)) {
			s->latest = pod;
			s->latest_attempt = attempt;
		}
		if (str_eq(json_get_string(pod, "status.phase"), "Failed") &&
		    (!s->failed || newer(pod, attempt, s->failed, s->failed_attempt))) {
			s->failed = pod;
			s->failed_attempt = attempt;
		}
	}

	done = true_condition(workload, jobset ? "Completed" : "Complete");
	failure = true_condition(workload, "Failed");
	if (!failure && !jobset)
		failure = true_condition(workload, "FailureTarget");
	suspended = true_condition(workload, "Suspended");
	finished = done || failure;

	st.n_indexes = n;
	st.indexes = xcalloc(n, sizeof(*st.indexes));
	for (size_t i = 0; i < n; i++) {
		struct index_status *is = &st.indexes[i];

		compute_index(is, &slots[i], jobset, &completed, &failed, i, finished, events);
		if (jobset && is->attempts)
			is->attempts = (int)restarts + 1;
		if (!jobset && is->attempts - 1 > st.restarts)
			st.restarts = is->attempts - 1;
		if (reason_rank(is->reason) > worst_rank) {
			worst_rank = reason_rank(is->reason);
			worst = i;
		}
	}
	if (jobset)
		st.restarts = (int)restarts;

	if (done) {
		st.state = JOB_SUCCEEDED;
	} else if (status_is_cancelled(workload) && !finished) {
		st.state = JOB_FAILED;
		st.reason = REASON_CANCELLED;
		set_message(&st, "cancelled at %s",
			    json_get_child_string(json_get(workload, "metadata.annotations"),
						  ANNOTATION_CANCELLED_AT));
	} else if (failure) {
		const char *why = json_get_string(failure, "reason");
		size_t culprit = n;

		st.state = JOB_FAILED;
		st.reason = REASON_BACKOFF_LIMIT_EXCEEDED;
		/* The failed index whose pods say most about why (for Jobs, one
		 * the controller counted as failed). */
		for (size_t i = 0; i < n; i++) {
			if (st.indexes[i].state != JOB_FAILED || st.indexes[i].reason == REASON_CANCELLED ||
			    st.indexes[i].reason == REASON_SKIPPED)
				continue;
			if (culprit == n ||
			    reason_rank(st.indexes[i].reason) > reason_rank(st.indexes[culprit].reason))
				culprit = i;
		}
		if (str_eq(why, "DeadlineExceeded")) {
			st.reason = REASON_DEADLINE_EXCEEDED;
			set_message(&st, "deadline exceeded: %s",
				    json_get_string(failure, "message") ? json_get_string(failure, "message")
									: "the job ran longer than allowed");
		} else if (culprit < n) {
			struct index_status *c = &st.indexes[culprit];

			if (c->reason == REASON_OOM_KILLED || c->reason == REASON_EVICTED)
				st.reason = c->reason;
			index_label(workload, jobset, n, culprit, label);
			set_message(&st, "%s%s after %d attempt%s", label,
				    c->message ? c->message : "failed", c->attempts,
				    c->attempts == 1 ? "" : "s");
		} else {
			set_message(&st, "%s%s%s", why ? why : "failed",
				    json_get_string(failure, "message") ? ": " : "",
				    json_get_string(failure, "message") ? json_get_string(failure, "message")
									: "");
		}
	} else if (suspended || json_get_bool(workload, "spec.suspend", false)) {
		st.state = JOB_PENDING;
		st.reason = REASON_QUEUED;
		set_message(&st, "suspended: waiting to be admitted (for example by Kueue)");
	} else {
		bool any_running = false, any_started = false;

		for (size_t i = 0; i < n; i++) {
			/* Some indexes done and others to come: the job is under way. */
			any_running = any_running || st.indexes[i].state == JOB_RUNNING ||
				      st.indexes[i].state == JOB_SUCCEEDED ||
				      st.indexes[i].state == JOB_FAILED;
			any_started = any_started || st.indexes[i].state != JOB_PENDING ||
				      st.indexes[i].reason != REASON_NOT_STARTED;
		}
		st.state = any_running ? JOB_RUNNING : JOB_PENDING;
		st.reason = st.indexes[worst].reason;
		if (st.reason == REASON_NOT_STARTED && any_started)
			st.reason = REASON_NONE;
		if (st.reason == REASON_NOT_STARTED)
			set_message(&st, "waiting for pods");
		else if (st.reason != REASON_NONE && st.indexes[worst].message) {
			index_label(workload, jobset, n, worst, label);
			set_message(&st, "%s%s", label, st.indexes[worst].message);
		}
		st.stuck = reason_is_stuck(st.reason);
	}

	/* After a job ends, indexes that never ran were skipped (fail-fast) or
	 * cancelled. */
	for (size_t i = 0; i < n; i++) {
		struct index_status *is = &st.indexes[i];

		if (st.state == JOB_FAILED && is->state != JOB_SUCCEEDED && is->state != JOB_FAILED &&
		    (finished || st.reason == REASON_CANCELLED)) {
			is->state = JOB_FAILED;
			is->reason = st.reason == REASON_CANCELLED ? REASON_CANCELLED : REASON_SKIPPED;
		}
		st.counts[is->state]++;
	}
	index_set_release(&completed);
	index_set_release(&failed);
	*ret = st;
	return 0;
}
