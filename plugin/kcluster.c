/* kcluster.c — the plugin's layer over kube/: opening a client from
 * kubectl's flags, finding and listing jobs, watching one, and its
 * recorded result (see kcluster.h). */
#include "kcluster.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cleanup.h"
#include "exitcode.h"
#include "hashmap.h"
#include "jsonutil.h"
#include "kube_informer.h"
#include "labels.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "userconfig.h"
#include "version.h"
#include "xalloc.h"

/* How kube_config_load() says that nothing configures a cluster. */
#define NO_CONFIGURATION "invalid configuration: no configuration has been"
/* Events are fetched for at most this many pods that have not started. */
#define EVENTS_MAX_PODS 8

/* --- the client ------------------------------------------------------------ */

int kcluster_open(const struct cluster_flags *flags, struct kcluster **ret, struct error *err)
{
	struct kube_overrides overrides = {
		.kubeconfig = flags->kubeconfig,
		.context = flags->context,
		.cluster = flags->cluster,
		.user = flags->user,
		.namespace = flags->namespace,
		.server = flags->server,
		.request_timeout = flags->request_timeout,
	};
	struct kube_config *config = NULL;
	struct kube_client *client;
	struct kcluster *kc;

	if (flags->verbosity > 0)
		log_set_level(flags->verbosity > 10 ? 10 : (int)flags->verbosity);
	if (kube_config_load(&overrides, &config, err) < 0) {
		if (!err || !str_has_prefix(err->msg, NO_CONFIGURATION))
			return -1;
		return error_set(err, "no cluster is configured (set KUBECONFIG, use --kubeconfig "
				      "or --server, or create ~/.kube/config); start one on this "
				      "machine with 'kubectl konduktor local up'");
	}
	client = kube_client_new(config, err);
	if (!client)
		return -1;
	kube_client_set_user_agent(client, KCLUSTER_USER_AGENT_PREFIX KONDUKTOR_VERSION);
	kc = xcalloc(1, sizeof(*kc));
	kc->client = client;
	kc->namespace = kube_client_config(client)->namespace;
	if (kube_client_config(client)->namespace_source == KUBE_NAMESPACE_DEFAULT) {
		struct user_config user;

		if (user_config_load(NULL, &user, err) < 0) {
			kcluster_close(kc);
			return -1;
		}
		if (user.namespace)
			kc->namespace = kc->namespace_storage = xstrdup(user.namespace);
		user_config_release(&user);
	}
	kc->all_namespaces = flags->all_namespaces;
	kc->request_timeout_ms = kube_client_config(client)->request_timeout_ms;
	*ret = kc;
	return 0;
}

void kcluster_close(struct kcluster *kc)
{
	if (!kc)
		return;
	kube_client_free(kc->client);
	free(kc->namespace_storage);
	free(kc);
}

const char *kcluster_list_namespace(const struct kcluster *kc)
{
	return kc->all_namespaces ? NULL : kc->namespace;
}

int kcluster_exit_code(const struct error *err)
{
	return err->code == 404 ? EXIT_NOT_FOUND : EXIT_ERROR;
}

/* One answer per server for the life of the process. */
static struct {
	pthread_mutex_t lock;
	char *server[8];
	bool served[8];
	size_t n;
} jobset_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

int kcluster_jobsets_served(struct kcluster *kc, bool *ret_served, struct error *err)
{
	const char *server = kube_client_config(kc->client)->server;
	bool served = false;

	pthread_mutex_lock(&jobset_cache.lock);
	for (size_t i = 0; i < jobset_cache.n; i++) {
		if (!strcmp(jobset_cache.server[i], server)) {
			*ret_served = jobset_cache.served[i];
			pthread_mutex_unlock(&jobset_cache.lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&jobset_cache.lock);
	if (kube_resource_served(kc->client, &kube_jobsets, &served, err) < 0)
		return -1;
	pthread_mutex_lock(&jobset_cache.lock);
	if (jobset_cache.n < ARRAY_SIZE(jobset_cache.server)) {
		jobset_cache.server[jobset_cache.n] = xstrdup(server);
		jobset_cache.served[jobset_cache.n++] = served;
	}
	pthread_mutex_unlock(&jobset_cache.lock);
	*ret_served = served;
	return 0;
}

/* --- finding jobs ------------------------------------------------------------ */

void kjob_init(struct kjob *job)
{
	memset(job, 0, sizeof(*job));
	job->pods = cJSON_CreateArray();
}

void kjob_release(struct kjob *job)
{
	free(job->namespace);
	free(job->name);
	cJSON_Delete(job->workload);
	cJSON_Delete(job->pods);
	cJSON_Delete(job->events);
	memset(job, 0, sizeof(*job));
}

/* Empties a job for refilling. */
static void kjob_reset(struct kjob *job)
{
	kjob_release(job);
	kjob_init(job);
}

static const char *label_of(const cJSON *object, const char *key)
{
	return json_get_child_string(json_get(object, "metadata.labels"), key);
}

/* Ours, and a workload: not a JobSet's child Job (which carries the
 * JobSet's labels too). */
static bool is_konduktor_workload(const cJSON *object)
{
	return str_eq(label_of(object, LABEL_MANAGED_BY), LABEL_MANAGED_BY_VALUE) &&
	       label_of(object, LABEL_KIND) && !label_of(object, JOBSET_NAME_LABEL);
}

char *kjob_pod_selector(const struct kjob *job)
{
	const char *group = label_of(job->workload, LABEL_GROUP_ID);

	if (job->workload && str_eq(label_of(job->workload, LABEL_KIND), LABEL_KIND_GROUP) && group)
		return xasprintf(LABEL_GROUP_ID "=%s", group);
	return xasprintf(LABEL_JOB_NAME "=%s", job->name);
}

int kjob_status(const struct kjob *job, struct job_status *ret, struct error *err)
{
	return job_status_compute(job->workload, job->pods, job->events, ret, err);
}

/* The items of a List, detached (a new empty array if it has none). */
static cJSON *take_items(cJSON *list)
{
	cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(list, "items");

	if (!cJSON_IsArray(items)) {
		cJSON_Delete(items);
		items = cJSON_CreateArray();
	}
	return items;
}

/* The items of a list: every page, or one page of at most `limit`. */
static int list_items_limited(struct kcluster *kc, const struct kube_resource *res, const char *ns,
			      const char *label_selector, const char *field_selector, int64_t limit,
			      cJSON **ret_items, struct error *err)
{
	struct kube_list_opts opts = { .label_selector = label_selector,
				       .field_selector = field_selector,
				       .limit = limit };
	cJSON *list = NULL;

	if ((limit > 0 ? kube_list(kc->client, res, ns, &opts, &list, err)
		       : kube_list_all(kc->client, res, ns, &opts, &list, err)) < 0)
		return -1;
	*ret_items = take_items(list);
	cJSON_Delete(list);
	return 0;
}

static int list_items(struct kcluster *kc, const struct kube_resource *res, const char *ns,
		      const char *label_selector, const char *field_selector, cJSON **ret_items,
		      struct error *err)
{
	return list_items_limited(kc, res, ns, label_selector, field_selector, 0, ret_items, err);
}

/* Events of the pods that have not started: why they wait. */
static int fetch_events(struct kcluster *kc, struct kjob *job, struct error *err)
{
	const cJSON *pod;
	size_t asked = 0;

	cJSON_Delete(job->events);
	job->events = cJSON_CreateArray();
	cJSON_ArrayForEach(pod, job->pods) {
		_cleanup_free_ char *selector = NULL;
		cJSON *events = NULL, *e;
		const char *name = json_get_string(pod, "metadata.name");

		if (!name || !str_eq(json_get_string(pod, "status.phase"), "Pending"))
			continue;
		if (asked++ == EVENTS_MAX_PODS)
			break;
		selector = xasprintf("involvedObject.kind=Pod,involvedObject.name=%s", name);
		if (list_items(kc, &kube_events, job->namespace, NULL, selector, &events, err) < 0)
			return -1;
		while ((e = cJSON_DetachItemFromArray(events, 0)))
			cJSON_AddItemToArray(job->events, e);
		cJSON_Delete(events);
	}
	return 0;
}

static int fetch_pods(struct kcluster *kc, struct kjob *job, struct error *err)
{
	_cleanup_free_ char *selector = kjob_pod_selector(job);
	cJSON *pods = NULL;

	if (list_items(kc, &kube_pods, job->namespace, selector, NULL, &pods, err) < 0)
		return -1;
	cJSON_Delete(job->pods);
	job->pods = pods;
	return 0;
}

/* GET one workload: 0 with *ret NULL when absent. */
static int get_workload(struct kcluster *kc, const struct kube_resource *res, const char *ns,
			const char *name, cJSON **ret, struct error *err)
{
	struct error why = ERROR_INIT;

	*ret = NULL;
	if (kube_get(kc->client, res, ns, name, ret, &why) == 0)
		return 0;
	if (why.code == 404)
		return 0;
	if (err)
		*err = why;
	return -1;
}

int kcluster_job_get(struct kcluster *kc, const char *ns, const char *name, unsigned flags,
		     struct kjob *ret, struct error *err)
{
	_cleanup_json_ cJSON *job = NULL, *jobset = NULL;

	if (!ns)
		ns = kc->namespace;
	kjob_reset(ret);
	ret->namespace = xstrdup(ns);
	ret->name = xstrdup(name);
	if (!str_is_dns_subdomain(name, strlen(name)))
		return 0; /* no object can have this name */
	if (get_workload(kc, &kube_jobs, ns, name, &job, err) < 0)
		return -1;
	if (job && is_konduktor_workload(job)) {
		ret->resource = &kube_jobs;
		ret->workload = TAKE_PTR(job);
	} else {
		/* Where JobSets are not served, the GET is a 404 too. */
		if (get_workload(kc, &kube_jobsets, ns, name, &jobset, err) < 0)
			return -1;
		if (jobset && is_konduktor_workload(jobset)) {
			ret->resource = &kube_jobsets;
			ret->workload = TAKE_PTR(jobset);
		} else if (job || jobset) {
			return error_set_code(err, 404,
					      "%s '%s' in namespace '%s' was not launched by kubectl "
					      "konduktor",
					      job ? "Job" : "JobSet", name, ns);
		} else {
			return 0;
		}
	}
	if (fetch_pods(kc, ret, err) < 0)
		return -1;
	if ((flags & KJOB_WITH_EVENTS) && fetch_events(kc, ret, err) < 0)
		return -1;
	return 0;
}

int kcluster_job_refresh(struct kcluster *kc, struct kjob *job, struct error *err)
{
	cJSON *workload = NULL;

	if (!job->resource)
		return error_set(err, "job '%s' was never found", job->name);
	if (get_workload(kc, job->resource, job->namespace, job->name, &workload, err) < 0)
		return -1;
	cJSON_Delete(job->workload);
	job->workload = workload;
	return fetch_pods(kc, job, err);
}

/* "managed-by=kubectl-konduktor,konduktor.io/kind=<kind>,component=workload". */
static char *workload_selector(const char *kind, const char *extra)
{
	return xasprintf(LABEL_MANAGED_BY "=" LABEL_MANAGED_BY_VALUE "," LABEL_KIND "=%s,"
					  LABEL_COMPONENT "=" LABEL_COMPONENT_WORKLOAD "%s%s",
			 kind, extra && *extra ? "," : "", extra && *extra ? extra : "");
}

/* The workloads of `kind`: Jobs (not a JobSet's children), then JobSets
 * where served (no discovery: a list is as cheap, and a 404 says none).
 * A new array. */
static int list_workloads(struct kcluster *kc, const char *ns, const char *kind,
			  const char *selector, int64_t limit, cJSON **ret, struct error *err)
{
	_cleanup_free_ char *base = workload_selector(kind, selector);
	_cleanup_free_ char *jobs_selector = xasprintf("%s,!" JOBSET_NAME_LABEL, base);
	cJSON *items = NULL, *jobsets = NULL, *item;

	if (list_items_limited(kc, &kube_jobs, ns, jobs_selector, NULL, limit, &items, err) < 0)
		return error_prefix(err, "listing jobs");
	if (str_eq(kind, LABEL_KIND_JOB)) {
		struct error why = ERROR_INIT;

		/* Where JobSets are not served the list is a 404: none, then. */
		if (list_items_limited(kc, &kube_jobsets, ns, base, NULL, limit, &jobsets, &why) < 0 &&
		    why.code != 404) {
			if (err)
				*err = why;
			cJSON_Delete(items);
			return error_prefix(err, "listing jobsets");
		}
		while (jobsets && (item = cJSON_DetachItemFromArray(jobsets, 0)))
			cJSON_AddItemToArray(items, item);
		cJSON_Delete(jobsets);
	}
	*ret = items;
	return 0;
}

static int compare_jobs(const void *a, const void *b)
{
	const struct kjob *x = a, *y = b;
	int c = strcmp(x->namespace, y->namespace);

	return c ? c : strcmp(x->name, y->name);
}

/* "ns/name" of the job a pod belongs to. */
static char *pod_owner_key(const cJSON *pod, const char *kind)
{
	const char *owner = str_eq(kind, LABEL_KIND_GROUP) ? label_of(pod, LABEL_GROUP_ID)
							   : label_of(pod, LABEL_JOB_NAME);
	const char *ns = json_get_string(pod, "metadata.namespace");

	return owner && ns ? xasprintf("%s/%s", ns, owner) : NULL;
}

int kcluster_job_list(struct kcluster *kc, const char *ns, const char *kind, const char *selector,
		      struct kjob **ret_jobs, size_t *ret_n, struct error *err)
{
	_cleanup_json_ cJSON *workloads = NULL, *pods = NULL;
	_cleanup_free_ char *pods_selector = workload_selector(kind, selector);
	struct hashmap by_key = HASHMAP_INIT;
	struct kjob *jobs;
	size_t n = 0;
	cJSON *item, *pod;

	if (list_workloads(kc, ns, kind, selector, 0, &workloads, err) < 0 ||
	    list_items(kc, &kube_pods, ns, pods_selector, NULL, &pods, err) < 0)
		return -1;
	jobs = xcalloc((size_t)cJSON_GetArraySize(workloads) + 1, sizeof(*jobs));
	while ((item = cJSON_DetachItemFromArray(workloads, 0))) {
		struct kjob *job = &jobs[n++];
		_cleanup_free_ char *key = NULL;

		kjob_init(job);
		job->namespace = xstrdup(json_get_string(item, "metadata.namespace")
						 ? json_get_string(item, "metadata.namespace")
						 : "");
		job->name = xstrdup(json_get_string(item, "metadata.name")
					    ? json_get_string(item, "metadata.name")
					    : "");
		job->resource = str_eq(json_get_string(item, "kind"), "JobSet") ? &kube_jobsets
										  : &kube_jobs;
		job->workload = item;
		key = xasprintf("%s/%s", job->namespace,
				str_eq(kind, LABEL_KIND_GROUP) && label_of(item, LABEL_GROUP_ID)
					? label_of(item, LABEL_GROUP_ID)
					: job->name);
		hashmap_put(&by_key, key, job);
	}
	while ((pod = cJSON_DetachItemFromArray(pods, 0))) {
		_cleanup_free_ char *key = pod_owner_key(pod, kind);
		struct kjob *job = key ? hashmap_get(&by_key, key) : NULL;

		if (job)
			cJSON_AddItemToArray(job->pods, pod);
		else
			cJSON_Delete(pod); /* its workload is gone, or was listed too late */
	}
	hashmap_release(&by_key);
	qsort(jobs, n, sizeof(*jobs), compare_jobs);
	*ret_jobs = jobs;
	*ret_n = n;
	return 0;
}

void kjob_list_free(struct kjob *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kjob_release(&jobs[i]);
	free(jobs);
}

int kcluster_job_names(struct kcluster *kc, const char *ns, const char *kind, int64_t limit,
		       struct strv *ret_names, struct error *err)
{
	_cleanup_json_ cJSON *items = NULL;
	const cJSON *item;
	bool group = str_eq(kind, LABEL_KIND_GROUP);

	if (list_workloads(kc, ns, kind, NULL, limit, &items, err) < 0)
		return -1;
	cJSON_ArrayForEach(item, items) {
		const char *name = group ? label_of(item, LABEL_GROUP_ID)
					 : json_get_string(item, "metadata.name");

		if (name && *name)
			strv_push(ret_names, name);
	}
	return 0;
}

/* --- watching ---------------------------------------------------------------- */

struct kcluster_watch {
	struct kcluster *kc;
	char *namespace;
	char *name;
	struct kube_informer *workload;
	struct kube_informer *pods;

	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint64_t generation; /* counts changes */
	uint64_t seen;       /* the generation last returned */
	bool returned;       /* a picture was returned once */
	unsigned synced;     /* bit 0: workload, bit 1: pods */
	bool disconnected;
	int64_t disconnected_since;
	struct error last_error;
};

struct informer_ctx {
	struct kcluster_watch *watch;
	unsigned bit;
};

static void watch_bump(struct kcluster_watch *w)
{
	pthread_mutex_lock(&w->lock);
	w->generation++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

static void on_workload_event(enum kube_event_type type, const cJSON *object,
			      const cJSON *old_object, void *ctx)
{
	(void)type;
	(void)object;
	(void)old_object;
	watch_bump(ctx);
}

static void on_synced_common(struct kcluster_watch *w, unsigned bit)
{
	pthread_mutex_lock(&w->lock);
	w->synced |= bit;
	w->generation++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

static void on_workload_synced(void *ctx)
{
	on_synced_common(ctx, 1u);
}

static void on_pods_synced(void *ctx)
{
	on_synced_common(ctx, 2u);
}

static void on_connection(bool connected, const struct error *err, void *ctx)
{
	struct kcluster_watch *w = ctx;

	pthread_mutex_lock(&w->lock);
	if (connected) {
		w->disconnected = false;
	} else {
		if (!w->disconnected)
			w->disconnected_since = time_mono_ms();
		w->disconnected = true;
		if (err)
			w->last_error = *err;
	}
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

int kcluster_watch_start(struct kcluster *kc, const struct kjob *job,
			 struct kcluster_watch **ret, struct error *err)
{
	struct kcluster_watch *w;
	pthread_condattr_t attr;
	_cleanup_free_ char *field = NULL, *selector = kjob_pod_selector(job);
	struct kube_informer_opts opts = { 0 };

	if (!job->resource)
		return error_set(err, "job '%s' cannot be watched before it is found", job->name);
	w = xcalloc(1, sizeof(*w));
	w->kc = kc;
	w->namespace = xstrdup(job->namespace);
	w->name = xstrdup(job->name);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->changed, &attr);
	pthread_condattr_destroy(&attr);

	field = xasprintf("metadata.name=%s", job->name);
	opts = (struct kube_informer_opts){
		.resource = job->resource,
		.namespace = job->namespace,
		.field_selector = field,
		.on_event = on_workload_event,
		.on_synced = on_workload_synced,
		.on_status = on_connection,
		.ctx = w,
		.min_backoff_ms = 200,
		.max_backoff_ms = 5000,
	};
	w->workload = kube_informer_start(kc->client, &opts, err);
	if (!w->workload)
		goto fail;
	opts.resource = &kube_pods;
	opts.field_selector = NULL;
	opts.label_selector = selector;
	opts.on_synced = on_pods_synced;
	w->pods = kube_informer_start(kc->client, &opts, err);
	if (!w->pods)
		goto fail;
	*ret = w;
	return 0;
fail:
	kcluster_watch_free(w);
	return -1;
}

static int collect_pod(const cJSON *object, void *ctx)
{
	cJSON_AddItemToArray(ctx, cJSON_Duplicate(object, true));
	return 0;
}

int kcluster_watch_next(struct kcluster_watch *w, int64_t deadline_ms, struct kjob *ret,
			struct error *err)
{
	int64_t limit = w->kc->request_timeout_ms;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		int64_t now = time_mono_ms(), wake = deadline_ms;

		if (w->synced == 3u && (!w->returned || w->generation != w->seen))
			break;
		if (w->disconnected && limit > 0) {
			int64_t give_up = w->disconnected_since + limit;

			if (now >= give_up) {
				error_set_code(err, w->last_error.code,
					       "lost the connection to the API server for more than "
					       "%lld s: %s",
					       (long long)(limit / 1000), w->last_error.msg);
				pthread_mutex_unlock(&w->lock);
				return -1;
			}
			if (wake < 0 || give_up < wake)
				wake = give_up;
		}
		if (deadline_ms >= 0 && now >= deadline_ms) {
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		if (wake < 0) {
			pthread_cond_wait(&w->changed, &w->lock);
		} else {
			struct timespec ts;

			time_after_ms(CLOCK_MONOTONIC, wake - now, &ts);
			pthread_cond_timedwait(&w->changed, &w->lock, &ts);
		}
	}
	w->seen = w->generation;
	w->returned = true;
	pthread_mutex_unlock(&w->lock);

	kjob_reset(ret);
	ret->namespace = xstrdup(w->namespace);
	ret->name = xstrdup(w->name);
	ret->workload = kube_informer_get(w->workload, w->namespace, w->name);
	ret->resource = ret->workload ? (str_eq(json_get_string(ret->workload, "kind"), "JobSet")
						 ? &kube_jobsets
						 : &kube_jobs)
				      : NULL;
	kube_informer_foreach(w->pods, collect_pod, ret->pods);
	return 1;
}

void kcluster_watch_free(struct kcluster_watch *w)
{
	if (!w)
		return;
	kube_informer_free(w->workload);
	kube_informer_free(w->pods);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w->namespace);
	free(w->name);
	free(w);
}

/* What makes two statuses different for a person watching. */
static void status_fingerprint(const struct job_status *st, struct buf *out)
{
	buf_reset(out);
	buf_printf(out, "%d|%d|%d|%d|%s", st->state, st->reason, st->stuck, st->restarts,
		   st->message);
	for (size_t i = 0; i < st->n_indexes; i++) {
		const struct index_status *is = &st->indexes[i];

		if (buf_printf(out, "|%d,%d,%d,%d,%s", is->state, is->reason, is->attempts,
			       is->exit_code,
			       is->pod && json_get_string(is->pod, "metadata.name")
				       ? json_get_string(is->pod, "metadata.name")
				       : "") < 0)
			break; /* huge: compared by its head, the counts below settle it */
	}
	for (size_t s = 0; s < JOB_STATE_COUNT; s++)
		buf_printf(out, "#%zu", st->counts[s]);
}

int kcluster_job_wait(struct kcluster *kc, const struct kjob *job, int64_t deadline_ms,
		      kcluster_status_fn fn, void *ctx, struct error *err)
{
	struct kcluster_watch *w = NULL;
	struct kjob now;
	struct buf previous = BUF_INIT(BUF_MAX_DEFAULT), current = BUF_INIT(BUF_MAX_DEFAULT);
	bool first = true;
	int ret = -1;

	if (kcluster_watch_start(kc, job, &w, err) < 0)
		return -1;
	kjob_init(&now);
	for (;;) {
		struct job_status st;
		int r = kcluster_watch_next(w, deadline_ms, &now, err);

		if (r <= 0) {
			ret = r;
			break;
		}
		if (kjob_status(&now, &st, err) < 0)
			break;
		status_fingerprint(&st, &current);
		if (first || current.len != previous.len ||
		    memcmp(current.data, previous.data, current.len)) {
			bool stop = fn(&now, &st, ctx);

			first = false;
			buf_reset(&previous);
			buf_append(&previous, current.data, current.len);
			if (stop) {
				job_status_release(&st);
				ret = 1;
				break;
			}
		}
		job_status_release(&st);
	}
	kjob_release(&now);
	buf_release(&previous);
	buf_release(&current);
	kcluster_watch_free(w);
	return ret;
}

/* --- deleting --------------------------------------------------------------- */

int kcluster_delete_labelled(struct kcluster *kc, const struct kube_resource *res, const char *ns,
			     const char *selector, size_t *ret_n, struct error *err)
{
	struct buf path = BUF_INIT(4096);
	_cleanup_json_ cJSON *body = cJSON_CreateObject(), *answer = NULL;
	int r = -1;

	json_set_string(body, "apiVersion", "v1");
	json_set_string(body, "kind", "DeleteOptions");
	json_set_string(body, "propagationPolicy", "Background");
	if (kube_path_append(&path, res, ns, NULL, NULL, err) < 0)
		goto out;
	if (kube_query_append(&path, "labelSelector", selector) < 0) {
		error_set(err, "label selector '%s' is too long", selector);
		goto out;
	}
	if (kube_request_json(kc->client, "DELETE", path.data, body, "application/json", &answer,
			      err) < 0)
		goto out;
	if (ret_n)
		*ret_n = (size_t)cJSON_GetArraySize(json_get(answer, "items"));
	r = 0;
out:
	buf_release(&path);
	return r;
}

/* --- results ----------------------------------------------------------------- */

bool kjob_result_recorded(const struct kjob *job)
{
	return json_get_child_string(json_get(job->workload, "metadata.annotations"),
				     ANNOTATION_RESULT) != NULL;
}

size_t kjob_failing_index(const struct job_status *st)
{
	return result_failing_index(st);
}

enum kjob_outcome kjob_result(const struct kjob *job, const struct job_status *st, bool settled,
			      struct result *ret)
{
	if (!job->workload)
		return KJOB_GONE;
	switch (result_from_job(job->workload, st, settled, ret)) {
	case JOB_RESULT_PENDING:
		return KJOB_NOT_FINISHED;
	case JOB_RESULT_CANCELLED:
		return KJOB_CANCELLED;
	case JOB_RESULT_PODS_BEHIND:
		return KJOB_PODS_BEHIND;
	case JOB_RESULT_DECIDED:
		break;
	}
	return KJOB_DECIDED;
}

int kcluster_job_result(struct kcluster *kc, struct kjob *job, struct job_status *st,
			enum kjob_outcome *ret_outcome, struct result *ret, struct error *err)
{
	enum kjob_outcome outcome = kjob_result(job, st, false, ret);

	if (outcome == KJOB_PODS_BEHIND) {
		if (kcluster_job_refresh(kc, job, err) < 0)
			return -1;
		job_status_release(st);
		if (kjob_status(job, st, err) < 0)
			return -1;
		outcome = kjob_result(job, st, true, ret);
	}
	*ret_outcome = outcome;
	return 0;
}

int kcluster_result_record(struct kcluster *kc, const struct kjob *job, const struct result *r,
			   struct error *err)
{
	_cleanup_json_ cJSON *patch = NULL;

	if (!job->workload || !job->resource || kjob_result_recorded(job) ||
	    r->outcome == RESULT_TIMEOUT)
		return 0;
	patch = result_annotations_patch(r);
	return kube_patch(kc->client, job->resource, job->namespace, job->name, KUBE_PATCH_MERGE,
			  patch, NULL, NULL, err);
}
