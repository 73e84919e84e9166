/* test_jobview.c — a job's files, byte for byte, from the status fixtures
 * (tests/unit/lib/status/): status, result.json, error, task.yaml, logs
 * (which pod, complete or not) and ranks/ of multi-node jobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "jobview.h"
#include "jsonutil.h"

static struct view *view_of(const char *fixture, struct blob *task)
{
	struct buf text = BUF_INIT(4 << 20);
	struct error err = ERROR_INIT;
	char path[128];
	const cJSON *pods;
	cJSON *c;
	struct view *v;

	snprintf(path, sizeof(path), "../lib/status/%s.json", fixture);
	if (file_read_all(path, &text, &err) < 0)
		fail_msg("%s", err.msg);
	c = cJSON_Parse(text.data);
	assert_non_null(c);
	pods = json_get(c, "pods");
	if (json_get(pods, "items"))
		pods = json_get(pods, "items");
	v = job_view_build(json_get(c, "workload"), pods, task, 1000);
	cJSON_Delete(c);
	buf_release(&text);
	return v;
}

static const char *file(const struct view *v, const char *path)
{
	const struct vnode *n = view_walk(v, path);

	if (!n)
		return NULL;
	assert_int_equal(n->type, VNODE_FILE);
	return n->content->data;
}

static const struct vnode *logs(const struct view *v, const char *path)
{
	const struct vnode *n = view_walk(v, path);

	assert_non_null(n);
	assert_int_equal(n->type, VNODE_LOGS);
	return n;
}

static void test_a_succeeded_job(void **state)
{
	struct blob *task = blob_from_string("name: train\nrun: echo hi\n");
	struct view *v = view_of("job_succeeded", task);

	(void)state;
	assert_string_equal(file(v, "status"), "SUCCEEDED\n");
	assert_string_equal(file(v, "result.json"), "{\"val_loss\": 0.42}");
	assert_null(view_walk(v, "error"));
	assert_string_equal(file(v, "task.yaml"), "name: train\nrun: echo hi\n");
	assert_string_equal(logs(v, "logs")->pod->data, "train-x7k2-0-aaaaa");
	assert_true(logs(v, "logs")->log_complete);
	assert_null(view_walk(v, "ranks"));
	assert_int_equal(v->root.dir.len, 4);
	view_unref(v);
	blob_unref(task);
}

static void test_a_failed_job(void **state)
{
	struct view *v = view_of("job_failed_after_restarts", NULL);

	(void)state;
	assert_string_equal(file(v, "status"),
			    "FAILED\nBackoffLimitExceeded: exited with code 3 after 2 attempts\n");
	assert_string_equal(file(v, "error"),
			    "JobFailed\nexited with code 3: ValueError: bad lr\n\nValueError: bad lr\n");
	assert_null(view_walk(v, "result.json"));
	assert_null(view_walk(v, "task.yaml"));
	assert_string_equal(logs(v, "logs")->pod->data, "train-x7k2-0-bbbbb"); /* the last attempt */
	view_unref(v);
}

static void test_a_cancelled_job(void **state)
{
	struct view *v = view_of("job_cancelled", NULL);

	(void)state;
	assert_string_equal(file(v, "status"), "FAILED\nCancelled: cancelled at 2026-01-02T10:05:00Z\n");
	assert_string_equal(file(v, "error"), "Cancelled\ncancelled at 2026-01-02T10:05:00Z\n");
	view_unref(v);
}

static void test_a_pending_job_has_no_log_yet(void **state)
{
	struct view *v = view_of("job_pending_unschedulable", NULL);

	(void)state;
	assert_string_equal(file(v, "status"),
			    "PENDING\nUnschedulable: unschedulable: 0/1 nodes are available: 1 "
			    "Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No "
			    "preemption victims found for incoming pod.\n");
	assert_null(view_walk(v, "error"));
	assert_null(view_walk(v, "result.json"));
	assert_null(logs(v, "logs")->pod);
	view_unref(v);
}

static void test_ranks_of_a_multi_node_job(void **state)
{
	struct view *v = view_of("multi_node_rank_unschedulable", NULL);

	(void)state;
	assert_string_equal(file(v, "ranks/0/status"), "RUNNING\n");
	assert_non_null(strstr(file(v, "ranks/1/status"), "PENDING\nUnschedulable: unschedulable: "));
	assert_string_equal(logs(v, "ranks/0/logs")->pod->data, "train-x7k2-0-aaaaa");
	assert_false(logs(v, "ranks/0/logs")->log_complete);
	assert_null(logs(v, "ranks/1/logs")->pod);
	assert_string_equal(logs(v, "logs")->pod->data, "train-x7k2-0-aaaaa");
	assert_int_equal(vnode_subdirs(view_walk(v, "ranks")), 2);
	view_unref(v);

	/* A JobSet reports through rank 0 only. */
	v = view_of("jobset_completed", NULL);
	assert_string_equal(file(v, "result.json"), "[1]");
	assert_string_equal(file(v, "ranks/1/status"), "SUCCEEDED\n");
	view_unref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_succeeded_job),
		cmocka_unit_test(test_a_failed_job),
		cmocka_unit_test(test_a_cancelled_job),
		cmocka_unit_test(test_a_pending_job_has_no_log_yet),
		cmocka_unit_test(test_ranks_of_a_multi_node_job),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
