/* test_path.c — lexical path helpers: path_clean, path_join, path_dirname. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "fileutil.h"

static void check_clean(const char *in, const char *want)
{
	char *got = path_clean(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_path_clean(void **state)
{
	check_clean("/", "/");
	check_clean("", "/");
	check_clean("//a//b/", "/a/b");
	check_clean("/a/./b/.", "/a/b");
	check_clean("/a/b/../c", "/a/c");
	check_clean("/../..", "/");
	check_clean("/a/../../b", "/b");
	check_clean("/usr/bin/../lib/./x", "/usr/lib/x");
	check_clean("/..a/b..", "/..a/b..");
}

static void test_join_and_dirname(void **state)
{
	char *p = path_join("/a", "b");

	assert_string_equal(p, "/a/b");
	free(p);
	p = path_join("/a/", "/abs");
	assert_string_equal(p, "/abs");
	free(p);
	p = path_dirname("/a/b");
	assert_string_equal(p, "/a");
	free(p);
	p = path_dirname("/a");
	assert_string_equal(p, "/");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_join_and_dirname),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
