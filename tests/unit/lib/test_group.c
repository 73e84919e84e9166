/* test_group.c — a group's objects for each row of Kinetic's fail-fast
 * table, its chunks, its policy read back, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "jsonutil.h"
#include "labels.h"
#include "strutil.h"
#include "xalloc.h"

static const char task_yaml[] = "name: sweep\nrun: python train.py \"$@\"\n"
				"resources: {cpus: 1, memory: 2, image_id: python:3.12,\n"
				"  labels: {kueue.x-k8s.io/queue-name: q}}\n";

struct fixture {
	struct task task;
	struct input_set inputs;
};

static void load(struct fixture *f, const char *yaml, const char *inputs, size_t chunk_max)
{
	struct error err = ERROR_INIT;

	if (task_parse_text("sweep.yaml", yaml, strlen(yaml), &f->task, &err) < 0)
		fail_msg("%s", err.msg);
	input_set_init(&f->inputs, INPUT_AUTO);
	if (chunk_max)
		f->inputs.chunk_max = chunk_max;
	if (inputs_read_buffer(&f->inputs, inputs, strlen(inputs), "in.jsonl", &err) < 0)
		fail_msg("%s", err.msg);
}

static void unload(struct fixture *f)
{
	task_release(&f->task);
	input_set_release(&f->inputs);
}

static cJSON *build(struct fixture *f, struct group_policy policy, struct error *err)
{
	struct group_launch g = { .task = &f->task, .group_id = "grp-1a2b3c4d", .namespace = "ml",
				  .user = "jane", .created_at = "2026-01-02T03:04:05Z",
				  .inputs = &f->inputs, .policy = policy };
	cJSON *items = NULL;

	if (group_build(&g, &items, err) < 0)
		return NULL;
	return items;
}

static const cJSON *named(const cJSON *items, const char *name)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, items)
		if (str_eq(json_get_string(item, "metadata.name"), name))
			return item;
	return NULL;
}

static void test_group_ids(void **state)
{
	char a[GROUP_ID_LEN + 1], b[GROUP_ID_LEN + 1];

	assert_int_equal(group_id_generate(a, NULL), 0);
	assert_int_equal(group_id_generate(b, NULL), 0);
	assert_true(group_id_is_valid(a));
	assert_string_not_equal(a, b);
	assert_false(group_id_is_valid("grp-1A2B3C4D"));
	assert_false(group_id_is_valid("grp-1a2b3c4"));
	assert_false(group_id_is_valid("job-1a2b3c4d"));
	assert_false(group_id_is_valid(NULL));
}

static void test_objects_of_a_group(void **state)
{
	struct fixture f;
	struct group_policy policy = GROUP_POLICY_DEFAULT;
	cJSON *items;
	const cJSON *job, *cm, *pod, *c, *vol;
	struct buf text = BUF_INIT(1 << 20);

	for (int i = 0; i < 30; i++)
		buf_printf(&text, "{\"lr\": %d, \"pad\": \"%s\"}\n", i, "0123456789012345678901234567890");
	load(&f, task_yaml, text.data, 400);
	items = build(&f, policy, NULL);
	assert_non_null(items);
	assert_true(f.inputs.n_chunks > 3);
	assert_int_equal(cJSON_GetArraySize(items), (int)f.inputs.n_chunks + 1);
	cm = named(items, "grp-1a2b3c4d-inputs-0");
	assert_non_null(cm);
	assert_true(json_get_bool(cm, "immutable", false));
	assert_string_equal(json_get_child_string(json_get(cm, "metadata.labels"), LABEL_COMPONENT), "inputs");
	assert_string_equal(json_get_child_string(json_get(cm, "metadata.labels"), LABEL_GROUP_ID),
			    "grp-1a2b3c4d");
	{
		char *key = xasprintf("inputs-0-%zu", f.inputs.chunks[0].last);

		assert_string_equal(json_get_child_string(json_get(cm, "data"), key),
				    f.inputs.chunks[0].lines.data);
		free(key);
	}
	job = named(items, "grp-1a2b3c4d");
	assert_ptr_equal(job, cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1));
	assert_string_equal(json_get_string(job, "kind"), "Job");
	{
		int64_t v;

		json_get_int64(job, "spec.completions", &v);
		assert_int_equal(v, 30);
		json_get_int64(job, "spec.parallelism", &v);
		assert_int_equal(v, 30); /* 64 > 30 inputs */
		json_get_int64(job, "spec.backoffLimitPerIndex", &v);
		assert_int_equal(v, 0);
	}
	assert_null(json_get(job, "spec.maxFailedIndexes"));
	assert_null(named(items, "grp-1a2b3c4d-control"));
	assert_string_equal(json_get_child_string(json_get(job, "metadata.labels"), LABEL_KIND), "group");
	assert_string_equal(json_get_child_string(json_get(job, "metadata.labels"), KUEUE_QUEUE_NAME_LABEL),
			    "q");
	assert_null(json_get_child(json_get(job, "metadata.labels"), LABEL_JOB_NAME));
	pod = json_get(job, "spec.template.spec");
	c = cJSON_GetArrayItem(json_get(pod, "containers"), 0);
	vol = NULL;
	cJSON_ArrayForEach(vol, json_get(pod, "volumes"))
		if (str_eq(json_get_string(vol, "name"), "konduktor-inputs"))
			break;
	assert_non_null(vol);
	assert_int_equal(cJSON_GetArraySize(json_get(vol, "projected.sources")), (int)f.inputs.n_chunks);
	{
		const cJSON *e;
		int found = 0;

		cJSON_ArrayForEach(e, json_get(c, "env")) {
			const char *name = json_get_string(e, "name");

			if (str_eq(name, "KONDUKTOR_GROUP_ID"))
				found += str_eq(json_get_string(e, "value"), "grp-1a2b3c4d");
			if (str_eq(name, "KONDUKTOR_INPUTS_DIR") || str_eq(name, "KONDUKTOR_INPUT_FILE"))
				found++;
			if (str_eq(name, "KONDUKTOR_CONTROL_DIR"))
				fail_msg("no switch without --fail-fast");
		}
		assert_int_equal(found, 3);
	}
	unload(&f);
	cJSON_Delete(items);
	buf_release(&text);
}

static void test_kinetic_fail_fast_table(void **state)
{
	static const struct {
		bool fail_fast, cancel;
		bool max_failed_indexes, control, follower;
	} rows[] = {
		{ false, false, false, false, false },
		{ true, false, false, true, true },
		{ true, true, true, false, false },
		{ false, true, false, false, false }, /* no effect without fail_fast */
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fixture f;
		struct group_policy policy = { .max_concurrent = 3, .retries = 2,
					       .fail_fast = rows[i].fail_fast,
					       .cancel_running_on_fail = rows[i].cancel };
		cJSON *items;
		const cJSON *job, *control;
		int64_t v = -1;

		load(&f, task_yaml, "1\n2\n3\n4\n5\n", 0);
		items = build(&f, policy, NULL);
		job = named(items, "grp-1a2b3c4d");
		control = named(items, "grp-1a2b3c4d-control");
		assert_int_equal(json_get(job, "spec.maxFailedIndexes") != NULL, rows[i].max_failed_indexes);
		assert_int_equal(control != NULL, rows[i].control);
		assert_int_equal(group_needs_follower(&policy), rows[i].follower);
		json_get_int64(job, "spec.parallelism", &v);
		assert_int_equal(v, 3);
		json_get_int64(job, "spec.backoffLimitPerIndex", &v);
		assert_int_equal(v, 2);
		if (control) {
			assert_null(json_get(control, "immutable"));
			assert_string_equal(json_get_child_string(json_get(control, "metadata.labels"),
								  LABEL_COMPONENT),
					    "control");
		}
		unload(&f);
		cJSON_Delete(items);
	}
}

static void test_policy_read_back(void **state)
{
	struct fixture f;
	struct group_policy policy = { .max_concurrent = 0, .retries = 4, .fail_fast = true,
				       .cancel_running_on_fail = false };
	struct group_info info;
	struct error err = ERROR_INIT;
	cJSON *items, *patch;
	const cJSON *job;
	int64_t v;

	load(&f, task_yaml, "[\"a\", 1]\n[\"b\", 2]\n", 0);
	f.inputs.mode = INPUT_ARGS;
	items = build(&f, policy, NULL);
	job = named(items, "grp-1a2b3c4d");
	json_get_int64(job, "spec.parallelism", &v);
	assert_int_equal(v, 2); /* 0: no limit */
	assert_int_equal(group_info_from_job(job, &info, &err), 0);
	assert_string_equal(info.id, "grp-1a2b3c4d");
	assert_int_equal(info.size, 2);
	assert_int_equal(info.mode, INPUT_ARGS);
	assert_int_equal(info.policy.max_concurrent, 0);
	assert_int_equal(info.policy.retries, 4);
	assert_true(info.policy.fail_fast);
	assert_false(info.policy.cancel_running_on_fail);
	assert_int_equal(info.input_chunks, 1);
	assert_string_equal(info.created_at, "2026-01-02T03:04:05Z");
	assert_string_equal(info.task_name, "sweep");
	patch = group_stop_patch("input 3 failed");
	assert_string_equal(json_get_string(patch, "data.stop"), "input 3 failed");
	cJSON_Delete(patch);
	{
		char *name = group_control_name("grp-1a2b3c4d");

		assert_string_equal(name, "grp-1a2b3c4d-control");
		free(name);
	}
	{
		cJSON *plain = cJSON_Parse("{\"kind\":\"Job\",\"metadata\":{\"name\":\"x\",\"labels\":{}}}");

		assert_int_equal(group_info_from_job(plain, &info, &err), -1);
		assert_string_equal(err.msg, "'x' is not a konduktor group");
		cJSON_Delete(plain);
	}
	unload(&f);
	cJSON_Delete(items);
}

static void test_refusals(void **state)
{
	struct fixture f;
	struct group_policy policy = GROUP_POLICY_DEFAULT;
	struct error err = ERROR_INIT;

	load(&f, "name: m\nnum_nodes: 2\nresources: {cpus: 1, memory: 1, image_id: x}\n", "1\n", 0);
	assert_null(build(&f, policy, &err));
	assert_string_equal(err.msg, "task 'sweep.yaml': a group maps a single-node task over inputs, "
				     "not one with num_nodes 2");
	unload(&f);
	load(&f, "name: m\nresources: {cpus: 1, memory: 1, image_id: x, job_config: {completions: 2}}\n",
	     "1\n", 0);
	assert_null(build(&f, policy, &err));
	assert_string_equal(err.msg, "task 'sweep.yaml': resources.job_config.completions does not apply "
				     "to a group (each input runs once)");
	unload(&f);
	load(&f, task_yaml, "1\n", 0);
	policy.retries = -1;
	assert_null(build(&f, policy, &err));
	assert_string_equal(err.msg, "--retries: -1 is out of range (0 to 1000)");
	policy.retries = 0;
	policy.max_concurrent = -5;
	assert_null(build(&f, policy, &err));
	assert_string_equal(err.msg, "--max-concurrent: -5 is out of range (0 to 100000)");
	unload(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_ids),
		cmocka_unit_test(test_objects_of_a_group),
		cmocka_unit_test(test_kinetic_fail_fast_table),
		cmocka_unit_test(test_policy_read_back),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
