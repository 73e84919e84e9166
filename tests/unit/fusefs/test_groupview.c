/* test_groupview.c — a group's files from its Job, pods and ConfigMaps:
 * zero-padded input directories in input order, inputs.jsonl decoded from
 * the chunks, results.jsonl from the pods and the record, per-input files
 * from the pod while it is there and from the recorded line once not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groupview.h"
#include "jsonutil.h"

static const char group_json[] =
	"{\"workload\":{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{"
	"\"name\":\"grp-0a1b2c3d\",\"namespace\":\"default\",\"labels\":{"
	"\"konduktor.io/kind\":\"group\",\"konduktor.io/group-id\":\"grp-0a1b2c3d\"}},"
	"\"spec\":{\"completions\":11,\"parallelism\":11},\"status\":{\"completedIndexes\":\"0,2\","
	"\"failedIndexes\":\"1\"}},"
	"\"pods\":[{\"metadata\":{\"name\":\"g-0\",\"labels\":{"
	"\"batch.kubernetes.io/job-completion-index\":\"0\"}},\"status\":{\"phase\":\"Succeeded\","
	"\"containerStatuses\":[{\"name\":\"task\",\"state\":{\"terminated\":{\"exitCode\":0,"
	"\"message\":\"{\\\"a\\\": 1}\\n\"}}}]}},"
	"{\"metadata\":{\"name\":\"g-1\",\"labels\":{"
	"\"batch.kubernetes.io/job-completion-index\":\"1\"}},\"status\":{\"phase\":\"Failed\","
	"\"containerStatuses\":[{\"name\":\"task\",\"state\":{\"terminated\":{\"exitCode\":3,"
	"\"message\":\"boom\\n\"}}}]}},"
	"{\"metadata\":{\"name\":\"g-3\",\"labels\":{"
	"\"batch.kubernetes.io/job-completion-index\":\"3\"}},\"status\":{\"phase\":\"Running\","
	"\"containerStatuses\":[{\"name\":\"task\",\"state\":{\"running\":{}}}]}}],"
	"\"configmaps\":[{\"metadata\":{\"name\":\"grp-0a1b2c3d-inputs-0\",\"labels\":{"
	"\"konduktor.io/component\":\"inputs\"}},\"data\":{"
	"\"inputs-5-10\":\"j .5\\nj .6\\nj .7\\nj .8\\nj .9\\nj .10\\n\","
	"\"inputs-0-4\":\"j .0\\nj .\\\"one\\\\0040two\\\"\\nj .2\\nj .3\\nj .4\\n\"}},"
	"{\"metadata\":{\"name\":\"grp-0a1b2c3d-results-0\",\"labels\":{"
	"\"konduktor.io/component\":\"results\"}},\"data\":{"
	"\"2\":\"{\\\"index\\\":2,\\\"attempts\\\":1,\\\"result\\\":{\\\"b\\\":2}}\"}}]}";

static struct view *build(cJSON **ret_doc)
{
	cJSON *doc = cJSON_Parse(group_json);

	assert_non_null(doc);
	*ret_doc = doc;
	return group_view_build(json_get(doc, "workload"), json_get(doc, "pods"),
				json_get(doc, "configmaps"), NULL, 1000);
}

static const char *file(const struct view *v, const char *path)
{
	const struct vnode *n = view_walk(v, path);

	return n && n->type == VNODE_FILE ? n->content->data : NULL;
}

static void test_the_group_files(void **state)
{
	cJSON *doc;
	struct view *v = build(&doc);
	const struct vnode *root = &v->root;

	(void)state;
	/* 11 inputs: 00 .. 10, then the group's own files. */
	assert_int_equal(root->dir.len, 11 + 3);
	assert_string_equal(root->dir.items[0].name, "00");
	assert_string_equal(root->dir.items[10].name, "10");
	assert_string_equal(root->dir.items[11].name, "inputs.jsonl");
	assert_null(view_walk(v, "0"));
	assert_string_equal(file(v, "inputs.jsonl"),
			    "0\n\"one two\"\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
	assert_string_equal(file(v, "01/input.json"), "\"one two\"\n");
	/* The state and the reason a job's status would give, then counts. */
	assert_string_equal(file(v, "status"), "RUNNING\nError: input 1: exited with code 3\n"
					       "PENDING 7\nRUNNING 1\nSUCCEEDED 2\nFAILED 1\n");
	/* Input 2's pod is gone: its line comes from the record. */
	assert_string_equal(file(v, "results.jsonl"),
			    "{\"index\":0,\"attempts\":1,\"result\":{\"a\":1}}\n"
			    "{\"index\":1,\"attempts\":1,\"error\":{\"outcome\":\"JobFailed\","
			    "\"reason\":\"exited with code 3: boom\",\"exitCode\":3}}\n"
			    "{\"index\":2,\"attempts\":1,\"result\":{\"b\":2}}\n");
	assert_string_equal(file(v, "00/result.json"), "{\"a\": 1}\n");  /* the pod's bytes */
	assert_string_equal(file(v, "02/result.json"), "{\"b\":2}\n");   /* the record's */
	assert_string_equal(file(v, "01/error"), "JobFailed\nexited with code 3: boom\n\nboom\n");
	assert_string_equal(file(v, "03/status"), "RUNNING\n");
	assert_null(view_walk(v, "03/result.json"));
	assert_null(view_walk(v, "03/error"));
	assert_string_equal(view_walk(v, "03/logs")->pod->data, "g-3");
	assert_null(view_walk(v, "04/logs")->pod);
	view_unref(v);
	cJSON_Delete(doc);
}

static void test_index_names(void **state)
{
	char name[24];

	(void)state;
	group_index_name(0, 1, name, sizeof(name));
	assert_string_equal(name, "0");
	group_index_name(9, 10, name, sizeof(name));
	assert_string_equal(name, "9");
	group_index_name(7, 11, name, sizeof(name));
	assert_string_equal(name, "07");
	group_index_name(42, 100000, name, sizeof(name));
	assert_string_equal(name, "00042");
	group_index_name(3, 1000, name, 3); /* too small: the digits still fit */
	assert_string_equal(name, "03");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_group_files),
		cmocka_unit_test(test_index_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
