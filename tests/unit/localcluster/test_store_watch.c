/* test_store_watch.c — watches and subscriptions: resuming from a list's
 * version without gaps, initial ADDED events, selector transitions,
 * 410 after compaction, dropping client watches, and subscribers that
 * write to the store from their callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <pthread.h>

#include "cleanup.h"
#include "store_test_util.h"

static int setup(void **state)
{
	*state = open_memory_store();
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	return 0;
}

static void create_cm(struct store *s, const char *name, const char *labels)
{
	char json[256];

	snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\",\"labels\":%s}}", name, labels);
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default", J(json), NULL, NULL, NULL),
			 0);
}

static void expect_event(struct store_watch *w, enum store_event_type type, const char *name)
{
	struct store_event ev;

	assert_int_equal(store_watch_next(w, 5000, &ev), 1);
	assert_int_equal(ev.type, type);
	assert_string_equal(ev.object->name, name);
	store_event_release(&ev);
}

static void expect_nothing(struct store_watch *w)
{
	struct store_event ev;

	assert_int_equal(store_watch_next(w, 0, &ev), 0);
}

static void test_watch_from_list_version_sees_every_later_change(void **state)
{
	struct store *s = *state;
	struct store_list list = STORE_LIST_INIT;
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP) };
	struct store_watch *w;
	struct store_event ev;

	create_cm(s, "before", "{}");
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", NULL, &list, NULL), 0);
	create_cm(s, "after", "{}");
	opts.resource_version = list.resource_version;
	w = store_watch_open(s, &opts, NULL);
	assert_non_null(w);
	expect_event(w, STORE_EVENT_ADDED, "after");
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "before", STORE_PATCH_MERGE,
				     "{\"data\":{\"x\":\"1\"}}", NULL, NULL, NULL),
			 0);
	assert_int_equal(store_watch_next(w, 5000, &ev), 1);
	assert_int_equal(ev.type, STORE_EVENT_MODIFIED);
	assert_non_null(ev.old);
	assert_true(ev.old->resource_version < ev.object->resource_version);
	store_event_release(&ev);
	assert_int_equal(store_delete(s, RESOURCE_CONFIGMAP, "default", "after", NULL, NULL, NULL,
				      NULL),
			 0);
	assert_int_equal(store_watch_next(w, 5000, &ev), 1);
	assert_int_equal(ev.type, STORE_EVENT_DELETED);
	/* A deletion takes a version of its own. */
	assert_int_equal(ev.object->resource_version, store_current_rv(s));
	store_event_release(&ev);
	expect_nothing(w);
	assert_int_equal(store_watch_position(w), store_current_rv(s));
	store_watch_close(w);
	store_list_release(&list);
}

static void test_watch_from_zero_replays_current_objects(void **state)
{
	struct store *s = *state;
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP),
					    .resource_version = STORE_WATCH_FROM_LIST };
	struct store_watch *w;

	create_cm(s, "a", "{}");
	create_cm(s, "b", "{}");
	w = store_watch_open(s, &opts, NULL);
	expect_event(w, STORE_EVENT_ADDED, "a");
	expect_event(w, STORE_EVENT_ADDED, "b");
	expect_nothing(w);
	store_watch_close(w);
}

static void test_selector_transitions(void **state)
{
	struct store *s = *state;
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP),
					    .label_selector = "app=web" };
	struct store_watch *w;

	opts.resource_version = store_current_rv(s);
	w = store_watch_open(s, &opts, NULL);
	create_cm(s, "other", "{\"app\":\"db\"}");
	create_cm(s, "web", "{\"app\":\"web\"}");
	expect_event(w, STORE_EVENT_ADDED, "web");
	/* Stops matching: DELETED; starts matching: ADDED. */
	patch_text(s, RESOURCE_CONFIGMAP, "default", "web", STORE_PATCH_MERGE,
		    "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}", NULL, NULL, NULL);
	expect_event(w, STORE_EVENT_DELETED, "web");
	patch_text(s, RESOURCE_CONFIGMAP, "default", "other", STORE_PATCH_MERGE,
		    "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}", NULL, NULL, NULL);
	expect_event(w, STORE_EVENT_ADDED, "other");
	expect_nothing(w);
	store_watch_close(w);
}

static void test_watch_namespace_and_kind_filters(void **state)
{
	struct store *s = *state;
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP),
					    .ns = "kube-system" };
	struct store_watch *w;

	opts.resource_version = store_current_rv(s);
	w = store_watch_open(s, &opts, NULL);
	create_cm(s, "in-default", "{}");
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "kube-system",
				      J("{\"metadata\":{\"name\":\"in-system\"}}"), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_create(s, RESOURCE_SECRET, "kube-system",
				      J("{\"metadata\":{\"name\":\"sec\"}}"), NULL, NULL, NULL),
			 0);
	expect_event(w, STORE_EVENT_ADDED, "in-system");
	expect_nothing(w);
	store_watch_close(w);
}

static void test_old_versions_expire(void **state)
{
	struct store *s = *state;
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP) };
	struct api_error err = API_ERROR_INIT;
	uint64_t old = store_current_rv(s);
	struct store_watch *w;

	/* The history keeps 100 events (see open_memory_store()). */
	for (int i = 0; i < 150; i++) {
		char name[32];

		snprintf(name, sizeof(name), "cm-%d", i);
		create_cm(s, name, "{}");
	}
	opts.resource_version = old;
	assert_null(store_watch_open(s, &opts, &err));
	assert_int_equal(err.code, 410);
	assert_string_equal(err.reason, "Expired");
	assert_true(str_has_prefix(err.message, "too old resource version: "));

	opts.resource_version = store_current_rv(s) - 50;
	w = store_watch_open(s, &opts, &err);
	assert_non_null(w);
	store_watch_close(w);

	store_compact_history(s);
	assert_null(store_watch_open(s, &opts, &err));
	assert_int_equal(err.code, 410);

	opts.resource_version = store_current_rv(s) + 10;
	assert_null(store_watch_open(s, &opts, &err));
	assert_int_equal(err.code, 504);
	assert_true(str_has_prefix(err.message, "Timeout: Too large resource version"));
}

static void test_drop_client_watches_spares_in_process_ones(void **state)
{
	struct store *s = *state;
	struct store_watch_options opts = { .kinds = RESOURCE_ALL };
	struct store_watch *client, *internal;
	struct store_event ev;

	opts.resource_version = store_current_rv(s);
	client = store_watch_open(s, &opts, NULL);
	internal = store_watch_open(s, &opts, NULL);
	store_watch_set_client(client);
	store_drop_client_watches(s);
	create_cm(s, "x", "{}");
	assert_int_equal(store_watch_next(client, 1000, &ev), -1);
	expect_event(internal, STORE_EVENT_ADDED, "x");
	store_watch_close(client);
	store_watch_close(internal);
}

static void test_watch_fd_becomes_readable(void **state)
{
	struct store *s = *state;
	struct store_watch_options opts = { .kinds = RESOURCE_ALL };
	struct store_watch *w;
	struct pollfd pfd;

	opts.resource_version = store_current_rv(s);
	w = store_watch_open(s, &opts, NULL);
	pfd = (struct pollfd){ .fd = store_watch_fd(w), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
	create_cm(s, "x", "{}");
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	expect_event(w, STORE_EVENT_ADDED, "x");
	store_watch_close(w);
}

/* A subscriber that writes to the store from its callback: every
 * ConfigMap named "ping-N" gets a "pong-N". */
struct pong_ctx {
	struct store *s;
	pthread_mutex_t lock;
	int pongs_seen;
	int deletions_seen;
	int write_failures;
};

static void pong(void *arg, const struct store_event *ev)
{
	struct pong_ctx *ctx = arg;
	char json[128];

	if (ev->type == STORE_EVENT_DELETED) {
		pthread_mutex_lock(&ctx->lock);
		ctx->deletions_seen++;
		pthread_mutex_unlock(&ctx->lock);
		return;
	}
	if (ev->type != STORE_EVENT_ADDED)
		return;
	if (str_has_prefix(ev->object->name, "ping-")) {
		snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"pong-%s\"}}",
			 ev->object->name + 5);
		if (store_create(ctx->s, RESOURCE_CONFIGMAP, "default", J(json), NULL, NULL,
				 NULL) < 0)
			__atomic_add_fetch(&ctx->write_failures, 1, __ATOMIC_RELAXED);
	} else if (str_has_prefix(ev->object->name, "pong-")) {
		pthread_mutex_lock(&ctx->lock);
		ctx->pongs_seen++;
		pthread_mutex_unlock(&ctx->lock);
	}
}

static void test_subscriber_may_write_from_its_callback(void **state)
{
	struct store *s = *state;
	struct pong_ctx ctx = { .s = s, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP) };
	struct store_subscription *sub;
	int64_t deadline;
	int seen = 0;

	create_cm(s, "ping-0", "{}"); /* exists before: replayed as ADDED */
	sub = store_subscribe(s, &opts, pong, &ctx, NULL);
	assert_non_null(sub);
	for (int i = 1; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ping-%d", i);
		create_cm(s, name, "{}");
	}
	deadline = time_mono_ms() + 10000;
	while (seen < 20 && time_mono_ms() < deadline) {
		pthread_mutex_lock(&ctx.lock);
		seen = ctx.pongs_seen;
		pthread_mutex_unlock(&ctx.lock);
		time_sleep_ms(2);
	}
	assert_int_equal(seen, 20);
	assert_int_equal(ctx.write_failures, 0);
	assert_int_equal(store_get(s, RESOURCE_CONFIGMAP, "default", "pong-19", NULL, NULL), 0);
	store_unsubscribe(sub);
}

/* Terminator: records what it was told and finishes the deletion itself. */
struct terminator_ctx {
	struct store *s;
	int calls;
	int64_t last_grace;
};

static void terminate_pod(void *arg, const struct store_obj *pod, int64_t grace)
{
	struct terminator_ctx *ctx = arg;

	ctx->calls++;
	ctx->last_grace = grace;
	if (!pod->terminating)
		ctx->calls += 1000; /* fails the test's call count */
}

static void test_pod_graceful_deletion(void **state)
{
	struct store *s = *state;
	struct terminator_ctx ctx = { .s = s };
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	struct store_obj *pod = NULL;
	bool deleted = true;
	_cleanup_json_ cJSON *t = NULL;
	int64_t grace = 0;

	store_set_pod_terminator(s, terminate_pod, &ctx);
	assert_int_equal(store_create(s, RESOURCE_POD, "default", J(POD_JSON("g")), NULL, NULL, NULL),
			 0);
	/* Unbound pods go at once. */
	assert_int_equal(store_delete(s, RESOURCE_POD, "default", "g", NULL, NULL, &deleted, NULL),
			 0);
	assert_true(deleted);
	assert_int_equal(ctx.calls, 0);

	assert_int_equal(store_create(s, RESOURCE_POD, "default", J(POD_JSON("g")), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_bind_pod(s, "default", "g", "local", NULL, NULL), 0);
	assert_int_equal(store_delete(s, RESOURCE_POD, "default", "g", NULL, &pod, &deleted, NULL),
			 0);
	assert_false(deleted);
	assert_true(pod->terminating);
	assert_int_equal(ctx.calls, 1);
	assert_int_equal(ctx.last_grace, 30);
	t = store_obj_parse(pod);
	assert_true(json_get_int64(t, "metadata.deletionGracePeriodSeconds", &grace));
	assert_int_equal(grace, 30);
	assert_non_null(json_get_string(t, "metadata.deletionTimestamp"));
	store_obj_unref(pod);

	/* Again with the same grace: nothing changes; shorter: the terminator hears it. */
	assert_int_equal(store_delete(s, RESOURCE_POD, "default", "g", NULL, NULL, &deleted, NULL),
			 0);
	assert_int_equal(ctx.calls, 1);
	opts.grace_period_seconds = 5;
	assert_int_equal(store_delete(s, RESOURCE_POD, "default", "g", &opts, NULL, &deleted, NULL),
			 0);
	assert_int_equal(ctx.calls, 2);
	assert_int_equal(ctx.last_grace, 5);
	/* The kubelet's final delete with grace 0 removes it. */
	opts.grace_period_seconds = 0;
	assert_int_equal(store_delete(s, RESOURCE_POD, "default", "g", &opts, NULL, &deleted, NULL),
			 0);
	assert_true(deleted);
	assert_int_equal(store_get(s, RESOURCE_POD, "default", "g", NULL, NULL), -1);
	store_set_pod_terminator(s, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_from_list_version_sees_every_later_change,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_from_zero_replays_current_objects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_selector_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_namespace_and_kind_filters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_old_versions_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_client_watches_spares_in_process_ones,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_fd_becomes_readable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscriber_may_write_from_its_callback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pod_graceful_deletion, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
