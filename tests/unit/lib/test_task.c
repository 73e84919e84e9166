/* test_task.c — task files: every field, every kind of error, overrides
 * and env files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envfile.h"
#include "fileutil.h"
#include "task.h"

static const char full_task[] =
	"name: train-llm\n"
	"envs:\n"
	"  EPOCHS: 10\n"
	"  MODE: \"fast\"\n"
	"  TOKEN: null\n"
	"workdir: ./src\n"
	"num_nodes: 2\n"
	"setup: |\n"
	"  pip install -r requirements.txt\n"
	"run: |\n"
	"  python train.py --epochs $EPOCHS\n"
	"file_mounts:\n"
	"  /data/config.json: ./config.json\n"
	"  ~/cache: ./cache\n"
	"resources:\n"
	"  cpus: 3.5\n"
	"  memory: \"16\"\n"
	"  image_id: nvcr.io/nvidia/pytorch:24.01-py3\n"
	"  accelerators: H100:8\n"
	"  labels:\n"
	"    kueue.x-k8s.io/queue-name: user-queue\n"
	"    kueue.x-k8s.io/priority-class: low-priority\n"
	"    maxRunDurationSeconds: \"3600\"\n"
	"  job_config:\n"
	"    max_restarts: 3\n"
	"    completions: 2\n";

static void parse_ok(struct task *task, const char *text)
{
	struct error err = ERROR_INIT;

	if (task_parse_text("train.yaml", text, strlen(text), task, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
}

static void expect_error(const char *text, const char *message)
{
	struct task task;
	struct error err = ERROR_INIT;

	if (task_parse_text("train.yaml", text, strlen(text), &task, &err) == 0) {
		task_release(&task);
		fail_msg("accepted: %s", text);
	}
	assert_string_equal(err.msg, message);
	assert_null(strchr(err.msg, '\n'));
}

static void test_every_field(void **state)
{
	struct task t;
	struct error err = ERROR_INIT;

	parse_ok(&t, full_task);
	assert_string_equal(t.name, "train-llm");
	assert_int_equal(t.n_envs, 3);
	assert_string_equal(t.envs[0].name, "EPOCHS");
	assert_string_equal(t.envs[0].value, "10");
	assert_string_equal(task_env_value(&t, "MODE"), "fast");
	assert_null(t.envs[2].value);
	assert_string_equal(t.workdir, "./src");
	assert_int_equal(t.num_nodes, 2);
	assert_string_equal(t.setup, "pip install -r requirements.txt\n");
	assert_string_equal(t.run, "python train.py --epochs $EPOCHS\n");
	assert_int_equal(t.n_mounts, 2);
	assert_string_equal(t.mounts[0].remote, "/data/config.json");
	assert_string_equal(t.mounts[0].local, "./config.json");
	assert_string_equal(t.mounts[1].remote, "~/cache");
	assert_int_equal(t.cpu_millis, 3500);
	assert_int_equal(t.memory_gib, 16);
	assert_string_equal(t.image_id, "nvcr.io/nvidia/pytorch:24.01-py3");
	assert_string_equal(t.accelerator, "H100");
	assert_int_equal(t.accelerator_count, 8);
	assert_int_equal(t.n_labels, 3);
	assert_string_equal(t.labels[0].key, "kueue.x-k8s.io/queue-name");
	assert_string_equal(t.labels[0].value, "user-queue");
	assert_int_equal(t.max_restarts, 3);
	assert_int_equal(task_completions(&t), 2);
	assert_int_equal(t.yaml_len, strlen(full_task));
	assert_string_equal(t.yaml, full_task);
	/* TOKEN is null: the task is not launchable until --env gives it. */
	assert_int_equal(task_check_complete(&t, &err), -1);
	assert_string_equal(err.msg,
			    "task 'train.yaml': env 'TOKEN' has no value: give it with --env TOKEN=VALUE");
	task_release(&t);
}

static void test_defaults(void **state)
{
	struct task t;

	parse_ok(&t, "name: a\nresources: {cpus: 1, memory: 1, image_id: busybox}\n");
	assert_int_equal(t.num_nodes, 1);
	assert_int_equal(task_completions(&t), 1);
	assert_int_equal(t.max_restarts, 0);
	assert_null(t.accelerator);
	assert_null(t.run);
	assert_null(t.workdir);
	assert_int_equal(task_check_complete(&t, NULL), 0);
	task_release(&t);
}

static void test_unknown_fields_suggest(void **state)
{
	expect_error("name: a\nresorces:\n  cpus: 1\n",
		     "task 'train.yaml': line 2, column 1: unknown field 'resorces' (did you mean "
		     "'resources'?)");
	expect_error("name: a\nresources:\n  cpu: 1\n",
		     "task 'train.yaml': line 3, column 3: unknown field 'cpu' in 'resources' (did "
		     "you mean 'cpus'?)");
	expect_error("resources:\n  job_config:\n    max_restart: 1\n",
		     "task 'train.yaml': line 3, column 5: unknown field 'max_restart' in "
		     "'resources.job_config' (did you mean 'max_restarts'?)");
	expect_error("zzzz: 1\n", "task 'train.yaml': line 1, column 1: unknown field 'zzzz'");
	expect_error("resources:\n  disk_size: 256\n",
		     "task 'train.yaml': line 2, column 3: field 'disk_size' in 'resources' is not "
		     "supported by kubectl-konduktor");
	expect_error("service: {}\n",
		     "task 'train.yaml': line 1, column 1: field 'service' is not supported by "
		     "kubectl-konduktor");
}

static void test_wrong_types(void **state)
{
	expect_error("name: 123\n",
		     "task 'train.yaml': line 1, column 7: 'name' must be a string, not an integer "
		     "(put it in quotes)");
	expect_error("name: [a]\n",
		     "task 'train.yaml': line 1, column 7: 'name' must be a string, not a list");
	expect_error("num_nodes: \"2\"\n",
		     "task 'train.yaml': line 1, column 12: 'num_nodes' must be an integer, not a "
		     "string");
	expect_error("num_nodes: 0\n",
		     "task 'train.yaml': line 1, column 12: num_nodes: 0 is out of range (1 to 1000)");
	expect_error("envs: [A]\n",
		     "task 'train.yaml': line 1, column 7: 'envs' must be a mapping, not a list");
	expect_error("resources: big\n",
		     "task 'train.yaml': line 1, column 12: 'resources' must be a mapping, not a "
		     "string");
	expect_error("resources:\n  cpus: yes\n",
		     "task 'train.yaml': line 2, column 9: 'resources.cpus' must be a number or a "
		     "string, not a boolean");
	expect_error("resources:\n  labels:\n    maxRunDurationSeconds: 3600\n",
		     "task 'train.yaml': line 3, column 28: 'resources.labels.maxRunDurationSeconds' "
		     "must be a string, not an integer (put it in quotes)");
	expect_error("- name: a\n",
		     "task 'train.yaml': line 1, column 1: a task must be a mapping of fields, not a "
		     "list");
	expect_error("envs:\n  A: {b: 1}\n",
		     "task 'train.yaml': line 2, column 6: 'envs.A' must be a string, not a mapping");
}

static void test_quantities(void **state)
{
	static const struct {
		const char *text;
		int64_t millis;
	} cpus_ok[] = { { "2", 2000 }, { "0.5", 500 }, { "\"4.2\"", 4200 }, { "3.1", 3100 },
			{ "0.001", 1 }, { "1.", 1000 }, { ".25", 250 }, { "2.5000", 2500 } };
	char text[128];

	for (size_t i = 0; i < sizeof(cpus_ok) / sizeof(cpus_ok[0]); i++) {
		struct task t;

		snprintf(text, sizeof(text), "resources:\n  cpus: %s\n", cpus_ok[i].text);
		parse_ok(&t, text);
		assert_int_equal(t.cpu_millis, cpus_ok[i].millis);
		task_release(&t);
	}
	expect_error("resources:\n  cpus: 4 vCPU\n",
		     "task 'train.yaml': line 2, column 9: resources.cpus: invalid value '4 vCPU': "
		     "give a number of vCPUs such as 2, 0.5 or \"4.2\" (units and suffixes such as "
		     "\"500m\" or \"vCPU\" are not accepted)");
	expect_error("resources:\n  cpus: 500m\n",
		     "task 'train.yaml': line 2, column 9: resources.cpus: invalid value '500m': give "
		     "a number of vCPUs such as 2, 0.5 or \"4.2\" (units and suffixes such as "
		     "\"500m\" or \"vCPU\" are not accepted)");
	expect_error("resources:\n  cpus: 0\n",
		     "task 'train.yaml': line 2, column 9: resources.cpus: invalid value '0': must be "
		     "more than 0");
	expect_error("resources:\n  cpus: 0.0005\n",
		     "task 'train.yaml': line 2, column 9: resources.cpus: invalid value '0.0005': at "
		     "most 3 decimal places (Kubernetes counts CPU in thousandths, millicores)");
	expect_error("resources:\n  cpus: \"2+\"\n",
		     "task 'train.yaml': line 2, column 9: resources.cpus: invalid value '2+': give a "
		     "number of vCPUs such as 2, 0.5 or \"4.2\" (units and suffixes such as \"500m\" "
		     "or \"vCPU\" are not accepted)");
	expect_error("resources:\n  memory: 16G\n",
		     "task 'train.yaml': line 2, column 11: resources.memory: invalid value '16G': "
		     "give a whole number of GiB such as 16 (units such as \"16G\" or \"16Gi\" and "
		     "fractions such as 8.5 are not accepted)");
	expect_error("resources:\n  memory: 8.5\n",
		     "task 'train.yaml': line 2, column 11: resources.memory: invalid value '8.5': "
		     "give a whole number of GiB such as 16 (units such as \"16G\" or \"16Gi\" and "
		     "fractions such as 8.5 are not accepted)");
	expect_error("resources:\n  memory: 0\n",
		     "task 'train.yaml': line 2, column 11: resources.memory: invalid value '0': must "
		     "be at least 1 GiB");
}

static void test_accelerators(void **state)
{
	struct task t;

	parse_ok(&t, "resources:\n  accelerators: A100\n");
	assert_string_equal(t.accelerator, "A100");
	assert_int_equal(t.accelerator_count, 1);
	task_release(&t);
	parse_ok(&t, "resources:\n  accelerators: {A100-80GB: 4}\n");
	assert_string_equal(t.accelerator, "A100-80GB");
	assert_int_equal(t.accelerator_count, 4);
	task_release(&t);
	expect_error("resources:\n  accelerators: H100:0.5\n",
		     "task 'train.yaml': line 2, column 17: resources.accelerators: invalid value "
		     "'H100:0.5': give <type> or <type>:<count> such as H100:8, with a whole number "
		     "of GPUs");
	expect_error("resources:\n  accelerators: H100:0\n",
		     "task 'train.yaml': line 2, column 17: resources.accelerators: invalid value "
		     "'H100:0': the count must be 1 to 1024");
	expect_error("resources:\n  accelerators: [H100:8, A100:8]\n",
		     "task 'train.yaml': line 2, column 17: 'resources.accelerators': a list of "
		     "candidates is not supported; give one, such as H100:8");
	expect_error("resources:\n  accelerators: {H100: 8, A100: 8}\n",
		     "task 'train.yaml': line 2, column 17: 'resources.accelerators': give exactly "
		     "one accelerator type, such as H100:8");
}

static void test_env_names(void **state)
{
	expect_error("envs:\n  MY-VAR: 1\n",
		     "task 'train.yaml': line 2, column 3: envs: 'MY-VAR' is not a valid environment "
		     "variable name (letters, digits and '_', not starting with a digit)");
	expect_error("envs:\n  1ABC: 1\n",
		     "task 'train.yaml': line 2, column 3: envs: '1ABC' is not a valid environment "
		     "variable name (letters, digits and '_', not starting with a digit)");
	expect_error("envs:\n  RANK: 1\n",
		     "task 'train.yaml': line 2, column 3: envs: 'RANK' is set by konduktor in every "
		     "pod and cannot be overridden");
	expect_error("envs:\n  KONDUKTOR_OUTPUT_DIR: /x\n",
		     "task 'train.yaml': line 2, column 3: envs: 'KONDUKTOR_OUTPUT_DIR' is set by "
		     "konduktor in every pod and cannot be overridden");
}

static void test_names_labels_mounts(void **state)
{
	expect_error("name: \"a\\nb\"\n",
		     "task 'train.yaml': line 1, column 7: name: invalid value 'a\\nb': use "
		     "lower-case letters, digits and '-', starting with a letter and not ending with "
		     "'-', at most 40 characters (it names Kubernetes objects and pod host names)");
	expect_error("name: My_Job\n",
		     "task 'train.yaml': line 1, column 7: name: invalid value 'My_Job': use "
		     "lower-case letters, digits and '-', starting with a letter and not ending with "
		     "'-', at most 40 characters (it names Kubernetes objects and pod host names)");
	expect_error("resources:\n  labels:\n    konduktor.io/user: x\n",
		     "task 'train.yaml': line 3, column 5: label 'konduktor.io/user' is set by "
		     "konduktor or Kubernetes and cannot be given in a task");
	expect_error("resources:\n  labels:\n    team: has space\n",
		     "task 'train.yaml': line 3, column 11: 'resources.labels.team': invalid value "
		     "'has space': a label value must be at most 63 characters of letters, digits, "
		     "'-', '_' or '.', starting and ending with a letter or digit");
	expect_error("file_mounts:\n  data: ./data\n",
		     "task 'train.yaml': line 2, column 3: file_mounts: 'data' must be an absolute "
		     "path or start with ~/");
	expect_error("file_mounts:\n  /data/../etc: ./x\n",
		     "task 'train.yaml': line 2, column 3: file_mounts: '/data/../etc' must not "
		     "contain '..'");
	expect_error("file_mounts:\n  /konduktor/output/x: ./x\n",
		     "task 'train.yaml': line 2, column 3: file_mounts: '/konduktor/output/x' is under "
		     "/konduktor, which is reserved for konduktor's own files");
	expect_error("file_mounts:\n  /data: s3://bucket/data\n",
		     "task 'train.yaml': line 2, column 10: 'file_mounts./data': cloud storage "
		     "sources such as 's3://bucket/data' are not supported; give a local file or "
		     "directory");
	expect_error("file_mounts:\n  /data:\n    source: s3://b\n",
		     "task 'train.yaml': line 3, column 5: 'file_mounts./data': storage mounts "
		     "(buckets) are not supported; give a local file or directory");
	expect_error("resources:\n  image_id: {us-east-1: a}\n",
		     "task 'train.yaml': line 2, column 13: 'resources.image_id': a mapping of images "
		     "per region is not supported; give one image");
	expect_error("num_nodes: 2\nresources:\n  job_config:\n    completions: 3\n",
		     "task 'train.yaml': line 4, column 18: 'resources.job_config.completions' must "
		     "equal num_nodes (2) for a multi-node task");
}

static void test_yaml_level_errors(void **state)
{
	static const char garbage[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00";
	struct task t;
	struct error err = ERROR_INIT;

	expect_error("name: a\nname: b\n",
		     "task 'train.yaml': line 2, column 1: duplicate key 'name' (first given at line "
		     "1, column 1)");
	expect_error("name: a\nrun: \"unterminated\n",
		     "task 'train.yaml': line 3, column 1: found unexpected end of stream while "
		     "scanning a quoted scalar");
	expect_error("", "task 'train.yaml': the file is empty");
	assert_int_equal(task_parse_text("a.out", garbage, sizeof(garbage) - 1, &t, &err), -1);
	assert_true(strncmp(err.msg, "task 'a.out': line 1, column 1: ", 32) == 0);
	assert_null(strchr(err.msg, '\n'));
}

static void test_huge_file_refused_by_size(void **state)
{
	char path[] = "/tmp/konduktor-task-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);
	struct task t;
	struct error err = ERROR_INIT;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 50 * 1024 * 1024), 0); /* sparse: nothing to read */
	close(fd);
	assert_int_equal(task_parse_file(path, &t, &err), -1);
	assert_non_null(strstr(err.msg, ": 52428800 bytes, more than the limit of 131072 bytes (the "
					"task is kept in an annotation"));
	unlink(path);
	assert_int_equal(task_parse_file("/nonexistent/task.yaml", &t, &err), -1);
	assert_string_equal(err.msg,
			    "task '/nonexistent/task.yaml': cannot open: No such file or directory");
	assert_int_equal(task_parse_file("/tmp", &t, &err), -1);
	assert_string_equal(err.msg, "task '/tmp': is a directory, not a file");
}

static void test_check_complete_names_missing_fields(void **state)
{
	struct task t;
	struct error err = ERROR_INIT;

	parse_ok(&t, "name: a\nresources: {cpus: 1, memory: 1}\n");
	assert_int_equal(task_check_complete(&t, &err), -1);
	assert_string_equal(err.msg, "task 'train.yaml': 'resources.image_id' is required (in the "
				     "file, or with --image-id)");
	task_release(&t);
	parse_ok(&t, "resources: {memory: 1, image_id: x}\n");
	assert_int_equal(task_check_complete(&t, &err), -1);
	assert_string_equal(err.msg, "task 'train.yaml': 'name' is required (in the file, or with "
				     "--name)");
	task_release(&t);
}

static void test_overrides_apply_and_validate(void **state)
{
	struct task t;
	struct error err = ERROR_INIT;
	const char *envs[] = { "MODE=slow", "TOKEN=s3cr3t", "FROM_ENV" };
	struct task_overrides o = { .name = "other", .num_nodes = "4", .cpus = "0.25",
				    .memory = "32", .gpus = "A100:2", .image_id = "python:3.12",
				    .max_restarts = "5", .envs = envs, .n_envs = 3 };
	char *note;

	setenv("FROM_ENV", "from the environment", 1);
	parse_ok(&t, full_task);
	t.completions = 0; /* num_nodes changes below */
	assert_int_equal(task_apply_overrides(&t, &o, &err), 0);
	assert_string_equal(t.name, "other");
	assert_int_equal(t.num_nodes, 4);
	assert_int_equal(t.cpu_millis, 250);
	assert_int_equal(t.memory_gib, 32);
	assert_string_equal(t.accelerator, "A100");
	assert_int_equal(t.accelerator_count, 2);
	assert_string_equal(t.image_id, "python:3.12");
	assert_int_equal(t.max_restarts, 5);
	assert_string_equal(task_env_value(&t, "MODE"), "slow");
	assert_string_equal(task_env_value(&t, "TOKEN"), "s3cr3t");
	assert_string_equal(task_env_value(&t, "FROM_ENV"), "from the environment");
	assert_int_equal(task_check_complete(&t, &err), 0);
	note = task_annotation_text(&t);
	assert_true(strncmp(note, full_task, strlen(full_task)) == 0);
	assert_string_equal(note + strlen(full_task),
			    "# kubectl-konduktor: overridden with --name=other --num-nodes=4 "
			    "--cpus=0.25 --memory=32 --gpus=A100:2 --image-id=python:3.12 "
			    "--max-restarts=5 --env MODE --env TOKEN --env FROM_ENV\n");
	assert_null(strstr(note, "s3cr3t")); /* env values never reach the annotation */
	free(note);
	task_release(&t);
}

static void test_override_errors_name_the_flag(void **state)
{
	static const struct {
		struct task_overrides o;
		const char *message;
	} cases[] = {
		{ { .cpus = "4 vCPU" },
		  "--cpus: invalid value '4 vCPU': give a number of vCPUs such as 2, 0.5 or \"4.2\" "
		  "(units and suffixes such as \"500m\" or \"vCPU\" are not accepted)" },
		{ { .memory = "16Gi" },
		  "--memory: invalid value '16Gi': give a whole number of GiB such as 16 (units such "
		  "as \"16G\" or \"16Gi\" and fractions such as 8.5 are not accepted)" },
		{ { .num_nodes = "two" }, "--num-nodes: invalid value 'two': expected a whole number" },
		{ { .num_nodes = "5000" }, "--num-nodes: 5000 is out of range (1 to 1000)" },
		{ { .max_restarts = "-1" }, "--max-restarts: -1 is out of range (0 to 1000)" },
		{ { .gpus = "H100:x" },
		  "--gpus: invalid value 'H100:x': give <type> or <type>:<count> such as H100:8, with "
		  "a whole number of GPUs" },
		{ { .image_id = "bad image" },
		  "--image-id: invalid image 'bad image': an image reference has no spaces or control "
		  "characters" },
		{ { .name = "UPPER" },
		  "--name: invalid value 'UPPER': use lower-case letters, digits and '-', starting "
		  "with a letter and not ending with '-', at most 40 characters (it names Kubernetes "
		  "objects and pod host names)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct task t;
		struct error err = ERROR_INIT;

		parse_ok(&t, "name: a\n");
		assert_int_equal(task_apply_overrides(&t, &cases[i].o, &err), -1);
		assert_string_equal(err.msg, cases[i].message);
		task_release(&t);
	}
}

static void test_env_flag_errors(void **state)
{
	const char *bad_name[] = { "1X=2" };
	const char *unset[] = { "SURELY_NOT_SET_ANYWHERE" };
	struct task_overrides o1 = { .envs = bad_name, .n_envs = 1 };
	struct task_overrides o2 = { .envs = unset, .n_envs = 1 };
	struct task t;
	struct error err = ERROR_INIT;

	unsetenv("SURELY_NOT_SET_ANYWHERE");
	parse_ok(&t, "name: a\n");
	assert_int_equal(task_apply_overrides(&t, &o1, &err), -1);
	assert_string_equal(err.msg, "--env: '1X' is not a valid environment variable name "
				     "(letters, digits and '_', not starting with a digit)");
	assert_int_equal(task_apply_overrides(&t, &o2, &err), -1);
	assert_string_equal(err.msg, "--env: 'SURELY_NOT_SET_ANYWHERE' has no '=' and is not set "
				     "in this environment");
	task_release(&t);
}

static void write_file(const char *path, const char *text)
{
	assert_int_equal(file_write_atomic(path, text, strlen(text), 0600, NULL), 0);
}

static void test_env_file_precedence(void **state)
{
	char path[] = "/tmp/konduktor-envfile-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);
	const char *envs[] = { "B=from-flag" };
	struct task_overrides o = { .env_file = path, .envs = envs, .n_envs = 1 };
	struct task t;
	struct error err = ERROR_INIT;

	close(fd);
	write_file(path, "A=from-file\nB=from-file\nC=\"quoted stays\"  \n");
	parse_ok(&t, "name: a\nenvs:\n  A: yaml\n  B: yaml\n  D: yaml\n");
	assert_int_equal(task_apply_overrides(&t, &o, &err), 0);
	assert_string_equal(task_env_value(&t, "A"), "from-file");
	assert_string_equal(task_env_value(&t, "B"), "from-flag");
	assert_string_equal(task_env_value(&t, "C"), "\"quoted stays\"  ");
	assert_string_equal(task_env_value(&t, "D"), "yaml");
	task_release(&t);
	write_file(path, "# comment\nOK=1\nBAD-NAME=2\n");
	parse_ok(&t, "name: a\n");
	assert_int_equal(task_apply_overrides(&t, &o, &err), -1);
	assert_non_null(strstr(err.msg, "': line 3: 'BAD-NAME' is not a valid variable name"));
	write_file(path, "RANK=3\n");
	assert_int_equal(task_apply_overrides(&t, &o, &err), -1);
	assert_non_null(strstr(err.msg, "--env-file: 'RANK' is set by konduktor in every pod"));
	task_release(&t);
	unlink(path);
}

static void test_envfile_format(void **state)
{
	static const char text[] = "\xEF\xBB\xBF# comment\r\n"
				   "\n"
				   "   SPACED=  value with spaces  \r\n"
				   "EMPTY=\n"
				   "EQUALS=a=b=c\n"
				   "QUOTED='single'\n"
				   "FROM_ENV\n"
				   "UNSET_SKIPPED\n"
				   "LAST=no newline";
	struct strv pairs = STRV_INIT;
	struct error err = ERROR_INIT;

	setenv("FROM_ENV", "x y", 1);
	unsetenv("UNSET_SKIPPED");
	assert_int_equal(envfile_parse_text("e.env", text, sizeof(text) - 1, &pairs, &err), 0);
	assert_int_equal(pairs.len, 6);
	assert_string_equal(pairs.items[0], "SPACED=  value with spaces  ");
	assert_string_equal(pairs.items[1], "EMPTY=");
	assert_string_equal(pairs.items[2], "EQUALS=a=b=c");
	assert_string_equal(pairs.items[3], "QUOTED='single'");
	assert_string_equal(pairs.items[4], "FROM_ENV=x y");
	assert_string_equal(pairs.items[5], "LAST=no newline");
	strv_release(&pairs);
	assert_int_equal(envfile_parse_text("e.env", "A=1\nB=\xff\n", 8, &pairs, &err), -1);
	assert_string_equal(err.msg, "env file 'e.env': line 2: not valid UTF-8 text");
	assert_int_equal(pairs.len, 0);
	assert_int_equal(envfile_parse_file("/nonexistent.env", &pairs, &err), -1);
	assert_string_equal(err.msg,
			    "env file: cannot open '/nonexistent.env': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_unknown_fields_suggest),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_quantities),
		cmocka_unit_test(test_accelerators),
		cmocka_unit_test(test_env_names),
		cmocka_unit_test(test_names_labels_mounts),
		cmocka_unit_test(test_yaml_level_errors),
		cmocka_unit_test(test_huge_file_refused_by_size),
		cmocka_unit_test(test_check_complete_names_missing_fields),
		cmocka_unit_test(test_overrides_apply_and_validate),
		cmocka_unit_test(test_override_errors_name_the_flag),
		cmocka_unit_test(test_env_flag_errors),
		cmocka_unit_test(test_env_file_precedence),
		cmocka_unit_test(test_envfile_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
