/* test_cache.c — the cache between the informers and the filesystem:
 * objects in, views and listings out; what a refresh reports; pods that
 * arrive before their job; deletion; one namespace or all of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "jsonutil.h"
#include "timeutil.h"
#include "xalloc.h"

static cJSON *job(const char *ns, const char *name, const char *condition)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"%s\",\"labels\":{\"konduktor.io/kind\":\"job\"},\"annotations\":{"
		 "\"konduktor.io/task\":\"name: t\\n\",\"konduktor.io/num-nodes\":\"1\"}},"
		 "\"spec\":{\"completions\":1,\"template\":{\"big\":\"dropped\"}},"
		 "\"status\":{\"conditions\":[%s]}}",
		 name, ns, condition ? condition : "");
	return cJSON_Parse(text);
}

static cJSON *pod(const char *ns, const char *name, const char *job_name, const char *state)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\",\"labels\":{"
		 "\"konduktor.io/job-name\":\"%s\",\"batch.kubernetes.io/job-completion-index\":\"0\"}},"
		 "\"status\":{\"phase\":\"%s\",\"containerStatuses\":[{\"name\":\"task\",\"state\":%s}]}}",
		 name, ns, job_name, strcmp(state, "running") == 0 ? "Running" : "Succeeded",
		 strcmp(state, "running") == 0
			 ? "{\"running\":{}}"
			 : "{\"terminated\":{\"exitCode\":0,\"message\":\"{\\\"v\\\": 1}\"}}");
	return cJSON_Parse(text);
}

static void feed_job(struct fs_cache *c, const char *ns, const char *name, const char *cond,
		     bool deleted)
{
	cJSON *j = job(ns, name, cond);

	assert_non_null(j);
	fs_cache_workload(c, j, deleted);
	cJSON_Delete(j);
}

static void feed_pod(struct fs_cache *c, const char *ns, const char *name, const char *job_name,
		     const char *state, bool deleted)
{
	cJSON *p = pod(ns, name, job_name, state);

	assert_non_null(p);
	fs_cache_pod(c, p, deleted);
	cJSON_Delete(p);
}

struct changes {
	char lines[64][96];
	size_t n;
};

static void record(enum view_change change, const char *path, void *ctx)
{
	struct changes *ch = ctx;
	static const char *const names[] = { "added", "removed", "changed" };

	assert_true(ch->n < 64);
	snprintf(ch->lines[ch->n++], sizeof(ch->lines[0]), "%s %s", names[change], path);
}

static bool has(const struct changes *ch, const char *line)
{
	for (size_t i = 0; i < ch->n; i++)
		if (strcmp(ch->lines[i], line) == 0)
			return true;
	return false;
}

/* The content of a file, copied, or NULL if absent. */
static char *read_file(struct fs_cache *c, const char *path)
{
	struct fs_node node;
	char *text;

	if (fs_cache_resolve(c, path, &node) < 0)
		return NULL;
	assert_non_null(node.vnode);
	assert_int_equal(node.vnode->type, VNODE_FILE);
	text = xstrdup(node.vnode->content->data);
	fs_node_release(&node);
	return text;
}

static void assert_file(struct fs_cache *c, const char *path, const char *expected)
{
	char *text = read_file(c, path);

	if (!expected) {
		assert_null(text);
		return;
	}
	assert_non_null(text);
	assert_string_equal(text, expected);
	free(text);
}

static void assert_listing(struct fs_cache *c, const char *path, const char *joined)
{
	struct fs_node node;
	char text[512] = "";

	assert_int_equal(fs_cache_resolve(c, path, &node), 0);
	assert_non_null(node.listing);
	for (size_t i = 0; i < node.listing->len; i++) {
		strncat(text, i ? " " : "", sizeof(text) - strlen(text) - 1);
		strncat(text, node.listing->names[i], sizeof(text) - strlen(text) - 1);
	}
	assert_string_equal(text, joined);
	fs_node_release(&node);
}

static void test_a_job_comes_and_goes(void **state)
{
	struct fs_cache *c = fs_cache_new("default");
	struct changes ch = { .n = 0 };
	struct fs_cache_stats stats;
	struct fs_node node;

	(void)state;
	/* Its pod first: nothing to show until the Job itself arrives. */
	feed_pod(c, "default", "train-1-0-abc", "train-1", "running", false);
	assert_int_equal(fs_cache_refresh(c, 10, record, &ch), 1);
	assert_int_equal(ch.n, 0);
	assert_listing(c, "", "");
	assert_int_equal(fs_cache_resolve(c, "train-1", &node), -1);

	feed_job(c, "default", "train-1", NULL, false);
	feed_job(c, "other", "elsewhere", NULL, false); /* not this mount's namespace */
	assert_true(fs_cache_wait(c, 0));
	assert_int_equal(fs_cache_refresh(c, 20, record, &ch), 1);
	assert_true(has(&ch, "added train-1"));
	assert_listing(c, "", "train-1");
	assert_file(c, "train-1/status", "RUNNING\n");
	assert_file(c, "train-1/task.yaml", "name: t\n");
	assert_file(c, "train-1/result.json", NULL);
	assert_int_equal(fs_cache_resolve(c, "train-1/logs", &node), 0);
	assert_string_equal(node.vnode->pod->data, "train-1-0-abc");
	assert_string_equal(node.view->ns->data, "default");
	fs_node_release(&node);

	/* It ends: status changes, result.json appears. */
	ch.n = 0;
	feed_pod(c, "default", "train-1-0-abc", "train-1", "succeeded", false);
	feed_job(c, "default", "train-1", "{\"type\":\"Complete\",\"status\":\"True\"}", false);
	assert_int_equal(fs_cache_refresh(c, 30, record, &ch), 1);
	assert_true(has(&ch, "changed train-1/status"));
	assert_true(has(&ch, "added train-1/result.json"));
	assert_file(c, "train-1/status", "SUCCEEDED\n");
	assert_file(c, "train-1/result.json", "{\"v\": 1}");
	assert_false(fs_cache_wait(c, 0));
	assert_int_equal(fs_cache_refresh(c, 40, record, &ch), 0);

	/* A reader holding the old view keeps it after the job is deleted. */
	assert_int_equal(fs_cache_resolve(c, "train-1/status", &node), 0);
	ch.n = 0;
	feed_job(c, "default", "train-1", NULL, true);
	assert_int_equal(fs_cache_refresh(c, 50, record, &ch), 1);
	assert_true(has(&ch, "removed train-1"));
	assert_listing(c, "", "");
	assert_string_equal(node.vnode->content->data, "SUCCEEDED\n");
	fs_node_release(&node);

	/* Its pod goes too: nothing is left. */
	fs_cache_stats(c, &stats);
	assert_int_equal(stats.entries, 1);
	feed_pod(c, "default", "train-1-0-abc", "train-1", "succeeded", true);
	fs_cache_refresh(c, 60, NULL, NULL);
	fs_cache_stats(c, &stats);
	assert_int_equal(stats.entries, 0);
	assert_int_equal(stats.pods, 0);
	fs_cache_free(c);
}

static void test_all_namespaces(void **state)
{
	struct fs_cache *c = fs_cache_new(NULL);
	struct changes ch = { .n = 0 };
	struct fs_cache_stats stats;

	(void)state;
	feed_job(c, "team-b", "j2", NULL, false);
	feed_job(c, "team-a", "j1", NULL, false);
	feed_job(c, "team-a", "j0", NULL, false);
	fs_cache_refresh(c, 10, record, &ch);
	assert_true(has(&ch, "added team-a/j0"));
	assert_true(has(&ch, "added team-a"));
	assert_true(has(&ch, "added team-b"));
	assert_listing(c, "", "team-a team-b");
	assert_listing(c, "team-a", "j0 j1");
	assert_file(c, "team-b/j2/status", "PENDING\nNotStarted: waiting for pods\n");
	fs_cache_stats(c, &stats);
	assert_int_equal(stats.shown, 3);
	assert_true(stats.text_bytes > 0);

	ch.n = 0;
	feed_job(c, "team-b", "j2", NULL, true);
	fs_cache_refresh(c, 20, record, &ch);
	assert_true(has(&ch, "removed team-b/j2"));
	assert_true(has(&ch, "removed team-b"));
	assert_listing(c, "", "team-a");
	assert_file(c, "team-b/j2/status", NULL);
	fs_cache_free(c);
}

static void test_deleting_what_was_never_seen(void **state)
{
	struct fs_cache *c = fs_cache_new("default");
	cJSON *nameless = cJSON_Parse("{\"metadata\":{}}");
	struct fs_cache_stats stats;

	(void)state;
	feed_job(c, "default", "ghost", NULL, true);
	feed_pod(c, "default", "ghost-pod", "ghost", "running", true);
	fs_cache_workload(c, nameless, false);
	fs_cache_pod(c, nameless, false);
	cJSON_Delete(nameless);
	assert_false(fs_cache_wait(c, 0));
	fs_cache_stats(c, &stats);
	assert_int_equal(stats.entries, 0);
	fs_cache_free(c);
}

/* Refreshes until nothing is queued or paced any more. */
static void drain(struct fs_cache *c)
{
	struct fs_cache_stats stats;

	for (;;) {
		fs_cache_refresh(c, 5000, NULL, NULL);
		fs_cache_stats(c, &stats);
		if (!stats.queued)
			return;
		fs_cache_wait(c, 1000);
	}
}

/* Feeders and the refresher at once: entries queued again while a batch
 * is being rebuilt must neither be lost nor corrupt the batch. */
#define STRESS_JOBS 64
#define STRESS_ROUNDS 200

struct feeder {
	struct fs_cache *cache;
	int first;
	atomic_bool done;
};

static void *feed_many(void *arg)
{
	struct feeder *f = arg;

	for (int round = 0; round < STRESS_ROUNDS; round++)
		for (int i = f->first; i < STRESS_JOBS; i += 2) {
			char name[32], pod_name[48];
			bool last = round == STRESS_ROUNDS - 1;

			snprintf(name, sizeof(name), "job-%02d", i);
			snprintf(pod_name, sizeof(pod_name), "job-%02d-0-x", i);
			feed_pod(f->cache, "default", pod_name, name, last ? "succeeded" : "running",
				 false);
			feed_job(f->cache, "default", name,
				 last ? "{\"type\":\"Complete\",\"status\":\"True\"}" : NULL, false);
		}
	atomic_store(&f->done, true);
	return NULL;
}

static void test_feeding_while_refreshing(void **state)
{
	struct fs_cache *c = fs_cache_new("default");
	struct feeder feeders[2] = { { c, 0, false }, { c, 1, false } };
	pthread_t threads[2];
	struct fs_node node;
	size_t rounds = 0;

	(void)state;
	for (int t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, feed_many, &feeders[t]), 0);
	while (!atomic_load(&feeders[0].done) || !atomic_load(&feeders[1].done))
		rounds += fs_cache_refresh(c, 1, NULL, NULL) > 0;
	assert_true(rounds > 1); /* they did overlap */
	for (int t = 0; t < 2; t++)
		pthread_join(threads[t], NULL);
	drain(c);
	assert_int_equal(fs_cache_resolve(c, "", &node), 0);
	assert_int_equal(node.listing->len, STRESS_JOBS);
	fs_node_release(&node);
	for (int i = 0; i < STRESS_JOBS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "job-%02d/status", i);
		assert_file(c, path, "SUCCEEDED\n");
	}
	fs_cache_free(c);
}

/* A paced entry waits for its time; what changed meanwhile comes in one
 * rebuild then. */
static void test_pacing(void **state)
{
	struct fs_cache *c = fs_cache_new("default");
	struct fs_cache_pacing always = { .min_cost_ms = 0, .factor = 1000, .max_ms = 200 };
	int64_t waited;

	(void)state;
	fs_cache_set_pacing(c, &always);
	feed_job(c, "default", "slow", NULL, false);
	assert_int_equal(fs_cache_refresh(c, 1, NULL, NULL), 1);
	assert_file(c, "slow/status", "PENDING\nNotStarted: waiting for pods\n");
	feed_pod(c, "default", "slow-0-x", "slow", "running", false);
	feed_job(c, "default", "slow", NULL, false);
	assert_int_equal(fs_cache_refresh(c, 2, NULL, NULL), 0); /* deferred */
	assert_file(c, "slow/status", "PENDING\nNotStarted: waiting for pods\n");
	waited = time_mono_ms();
	assert_true(fs_cache_wait(c, 5000));
	waited = time_mono_ms() - waited;
	assert_true(waited < 5000);
	assert_int_equal(fs_cache_refresh(c, 3, NULL, NULL), 1);
	assert_file(c, "slow/status", "RUNNING\n");
	fs_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_job_comes_and_goes),
		cmocka_unit_test(test_all_namespaces),
		cmocka_unit_test(test_deleting_what_was_never_seen),
		cmocka_unit_test(test_feeding_while_refreshing),
		cmocka_unit_test(test_pacing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
