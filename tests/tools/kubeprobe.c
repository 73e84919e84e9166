/* kubeprobe.c — a small kubectl-like CLI over the kube/ client library, for
 * the integration tests: every call the library offers, driven from the
 * command line with kubectl's cluster flags, printing JSON on stdout and
 * "error: <message>" plus "code: <n>" on stderr. Not installed. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "kube_bulk.h"
#include "kube_client.h"
#include "kube_informer.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

struct probe {
	struct kube_overrides ov;
	const char *label_selector, *field_selector, *container, *propagation;
	const char *patch_type, *field_validation;
	int64_t limit, tail, since, limit_bytes, grace, repeat, threads, count, max_in_flight;
	int64_t timeout_seconds, cancel_after_ms;
	bool all_namespaces, all_pages, dry_run, follow, timestamps, previous, status, has_tail;
	bool has_grace, trim_cache;
	struct kube_client *client;
};

static const struct {
	const char *name;
	const struct kube_resource *res;
} resources[] = {
	{ "pods", &kube_pods },		{ "services", &kube_services },
	{ "configmaps", &kube_configmaps }, { "secrets", &kube_secrets },
	{ "events", &kube_events },	{ "namespaces", &kube_namespaces },
	{ "nodes", &kube_nodes },	{ "jobs", &kube_jobs },
	{ "jobsets", &kube_jobsets },
};

static int fail(const struct error *err)
{
	fprintf(stderr, "error: %s\ncode: %d\n", err->msg, err->code);
	return err->code == 404 ? 3 : 1;
}

static int usage(const char *why)
{
	fprintf(stderr,
		"error: %s\n"
		"usage: kubeprobe [cluster flags] COMMAND ...\n"
		"  config | get RES NAME | list RES | create RES FILE | replace RES NAME FILE\n"
		"  patch RES NAME JSON | delete RES NAME | logs POD | request METHOD PATH [BODY]\n"
		"  served RES | parallel-get RES NAME | watch RES\n"
		"  bulk-create RES FILE | bulk-get RES NAME... | bulk-delete RES NAME...\n",
		why);
	return 2;
}

static const struct kube_resource *resource_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(resources); i++)
		if (!strcmp(resources[i].name, name))
			return resources[i].res;
	return NULL;
}

static const char *namespace_of(const struct probe *p)
{
	return p->all_namespaces ? NULL : kube_client_config(p->client)->namespace;
}

static void print_json(const cJSON *doc)
{
	_cleanup_free_ char *text = doc ? json_print_compact(doc) : xstrdup("null");

	printf("%s\n", text);
	fflush(stdout);
}

static cJSON *read_json_file(const char *path, struct error *err)
{
	struct buf text = BUF_INIT(BUF_MAX_DEFAULT);
	cJSON *doc;

	if (!strcmp(path, "-") ? fd_read_all(0, &text, err) < 0
			       : file_read_all(path, &text, err) < 0) {
		buf_release(&text);
		return NULL;
	}
	doc = json_parse_bounded(text.data, text.len, text.max, err);
	buf_release(&text);
	return doc;
}

static void print_warning(const char *warning, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "Warning: %s\n", warning);
}

static int cmd_config(struct probe *p)
{
	const struct kube_config *c = kube_client_config(p->client);
	_cleanup_json_ cJSON *doc = cJSON_CreateObject();

	json_set_string(doc, "server", c->server);
	json_set_string(doc, "namespace", c->namespace);
	json_set_string(doc, "context", c->context);
	json_set_string(doc, "cluster", c->cluster_name);
	json_set_string(doc, "user", c->user_name);
	json_set(doc, "inCluster", cJSON_CreateBool(c->in_cluster));
	json_set_int64(doc, "requestTimeoutMs", c->request_timeout_ms);
	print_json(doc);
	return 0;
}

static int cmd_get(struct probe *p, const struct kube_resource *res, const char *name)
{
	for (int64_t i = 0; i < (p->repeat > 0 ? p->repeat : 1); i++) {
		cJSON *obj = NULL;
		struct error err = ERROR_INIT;
		int rc = p->status ? kube_get_status(p->client, res, namespace_of(p), name, &obj, &err)
				   : kube_get(p->client, res, namespace_of(p), name, &obj, &err);

		if (rc < 0)
			return fail(&err);
		print_json(obj);
		cJSON_Delete(obj);
	}
	return 0;
}

static int print_page(const cJSON *page, void *ctx)
{
	(void)ctx;
	print_json(page);
	return 0;
}

static int cmd_list(struct probe *p, const struct kube_resource *res)
{
	struct kube_list_opts opts = { .label_selector = p->label_selector,
				       .field_selector = p->field_selector,
				       .limit = p->limit };
	struct error err = ERROR_INIT;
	_cleanup_json_ cJSON *list = NULL;

	if (p->all_pages) {
		if (kube_list_all(p->client, res, namespace_of(p), &opts, &list, &err) < 0)
			return fail(&err);
		print_json(list);
		return 0;
	}
	if (p->count) /* --count: print each page as it comes */
		return kube_list_pages(p->client, res, namespace_of(p), &opts, print_page, NULL,
				       &err) < 0
			       ? fail(&err)
			       : 0;
	if (kube_list(p->client, res, namespace_of(p), &opts, &list, &err) < 0)
		return fail(&err);
	print_json(list);
	return 0;
}

static int cmd_write(struct probe *p, const char *verb, const struct kube_resource *res,
		     const char *name, const char *input)
{
	struct kube_write_opts opts = { .dry_run = p->dry_run,
					.field_validation = p->field_validation };
	struct error err = ERROR_INIT;
	_cleanup_json_ cJSON *body = NULL;
	_cleanup_json_ cJSON *out = NULL;
	int rc;

	if (!strcmp(verb, "patch"))
		body = json_parse_bounded(input, strlen(input), BUF_MAX_DEFAULT, &err);
	else
		body = read_json_file(input, &err);
	if (!body)
		return fail(&err);
	if (!strcmp(verb, "create")) {
		rc = kube_create(p->client, res, namespace_of(p), body, &opts, &out, &err);
	} else if (!strcmp(verb, "replace")) {
		rc = kube_replace(p->client, res, namespace_of(p), name, body, &opts, &out, &err);
	} else {
		enum kube_patch_type type = KUBE_PATCH_MERGE;

		if (str_eq(p->patch_type, "json"))
			type = KUBE_PATCH_JSON;
		else if (str_eq(p->patch_type, "strategic"))
			type = KUBE_PATCH_STRATEGIC;
		rc = p->status ? kube_patch_status(p->client, res, namespace_of(p), name, type, body,
						   &opts, &out, &err)
			       : kube_patch(p->client, res, namespace_of(p), name, type, body, &opts,
					    &out, &err);
	}
	if (rc < 0)
		return fail(&err);
	print_json(out);
	return 0;
}

static int cmd_delete(struct probe *p, const struct kube_resource *res, const char *name)
{
	struct kube_delete_opts opts = { .propagation_policy = p->propagation,
					 .set_grace_period = p->has_grace,
					 .grace_period_seconds = p->grace,
					 .dry_run = p->dry_run };
	struct error err = ERROR_INIT;
	_cleanup_json_ cJSON *out = NULL;

	if (kube_delete(p->client, res, namespace_of(p), name, &opts, &out, &err) < 0)
		return fail(&err);
	print_json(out);
	return 0;
}

static int write_stdout(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	if (fwrite(data, 1, len, stdout) != len)
		return 1;
	fflush(stdout);
	return 0;
}

struct cancel_timer {
	struct kube_cancel *cancel;
	int64_t after_ms;
};

static void *cancel_later(void *arg)
{
	struct cancel_timer *timer = arg;

	time_sleep_ms(timer->after_ms);
	kube_cancel_trigger(timer->cancel);
	return NULL;
}

static int cmd_logs(struct probe *p, const char *pod)
{
	struct kube_log_opts opts = {
		.container = p->container, .follow = p->follow, .previous = p->previous,
		.timestamps = p->timestamps, .set_tail_lines = p->has_tail, .tail_lines = p->tail,
		.since_seconds = p->since, .limit_bytes = p->limit_bytes,
	};
	struct error err = ERROR_INIT;

	if (p->follow || p->count) {
		struct kube_cancel *cancel = kube_cancel_new();
		struct cancel_timer timer = { cancel, p->cancel_after_ms };
		pthread_t thread;
		int rc;

		/* --cancel-after MS: another thread cancels the stream. */
		if (p->cancel_after_ms > 0 &&
		    pthread_create(&thread, NULL, cancel_later, &timer) != 0)
			die("pthread_create failed");
		rc = kube_pod_logs_stream(p->client, namespace_of(p), pod, &opts, write_stdout,
					  NULL, cancel, &err);
		if (p->cancel_after_ms > 0)
			pthread_join(thread, NULL);
		kube_cancel_free(cancel);
		return rc < 0 ? fail(&err) : 0;
	}
	{
		/* --count N: a buffer of N bytes (shows the limit at work). */
		struct buf out = BUF_INIT(BUF_MAX_DEFAULT);

		if (kube_pod_logs(p->client, namespace_of(p), pod, &opts, &out, &err) < 0) {
			buf_release(&out);
			return fail(&err);
		}
		fwrite(out.data, 1, out.len, stdout);
		buf_release(&out);
	}
	return 0;
}

static int cmd_request(struct probe *p, const char *method, const char *path, const char *body)
{
	struct error err = ERROR_INIT;
	_cleanup_json_ cJSON *in = NULL;
	_cleanup_json_ cJSON *out = NULL;

	if (body && !(in = json_parse_bounded(body, strlen(body), BUF_MAX_DEFAULT, &err)))
		return fail(&err);
	if (kube_request_json(p->client, method, path, in, NULL, &out, &err) < 0)
		return fail(&err);
	print_json(out);
	return 0;
}

static int cmd_served(struct probe *p, const struct kube_resource *res)
{
	struct error err = ERROR_INIT;
	bool served = false;

	if (kube_resource_served(p->client, res, &served, &err) < 0)
		return fail(&err);
	printf("%s\n", served ? "true" : "false");
	return 0;
}

struct parallel_job {
	struct probe *p;
	const struct kube_resource *res;
	const char *name;
	int failures;
	struct error err;
};

static void *parallel_worker(void *arg)
{
	struct parallel_job *job = arg;

	for (int64_t i = 0; i < (job->p->repeat > 0 ? job->p->repeat : 1); i++) {
		cJSON *obj = NULL;

		if (kube_get(job->p->client, job->res, namespace_of(job->p), job->name, &obj,
			     &job->err) < 0)
			job->failures++;
		cJSON_Delete(obj);
	}
	return NULL;
}

/* --threads T gets of one object, --repeat R each, at the same time. */
static int cmd_parallel_get(struct probe *p, const struct kube_resource *res, const char *name)
{
	int64_t n = p->threads > 0 ? p->threads : 4;
	pthread_t *threads = xcalloc((size_t)n, sizeof(*threads));
	struct parallel_job *jobs = xcalloc((size_t)n, sizeof(*jobs));
	int failures = 0, ret = 0;

	for (int64_t i = 0; i < n; i++) {
		jobs[i] = (struct parallel_job){ .p = p, .res = res, .name = name };
		if (pthread_create(&threads[i], NULL, parallel_worker, &jobs[i]) != 0)
			die("pthread_create failed");
	}
	for (int64_t i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		failures += jobs[i].failures;
		if (jobs[i].failures && !ret)
			ret = fail(&jobs[i].err);
	}
	printf("{\"requests\":%lld,\"failures\":%d}\n", (long long)(n * (p->repeat ? p->repeat : 1)),
	       failures);
	free(threads);
	free(jobs);
	return ret;
}

/* --- watch: an informer printing one JSON line per event --------------- */

struct watch_probe {
	struct probe *p;
	struct kube_informer *informer;
	int64_t events;
};

static void print_line(cJSON *doc)
{
	_cleanup_free_ char *text = json_print_compact(doc);

	flockfile(stdout);
	printf("%s\n", text);
	fflush(stdout);
	funlockfile(stdout);
	cJSON_Delete(doc);
}

static void watch_event(enum kube_event_type type, const cJSON *object, const cJSON *old,
			void *ctx)
{
	struct watch_probe *w = ctx;
	cJSON *line = cJSON_CreateObject();
	const char *ns = json_get_string(object, "metadata.namespace");

	json_set_string(line, "type", kube_event_type_name(type));
	{
		_cleanup_free_ char *key = xasprintf("%s/%s", ns ? ns : "",
						     json_get_string(object, "metadata.name"));

		json_set_string(line, "name", key);
	}
	json_set_string(line, "rv", json_get_string(object, "metadata.resourceVersion"));
	json_set_int64(line, "fields", cJSON_GetArraySize(object));
	if (old) {
		json_set_string(line, "oldRv", json_get_string(old, "metadata.resourceVersion"));
		json_set_int64(line, "oldFields", cJSON_GetArraySize(old));
	}
	print_line(line);
	if (w->p->count && ++w->events >= w->p->count)
		kill(getpid(), SIGTERM); /* the main thread is waiting for it */
}

static void watch_synced(void *ctx)
{
	struct watch_probe *w = ctx;
	cJSON *line = cJSON_CreateObject();

	json_set_string(line, "type", "SYNCED");
	json_set_int64(line, "count", (int64_t)kube_informer_count(w->informer));
	print_line(line);
}

static void watch_status(bool connected, const struct error *err, void *ctx)
{
	cJSON *line = cJSON_CreateObject();

	(void)ctx;
	json_set_string(line, "type", connected ? "CONNECTED" : "DISCONNECTED");
	if (err)
		json_set_string(line, "error", err->msg);
	print_line(line);
}

/* --trim-cache: the cache keeps metadata.name, namespace and
 * resourceVersion only. */
static void trim_to_identity(cJSON *object, void *ctx)
{
	static const char *const keep[] = { "name", "namespace", "resourceVersion" };
	cJSON *metadata = cJSON_DetachItemFromObjectCaseSensitive(object, "metadata");
	cJSON *trimmed = cJSON_CreateObject();

	(void)ctx;
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		cJSON *value = cJSON_DetachItemFromObjectCaseSensitive(metadata, keep[i]);

		if (value)
			cJSON_AddItemToObject(trimmed, keep[i], value);
	}
	cJSON_Delete(metadata);
	while (object->child)
		cJSON_Delete(cJSON_DetachItemViaPointer(object, object->child));
	cJSON_AddItemToObject(object, "metadata", trimmed);
}

/* The final cache: "objects" maps each key to its resourceVersion,
 * "fields" to the number of top-level members it kept. */
struct final_cache {
	cJSON *objects, *fields;
};

static int collect_object(const cJSON *object, void *ctx)
{
	struct final_cache *cache = ctx;
	const char *ns = json_get_string(object, "metadata.namespace");
	_cleanup_free_ char *key =
		xasprintf("%s/%s", ns ? ns : "", json_get_string(object, "metadata.name"));

	json_set_string(cache->objects, key, json_get_string(object, "metadata.resourceVersion"));
	json_set_int64(cache->fields, key, cJSON_GetArraySize(object));
	return 0;
}

/* Runs until SIGTERM/SIGINT (or --count events), then prints STOPPED with
 * the final cache and how long stopping took. */
static int probe_watch(struct probe *p, const struct kube_resource *res)
{
	struct watch_probe w = { .p = p };
	struct kube_informer_opts opts = {
		.resource = res,
		.namespace = namespace_of(p),
		.label_selector = p->label_selector,
		.field_selector = p->field_selector,
		.on_event = watch_event,
		.on_synced = watch_synced,
		.on_status = watch_status,
		.trim = p->trim_cache ? trim_to_identity : NULL,
		.ctx = &w,
		.watch_timeout_seconds = (int)p->timeout_seconds,
		.min_backoff_ms = 100,
		.max_backoff_ms = 1000,
	};
	struct error err = ERROR_INIT;
	struct final_cache cache;
	cJSON *line;
	sigset_t signals;
	int64_t started;
	int sig;

	/* Blocked in every thread (the informer's inherits the mask), taken
	 * here with sigwait. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	w.informer = kube_informer_start(p->client, &opts, &err);
	if (!w.informer)
		return fail(&err);
	sigwait(&signals, &sig);
	started = time_mono_ms();
	kube_informer_stop(w.informer);
	line = cJSON_CreateObject();
	cache = (struct final_cache){ cJSON_CreateObject(), cJSON_CreateObject() };
	json_set_string(line, "type", "STOPPED");
	json_set_int64(line, "stopMs", time_mono_ms() - started);
	kube_informer_foreach(w.informer, collect_object, &cache);
	json_set(line, "objects", cache.objects);
	json_set(line, "fields", cache.fields);
	print_line(line);
	kube_informer_free(w.informer);
	return 0;
}

/* --- bulk: many requests at once, one result line per item ------------- */

/* bulk-create RES FILE (a JSON array of objects), bulk-get RES NAME...,
 * bulk-delete RES NAME... */
static int probe_bulk(struct probe *p, const char *verb, const struct kube_resource *res,
		      int argc, char **argv)
{
	struct kube_write_opts write = { .dry_run = p->dry_run };
	struct kube_delete_opts del = { .propagation_policy = p->propagation };
	struct kube_bulk_opts opts = { .max_in_flight = (size_t)p->max_in_flight,
				       .write = &write, .del = &del };
	struct kube_bulk_item *items;
	struct error err = ERROR_INIT;
	_cleanup_json_ cJSON *objects = NULL;
	size_t n;
	int ret = 0;

	if (!strcmp(verb, "create")) {
		if (argc != 1)
			return usage("bulk-create takes one file with a JSON array");
		objects = read_json_file(argv[0], &err);
		if (!objects)
			return fail(&err);
		if (!cJSON_IsArray(objects))
			return usage("bulk-create needs a JSON array");
		n = (size_t)cJSON_GetArraySize(objects);
	} else if (!strcmp(verb, "get") || !strcmp(verb, "delete")) {
		n = (size_t)argc;
	} else {
		return usage("unknown bulk verb");
	}
	items = xcalloc(n ? n : 1, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		items[i].resource = res;
		items[i].namespace = namespace_of(p);
		if (objects) {
			items[i].verb = KUBE_BULK_CREATE;
			items[i].body = cJSON_GetArrayItem(objects, (int)i);
		} else {
			items[i].verb = !strcmp(verb, "get") ? KUBE_BULK_GET : KUBE_BULK_DELETE;
			items[i].name = argv[i];
		}
	}
	if (kube_bulk_run(p->client, items, n, &opts, &err) < 0)
		ret = fail(&err);
	for (size_t i = 0; i < n; i++) {
		cJSON *line = cJSON_CreateObject();

		json_set_int64(line, "index", (int64_t)i);
		if (items[i].result == 0) {
			json_set(line, "ok", cJSON_CreateTrue());
			json_set_string(line, "name", json_get_string(items[i].object,
								      "metadata.name"));
		} else {
			json_set_string(line, "error", items[i].err.msg);
			json_set_int64(line, "code", items[i].err.code);
		}
		print_line(line);
	}
	kube_bulk_items_release(items, n);
	free(items);
	return ret;
}

static int run_command(struct probe *p, int argc, char **argv)
{
	const char *cmd = argv[0];
	const struct kube_resource *res = argc > 1 ? resource_named(argv[1]) : NULL;

	if (!strcmp(cmd, "config"))
		return cmd_config(p);
	if (!strcmp(cmd, "request") && (argc == 3 || argc == 4))
		return cmd_request(p, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(cmd, "logs") && argc == 2)
		return cmd_logs(p, argv[1]);
	if (argc < 2)
		return usage("missing arguments");
	if (!res)
		return usage("unknown resource");
	if (!strcmp(cmd, "get") && argc == 3)
		return cmd_get(p, res, argv[2]);
	if (!strcmp(cmd, "list") && argc == 2)
		return cmd_list(p, res);
	if (!strcmp(cmd, "create") && argc == 3)
		return cmd_write(p, "create", res, NULL, argv[2]);
	if (!strcmp(cmd, "replace") && argc == 4)
		return cmd_write(p, "replace", res, argv[2], argv[3]);
	if (!strcmp(cmd, "patch") && argc == 4)
		return cmd_write(p, "patch", res, argv[2], argv[3]);
	if (!strcmp(cmd, "delete") && argc == 3)
		return cmd_delete(p, res, argv[2]);
	if (!strcmp(cmd, "served") && argc == 2)
		return cmd_served(p, res);
	if (!strcmp(cmd, "parallel-get") && argc == 3)
		return cmd_parallel_get(p, res, argv[2]);
	if (!strcmp(cmd, "watch") && argc == 2)
		return probe_watch(p, res);
	if (!strncmp(cmd, "bulk-", 5))
		return probe_bulk(p, cmd + 5, res, argc - 2, argv + 2);
	return usage("unknown command or wrong number of arguments");
}

int main(int argc, char **argv)
{
	enum {
		OPT_KUBECONFIG = 256, OPT_CONTEXT, OPT_CLUSTER, OPT_USER, OPT_SERVER, OPT_TIMEOUT,
		OPT_FIELD_SELECTOR, OPT_LIMIT, OPT_ALL_PAGES, OPT_DRY_RUN, OPT_FIELD_VALIDATION,
		OPT_TYPE, OPT_STATUS, OPT_PROPAGATION, OPT_GRACE, OPT_TAIL, OPT_SINCE,
		OPT_LIMIT_BYTES, OPT_TIMESTAMPS, OPT_PREVIOUS, OPT_REPEAT, OPT_THREADS, OPT_COUNT,
		OPT_MAX_IN_FLIGHT, OPT_TIMEOUT_SECONDS, OPT_CANCEL_AFTER, OPT_TRIM_CACHE,
	};
	static const struct option options[] = {
		{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "cluster", required_argument, NULL, OPT_CLUSTER },
		{ "user", required_argument, NULL, OPT_USER },
		{ "namespace", required_argument, NULL, 'n' },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "request-timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "v", required_argument, NULL, 'v' },
		{ "selector", required_argument, NULL, 'l' },
		{ "field-selector", required_argument, NULL, OPT_FIELD_SELECTOR },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "all-pages", no_argument, NULL, OPT_ALL_PAGES },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "field-validation", required_argument, NULL, OPT_FIELD_VALIDATION },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "status", no_argument, NULL, OPT_STATUS },
		{ "propagation", required_argument, NULL, OPT_PROPAGATION },
		{ "grace", required_argument, NULL, OPT_GRACE },
		{ "container", required_argument, NULL, 'c' },
		{ "follow", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, OPT_TAIL },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "limit-bytes", required_argument, NULL, OPT_LIMIT_BYTES },
		{ "timestamps", no_argument, NULL, OPT_TIMESTAMPS },
		{ "previous", no_argument, NULL, OPT_PREVIOUS },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "max-in-flight", required_argument, NULL, OPT_MAX_IN_FLIGHT },
		{ "timeout-seconds", required_argument, NULL, OPT_TIMEOUT_SECONDS },
		{ "cancel-after", required_argument, NULL, OPT_CANCEL_AFTER },
		{ "trim-cache", no_argument, NULL, OPT_TRIM_CACHE },
		{ NULL, 0, NULL, 0 },
	};
	struct probe p = { .limit = 0 };
	struct kube_config *config = NULL;
	struct error err = ERROR_INIT;
	int c, verbosity = 0, ret;

	signal(SIGPIPE, SIG_IGN);
	log_set_program("kubeprobe");
	while ((c = getopt_long(argc, argv, "n:v:l:Ac:f", options, NULL)) != -1) {
		int64_t *number = NULL;

		switch (c) {
		case OPT_KUBECONFIG: p.ov.kubeconfig = optarg; break;
		case OPT_CONTEXT: p.ov.context = optarg; break;
		case OPT_CLUSTER: p.ov.cluster = optarg; break;
		case OPT_USER: p.ov.user = optarg; break;
		case 'n': p.ov.namespace = optarg; break;
		case OPT_SERVER: p.ov.server = optarg; break;
		case OPT_TIMEOUT: p.ov.request_timeout = optarg; break;
		case 'v':
			if (str_to_int(optarg, &verbosity) < 0)
				return usage("-v needs a number");
			break;
		case 'l': p.label_selector = optarg; break;
		case OPT_FIELD_SELECTOR: p.field_selector = optarg; break;
		case OPT_LIMIT: number = &p.limit; break;
		case OPT_ALL_PAGES: p.all_pages = true; break;
		case 'A': p.all_namespaces = true; break;
		case OPT_DRY_RUN: p.dry_run = true; break;
		case OPT_FIELD_VALIDATION: p.field_validation = optarg; break;
		case OPT_TYPE: p.patch_type = optarg; break;
		case OPT_STATUS: p.status = true; break;
		case OPT_PROPAGATION: p.propagation = optarg; break;
		case OPT_GRACE: number = &p.grace; p.has_grace = true; break;
		case 'c': p.container = optarg; break;
		case 'f': p.follow = true; break;
		case OPT_TAIL: number = &p.tail; p.has_tail = true; break;
		case OPT_SINCE: number = &p.since; break;
		case OPT_LIMIT_BYTES: number = &p.limit_bytes; break;
		case OPT_TIMESTAMPS: p.timestamps = true; break;
		case OPT_PREVIOUS: p.previous = true; break;
		case OPT_REPEAT: number = &p.repeat; break;
		case OPT_THREADS: number = &p.threads; break;
		case OPT_COUNT: number = &p.count; break;
		case OPT_MAX_IN_FLIGHT: number = &p.max_in_flight; break;
		case OPT_TIMEOUT_SECONDS: number = &p.timeout_seconds; break;
		case OPT_CANCEL_AFTER: number = &p.cancel_after_ms; break;
		case OPT_TRIM_CACHE: p.trim_cache = true; break;
		default: return usage("unknown option");
		}
		if (number && str_to_int64(optarg, number) < 0)
			return usage("option needs a whole number");
	}
	if (optind >= argc)
		return usage("no command");
	log_set_level(verbosity);
	if (kube_config_load(&p.ov, &config, &err) < 0)
		return fail(&err);
	p.client = kube_client_new(config, &err);
	if (!p.client)
		return fail(&err);
	kube_client_set_user_agent(p.client, "kubeprobe/test");
	kube_client_set_warning_handler(p.client, print_warning, NULL);
	ret = run_command(&p, argc - optind, argv + optind);
	kube_client_free(p.client);
	return ret;
}
