/* test_duration.c — Go durations as kubectl's flags take them; ages as it prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timeutil.h"

static void test_valid_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t ns;
	} cases[] = {
		{ "0", 0 },
		{ "-0", 0 },
		{ "30s", 30000000000LL },
		{ "1m30s", 90000000000LL },
		{ "500ms", 500000000LL },
		{ "1h", 3600000000000LL },
		{ "1.5h", 5400000000000LL },
		{ ".5s", 500000000LL },
		{ "2us", 2000 },
		{ "2\xc2\xb5s", 2000 },
		{ "7ns", 7 },
		{ "-2s", -2000000000LL },
		{ "+3m", 180000000000LL },
		{ "1h2m3s4ms", 3723004000000LL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = -1;

		assert_int_equal(time_parse_duration_ns(cases[i].text, &ns), 0);
		assert_int_equal(ns, cases[i].ns);
	}
}

static void test_invalid_durations(void **state)
{
	static const char *const cases[] = {
		"", "30", "s", "1x", "1.s.", "1m30", "--1s", "1 s", " 1s", "1s ", ".s",
		"9999999999999999999h", "3000000h",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = 42;

		assert_int_equal(time_parse_duration_ns(cases[i], &ns), -1);
		assert_int_equal(ns, 42); /* untouched on failure */
	}
	assert_int_equal(time_parse_duration_ns(NULL, &(int64_t){ 0 }), -1);
}

static void test_human_durations(void **state)
{
	static const struct {
		int64_t seconds;
		const char *text;
	} cases[] = {
		{ -5, "<invalid>" }, { -1, "0s" }, { 0, "0s" }, { 119, "119s" }, { 120, "2m" },
		{ 200, "3m20s" }, { 600, "10m" }, { 10799, "179m" }, { 10800, "3h" },
		{ 4 * 3600 + 60, "4h1m" }, { 30 * 3600, "30h" }, { 3 * 86400 + 3600, "3d1h" },
		{ 10 * 86400, "10d" }, { 800LL * 86400, "2y70d" }, { 3000LL * 86400, "8y" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_human_duration(cases[i].seconds, out, sizeof(out));
		assert_string_equal(out, cases[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_durations),
		cmocka_unit_test(test_invalid_durations),
		cmocka_unit_test(test_human_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
