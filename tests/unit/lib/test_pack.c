/* test_pack.c — ustar archives of workdirs and file mounts, read back by
 * GNU tar and BusyBox tar (what pods have), ignore rules, symlink policy
 * and size accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileutil.h"
#include "pack.h"
#include "xalloc.h"

static char root[] = "/tmp/konduktor-pack-XXXXXX";

#define LONG_DIR                                                     \
	"directory-with-a-long-name-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/" \
	"directory-with-a-long-name-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	if (status != 0)
		fail_msg("command failed (%d): %s", status, cmd);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/src/%s", root, rel);
	char *dir = path_dirname(path);

	assert_int_equal(mkdir_parents(dir, 0755, NULL), 0);
	assert_int_equal(file_write_atomic(path, text, strlen(text), mode, NULL), 0);
	free(dir);
	free(path);
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT(1 << 20);

	if (file_read_all(path, &b, NULL) < 0)
		return NULL;
	return buf_detach(&b, NULL);
}

static void assert_file(const char *path, const char *expected)
{
	char *text = slurp(path);

	if (!text || strcmp(text, expected) != 0)
		fail_msg("%s holds '%s', not '%s'", path, text ? text : "(nothing)", expected);
	free(text);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static int setup(void **state)
{

	assert_non_null(mkdtemp(root));
	put("train.py", "print('hi')\n", 0644);
	put("run.sh", "#!/bin/sh\necho run\n", 0755);
	put("secret.key", "k", 0600);
	put("lib/util.py", "x = 1\n", 0644);
	put("logs/a.log", "noise", 0644);
	put("keep.log", "kept", 0644);
	put("build/out.o", "obj", 0644);
	put("top-only.txt", "ignored at the top", 0644);
	put("lib/top-only.txt", "kept below", 0644);
	put("data/big/blob", "data", 0644);
	put(".git/HEAD", "ref: refs/heads/main\n", 0644);
	put(LONG_DIR "/nested/file-with-a-long-name.txt", "deep", 0640);
	put(".konduktorignore", "# build outputs\n*.log\n!keep.log\nbuild/\n/top-only.txt\ndata/**\n", 0644);
	run("ln -s train.py %s/src/link-to-train.py", root);
	return 0;
}

static int teardown(void **state)
{
	remove_tree(root, NULL);
	return 0;
}

static void extract_and_check(const char *archive, const char *tar_cmd, const char *dest)
{
	char *p;

	run("mkdir -p %s && cd %s && %s -xf %s", dest, dest, tar_cmd, archive);
	p = xasprintf("%s/train.py", dest);
	assert_file(p, "print('hi')\n");
	free(p);
	p = xasprintf("%s/run.sh", dest);
	assert_int_equal(mode_of(p), 0755);
	free(p);
	p = xasprintf("%s/secret.key", dest);
	assert_int_equal(mode_of(p), 0600);
	free(p);
	p = xasprintf("%s/link-to-train.py", dest);
	assert_true(S_ISREG(({ struct stat st; lstat(p, &st); st.st_mode; })));
	assert_file(p, "print('hi')\n");
	free(p);
	p = xasprintf("%s/keep.log", dest);
	assert_file(p, "kept");
	free(p);
	p = xasprintf("%s/lib/top-only.txt", dest);
	assert_file(p, "kept below");
	free(p);
	/* More than ustar's 100-byte name field: split into prefix and name. */
	p = xasprintf("%s/" LONG_DIR "/nested/file-with-a-long-name.txt", dest);
	assert_file(p, "deep");
	assert_int_equal(mode_of(p), 0640);
	free(p);
	/* Excluded: .git, *.log (but keep.log), build/, /top-only.txt, data below. */
	static const char *const absent[] = { ".git", "logs/a.log", "build", "top-only.txt",
					      "data/big" };
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		p = xasprintf("%s/%s", dest, absent[i]);
		if (access(p, F_OK) == 0)
			fail_msg("%s was shipped", absent[i]);
		free(p);
	}
}

static void test_directory_round_trips_through_gnu_and_busybox_tar(void **state)
{
	struct buf out = BUF_INIT(1 << 20);
	struct tar_sink sink;
	struct error err = ERROR_INIT;
	char *src = xasprintf("%s/src", root), *archive = xasprintf("%s/a.tar", root);
	char *dest;

	tar_sink_init(&sink, &out);
	if (pack_directory(&sink, src, &err) < 0)
		fail_msg("%s", err.msg);
	assert_false(sink.overflowed);
	assert_int_equal(sink.total, out.len);
	assert_int_equal(out.len % 512, 0);
	assert_int_equal(file_write_atomic(archive, out.data, out.len, 0600, NULL), 0);
	dest = xasprintf("%s/gnu", root);
	extract_and_check(archive, "tar", dest);
	free(dest);
	if (access("/bin/busybox", X_OK) == 0) {
		dest = xasprintf("%s/busybox", root);
		extract_and_check(archive, "busybox tar", dest);
		free(dest);
	}
	buf_release(&out);
	free(src);
	free(archive);
}

static void test_overflow_still_counts_the_full_size(void **state)
{
	struct buf big = BUF_INIT(1 << 20), small = BUF_INIT(2048);
	struct tar_sink a, b;
	char *src = xasprintf("%s/src", root);

	tar_sink_init(&a, &big);
	tar_sink_init(&b, &small);
	assert_int_equal(pack_directory(&a, src, NULL), 0);
	assert_int_equal(pack_directory(&b, src, NULL), 0);
	assert_false(a.overflowed);
	assert_true(b.overflowed);
	assert_int_equal(b.total, a.total);
	assert_true(small.len <= 2048);
	buf_release(&big);
	buf_release(&small);
	free(src);
}

static void test_single_file_is_named_for_its_destination(void **state)
{
	struct buf out = BUF_INIT(1 << 16);
	struct tar_sink sink;
	bool is_dir = true;
	char *path = xasprintf("%s/src/run.sh", root), *archive = xasprintf("%s/f.tar", root);
	char *extracted = xasprintf("%s/single/entrypoint", root);

	tar_sink_init(&sink, &out);
	assert_int_equal(pack_path(&sink, path, "entrypoint", &is_dir, NULL), 0);
	assert_false(is_dir);
	assert_int_equal(file_write_atomic(archive, out.data, out.len, 0600, NULL), 0);
	run("mkdir -p %s/single && tar -xf %s -C %s/single", root, archive, root);
	assert_file(extracted, "#!/bin/sh\necho run\n");
	assert_int_equal(mode_of(extracted), 0755);
	buf_release(&out);
	free(path);
	free(archive);
	free(extracted);
}

static void expect_pack_error(const char *setup_cmd, const char *fragment)
{
	char *dir = xasprintf("%s/bad", root);
	struct buf out = BUF_INIT(1 << 16);
	struct tar_sink sink;
	struct error err = ERROR_INIT;

	run("rm -rf %s && mkdir -p %s && cd %s && %s", dir, dir, dir, setup_cmd);
	tar_sink_init(&sink, &out);
	assert_int_equal(pack_directory(&sink, dir, &err), -1);
	if (!strstr(err.msg, fragment))
		fail_msg("'%s' does not contain '%s'", err.msg, fragment);
	buf_release(&out);
	free(dir);
}

static void test_links_and_special_files_refused(void **state)
{
	expect_pack_error("ln -s /etc/passwd escape",
			  "symlink 'escape' points outside the directory (to '/etc/passwd'): list "
			  "it in .konduktorignore or replace it with a copy");
	expect_pack_error("mkdir sub && ln -s ../../src/train.py sub/sideways",
			  "symlink 'sub/sideways' points outside the directory");
	expect_pack_error("ln -s missing dangling",
			  "symlink 'dangling' points nowhere ('missing'): list it in "
			  ".konduktorignore or remove it");
	expect_pack_error("mkdir d && ln -s d dirlink",
			  "symlink 'dirlink' points to a directory or special file ('d')");
	expect_pack_error("mkfifo pipe",
			  "'pipe' is not a regular file or directory (sockets, FIFOs and devices "
			  "cannot be shipped): list it in .konduktorignore");
	/* Ignored links are fine. */
	{
		char *dir = xasprintf("%s/ok", root);
		struct buf out = BUF_INIT(1 << 16);
		struct tar_sink sink;

		run("rm -rf %s && mkdir -p %s && cd %s && ln -s /etc/passwd escape && "
		    "printf 'escape\\n' > .konduktorignore", dir, dir, dir);
		tar_sink_init(&sink, &out);
		assert_int_equal(pack_directory(&sink, dir, NULL), 0);
		buf_release(&out);
		free(dir);
	}
}

static void test_ignore_rules(void **state)
{
	static const char text[] = "# c\n*.pyc\n!important.pyc\ncache/\n/rootfile\nsub/*.tmp\n"
				   "**/deep\nout/**\n  \n";
	struct ignore_rules rules;

	ignore_rules_parse(text, sizeof(text) - 1, &rules);
	assert_true(ignore_rules_match(&rules, "a.pyc", false));
	assert_true(ignore_rules_match(&rules, "x/y/a.pyc", false));
	assert_false(ignore_rules_match(&rules, "important.pyc", false));
	assert_true(ignore_rules_match(&rules, "cache", true));
	assert_true(ignore_rules_match(&rules, "x/cache", true));
	assert_false(ignore_rules_match(&rules, "cache", false));
	assert_true(ignore_rules_match(&rules, "rootfile", false));
	assert_false(ignore_rules_match(&rules, "x/rootfile", false));
	assert_true(ignore_rules_match(&rules, "sub/a.tmp", false));
	assert_false(ignore_rules_match(&rules, "sub/x/a.tmp", false));
	assert_true(ignore_rules_match(&rules, "a/b/deep", true));
	assert_true(ignore_rules_match(&rules, "out/x/y", false));
	assert_false(ignore_rules_match(&rules, "output", false));
	ignore_rules_release(&rules);
}

static void test_tar_names(void **state)
{
	struct buf out = BUF_INIT(1 << 16);
	struct tar_sink sink;
	struct error err = ERROR_INIT;
	char too_long[300];

	tar_sink_init(&sink, &out);
	assert_int_equal(tar_add_file(&sink, "../x", 0644, 0, "", 0, &err), -1);
	assert_string_equal(err.msg, "'../x': not a safe relative path for an archive");
	assert_int_equal(tar_add_file(&sink, "/abs", 0644, 0, "", 0, &err), -1);
	memset(too_long, 'x', 260);
	too_long[260] = '\0';
	assert_int_equal(tar_add_file(&sink, too_long, 0644, 0, "", 0, &err), -1);
	assert_non_null(strstr(err.msg, "path too long for the archive"));
	assert_int_equal(out.len, 0);
	assert_int_equal(tar_entry_size(0), 512);
	assert_int_equal(tar_entry_size(1), 1024);
	assert_int_equal(tar_entry_size(512), 1024);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory_round_trips_through_gnu_and_busybox_tar),
		cmocka_unit_test(test_overflow_still_counts_the_full_size),
		cmocka_unit_test(test_single_file_is_named_for_its_destination),
		cmocka_unit_test(test_links_and_special_files_refused),
		cmocka_unit_test(test_ignore_rules),
		cmocka_unit_test(test_tar_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
