/* jobcontroller.c — applies the Job controller's decisions to the store
 * (see jobcontroller.h). Work queue keys: "job:<ns>/<name>" for a Job,
 * "pod:<ns>/<name>" for a pod whose tracking finalizer may be orphaned. */
#include "jobcontroller.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cleanup.h"
#include "hashmap.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "log.h"
#include "store.h"
#include "strutil.h"
#include "timeutil.h"
#include "workqueue.h"
#include "xalloc.h"

#define COMPONENT "job-controller"
#define RETRY_MS 1000

struct jobcontroller {
	struct store *store;
	struct job_sync_config config;
	struct workqueue *queue;
	struct store_subscription *sub;
	pthread_mutex_t lock;
	struct hashmap backoff; /* job uid -> struct job_backoff */
};

static void queue_key(struct jobcontroller *jc, const char *prefix, const char *ns,
		      const char *name, int64_t delay_ms)
{
	char key[600];

	snprintf(key, sizeof(key), "%s:%s/%s", prefix, ns, name);
	workqueue_add_after(jc->queue, key, delay_ms);
}

static void on_event(void *ctx, const struct store_event *ev)
{
	struct jobcontroller *jc = ctx;
	const struct store_obj *obj = ev->object;
	const struct store_owner_ref *owner;

	if (obj->kind == RESOURCE_JOB) {
		if (ev->type == STORE_EVENT_DELETED) {
			pthread_mutex_lock(&jc->lock);
			free(hashmap_remove(&jc->backoff, obj->uid));
			pthread_mutex_unlock(&jc->lock);
		}
		queue_key(jc, "job", obj->namespace, obj->name, 0);
		return;
	}
	owner = store_obj_controller(obj);
	if (owner && str_eq(owner->kind, "Job"))
		queue_key(jc, "job", obj->namespace, owner->name, 0);
	if (store_obj_has_finalizer(obj, JOB_TRACKING_FINALIZER) && ev->type != STORE_EVENT_DELETED)
		queue_key(jc, "pod", obj->namespace, obj->name, 0);
}

static int remove_tracking_finalizer(cJSON *obj, void *ctx, struct api_error *err)
{
	return k8s_remove_finalizer(obj, JOB_TRACKING_FINALIZER) ? 0 : 1;
}

/* 0 when the finalizer is off (or the pod gone), -1 otherwise. */
static int release_pod(struct jobcontroller *jc, const char *ns, const char *name)
{
	struct api_error aerr = API_ERROR_INIT;

	if (store_mutate(jc->store, RESOURCE_POD, ns, name, remove_tracking_finalizer, NULL, NULL,
			 NULL, &aerr) < 0 && aerr.code != 404) {
		log_warn("job-controller: pod '%s/%s': cannot remove finalizer: %s", ns, name,
			 aerr.message);
		return -1;
	}
	return 0;
}

/* A pod keeps the tracking finalizer only while its Job may count it. */
static void sync_orphan(struct jobcontroller *jc, const char *ns, const char *name)
{
	struct store_obj *pod = NULL, *job = NULL;
	const struct store_owner_ref *owner;
	bool orphan;

	if (store_get(jc->store, RESOURCE_POD, ns, name, &pod, NULL) < 0)
		return;
	owner = store_obj_controller(pod);
	orphan = !owner || !str_eq(owner->kind, "Job") ||
		 store_get(jc->store, RESOURCE_JOB, ns, owner->name, &job, NULL) < 0 ||
		 !str_eq(job->uid, owner->uid);
	if (!orphan) {
		cJSON *j = store_obj_parse(job);

		orphan = job_is_finished(j);
		cJSON_Delete(j);
	}
	if (orphan && store_obj_has_finalizer(pod, JOB_TRACKING_FINALIZER))
		release_pod(jc, ns, name);
	store_obj_unref(pod);
	store_obj_unref(job);
}

/* Writes status with the Job's resourceVersion as precondition; updates
 * *rv. 1 on a conflict (sync again), -1 on another error. */
static int write_status(struct jobcontroller *jc, const char *ns, const char *name,
			const cJSON *status, char *rv, size_t rv_size)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(body, "metadata");
	struct store_write_options opts = { .status = true };
	struct api_error aerr = API_ERROR_INIT;
	struct store_obj *written = NULL;

	cJSON_AddStringToObject(body, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(body, "kind", "Job");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON_AddStringToObject(meta, "resourceVersion", rv);
	json_set(body, "status", cJSON_Duplicate(status, true));
	if (store_update(jc->store, RESOURCE_JOB, ns, name, body, &opts, &written, &aerr) < 0) {
		if (aerr.code == 409 || aerr.code == 404)
			return 1;
		log_warn("job-controller: job '%s/%s': cannot write status: %s", ns, name, aerr.message);
		return -1;
	}
	snprintf(rv, rv_size, "%llu", (unsigned long long)written->resource_version);
	store_obj_unref(written);
	return 0;
}

static void delete_pod(struct jobcontroller *jc, const struct store_obj *job, const char *ns,
		       const char *name, bool remove_finalizer)
{
	struct api_error aerr = API_ERROR_INIT;

	if (remove_finalizer && release_pod(jc, ns, name) < 0)
		return;
	if (store_delete(jc->store, RESOURCE_POD, ns, name, NULL, NULL, NULL, &aerr) < 0) {
		if (aerr.code != 404)
			store_record_event(jc->store, job, NULL, "Warning", "FailedDelete", COMPONENT,
					   "Error deleting: %s", aerr.message);
		return;
	}
	store_record_event(jc->store, job, NULL, "Normal", "SuccessfulDelete", COMPONENT,
			   "Deleted pod: %s", name);
}

static void commit_backoff(struct jobcontroller *jc, const char *uid, const struct job_backoff *b)
{
	struct job_backoff *slot;

	pthread_mutex_lock(&jc->lock);
	slot = hashmap_get(&jc->backoff, uid);
	if (!slot) {
		slot = xmalloc(sizeof(*slot));
		hashmap_put(&jc->backoff, uid, slot);
	}
	*slot = *b;
	pthread_mutex_unlock(&jc->lock);
}

static void sync_finished(struct jobcontroller *jc, const struct store_obj *job_obj,
			  const cJSON *job, cJSON **pods, size_t n_pods)
{
	int64_t expiry = job_ttl_expiry(job);
	int64_t now = (int64_t)time(NULL);

	/* A finished Job has counted its pods: none should hold it up. */
	for (size_t i = 0; i < n_pods; i++)
		if (k8s_has_finalizer(pods[i], JOB_TRACKING_FINALIZER))
			release_pod(jc, job_obj->namespace, k8s_name(pods[i]));
	if (expiry < 0)
		return;
	if (now >= expiry) {
		struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;

		opts.propagation = STORE_PROPAGATION_BACKGROUND;
		opts.precondition_uid = job_obj->uid;
		store_delete(jc->store, RESOURCE_JOB, job_obj->namespace, job_obj->name, &opts, NULL,
			     NULL, NULL);
		return;
	}
	queue_key(jc, "job", job_obj->namespace, job_obj->name, (expiry - now) * 1000);
}

static void sync_job(struct jobcontroller *jc, const char *ns, const char *name)
{
	struct store_obj *job_obj = NULL;
	struct store_list list = STORE_LIST_INIT;
	struct store_list_options lopts = { 0 };
	struct api_error aerr = API_ERROR_INIT;
	struct job_sync_result r = { .requeue_after_ms = -1 };
	struct error err = ERROR_INIT;
	struct job_backoff backoff = { 0, 0 };
	_cleanup_free_ char *selector = NULL;
	cJSON *job = NULL, **pods = NULL;
	size_t n_pods = 0;
	char rv[32];
	int rc;

	if (store_get(jc->store, RESOURCE_JOB, ns, name, &job_obj, &aerr) < 0)
		return; /* gone; its backoff record goes with the uid below */
	job = store_obj_parse(job_obj);
	selector = xasprintf("batch.kubernetes.io/controller-uid=%s", job_obj->uid);
	lopts.label_selector = selector;
	if (store_list(jc->store, RESOURCE_POD, ns, &lopts, &list, &aerr) < 0) {
		log_warn("job-controller: job '%s/%s': cannot list pods: %s", ns, name, aerr.message);
		queue_key(jc, "job", ns, name, RETRY_MS);
		goto out;
	}
	pods = xcalloc(list.len + 1, sizeof(*pods));
	for (size_t i = 0; i < list.len; i++) {
		const struct store_owner_ref *owner = store_obj_controller(list.items[i]);

		if (owner && str_eq(owner->uid, job_obj->uid))
			pods[n_pods++] = store_obj_parse(list.items[i]);
	}
	if (job_is_finished(job)) {
		pthread_mutex_lock(&jc->lock);
		free(hashmap_remove(&jc->backoff, job_obj->uid));
		pthread_mutex_unlock(&jc->lock);
		sync_finished(jc, job_obj, job, pods, n_pods);
		goto out;
	}
	pthread_mutex_lock(&jc->lock);
	if (hashmap_get(&jc->backoff, job_obj->uid))
		backoff = *(struct job_backoff *)hashmap_get(&jc->backoff, job_obj->uid);
	pthread_mutex_unlock(&jc->lock);
	if (job_sync(job, (const cJSON *const *)pods, n_pods, time_real_ms(), &backoff, &jc->config,
		     &r, &err) < 0) {
		store_record_event(jc->store, job_obj, NULL, "Warning", "UnknownCompletionMode",
				   COMPONENT, "Skipped Job sync: %s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < r.deletes.len; i++)
		delete_pod(jc, job_obj, ns, r.deletes.items[i], r.remove_finalizer_first);
	for (size_t i = 0; i < r.n_creates; i++) {
		struct store_obj *created = NULL;
		cJSON *pod = TAKE_PTR(r.creates[i]);

		if (store_create(jc->store, RESOURCE_POD, ns, pod, NULL, &created, &aerr) < 0) {
			store_record_event(jc->store, job_obj, NULL, "Warning", "FailedCreate",
					   COMPONENT, "Error creating: %s", aerr.message);
			queue_key(jc, "job", ns, name, RETRY_MS);
			continue;
		}
		store_record_event(jc->store, job_obj, NULL, "Normal", "SuccessfulCreate", COMPONENT,
				   "Created pod: %s", created->name);
		store_obj_unref(created);
	}
	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)job_obj->resource_version);
	if (r.status_interim) {
		rc = write_status(jc, ns, name, r.status_interim, rv, sizeof(rv));
		if (rc != 0) {
			queue_key(jc, "job", ns, name, rc > 0 ? 0 : RETRY_MS);
			goto out;
		}
		commit_backoff(jc, job_obj->uid, &r.new_backoff);
	}
	for (size_t i = 0; i < r.finalizer_removals.len; i++) {
		if (release_pod(jc, ns, r.finalizer_removals.items[i]) < 0) {
			/* The interim status holds the uncounted pods: the next sync goes on. */
			queue_key(jc, "job", ns, name, RETRY_MS);
			goto out;
		}
	}
	if (r.status_final &&
	    !(r.status_interim && cJSON_Compare(r.status_final, r.status_interim, true))) {
		rc = write_status(jc, ns, name, r.status_final, rv, sizeof(rv));
		if (rc != 0) {
			queue_key(jc, "job", ns, name, rc > 0 ? 0 : RETRY_MS);
			goto out;
		}
		if (!r.status_interim)
			commit_backoff(jc, job_obj->uid, &r.new_backoff);
	}
	for (size_t i = 0; i < r.n_events; i++)
		store_record_event(jc->store, job_obj, NULL, r.events[i].type, r.events[i].reason,
				   COMPONENT, "%s", r.events[i].message);
	if (r.requeue_after_ms >= 0)
		queue_key(jc, "job", ns, name, r.requeue_after_ms);
	/* A finished Job may have a TTL to wait for. */
	if (r.finishes)
		queue_key(jc, "job", ns, name, 0);
out:
	job_sync_result_release(&r);
	for (size_t i = 0; i < n_pods; i++)
		cJSON_Delete(pods[i]);
	free(pods);
	store_list_release(&list);
	cJSON_Delete(job);
	store_obj_unref(job_obj);
}

static void sync_key(void *ctx, const char *key)
{
	struct jobcontroller *jc = ctx;
	const char *colon = strchr(key, ':');
	const char *slash = colon ? strchr(colon, '/') : NULL;
	char ns[256];

	if (!colon || !slash)
		return;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - colon - 1), colon + 1);
	if (!strncmp(key, "job:", 4))
		sync_job(jc, ns, slash + 1);
	else
		sync_orphan(jc, ns, slash + 1);
}

struct jobcontroller *jobcontroller_start(struct store *store, const struct job_sync_config *config,
					  struct error *err)
{
	struct jobcontroller *jc = xcalloc(1, sizeof(*jc));
	struct store_watch_options opts = {
		.kinds = RESOURCE_BIT(RESOURCE_JOB) | RESOURCE_BIT(RESOURCE_POD),
		.resource_version = STORE_WATCH_FROM_LIST,
	};
	struct api_error aerr = API_ERROR_INIT;

	jc->store = store;
	jc->config = *config;
	pthread_mutex_init(&jc->lock, NULL);
	hashmap_init(&jc->backoff);
	jc->queue = workqueue_new("job-controller", sync_key, jc);
	jc->sub = store_subscribe(store, &opts, on_event, jc, &aerr);
	if (!jc->sub) {
		error_set(err, "job controller cannot follow jobs: %s", aerr.message);
		jobcontroller_stop(jc);
		return NULL;
	}
	return jc;
}

void jobcontroller_stop(struct jobcontroller *jc)
{
	if (!jc)
		return;
	store_unsubscribe(jc->sub);
	workqueue_free(jc->queue);
	hashmap_release_with(&jc->backoff, free);
	pthread_mutex_destroy(&jc->lock);
	free(jc);
}
