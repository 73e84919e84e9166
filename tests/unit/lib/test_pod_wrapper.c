/* test_pod_wrapper.c — the pod wrapper run for real (dash, bash, BusyBox)
 * in the pods that manifest.c builds: the result contract and its
 * encoding, failures, ranks, env, files, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
		a = podsim_read(podsim_path(&sim, "vol/konduktor-output/A"), 4096);
		assert_string_equal(a, "x$(B) $$ `date` $HOME \\ 'q'");
		script = podsim_read(podsim_path(&sim, "vol/konduktor-output/script"), 4096);
		assert_true(strncmp(script, "sub ", 4) == 0 && strspn(script + 4, "0123456789") > 0);
		vars = podsim_read(podsim_path(&sim, "vol/konduktor-output/vars"), 4096);
		assert_string_equal(vars, "0|0|1|localhost|2|0");
		pwd = podsim_read(podsim_path(&sim, "vol/konduktor-output/pwd"), 4096);
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
		setup_saw = podsim_read(podsim_path(&sim, "vol/konduktor-output/setup"), 4096);
		assert_string_equal(setup_saw, "from-workdir\n");
		mounted = podsim_read(podsim_path(&sim, "vol/konduktor-output/mounted"), 4096);
		assert_string_equal(mounted, "part{\"cfg\":1}");
		home_file = podsim_read(podsim_path(&sim, "home/.cfg.json"), 4096);
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
		got = podsim_read(podsim_path(&sim, "vol/konduktor-output/term"), 64);
		assert_string_equal(got, "got-term\n");
		free(got);
		free(started);
		cJSON_Delete(b.items);
		podsim_release(&sim);
	}
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
