/* test_podlog.c — pod log paths and CRI record parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "podlog.h"

static void test_path_layout(void **state)
{
	char *path = podlog_path("/s/logs", "default", "pi-x7k2", "u-1", "main", 2);

	assert_string_equal(path, "/s/logs/default_pi-x7k2_u-1/main/2.log");
	free(path);
}

static void test_full_and_partial_records(void **state)
{
	const char *full = "2026-11-22T13:51:53.123456789Z stdout F hello world";
	const char *part = "2026-11-22T13:51:53.5Z stderr P abc";
	const char *empty = "2026-11-22T13:51:54Z stdout F";
	struct podlog_record r;

	assert_int_equal(podlog_parse_line(full, strlen(full), &r), 0);
	assert_false(r.stderr_stream);
	assert_false(r.partial);
	assert_int_equal(r.time.tv_nsec, 123456789);
	assert_int_equal(r.timestamp_len, 30);
	assert_int_equal(r.content_len, 11);
	assert_memory_equal(r.content, "hello world", 11);

	assert_int_equal(podlog_parse_line(part, strlen(part), &r), 0);
	assert_true(r.stderr_stream);
	assert_true(r.partial);
	assert_int_equal(r.time.tv_nsec, 500000000);
	assert_int_equal(r.content_len, 3);

	assert_int_equal(podlog_parse_line(empty, strlen(empty), &r), 0);
	assert_int_equal(r.content_len, 0);
}

static void test_malformed_lines_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "no spaces", "2026-11-22T13:51:53Z stdout X text", "yesterday stdout F x",
		"2026-11-22T13:51:53Z stdin F x", "2026-11-22T13:51:53Z stdout Fx",
	};
	struct podlog_record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(podlog_parse_line(bad[i], strlen(bad[i]), &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_layout),
		cmocka_unit_test(test_full_and_partial_records),
		cmocka_unit_test(test_malformed_lines_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
