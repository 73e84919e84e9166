/* test_jobsync.c — the Job controller's decisions on synthetic Jobs and
 * pods: pod creation (names, labels, annotations, env, finalizer, owner),
 * counting through uncountedTerminatedPods, completion, backoffLimit,
 * backoffLimitPerIndex with the failure-count annotation and delayed
 * deletion, maxFailedIndexes, podFailurePolicy (every action, exit codes
 * and pod conditions), activeDeadlineSeconds,
 * suspend and resume, the replacement back-off, successPolicy and TTL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobsync.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "strutil.h"
#include "sync_test_util.h"
#include "timeutil.h"
#include "xalloc.h"

static const struct job_sync_config config = JOB_SYNC_CONFIG_DEFAULT;
static const struct job_backoff no_backoff = { 0, 0 };

/* A Job named "j" in "ns" with the given spec fields (JSON members). */
static cJSON *make_job(const char *spec_members, const char *status)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"j\",\"namespace\":\"ns\",\"uid\":\"job-uid\"},"
		 "\"spec\":{%s%s\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}},"
		 "\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"main\","
		 "\"image\":\"busybox\",\"command\":[\"true\"]}]}}},"
		 "\"status\":%s}",
		 spec_members, *spec_members ? "," : "", status ? status : "{}");
	return parse(text);
}

/* A pod of the Job; phase, index (-1 none), exit code (for Failed), and
 * extra annotations as JSON members. */
static cJSON *make_pod(const char *name, const char *phase, int index, int exit_code,
		       bool finalizer, const char *extra_annotations)
{
	char text[4096], annotations[1024] = "";
	char finished[RFC3339_MAX];

	time_format_rfc3339(time(NULL) - 100, finished);
	if (index >= 0)
		snprintf(annotations, sizeof(annotations),
			 "\"batch.kubernetes.io/job-completion-index\":\"%d\"%s%s", index,
			 extra_annotations ? "," : "", extra_annotations ? extra_annotations : "");
	else if (extra_annotations)
		snprintf(annotations, sizeof(annotations), "%s", extra_annotations);
	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"ns\",\"uid\":\"uid-%s\","
		 "\"creationTimestamp\":\"2024-01-01T00:00:00Z\",\"annotations\":{%s},"
		 "\"finalizers\":[%s],\"ownerReferences\":[{\"uid\":\"job-uid\",\"controller\":true}]},"
		 "\"spec\":{\"nodeName\":\"local\"},"
		 "\"status\":{\"phase\":\"%s\",\"containerStatuses\":[{\"name\":\"main\",\"restartCount\":0,"
		 "\"state\":%s}]}}",
		 name, name, annotations, finalizer ? "\"batch.kubernetes.io/job-tracking\"" : "",
		 phase, "{}");
	{
		cJSON *pod = parse(text);
		cJSON *state = (cJSON *)json_get(cJSON_GetArrayItem(json_get(pod, "status.containerStatuses"), 0), "state");

		if (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")) {
			cJSON *t = cJSON_AddObjectToObject(state, "terminated");

			cJSON_AddNumberToObject(t, "exitCode", exit_code);
			cJSON_AddStringToObject(t, "finishedAt", finished);
		} else {
			cJSON_AddObjectToObject(state, "running");
		}
		return pod;
	}
}

static void sync(const cJSON *job, cJSON **pods, size_t n, const struct job_backoff *backoff,
		 struct job_sync_result *r)
{
	struct error err = ERROR_INIT;

	if (job_sync(job, (const cJSON *const *)pods, n, now_ms(), backoff ? backoff : &no_backoff,
		     &config, r, &err) < 0)
		fail_msg("job_sync: %s", err.msg);
}

static int64_t get_int(const cJSON *obj, const char *path)
{
	int64_t v = -1;

	json_get_int64(obj, path, &v);
	return v;
}

static void test_new_non_indexed_job_creates_parallelism_pods(void **state)
{
	cJSON *job = make_job("\"parallelism\":2,\"completions\":3", NULL);
	struct job_sync_result r;
	const cJSON *pod;

	sync(job, NULL, 0, NULL, &r);
	assert_int_equal(r.n_creates, 2);
	pod = r.creates[0];
	assert_string_equal(json_get_string(pod, "metadata.generateName"), "j-");
	assert_string_equal(k8s_label(pod, "app"), "x");
	assert_string_equal(k8s_label(pod, "batch.kubernetes.io/job-name"), "j");
	assert_string_equal(k8s_label(pod, "batch.kubernetes.io/controller-uid"), "job-uid");
	assert_true(k8s_has_finalizer(pod, JOB_TRACKING_FINALIZER));
	assert_true(k8s_is_controlled_by(pod, "job-uid"));
	assert_true(json_get_bool(k8s_controller_ref(pod), "blockOwnerDeletion", false));
	assert_null(json_get(pod, "spec.hostname"));
	assert_non_null(r.status_final);
	assert_int_equal(get_int(r.status_final, "active"), 2);
	assert_int_equal(get_int(r.status_final, "ready"), 0);
	assert_int_equal(get_int(r.status_final, "terminating"), 0);
	assert_non_null(json_get_string(r.status_final, "startTime"));
	assert_non_null(json_get(r.status_final, "uncountedTerminatedPods"));
	assert_int_equal(r.deletes.len, 0);
	job_sync_result_release(&r);
	cJSON_Delete(job);
}

static void test_indexed_pods_carry_index_everywhere(void **state)
{
	cJSON *job = make_job("\"parallelism\":2,\"completions\":4,\"completionMode\":\"Indexed\"", NULL);
	cJSON *pods[] = { make_pod("j-0-aaaaa", "Running", 0, 0, true, NULL) };
	struct job_sync_result r;
	const cJSON *pod, *env;

	sync(job, pods, 1, NULL, &r);
	/* Index 0 runs; one more is started, and it is index 1. */
	assert_int_equal(r.n_creates, 1);
	pod = r.creates[0];
	assert_string_equal(json_get_string(pod, "metadata.generateName"), "j-1-");
	assert_string_equal(k8s_annotation(pod, JOB_COMPLETION_INDEX_KEY), "1");
	assert_string_equal(k8s_label(pod, JOB_COMPLETION_INDEX_KEY), "1");
	assert_string_equal(json_get_string(pod, "spec.hostname"), "j-1");
	assert_null(k8s_annotation(pod, JOB_INDEX_FAILURE_COUNT_KEY));
	env = cJSON_GetArrayItem(json_get(cJSON_GetArrayItem(json_get(pod, "spec.containers"), 0), "env"), 0);
	assert_string_equal(json_get_string(env, "name"), "JOB_COMPLETION_INDEX");
	assert_string_equal(json_get_string(env, "valueFrom.fieldRef.fieldPath"),
			    "metadata.labels['batch.kubernetes.io/job-completion-index']");
	job_sync_result_release(&r);
	free_objects(pods, 1);
	cJSON_Delete(job);
}

static void test_succeeded_pods_are_counted_through_uncounted(void **state)
{
	cJSON *job = make_job("\"parallelism\":2,\"completions\":3,\"completionMode\":\"Indexed\"",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *pods[] = { make_pod("j-0-aaaaa", "Succeeded", 0, 0, true, NULL),
			  make_pod("j-1-bbbbb", "Running", 1, 0, true, NULL) };
	struct job_sync_result r;

	sync(job, pods, 2, NULL, &r);
	/* Index 0 is done: index 2 starts; the finalizer of 0 goes. */
	assert_int_equal(r.n_creates, 1);
	assert_string_equal(k8s_annotation(r.creates[0], JOB_COMPLETION_INDEX_KEY), "2");
	assert_int_equal(r.finalizer_removals.len, 1);
	assert_string_equal(r.finalizer_removals.items[0], "j-0-aaaaa");
	assert_non_null(r.status_interim);
	assert_string_equal(json_get_string(r.status_interim, "completedIndexes"), "0");
	assert_string_equal(json_get_string(r.status_final, "completedIndexes"), "0");
	assert_int_equal(get_int(r.status_final, "succeeded"), 1);
	assert_int_equal(get_int(r.status_final, "active"), 2);
	assert_false(r.finishes);
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
}

static void test_completion_sets_success_criteria_then_complete(void **state)
{
	cJSON *job = make_job("\"parallelism\":2,\"completions\":2",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\",\"active\":2}");
	cJSON *pods[] = { make_pod("j-aaaaa", "Succeeded", -1, 0, true, NULL),
			  make_pod("j-bbbbb", "Succeeded", -1, 0, true, NULL) };
	struct job_sync_result r;
	const cJSON *scm, *complete;

	sync(job, pods, 2, NULL, &r);
	assert_int_equal(r.n_creates, 0);
	/* Interim: both uids uncounted and SuccessCriteriaMet. */
	assert_int_equal(cJSON_GetArraySize(json_get(r.status_interim, "uncountedTerminatedPods.succeeded")), 2);
	assert_true(k8s_condition_true(r.status_interim, "conditions", "SuccessCriteriaMet"));
	assert_false(k8s_condition_true(r.status_interim, "conditions", "Complete"));
	/* Final: counted, Complete, completionTime. */
	assert_int_equal(get_int(r.status_final, "succeeded"), 2);
	assert_null(json_get(r.status_final, "active"));
	assert_null(json_get(r.status_final, "uncountedTerminatedPods.succeeded"));
	scm = k8s_condition(r.status_final, "conditions", "SuccessCriteriaMet");
	complete = k8s_condition(r.status_final, "conditions", "Complete");
	assert_string_equal(json_get_string(scm, "reason"), "CompletionsReached");
	assert_string_equal(json_get_string(complete, "reason"), "CompletionsReached");
	assert_string_equal(json_get_string(complete, "message"),
			    "Reached expected number of succeeded pods");
	assert_non_null(json_get_string(r.status_final, "completionTime"));
	assert_true(r.finishes);
	assert_true(has_event(&r, "Completed", NULL));
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
}

static void test_backoff_limit_fails_after_pods_stop(void **state)
{
	cJSON *job = make_job("\"parallelism\":2,\"completions\":4,\"backoffLimit\":1",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\",\"failed\":1}");
	cJSON *pods[] = { make_pod("j-aaaaa", "Failed", -1, 1, true, NULL),
			  make_pod("j-bbbbb", "Running", -1, 0, true, NULL) };
	struct job_sync_result r;
	const cJSON *ft;

	sync(job, pods, 2, NULL, &r);
	/* 2 failures > backoffLimit 1: the running pod is stopped, its
	 * finalizer kept until it is gone; the Job is FailureTarget only. */
	assert_int_equal(r.deletes.len, 1);
	assert_string_equal(r.deletes.items[0], "j-bbbbb");
	assert_false(r.remove_finalizer_first);
	ft = k8s_condition(r.status_final, "conditions", "FailureTarget");
	assert_non_null(ft);
	assert_string_equal(json_get_string(ft, "reason"), "BackoffLimitExceeded");
	assert_string_equal(json_get_string(ft, "message"), "Job has reached the specified backoff limit");
	assert_null(k8s_condition(r.status_final, "conditions", "Failed"));
	assert_int_equal(get_int(r.status_final, "terminating"), 1);
	assert_false(r.finishes);
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
}

static void test_failure_target_becomes_failed_when_nothing_terminates(void **state)
{
	cJSON *job = make_job("\"completions\":1,\"backoffLimit\":0",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\",\"failed\":1,"
			      "\"conditions\":[{\"type\":\"FailureTarget\",\"status\":\"True\","
			      "\"reason\":\"BackoffLimitExceeded\",\"message\":\"Job has reached the specified backoff limit\"}]}");
	cJSON *pods[] = { make_pod("j-aaaaa", "Failed", -1, 1, false, NULL) };
	struct job_sync_result r;
	const cJSON *failed;

	sync(job, pods, 1, NULL, &r);
	failed = k8s_condition(r.status_final, "conditions", "Failed");
	assert_non_null(failed);
	assert_string_equal(json_get_string(failed, "reason"), "BackoffLimitExceeded");
	assert_true(r.finishes);
	assert_true(has_event(&r, "BackoffLimitExceeded", NULL));
	assert_null(json_get(r.status_final, "completionTime"));
	job_sync_result_release(&r);
	free_objects(pods, 1);
	cJSON_Delete(job);
}

static void test_per_index_retry_hands_on_failure_count(void **state)
{
	cJSON *job = make_job("\"parallelism\":1,\"completions\":2,\"completionMode\":\"Indexed\","
			      "\"backoffLimitPerIndex\":1",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *pods[] = { make_pod("j-0-aaaaa", "Failed", 0, 1, true,
				   "\"batch.kubernetes.io/job-index-failure-count\":\"0\"") };
	struct job_sync_result r;

	sync(job, pods, 1, NULL, &r);
	/* The failed pod finished 100 s ago, past the 10 s back-off: index 0
	 * is retried with failure count 1 and the old pod keeps its
	 * finalizer until the replacement exists. */
	assert_int_equal(r.n_creates, 1);
	assert_string_equal(k8s_annotation(r.creates[0], JOB_COMPLETION_INDEX_KEY), "0");
	assert_string_equal(k8s_annotation(r.creates[0], JOB_INDEX_FAILURE_COUNT_KEY), "1");
	assert_int_equal(r.finalizer_removals.len, 0);
	assert_string_equal(json_get_string(r.status_final, "failedIndexes"), "");
	job_sync_result_release(&r);
	free_objects(pods, 1);
	cJSON_Delete(job);
}

static void test_per_index_exhausted_and_max_failed_indexes(void **state)
{
	cJSON *job = make_job("\"parallelism\":2,\"completions\":3,\"completionMode\":\"Indexed\","
			      "\"backoffLimitPerIndex\":1,\"maxFailedIndexes\":0",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *pods[] = { make_pod("j-0-bbbbb", "Failed", 0, 1, true,
				   "\"batch.kubernetes.io/job-index-failure-count\":\"1\""),
			  make_pod("j-1-ccccc", "Running", 1, 0, true, NULL) };
	struct job_sync_result r;
	const cJSON *ft;

	sync(job, pods, 2, NULL, &r);
	assert_string_equal(json_get_string(r.status_final, "failedIndexes"), "0");
	ft = k8s_condition(r.status_final, "conditions", "FailureTarget");
	assert_string_equal(json_get_string(ft, "reason"), "MaxFailedIndexesExceeded");
	assert_string_equal(json_get_string(ft, "message"),
			    "Job has exceeded the specified maximal number of failed indexes");
	assert_int_equal(r.deletes.len, 1);
	assert_string_equal(r.deletes.items[0], "j-1-ccccc");
	assert_int_equal(r.n_creates, 0);
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
}

static void test_pod_failure_policy_fail_job_and_ignore(void **state)
{
	const char *policy = "\"completions\":1,\"backoffLimit\":0,\"podFailurePolicy\":{\"rules\":["
			     "{\"action\":\"Ignore\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[7]}},"
			     "{\"action\":\"FailJob\",\"onExitCodes\":{\"containerName\":\"main\","
			     "\"operator\":\"In\",\"values\":[42]}}]}";
	cJSON *job = make_job(policy, "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *fail42[] = { make_pod("j-aaaaa", "Failed", -1, 42, true, NULL) };
	cJSON *fail7[] = { make_pod("j-bbbbb", "Failed", -1, 7, true, NULL) };
	struct job_sync_result r;
	const cJSON *ft;

	sync(job, fail42, 1, NULL, &r);
	ft = k8s_condition(r.status_final, "conditions", "FailureTarget");
	assert_string_equal(json_get_string(ft, "reason"), "PodFailurePolicy");
	assert_string_equal(json_get_string(ft, "message"),
			    "Container main for pod ns/j-aaaaa failed with exit code 42 matching "
			    "FailJob rule at index 1");
	job_sync_result_release(&r);

	/* Exit code 7 is ignored: not counted, so backoffLimit 0 is not
	 * exceeded and a replacement starts. */
	sync(job, fail7, 1, NULL, &r);
	assert_null(k8s_condition(r.status_final, "conditions", "FailureTarget"));
	assert_int_equal(r.n_creates, 1);
	assert_int_equal(r.finalizer_removals.len, 1);
	assert_null(json_get(r.status_final, "failed"));
	job_sync_result_release(&r);
	free_objects(fail42, 1);
	free_objects(fail7, 1);
	cJSON_Delete(job);
}

/* Count: the first matching rule decides, so a Count rule ahead of a
 * FailJob rule keeps the failure an ordinary one, counted towards
 * backoffLimit. */
static void test_pod_failure_policy_count_stops_at_the_first_match(void **state)
{
	const char *rules = "\"podFailurePolicy\":{\"rules\":["
			    "{\"action\":\"Count\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[5]}},"
			    "{\"action\":\"FailJob\",\"onExitCodes\":{\"operator\":\"NotIn\",\"values\":[0]}}]}";
	char spec[512];
	cJSON *job;
	cJSON *fail5[] = { make_pod("j-aaaaa", "Failed", -1, 5, true, NULL) };
	cJSON *fail6[] = { make_pod("j-bbbbb", "Failed", -1, 6, true, NULL) };
	struct job_sync_result r;

	/* Within backoffLimit 1: counted, and a replacement starts. */
	snprintf(spec, sizeof(spec), "\"completions\":1,\"backoffLimit\":1,%s", rules);
	job = make_job(spec, "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	sync(job, fail5, 1, NULL, &r);
	assert_null(k8s_condition(r.status_final, "conditions", "FailureTarget"));
	assert_int_equal(r.n_creates, 1);
	assert_int_equal(get_int(r.status_final, "failed"), 1);
	job_sync_result_release(&r);
	cJSON_Delete(job);

	/* Over backoffLimit 0: the Job fails for the backoff limit, not for
	 * the FailJob rule that would also match. */
	snprintf(spec, sizeof(spec), "\"completions\":1,\"backoffLimit\":0,%s", rules);
	job = make_job(spec, "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	sync(job, fail5, 1, NULL, &r);
	assert_string_equal(json_get_string(k8s_condition(r.status_final, "conditions",
							   "FailureTarget"),
					    "reason"),
			    "BackoffLimitExceeded");
	assert_int_equal(r.n_creates, 0);
	job_sync_result_release(&r);

	/* Any other non-zero code reaches the FailJob rule, at index 1. */
	sync(job, fail6, 1, NULL, &r);
	assert_string_equal(json_get_string(k8s_condition(r.status_final, "conditions",
							   "FailureTarget"),
					    "reason"),
			    "PodFailurePolicy");
	job_sync_result_release(&r);
	free_objects(fail5, 1);
	free_objects(fail6, 1);
	cJSON_Delete(job);
}

/* onPodConditions: a pod that failed with a matching condition (here the
 * DisruptionTarget of an evicted pod) is handled by that rule's action. */
static void test_pod_failure_policy_on_pod_conditions(void **state)
{
	cJSON *job = make_job("\"completions\":1,\"backoffLimit\":0,\"podFailurePolicy\":{\"rules\":["
			      "{\"action\":\"Ignore\",\"onPodConditions\":[{\"type\":\"DisruptionTarget\"}]}]}",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *evicted[] = { make_pod("j-aaaaa", "Failed", -1, 137, true, NULL) };
	cJSON *conditions = cJSON_AddArrayToObject((cJSON *)json_get(evicted[0], "status"),
						   "conditions");
	cJSON *disruption = cJSON_CreateObject();
	struct job_sync_result r;

	cJSON_AddStringToObject(disruption, "type", "DisruptionTarget");
	cJSON_AddStringToObject(disruption, "status", "True");
	cJSON_AddItemToArray(conditions, disruption);
	sync(job, evicted, 1, NULL, &r);
	assert_null(k8s_condition(r.status_final, "conditions", "FailureTarget"));
	assert_int_equal(r.n_creates, 1);
	assert_null(json_get(r.status_final, "failed"));
	job_sync_result_release(&r);

	/* The same condition with status False does not match: counted, and
	 * backoffLimit 0 is exceeded. */
	cJSON_ReplaceItemInObject(disruption, "status", cJSON_CreateString("False"));
	sync(job, evicted, 1, NULL, &r);
	assert_string_equal(json_get_string(k8s_condition(r.status_final, "conditions",
							   "FailureTarget"),
					    "reason"),
			    "BackoffLimitExceeded");
	job_sync_result_release(&r);
	free_objects(evicted, 1);
	cJSON_Delete(job);
}

static void test_fail_index_action(void **state)
{
	cJSON *job = make_job("\"completions\":2,\"parallelism\":2,\"completionMode\":\"Indexed\","
			      "\"backoffLimitPerIndex\":3,\"podFailurePolicy\":{\"rules\":["
			      "{\"action\":\"FailIndex\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[3]}}]}",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *pods[] = { make_pod("j-0-aaaaa", "Failed", 0, 3, true,
				   "\"batch.kubernetes.io/job-index-failure-count\":\"0\""),
			  make_pod("j-1-bbbbb", "Succeeded", 1, 0, true, NULL) };
	struct job_sync_result r;

	sync(job, pods, 2, NULL, &r);
	assert_string_equal(json_get_string(r.status_final, "failedIndexes"), "0");
	assert_string_equal(json_get_string(r.status_final, "completedIndexes"), "1");
	assert_string_equal(json_get_string(k8s_condition(r.status_final, "conditions", "FailureTarget"),
					    "reason"),
			    "FailedIndexes");
	assert_int_equal(r.n_creates, 0);
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
}

static void test_active_deadline(void **state)
{
	char status[256], start[RFC3339_MAX];
	cJSON *job, *pods[1];
	struct job_sync_result r;

	time_format_rfc3339(time(NULL) - 30, start);
	snprintf(status, sizeof(status), "{\"startTime\":\"%s\"}", start);
	job = make_job("\"activeDeadlineSeconds\":100", status);
	pods[0] = make_pod("j-aaaaa", "Running", -1, 0, true, NULL);
	sync(job, pods, 1, NULL, &r);
	/* 70 s left: come back then. */
	assert_null(k8s_condition(r.status_final, "conditions", "FailureTarget"));
	assert_true(r.requeue_after_ms > 60000 && r.requeue_after_ms <= 70000);
	job_sync_result_release(&r);
	cJSON_Delete(job);

	job = make_job("\"activeDeadlineSeconds\":10", status);
	sync(job, pods, 1, NULL, &r);
	assert_string_equal(json_get_string(k8s_condition(r.status_final, "conditions", "FailureTarget"),
					    "reason"),
			    "DeadlineExceeded");
	assert_int_equal(r.deletes.len, 1);
	job_sync_result_release(&r);
	free_objects(pods, 1);
	cJSON_Delete(job);
}

static void test_suspend_and_resume(void **state)
{
	cJSON *job = make_job("\"suspend\":true,\"parallelism\":2,\"completions\":2",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\",\"active\":2}");
	cJSON *pods[] = { make_pod("j-aaaaa", "Running", -1, 0, true, NULL),
			  make_pod("j-bbbbb", "Pending", -1, 0, true, NULL) };
	cJSON *resumed;
	struct job_sync_result r;
	const cJSON *cond;

	sync(job, pods, 2, NULL, &r);
	assert_int_equal(r.deletes.len, 2);
	assert_true(r.remove_finalizer_first);
	cond = k8s_condition(r.status_final, "conditions", "Suspended");
	assert_string_equal(json_get_string(cond, "status"), "True");
	assert_string_equal(json_get_string(cond, "reason"), "JobSuspended");
	assert_true(has_event(&r, "Suspended", NULL));
	assert_null(json_get(r.status_final, "failed"));

	/* Resumed with the Suspended condition in place. */
	resumed = make_job("\"suspend\":false,\"parallelism\":2,\"completions\":2", "{}");
	json_set(resumed, "status", cJSON_Duplicate(r.status_final, true));
	job_sync_result_release(&r);
	sync(resumed, NULL, 0, NULL, &r);
	cond = k8s_condition(r.status_final, "conditions", "Suspended");
	assert_string_equal(json_get_string(cond, "status"), "False");
	assert_string_equal(json_get_string(cond, "reason"), "JobResumed");
	assert_true(has_event(&r, "Resumed", NULL));
	assert_int_equal(r.n_creates, 2);
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
	cJSON_Delete(resumed);
}

static void test_replacement_waits_for_backoff(void **state)
{
	cJSON *job = make_job("\"completions\":1,\"backoffLimit\":5",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	struct job_backoff recent = { .failures_after_last_success = 1,
				      .last_failure_ms = now_ms() - 2000 };
	struct job_sync_result r;

	sync(job, NULL, 0, &recent, &r);
	assert_int_equal(r.n_creates, 0);
	assert_true(r.requeue_after_ms > 7000 && r.requeue_after_ms <= 8000);
	job_sync_result_release(&r);
	recent.failures_after_last_success = 2; /* 20 s */
	sync(job, NULL, 0, &recent, &r);
	assert_true(r.requeue_after_ms > 17000 && r.requeue_after_ms <= 18000);
	job_sync_result_release(&r);
	cJSON_Delete(job);
}

static void test_new_failures_update_the_backoff_record(void **state)
{
	cJSON *job = make_job("\"completions\":1,\"backoffLimit\":5",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *pods[] = { make_pod("j-aaaaa", "Failed", -1, 1, true, NULL) };
	struct job_sync_result r;

	sync(job, pods, 1, NULL, &r);
	assert_int_equal(r.new_backoff.failures_after_last_success, 1);
	assert_true(r.new_backoff.last_failure_ms > 0);
	job_sync_result_release(&r);
	free_objects(pods, 1);
	cJSON_Delete(job);
}

static void test_success_policy(void **state)
{
	cJSON *job = make_job("\"completions\":3,\"parallelism\":3,\"completionMode\":\"Indexed\","
			      "\"successPolicy\":{\"rules\":[{\"succeededIndexes\":\"0\"}]}",
			      "{\"startTime\":\"2024-01-01T00:00:00Z\"}");
	cJSON *pods[] = { make_pod("j-0-aaaaa", "Succeeded", 0, 0, true, NULL),
			  make_pod("j-1-bbbbb", "Running", 1, 0, true, NULL) };
	struct job_sync_result r;
	const cJSON *scm;

	sync(job, pods, 2, NULL, &r);
	scm = k8s_condition(r.status_final, "conditions", "SuccessCriteriaMet");
	assert_string_equal(json_get_string(scm, "reason"), "SuccessPolicy");
	assert_string_equal(json_get_string(scm, "message"), "Matched rules at index 0");
	assert_int_equal(r.deletes.len, 1);
	assert_false(r.finishes); /* pod 1 still terminating */
	job_sync_result_release(&r);
	free_objects(pods, 2);
	cJSON_Delete(job);
}

static void test_finished_job_and_ttl(void **state)
{
	cJSON *job = make_job("\"ttlSecondsAfterFinished\":30",
			      "{\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\","
			      "\"lastTransitionTime\":\"2024-01-01T00:00:00Z\"}]}");
	cJSON *no_ttl = make_job("", "{}");
	struct job_sync_result r;

	assert_true(job_is_finished(job));
	sync(job, NULL, 0, NULL, &r);
	assert_int_equal(r.n_creates, 0);
	assert_null(r.status_final);
	job_sync_result_release(&r);
	assert_int_equal(job_ttl_expiry(job), 1704067200 + 30);
	assert_int_equal(job_ttl_expiry(no_ttl), -1);
	cJSON_Delete(job);
	cJSON_Delete(no_ttl);
}

static void test_bad_jobs_are_refused(void **state)
{
	cJSON *job = make_job("\"completionMode\":\"Sideways\"", NULL);
	cJSON *no_completions = make_job("\"completionMode\":\"Indexed\"", NULL);
	struct job_sync_result r;
	struct error err = ERROR_INIT;

	assert_int_equal(job_sync(job, NULL, 0, now_ms(), &no_backoff, &config, &r, &err), -1);
	assert_string_equal(err.msg, "job 'ns/j': unknown spec.completionMode 'Sideways'");
	assert_int_equal(job_sync(no_completions, NULL, 0, now_ms(), &no_backoff, &config, &r, &err), -1);
	assert_string_equal(err.msg, "job 'ns/j': an Indexed job needs spec.completions");
	cJSON_Delete(job);
	cJSON_Delete(no_completions);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_non_indexed_job_creates_parallelism_pods),
		cmocka_unit_test(test_indexed_pods_carry_index_everywhere),
		cmocka_unit_test(test_succeeded_pods_are_counted_through_uncounted),
		cmocka_unit_test(test_completion_sets_success_criteria_then_complete),
		cmocka_unit_test(test_backoff_limit_fails_after_pods_stop),
		cmocka_unit_test(test_failure_target_becomes_failed_when_nothing_terminates),
		cmocka_unit_test(test_per_index_retry_hands_on_failure_count),
		cmocka_unit_test(test_per_index_exhausted_and_max_failed_indexes),
		cmocka_unit_test(test_pod_failure_policy_fail_job_and_ignore),
		cmocka_unit_test(test_pod_failure_policy_count_stops_at_the_first_match),
		cmocka_unit_test(test_pod_failure_policy_on_pod_conditions),
		cmocka_unit_test(test_fail_index_action),
		cmocka_unit_test(test_active_deadline),
		cmocka_unit_test(test_suspend_and_resume),
		cmocka_unit_test(test_replacement_waits_for_backoff),
		cmocka_unit_test(test_new_failures_update_the_backoff_record),
		cmocka_unit_test(test_success_policy),
		cmocka_unit_test(test_finished_job_and_ttl),
		cmocka_unit_test(test_bad_jobs_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
