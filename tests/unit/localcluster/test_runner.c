/* test_runner.c — the process runner with real processes: argv, env,
 * working directory, hostname, volumes, logs, termination messages,
 * graceful and forced stops, daemons, descriptor hygiene, start failures
 * and the helper process dying. Needs root (mount namespaces). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "crilog.h"
#include "fileutil.h"
#include "runner.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define WAIT_MS 20000

struct recorded_exit {
	uint64_t id;
	enum runner_outcome outcome;
	int exit_code;
	int signal;
	char *message;
	struct timespec started_at, finished_at;
};

struct recorder {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct recorded_exit exits[256];
	size_t n_exits;
	uint64_t started[256];
	size_t n_started;
};

struct fixture {
	char dir[64];
	struct recorder rec;
	struct runner *runner;
};

static void on_started(void *opaque, uint64_t id, pid_t pid, const struct timespec *at)
{
	struct recorder *rec = opaque;

	pthread_mutex_lock(&rec->lock);
	if (rec->n_started < 256)
		rec->started[rec->n_started++] = id;
	pthread_cond_broadcast(&rec->cond);
	pthread_mutex_unlock(&rec->lock);
}

static void on_exited(void *opaque, const struct runner_exit *exit)
{
	struct recorder *rec = opaque;

	pthread_mutex_lock(&rec->lock);
	if (rec->n_exits < 256) {
		rec->exits[rec->n_exits++] = (struct recorded_exit){
			.id = exit->id,
			.outcome = exit->outcome,
			.exit_code = exit->exit_code,
			.signal = exit->signal,
			.message = xstrdup(exit->message),
			.started_at = exit->started_at,
			.finished_at = exit->finished_at,
		};
	}
	pthread_cond_broadcast(&rec->cond);
	pthread_mutex_unlock(&rec->lock);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct runner_events events = { on_started, on_exited, &f->rec };
	struct error err = ERROR_INIT;

	str_copy(f->dir, sizeof(f->dir), "/tmp/test-runner-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	pthread_mutex_init(&f->rec.lock, NULL);
	pthread_cond_init(&f->rec.cond, NULL);
	if (runner_new(f->dir, &events, &f->runner, &err) < 0)
		fail_msg("runner_new: %s", err.msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	runner_free(f->runner, 0);
	for (size_t i = 0; i < f->rec.n_exits; i++)
		free(f->rec.exits[i].message);
	remove_tree(f->dir, NULL);
	pthread_mutex_destroy(&f->rec.lock);
	pthread_cond_destroy(&f->rec.cond);
	free(f);
	return 0;
}

/* Waits for the exit of `id`; fails the test after WAIT_MS. */
static struct recorded_exit *wait_exit(struct fixture *f, uint64_t id)
{
	int64_t deadline = time_mono_ms() + WAIT_MS;
	struct recorded_exit *found = NULL;

	pthread_mutex_lock(&f->rec.lock);
	while (!found) {
		struct timespec ts;

		for (size_t i = 0; i < f->rec.n_exits; i++)
			if (f->rec.exits[i].id == id)
				found = &f->rec.exits[i];
		if (found || time_mono_ms() > deadline)
			break;
		time_after_ms(CLOCK_REALTIME, 50, &ts);
		pthread_cond_timedwait(&f->rec.cond, &f->rec.lock, &ts);
	}
	pthread_mutex_unlock(&f->rec.lock);
	if (!found)
		fail_msg("container %llu did not exit in time", (unsigned long long)id);
	return found;
}

static void wait_started(struct fixture *f, uint64_t id)
{
	int64_t deadline = time_mono_ms() + WAIT_MS;
	bool found = false;

	while (!found && time_mono_ms() < deadline) {
		pthread_mutex_lock(&f->rec.lock);
		for (size_t i = 0; i < f->rec.n_started; i++)
			found |= f->rec.started[i] == id;
		pthread_mutex_unlock(&f->rec.lock);
		if (!found)
			time_sleep_ms(10);
	}
	assert_true(found);
}

static char *path_in(struct fixture *f, const char *name)
{
	return path_join(f->dir, name);
}

/* Starts `sh -c script` with extra settings filled by the caller. */
static uint64_t start_sh(struct fixture *f, const char *script, struct runner_spec *spec)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	static char *default_env[] = { "PATH=/usr/bin:/bin", NULL };
	struct runner_spec base = { .name = "test/pod/c", .run_as_user = -1, .run_as_group = -1 };
	struct error err = ERROR_INIT;
	char *log = path_in(f, "c.log");
	uint64_t id = 0;

	if (!spec)
		spec = &base;
	spec->argv = argv;
	if (!spec->envp)
		spec->envp = default_env;
	if (!spec->log_path)
		spec->log_path = log;
	if (!spec->name)
		spec->name = "test/pod/c";
	if (runner_start(f->runner, spec, &id, &err) < 0)
		fail_msg("runner_start: %s", err.msg);
	assert_true(id > 0);
	free(log);
	return id;
}

/* The log's text without CRI prefixes, both streams. */
static char *log_text(const char *path)
{
	struct buf raw = BUF_INIT(BUF_MAX_DEFAULT), text = BUF_INIT(BUF_MAX_DEFAULT);
	struct error err = ERROR_INIT;
	size_t pos = 0;

	if (file_read_all(path, &raw, &err) < 0)
		fail_msg("%s", err.msg);
	while (pos < raw.len) {
		char *nl = memchr(raw.data + pos, '\n', raw.len - pos);
		struct podlog_record r;

		assert_non_null(nl);
		assert_int_equal(podlog_parse_line(raw.data + pos, (size_t)(nl - raw.data - pos), &r), 0);
		buf_append(&text, r.content, r.content_len);
		if (!r.partial)
			buf_putc(&text, '\n');
		pos = (size_t)(nl - raw.data) + 1;
	}
	buf_release(&raw);
	return buf_detach(&text, NULL);
}

static void test_exit_code_and_log_streams(void **state)
{
	struct fixture *f = *state;
	uint64_t id = start_sh(f, "echo out-line; echo err-line >&2; printf tail; exit 3", NULL);
	struct recorded_exit *e = wait_exit(f, id);
	char *log = path_in(f, "c.log");
	struct buf raw = BUF_INIT(BUF_MAX_SMALL);

	assert_int_equal(e->outcome, RUNNER_EXITED);
	assert_int_equal(e->exit_code, 3);
	assert_int_equal(e->signal, 0);
	assert_true(e->started_at.tv_sec > 0);
	assert_true(e->finished_at.tv_sec >= e->started_at.tv_sec);
	assert_string_equal(e->message, "");
	assert_int_equal(file_read_all(log, &raw, NULL), 0);
	assert_non_null(strstr(raw.data, " stdout F out-line\n"));
	assert_non_null(strstr(raw.data, " stderr F err-line\n"));
	/* A last line without newline is a partial record. */
	assert_non_null(strstr(raw.data, " stdout P tail\n"));
	buf_release(&raw);
	free(log);
}

static void test_env_workdir_hostname_and_pid_namespace(void **state)
{
	struct fixture *f = *state;
	char *env[] = { "PATH=/usr/bin:/bin", "GREETING=hello world", NULL };
	struct runner_spec spec = {
		.envp = env,
		.working_dir = "/konduktor-test-workdir/sub",
		.hostname = "job-0",
		.run_as_user = -1,
		.run_as_group = -1,
	};
	uint64_t id = start_sh(f, "echo \"$GREETING\"; pwd; hostname; echo pid=$$", &spec);
	struct recorded_exit *e = wait_exit(f, id);
	char *log = path_in(f, "c.log");
	char *text = log_text(log);
	struct stat st;

	assert_int_equal(e->exit_code, 0);
	assert_string_equal(text, "hello world\n/konduktor-test-workdir/sub\njob-0\npid=1\n");
	/* The missing working directory was made in the container's view only. */
	assert_int_equal(stat("/konduktor-test-workdir", &st), -1);
	free(text);
	free(log);
}

static void test_volumes_read_write_and_read_only(void **state)
{
	struct fixture *f = *state;
	char *rw = path_in(f, "out"), *ro = path_in(f, "config"), *file = path_in(f, "config/k");
	char *written = path_in(f, "out/result.json");
	struct runner_mount mounts[] = {
		{ .host_path = rw, .container_path = "/konduktor/output" },
		{ .host_path = ro, .container_path = "/etc/konduktor-test-config", .read_only = true },
	};
	struct runner_spec spec = { .mounts = mounts, .n_mounts = 2, .run_as_user = -1,
				    .run_as_group = -1 };
	struct buf result = BUF_INIT(BUF_MAX_SMALL);
	struct stat st;
	uint64_t id;

	assert_int_equal(mkdir(rw, 0755), 0);
	assert_int_equal(mkdir(ro, 0755), 0);
	assert_int_equal(file_write_atomic(file, "v1", 2, 0644, NULL), 0);
	id = start_sh(f,
		      "cat /etc/konduktor-test-config/k > /konduktor/output/result.json && "
		      "! touch /etc/konduktor-test-config/new 2>/dev/null",
		      &spec);
	assert_int_equal(wait_exit(f, id)->exit_code, 0);
	assert_int_equal(file_read_all(written, &result, NULL), 0);
	assert_string_equal(result.data, "v1");
	/* Nothing was created on the host outside the volumes. */
	assert_int_equal(access("/konduktor/output/result.json", F_OK), -1);
	assert_int_equal(stat("/etc/konduktor-test-config", &st), -1);
	buf_release(&result);
	free(rw);
	free(ro);
	free(file);
	free(written);
}

static void test_termination_message_keeps_last_4096_bytes(void **state)
{
	struct fixture *f = *state;
	char *file = path_in(f, "termination-log");
	struct runner_spec spec = {
		.termination_message_path = "/dev/termination-log",
		.termination_message_file = file,
		.run_as_user = -1,
		.run_as_group = -1,
	};
	/* 5000 bytes: 904 'a's then 4096 bytes ending in 'Z'. */
	uint64_t id = start_sh(f,
			       "head -c 904 /dev/zero | tr '\\0' a > /dev/termination-log; "
			       "head -c 4095 /dev/zero | tr '\\0' b >> /dev/termination-log; "
			       "printf Z >> /dev/termination-log",
			       &spec);
	struct recorded_exit *e = wait_exit(f, id);

	assert_int_equal(e->exit_code, 0);
	assert_int_equal(strlen(e->message), 4096);
	assert_int_equal(e->message[0], 'b');
	assert_int_equal(e->message[4095], 'Z');
	assert_null(strchr(e->message, 'a'));
	assert_int_equal(access("/dev/termination-log", F_OK), -1);
	free(file);
}

static void test_fallback_to_logs_on_error(void **state)
{
	struct fixture *f = *state;
	char *file = path_in(f, "termination-log");
	struct runner_spec spec = {
		.termination_message_path = "/dev/termination-log",
		.termination_message_file = file,
		.fallback_to_logs_on_error = true,
		.run_as_user = -1,
		.run_as_group = -1,
	};
	/* 100 lines of 32 bytes: the last 80 lines are 2560 bytes, of which
	 * the kubelet keeps the last 2048, lines 36 to 99 exactly. */
	uint64_t id = start_sh(f,
			       "i=0; while [ $i -lt 100 ]; do printf 'line %03d ......................\\n' $i; "
			       "i=$((i+1)); done; exit 2",
			       &spec);
	struct recorded_exit *e = wait_exit(f, id);
	struct buf expected = BUF_INIT(BUF_MAX_SMALL);

	for (int i = 36; i < 100; i++)
		buf_printf(&expected, "line %03d ......................\n", i);
	assert_int_equal(expected.len, 2048);
	assert_int_equal(e->exit_code, 2);
	assert_string_equal(e->message, expected.data);
	buf_release(&expected);
	free(file);
}

static void test_fallback_not_used_on_success_or_with_message(void **state)
{
	struct fixture *f = *state;
	char *file = path_in(f, "termination-log");
	struct runner_spec spec = {
		.termination_message_path = "/dev/termination-log",
		.termination_message_file = file,
		.fallback_to_logs_on_error = true,
		.run_as_user = -1,
		.run_as_group = -1,
	};
	uint64_t ok = start_sh(f, "echo log-only", &spec);

	assert_string_equal(wait_exit(f, ok)->message, "");
	spec.log_path = NULL;
	uint64_t failed = start_sh(f, "echo log; printf from-file > /dev/termination-log; exit 1",
				   &spec);
	assert_string_equal(wait_exit(f, failed)->message, "from-file");
	free(file);
}

static void test_graceful_stop_delivers_sigterm(void **state)
{
	struct fixture *f = *state;
	char *ready = path_in(f, "ready");
	char *script = xasprintf("trap 'echo got-term; exit 0' TERM; touch %s; "
				 "while :; do sleep 0.05; done", ready);
	uint64_t id = start_sh(f, script, NULL);
	struct recorded_exit *e;
	char *log = path_in(f, "c.log");
	char *text;
	int64_t deadline = time_mono_ms() + WAIT_MS;

	while (access(ready, F_OK) < 0 && time_mono_ms() < deadline)
		time_sleep_ms(10);
	assert_int_equal(runner_stop(f->runner, id, 30000, NULL), 0);
	e = wait_exit(f, id);
	assert_int_equal(e->exit_code, 0);
	assert_int_equal(e->signal, 0);
	text = log_text(log);
	assert_non_null(strstr(text, "got-term\n"));
	free(text);
	free(log);
	free(script);
	free(ready);
}

static void test_sigkill_after_grace_when_sigterm_ignored(void **state)
{
	struct fixture *f = *state;
	char *ready = path_in(f, "ready");
	char *script = xasprintf("trap '' TERM; touch %s; while :; do sleep 0.05; done", ready);
	uint64_t id = start_sh(f, script, NULL);
	struct recorded_exit *e;
	int64_t deadline = time_mono_ms() + WAIT_MS;

	while (access(ready, F_OK) < 0 && time_mono_ms() < deadline)
		time_sleep_ms(10);
	assert_int_equal(runner_stop(f->runner, id, 300, NULL), 0);
	e = wait_exit(f, id);
	assert_int_equal(e->signal, SIGKILL);
	assert_int_equal(e->exit_code, 137);
	free(script);
	free(ready);
}

/* True if some process's command line contains `marker`. */
static bool process_with_marker_exists(const char *marker)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	bool found = false;

	while (proc && !found && (d = readdir(proc))) {
		char path[300];
		struct buf cmd = BUF_INIT(BUF_MAX_SMALL);
		int64_t pid;

		if (str_to_int64(d->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", d->d_name);
		if (file_read_all(path, &cmd, NULL) == 0) {
			for (size_t i = 0; i < cmd.len; i++)
				if (!cmd.data[i])
					cmd.data[i] = ' ';
			found = strstr(cmd.data, marker) != NULL;
		}
		buf_release(&cmd);
	}
	if (proc)
		closedir(proc);
	return found;
}

static void test_daemon_left_behind_is_stopped(void **state)
{
	struct fixture *f = *state;
	/* The daemon leaves the process group and closes the log pipes. */
	uint64_t id = start_sh(f, "setsid sleep 987.654 </dev/null >/dev/null 2>&1 & sleep 0.2; exit 0",
			       NULL);
	int64_t deadline;

	assert_int_equal(wait_exit(f, id)->exit_code, 0);
	deadline = time_mono_ms() + WAIT_MS;
	while (process_with_marker_exists("sleep 987.654") && time_mono_ms() < deadline)
		time_sleep_ms(20);
	assert_false(process_with_marker_exists("sleep 987.654"));
}

static void test_no_descriptor_leaks_into_container(void **state)
{
	struct fixture *f = *state;
	/* ls opens the directory it lists: 0, 1, 2 and that one. */
	uint64_t id = start_sh(f, "exec ls /proc/self/fd", NULL);
	char *log = path_in(f, "c.log");
	char *text;

	assert_int_equal(wait_exit(f, id)->exit_code, 0);
	text = log_text(log);
	assert_string_equal(text, "0\n1\n2\n3\n");
	free(text);
	free(log);
}

static void test_exec_failure_is_a_start_failure(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "no-such-program-konduktor", NULL };
	char *env[] = { "PATH=/usr/bin:/bin", NULL };
	char *log = path_in(f, "x.log");
	struct runner_spec spec = { .name = "t", .argv = argv, .envp = env, .log_path = log,
				    .run_as_user = -1, .run_as_group = -1 };
	uint64_t id;
	struct recorded_exit *e;

	assert_int_equal(runner_start(f->runner, &spec, &id, NULL), 0);
	e = wait_exit(f, id);
	assert_int_equal(e->outcome, RUNNER_START_FAILED);
	assert_int_equal(e->exit_code, 128);
	assert_string_equal(e->message, "failed to start container process: exec: "
					"\"no-such-program-konduktor\": executable file not found in $PATH");
	free(log);
}

static void test_bad_mount_is_a_start_failure(void **state)
{
	struct fixture *f = *state;
	struct runner_mount mounts[] = { { .host_path = "/nonexistent-konduktor-volume",
					   .container_path = "/data" } };
	struct runner_spec spec = { .mounts = mounts, .n_mounts = 1, .run_as_user = -1,
				    .run_as_group = -1 };
	uint64_t id = start_sh(f, "true", &spec);
	struct recorded_exit *e = wait_exit(f, id);

	assert_int_equal(e->outcome, RUNNER_START_FAILED);
	assert_non_null(strstr(e->message, "volume source '/nonexistent-konduktor-volume'"));
}

static void test_many_containers_at_once(void **state)
{
	struct fixture *f = *state;
	uint64_t ids[24];

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		char name[32];
		char *log;
		struct runner_spec spec = { .run_as_user = -1, .run_as_group = -1 };

		snprintf(name, sizeof(name), "many-%zu.log", i);
		log = path_in(f, name);
		spec.log_path = log;
		ids[i] = start_sh(f, "sleep 0.1; exit 7", &spec);
		free(log);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		assert_int_equal(wait_exit(f, ids[i])->exit_code, 7);
}

static void test_shutdown_stops_running_containers(void **state)
{
	struct fixture *f = *state;
	uint64_t id = start_sh(f, "exec sleep 1000", NULL);

	wait_started(f, id);
	runner_free(f->runner, 200);
	f->runner = NULL;
	assert_int_equal(wait_exit(f, id)->exit_code, 137);
}

/* The helper is the only child of this test process. */
static pid_t find_helper(void)
{
	char path[64];
	struct buf children = BUF_INIT(BUF_MAX_SMALL);
	int64_t pid = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	if (file_read_all(path, &children, NULL) == 0) {
		buf_rtrim(&children);
		str_to_int64(children.data, &pid);
	}
	buf_release(&children);
	return (pid_t)pid;
}

static void test_helper_crash_reports_lost_and_keeps_caller_alive(void **state)
{
	struct fixture *f = *state;
	uint64_t id = start_sh(f, "sleep 876.543", NULL);
	pid_t helper;
	struct recorded_exit *e;
	int64_t deadline;

	wait_started(f, id);
	helper = find_helper();
	assert_true(helper > 0);
	assert_int_equal(kill(helper, SIGKILL), 0);
	e = wait_exit(f, id);
	assert_int_equal(e->outcome, RUNNER_LOST);
	assert_false(runner_alive(f->runner));
	{
		char *argv[] = { "/bin/true", NULL };
		struct runner_spec spec = { .name = "t", .argv = argv, .log_path = "/dev/null",
					    .run_as_user = -1, .run_as_group = -1 };
		struct error err = ERROR_INIT;
		uint64_t late;

		assert_int_equal(runner_start(f->runner, &spec, &late, &err), -1);
		assert_string_equal(err.msg, "the process runner is not running");
	}
	/* The container died with the helper. */
	deadline = time_mono_ms() + WAIT_MS;
	while (process_with_marker_exists("sleep 876.543") && time_mono_ms() < deadline)
		time_sleep_ms(20);
	assert_false(process_with_marker_exists("sleep 876.543"));
}

/* Without root the runner gives each container a user namespace mapping
 * the user to itself: mounts, hostname and PID namespace still work. Run
 * in a child that drops to nobody, with a runner of its own. */
static void test_unprivileged_runner_uses_a_user_namespace(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int status;

	assert_int_equal(chmod(f->dir, 0777), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fixture mine = { .runner = NULL };
		struct runner_events events = { on_started, on_exited, &mine.rec };
		char *vol = path_in(f, "nobody-vol"), *log = path_in(f, "nobody.log");
		char *run = path_in(f, "nobody-run");
		struct runner_mount mounts[] = { { .host_path = vol, .container_path = "/konduktor-test-vol" } };
		char *argv[] = { "/bin/sh", "-c", "id -u; hostname; echo $$; echo hi > /konduktor-test-vol/f", NULL };
		char *env[] = { "PATH=/usr/bin:/bin", NULL };
		struct runner_spec spec = { .name = "nobody", .argv = argv, .envp = env,
					    .hostname = "unpriv", .mounts = mounts, .n_mounts = 1,
					    .log_path = log, .run_as_user = -1, .run_as_group = -1 };
		struct recorded_exit *e;
		char *text;
		uint64_t id;
		int code;

		pthread_mutex_init(&mine.rec.lock, NULL);
		pthread_cond_init(&mine.rec.cond, NULL);
		str_copy(mine.dir, sizeof(mine.dir), f->dir);
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0 || mkdir(vol, 0755) < 0 ||
		    runner_new(run, &events, &mine.runner, NULL) < 0 ||
		    runner_start(mine.runner, &spec, &id, NULL) < 0)
			_exit(10);
		e = wait_exit(&mine, id);
		if (e->outcome != RUNNER_EXITED || e->exit_code != 0) {
			fprintf(stderr, "unprivileged container: outcome %d, exit %d: %s\n", e->outcome,
				e->exit_code, e->message);
			_exit(11);
		}
		text = log_text(log);
		code = strcmp(text, "65534\nunpriv\n1\n") ? 12 : 0;
		runner_free(mine.runner, 0);
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exit_code_and_log_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_workdir_hostname_and_pid_namespace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_volumes_read_write_and_read_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_termination_message_keeps_last_4096_bytes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_to_logs_on_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_not_used_on_success_or_with_message,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_graceful_stop_delivers_sigterm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_after_grace_when_sigterm_ignored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_left_behind_is_stopped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_descriptor_leaks_into_container, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_failure_is_a_start_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_mount_is_a_start_failure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_containers_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_stops_running_containers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_helper_crash_reports_lost_and_keeps_caller_alive,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unprivileged_runner_uses_a_user_namespace, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
