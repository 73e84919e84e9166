/* test_trim.c — the objects konduktor-fs keeps: for every status fixture
 * (tests/unit/lib/status/, objects as an API server returns them), the
 * status, per-index states and result computed from the trimmed copies
 * equal those computed from the whole objects; the trimmed copies are
 * much smaller; and trim_to_identity() leaves what an informer needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileutil.h"
#include "jsonutil.h"
#include "labels.h"
#include "result.h"
#include "status.h"
#include "strutil.h"
#include "trim.h"
#include "xalloc.h"

#define FIXTURES "../lib/status"

static cJSON *load(const char *path)
{
	struct buf text = BUF_INIT(4 << 20);
	struct error err = ERROR_INIT;
	cJSON *c;

	if (file_read_all(path, &text, &err) < 0)
		fail_msg("%s", err.msg);
	c = json_parse_bounded(text.data, text.len, text.max, &err);
	if (!c)
		fail_msg("%s: %s", path, err.msg);
	buf_release(&text);
	return c;
}

static const cJSON *items_of(const cJSON *pods)
{
	return cJSON_IsArray(pods) ? pods : json_get(pods, "items");
}

static void compare_status(const char *file, const struct job_status *a, const struct job_status *b)
{
	if (a->state != b->state || a->reason != b->reason || strcmp(a->message, b->message) ||
	    a->stuck != b->stuck || a->restarts != b->restarts || a->n_indexes != b->n_indexes)
		fail_msg("%s: %s %s '%s' became %s %s '%s'", file, job_state_name(a->state),
			 status_reason_name(a->reason), a->message, job_state_name(b->state),
			 status_reason_name(b->reason), b->message);
	for (size_t i = 0; i < a->n_indexes; i++) {
		const struct index_status *x = &a->indexes[i], *y = &b->indexes[i];

		if (x->state != y->state || x->reason != y->reason || x->attempts != y->attempts ||
		    x->exit_code != y->exit_code || !str_eq(x->message, y->message))
			fail_msg("%s: index %zu differs", file, i);
	}
}

static void compare_results(const char *file, const cJSON *workload, const struct job_status *a,
			    const cJSON *trimmed, const struct job_status *b)
{
	struct result x, y;
	enum job_result_state rx, ry;

	result_init(&x);
	result_init(&y);
	rx = result_from_job(workload, a, true, &x);
	ry = result_from_job(trimmed, b, true, &y);
	if (rx != ry || x.outcome != y.outcome || x.exit_code != y.exit_code ||
	    !str_eq(x.reason, y.reason) || !str_eq(x.json, y.json) || !str_eq(x.log_tail, y.log_tail))
		fail_msg("%s: result '%s' became '%s'", file, x.reason ? x.reason : "",
			 y.reason ? y.reason : "");
	result_release(&x);
	result_release(&y);
}

static size_t printed_size(const cJSON *value)
{
	char *text = json_print_compact(value);
	size_t len = strlen(text);

	free(text);
	return len;
}

static void check_fixture(const char *file, size_t *whole_bytes, size_t *trimmed_bytes)
{
	cJSON *c = load(file);
	const cJSON *workload = json_get(c, "workload"), *pod;
	cJSON *trimmed_workload = NULL, *trimmed_pods = cJSON_CreateArray();
	struct job_status a, b;
	struct error err = ERROR_INIT;

	if (cJSON_IsNull(workload))
		workload = NULL;
	if (workload) {
		trimmed_workload = trim_workload(workload);
		*whole_bytes += printed_size(workload);
		*trimmed_bytes += printed_size(trimmed_workload);
		/* The task text is kept apart. */
		assert_null(json_get_child_string(json_get(trimmed_workload, "metadata.annotations"),
						  ANNOTATION_TASK));
	}
	cJSON_ArrayForEach(pod, items_of(json_get(c, "pods"))) {
		cJSON *t = trim_pod(pod);

		*whole_bytes += printed_size(pod);
		*trimmed_bytes += printed_size(t);
		cJSON_AddItemToArray(trimmed_pods, t);
	}
	/* The filesystem does not watch Events: compare without them. */
	if (job_status_compute(workload, json_get(c, "pods"), NULL, &a, &err) < 0 ||
	    job_status_compute(trimmed_workload, trimmed_pods, NULL, &b, &err) < 0)
		fail_msg("%s: %s", file, err.msg);
	compare_status(file, &a, &b);
	compare_results(file, workload, &a, trimmed_workload, &b);
	job_status_release(&a);
	job_status_release(&b);
	cJSON_Delete(trimmed_workload);
	cJSON_Delete(trimmed_pods);
	cJSON_Delete(c);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_status_and_result_survive_trimming(void **state)
{
	DIR *dir = opendir(FIXTURES);
	struct dirent *entry;
	char *files[256];
	size_t n = 0, whole = 0, trimmed = 0;

	(void)state;
	assert_non_null(dir);
	while ((entry = readdir(dir)) && n < 256)
		if (str_has_suffix(entry->d_name, ".json"))
			files[n++] = xasprintf(FIXTURES "/%s", entry->d_name);
	closedir(dir);
	qsort(files, n, sizeof(*files), compare_names);
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		check_fixture(files[i], &whole, &trimmed);
		free(files[i]);
	}
	/* What the cache keeps is a small part of what the server sends. */
	assert_true(trimmed * 3 < whole);
}

static void test_rules_keep_what_they_name(void **state)
{
	static const struct trim_rule inner[] = { { "a", NULL }, { NULL, NULL } };
	static const struct trim_rule rules[] = {
		{ "x/*", NULL }, { "list", inner }, { "obj", inner }, { "scalar", inner }, { NULL, NULL },
	};
	cJSON *in = cJSON_Parse("{\"x/1\":1,\"x/2\":[2],\"y\":3,\"list\":[{\"a\":1,\"b\":2},{\"b\":3}],"
				"\"obj\":{\"a\":{\"deep\":true},\"c\":0},\"scalar\":\"s\"}");
	cJSON *out = trim_copy(in, rules);
	char *text = json_print_compact(out);

	(void)state;
	assert_string_equal(text, "{\"x/1\":1,\"x/2\":[2],\"list\":[{\"a\":1},{}],"
				  "\"obj\":{\"a\":{\"deep\":true}},\"scalar\":\"s\"}");
	free(text);
	cJSON_Delete(out);
	cJSON_Delete(in);
}

static void test_identity_is_all_an_informer_keeps(void **state)
{
	cJSON *pod = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
				 "\"namespace\":\"ns\",\"resourceVersion\":\"42\",\"labels\":{\"a\":\"b\"}},"
				 "\"spec\":{},\"status\":{\"phase\":\"Running\"}}");
	cJSON *copy;
	char *text;

	(void)state;
	trim_to_identity(pod, NULL);
	text = json_print_compact(pod);
	assert_string_equal(text,
			    "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"resourceVersion\":\"42\"}}");
	free(text);
	/* Constant keys survive copying and freeing. */
	copy = cJSON_Duplicate(pod, true);
	assert_string_equal(json_get_string(copy, "metadata.resourceVersion"), "42");
	cJSON_Delete(copy);
	cJSON_Delete(pod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_result_survive_trimming),
		cmocka_unit_test(test_rules_keep_what_they_name),
		cmocka_unit_test(test_identity_is_all_an_informer_keeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
