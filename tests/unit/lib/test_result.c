/* test_result.c — decoding termination messages: every outcome, its exit
 * code and reason, pods as the API server returns them, and results
 * recorded in annotations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "labels.h"
#include "result.h"
#include "status.h"

static void test_decode_table(void **state)
{
	static const struct {
		const char *message;
		int exit_code;
		const char *reason;
		enum result_outcome outcome;
		int process_exit;
		const char *expected_reason;
	} cases[] = {
		{ "{\"loss\": 0.1}\n", 0, "Completed", RESULT_OK, 0, "the task reported a result" },
		{ "42", 0, "Completed", RESULT_OK, 0, "the task reported a result" },
		{ "  [1, 2]  ", 0, "Completed", RESULT_OK, 0, "the task reported a result" },
		{ "", 0, "Completed", RESULT_NONE, 13, "the task succeeded without reporting anything" },
		{ NULL, 0, NULL, RESULT_NONE, 13, "the task succeeded without reporting anything" },
		{ "#konduktor/v1 no-result", 0, "Completed", RESULT_NONE, 13,
		  "the task succeeded without writing $KONDUKTOR_OUTPUT_DIR/result.json" },
		{ "#konduktor/v1 too-large 123456", 0, "Completed", RESULT_TOO_LARGE, 11,
		  "result.json has 123456 bytes, more than the 4096 a termination message can carry" },
		{ "#konduktor/v1 malformed empty", 0, "Completed", RESULT_MALFORMED, 12,
		  "result.json is empty" },
		{ "#konduktor/v1 malformed starts-with-marker-byte", 0, "Completed", RESULT_MALFORMED, 12,
		  "result.json is not JSON (it begins with '#')" },
		{ "#konduktor/v1 sideways x", 0, "Completed", RESULT_MALFORMED, 12,
		  "unrecognised termination message marker 'sideways'" },
		{ "#not ours", 0, "Completed", RESULT_MALFORMED, 12,
		  "unrecognised termination message (#not ours)" },
		{ "{\"a\": ", 0, "Completed", RESULT_MALFORMED, 12,
		  "result.json is not valid JSON: invalid JSON at byte 5" },
		{ "Traceback (most recent call last):\n  ...\nValueError: bad lr\n", 1, "Error",
		  RESULT_JOB_FAILED, 10, "exited with code 1: ValueError: bad lr" },
		{ "", 2, "Error", RESULT_JOB_FAILED, 10, "exited with code 2" },
		{ "", 137, "OOMKilled", RESULT_JOB_FAILED, 10,
		  "killed for using more memory than its limit (OOMKilled, exit code 137)" },
		{ "", 143, "Error", RESULT_JOB_FAILED, 10, "killed by signal 15 (exit code 143, Error)" },
		{ "#konduktor/v1 error cannot unpack the workdir into /konduktor/work", 121, "Error",
		  RESULT_JOB_FAILED, 10,
		  "konduktor could not start the task: cannot unpack the workdir into /konduktor/work" },
		{ "#konduktor/v1 skipped the group stopped after a failure", 122, "Error",
		  RESULT_SKIPPED, 10, "skipped: the group stopped after a failure" },
		/* A failed task's own result is not a result. */
		{ "{\"x\": 1}", 3, "Error", RESULT_JOB_FAILED, 10, "exited with code 3: {\"x\": 1}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r;

		result_init(&r);
		result_decode(cases[i].message, cases[i].exit_code, cases[i].reason, &r);
		if (r.outcome != cases[i].outcome)
			fail_msg("case %zu: %s, not %s", i, result_outcome_name(r.outcome),
				 result_outcome_name(cases[i].outcome));
		assert_int_equal(result_exit_code(r.outcome), cases[i].process_exit);
		assert_string_equal(r.reason, cases[i].expected_reason);
		assert_null(strchr(r.reason, '\n'));
		assert_int_equal(r.exit_code, cases[i].exit_code);
		if (r.outcome == RESULT_OK)
			assert_string_equal(r.json, cases[i].message);
		else
			assert_null(r.json);
		result_release(&r);
	}
}

static void test_exit_codes_are_distinct(void **state)
{
	static const enum result_outcome all[] = { RESULT_OK, RESULT_JOB_FAILED, RESULT_TOO_LARGE,
						   RESULT_MALFORMED, RESULT_NONE, RESULT_TIMEOUT };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		enum result_outcome back;

		assert_int_equal(result_outcome_parse(result_outcome_name(all[i]), &back), 0);
		assert_int_equal(back, all[i]);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(result_exit_code(all[i]), result_exit_code(all[j]));
	}
	assert_int_equal(result_exit_code(RESULT_JOB_FAILED), EXIT_JOB_FAILED);
	assert_int_equal(result_exit_code(RESULT_TOO_LARGE), EXIT_RESULT_TOO_LARGE);
	assert_int_equal(result_exit_code(RESULT_MALFORMED), EXIT_MALFORMED_RESULT);
	assert_int_equal(result_exit_code(RESULT_NONE), EXIT_NO_RESULT);
	assert_int_equal(result_exit_code(RESULT_TIMEOUT), EXIT_TIMEOUT);
	assert_int_equal(result_outcome_parse("Nope", &(enum result_outcome){ 0 }), -1);
}

static void test_result_from_pod(void **state)
{
	static const char pod_json[] =
		"{\"metadata\":{\"name\":\"t-abcd-0-x7k2q\"},\"status\":{\"phase\":\"Succeeded\","
		"\"containerStatuses\":[{\"name\":\"sidecar\",\"state\":{\"terminated\":{\"exitCode\":0,"
		"\"message\":\"not this\"}}},{\"name\":\"task\",\"ready\":false,\"restartCount\":0,"
		"\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\",\"message\":"
		"\"{\\\"val_loss\\\": 0.42}\\n\",\"startedAt\":\"2026-01-01T00:00:00Z\","
		"\"finishedAt\":\"2026-01-01T00:00:05Z\",\"containerID\":\"containerd://abc\"}}}]}}";
	static const char running_json[] =
		"{\"metadata\":{\"name\":\"p\"},\"status\":{\"phase\":\"Running\",\"containerStatuses\":"
		"[{\"name\":\"task\",\"state\":{\"running\":{\"startedAt\":\"2026-01-01T00:00:00Z\"}}}]}}";
	cJSON *pod = cJSON_Parse(pod_json), *running = cJSON_Parse(running_json);
	struct result r;
	struct error err = ERROR_INIT;

	result_init(&r);
	assert_int_equal(result_from_pod(pod, &r, &err), 0);
	assert_int_equal(r.outcome, RESULT_OK);
	assert_string_equal(r.json, "{\"val_loss\": 0.42}\n");
	assert_int_equal(result_from_pod(running, &r, &err), -1);
	assert_string_equal(err.msg, "pod 'p' has not terminated");
	result_release(&r);
	cJSON_Delete(pod);
	cJSON_Delete(running);
}

static void test_recorded_in_annotations(void **state)
{
	struct result r, back;
	cJSON *patch, *job;

	result_init(&r);
	result_init(&back);
	result_decode("Traceback\nboom\n", 1, "Error", &r);
	patch = result_annotations_patch(&r);
	assert_string_equal(json_get_child_string(json_get(patch, "metadata.annotations"),
						  ANNOTATION_OUTCOME),
			    "JobFailed");
	job = cJSON_CreateObject();
	json_set(job, "metadata", cJSON_Duplicate(json_get(patch, "metadata"), 1));
	assert_int_equal(result_from_annotations(job, &back), 0);
	assert_int_equal(back.outcome, RESULT_JOB_FAILED);
	assert_int_equal(back.exit_code, 1);
	assert_string_equal(back.reason, r.reason);
	assert_string_equal(back.log_tail, "Traceback\nboom\n");
	cJSON_Delete(patch);
	cJSON_Delete(job);

	result_decode("{\"a\": [1, 2]}", 0, "Completed", &r);
	patch = result_annotations_patch(&r);
	job = cJSON_CreateObject();
	json_set(job, "metadata", cJSON_Duplicate(json_get(patch, "metadata"), 1));
	assert_int_equal(result_from_annotations(job, &back), 0);
	assert_int_equal(back.outcome, RESULT_OK);
	assert_string_equal(back.json, "{\"a\": [1, 2]}");
	cJSON_Delete(patch);
	cJSON_Delete(job);

	job = cJSON_Parse("{\"metadata\":{\"annotations\":{\"konduktor.io/result\":\"garbage\"}}}");
	assert_int_equal(result_from_annotations(job, &back), 1);
	cJSON_Delete(job);
	job = cJSON_Parse("{\"metadata\":{}}");
	assert_int_equal(result_from_annotations(job, &back), 1);
	cJSON_Delete(job);
	result_set_timeout(&r, 30);
	assert_int_equal(r.outcome, RESULT_TIMEOUT);
	assert_string_equal(r.reason, "no result within 30 seconds");
	result_release(&r);
	result_release(&back);
}

/* result_from_job() over the status fixtures (status/, as the API server
 * returns the objects): which pod reports, and what a failure says. */
static void test_result_of_whole_jobs(void **state)
{
	static const struct {
		const char *fixture;
		enum job_result_state rc;
		enum result_outcome outcome;
		const char *json, *reason;
		int exit_code;
	} cases[] = {
		{ "job_succeeded", JOB_RESULT_DECIDED, RESULT_OK, "{\"val_loss\": 0.42}",
		  "the task reported a result", 0 },
		{ "jobset_completed", JOB_RESULT_DECIDED, RESULT_OK, "[1]", "the task reported a result",
		  0 },
		{ "job_failed_after_restarts", JOB_RESULT_DECIDED, RESULT_JOB_FAILED, NULL,
		  "exited with code 3: ValueError: bad lr", 3 },
		{ "job_cancelled", JOB_RESULT_CANCELLED, RESULT_OK, NULL, NULL, -1 },
		{ "job_deadline_exceeded", JOB_RESULT_DECIDED, RESULT_JOB_FAILED, NULL,
		  "deadline exceeded: Job was active longer than specified deadline", -1 },
		{ "jobset_failed_oom", JOB_RESULT_DECIDED, RESULT_JOB_FAILED, NULL,
		  "rank 1 killed for using more memory than its limit (OOMKilled, exit code 137)", 137 },
		{ "job_succeeded_pods_gone", JOB_RESULT_DECIDED, RESULT_JOB_FAILED, NULL,
		  "the job succeeded, but rank 0's pod is gone and no result was recorded", -1 },
		{ "job_running", JOB_RESULT_PENDING, RESULT_OK, NULL, NULL, -1 },
		{ "not_found", JOB_RESULT_PENDING, RESULT_OK, NULL, NULL, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf text = BUF_INIT(BUF_MAX_DEFAULT);
		char path[128];
		struct error err = ERROR_INIT;
		struct job_status st;
		struct result r;
		const cJSON *workload;
		cJSON *fixture;

		snprintf(path, sizeof(path), "status/%s.json", cases[i].fixture);
		assert_int_equal(file_read_all(path, &text, &err), 0);
		fixture = cJSON_Parse(text.data);
		assert_non_null(fixture);
		workload = json_get(fixture, "workload");
		if (cJSON_IsNull(workload))
			workload = NULL;
		assert_int_equal(job_status_compute(workload, json_get(fixture, "pods"), NULL, &st, &err),
				 0);
		result_init(&r);
		assert_int_equal(result_from_job(workload, &st, true, &r), cases[i].rc);
		if (cases[i].rc == JOB_RESULT_DECIDED) {
			assert_int_equal(r.outcome, cases[i].outcome);
			assert_string_equal(r.reason, cases[i].reason);
			assert_int_equal(r.exit_code, cases[i].exit_code);
			if (cases[i].json)
				assert_string_equal(r.json, cases[i].json);
			else
				assert_null(r.json);
		}
		/* Without `settled`, missing pods may only be late. */
		if (!strcmp(cases[i].fixture, "job_succeeded_pods_gone"))
			assert_int_equal(result_from_job(workload, &st, false, &r),
					 JOB_RESULT_PODS_BEHIND);
		result_release(&r);
		job_status_release(&st);
		cJSON_Delete(fixture);
		buf_release(&text);
	}
}

/* A recorded result wins over the pods. */
static void test_result_of_a_job_recorded_on_it(void **state)
{
	static const char job_json[] =
		"{\"kind\":\"Job\",\"metadata\":{\"name\":\"j\",\"annotations\":{"
		"\"konduktor.io/outcome\":\"Result\",\"konduktor.io/result\":"
		"\"{\\\"outcome\\\":\\\"Result\\\",\\\"exitCode\\\":0,\\\"reason\\\":\\\"r\\\","
		"\\\"result\\\":\\\"7\\\"}\"}},\"spec\":{\"completions\":1},"
		"\"status\":{\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}";
	cJSON *job = cJSON_Parse(job_json);
	struct job_status st;
	struct result r;

	(void)state;
	assert_non_null(job);
	assert_int_equal(job_status_compute(job, NULL, NULL, &st, NULL), 0);
	assert_int_equal(st.state, JOB_SUCCEEDED);
	result_init(&r);
	assert_int_equal(result_from_job(job, &st, false, &r), JOB_RESULT_DECIDED);
	assert_int_equal(r.outcome, RESULT_OK);
	assert_string_equal(r.json, "7");
	result_release(&r);
	job_status_release(&st);
	cJSON_Delete(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_exit_codes_are_distinct),
		cmocka_unit_test(test_result_from_pod),
		cmocka_unit_test(test_recorded_in_annotations),
		cmocka_unit_test(test_result_of_whole_jobs),
		cmocka_unit_test(test_result_of_a_job_recorded_on_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
