/* test_indexset.c — compressed index intervals ("0-2,5") of Job status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "indexset.h"

static void assert_format(const struct index_set *s, const char *want)
{
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	assert_int_equal(index_set_format(s, &out), 0);
	assert_string_equal(out.data, want);
	buf_release(&out);
}

static void test_add_merges_neighbours(void **state)
{
	struct index_set s = INDEX_SET_INIT;

	assert_format(&s, "");
	index_set_add(&s, 5);
	index_set_add(&s, 0);
	index_set_add(&s, 2);
	assert_format(&s, "0,2,5");
	index_set_add(&s, 1);
	assert_format(&s, "0-2,5");
	index_set_add(&s, 6);
	assert_format(&s, "0-2,5,6");
	index_set_add(&s, 4);
	index_set_add(&s, 3);
	assert_format(&s, "0-6");
	index_set_add(&s, 3);
	assert_format(&s, "0-6");
	index_set_add(&s, 9);
	index_set_add(&s, 7);
	assert_format(&s, "0-7,9");
	assert_int_equal(index_set_count(&s), 9);
	assert_true(index_set_contains(&s, 0));
	assert_true(index_set_contains(&s, 5));
	assert_false(index_set_contains(&s, 8));
	assert_true(index_set_contains(&s, 9));
	assert_false(index_set_contains(&s, 10));
	index_set_release(&s);
}

static void test_parse_round_trip_and_union(void **state)
{
	struct index_set s = INDEX_SET_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(index_set_parse(&s, "", 10, &err), 0);
	assert_int_equal(s.len, 0);
	assert_int_equal(index_set_parse(&s, "7-8,0-2,5", 10, &err), 0);
	assert_format(&s, "0-2,5,7,8");
	assert_int_equal(index_set_parse(&s, "3-4,6", 10, &err), 0);
	assert_format(&s, "0-8");
	index_set_release(&s);
}

static void test_parse_errors_leave_the_set(void **state)
{
	const char *bad[] = { "a", "1-", "-1", "3-1", "1,,2", "1,", ",1", "1 2", "1-2-3" };
	struct index_set s = INDEX_SET_INIT;
	struct error err = ERROR_INIT;

	index_set_add(&s, 4);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(index_set_parse(&s, bad[i], 10, &err), -1);
		assert_format(&s, "4");
	}
	assert_int_equal(index_set_parse(&s, "1-2,3", 10, &err), 0);
	assert_int_equal(index_set_parse(&s, "8-10", 10, &err), -1);
	assert_string_equal(err.msg, "index interval '8-10' is out of range 0-9");
	assert_format(&s, "1-4");
	index_set_release(&s);
}

static void test_lenient_parse_as_the_job_controller(void **state)
{
	struct index_set s = INDEX_SET_INIT;
	struct index_set t = INDEX_SET_INIT;

	index_set_parse_lenient(&s, "0-2,x,4,7-12,20", 10);
	assert_format(&s, "0-2,4,7-9");
	index_set_parse_lenient(&t, "1,3", 10);
	index_set_add_range(&t, 5, 6);
	index_set_add_range(&t, 9, 8);
	index_set_union(&t, &s);
	assert_format(&t, "0-9");
	index_set_release(&s);
	index_set_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_merges_neighbours),
		cmocka_unit_test(test_parse_round_trip_and_union),
		cmocka_unit_test(test_parse_errors_leave_the_set),
		cmocka_unit_test(test_lenient_parse_as_the_job_controller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
