/* test_runtime.c — the runtime on a real in-memory store with real
 * processes: an Indexed Job runs to Complete with its logs, index env and
 * annotations; a pod that asks for a GPU stays Pending, Unschedulable,
 * with a FailedScheduling event; a JobSet's pods resolve each other's
 * names; deleting a pod stops its process. Needs root (namespaces). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "podlog.h"
#include "runtime.h"
#include "store.h"
#include "strutil.h"
#include "timeutil.h"

#define WAIT_MS 60000

struct fixture {
	char dir[64];
	char *logs;
	struct runtime *rt;
	struct store *store;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct runtime_config rc;
	struct store_config sc = { .state_dir = NULL, .watch_history = STORE_DEFAULT_WATCH_HISTORY };
	struct error err = ERROR_INIT;
	char *data;

	str_copy(f->dir, sizeof(f->dir), "/tmp/test-runtime-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->logs = path_join(f->dir, "logs");
	data = path_join(f->dir, "data");
	runtime_config_init(&rc);
	rc.logs_dir = strdup(f->logs);
	rc.data_dir = data;
	assert_int_equal(runtime_config_set(&rc, "--node-cpu", "4", &err), 0);
	assert_int_equal(runtime_config_set(&rc, "--node-gpus", "0", &err), 0);
	assert_int_equal(runtime_config_set(&rc, "--restart-backoff", "200ms", &err), 0);
	assert_int_equal(runtime_config_set(&rc, "--job-backoff", "200ms", &err), 0);
	assert_int_equal(runtime_config_set(&rc, "--shutdown-grace", "1s", &err), 0);
	/* Before any thread: the runner forks. */
	f->rt = runtime_new(&rc, &err);
	if (!f->rt)
		fail_msg("runtime_new: %s", err.msg);
	runtime_config_release(&rc);
	f->store = store_open(&sc, &err);
	if (!f->store)
		fail_msg("store_open: %s", err.msg);
	if (runtime_start(f->rt, f->store, &err) < 0)
		fail_msg("runtime_start: %s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	runtime_stop(f->rt);
	store_shutdown(f->store);
	store_close(f->store);
	remove_tree(f->dir, NULL);
	free(f->logs);
	free(f);
	return 0;
}

static void create(struct fixture *f, enum resource_kind kind, const char *json)
{
	struct api_error aerr = API_ERROR_INIT;
	cJSON *obj = cJSON_Parse(json);

	if (!obj)
		fail_msg("bad test JSON: %s", json);
	if (store_create(f->store, kind, "default", obj, NULL, NULL, &aerr) < 0)
		fail_msg("create: %s", aerr.message);
}

/* Polls obj until `done` holds; returns the object (caller frees). */
static cJSON *wait_until(struct fixture *f, enum resource_kind kind, const char *name,
			 bool (*done)(const cJSON *obj))
{
	int64_t deadline = time_mono_ms() + WAIT_MS;

	for (;;) {
		struct store_obj *o = NULL;

		if (store_get(f->store, kind, "default", name, &o, NULL) == 0) {
			cJSON *j = store_obj_parse(o);

			store_obj_unref(o);
			if (done(j))
				return j;
			if (time_mono_ms() > deadline) {
				char *text = cJSON_Print(j);

				fail_msg("timed out waiting on %s: %s", name, text);
			}
			cJSON_Delete(j);
		} else if (time_mono_ms() > deadline) {
			fail_msg("timed out waiting for %s to exist", name);
		}
		time_sleep_ms(50);
	}
}

static bool job_complete(const cJSON *job)
{
	return k8s_condition_true(job, "status.conditions", "Complete") ||
	       k8s_condition_true(job, "status.conditions", "Failed");
}

static void test_indexed_job_completes(void **state)
{
	struct fixture *f = *state;
	struct store_list pods = STORE_LIST_INIT;
	struct store_list_options opts = { .label_selector = "batch.kubernetes.io/job-name=idx" };
	cJSON *job;

	create(f, RESOURCE_JOB,
	       "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"idx\"},"
	       "\"spec\":{\"completions\":3,\"parallelism\":2,\"completionMode\":\"Indexed\","
	       "\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"main\","
	       "\"image\":\"busybox\",\"command\":[\"/bin/sh\",\"-c\",\"echo index=$JOB_COMPLETION_INDEX host=$(hostname)\"]}]}}}}");
	job = wait_until(f, RESOURCE_JOB, "idx", job_complete);
	assert_true(k8s_condition_true(job, "status.conditions", "Complete"));
	assert_true(k8s_condition_true(job, "status.conditions", "SuccessCriteriaMet"));
	assert_string_equal(json_get_string(job, "status.completedIndexes"), "0-2");
	cJSON_Delete(job);
	assert_int_equal(store_list(f->store, RESOURCE_POD, "default", &opts, &pods, NULL), 0);
	assert_int_equal(pods.len, 3);
	for (size_t i = 0; i < pods.len; i++) {
		cJSON *pod = store_obj_parse(pods.items[i]);
		const char *index = k8s_annotation(pod, "batch.kubernetes.io/job-completion-index");
		char *path = podlog_path(f->logs, "default", pods.items[i]->name, pods.items[i]->uid,
					 "main", 0);
		struct buf log = BUF_INIT(BUF_MAX_SMALL);
		char want[64];

		assert_string_equal(pod_phase(pod), "Succeeded");
		assert_false(k8s_has_finalizer(pod, "batch.kubernetes.io/job-tracking"));
		assert_int_equal(file_read_all(path, &log, NULL), 0);
		snprintf(want, sizeof(want), " stdout F index=%s host=idx-%s\n", index, index);
		assert_non_null(strstr(log.data, want));
		buf_release(&log);
		free(path);
		cJSON_Delete(pod);
	}
	store_list_release(&pods);
}

static bool unschedulable(const cJSON *pod)
{
	const cJSON *c = k8s_condition(pod, "status.conditions", "PodScheduled");

	return c && str_eq(json_get_string(c, "reason"), "Unschedulable");
}

static void test_gpu_pod_is_unschedulable(void **state)
{
	struct fixture *f = *state;
	struct store_list events = STORE_LIST_INIT;
	bool found = false;
	cJSON *pod;

	create(f, RESOURCE_POD,
	       "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"gpu\"},"
	       "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"x\",\"command\":[\"true\"],"
	       "\"resources\":{\"limits\":{\"nvidia.com/gpu\":1}}}]}}");
	pod = wait_until(f, RESOURCE_POD, "gpu", unschedulable);
	assert_string_equal(json_get_string(k8s_condition(pod, "status.conditions", "PodScheduled"),
					    "message"),
			    "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 "
			    "nodes are available: 1 No preemption victims found for incoming pod.");
	assert_string_equal(pod_phase(pod), "Pending");
	cJSON_Delete(pod);
	assert_int_equal(store_list(f->store, RESOURCE_EVENT, "default", NULL, &events, NULL), 0);
	for (size_t i = 0; i < events.len; i++) {
		cJSON *e = store_obj_parse(events.items[i]);

		found |= str_eq(json_get_string(e, "reason"), "FailedScheduling") &&
			 str_eq(json_get_string(e, "involvedObject.name"), "gpu");
		cJSON_Delete(e);
	}
	assert_true(found);
	store_list_release(&events);
}

static bool running(const cJSON *pod)
{
	return !strcmp(pod_phase(pod), "Running");
}

static bool gone_or_terminal(const cJSON *pod)
{
	return pod_is_terminal(pod);
}

static void test_delete_stops_the_process(void **state)
{
	struct fixture *f = *state;
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	bool deleted = false;
	struct buf log = BUF_INIT(BUF_MAX_SMALL);
	int64_t code = -1;
	char *path;
	cJSON *pod;

	create(f, RESOURCE_POD,
	       "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"sleeper\",\"finalizers\":[\"test/hold\"]},"
	       "\"spec\":{\"terminationGracePeriodSeconds\":30,\"containers\":[{\"name\":\"main\",\"image\":\"x\","
	       "\"command\":[\"/bin/sh\",\"-c\",\"trap 'echo bye; exit 0' TERM; while :; do sleep 0.05; done\"]}]}}");
	pod = wait_until(f, RESOURCE_POD, "sleeper", running);
	cJSON_Delete(pod);
	assert_int_equal(store_delete(f->store, RESOURCE_POD, "default", "sleeper", &opts, NULL,
				      &deleted, NULL),
			 0);
	assert_false(deleted);
	/* The finalizer keeps the pod visible once the kubelet is done: the
	 * process saw SIGTERM and exited 0 well within its grace period. */
	pod = wait_until(f, RESOURCE_POD, "sleeper", gone_or_terminal);
	assert_string_equal(pod_phase(pod), "Succeeded");
	assert_true(json_get_int64(cJSON_GetArrayItem(json_get(pod, "status.containerStatuses"), 0),
				   "state.terminated.exitCode", &code));
	assert_int_equal(code, 0);
	path = podlog_path(f->logs, "default", "sleeper", k8s_uid(pod), "main", 0);
	cJSON_Delete(pod);
	assert_int_equal(file_read_all(path, &log, NULL), 0);
	assert_non_null(strstr(log.data, " stdout F bye\n"));
	buf_release(&log);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_indexed_job_completes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpu_pod_is_unschedulable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_stops_the_process, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
