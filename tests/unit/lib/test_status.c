/* test_status.c — the status model over realistic API objects: each file
 * in status/ holds a workload, its pods and events as an API server
 * returns them, and the expected state, reason, message and per-index
 * states. Also the cancel patch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "jsonutil.h"
#include "labels.h"
#include "status.h"
#include "strutil.h"
#include "xalloc.h"

static int state_of(const char *name)
{
	for (int s = 0; s < JOB_STATE_COUNT; s++)
		if (strcmp(job_state_name(s), name) == 0)
			return s;
	fail_msg("unknown state '%s'", name);
	return -1;
}

static void check_case(const char *file)
{
	struct buf text = BUF_INIT(4 << 20);
	struct error err = ERROR_INIT;
	struct job_status st;
	cJSON *c;
	const cJSON *expect, *v;
	const char *s;
	int64_t n;

	if (file_read_all(file, &text, &err) < 0)
		fail_msg("%s", err.msg);
	c = json_parse_bounded(text.data, text.len, text.max, &err);
	if (!c)
		fail_msg("%s: %s", file, err.msg);
	expect = json_get(c, "expect");
	{
		const cJSON *workload = json_get(c, "workload");

		if (cJSON_IsNull(workload))
			workload = NULL;
		if (job_status_compute(workload, json_get(c, "pods"), json_get(c, "events"), &st,
				       &err) < 0)
			fail_msg("%s: %s", file, err.msg);
	}
	if ((int)st.state != state_of(json_get_string(expect, "state")))
		fail_msg("%s: state %s (%s: %s)", file, job_state_name(st.state),
			 status_reason_name(st.reason), st.message);
	if ((s = json_get_string(expect, "reason")) && strcmp(s, status_reason_name(st.reason)))
		fail_msg("%s: reason '%s' (%s), expected '%s'", file, status_reason_name(st.reason),
			 st.message, s);
	if ((s = json_get_string(expect, "message")) && strcmp(s, st.message))
		fail_msg("%s: message\n  '%s'\nexpected\n  '%s'", file, st.message, s);
	if ((s = json_get_string(expect, "message_contains")) && !strstr(st.message, s))
		fail_msg("%s: message '%s' lacks '%s'", file, st.message, s);
	assert_null(strchr(st.message, '\n'));
	if ((v = json_get(expect, "stuck")) && cJSON_IsTrue(v) != st.stuck)
		fail_msg("%s: stuck is %d", file, st.stuck);
	if (json_get_int64(expect, "restarts", &n) && n != st.restarts)
		fail_msg("%s: restarts %d, expected %lld", file, st.restarts, (long long)n);
	cJSON_ArrayForEach(v, json_get(expect, "counts")) {
		if ((int64_t)st.counts[state_of(v->string)] != (int64_t)v->valuedouble)
			fail_msg("%s: %zu %s indexes", file, st.counts[state_of(v->string)], v->string);
	}
	if ((v = json_get(expect, "indexes"))) {
		size_t i = 0;
		const cJSON *e;

		assert_int_equal(st.n_indexes, (size_t)cJSON_GetArraySize(v));
		cJSON_ArrayForEach(e, v) {
			const struct index_status *is = &st.indexes[i];

			if ((int)is->state != state_of(json_get_string(e, "state")))
				fail_msg("%s: index %zu is %s", file, i, job_state_name(is->state));
			if ((s = json_get_string(e, "reason")) && strcmp(s, status_reason_name(is->reason)))
				fail_msg("%s: index %zu reason '%s'", file, i, status_reason_name(is->reason));
			if (json_get_int64(e, "attempts", &n) && n != is->attempts)
				fail_msg("%s: index %zu attempts %d", file, i, is->attempts);
			if (json_get_int64(e, "exit_code", &n) && n != is->exit_code)
				fail_msg("%s: index %zu exit code %d", file, i, is->exit_code);
			if ((v = json_get(e, "message")) && cJSON_IsNull(v) && is->message)
				fail_msg("%s: index %zu message '%s'", file, i, is->message);
			if ((s = json_get_string(e, "message")) && !str_eq(s, is->message))
				fail_msg("%s: index %zu message '%s'", file, i,
					 is->message ? is->message : "(none)");
			i++;
		}
	}
	job_status_release(&st);
	cJSON_Delete(c);
	buf_release(&text);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_every_fixture(void **state)
{
	DIR *dir = opendir("status");
	struct dirent *entry;
	char *files[256];
	size_t n = 0;

	assert_non_null(dir);
	while ((entry = readdir(dir)) && n < 256)
		if (str_has_suffix(entry->d_name, ".json"))
			files[n++] = xasprintf("status/%s", entry->d_name);
	closedir(dir);
	qsort(files, n, sizeof(*files), compare_names);
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		check_case(files[i]);
		free(files[i]);
	}
}

static void test_cancel_patch(void **state)
{
	cJSON *patch = status_cancel_patch("2026-01-02T10:05:00Z");
	cJSON *job = cJSON_Parse("{\"kind\":\"Job\",\"metadata\":{\"name\":\"j\"}}");

	assert_true(json_get_bool(patch, "spec.suspend", false));
	assert_false(status_is_cancelled(job));
	json_set(job, "metadata", cJSON_Duplicate(json_get(patch, "metadata"), 1));
	assert_true(status_is_cancelled(job));
	assert_string_equal(json_get_child_string(json_get(job, "metadata.annotations"),
						  ANNOTATION_CANCELLED_AT),
			    "2026-01-02T10:05:00Z");
	cJSON_Delete(patch);
	cJSON_Delete(job);
}

static void test_wrong_kind_and_huge_completions(void **state)
{
	cJSON *cm = cJSON_Parse("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}");
	cJSON *huge = cJSON_Parse("{\"kind\":\"Job\",\"metadata\":{\"name\":\"h\"},"
				  "\"spec\":{\"completions\":2000000}}");
	struct job_status st;
	struct error err = ERROR_INIT;

	assert_int_equal(job_status_compute(cm, NULL, NULL, &st, &err), -1);
	assert_string_equal(err.msg, "'c' is a ConfigMap, not a Job or JobSet");
	assert_int_equal(job_status_compute(huge, NULL, NULL, &st, &err), -1);
	assert_string_equal(err.msg, "'h' has 2000000 completions, beyond what status can follow");
	cJSON_Delete(cm);
	cJSON_Delete(huge);
}

static cJSON *load_fixture(const char *file)
{
	struct buf text = BUF_INIT(4 << 20);
	struct error err = ERROR_INIT;
	cJSON *c;

	if (file_read_all(file, &text, &err) < 0)
		fail_msg("%s", err.msg);
	c = json_parse_bounded(text.data, text.len, text.max, &err);
	if (!c)
		fail_msg("%s: %s", file, err.msg);
	buf_release(&text);
	return c;
}

/* The document `status -o json` prints, for a cancelled job, a multi-node
 * job and one that does not exist. */
static void test_status_document(void **state)
{
	static const struct {
		const char *file, *expect;
	} cases[] = {
		{ "status/job_cancelled.json",
		  "{\"apiVersion\":\"konduktor.io/v1\",\"kind\":\"JobStatus\",\"metadata\":"
		  "{\"name\":\"train-x7k2\",\"namespace\":\"default\",\"creationTimestamp\":"
		  "\"2026-01-02T10:00:00Z\"},\"workloadKind\":\"Job\",\"task\":\"train\","
		  "\"numNodes\":1,\"state\":\"FAILED\",\"reason\":\"Cancelled\",\"message\":"
		  "\"cancelled at 2026-01-02T10:05:00Z\",\"stuck\":false,\"restarts\":0,"
		  "\"cancelledAt\":\"2026-01-02T10:05:00Z\",\"indexes\":[{\"index\":0,\"state\":"
		  "\"FAILED\",\"reason\":\"Cancelled\",\"attempts\":1,\"pod\":\"train-x7k2-0-aaaaa\"}]}" },
		{ "status/not_found.json",
		  "{\"apiVersion\":\"konduktor.io/v1\",\"kind\":\"JobStatus\",\"metadata\":"
		  "{\"name\":\"gone\",\"namespace\":\"ml\"},\"workloadKind\":\"\",\"state\":"
		  "\"NOT_FOUND\",\"reason\":\"\",\"message\":\"not found\",\"stuck\":false,"
		  "\"restarts\":0,\"indexes\":[]}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *c = load_fixture(cases[i].file), *doc;
		const cJSON *workload = json_get(c, "workload");
		struct job_status st;
		char *text;

		if (cJSON_IsNull(workload))
			workload = NULL;
		assert_int_equal(job_status_compute(workload, json_get(c, "pods"), NULL, &st, NULL), 0);
		doc = job_status_to_json(workload, "gone", "ml", &st);
		text = json_print_compact(doc);
		if (strcmp(text, cases[i].expect))
			fail_msg("%s:\n%s\nexpected\n%s", cases[i].file, text, cases[i].expect);
		free(text);
		cJSON_Delete(doc);
		job_status_release(&st);
		cJSON_Delete(c);
	}
	{
		/* Ranks of a multi-node job: exit codes and pod names. */
		cJSON *c = load_fixture("status/jobset_failed_oom.json"), *doc;
		struct job_status st;
		const cJSON *rank;

		assert_int_equal(job_status_compute(json_get(c, "workload"), json_get(c, "pods"),
						    NULL, &st, NULL), 0);
		doc = job_status_to_json(json_get(c, "workload"), NULL, NULL, &st);
		assert_string_equal(json_get_string(doc, "workloadKind"), "JobSet");
		assert_string_equal(json_get_string(doc, "state"), "FAILED");
		assert_int_equal(cJSON_GetArraySize(json_get(doc, "indexes")), (int)st.n_indexes);
		cJSON_ArrayForEach(rank, json_get(doc, "indexes")) {
			int64_t index = -1;

			assert_true(json_get_int64(rank, "index", &index));
			if (st.indexes[index].pod)
				assert_string_equal(json_get_string(rank, "pod"),
						    json_get_string(st.indexes[index].pod, "metadata.name"));
			else
				assert_null(json_get(rank, "pod"));
		}
		cJSON_Delete(doc);
		job_status_release(&st);
		cJSON_Delete(c);
	}
}

static void test_names(void **state)
{
	assert_string_equal(job_state_name(JOB_NOT_FOUND), "NOT_FOUND");
	assert_string_equal(status_reason_name(REASON_IMAGE_PULL), "ImagePull");
	assert_string_equal(status_reason_name(REASON_NONE), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture),
		cmocka_unit_test(test_cancel_patch),
		cmocka_unit_test(test_wrong_kind_and_huge_completions),
		cmocka_unit_test(test_status_document),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
