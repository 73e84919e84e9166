/* test_progress.c — the progress line: counts, the rate since following
 * began, the time left, and durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

static void test_durations(void **state)
{
	static const struct {
		int64_t seconds;
		const char *text;
	} cases[] = {
		{ -5, "0s" },       { 0, "0s" },          { 59, "59s" },         { 60, "1m00s" },
		{ 192, "3m12s" },   { 3599, "59m59s" },   { 3840, "1h04m" },     { 86399, "23h59m" },
		{ 183600, "2d03h" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[PROGRESS_DURATION_MAX];

		progress_format_duration(cases[i].seconds, out);
		assert_string_equal(out, cases[i].text);
	}
}

static void test_line(void **state)
{
	struct progress p;
	struct progress_counts c = { .total = 50, .done = 10, .failed = 0, .running = 3, .pending = 37 };
	char line[PROGRESS_LINE_MAX];

	progress_start(&p, 10, 1000);
	/* Nothing finished while following yet: no rate, no estimate. */
	progress_format(&p, "grp-1a2b3c4d", &c, 5000, line);
	assert_string_equal(line, "grp-1a2b3c4d  10/50 done, 3 running, 37 pending");

	/* 20 more in 5 s: 4/s, 20 left is 5 s. */
	c = (struct progress_counts){ .total = 50, .done = 30, .failed = 2, .running = 3, .pending = 17 };
	progress_format(&p, "grp-1a2b3c4d", &c, 6000, line);
	assert_string_equal(line, "grp-1a2b3c4d  30/50 done, 2 failed, 3 running, 17 pending  4.0/s"
				  "  5s left");

	/* Slow groups count per minute; a finished one has no time left. */
	c = (struct progress_counts){ .total = 12, .done = 12, .failed = 0 };
	progress_start(&p, 10, 0);
	progress_format(&p, "grp-1a2b3c4d", &c, 60000, line);
	assert_string_equal(line, "grp-1a2b3c4d  12/12 done, 0 running, 0 pending  2.0/min");

	/* Under a second of watching: no rate from noise. */
	c.done = 11;
	progress_start(&p, 10, 0);
	progress_format(&p, "grp-1a2b3c4d", &c, 500, line);
	assert_string_equal(line, "grp-1a2b3c4d  11/12 done, 0 running, 0 pending");
}

static void test_line_is_bounded(void **state)
{
	struct progress p;
	struct progress_counts c = { .total = (size_t)-1, .done = (size_t)-2, .failed = (size_t)-3,
				     .running = (size_t)-4, .pending = (size_t)-5 };
	char line[PROGRESS_LINE_MAX];

	progress_start(&p, 0, 0);
	progress_format(&p, "grp-1a2b3c4d", &c, 1, line);
	assert_true(strlen(line) < PROGRESS_LINE_MAX);
	assert_true(strncmp(line, "grp-1a2b3c4d  18446744073709551614/", 35) == 0);
}

static void test_show_and_clear(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	progress_show(f, "one");
	progress_show(f, "two");
	progress_clear(f);
	fclose(f);
	assert_string_equal(text, "\rone\033[K\rtwo\033[K\r\033[K");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_line_is_bounded),
		cmocka_unit_test(test_show_and_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
