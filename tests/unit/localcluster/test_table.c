/* test_table.c — Table output: ages as kubectl prints them, the Accept
 * negotiation, and a pod's and a job's columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "store_internal.h"
#include "table.h"
#include "timeutil.h"

static void test_accept_negotiation(void **state)
{
	assert_true(table_requested("application/json;as=Table;v=v1;g=meta.k8s.io,"
				    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
				    "application/json"));
	assert_true(table_requested("application/json;as=Table;v=v1beta1;g=meta.k8s.io"));
	assert_false(table_requested("application/json"));
	assert_false(table_requested("application/json, application/json;as=Table;v=v1;"
				     "g=meta.k8s.io"));
	assert_false(table_requested(NULL));
	assert_false(table_requested("application/json;as=PartialObjectMetadata;v=v1;"
				     "g=meta.k8s.io"));
}

static cJSON *render(enum resource_kind kind, const char *json, time_t now)
{
	cJSON *tree = cJSON_Parse(json);
	struct store_obj *obj = store_obj_build(kind, tree);
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);
	cJSON *table;

	assert_int_equal(table_render(&out, resource_get(kind), &obj, 1, 7, NULL, -1,
				      TABLE_INCLUDE_METADATA, now),
			 0);
	table = cJSON_Parse(out.data);
	assert_non_null(table);
	buf_release(&out);
	store_obj_unref(obj);
	cJSON_Delete(tree);
	return table;
}

static void test_pod_row(void **state)
{
	time_t now;
	cJSON *table;
	const cJSON *cells;
	char *text;

	time_parse_rfc3339("2026-01-01T00:05:00Z", &now);
	table = render(RESOURCE_POD,
		       "{\"metadata\":{\"name\":\"p\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},"
		       "\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]},"
		       "\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
		       "{\"name\":\"a\",\"ready\":true,\"restartCount\":2,\"state\":{\"running\":{}}},"
		       "{\"name\":\"b\",\"ready\":false,\"restartCount\":1,\"state\":{\"waiting\":"
		       "{\"reason\":\"CrashLoopBackOff\"}}}]}}",
		       now);
	cells = json_get_child(cJSON_GetArrayItem(json_get(table, "rows"), 0), "cells");
	text = json_print_compact(cells);
	assert_string_equal(text, "[\"p\",\"1/2\",\"CrashLoopBackOff\",\"3\",\"5m\",\"<none>\","
				  "\"<none>\",\"<none>\",\"<none>\"]");
	assert_string_equal(json_get_string(table, "metadata.resourceVersion"), "7");
	assert_string_equal(json_get_string(cJSON_GetArrayItem(json_get(table, "rows"), 0),
					    "object.kind"),
			    "PartialObjectMetadata");
	free(text);
	cJSON_Delete(table);
}

static void test_job_row(void **state)
{
	time_t now;
	cJSON *table;
	const cJSON *cells;
	char *text;

	time_parse_rfc3339("2026-01-01T01:00:00Z", &now);
	table = render(RESOURCE_JOB,
		       "{\"metadata\":{\"name\":\"j\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},"
		       "\"spec\":{\"completions\":3,\"template\":{\"spec\":{\"containers\":["
		       "{\"name\":\"m\",\"image\":\"i\"}]}}},\"status\":{\"succeeded\":3,"
		       "\"startTime\":\"2026-01-01T00:00:00Z\",\"completionTime\":"
		       "\"2026-01-01T00:00:42Z\",\"conditions\":[{\"type\":\"Complete\","
		       "\"status\":\"True\"}]}}",
		       now);
	cells = json_get_child(cJSON_GetArrayItem(json_get(table, "rows"), 0), "cells");
	text = json_print_compact(cells);
	assert_string_equal(text, "[\"j\",\"Complete\",\"3/3\",\"42s\",\"60m\",\"m\",\"i\","
				  "\"<none>\"]");
	free(text);
	cJSON_Delete(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_negotiation),
		cmocka_unit_test(test_pod_row),
		cmocka_unit_test(test_job_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
