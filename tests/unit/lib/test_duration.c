/* test_duration.c — Go duration syntax as kubectl's flags accept it (in ns,
 * and in ms for flags counting seconds), time_after_ms() deadlines, and
 * ages as kubectl prints them. */
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

/* Flags that count seconds: a plain number is seconds, else a Go duration;
 * whole milliseconds, never negative. */
static void test_duration_ms_for_flags(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} valid[] = {
		{ "10s", 10000 },     { "1m30s", 90000 }, { "500ms", 500 },
		{ "1.5h", 5400000 }, { "30", 30000 },    { "0", 0 },
	};
	static const char *const invalid[] = { "", "10x", "-1s", "s", "1s2" };

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		int64_t ms = -7;

		assert_int_equal(time_parse_duration_ms(valid[i].text, &ms), 0);
		assert_int_equal(ms, valid[i].ms);
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		int64_t ms = -7;

		assert_int_equal(time_parse_duration_ms(invalid[i], &ms), -1);
		assert_int_equal(ms, -7); /* untouched on failure */
	}
}

static void test_after_ms_is_normalised_and_not_early(void **state)
{
	static const int64_t waits[] = { 0, 1, 999, 1500, 86400000 };

	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		struct timespec before, until;
		int64_t ahead_ns;

		clock_gettime(CLOCK_MONOTONIC, &before);
		time_after_ms(CLOCK_MONOTONIC, waits[i], &until);
		assert_true(until.tv_nsec >= 0 && until.tv_nsec < 1000000000);
		ahead_ns = (int64_t)(until.tv_sec - before.tv_sec) * 1000000000 +
			   (until.tv_nsec - before.tv_nsec);
		assert_true(ahead_ns >= waits[i] * 1000000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_durations),
		cmocka_unit_test(test_invalid_durations),
		cmocka_unit_test(test_duration_ms_for_flags),
		cmocka_unit_test(test_after_ms_is_normalised_and_not_early),
		cmocka_unit_test(test_human_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
