/* scheduler.c — binds pending pods to the node (see scheduler.h).
 *
 * The store subscription keeps two maps under sc->lock: the pods waiting
 * for a node and the requests of the pods bound to it and not finished.
 * Every change queues one scheduling pass (the work queue's single key),
 * which tries each waiting pod in turn. */
#include "scheduler.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "hashmap.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "log.h"
#include "schedfit.h"
#include "store.h"
#include "strutil.h"
#include "workqueue.h"
#include "xalloc.h"

#define SCHEDULER_NAME "default-scheduler"
#define PASS_KEY "pass"

struct waiting_pod {
	char *key;
	int64_t priority;
	int64_t created;
	uint64_t seq; /* order of arrival, for equal creation times */
};

struct scheduler {
	struct store *store;
	char *node;
	struct workqueue *queue;
	struct store_subscription *sub;
	pthread_mutex_t lock;
	struct hashmap waiting; /* "ns/name" -> struct waiting_pod */
	struct hashmap bound;   /* pod uid -> struct resource_list */
	uint64_t seq;
};

static void waiting_pod_free(void *value)
{
	struct waiting_pod *w = value;

	if (w) {
		free(w->key);
		free(w);
	}
}

static void forget_waiting(struct scheduler *sc, const char *key)
{
	waiting_pod_free(hashmap_remove(&sc->waiting, key));
}

static void on_event(void *ctx, const struct store_event *ev)
{
	struct scheduler *sc = ctx;
	const struct store_obj *obj = ev->object;
	char key[512];

	if (obj->kind == RESOURCE_NODE) {
		workqueue_add(sc->queue, PASS_KEY);
		return;
	}
	snprintf(key, sizeof(key), "%s/%s", obj->namespace, obj->name);
	pthread_mutex_lock(&sc->lock);
	if (ev->type == STORE_EVENT_DELETED) {
		forget_waiting(sc, key);
		free(hashmap_remove(&sc->bound, obj->uid));
	} else {
		cJSON *pod = store_obj_parse(obj);
		const char *node = json_get_string(pod, "spec.nodeName");
		const char *name = json_get_string(pod, "spec.schedulerName");

		if (str_is_empty(node) && !k8s_is_deleting(pod) && !pod_is_terminal(pod) &&
		    (!name || !strcmp(name, SCHEDULER_NAME))) {
			if (!hashmap_get(&sc->waiting, key)) {
				struct waiting_pod *w = xcalloc(1, sizeof(*w));

				w->key = xstrdup(key);
				json_get_int64(pod, "spec.priority", &w->priority);
				w->created = k8s_time_at(pod, "metadata.creationTimestamp");
				w->seq = sc->seq++;
				hashmap_put(&sc->waiting, key, w);
			}
		} else {
			forget_waiting(sc, key);
		}
		if (str_eq(node, sc->node) && !pod_is_terminal(pod)) {
			if (!hashmap_get(&sc->bound, obj->uid)) {
				struct resource_list *r = xmalloc(sizeof(*r));

				pod_requests(json_get(pod, "spec"), r);
				hashmap_put(&sc->bound, obj->uid, r);
			}
		} else {
			free(hashmap_remove(&sc->bound, obj->uid));
		}
		cJSON_Delete(pod);
	}
	pthread_mutex_unlock(&sc->lock);
	workqueue_add(sc->queue, PASS_KEY);
}

static int compare_waiting(const void *a, const void *b)
{
	const struct waiting_pod *x = *(struct waiting_pod *const *)a;
	const struct waiting_pod *y = *(struct waiting_pod *const *)b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct unschedulable {
	const char *message;
};

static int mutate_unschedulable(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct unschedulable *u = ctx;

	if (json_get_string(obj, "spec.nodeName"))
		return 1; /* bound meanwhile */
	return k8s_set_condition(json_ensure_object(obj, "status"), "conditions", "PodScheduled",
				 "False", "Unschedulable", u->message, false, false)
		       ? 0
		       : 1;
}

static void schedule_one(struct scheduler *sc, const struct waiting_pod *w, const cJSON *node,
			 struct resource_list *used)
{
	struct store_obj *obj = NULL, *bound = NULL;
	struct api_error aerr = API_ERROR_INIT;
	struct buf message = BUF_INIT(BUF_MAX_SMALL);
	char ns[256];
	const char *slash = strchr(w->key, '/'), *name = slash ? slash + 1 : w->key;
	const cJSON *current;
	cJSON *pod;

	snprintf(ns, sizeof(ns), "%.*s", slash ? (int)(slash - w->key) : 0, w->key);
	if (store_get(sc->store, RESOURCE_POD, ns, name, &obj, &aerr) < 0)
		return;
	pod = store_obj_parse(obj);
	if (!str_is_empty(json_get_string(pod, "spec.nodeName")) || k8s_is_deleting(pod))
		goto out;
	if (sched_fit(node, json_get(pod, "spec"), used, &message)) {
		struct resource_list want;

		if (store_bind_pod(sc->store, ns, name, sc->node, &bound, &aerr) < 0) {
			log_debug("scheduler: cannot bind '%s': %s", w->key, aerr.message);
			goto out;
		}
		pod_requests(json_get(pod, "spec"), &want);
		for (size_t i = 0; i < want.len; i++)
			resource_list_add(used, want.items[i].name, want.items[i].milli);
		if (!hashmap_get(&sc->bound, obj->uid)) {
			struct resource_list *r = xmalloc(sizeof(*r));

			*r = want;
			hashmap_put(&sc->bound, obj->uid, r);
		}
		store_record_event(sc->store, bound, NULL, "Normal", "Scheduled", SCHEDULER_NAME,
				   "Successfully assigned %s/%s to %s", ns, name, sc->node);
		goto out;
	}
	current = k8s_condition(pod, "status.conditions", "PodScheduled");
	if (!str_eq(json_get_string(current, "message"), message.data) ||
	    !str_eq(json_get_string(current, "status"), "False")) {
		struct unschedulable u = { message.data };
		struct store_write_options opts = { .status = true };

		store_mutate(sc->store, RESOURCE_POD, ns, name, mutate_unschedulable, &u, &opts, NULL,
			     NULL);
		store_record_event(sc->store, obj, NULL, "Warning", "FailedScheduling", SCHEDULER_NAME,
				   "%s", message.data);
	}
out:
	buf_release(&message);
	cJSON_Delete(pod);
	store_obj_unref(obj);
	store_obj_unref(bound);
}

static void pass(void *ctx, const char *key)
{
	struct scheduler *sc = ctx;
	struct store_obj *node_obj = NULL;
	cJSON *node = NULL;
	struct resource_list used = { .len = 0 };
	struct waiting_pod **order;
	size_t n = 0, pos = 0;
	const char *k;
	void *value;

	(void)key;
	if (store_get(sc->store, RESOURCE_NODE, NULL, sc->node, &node_obj, NULL) == 0)
		node = store_obj_parse(node_obj);
	pthread_mutex_lock(&sc->lock);
	while (hashmap_next(&sc->bound, &pos, &k, &value)) {
		const struct resource_list *r = value;

		for (size_t i = 0; i < r->len; i++)
			resource_list_add(&used, r->items[i].name, r->items[i].milli);
	}
	order = xcalloc(sc->waiting.len + 1, sizeof(*order));
	pos = 0;
	while (hashmap_next(&sc->waiting, &pos, &k, &value))
		order[n++] = value;
	qsort(order, n, sizeof(*order), compare_waiting);
	for (size_t i = 0; i < n; i++)
		schedule_one(sc, order[i], node, &used);
	pthread_mutex_unlock(&sc->lock);
	free(order);
	cJSON_Delete(node);
	store_obj_unref(node_obj);
}

struct scheduler *scheduler_start(struct store *store, const char *node_name, struct error *err)
{
	struct scheduler *sc = xcalloc(1, sizeof(*sc));
	struct store_watch_options opts = {
		.kinds = RESOURCE_BIT(RESOURCE_POD) | RESOURCE_BIT(RESOURCE_NODE),
		.resource_version = STORE_WATCH_FROM_LIST,
	};
	struct api_error aerr = API_ERROR_INIT;

	sc->store = store;
	sc->node = xstrdup(node_name);
	pthread_mutex_init(&sc->lock, NULL);
	hashmap_init(&sc->waiting);
	hashmap_init(&sc->bound);
	sc->queue = workqueue_new("scheduler", pass, sc);
	sc->sub = store_subscribe(store, &opts, on_event, sc, &aerr);
	if (!sc->sub) {
		error_set(err, "scheduler cannot follow pods: %s", aerr.message);
		scheduler_stop(sc);
		return NULL;
	}
	return sc;
}

void scheduler_stop(struct scheduler *sc)
{
	if (!sc)
		return;
	store_unsubscribe(sc->sub);
	workqueue_free(sc->queue);
	hashmap_release_with(&sc->waiting, waiting_pod_free);
	hashmap_release_with(&sc->bound, free);
	pthread_mutex_destroy(&sc->lock);
	free(sc->node);
	free(sc);
}
