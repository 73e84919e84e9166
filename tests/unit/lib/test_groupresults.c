/* test_groupresults.c — a group's result lines byte for byte, the outcome
 * of an input from its status, the collector's input and completion
 * orders, results.jsonl, and the record in results ConfigMaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "groupresults.h"
#include "jsonutil.h"
#include "labels.h"
#include "xalloc.h"

static char *line_of(size_t index, const struct result *r, int attempts)
{
	struct buf out = BUF_INIT(GROUP_RESULT_LINE_MAX);

	assert_int_equal(group_result_line(index, r, attempts, &out), 0);
	return buf_detach(&out, NULL);
}

static void test_result_line_keeps_every_token(void **state)
{
	struct result r;
	_cleanup_free_ char *a = NULL, *b = NULL;

	result_init(&r);
	result_decode("{ \"val_loss\" : 0.42,\n  \"big\": 12345678901234567890, \"huge\": 1e400,\n"
		      "  \"text\": \"a  b\\\" \\\\ }\\n\" }\n", 0, "Completed", &r);
	assert_int_equal(r.outcome, RESULT_OK);
	a = line_of(7, &r, 1);
	assert_string_equal(a, "{\"index\":7,\"attempts\":1,\"result\":{\"val_loss\":0.42,"
			       "\"big\":12345678901234567890,\"huge\":1e400,"
			       "\"text\":\"a  b\\\" \\\\ }\\n\"}}");
	result_decode("  42 ", 0, "Completed", &r);
	b = line_of(0, &r, 3);
	assert_string_equal(b, "{\"index\":0,\"attempts\":3,\"result\":42}");
	result_release(&r);
}

static void test_error_lines(void **state)
{
	struct result r;
	_cleanup_free_ char *failed = NULL, *timeout = NULL, *none = NULL, *skipped = NULL;

	result_init(&r);
	result_decode("Traceback\nValueError: \"bad\" lr\n", 1, "Error", &r);
	failed = line_of(4, &r, 3);
	assert_string_equal(failed, "{\"index\":4,\"attempts\":3,\"error\":{\"outcome\":\"JobFailed\","
				    "\"reason\":\"exited with code 1: ValueError: \\\"bad\\\" lr\","
				    "\"exitCode\":1}}");
	result_set_timeout(&r, 30);
	timeout = line_of(12, &r, 0);
	assert_string_equal(timeout, "{\"index\":12,\"error\":{\"outcome\":\"Timeout\",\"reason\":"
				     "\"no result within 30 seconds\"}}");
	result_decode("#konduktor/v1 skipped the group stopped after a failure", 122, "Error", &r);
	skipped = line_of(2, &r, 1);
	assert_string_equal(skipped, "{\"index\":2,\"attempts\":1,\"error\":{\"outcome\":\"Skipped\","
				     "\"reason\":\"skipped: the group stopped after a failure\"}}");
	result_decode("#konduktor/v1 no-result", 0, "Completed", &r);
	none = line_of(1, &r, 1);
	assert_string_equal(none, "{\"index\":1,\"attempts\":1,\"error\":{\"outcome\":"
				  "\"NoResultReported\",\"reason\":\"the task succeeded without writing "
				  "$KONDUKTOR_OUTPUT_DIR/result.json\",\"exitCode\":0}}");
	result_release(&r);
}

static void test_a_line_never_exceeds_its_limit(void **state)
{
	struct result r;
	struct buf text = BUF_INIT(RESULT_MAX + 1);
	_cleanup_free_ char *line = NULL, *expected = NULL;
	bool ok = true;

	/* Raw control characters (which cJSON lets into a string) take six
	 * bytes each on the line: 4 KiB of them fit. */
	buf_putc(&text, '"');
	while (text.len < RESULT_MAX - 1)
		buf_putc(&text, '\x01');
	buf_putc(&text, '"');
	result_init(&r);
	result_decode(text.data, 0, "Completed", &r);
	assert_int_equal(r.outcome, RESULT_OK);
	line = group_result_line_new(5, &r, 1, &ok);
	assert_true(ok);
	assert_int_equal(strlen(line), strlen("{\"index\":5,\"attempts\":1,\"result\":\"\"}") +
					       6 * (RESULT_MAX - 2));
	free(line);
	/* An outcome whose reason could not fit becomes a line that says so. */
	buf_release(&text);
	buf_init(&text, GROUP_RESULT_LINE_MAX);
	while (buf_putc(&text, '\x02') == 0)
		;
	result_set(&r, RESULT_JOB_FAILED, 3, text.data);
	line = group_result_line_new(5, &r, 2, &ok);
	assert_false(ok);
	expected = xasprintf("{\"index\":5,\"attempts\":2,\"error\":{\"outcome\":\"MalformedResult\","
			     "\"reason\":\"its line would be longer than %zu bytes\",\"exitCode\":3}}",
			     GROUP_RESULT_LINE_MAX);
	assert_string_equal(line, expected);
	buf_release(&text);
	result_release(&r);
}

static void test_line_over_the_limit_leaves_buffer_unchanged(void **state)
{
	struct result r;
	struct buf out = BUF_INIT(24);

	result_init(&r);
	result_decode("{\"a\": \"a long enough value\"}", 0, "Completed", &r);
	buf_puts(&out, "kept");
	assert_int_equal(group_result_line(1, &r, 1, &out), -1);
	assert_string_equal(out.data, "kept");
	result_set(&r, RESULT_CANCELLED, 143, "cancelled at 2026-01-01T00:00:00Z");
	assert_int_equal(group_result_line(1, &r, 1, &out), -1);
	assert_string_equal(out.data, "kept");
	buf_release(&out);
	result_release(&r);
}

/* A terminated pod of the group's Job, as the API server returns it. */
static cJSON *pod(int exit_code, const char *message)
{
	cJSON *p = cJSON_CreateObject();
	cJSON *statuses = cJSON_CreateArray(), *c = cJSON_CreateObject();
	cJSON *terminated = json_ensure_object(c, "state.terminated");

	json_set_string(c, "name", "task");
	json_set_int64(terminated, "exitCode", exit_code);
	json_set_string(terminated, "reason", exit_code ? "Error" : "Completed");
	if (message)
		json_set_string(terminated, "message", message);
	cJSON_AddItemToArray(statuses, c);
	json_set_string(json_ensure_object(p, "metadata"), "name", "grp-1a2b3c4d-0-x");
	json_set(json_ensure_object(p, "status"), "containerStatuses", statuses);
	return p;
}

static cJSON *group_job(const char *kind, const char *uid);

static void test_input_outcome_from_status(void **state)
{
	_cleanup_json_ cJSON *ok = pod(0, "{\"x\": 1}"), *bad = pod(2, "oops\n"),
			     *quiet = pod(0, "#konduktor/v1 no-result");
	_cleanup_json_ cJSON *job = group_job(LABEL_KIND_GROUP, "u-1");
	struct index_status is = { .state = JOB_SUCCEEDED, .attempts = 1, .exit_code = 0, .pod = ok };
	struct result r;

	result_init(&r);
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_OK);
	assert_string_equal(r.json, "{\"x\": 1}");

	/* Succeeded, but the pod left is an earlier failed attempt, or none. */
	is.pod = bad;
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_NONE);
	assert_string_equal(r.reason, "its pod was deleted before its result was recorded");
	is.pod = NULL;
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_NONE);

	is = (struct index_status){ .state = JOB_FAILED, .reason = REASON_ERROR, .attempts = 3,
				    .exit_code = 2, .pod = bad, .message = "exited with code 2" };
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_string_equal(r.reason, "exited with code 2: oops");
	assert_int_equal(r.exit_code, 2);

	/* Failed by the Job's count although its pod says exit 0. */
	is.pod = quiet;
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_string_equal(r.reason, "exited with code 2");
	is.pod = NULL;
	is.message = NULL;
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_string_equal(r.reason, "failed");

	is = (struct index_status){ .state = JOB_FAILED, .reason = REASON_SKIPPED, .exit_code = 122 };
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_SKIPPED);
	assert_string_equal(r.reason, "skipped: the group stopped after a failure");
	assert_int_equal(r.exit_code, -1);

	/* Stopped by the group's end: --cancel-running-on-fail ... */
	is = (struct index_status){ .state = JOB_FAILED, .reason = REASON_CANCELLED, .exit_code = 143,
				    .message = "stopped when the job failed" };
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_CANCELLED);
	assert_string_equal(r.reason, "stopped when another input failed");
	assert_int_equal(r.exit_code, -1);
	assert_int_equal(result_exit_code(r.outcome), EXIT_CANCELLED);
	/* ... group cancel ... */
	json_set_string(json_ensure_object(job, "metadata.annotations"), ANNOTATION_CANCELLED_AT,
			"2026-01-01T00:00:00Z");
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_CANCELLED);
	assert_string_equal(r.reason, "the group was cancelled");
	/* ... and plain fail-fast, whose early end only stops pods that would
	 * skip (but not group cancel). */
	json_set_string(json_ensure_object(job, "metadata.annotations"), ANNOTATION_FAIL_FAST, "true");
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_CANCELLED);
	cJSON_DeleteItemFromObject((cJSON *)json_get(job, "metadata.annotations"),
				   ANNOTATION_CANCELLED_AT);
	assert_int_equal(group_input_result(job, &is, &r), 0);
	assert_int_equal(r.outcome, RESULT_SKIPPED);
	assert_string_equal(r.reason, "skipped: the group stopped after a failure");

	is = (struct index_status){ .state = JOB_RUNNING };
	assert_int_equal(group_input_result(job, &is, &r), 1);
	is.state = JOB_PENDING;
	assert_int_equal(group_input_result(job, &is, &r), 1);
	result_release(&r);
}

struct emitted {
	struct buf text;
	int stop_after; /* 0: never */
	int calls;
};

static int collect(size_t index, const char *line, bool ok, void *ctx)
{
	struct emitted *e = ctx;

	buf_printf(&e->text, "%zu%s %s\n", index, ok ? "" : "!", line);
	return ++e->calls == e->stop_after ? 7 : 0;
}

static void test_orders(void **state)
{
	struct group_results r;
	struct emitted in = { .text = BUF_INIT(4096) }, done = { .text = BUF_INIT(4096) };
	struct error err = ERROR_INIT;

	group_results_init(&r, 4);
	assert_int_equal(group_results_add_line(&r, 2, "c", true, &err), 1);
	assert_int_equal(group_results_add_line(&r, 0, "a", true, &err), 1);
	assert_int_equal(group_results_emit(&r, GROUP_ORDER_INPUT, collect, &in), 0);
	assert_int_equal(group_results_emit(&r, GROUP_ORDER_COMPLETION, collect, &done), 0);
	assert_string_equal(in.text.data, "0 a\n");
	assert_string_equal(done.text.data, "2 c\n0 a\n");

	/* Input 1 finishing releases 1 and 2 in input order; the first line
	 * of an input stays. */
	assert_int_equal(group_results_add_line(&r, 1, "b", false, &err), 1);
	assert_int_equal(group_results_add_line(&r, 1, "other", true, &err), 0);
	assert_true(group_results_has(&r, 1));
	assert_false(group_results_has(&r, 3));
	assert_false(group_results_has(&r, 9));
	assert_int_equal(group_results_emit(&r, GROUP_ORDER_INPUT, collect, &in), 0);
	assert_int_equal(group_results_emit(&r, GROUP_ORDER_COMPLETION, collect, &done), 0);
	assert_string_equal(in.text.data, "0 a\n1! b\n2 c\n");
	assert_string_equal(done.text.data, "2 c\n0 a\n1! b\n");
	assert_int_equal(r.finished, 3);
	assert_int_equal(r.failed, 1);

	assert_int_equal(group_results_add_line(&r, 4, "x", true, &err), -1);
	assert_string_equal(err.msg, "input 4 is not in a group of 4 inputs");
	group_results_release(&r);
	buf_release(&in.text);
	buf_release(&done.text);
}

static void test_emit_stops_when_asked(void **state)
{
	struct group_results r;
	struct emitted e = { .text = BUF_INIT(4096), .stop_after = 1 };

	group_results_init(&r, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(group_results_add_line(&r, i, "x", true, NULL), 1);
	assert_int_equal(group_results_emit(&r, GROUP_ORDER_INPUT, collect, &e), 7);
	assert_string_equal(e.text.data, "0 x\n");
	e.stop_after = 0;
	assert_int_equal(group_results_emit(&r, GROUP_ORDER_INPUT, collect, &e), 0);
	assert_string_equal(e.text.data, "0 x\n1 x\n2 x\n");
	group_results_release(&r);
	buf_release(&e.text);
}

static void test_render_is_results_jsonl(void **state)
{
	struct group_results r;
	struct result ok, failed;
	struct buf all = BUF_INIT(4096), successes = BUF_INIT(4096), tiny = BUF_INIT(10);

	result_init(&ok);
	result_init(&failed);
	result_decode("[1, 2]", 0, "Completed", &ok);
	result_decode("", 3, "Error", &failed);
	group_results_init(&r, 4);
	assert_int_equal(group_results_add(&r, 3, &ok, 1, NULL), 1);
	assert_int_equal(group_results_add(&r, 1, &failed, 2, NULL), 1);
	assert_int_equal(group_results_add(&r, 0, &ok, 1, NULL), 1);
	assert_int_equal(group_results_render(&r, true, &all), 0);
	assert_string_equal(all.data, "{\"index\":0,\"attempts\":1,\"result\":[1,2]}\n"
				      "{\"index\":1,\"attempts\":2,\"error\":{\"outcome\":\"JobFailed\","
				      "\"reason\":\"exited with code 3\",\"exitCode\":3}}\n"
				      "{\"index\":3,\"attempts\":1,\"result\":[1,2]}\n");
	assert_int_equal(group_results_render(&r, false, &successes), 0);
	assert_string_equal(successes.data, "{\"index\":0,\"attempts\":1,\"result\":[1,2]}\n"
					    "{\"index\":3,\"attempts\":1,\"result\":[1,2]}\n");
	buf_puts(&tiny, "ab");
	assert_int_equal(group_results_render(&r, true, &tiny), -1);
	assert_string_equal(tiny.data, "ab");
	group_results_release(&r);
	result_release(&ok);
	result_release(&failed);
	buf_release(&all);
	buf_release(&successes);
	buf_release(&tiny);
}

static cJSON *group_job(const char *kind, const char *uid)
{
	cJSON *job = cJSON_CreateObject();
	cJSON *metadata = json_ensure_object(job, "metadata");
	cJSON *labels = json_ensure_object(metadata, "labels");

	json_set_string(job, "apiVersion", "batch/v1");
	json_set_string(job, "kind", "Job");
	json_set_string(metadata, "name", "grp-1a2b3c4d");
	json_set_string(metadata, "namespace", "ml");
	if (uid)
		json_set_string(metadata, "uid", uid);
	json_set_string(labels, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE);
	json_set_string(labels, LABEL_KIND, kind);
	json_set_string(labels, LABEL_GROUP_ID, "grp-1a2b3c4d");
	json_set_string(labels, LABEL_TASK_NAME, "sweep");
	json_set_string(labels, LABEL_USER, "jane");
	json_set_string(labels, LABEL_COMPONENT, LABEL_COMPONENT_WORKLOAD);
	json_set_string(labels, "kueue.x-k8s.io/queue-name", "q");
	{
		cJSON *a = json_ensure_object(metadata, "annotations");

		json_set_string(a, ANNOTATION_GROUP_SIZE, "4");
		json_set_string(a, ANNOTATION_INPUT_MODE, "auto");
		json_set_string(a, ANNOTATION_MAX_CONCURRENT, "2");
		json_set_string(a, ANNOTATION_RETRIES, "0");
		json_set_string(a, ANNOTATION_INPUT_CHUNKS, "1");
		json_set_string(a, ANNOTATION_FAIL_FAST, "false");
		json_set_string(a, ANNOTATION_CANCEL_RUNNING_ON_FAIL, "false");
	}
	return job;
}

static void test_results_configmap(void **state)
{
	_cleanup_json_ cJSON *job = group_job(LABEL_KIND_GROUP, "u-1"), *cm = NULL;
	_cleanup_json_ cJSON *not_group = group_job(LABEL_KIND_JOB, "u-2");
	_cleanup_json_ cJSON *no_uid = group_job(LABEL_KIND_GROUP, NULL);
	_cleanup_free_ char *name = group_results_configmap_name("grp-1a2b3c4d", 12);
	struct error err = ERROR_INIT;
	const cJSON *labels, *owner;

	assert_string_equal(name, "grp-1a2b3c4d-results-12");
	cm = group_results_configmap(job, 3, &err);
	assert_non_null(cm);
	assert_string_equal(json_get_string(cm, "kind"), "ConfigMap");
	assert_string_equal(json_get_string(cm, "metadata.name"), "grp-1a2b3c4d-results-3");
	assert_string_equal(json_get_string(cm, "metadata.namespace"), "ml");
	labels = json_get(cm, "metadata.labels");
	assert_string_equal(json_get_child_string(labels, LABEL_COMPONENT), LABEL_COMPONENT_RESULTS);
	assert_string_equal(json_get_child_string(labels, LABEL_GROUP_ID), "grp-1a2b3c4d");
	assert_string_equal(json_get_child_string(labels, LABEL_USER), "jane");
	assert_null(json_get_child(labels, "kueue.x-k8s.io/queue-name"));
	owner = cJSON_GetArrayItem(json_get(cm, "metadata.ownerReferences"), 0);
	assert_string_equal(json_get_string(owner, "uid"), "u-1");
	assert_string_equal(json_get_string(owner, "kind"), "Job");
	assert_true(cJSON_IsObject(json_get(cm, "data")));

	assert_null(group_results_configmap(not_group, 0, &err));
	assert_string_equal(err.msg, "'grp-1a2b3c4d' is not a konduktor group");
	assert_null(group_results_configmap(no_uid, 0, &err));
}

static void test_record_round_trip(void **state)
{
	struct group_results written, read;
	struct result ok, failed;
	_cleanup_json_ cJSON *patch = NULL;
	struct buf a = BUF_INIT(4096), b = BUF_INIT(4096);
	struct error err = ERROR_INIT;
	size_t bytes = 0;

	result_init(&ok);
	result_init(&failed);
	result_decode("{\"v\": \"x\"}", 0, "Completed", &ok);
	result_decode("", 137, "Error", &failed);
	group_results_init(&written, 3);
	group_results_init(&read, 3);
	group_results_add(&written, 2, &ok, 1, NULL);
	group_results_add(&written, 0, &failed, 1, NULL);
	group_results_patch_add(&patch, 2, written.lines[2]);
	group_results_patch_add(&patch, 0, written.lines[0]);
	assert_string_equal(json_get_string(patch, "data.2"),
			    "{\"index\":2,\"attempts\":1,\"result\":{\"v\":\"x\"}}");
	assert_int_equal(group_results_load(&read, patch, &bytes, &err), 0);
	assert_int_equal(bytes, 2 + strlen(written.lines[0]) + strlen(written.lines[2]));
	assert_int_equal(read.finished, 2);
	assert_int_equal(read.failed, 1);
	assert_int_equal(group_results_render(&written, true, &a), 0);
	assert_int_equal(group_results_render(&read, true, &b), 0);
	assert_string_equal(a.data, b.data);
	group_results_release(&written);
	group_results_release(&read);
	result_release(&ok);
	result_release(&failed);
	buf_release(&a);
	buf_release(&b);
}

static void test_record_skips_what_is_not_a_line(void **state)
{
	static const char *const bad[][2] = {
		{ "x", "{\"index\":0,\"result\":1}" },                  /* not an index */
		{ "7", "{\"index\":7,\"result\":1}" },                  /* out of range */
		{ "1", "{\"index\":2,\"result\":1}" },                  /* another input's */
		{ "1", "{\"index\":1}" },                               /* neither */
		{ "1", "{\"index\":1,\"result\":1,\"error\":{}}" },     /* both */
		{ "1", "{\"index\":1,\"error\":{\"reason\":\"r\"}}" },  /* no outcome */
		{ "1", "{\"index\":1,\"result\":" },                    /* not JSON */
		{ "1", "[1]" },
	};
	struct error err = ERROR_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		_cleanup_json_ cJSON *cm = cJSON_CreateObject();
		cJSON *data = json_ensure_object(cm, "data");
		struct group_results r;

		json_set_string(json_ensure_object(cm, "metadata"), "name", "grp-1a2b3c4d-results-0");
		json_set_string(data, bad[i][0], bad[i][1]);
		json_set_string(data, "2", "{\"index\":2,\"result\":true}");
		group_results_init(&r, 3);
		if (group_results_load(&r, cm, NULL, &err) != 1)
			fail_msg("case %zu: not skipped", i);
		assert_true(strstr(err.msg, "configmap 'grp-1a2b3c4d-results-0': key '") == err.msg);
		assert_int_equal(r.finished, 1);
		assert_true(group_results_has(&r, 2));
		group_results_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_line_keeps_every_token),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_a_line_never_exceeds_its_limit),
		cmocka_unit_test(test_line_over_the_limit_leaves_buffer_unchanged),
		cmocka_unit_test(test_input_outcome_from_status),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_emit_stops_when_asked),
		cmocka_unit_test(test_render_is_results_jsonl),
		cmocka_unit_test(test_results_configmap),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_skips_what_is_not_a_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
