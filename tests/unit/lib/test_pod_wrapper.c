/* test_pod_wrapper.c — the pod wrapper run for real (dash, bash, BusyBox)
 * in the pods that manifest.c builds: the result contract and its
 * encoding, failures, ranks, env, files, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "group.h"
#include "inputs.h"
#include "manifest.h"
#include "podsim.h"
#include "result.h"
#include "task.h"

static const char *const all_shells[] = { "/bin/sh", "/bin/bash", "busybox" };

struct built {
	cJSON *items;
	const cJSON *pod;
	const cJSON *cms[8];
	size_t n_cms;
};

static void build(const char *yaml, bool jobset, struct built *b)
{
	struct task task;
	struct error err = ERROR_INIT;
	struct launch l = { .task = &task, .job_name = "t-abcd", .namespace = "default",
			    .user = "tester", .created_at = "2026-01-02T03:04:05Z",
			    .jobset_available = jobset };
	const cJSON *item;

	if (task_parse_text("t.yaml", yaml, strlen(yaml), &task, &err) < 0 ||
	    launch_build(&l, &b->items, &err) < 0)
		fail_msg("%s", err.msg);
	task_release(&task);
	b->n_cms = 0;
	cJSON_ArrayForEach(item, b->items) {
		const char *kind = json_get_string(item, "kind");

		if (strcmp(kind, "ConfigMap") == 0)
			b->cms[b->n_cms++] = item;
		else if (strcmp(kind, "Job") == 0)
			b->pod = json_get(item, "spec.template");
		else if (strcmp(kind, "JobSet") == 0)
			b->pod = json_get(cJSON_GetArrayItem(json_get(item, "spec.replicatedJobs"), 0),
					  "template.spec.template");
	}
}

static bool shell_available(const char *shell)
{
	return access(strcmp(shell, "busybox") ? shell : "/bin/busybox", X_OK) == 0;
}

/* Runs a task's pod (index 0) under `shell`; the caller releases sim. */
static void run_task(const char *shell, const char *yaml, struct podsim *sim)
{
	struct built b;

	podsim_init(sim, shell);
	build(yaml, false, &b);
	podsim_run(sim, b.pod, b.cms, b.n_cms);
	cJSON_Delete(b.items);
}

#define TASK_HEAD "name: t\nresources: {cpus: 1, memory: 1, image_id: busybox}\n"

static void decode(const struct podsim *sim, struct result *r)
{
	result_init(r);
	result_decode(sim->message, sim->exit_code, sim->exit_code ? "Error" : "Completed", r);
}

/* Reads a file the task wrote into its output directory. */
static char *output(const struct podsim *sim, const char *name)
{
	char *rel = xasprintf("vol/konduktor-output/%s", name);
	char *path = podsim_path(sim, rel);
	char *text = podsim_read(path, 1 << 20);

	free(rel);
	free(path);
	return text;
}

static void test_result_reaches_the_launcher_unchanged(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		struct podsim sim;
		struct result r;

		if (!shell_available(all_shells[i]))
			continue;
		run_task(all_shells[i],
			 TASK_HEAD "run: |\n"
				   "  printf '{\"val_loss\": 0.42, \"note\": \"a b\\\\n#c\"}\\n' > $KONDUKTOR_OUTPUT_DIR/result.json\n",
			 &sim);
		decode(&sim, &r);
		assert_int_equal(sim.exit_code, 0);
		assert_int_equal(r.outcome, RESULT_OK);
		assert_string_equal(r.json, "{\"val_loss\": 0.42, \"note\": \"a b\\n#c\"}\n");
		assert_int_equal(result_exit_code(r.outcome), EXIT_OK);
		result_release(&r);
		podsim_release(&sim);
	}
}

/* A result of exactly `size` bytes: a JSON string of 'a's. */
static void write_result_file(const char *dir, size_t size)
{
	char *text = xmalloc(size + 1), *path = xasprintf("%s/big.json", dir);

	memset(text, 'a', size);
	text[0] = '"';
	text[size - 1] = '"';
	text[size] = '\0';
	mkdir_parents(dir, 0755, NULL);
	assert_int_equal(file_write_atomic(path, text, size, 0644, NULL), 0);
	free(text);
	free(path);
}

static void test_4096_bytes_fit_and_4097_are_too_large(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		for (size_t size = 4096; size <= 4097; size++) {
			char dir[] = "/tmp/konduktor-work-XXXXXX";
			char *yaml;
			struct podsim sim;
			struct result r;

			if (!shell_available(all_shells[i]))
				continue;
			assert_non_null(mkdtemp(dir));
			write_result_file(dir, size);
			yaml = xasprintf(TASK_HEAD "workdir: %s\nrun: cat big.json > $KONDUKTOR_OUTPUT_DIR/result.json\n",
					 dir);
			run_task(all_shells[i], yaml, &sim);
			decode(&sim, &r);
			if (size == 4096) {
				assert_int_equal(r.outcome, RESULT_OK);
				assert_int_equal(strlen(r.json), 4096);
			} else {
				assert_int_equal(r.outcome, RESULT_TOO_LARGE);
				assert_int_equal(r.size, 4097);
				assert_string_equal(r.reason, "result.json has 4097 bytes, more than the 4096 "
							      "a termination message can carry");
				assert_int_equal(result_exit_code(r.outcome), EXIT_RESULT_TOO_LARGE);
			}
			result_release(&r);
			podsim_release(&sim);
			remove_tree(dir, NULL);
			free(yaml);
		}
	}
}

static void test_markers_for_missing_empty_and_lookalike_results(void **state)
{
	static const struct {
		const char *run;
		enum result_outcome outcome;
		const char *reason;
	} cases[] = {
		{ "exit 0", RESULT_NONE,
		  "the task succeeded without writing $KONDUKTOR_OUTPUT_DIR/result.json" },
		{ ": > $KONDUKTOR_OUTPUT_DIR/result.json", RESULT_MALFORMED, "result.json is empty" },
		{ "mkdir $KONDUKTOR_OUTPUT_DIR/result.json", RESULT_MALFORMED,
		  "result.json is not a regular file" },
		/* A user writing the wrapper's own marker gets MalformedResult,
		 * never NoResultReported. */
		{ "printf '#konduktor/v1 no-result' > $KONDUKTOR_OUTPUT_DIR/result.json",
		  RESULT_MALFORMED, "result.json is not JSON (it begins with '#')" },
		{ "printf '{oops' > $KONDUKTOR_OUTPUT_DIR/result.json", RESULT_MALFORMED,
		  "result.json is not valid JSON: invalid JSON at byte 2" },
		{ "printf '1 2' > $KONDUKTOR_OUTPUT_DIR/result.json", RESULT_MALFORMED,
		  "result.json is not valid JSON: invalid JSON: unexpected data at byte 2" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
			char *yaml = xasprintf(TASK_HEAD "run: |\n  %s\n", cases[c].run);
			struct podsim sim;
			struct result r;

			if (!shell_available(all_shells[i]))
				continue;
			run_task(all_shells[i], yaml, &sim);
			decode(&sim, &r);
			assert_int_equal(sim.exit_code, 0);
			if (r.outcome != cases[c].outcome)
				fail_msg("%s under %s: %s (message '%s')", cases[c].run, all_shells[i],
					 result_outcome_name(r.outcome), sim.message);
			assert_string_equal(r.reason, cases[c].reason);
			result_release(&r);
			podsim_release(&sim);
			free(yaml);
		}
	}
}

static void test_failure_keeps_exit_code_and_log_tail(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		struct podsim sim;
		struct result r;

		if (!shell_available(all_shells[i]))
			continue;
		run_task(all_shells[i],
			 TASK_HEAD "run: |\n"
				   "  echo '{\"x\": 1}' > $KONDUKTOR_OUTPUT_DIR/result.json\n"
				   "  echo step 1\n"
				   "  echo 'boom: CUDA out of memory' >&2\n"
				   "  exit 3\n",
			 &sim);
		decode(&sim, &r);
		assert_int_equal(sim.exit_code, 3);
		assert_int_equal(r.outcome, RESULT_JOB_FAILED);
		assert_int_equal(r.exit_code, 3);
		assert_string_equal(r.reason, "exited with code 3: boom: CUDA out of memory");
		assert_non_null(strstr(r.log_tail, "step 1\n"));
		assert_int_equal(result_exit_code(r.outcome), EXIT_JOB_FAILED);
		result_release(&r);
		podsim_release(&sim);
	}
}

static void test_setup_failure_stops_before_run(void **state)
{
	struct podsim sim;
	struct result r;
	char *ran;

	run_task("/bin/sh",
		 TASK_HEAD "setup: echo setting up; exit 5\nrun: touch $KONDUKTOR_OUTPUT_DIR/ran\n",
		 &sim);
	decode(&sim, &r);
	assert_int_equal(sim.exit_code, 5);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_non_null(strstr(sim.log, "setting up\nkonduktor: setup failed with exit code 5\n"));
	ran = podsim_path(&sim, "vol/konduktor-output/ran");
	assert_int_equal(access(ran, F_OK), -1);
	free(ran);
	result_release(&r);
	podsim_release(&sim);
}

static void test_only_rank_zero_reports(void **state)
{
	for (int rank = 0; rank < 2; rank++) {
		struct built b;
		struct podsim sim;
		struct result r;

		podsim_init(&sim, "/bin/sh");
		sim.index = rank;
		build("name: t\nnum_nodes: 2\nrun: echo '[1]' > $KONDUKTOR_OUTPUT_DIR/result.json\n"
		      "resources: {cpus: 1, memory: 1, image_id: busybox}\n",
		      rank == 1, &b);
		podsim_run(&sim, b.pod, b.cms, b.n_cms);
		decode(&sim, &r);
		assert_string_equal(podsim_env(&sim, "RANK"), rank ? "1" : "0");
		assert_int_equal(sim.exit_code, 0);
		if (rank == 0) {
			assert_int_equal(r.outcome, RESULT_OK);
		} else {
			assert_string_equal(sim.message, "");
			assert_int_equal(r.outcome, RESULT_NONE);
		}
		result_release(&r);
		podsim_release(&sim);
		cJSON_Delete(b.items);
	}
}

static void test_env_and_scripts_reach_the_task_verbatim(void **state)
{
	static const char yaml[] =
		TASK_HEAD
		"envs:\n"
		"  B: bee\n"
		"  A: \"x$(B) $$ `date` $HOME \\\\ 'q'\"\n"
		"run: |\n"
		"  o=$KONDUKTOR_OUTPUT_DIR\n"
		"  printf '%s' \"$A\" > $o/A\n"
		"  echo \"$(echo sub) $$\" > $o/script\n"
		"  printf '%s|%s|%s|%s|%s|%s' \"$RANK\" \"$NODE_RANK\" \"$NUM_NODES\" \"$MASTER_ADDR\" "
		"\"$RESTART_ATTEMPT\" \"$JOB_COMPLETION_INDEX\" > $o/vars\n"
		"  pwd > $o/pwd\n";

	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		struct built b;
		struct podsim sim;
		char *a, *script, *vars, *pwd, *expected_pwd;

		if (!shell_available(all_shells[i]))
			continue;
		podsim_init(&sim, all_shells[i]);
		sim.failure_count = 2;
		build(yaml, false, &b);
		podsim_run(&sim, b.pod, b.cms, b.n_cms);
		assert_int_equal(sim.exit_code, 0);
		a = output(&sim, "A");
		assert_string_equal(a, "x$(B) $$ `date` $HOME \\ 'q'");
		script = output(&sim, "script");
		assert_true(strncmp(script, "sub ", 4) == 0 && strspn(script + 4, "0123456789") > 0);
		vars = output(&sim, "vars");
		assert_string_equal(vars, "0|0|1|localhost|2|0");
		pwd = output(&sim, "pwd");
		expected_pwd = xasprintf("%s/vol/konduktor-work\n", sim.root);
		assert_string_equal(pwd, expected_pwd);
		free(a);
		free(script);
		free(vars);
		free(pwd);
		free(expected_pwd);
		cJSON_Delete(b.items);
		podsim_release(&sim);
	}
}

static void test_workdir_and_file_mounts_arrive_before_setup(void **state)
{
	char src[] = "/tmp/konduktor-src-XXXXXX";
	char *yaml, *p;

	assert_non_null(mkdtemp(src));
	p = xasprintf("%s/work/prog.sh", src);
	podsim_write(p, "echo from-workdir", 17);
	free(p);
	p = xasprintf("%s/data/sub/part.txt", src);
	podsim_write(p, "part", 4);
	free(p);
	p = xasprintf("%s/cfg.json", src);
	podsim_write(p, "{\"cfg\":1}", 9);
	free(p);
	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		struct podsim sim;
		char *setup_saw, *mounted, *home_file, *dest_root;

		if (!shell_available(all_shells[i]))
			continue;
		/* The pod paths are under a directory this test owns. */
		dest_root = xasprintf("%s/pod-%zu", src, i);
		yaml = xasprintf(TASK_HEAD "workdir: %s/work\n"
					   "file_mounts:\n"
					   "  %s/mnt/data: %s/data\n"
					   "  %s/etc/cfg.json: %s/cfg.json\n"
					   "  ~/.cfg.json: %s/cfg.json\n"
					   "setup: sh prog.sh > $KONDUKTOR_OUTPUT_DIR/setup\n"
					   "run: cat %s/mnt/data/sub/part.txt %s/etc/cfg.json > $KONDUKTOR_OUTPUT_DIR/mounted\n",
				 src, dest_root, src, dest_root, src, src, dest_root, dest_root);
		run_task(all_shells[i], yaml, &sim);
		if (sim.exit_code != 0)
			fail_msg("%s: exit %d: %s", all_shells[i], sim.exit_code, sim.log);
		setup_saw = output(&sim, "setup");
		assert_string_equal(setup_saw, "from-workdir\n");
		mounted = output(&sim, "mounted");
		assert_string_equal(mounted, "part{\"cfg\":1}");
		{
			char *path = podsim_path(&sim, "home/.cfg.json");

			home_file = podsim_read(path, 4096);
			free(path);
		}
		assert_string_equal(home_file, "{\"cfg\":1}");
		free(setup_saw);
		free(mounted);
		free(home_file);
		free(yaml);
		free(dest_root);
		podsim_release(&sim);
	}
	remove_tree(src, NULL);
}

static void test_wrapper_failure_is_reported_as_such(void **state)
{
	struct podsim sim;
	struct result r;
	char src[] = "/tmp/konduktor-src-XXXXXX";
	char *yaml, *file;

	assert_non_null(mkdtemp(src));
	file = xasprintf("%s/f", src);
	podsim_write(file, "x", 1);
	yaml = xasprintf(TASK_HEAD "file_mounts: {/proc/konduktor-cannot/f: %s}\nrun: exit 0\n", file);
	run_task("/bin/sh", yaml, &sim);
	decode(&sim, &r);
	assert_int_equal(sim.exit_code, RESULT_WRAPPER_ERROR_EXIT);
	assert_int_equal(r.outcome, RESULT_JOB_FAILED);
	assert_string_equal(r.reason, "konduktor could not start the task: cannot unpack file mount 0 "
				      "into /proc/konduktor-cannot/f");
	result_release(&r);
	podsim_release(&sim);
	remove_tree(src, NULL);
	free(yaml);
	free(file);
}

static void test_sigterm_reaches_the_task(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		struct podsim sim;
		struct built b;
		char *started, *got;

		if (!shell_available(all_shells[i]))
			continue;
		podsim_init(&sim, all_shells[i]);
		build(TASK_HEAD "run: |\n"
				"  trap 'kill $! 2>/dev/null; echo got-term > $KONDUKTOR_OUTPUT_DIR/term; exit 7' TERM\n"
				"  touch $KONDUKTOR_OUTPUT_DIR/started\n"
				"  sleep 60 &\n"
				"  wait\n",
		      false, &b);
		started = podsim_path(&sim, "vol/konduktor-output/started");
		sim.term_when = started;
		podsim_run(&sim, b.pod, b.cms, b.n_cms);
		assert_int_equal(sim.exit_code, 7);
		got = output(&sim, "term");
		assert_string_equal(got, "got-term\n");
		free(got);
		free(started);
		cJSON_Delete(b.items);
		podsim_release(&sim);
	}
}

/* A task that dies of a signal — one it was sent (cancel) or one of its own
 * (kill -9, as the OOM killer does) — ends the wrapper with 128 + the
 * signal's number, at once: the wrapper must not wait again on a child that
 * is gone (shells answer its status again forever). */
static void test_task_killed_by_a_signal(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_shells); i++) {
		struct podsim sim;
		struct built b;
		char *started;

		if (!shell_available(all_shells[i]))
			continue;
		podsim_init(&sim, all_shells[i]);
		build(TASK_HEAD "run: |\n"
				"  touch $KONDUKTOR_OUTPUT_DIR/started\n"
				"  exec sleep 60\n",
		      false, &b);
		started = podsim_path(&sim, "vol/konduktor-output/started");
		sim.term_when = started;
		podsim_run(&sim, b.pod, b.cms, b.n_cms);
		assert_int_equal(sim.exit_code, 128 + SIGTERM);
		free(started);
		cJSON_Delete(b.items);
		podsim_release(&sim);

		podsim_init(&sim, all_shells[i]);
		build(TASK_HEAD "run: |\n"
				"  echo dying\n"
				"  kill -KILL $$\n",
		      false, &b);
		podsim_run(&sim, b.pod, b.cms, b.n_cms);
		assert_int_equal(sim.exit_code, 128 + SIGKILL);
		/* The log's tail (the shell may add its own "Killed" line). */
		assert_true(str_has_prefix(sim.message, "dying\n"));
		cJSON_Delete(b.items);
		podsim_release(&sim);
	}
}

static void build_group(const char *yaml, const char *inputs_text, enum input_mode mode,
			struct group_policy policy, struct built *b)
{
	struct task task;
	struct input_set inputs;
	struct error err = ERROR_INIT;
	struct group_launch g = { .task = &task, .group_id = "grp-0123abcd", .user = "tester",
				  .created_at = "2026-01-02T03:04:05Z", .inputs = &inputs,
				  .policy = policy };
	const cJSON *item;

	input_set_init(&inputs, mode);
	if (task_parse_text("t.yaml", yaml, strlen(yaml), &task, &err) < 0 ||
	    inputs_read_buffer(&inputs, inputs_text, strlen(inputs_text), "in.jsonl", &err) < 0 ||
	    group_build(&g, &b->items, &err) < 0)
		fail_msg("%s", err.msg);
	task_release(&task);
	input_set_release(&inputs);
	b->n_cms = 0;
	cJSON_ArrayForEach(item, b->items) {
		if (str_eq(json_get_string(item, "kind"), "ConfigMap"))
			b->cms[b->n_cms++] = item;
		else
			b->pod = json_get(item, "spec.template");
	}
}

static const char group_task[] =
	TASK_HEAD
	"run: |\n"
	"  o=$KONDUKTOR_OUTPUT_DIR\n"
	"  printf '%s' \"$#\" > $o/argc\n"
	"  i=1\n"
	"  for a in \"$@\"; do printf '%s' \"$a\" > $o/arg$i; i=$((i + 1)); done\n"
	"  printf '%s' \"$KONDUKTOR_INPUT\" > $o/input\n"
	"  cat \"$KONDUKTOR_INPUT_FILE\" > $o/input_file\n"
	"  printf '%s' \"${A-unset}\" > $o/A\n"
	"  printf '%s' \"${B_2-unset}\" > $o/B_2\n"
	"  printf '%s' \"${C-unset}\" > $o/C\n"
	"  printf '%s' \"$JOB_COMPLETION_INDEX\" > $o/index\n"
	"  ls > $o/ls\n"
	"  echo '{\"done\": true}' > $o/result.json\n";

/* Inputs full of shell syntax: each must reach the task as data. */
static const char nasty_inputs[] =
	"\"$(touch PWNED1)\"\n"
	"[\"`touch PWNED2`\", \"a\\\"b'c\", \"line1\\nline2\\n\", \"  spaces  \", \"\\\\back\\\\slash\", "
	"\"\", \"tab\\there\", \"\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93\", 42, {\"k\": [1, 2]}, null, "
	"\"$HOME ${PATH} $$ %s %b\\\\c\"]\n"
	"{\"A\": \"$(touch PWNED3); echo\", \"B_2\": \"x\\ny\\n\\n\", \"C\": 1.5e3}\n"
	"{\"not-an-id\": \"; touch PWNED4\"}\n"
	"3.14\n";

static void test_group_inputs_reach_the_task_as_data(void **state)
{
	static const char *const args1[] = { "`touch PWNED2`", "a\"b'c", "line1\nline2\n",
					     "  spaces  ", "\\back\\slash", "", "tab\there",
					     "\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93", "42",
					     "{\"k\": [1, 2]}", "null", "$HOME ${PATH} $$ %s %b\\c" };
	struct group_policy policy = GROUP_POLICY_DEFAULT;

	for (size_t sh = 0; sh < ARRAY_SIZE(all_shells); sh++) {
		struct built b;

		if (!shell_available(all_shells[sh]))
			continue;
		build_group(group_task, nasty_inputs, INPUT_AUTO, policy, &b);
		for (int index = 0; index < 5; index++) {
			struct podsim sim;
			struct result r;
			char *argc, *input, *file, *ls, *idx, *a, *b2, *c, *arg, *want_index;

			podsim_init(&sim, all_shells[sh]);
			sim.index = index;
			podsim_run(&sim, b.pod, b.cms, b.n_cms);
			if (sim.exit_code != 0)
				fail_msg("%s, input %d: exit %d\n%s", all_shells[sh], index, sim.exit_code,
					 sim.log);
			decode(&sim, &r);
			assert_int_equal(r.outcome, RESULT_OK);
			argc = output(&sim, "argc");
			input = output(&sim, "input");
			file = output(&sim, "input_file");
			ls = output(&sim, "ls");
			idx = output(&sim, "index");
			a = output(&sim, "A");
			b2 = output(&sim, "B_2");
			c = output(&sim, "C");
			want_index = xasprintf("%d", index);
			assert_string_equal(idx, want_index);
			/* Nothing ran: no file was touched. */
			assert_null(strstr(ls, "PWNED"));
			assert_string_equal(input, file);
			switch (index) {
			case 0:
				assert_string_equal(input, "\"$(touch PWNED1)\"");
				assert_string_equal(argc, "1");
				arg = output(&sim, "arg1");
				assert_string_equal(arg, "$(touch PWNED1)");
				free(arg);
				break;
			case 1:
				assert_string_equal(argc, "12");
				for (size_t k = 0; k < ARRAY_SIZE(args1); k++) {
					char *name = xasprintf("arg%zu", k + 1);

					arg = output(&sim, name);
					if (strcmp(arg, args1[k]) != 0)
						fail_msg("%s: arg %zu is '%s', not '%s'", all_shells[sh], k + 1,
							 arg, args1[k]);
					free(arg);
					free(name);
				}
				break;
			case 2:
				assert_string_equal(argc, "0");
				assert_string_equal(a, "$(touch PWNED3); echo");
				assert_string_equal(b2, "x\ny\n\n");
				assert_string_equal(c, "1.5e3");
				break;
			case 3:
				assert_string_equal(argc, "1");
				assert_string_equal(a, "unset");
				arg = output(&sim, "arg1");
				assert_string_equal(arg, "{\"not-an-id\": \"; touch PWNED4\"}");
				free(arg);
				break;
			case 4:
				assert_string_equal(input, "3.14");
				arg = output(&sim, "arg1");
				assert_string_equal(arg, "3.14");
				free(arg);
				break;
			}
			free(argc);
			free(input);
			free(file);
			free(ls);
			free(idx);
			free(a);
			free(b2);
			free(c);
			free(want_index);
			result_release(&r);
			podsim_release(&sim);
		}
		cJSON_Delete(b.items);
	}
}

static void test_inputs_across_many_chunks(void **state)
{
	struct group_policy policy = GROUP_POLICY_DEFAULT;
	struct buf text = BUF_INIT(1 << 22);
	struct built b;

	/* 40000 inputs: several 1 MiB chunks; the last index is in the last one. */
	for (int i = 0; i < 40000; i++)
		buf_printf(&text, "{\"i\": %d, \"pad\": \"%s\"}\n", i,
			   "012345678901234567890123456789012345678901234567890123456789");
	build_group(TASK_HEAD "run: printf '%s' \"$i\" > $KONDUKTOR_OUTPUT_DIR/result.json\n", text.data,
		    INPUT_AUTO, policy, &b);
	assert_true(b.n_cms >= 3);
	for (int k = 0; k < 3; k++) {
		static const int indexes[] = { 0, 17777, 39999 };
		struct podsim sim;
		struct result r;
		char want[16];

		podsim_init(&sim, "/bin/sh");
		sim.index = indexes[k];
		podsim_run(&sim, b.pod, b.cms, b.n_cms);
		decode(&sim, &r);
		snprintf(want, sizeof(want), "%d", indexes[k]);
		assert_int_equal(r.outcome, RESULT_OK);
		assert_string_equal(r.json, want);
		result_release(&r);
		podsim_release(&sim);
	}
	cJSON_Delete(b.items);
	buf_release(&text);
}

static void test_fail_fast_switch_skips_new_inputs(void **state)
{
	struct group_policy policy = { .max_concurrent = 1, .fail_fast = true };
	struct built b;
	struct podsim sim;
	struct result r;
	cJSON *control = NULL;

	build_group(TASK_HEAD "run: echo ran > $KONDUKTOR_OUTPUT_DIR/ran\n", "1\n2\n", INPUT_AUTO,
		    policy, &b);
	for (size_t i = 0; i < b.n_cms; i++)
		if (str_has_suffix(json_get_string(b.cms[i], "metadata.name"), "-control"))
			control = (cJSON *)b.cms[i];
	assert_non_null(control);
	/* Before the switch: the input runs. */
	podsim_init(&sim, "/bin/sh");
	podsim_run(&sim, b.pod, b.cms, b.n_cms);
	assert_int_equal(sim.exit_code, 0);
	podsim_release(&sim);
	/* A follower flips it: pods starting afterwards skip their input. */
	{
		cJSON *patch = group_stop_patch("input 0 failed");

		json_set(control, "data", cJSON_Duplicate(json_get(patch, "data"), 1));
		cJSON_Delete(patch);
	}
	podsim_init(&sim, "/bin/sh");
	sim.index = 1;
	podsim_run(&sim, b.pod, b.cms, b.n_cms);
	decode(&sim, &r);
	assert_int_equal(sim.exit_code, RESULT_SKIPPED_EXIT);
	assert_int_equal(r.outcome, RESULT_SKIPPED);
	assert_string_equal(r.reason, "skipped: the group stopped after a failure");
	assert_non_null(strstr(sim.log, "skipped: the group stopped after a failure (input 0 failed)"));
	{
		char *ran = output(&sim, "ran");

		assert_string_equal(ran, "");
		free(ran);
	}
	result_release(&r);
	podsim_release(&sim);
	cJSON_Delete(b.items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_reaches_the_launcher_unchanged),
		cmocka_unit_test(test_4096_bytes_fit_and_4097_are_too_large),
		cmocka_unit_test(test_markers_for_missing_empty_and_lookalike_results),
		cmocka_unit_test(test_failure_keeps_exit_code_and_log_tail),
		cmocka_unit_test(test_setup_failure_stops_before_run),
		cmocka_unit_test(test_only_rank_zero_reports),
		cmocka_unit_test(test_env_and_scripts_reach_the_task_verbatim),
		cmocka_unit_test(test_workdir_and_file_mounts_arrive_before_setup),
		cmocka_unit_test(test_wrapper_failure_is_reported_as_such),
		cmocka_unit_test(test_sigterm_reaches_the_task),
		cmocka_unit_test(test_task_killed_by_a_signal),
		cmocka_unit_test(test_group_inputs_reach_the_task_as_data),
		cmocka_unit_test(test_inputs_across_many_chunks),
		cmocka_unit_test(test_fail_fast_switch_skips_new_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
