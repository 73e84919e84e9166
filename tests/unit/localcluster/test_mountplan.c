/* test_mountplan.c — the mount plan over a scratch "host" tree: which
 * directories get shadowed, symlinks followed, errors named; then the plan
 * performed for real in a private mount namespace (needs root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileutil.h"
#include "mountplan.h"
#include "strutil.h"
#include "xalloc.h"

struct scratch {
	char dir[64];
	char *host;    /* the fake host root */
	char *root;    /* the new root mount point */
	char *volume;  /* a volume directory with a marker file */
	char *file;    /* a file volume (termination log) */
};

static void make_file(const char *path, const char *text)
{
	assert_int_equal(file_write_atomic(path, text, strlen(text), 0644, NULL), 0);
}

static void make_dir(struct scratch *s, const char *rel)
{
	char *path = path_join(s->dir, rel);

	assert_int_equal(mkdir_parents(path, 0755, NULL), 0);
	free(path);
}

static int setup(void **state)
{
	struct scratch *s = xcalloc(1, sizeof(*s));
	char *p;

	str_copy(s->dir, sizeof(s->dir), "/tmp/test-mountplan-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	s->host = path_join(s->dir, "host");
	s->root = path_join(s->dir, "root");
	s->volume = path_join(s->dir, "volume");
	s->file = path_join(s->dir, "termination-log");
	make_dir(s, "host/usr/bin");
	make_dir(s, "host/dev");
	make_dir(s, "host/etc");
	make_dir(s, "host/proc");
	make_dir(s, "root");
	make_dir(s, "volume");
	p = path_join(s->host, "bin");
	assert_int_equal(symlink("usr/bin", p), 0);
	free(p);
	p = path_join(s->host, "etc/hosts");
	make_file(p, "127.0.0.1 localhost\n");
	free(p);
	p = path_join(s->host, "dev/null");
	make_file(p, "");
	free(p);
	p = path_join(s->host, "usr/bin/sh");
	make_file(p, "");
	free(p);
	p = path_join(s->volume, "marker");
	make_file(p, "volume");
	free(p);
	make_file(s->file, "");
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;

	remove_tree(s->dir, NULL);
	free(s->host);
	free(s->root);
	free(s->volume);
	free(s->file);
	free(s);
	return 0;
}

/* Index of the first step of `kind` at container path `path`, or -1. */
static long find_step(const struct mount_plan *plan, enum mount_step_kind kind, const char *path)
{
	for (size_t i = 0; i < plan->len; i++)
		if (plan->steps[i].kind == kind && !strcmp(plan->steps[i].container_path, path))
			return (long)i;
	return -1;
}

static void test_plan_shadows_only_where_a_path_is_missing(void **state)
{
	struct scratch *s = *state;
	char *hosts = path_join(s->dir, "pod-hosts");
	struct mount_plan_volume volumes[] = {
		{ .host_path = s->volume, .container_path = "/konduktor/output" },
		{ .host_path = s->file, .container_path = "/dev/termination-log" },
		{ .host_path = hosts, .container_path = "/etc/hosts", .read_only = true },
		{ .host_path = s->volume, .container_path = "/bin/tool" },
	};
	struct mount_plan plan;
	struct error err = ERROR_INIT;
	long bind;

	make_file(hosts, "10.0.0.1 pod\n");
	if (mount_plan_build(&plan, s->host, s->root, volumes, 4, "/konduktor/output/work", &err) < 0)
		fail_msg("%s", err.msg);
	/* The root is a tmpfs with the host's entries bound or copied in. */
	assert_int_equal(find_step(&plan, MOUNT_STEP_TMPFS, "/"), 0);
	assert_true(find_step(&plan, MOUNT_STEP_SYMLINK, "/bin") > 0);
	assert_string_equal(plan.steps[find_step(&plan, MOUNT_STEP_SYMLINK, "/bin")].source,
			    "usr/bin");
	assert_true(find_step(&plan, MOUNT_STEP_BIND, "/usr") > 0);
	assert_true(plan.steps[find_step(&plan, MOUNT_STEP_BIND, "/usr")].recursive);
	assert_true(find_step(&plan, MOUNT_STEP_PROC, "/proc") > find_step(&plan, MOUNT_STEP_BIND, "/proc"));
	/* /konduktor is new at the root: made in the root tmpfs, no shadow. */
	assert_true(find_step(&plan, MOUNT_STEP_MKDIR, "/konduktor") > 0);
	assert_int_equal(find_step(&plan, MOUNT_STEP_TMPFS, "/konduktor"), -1);
	bind = find_step(&plan, MOUNT_STEP_BIND, "/konduktor/output");
	assert_true(bind > find_step(&plan, MOUNT_STEP_MKDIR, "/konduktor/output"));
	assert_string_equal(plan.steps[bind].source, s->volume);
	/* /dev exists on the host without termination-log: /dev is shadowed,
	 * its entries re-bound, and the file made in the shadow. */
	assert_true(find_step(&plan, MOUNT_STEP_TMPFS, "/dev") > 0);
	assert_true(find_step(&plan, MOUNT_STEP_MKFILE, "/dev/null") > find_step(&plan, MOUNT_STEP_TMPFS, "/dev"));
	assert_true(find_step(&plan, MOUNT_STEP_BIND, "/dev/null") > 0);
	assert_true(find_step(&plan, MOUNT_STEP_MKFILE, "/dev/termination-log") > 0);
	assert_true(find_step(&plan, MOUNT_STEP_BIND, "/dev/termination-log") > 0);
	/* /etc/hosts exists: bound over directly, read-only, /etc untouched. */
	assert_int_equal(find_step(&plan, MOUNT_STEP_TMPFS, "/etc"), -1);
	assert_true(plan.steps[find_step(&plan, MOUNT_STEP_BIND, "/etc/hosts")].read_only);
	/* /bin/tool goes through the /bin -> usr/bin link: /usr/bin is shadowed. */
	assert_true(find_step(&plan, MOUNT_STEP_TMPFS, "/usr/bin") > 0);
	assert_true(find_step(&plan, MOUNT_STEP_BIND, "/usr/bin/sh") > 0);
	assert_true(find_step(&plan, MOUNT_STEP_BIND, "/usr/bin/tool") > 0);
	assert_int_equal(find_step(&plan, MOUNT_STEP_BIND, "/bin/tool"), -1);
	/* The working directory is made inside the volume, not shadowed. */
	assert_string_equal(plan.working_dir, "/konduktor/output/work");
	assert_true(find_step(&plan, MOUNT_STEP_MKDIR, "/konduktor/output/work") > bind);
	assert_int_equal(find_step(&plan, MOUNT_STEP_TMPFS, "/konduktor/output"), -1);
	mount_plan_release(&plan);
	free(hosts);
}

static void test_plan_errors_name_the_path(void **state)
{
	struct scratch *s = *state;
	struct mount_plan plan;
	struct error err = ERROR_INIT;
	struct mount_plan_volume relative = { .host_path = s->volume, .container_path = "data" };
	struct mount_plan_volume onto_file = { .host_path = s->volume, .container_path = "/etc/hosts" };
	struct mount_plan_volume through_file = { .host_path = s->volume,
						  .container_path = "/etc/hosts/x" };
	struct mount_plan_volume missing = { .host_path = "/nonexistent-konduktor",
					     .container_path = "/data" };
	struct mount_plan_volume looping = { .host_path = s->volume, .container_path = "/loop/x" };
	char *a = path_join(s->host, "loop");

	assert_int_equal(mount_plan_build(&plan, s->host, s->root, &relative, 1, NULL, &err), -1);
	assert_string_equal(err.msg, "mount path 'data' must be absolute");
	assert_int_equal(mount_plan_build(&plan, s->host, s->root, &onto_file, 1, NULL, &err), -1);
	assert_string_equal(err.msg, "mount path '/etc/hosts': cannot mount a directory onto a file");
	assert_int_equal(mount_plan_build(&plan, s->host, s->root, &through_file, 1, NULL, &err), -1);
	assert_string_equal(err.msg, "mount path '/etc/hosts/x': '/etc/hosts' is not a directory");
	assert_int_equal(mount_plan_build(&plan, s->host, s->root, &missing, 1, NULL, &err), -1);
	assert_string_equal(err.msg,
			    "volume source '/nonexistent-konduktor': No such file or directory");
	assert_int_equal(symlink("/loop", a), 0);
	assert_int_equal(mount_plan_build(&plan, s->host, s->root, &looping, 1, NULL, &err), -1);
	assert_string_equal(err.msg, "mount path '/loop/x': too many levels of symbolic links");
	assert_int_equal(mount_plan_build(&plan, s->host, s->root, NULL, 0, "rel", &err), -1);
	assert_string_equal(err.msg, "working directory 'rel' must be absolute");
	/* A failed build leaves nothing to release. */
	assert_null(plan.steps);
	free(a);
}

static void test_failure_descriptions(void **state)
{
	struct scratch *s = *state;
	struct mount_plan_volume v = { .host_path = s->volume, .container_path = "/data" };
	struct mount_plan plan;
	char text[512];
	long bind;

	assert_int_equal(mount_plan_build(&plan, s->host, s->root, &v, 1, NULL, NULL), 0);
	bind = find_step(&plan, MOUNT_STEP_BIND, "/data");
	mount_plan_describe_failure(&plan, (size_t)bind, EACCES, text, sizeof(text));
	assert_true(str_has_prefix(text, "error mounting \""));
	assert_true(str_has_suffix(text, "/volume\" to rootfs at \"/data\": Permission denied"));
	mount_plan_describe_failure(&plan, plan.len, EPERM, text, sizeof(text));
	assert_string_equal(text,
			    "error making the mount namespace private: Operation not permitted");
	mount_plan_release(&plan);
}

/* Performs the plan in a child with a private mount namespace and checks
 * what it sees under the new root; the host tree must stay unchanged. */
static void test_plan_executes_without_touching_the_host(void **state)
{
	struct scratch *s = *state;
	struct mount_plan_volume volumes[] = {
		{ .host_path = s->volume, .container_path = "/konduktor/output" },
		{ .host_path = s->file, .container_path = "/dev/termination-log" },
		{ .host_path = s->volume, .container_path = "/etc/ro", .read_only = true },
	};
	struct mount_plan plan;
	struct error err = ERROR_INIT;
	pid_t pid;
	int status;
	char *p;

	if (mount_plan_build(&plan, s->host, s->root, volumes, 3, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t failed;
		char path[512];
		struct stat st;
		int code = 0;

		if (unshare(CLONE_NEWNS) < 0 || mount_plan_execute(&plan, &failed) < 0)
			_exit(10);
		snprintf(path, sizeof(path), "%s/konduktor/output/marker", s->root);
		if (access(path, F_OK) < 0)
			code = 11;
		snprintf(path, sizeof(path), "%s/dev/termination-log", s->root);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			code = 12;
		snprintf(path, sizeof(path), "%s/dev/null", s->root);
		if (access(path, F_OK) < 0)
			code = 13;
		snprintf(path, sizeof(path), "%s/usr/bin/sh", s->root);
		if (access(path, F_OK) < 0)
			code = 14;
		snprintf(path, sizeof(path), "%s/etc/ro/new", s->root);
		if (mkdir(path, 0755) == 0 || errno != EROFS)
			code = 15;
		snprintf(path, sizeof(path), "%s/konduktor/output/written", s->root);
		if (mkdir(path, 0755) < 0)
			code = 16;
		_exit(code);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Writes into the volume reached the host; nothing else did. */
	p = path_join(s->volume, "written");
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	p = path_join(s->host, "dev/termination-log");
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	p = path_join(s->host, "konduktor");
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	mount_plan_release(&plan);
}

/* A mount planned inside a directory that a later mount shadows is planned
 * again on top of the shadow: /etc/hosts survives /etc/new-dir. */
static void test_shadowing_keeps_earlier_mounts(void **state)
{
	struct scratch *s = *state;
	char *hosts = path_join(s->dir, "pod-hosts");
	struct mount_plan_volume volumes[] = {
		{ .host_path = hosts, .container_path = "/etc/hosts" },
		{ .host_path = s->volume, .container_path = "/etc/new-dir", .read_only = true },
	};
	struct mount_plan plan;
	struct error err = ERROR_INIT;
	long shadow, last_bind = -1;
	pid_t pid;
	int status;

	make_file(hosts, "10.0.0.1 pod\n");
	if (mount_plan_build(&plan, s->host, s->root, volumes, 2, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	shadow = find_step(&plan, MOUNT_STEP_TMPFS, "/etc");
	assert_true(shadow > 0);
	for (size_t i = 0; i < plan.len; i++)
		if (plan.steps[i].kind == MOUNT_STEP_BIND &&
		    !strcmp(plan.steps[i].container_path, "/etc/hosts") &&
		    !strcmp(plan.steps[i].source, hosts))
			last_bind = (long)i;
	assert_true(last_bind > shadow);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t failed;
		char path[512], text[64] = "";
		FILE *f;

		if (unshare(CLONE_NEWNS) < 0 || mount_plan_execute(&plan, &failed) < 0)
			_exit(10);
		snprintf(path, sizeof(path), "%s/etc/hosts", s->root);
		f = fopen(path, "r");
		if (!f || !fgets(text, sizeof(text), f))
			_exit(11);
		fclose(f);
		_exit(strcmp(text, "10.0.0.1 pod\n") ? 12 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	mount_plan_release(&plan);
	free(hosts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plan_shadows_only_where_a_path_is_missing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_errors_name_the_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_descriptions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_executes_without_touching_the_host, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shadowing_keeps_earlier_mounts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
