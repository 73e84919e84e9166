/* test_jobsetsync.c — the JobSet controller's decisions: child Jobs with
 * their names, labels and annotations, the headless Service, success and
 * failure policies with restarts, suspend, InOrder startup and the TTL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobsetsync.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "sha1.h"
#include "strutil.h"
#include "sync_test_util.h"

/* JobSet "js" in "ns": workers x2, driver x1, plus extra spec members. */
static cJSON *make_jobset(const char *extra_spec, const char *status)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"js\",\"namespace\":\"ns\",\"uid\":\"js-uid\"},"
		 "\"spec\":{%s%s\"replicatedJobs\":["
		 "{\"name\":\"workers\",\"replicas\":2,\"template\":{\"metadata\":{\"labels\":{\"team\":\"a\"}},"
		 "\"spec\":{\"parallelism\":2,\"completions\":2,\"template\":{\"spec\":{\"containers\":"
		 "[{\"name\":\"w\",\"image\":\"x\"}]}}}}},"
		 "{\"name\":\"driver\",\"template\":{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
		 "\"containers\":[{\"name\":\"d\",\"image\":\"x\"}]}}}}}]},"
		 "\"status\":%s}",
		 extra_spec, *extra_spec ? "," : "", status ? status : "{}");
	return parse(text);
}

/* A child Job of attempt `attempt`, finished as `condition` (NULL: active). */
static cJSON *make_child(const char *rjob, int index, int attempt, const char *condition,
			 const char *transition)
{
	char text[2048], conditions[512] = "";

	if (condition)
		snprintf(conditions, sizeof(conditions),
			 "{\"type\":\"%s\",\"status\":\"True\",\"lastTransitionTime\":\"%s\"}", condition,
			 transition ? transition : "2024-01-01T00:00:00Z");
	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"js-%s-%d\",\"namespace\":\"ns\",\"uid\":\"u-%s-%d\","
		 "\"labels\":{\"jobset.sigs.k8s.io/replicatedjob-name\":\"%s\","
		 "\"jobset.sigs.k8s.io/restart-attempt\":\"%d\"},"
		 "\"ownerReferences\":[{\"uid\":\"js-uid\",\"controller\":true}]},"
		 "\"spec\":{\"parallelism\":1,\"completions\":1},"
		 "\"status\":{\"ready\":1,\"active\":1,\"conditions\":[%s]}}",
		 rjob, index, rjob, index, rjob, attempt, conditions);
	return parse(text);
}

static void sync(const cJSON *js, cJSON **jobs, size_t n, bool service_exists,
		 struct jobset_sync_result *r)
{
	struct error err = ERROR_INIT;

	if (jobset_sync(js, (const cJSON *const *)jobs, n, service_exists, now_ms(), r, &err) < 0)
		fail_msg("jobset_sync: %s", err.msg);
}

static void test_new_jobset_creates_jobs_and_service(void **state)
{
	cJSON *js = make_jobset("", NULL);
	struct jobset_sync_result r;
	const cJSON *job, *tmpl, *svc;
	char key[SHA1_HEX_SIZE];

	sync(js, NULL, 0, false, &r);
	assert_int_equal(r.n_creates, 3);
	job = r.creates[1];
	assert_string_equal(k8s_name(job), "js-workers-1");
	assert_string_equal(k8s_label(job, "team"), "a");
	assert_string_equal(k8s_label(job, JOBSET_NAME_KEY), "js");
	assert_string_equal(k8s_label(job, JOBSET_RJOB_NAME_KEY), "workers");
	assert_string_equal(k8s_label(job, JOBSET_RJOB_REPLICAS_KEY), "2");
	assert_string_equal(k8s_label(job, JOBSET_JOB_INDEX_KEY), "1");
	assert_string_equal(k8s_label(job, JOBSET_GLOBAL_REPLICAS_KEY), "3");
	assert_string_equal(k8s_label(job, JOBSET_JOB_GLOBAL_INDEX_KEY), "1");
	assert_string_equal(k8s_label(job, JOBSET_RESTART_ATTEMPT_KEY), "0");
	sha1_hex("ns/js-workers-1", 15, key);
	assert_string_equal(k8s_label(job, JOBSET_JOB_KEY), key);
	assert_string_equal(k8s_annotation(job, JOBSET_JOB_INDEX_KEY), "1");
	assert_string_equal(json_get_string(job, "spec.completionMode"), "Indexed");
	assert_false(json_get_bool(job, "spec.suspend", true));
	assert_true(k8s_is_controlled_by(job, "js-uid"));
	tmpl = json_get(job, "spec.template");
	assert_string_equal(k8s_label(tmpl, JOBSET_JOB_INDEX_KEY), "1");
	assert_string_equal(json_get_string(tmpl, "spec.subdomain"), "js");
	assert_string_equal(json_get_string(tmpl, "spec.restartPolicy"), "OnFailure");
	assert_string_equal(k8s_label(r.creates[2], JOBSET_JOB_GLOBAL_INDEX_KEY), "2");
	assert_string_equal(json_get_string(r.creates[2], "spec.template.spec.restartPolicy"), "Never");
	svc = r.service;
	assert_non_null(svc);
	assert_string_equal(k8s_name(svc), "js");
	assert_string_equal(json_get_string(svc, "spec.clusterIP"), "None");
	assert_string_equal(json_get_child_string(json_get(svc, "spec.selector"), JOBSET_NAME_KEY), "js");
	assert_true(json_get_bool(svc, "spec.publishNotReadyAddresses", false));
	assert_string_equal(json_get_string(cJSON_GetArrayItem(json_get(r.status, "replicatedJobsStatus"), 0),
					    "name"),
			    "workers");
	jobset_sync_result_release(&r);
	/* With the Service there and the jobs created, nothing more to do. */
	{
		cJSON *jobs[] = { make_child("workers", 0, 0, NULL, NULL),
				  make_child("workers", 1, 0, NULL, NULL),
				  make_child("driver", 0, 0, NULL, NULL) };

		sync(js, jobs, 3, true, &r);
		assert_int_equal(r.n_creates, 0);
		assert_null(r.service);
		/* Both worker Jobs report ready (1 of 1). */
		{
			int64_t ready = -1;

			json_get_int64(cJSON_GetArrayItem(json_get(r.status, "replicatedJobsStatus"), 0),
				       "ready", &ready);
			assert_int_equal(ready, 2);
		}
		jobset_sync_result_release(&r);
		free_objects(jobs, 3);
	}
	cJSON_Delete(js);
}

static void test_all_jobs_completed(void **state)
{
	cJSON *js = make_jobset("", NULL);
	cJSON *jobs[] = { make_child("workers", 0, 0, "Complete", NULL),
			  make_child("workers", 1, 0, "Complete", NULL),
			  make_child("driver", 0, 0, "Complete", NULL) };
	struct jobset_sync_result r;
	const cJSON *done;

	sync(js, jobs, 3, true, &r);
	done = k8s_condition(r.status, "conditions", "Completed");
	assert_string_equal(json_get_string(done, "reason"), "AllJobsCompleted");
	assert_string_equal(json_get_string(done, "message"), "jobset completed successfully");
	assert_string_equal(json_get_string(r.status, "terminalState"), "Completed");
	assert_true(has_event(&r, "AllJobsCompleted", NULL));
	jobset_sync_result_release(&r);
	free_objects(jobs, 3);
	cJSON_Delete(js);
}

static void test_any_with_target(void **state)
{
	cJSON *js = make_jobset("\"successPolicy\":{\"operator\":\"Any\",\"targetReplicatedJobs\":[\"driver\"]}",
				NULL);
	cJSON *worker_done[] = { make_child("workers", 0, 0, "Complete", NULL),
				 make_child("workers", 1, 0, NULL, NULL),
				 make_child("driver", 0, 0, NULL, NULL) };
	cJSON *driver_done[] = { make_child("workers", 0, 0, NULL, NULL),
				 make_child("workers", 1, 0, NULL, NULL),
				 make_child("driver", 0, 0, "Complete", NULL) };
	struct jobset_sync_result r;

	sync(js, worker_done, 3, true, &r);
	assert_null(k8s_condition(r.status, "conditions", "Completed"));
	jobset_sync_result_release(&r);
	sync(js, driver_done, 3, true, &r);
	assert_true(k8s_condition_true(r.status, "conditions", "Completed"));
	jobset_sync_result_release(&r);
	free_objects(worker_done, 3);
	free_objects(driver_done, 3);
	cJSON_Delete(js);
}

static void test_failure_without_policy(void **state)
{
	cJSON *js = make_jobset("", NULL);
	cJSON *jobs[] = { make_child("workers", 0, 0, "Failed", "2024-01-01T00:00:09Z"),
			  make_child("workers", 1, 0, "Failed", "2024-01-01T00:00:03Z"),
			  make_child("driver", 0, 0, NULL, NULL) };
	struct jobset_sync_result r;
	const cJSON *failed;

	sync(js, jobs, 3, true, &r);
	failed = k8s_condition(r.status, "conditions", "Failed");
	assert_string_equal(json_get_string(failed, "reason"), "FailedJobs");
	assert_string_equal(json_get_string(failed, "message"),
			    "jobset failed due to one or more job failures (first failed job: js-workers-1)");
	assert_string_equal(json_get_string(r.status, "terminalState"), "Failed");
	jobset_sync_result_release(&r);
	/* Once failed, what still runs is deleted. */
	{
		cJSON *failed_js = make_jobset("", NULL);

		sync(js, jobs, 3, true, &r);
		json_set(failed_js, "status", cJSON_Duplicate(r.status, true));
		jobset_sync_result_release(&r);
		sync(failed_js, jobs, 3, true, &r);
		assert_int_equal(r.deletes.len, 1);
		assert_string_equal(r.deletes.items[0], "js-driver-0");
		jobset_sync_result_release(&r);
		cJSON_Delete(failed_js);
	}
	free_objects(jobs, 3);
	cJSON_Delete(js);
}

static void test_restart_then_recreate_then_give_up(void **state)
{
	cJSON *js = make_jobset("\"failurePolicy\":{\"maxRestarts\":1}", "{\"restarts\":0}");
	cJSON *attempt0[] = { make_child("workers", 0, 0, "Failed", NULL),
			      make_child("workers", 1, 0, NULL, NULL),
			      make_child("driver", 0, 0, NULL, NULL) };
	cJSON *restarted;
	struct jobset_sync_result r;

	sync(js, attempt0, 3, true, &r);
	{
		int64_t restarts = 0;

		json_get_int64(r.status, "restarts", &restarts);
		assert_int_equal(restarts, 1);
	}
	assert_true(has_event(&r, "Restarting", "restarting jobset, attempt 1"));
	assert_null(k8s_condition(r.status, "conditions", "Failed"));
	restarted = make_jobset("\"failurePolicy\":{\"maxRestarts\":1}", "{}");
	json_set(restarted, "status", cJSON_Duplicate(r.status, true));
	jobset_sync_result_release(&r);

	/* Attempt 0's Jobs are deleted; new ones wait until they are gone. */
	sync(restarted, attempt0, 3, true, &r);
	assert_int_equal(r.deletes.len, 3);
	assert_int_equal(r.n_creates, 0);
	jobset_sync_result_release(&r);
	sync(restarted, NULL, 0, true, &r);
	assert_int_equal(r.n_creates, 3);
	assert_string_equal(k8s_label(r.creates[0], JOBSET_RESTART_ATTEMPT_KEY), "1");
	jobset_sync_result_release(&r);

	/* A failure in attempt 1 reaches maxRestarts. */
	{
		cJSON *attempt1[] = { make_child("workers", 0, 1, NULL, NULL),
				      make_child("workers", 1, 1, NULL, NULL),
				      make_child("driver", 0, 1, "Failed", NULL) };
		const cJSON *failed;

		sync(restarted, attempt1, 3, true, &r);
		failed = k8s_condition(r.status, "conditions", "Failed");
		assert_string_equal(json_get_string(failed, "reason"), "ReachedMaxRestarts");
		assert_string_equal(json_get_string(failed, "message"),
				    "jobset failed due to reaching max number of restarts (first failed job: js-driver-0)");
		jobset_sync_result_release(&r);
		free_objects(attempt1, 3);
	}
	free_objects(attempt0, 3);
	cJSON_Delete(js);
	cJSON_Delete(restarted);
}

static void test_suspend_and_resume(void **state)
{
	cJSON *js = make_jobset("\"suspend\":true", NULL);
	cJSON *jobs[] = { make_child("workers", 0, 0, NULL, NULL) };
	cJSON *resumed;
	struct jobset_sync_result r;

	sync(js, jobs, 1, true, &r);
	assert_int_equal(r.n_creates, 2);
	assert_true(json_get_bool(r.creates[0], "spec.suspend", false));
	assert_int_equal(r.n_suspend_changes, 1);
	assert_true(r.suspend_changes[0].suspend);
	assert_string_equal(json_get_string(k8s_condition(r.status, "conditions", "Suspended"), "reason"),
			    "SuspendedJobs");
	resumed = make_jobset("\"suspend\":false", "{}");
	json_set(resumed, "status", cJSON_Duplicate(r.status, true));
	jobset_sync_result_release(&r);
	json_set((cJSON *)json_get(jobs[0], "spec"), "suspend", cJSON_CreateTrue());
	sync(resumed, jobs, 1, true, &r);
	assert_int_equal(r.n_suspend_changes, 1);
	assert_false(r.suspend_changes[0].suspend);
	assert_string_equal(json_get_string(k8s_condition(r.status, "conditions", "Suspended"), "status"),
			    "False");
	assert_true(has_event(&r, "ResumeJobs", "jobset is resumed"));
	jobset_sync_result_release(&r);
	free_objects(jobs, 1);
	cJSON_Delete(js);
	cJSON_Delete(resumed);
}

static void test_in_order_startup(void **state)
{
	cJSON *js = make_jobset("\"startupPolicy\":{\"startupPolicyOrder\":\"InOrder\"}", NULL);
	cJSON *workers_ready[] = { make_child("workers", 0, 0, NULL, NULL),
				   make_child("workers", 1, 0, NULL, NULL) };
	struct jobset_sync_result r;

	sync(js, NULL, 0, true, &r);
	assert_int_equal(r.n_creates, 2); /* workers only */
	assert_true(k8s_condition_true(r.status, "conditions", "StartupPolicyInProgress"));
	jobset_sync_result_release(&r);
	/* Both worker Jobs are ready (status.ready 1 of 1): the driver starts. */
	sync(js, workers_ready, 2, true, &r);
	assert_int_equal(r.n_creates, 1);
	assert_string_equal(k8s_name(r.creates[0]), "js-driver-0");
	jobset_sync_result_release(&r);
	free_objects(workers_ready, 2);
	cJSON_Delete(js);
}

static void test_ttl_after_finished(void **state)
{
	char status[512], when[RFC3339_MAX];
	cJSON *js;
	struct jobset_sync_result r;

	time_format_rfc3339(time(NULL) - 5, when);
	snprintf(status, sizeof(status),
		 "{\"conditions\":[{\"type\":\"Completed\",\"status\":\"True\",\"lastTransitionTime\":\"%s\"}]}",
		 when);
	js = make_jobset("\"ttlSecondsAfterFinished\":60", status);
	sync(js, NULL, 0, true, &r);
	assert_false(r.delete_jobset);
	assert_true(r.requeue_after_ms > 50000 && r.requeue_after_ms <= 55000);
	jobset_sync_result_release(&r);
	cJSON_Delete(js);
	js = make_jobset("\"ttlSecondsAfterFinished\":2", status);
	sync(js, NULL, 0, true, &r);
	assert_true(r.delete_jobset);
	jobset_sync_result_release(&r);
	cJSON_Delete(js);
}

static void test_bad_jobset(void **state)
{
	cJSON *js = parse("{\"metadata\":{\"name\":\"js\",\"namespace\":\"ns\",\"uid\":\"u\"},\"spec\":{}}");
	struct jobset_sync_result r;
	struct error err = ERROR_INIT;

	assert_int_equal(jobset_sync(js, NULL, 0, false, now_ms(), &r, &err), -1);
	assert_string_equal(err.msg, "jobset 'ns/js': spec.replicatedJobs is empty");
	cJSON_Delete(js);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_jobset_creates_jobs_and_service),
		cmocka_unit_test(test_all_jobs_completed),
		cmocka_unit_test(test_any_with_target),
		cmocka_unit_test(test_failure_without_policy),
		cmocka_unit_test(test_restart_then_recreate_then_give_up),
		cmocka_unit_test(test_suspend_and_resume),
		cmocka_unit_test(test_in_order_startup),
		cmocka_unit_test(test_ttl_after_finished),
		cmocka_unit_test(test_bad_jobset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
