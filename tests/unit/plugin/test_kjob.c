/* test_kjob.c — a job's outcome from its objects (kcluster.h's kjob_result),
 * over the status model's fixtures (tests/unit/lib/status/): results from
 * rank 0, the failing rank's message, records on the workload, and pods
 * that lag behind the workload's watch. Also kjob_pod_selector(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "jsonutil.h"
#include "kcluster.h"
#include "labels.h"
#include "xalloc.h"

/* A kjob from a fixture: its workload (or none) and pods. */
static void load(const char *name, struct kjob *job)
{
	char *path = xasprintf("../lib/status/%s.json", name);
	struct buf text = BUF_INIT(4 << 20);
	struct error err = ERROR_INIT;
	cJSON *c;

	if (file_read_all(path, &text, &err) < 0)
		fail_msg("%s", err.msg);
	c = json_parse_bounded(text.data, text.len, text.max, &err);
	if (!c)
		fail_msg("%s: %s", path, err.msg);
	kjob_init(job);
	job->name = xstrdup("train-x7k2");
	job->namespace = xstrdup("default");
	if (!cJSON_IsNull(json_get(c, "workload"))) {
		job->workload = cJSON_DetachItemFromObjectCaseSensitive(c, "workload");
		job->resource = &kube_jobs;
	}
	cJSON_Delete(job->pods);
	job->pods = cJSON_DetachItemFromObjectCaseSensitive(c, "pods");
	cJSON_Delete(c);
	buf_release(&text);
	free(path);
}

static enum kjob_outcome outcome_of(struct kjob *job, bool settled, struct result *r)
{
	struct job_status st;
	enum kjob_outcome o;

	assert_int_equal(kjob_status(job, &st, NULL), 0);
	result_init(r);
	o = kjob_result(job, &st, settled, r);
	job_status_release(&st);
	return o;
}

/* Sets the task container's termination message of every pod. */
static void set_message(struct kjob *job, const char *message)
{
	const cJSON *pod;

	cJSON_ArrayForEach(pod, job->pods) {
		cJSON *c;

		cJSON_ArrayForEach(c, json_get(pod, "status.containerStatuses")) {
			cJSON *t = (cJSON *)json_get(c, "state.terminated");

			if (t)
				json_set_string(t, "message", message);
		}
	}
}

static void test_succeeded_job_reports_rank_zero(void **state)
{
	struct kjob job;
	struct result r;

	load("job_succeeded", &job);
	set_message(&job, "{\"val_loss\": 0.42}\n");
	assert_int_equal(outcome_of(&job, false, &r), KJOB_DECIDED);
	assert_int_equal(r.outcome, RESULT_OK);
	assert_string_equal(r.json, "{\"val_loss\": 0.42}\n");
	result_release(&r);
	set_message(&job, "#konduktor/v1 too-large 5000");
	assert_int_equal(outcome_of(&job, false, &r), KJOB_DECIDED);
	assert_int_equal(r.outcome, RESULT_TOO_LARGE);
	assert_int_equal(r.size, 5000);
	result_release(&r);
	kjob_release(&job);
}

static void test_pods_behind_the_workload(void **state)
{
	struct kjob job;
	struct result r;

	/* The Job says Complete, the pod is not in hand: read them again
	 * before concluding; once read again, the pod was deleted. */
	load("job_succeeded_pods_gone", &job);
	assert_int_equal(outcome_of(&job, false, &r), KJOB_PODS_BEHIND);
	result_release(&r);
	assert_int_equal(outcome_of(&job, true, &r), KJOB_DECIDED);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_string_equal(r.reason,
			    "the job succeeded, but rank 0's pod is gone and no result was recorded");
	result_release(&r);
	kjob_release(&job);
}

static void test_failed_job_reports_the_failing_pod(void **state)
{
	struct kjob job;
	struct result r;

	load("job_failed_after_restarts", &job);
	assert_int_equal(outcome_of(&job, false, &r), KJOB_DECIDED);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_int_equal(r.exit_code, 3);
	assert_true(!strncmp(r.reason, "exited with code 3", 18));
	result_release(&r);
	kjob_release(&job);

	load("job_failed_oom", &job);
	assert_int_equal(outcome_of(&job, false, &r), KJOB_DECIDED);
	assert_int_equal(r.exit_code, 137);
	assert_string_equal(r.reason,
			    "killed for using more memory than its limit (OOMKilled, exit code 137)");
	result_release(&r);
	kjob_release(&job);

	/* A multi-node job names the rank whose failure ended it. */
	load("jobset_failed_oom", &job);
	job.resource = &kube_jobsets;
	assert_int_equal(outcome_of(&job, false, &r), KJOB_DECIDED);
	assert_true(!strncmp(r.reason, "rank 1 killed for using more memory", 35));
	result_release(&r);
	kjob_release(&job);
}

static void test_not_finished_cancelled_gone_and_recorded(void **state)
{
	struct kjob job;
	struct result r, recorded;
	cJSON *patch;

	load("job_running", &job);
	assert_int_equal(outcome_of(&job, false, &r), KJOB_NOT_FINISHED);
	result_release(&r);
	/* A recorded result answers, whatever the pods say. */
	result_init(&recorded);
	result_decode("[1, 2]", 0, "Completed", &recorded);
	patch = result_annotations_patch(&recorded);
	json_set(json_ensure_object(job.workload, "metadata"), "annotations",
		 cJSON_Duplicate(json_get(patch, "metadata.annotations"), true));
	assert_true(kjob_result_recorded(&job));
	assert_int_equal(outcome_of(&job, false, &r), KJOB_DECIDED);
	assert_string_equal(r.json, "[1, 2]");
	result_release(&r);
	result_release(&recorded);
	cJSON_Delete(patch);
	kjob_release(&job);

	load("job_cancelled", &job);
	assert_int_equal(outcome_of(&job, false, &r), KJOB_CANCELLED);
	result_release(&r);
	kjob_release(&job);

	load("not_found", &job);
	assert_int_equal(outcome_of(&job, false, &r), KJOB_GONE);
	result_release(&r);
	kjob_release(&job);
}

static void test_pod_selector(void **state)
{
	struct kjob job;
	char *selector;

	load("job_running", &job);
	selector = kjob_pod_selector(&job);
	assert_string_equal(selector, "konduktor.io/job-name=train-x7k2");
	free(selector);
	kjob_release(&job);

	load("group_in_progress", &job);
	selector = kjob_pod_selector(&job);
	assert_true(!strncmp(selector, LABEL_GROUP_ID "=grp-", strlen(LABEL_GROUP_ID) + 5));
	free(selector);
	kjob_release(&job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_succeeded_job_reports_rank_zero),
		cmocka_unit_test(test_pods_behind_the_workload),
		cmocka_unit_test(test_failed_job_reports_the_failing_pod),
		cmocka_unit_test(test_not_finished_cancelled_gone_and_recorded),
		cmocka_unit_test(test_pod_selector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
