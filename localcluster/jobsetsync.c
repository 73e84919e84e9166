/* jobsetsync.c — the JobSet controller's reconciliation as a pure
 * function (see jobsetsync.h). */
#include "jobsetsync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "sha1.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define JOBSET_API_VERSION "jobset.x-k8s.io/v1alpha2"
#define JOBSET_CONTROLLER_NAME "jobset.sigs.k8s.io/jobset-controller"

enum child_state { CHILD_ACTIVE, CHILD_SUCCEEDED, CHILD_FAILED, CHILD_OLD };

struct child {
	const cJSON *job;
	const char *name;
	const char *rjob;
	enum child_state state;
};

struct rjob {
	const cJSON *spec; /* the replicatedJobs[] entry */
	const char *name;
	int64_t replicas;
	int64_t first_global_index;
	/* replicatedJobsStatus counters */
	int64_t ready, succeeded, failed, active, suspended;
};

struct jsctx {
	const cJSON *js;
	const char *name;
	const char *ns;
	const char *uid;
	int64_t now_ms;
	struct rjob *rjobs;
	size_t n_rjobs;
	int64_t global_replicas;
	int64_t restarts;
	bool suspended;
	bool in_order;
	bool dns;
	struct child *children;
	size_t n_children;
	cJSON *status;
	struct jobset_sync_result *out;
};

/* ---------- helpers ---------- */

static void add_event(struct jsctx *c, const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_event(struct jsctx *c, const char *type, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	k8s_event_vadd(&c->out->events, &c->out->n_events, type, reason, fmt, ap);
	va_end(ap);
}

/* updateCondition() for metav1.Conditions; records the event the JobSet
 * controller records with each change. force_false adds a condition
 * that does not exist yet even with status False. */
static bool ensure_condition(struct jsctx *c, const char *event_type, const char *type,
			     const char *status, const char *reason, const char *message,
			     bool force_false)
{
	cJSON *conditions = cJSON_GetObjectItemCaseSensitive(c->status, "conditions");
	cJSON *cond = (cJSON *)k8s_condition(c->status, "conditions", type);
	char now[RFC3339_MAX];

	if (cond && str_eq(json_get_string(cond, "status"), status) &&
	    str_eq(json_get_string(cond, "reason"), reason) &&
	    str_eq(json_get_string(cond, "message"), message))
		return false;
	if (!cond && !strcmp(status, "False") && !force_false)
		return false;
	time_format_rfc3339((time_t)(c->now_ms / 1000), now);
	if (!cond) {
		if (!cJSON_IsArray(conditions)) {
			conditions = cJSON_CreateArray();
			json_set(c->status, "conditions", conditions);
		}
		cond = cJSON_CreateObject();
		cJSON_AddStringToObject(cond, "type", type);
		cJSON_AddItemToArray(conditions, cond);
	}
	json_set_string(cond, "status", status);
	json_set_string(cond, "lastTransitionTime", now);
	json_set_string(cond, "reason", reason);
	json_set_string(cond, "message", message);
	add_event(c, event_type, reason, "%s", message);
	return true;
}

static bool jobset_finished(const cJSON *status)
{
	return k8s_condition_true(status, "conditions", "Completed") ||
	       k8s_condition_true(status, "conditions", "Failed");
}

const char *jobset_subdomain(const cJSON *jobset)
{
	const char *sub = json_get_string(jobset, "spec.network.subdomain");

	return !str_is_empty(sub) ? sub : k8s_name(jobset);
}

static void set_key(cJSON *obj, const char *key, const char *value)
{
	k8s_set_label(obj, key, value);
	k8s_set_annotation(obj, key, value);
}

static void set_key_int(cJSON *obj, const char *key, int64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRId64, value);
	set_key(obj, key, text);
}

/* labelAndAnnotateObject(): the same keys as labels and annotations. */
static void label_and_annotate(const struct jsctx *c, cJSON *obj, const struct rjob *rj,
			       int64_t index, const char *job_name)
{
	_cleanup_free_ char *namespaced = xasprintf("%s/%s", c->ns, job_name);
	char key[SHA1_HEX_SIZE];

	sha1_hex(namespaced, strlen(namespaced), key);
	set_key(obj, JOBSET_NAME_KEY, c->name);
	set_key(obj, JOBSET_RJOB_NAME_KEY, rj->name);
	set_key_int(obj, JOBSET_RESTART_ATTEMPT_KEY, c->restarts);
	set_key_int(obj, JOBSET_RJOB_REPLICAS_KEY, rj->replicas);
	set_key_int(obj, JOBSET_JOB_INDEX_KEY, index);
	set_key_int(obj, JOBSET_GLOBAL_REPLICAS_KEY, c->global_replicas);
	set_key_int(obj, JOBSET_JOB_GLOBAL_INDEX_KEY, rj->first_global_index + index);
	set_key(obj, JOBSET_JOB_KEY, key);
}

static void add_owner(const struct jsctx *c, cJSON *obj)
{
	k8s_add_controller_ref(obj, JOBSET_API_VERSION, "JobSet", c->name, c->uid);
}

/* ---------- reading ---------- */

static int read_jobset(struct jsctx *c, const cJSON *js, struct error *err)
{
	const cJSON *list = json_get(js, "spec.replicatedJobs"), *item;
	size_t n = (size_t)cJSON_GetArraySize(list);

	c->js = js;
	c->name = k8s_name(js);
	c->ns = k8s_namespace(js);
	c->uid = k8s_uid(js);
	if (!c->name || !c->ns || !c->uid)
		return error_set(err, "jobset without metadata.name, namespace or uid");
	if (!n)
		return error_set(err, "jobset '%s/%s': spec.replicatedJobs is empty", c->ns, c->name);
	c->rjobs = xcalloc(n, sizeof(*c->rjobs));
	cJSON_ArrayForEach(item, list) {
		struct rjob *rj = &c->rjobs[c->n_rjobs];

		rj->spec = item;
		rj->name = json_get_string(item, "name");
		if (!json_get_int64(item, "replicas", &rj->replicas))
			rj->replicas = 1;
		if (!rj->name || !json_get(item, "template"))
			return error_set(err, "jobset '%s/%s': spec.replicatedJobs[%zu] needs a name and a template",
					 c->ns, c->name, c->n_rjobs);
		rj->first_global_index = c->global_replicas;
		c->global_replicas += rj->replicas;
		c->n_rjobs++;
	}
	json_get_int64(js, "status.restarts", &c->restarts);
	c->suspended = json_get_bool(js, "spec.suspend", false);
	c->in_order = str_eq(json_get_string(js, "spec.startupPolicy.startupPolicyOrder"), "InOrder");
	c->dns = json_get_bool(js, "spec.network.enableDNSHostnames", true);
	return 0;
}

static struct rjob *find_rjob(struct jsctx *c, const char *name)
{
	for (size_t i = 0; i < c->n_rjobs; i++)
		if (str_eq(c->rjobs[i].name, name))
			return &c->rjobs[i];
	return NULL;
}

static void classify_children(struct jsctx *c, const cJSON *const *jobs, size_t n)
{
	c->children = xcalloc(n ? n : 1, sizeof(*c->children));
	for (size_t i = 0; i < n; i++) {
		struct child *ch = &c->children[c->n_children++];
		const char *attempt = k8s_label(jobs[i], JOBSET_RESTART_ATTEMPT_KEY);
		int64_t restarts;

		ch->job = jobs[i];
		ch->name = k8s_name(jobs[i]);
		ch->rjob = k8s_label(jobs[i], JOBSET_RJOB_NAME_KEY);
		/* Jobs of an earlier attempt (or unreadable) go. */
		if (!attempt || str_to_int64(attempt, &restarts) < 0 || restarts < c->restarts)
			ch->state = CHILD_OLD;
		else if (k8s_condition_true(jobs[i], "status.conditions", "Failed"))
			ch->state = CHILD_FAILED;
		else if (k8s_condition_true(jobs[i], "status.conditions", "Complete"))
			ch->state = CHILD_SUCCEEDED;
		else
			ch->state = CHILD_ACTIVE;
	}
}

/* calculateReplicatedJobStatuses(), in the order of the spec. */
static void calculate_rjob_statuses(struct jsctx *c)
{
	cJSON *list = cJSON_CreateArray();

	for (size_t i = 0; i < c->n_children; i++) {
		const struct child *ch = &c->children[i];
		struct rjob *rj = find_rjob(c, ch->rjob);
		int64_t ready = 0, succeeded = 0, active = 0, parallelism = 1, completions = 0;

		if (!rj)
			continue;
		switch (ch->state) {
		case CHILD_ACTIVE:
			json_get_int64(ch->job, "status.ready", &ready);
			json_get_int64(ch->job, "status.succeeded", &succeeded);
			json_get_int64(ch->job, "status.active", &active);
			json_get_int64(ch->job, "spec.parallelism", &parallelism);
			if (json_get_int64(ch->job, "spec.completions", &completions) &&
			    completions < parallelism)
				parallelism = completions;
			rj->ready += succeeded + ready >= parallelism;
			rj->active += active > 0;
			rj->suspended += json_get_bool(ch->job, "spec.suspend", false);
			break;
		case CHILD_SUCCEEDED:
			rj->succeeded++;
			break;
		case CHILD_FAILED:
			rj->failed++;
			break;
		case CHILD_OLD:
			break;
		}
	}
	for (size_t i = 0; i < c->n_rjobs; i++) {
		const struct rjob *rj = &c->rjobs[i];
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "name", rj->name);
		cJSON_AddNumberToObject(s, "ready", (double)rj->ready);
		cJSON_AddNumberToObject(s, "succeeded", (double)rj->succeeded);
		cJSON_AddNumberToObject(s, "failed", (double)rj->failed);
		cJSON_AddNumberToObject(s, "active", (double)rj->active);
		cJSON_AddNumberToObject(s, "suspended", (double)rj->suspended);
		cJSON_AddItemToArray(list, s);
	}
	json_set(c->status, "replicatedJobsStatus", list);
}

static bool rjob_started(const struct rjob *rj)
{
	return rj->replicas == rj->failed + rj->ready + rj->succeeded;
}

/* ---------- actions ---------- */

static bool child_exists(const struct jsctx *c, const char *name)
{
	for (size_t i = 0; i < c->n_children; i++)
		if (str_eq(c->children[i].name, name))
			return true;
	return false;
}

/* constructJob(). */
static cJSON *construct_job(struct jsctx *c, const struct rjob *rj, int64_t index,
			    const char *job_name)
{
	const cJSON *tmpl = json_get(rj->spec, "template");
	const cJSON *meta = json_get(tmpl, "metadata");
	const cJSON *spec = json_get(tmpl, "spec");
	cJSON *job = cJSON_CreateObject();
	cJSON *job_meta = cJSON_AddObjectToObject(job, "metadata");
	cJSON *job_spec, *pod_tmpl, *pod_spec;

	cJSON_AddStringToObject(job, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(job, "kind", "Job");
	if (json_get(meta, "labels"))
		json_set(job_meta, "labels", cJSON_Duplicate(json_get(meta, "labels"), true));
	if (json_get(meta, "annotations"))
		json_set(job_meta, "annotations", cJSON_Duplicate(json_get(meta, "annotations"), true));
	cJSON_AddStringToObject(job_meta, "name", job_name);
	cJSON_AddStringToObject(job_meta, "namespace", c->ns);
	job_spec = spec ? cJSON_Duplicate(spec, true) : cJSON_CreateObject();
	json_set(job, "spec", job_spec);
	pod_tmpl = json_ensure_object(job_spec, "template");
	pod_spec = json_ensure_object(pod_tmpl, "spec");
	/* The JobSet webhook's defaults. */
	if (!json_get_string(job_spec, "completionMode"))
		json_set_string(job_spec, "completionMode", "Indexed");
	if (!json_get_string(pod_spec, "restartPolicy"))
		json_set_string(pod_spec, "restartPolicy", "OnFailure");
	label_and_annotate(c, job, rj, index, job_name);
	label_and_annotate(c, pod_tmpl, rj, index, job_name);
	if (c->dns)
		json_set_string(pod_spec, "subdomain", jobset_subdomain(c->js));
	json_set(job_spec, "suspend", cJSON_CreateBool(c->suspended));
	add_owner(c, job);
	return job;
}

static void create_missing_jobs(struct jsctx *c, const struct rjob *rj)
{
	for (int64_t i = 0; i < rj->replicas; i++) {
		_cleanup_free_ char *name = xasprintf("%s-%s-%" PRId64, c->name, rj->name, i);
		struct jobset_sync_result *r = c->out;

		if (child_exists(c, name))
			continue;
		r->creates = xreallocarray(r->creates, r->n_creates + 1, sizeof(*r->creates));
		r->creates[r->n_creates++] = construct_job(c, rj, i, name);
	}
}

static cJSON *headless_service(struct jsctx *c)
{
	cJSON *svc = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(svc, "metadata");
	cJSON *spec = cJSON_AddObjectToObject(svc, "spec");

	cJSON_AddStringToObject(svc, "apiVersion", "v1");
	cJSON_AddStringToObject(svc, "kind", "Service");
	cJSON_AddStringToObject(meta, "name", jobset_subdomain(c->js));
	cJSON_AddStringToObject(meta, "namespace", c->ns);
	cJSON_AddStringToObject(spec, "clusterIP", "None");
	json_set_string(json_ensure_object(spec, "selector"), JOBSET_NAME_KEY, c->name);
	cJSON_AddBoolToObject(spec, "publishNotReadyAddresses",
			      json_get_bool(c->js, "spec.network.publishNotReadyAddresses", true));
	add_owner(c, svc);
	return svc;
}

static void delete_children(struct jsctx *c, enum child_state state)
{
	for (size_t i = 0; i < c->n_children; i++)
		if (c->children[i].state == state && !k8s_is_deleting(c->children[i].job))
			strv_push(&c->out->deletes, c->children[i].name);
}

static void change_suspend(struct jsctx *c, const char *job, bool suspend)
{
	struct jobset_sync_result *r = c->out;

	r->suspend_changes = xreallocarray(r->suspend_changes, r->n_suspend_changes + 1,
					   sizeof(*r->suspend_changes));
	r->suspend_changes[r->n_suspend_changes++] = (struct jobset_suspend_change){ xstrdup(job),
										     suspend };
}

static void set_terminal_state(struct jsctx *c, const char *state)
{
	json_set_string(c->status, "terminalState", state);
}

static const char *first_failed_job(const struct jsctx *c)
{
	const char *first = NULL;
	int64_t first_time = -1;

	for (size_t i = 0; i < c->n_children; i++) {
		const cJSON *cond;
		int64_t t;

		if (c->children[i].state != CHILD_FAILED)
			continue;
		cond = k8s_condition(c->children[i].job, "status.conditions", "Failed");
		t = k8s_time_at(cond, "lastTransitionTime");
		if (!first || (t >= 0 && t < first_time)) {
			first = c->children[i].name;
			first_time = t;
		}
	}
	return first ? first : "";
}

static void fail_jobset(struct jsctx *c, const char *reason, const char *message)
{
	_cleanup_free_ char *full = xasprintf("%s (first failed job: %s)", message, first_failed_job(c));

	ensure_condition(c, "Warning", "Failed", "True", reason, full, false);
	set_terminal_state(c, "Failed");
}

/* executeFailurePolicy(). */
static void execute_failure_policy(struct jsctx *c)
{
	const cJSON *policy = json_get(c->js, "spec.failurePolicy");
	int64_t max_restarts = 0;

	if (!policy) {
		fail_jobset(c, "FailedJobs", "jobset failed due to one or more job failures");
		return;
	}
	json_get_int64(policy, "maxRestarts", &max_restarts);
	if (c->restarts >= max_restarts) {
		fail_jobset(c, "ReachedMaxRestarts",
			    "jobset failed due to reaching max number of restarts");
		return;
	}
	/* Recreate everything: the next sync deletes the Jobs of this attempt. */
	c->restarts++;
	json_set_int64(c->status, "restarts", c->restarts);
	{
		int64_t counted = 0;

		json_get_int64(c->status, "restartsCountTowardsMax", &counted);
		json_set_int64(c->status, "restartsCountTowardsMax", counted + 1);
	}
	add_event(c, "Warning", "Restarting", "restarting jobset, attempt %" PRId64, c->restarts);
}

static bool execute_success_policy(struct jsctx *c)
{
	const char *op = json_get_string(c->js, "spec.successPolicy.operator");
	const cJSON *targets = json_get(c->js, "spec.successPolicy.targetReplicatedJobs");
	int64_t matching = 0, expected = 0;

	for (size_t i = 0; i < c->n_children; i++) {
		const cJSON *t;
		bool target = cJSON_GetArraySize(targets) == 0;

		if (c->children[i].state != CHILD_SUCCEEDED)
			continue;
		cJSON_ArrayForEach(t, targets)
			target |= cJSON_IsString(t) && str_eq(t->valuestring, c->children[i].rjob);
		matching += target;
	}
	if (str_eq(op, "Any")) {
		expected = 1;
	} else {
		for (size_t i = 0; i < c->n_rjobs; i++) {
			const cJSON *t;
			bool target = cJSON_GetArraySize(targets) == 0;

			cJSON_ArrayForEach(t, targets)
				target |= cJSON_IsString(t) && str_eq(t->valuestring, c->rjobs[i].name);
			if (target)
				expected += c->rjobs[i].replicas;
		}
	}
	if (matching < expected)
		return false;
	ensure_condition(c, "Normal", "Completed", "True", "AllJobsCompleted",
			 "jobset completed successfully", false);
	set_terminal_state(c, "Completed");
	return true;
}

static void in_order_progress(struct jsctx *c, bool done)
{
	if (done) {
		ensure_condition(c, "Normal", "StartupPolicyCompleted", "True",
				 "InOrderStartupPolicyCompleted", "in order startup policy has completed",
				 false);
		ensure_condition(c, "Normal", "StartupPolicyInProgress", "False",
				 "InOrderStartupPolicyCompleted", "in order startup policy has completed",
				 false);
	} else {
		ensure_condition(c, "Normal", "StartupPolicyInProgress", "True",
				 "InOrderStartupPolicyInProgress", "in order startup policy is in progress",
				 true);
	}
}

/* createJobs(): all replicated jobs, or with InOrder up to the first one
 * whose Jobs are not all ready yet. */
static void create_jobs(struct jsctx *c)
{
	for (size_t i = 0; i < c->n_rjobs; i++) {
		const struct rjob *rj = &c->rjobs[i];

		if (!c->suspended && c->in_order && rjob_started(rj))
			continue;
		create_missing_jobs(c, rj);
		if (!c->suspended && c->in_order) {
			in_order_progress(c, false);
			return;
		}
	}
	if (!c->suspended && c->in_order)
		in_order_progress(c, true);
}

static void suspend_or_resume(struct jsctx *c)
{
	if (c->suspended) {
		for (size_t i = 0; i < c->n_children; i++)
			if (c->children[i].state == CHILD_ACTIVE &&
			    !json_get_bool(c->children[i].job, "spec.suspend", false))
				change_suspend(c, c->children[i].name, true);
		ensure_condition(c, "Normal", "Suspended", "True", "SuspendedJobs",
				 "jobset is suspended", false);
		return;
	}
	for (size_t r = 0; r < c->n_rjobs; r++) {
		const struct rjob *rj = &c->rjobs[r];

		if (c->in_order && rjob_started(rj))
			continue;
		for (size_t i = 0; i < c->n_children; i++)
			if (c->children[i].state == CHILD_ACTIVE && str_eq(c->children[i].rjob, rj->name) &&
			    json_get_bool(c->children[i].job, "spec.suspend", false))
				change_suspend(c, c->children[i].name, false);
		if (c->in_order) {
			in_order_progress(c, false);
			return;
		}
	}
	if (c->in_order)
		in_order_progress(c, true);
	ensure_condition(c, "Normal", "Suspended", "False", "ResumeJobs", "jobset is resumed", false);
}

static void handle_finished(struct jsctx *c)
{
	int64_t ttl, finished = -1;
	const cJSON *cond;

	if (json_get_int64(c->js, "spec.ttlSecondsAfterFinished", &ttl)) {
		cJSON_ArrayForEach(cond, json_get(c->status, "conditions")) {
			const char *type = json_get_string(cond, "type");

			if ((str_eq(type, "Completed") || str_eq(type, "Failed")) &&
			    str_eq(json_get_string(cond, "status"), "True"))
				finished = k8s_time_at(cond, "lastTransitionTime");
		}
		if (finished >= 0) {
			int64_t left = (finished + ttl) * 1000 - c->now_ms;

			if (left <= 0) {
				c->out->delete_jobset = true;
				return;
			}
			c->out->requeue_after_ms = left;
		}
	}
	/* A finished JobSet stops whatever of it still runs. */
	delete_children(c, CHILD_ACTIVE);
}

int jobset_sync(const cJSON *jobset, const cJSON *const *jobs, size_t n_jobs, bool service_exists,
		int64_t now_ms, struct jobset_sync_result *ret, struct error *err)
{
	struct jsctx c = { .now_ms = now_ms, .out = ret };
	const cJSON *old_status = json_get(jobset, "status");
	const char *managed_by = json_get_string(jobset, "spec.managedBy");
	int rc = -1;

	*ret = (struct jobset_sync_result){ .requeue_after_ms = -1 };
	if (managed_by && strcmp(managed_by, JOBSET_CONTROLLER_NAME))
		return 0; /* another controller's JobSet */
	if (read_jobset(&c, jobset, err) < 0)
		goto out;
	c.status = old_status ? cJSON_Duplicate(old_status, true) : cJSON_CreateObject();
	classify_children(&c, jobs, n_jobs);
	calculate_rjob_statuses(&c);
	if (!json_get(c.status, "restarts"))
		json_set_int64(c.status, "restarts", 0);
	rc = 0;
	if (jobset_finished(c.status)) {
		handle_finished(&c);
		goto out;
	}
	delete_children(&c, CHILD_OLD);
	for (size_t i = 0; i < c.n_children; i++) {
		if (c.children[i].state == CHILD_FAILED) {
			execute_failure_policy(&c);
			goto out;
		}
	}
	for (size_t i = 0; i < c.n_children; i++) {
		if (c.children[i].state == CHILD_SUCCEEDED) {
			if (execute_success_policy(&c))
				goto out;
			break;
		}
	}
	if (c.dns && !service_exists)
		ret->service = headless_service(&c);
	create_jobs(&c);
	suspend_or_resume(&c);
out:
	if (rc == 0 && c.status &&
	    (!old_status || !cJSON_Compare(c.status, old_status, true)))
		ret->status = TAKE_PTR(c.status);
	cJSON_Delete(c.status);
	free(c.rjobs);
	free(c.children);
	if (rc < 0)
		jobset_sync_result_release(ret);
	return rc;
}

void jobset_sync_result_release(struct jobset_sync_result *r)
{
	for (size_t i = 0; i < r->n_creates; i++)
		cJSON_Delete(r->creates[i]);
	free(r->creates);
	strv_release(&r->deletes);
	for (size_t i = 0; i < r->n_suspend_changes; i++)
		free(r->suspend_changes[i].job);
	free(r->suspend_changes);
	cJSON_Delete(r->service);
	cJSON_Delete(r->status);
	k8s_events_free(r->events, r->n_events);
	*r = (struct jobset_sync_result){ .requeue_after_ms = -1 };
}
