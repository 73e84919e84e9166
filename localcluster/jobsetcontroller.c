/* jobsetcontroller.c — applies the JobSet controller's decisions to the
 * store (see jobsetcontroller.h). Work queue keys are "<ns>/<jobset>". */
#include "jobsetcontroller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jobsetsync.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "log.h"
#include "store.h"
#include "strutil.h"
#include "timeutil.h"
#include "workqueue.h"
#include "xalloc.h"

#define COMPONENT "jobset-controller"
#define RETRY_MS 1000

struct jobsetcontroller {
	struct store *store;
	struct workqueue *queue;
	struct store_subscription *sub;
};

static void queue_jobset(struct jobsetcontroller *jc, const char *ns, const char *name,
			 int64_t delay_ms)
{
	char key[600];

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	workqueue_add_after(jc->queue, key, delay_ms);
}

static void on_event(void *ctx, const struct store_event *ev)
{
	struct jobsetcontroller *jc = ctx;
	const struct store_obj *obj = ev->object;
	const struct store_owner_ref *owner;

	if (obj->kind == RESOURCE_JOBSET) {
		queue_jobset(jc, obj->namespace, obj->name, 0);
		return;
	}
	owner = store_obj_controller(obj);
	if (owner && str_eq(owner->kind, "JobSet"))
		queue_jobset(jc, obj->namespace, owner->name, 0);
}

struct suspend_change {
	bool suspend;
};

static int mutate_suspend(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct suspend_change *c = ctx;

	if (json_get_bool(obj, "spec.suspend", false) == c->suspend)
		return 1;
	json_set(json_ensure_object(obj, "spec"), "suspend", cJSON_CreateBool(c->suspend));
	return 0;
}

static int write_status(struct jobsetcontroller *jc, const struct store_obj *js, const cJSON *status)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(body, "metadata");
	struct store_write_options opts = { .status = true };
	struct api_error aerr = API_ERROR_INIT;
	char rv[32];

	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)js->resource_version);
	cJSON_AddStringToObject(body, "apiVersion", "jobset.x-k8s.io/v1alpha2");
	cJSON_AddStringToObject(body, "kind", "JobSet");
	cJSON_AddStringToObject(meta, "name", js->name);
	cJSON_AddStringToObject(meta, "namespace", js->namespace);
	cJSON_AddStringToObject(meta, "resourceVersion", rv);
	json_set(body, "status", cJSON_Duplicate(status, true));
	if (store_update(jc->store, RESOURCE_JOBSET, js->namespace, js->name, body, &opts, NULL,
			 &aerr) < 0) {
		if (aerr.code == 409 || aerr.code == 404)
			return 1;
		log_warn("jobset-controller: jobset '%s/%s': cannot write status: %s", js->namespace,
			 js->name, aerr.message);
		return -1;
	}
	return 0;
}

static void sync_jobset(void *ctx, const char *key)
{
	struct jobsetcontroller *jc = ctx;
	const char *slash = strchr(key, '/');
	struct store_obj *js_obj = NULL, *svc = NULL;
	struct store_list list = STORE_LIST_INIT;
	struct store_list_options lopts = { 0 };
	struct jobset_sync_result r = { .requeue_after_ms = -1 };
	struct api_error aerr = API_ERROR_INIT;
	struct error err = ERROR_INIT;
	_cleanup_free_ char *selector = NULL;
	cJSON *js = NULL, **jobs = NULL;
	size_t n_jobs = 0;
	char ns[256];
	const char *name;
	bool retry = false;

	if (!slash)
		return;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
	name = slash + 1;
	if (store_get(jc->store, RESOURCE_JOBSET, ns, name, &js_obj, &aerr) < 0)
		return;
	js = store_obj_parse(js_obj);
	if (k8s_is_deleting(js))
		goto out;
	selector = xasprintf("%s=%s", JOBSET_NAME_KEY, name);
	lopts.label_selector = selector;
	if (store_list(jc->store, RESOURCE_JOB, ns, &lopts, &list, &aerr) < 0) {
		retry = true;
		goto out;
	}
	jobs = xcalloc(list.len + 1, sizeof(*jobs));
	for (size_t i = 0; i < list.len; i++) {
		const struct store_owner_ref *owner = store_obj_controller(list.items[i]);

		if (owner && str_eq(owner->uid, js_obj->uid))
			jobs[n_jobs++] = store_obj_parse(list.items[i]);
	}
	store_get(jc->store, RESOURCE_SERVICE, ns, jobset_subdomain(js), &svc, NULL);
	if (jobset_sync(js, (const cJSON *const *)jobs, n_jobs, svc != NULL, time_real_ms(), &r,
			&err) < 0) {
		store_record_event(jc->store, js_obj, NULL, "Warning", "InvalidJobSet", COMPONENT, "%s",
				   err.msg);
		goto out;
	}
	if (r.delete_jobset) {
		struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;

		opts.propagation = STORE_PROPAGATION_FOREGROUND;
		opts.precondition_uid = js_obj->uid;
		store_delete(jc->store, RESOURCE_JOBSET, ns, name, &opts, NULL, NULL, NULL);
		goto out;
	}
	for (size_t i = 0; i < r.deletes.len; i++) {
		struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;

		opts.propagation = STORE_PROPAGATION_FOREGROUND;
		if (store_delete(jc->store, RESOURCE_JOB, ns, r.deletes.items[i], &opts, NULL, NULL,
				 &aerr) < 0 && aerr.code != 404)
			retry = true;
	}
	for (size_t i = 0; i < r.n_suspend_changes; i++) {
		struct suspend_change c = { r.suspend_changes[i].suspend };

		if (store_mutate(jc->store, RESOURCE_JOB, ns, r.suspend_changes[i].job, mutate_suspend,
				 &c, NULL, NULL, &aerr) < 0 && aerr.code != 404)
			retry = true;
	}
	if (r.service) {
		if (store_create(jc->store, RESOURCE_SERVICE, ns, TAKE_PTR(r.service), NULL, NULL,
				 &aerr) < 0 && aerr.code != 409) {
			store_record_event(jc->store, js_obj, NULL, "Warning",
					   "HeadlessServiceCreationFailed", COMPONENT, "%s", aerr.message);
			retry = true;
		}
	}
	for (size_t i = 0; i < r.n_creates; i++) {
		const char *job_name = k8s_name(r.creates[i]);
		_cleanup_free_ char *copy = xstrdup(job_name ? job_name : "");

		if (store_create(jc->store, RESOURCE_JOB, ns, TAKE_PTR(r.creates[i]), NULL, NULL,
				 &aerr) < 0 && aerr.code != 409) {
			store_record_event(jc->store, js_obj, NULL, "Warning", "JobCreationFailed",
					   COMPONENT, "job \"%s\" creation failed with error: %s", copy,
					   aerr.message);
			retry = true;
		}
	}
	if (r.status) {
		int rc = write_status(jc, js_obj, r.status);

		if (rc > 0) {
			queue_jobset(jc, ns, name, 0);
			goto out;
		}
		retry |= rc < 0;
	}
	for (size_t i = 0; i < r.n_events; i++)
		store_record_event(jc->store, js_obj, NULL, r.events[i].type, r.events[i].reason,
				   COMPONENT, "%s", r.events[i].message);
	if (r.requeue_after_ms >= 0)
		queue_jobset(jc, ns, name, r.requeue_after_ms);
out:
	if (retry)
		queue_jobset(jc, ns, name, RETRY_MS);
	jobset_sync_result_release(&r);
	for (size_t i = 0; i < n_jobs; i++)
		cJSON_Delete(jobs[i]);
	free(jobs);
	store_list_release(&list);
	store_obj_unref(svc);
	store_obj_unref(js_obj);
	cJSON_Delete(js);
}

struct jobsetcontroller *jobsetcontroller_start(struct store *store, struct error *err)
{
	struct jobsetcontroller *jc = xcalloc(1, sizeof(*jc));
	struct store_watch_options opts = {
		.kinds = RESOURCE_BIT(RESOURCE_JOBSET) | RESOURCE_BIT(RESOURCE_JOB) |
			 RESOURCE_BIT(RESOURCE_SERVICE),
		.resource_version = STORE_WATCH_FROM_LIST,
	};
	struct api_error aerr = API_ERROR_INIT;

	jc->store = store;
	jc->queue = workqueue_new("jobset-controller", sync_jobset, jc);
	jc->sub = store_subscribe(store, &opts, on_event, jc, &aerr);
	if (!jc->sub) {
		error_set(err, "jobset controller cannot follow jobsets: %s", aerr.message);
		jobsetcontroller_stop(jc);
		return NULL;
	}
	return jc;
}

void jobsetcontroller_stop(struct jobsetcontroller *jc)
{
	if (!jc)
		return;
	store_unsubscribe(jc->sub);
	workqueue_free(jc->queue);
	free(jc);
}
