/* test_intervals.c — compressed index intervals, ids and label rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <string.h>

#include "intervals.h"
#include "labels.h"
#include "randutil.h"

static void test_parse_and_format_round_trip(void **state)
{
	struct index_set set;
	struct buf out = BUF_INIT(256);
	struct error err = ERROR_INIT;

	assert_int_equal(index_set_parse("0-2,5,7-9", 10, &set, &err), 0);
	assert_true(index_set_contains(&set, 0));
	assert_true(index_set_contains(&set, 2));
	assert_false(index_set_contains(&set, 3));
	assert_true(index_set_contains(&set, 5));
	assert_true(index_set_contains(&set, 9));
	assert_false(index_set_contains(&set, 10));
	assert_int_equal(index_set_count(&set), 7);
	assert_int_equal(index_set_format(&set, &out), 0);
	assert_string_equal(out.data, "0-2,5,7-9");
	index_set_release(&set);
	buf_release(&out);
}

static void test_empty_and_large_sets(void **state)
{
	struct index_set set;
	struct buf out = BUF_INIT(256);

	assert_int_equal(index_set_parse(NULL, 5, &set, NULL), 0);
	assert_int_equal(index_set_count(&set), 0);
	index_set_release(&set);
	assert_int_equal(index_set_parse("0-99999", 100000, &set, NULL), 0);
	assert_int_equal(index_set_count(&set), 100000);
	assert_int_equal(index_set_format(&set, &out), 0);
	assert_string_equal(out.data, "0-99999");
	index_set_release(&set);
	buf_release(&out);
}

static void test_invalid_intervals(void **state)
{
	static const char *const bad[] = { "1-", "-1", "3-1", "a", "1,,2", "1 ,2", "1,", "0x1" };
	struct index_set set;
	struct error err = ERROR_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (index_set_parse(bad[i], 10, &set, &err) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err.msg, "invalid index intervals"));
	}
	assert_int_equal(index_set_parse("8-10", 10, &set, &err), -1);
	assert_string_equal(err.msg, "index interval '8-10' is beyond 10 indexes");
}

static void test_random_ids_have_the_right_alphabet(void **state)
{
	char hex[17], alnum[9], other[9];

	assert_int_equal(random_hex(hex, 8, NULL), 0);
	assert_int_equal(strlen(hex), 16);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 16);
	assert_int_equal(random_alnum(alnum, 8, NULL), 0);
	assert_int_equal(random_alnum(other, 8, NULL), 0);
	assert_int_equal(strspn(alnum, "abcdefghijklmnopqrstuvwxyz0123456789"), 8);
	/* 36^8 possibilities: two equal draws would mean a broken generator. */
	assert_string_not_equal(alnum, other);
}

static void test_label_rules(void **state)
{
	const char *why = NULL;

	assert_true(label_key_is_valid("kueue.x-k8s.io/queue-name", NULL));
	assert_true(label_key_is_valid("maxRunDurationSeconds", NULL));
	assert_false(label_key_is_valid("Bad.Prefix/x", &why));
	assert_non_null(strstr(why, "prefix"));
	assert_false(label_key_is_valid("a/b/c", &why));
	assert_false(label_key_is_valid("-x", &why));
	assert_false(label_key_is_valid("", &why));
	assert_true(label_value_is_valid("", NULL));
	assert_true(label_value_is_valid("user-queue", NULL));
	assert_false(label_value_is_valid("has space", &why));
	assert_non_null(why);
	assert_true(label_key_is_reserved("konduktor.io/user"));
	assert_true(label_key_is_reserved("batch.kubernetes.io/job-name"));
	assert_false(label_key_is_reserved(KUEUE_QUEUE_NAME_LABEL));
}

static void test_label_value_sanitize(void **state)
{
	char out[LABEL_VALUE_MAX + 1];
	char longer[100];

	label_value_sanitize("jane.doe@example.com", out);
	assert_string_equal(out, "jane.doe-example.com");
	label_value_sanitize("__root__", out);
	assert_string_equal(out, "root");
	label_value_sanitize("@@@", out);
	assert_string_equal(out, "unknown");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	label_value_sanitize(longer, out);
	assert_int_equal(strlen(out), 63);
	assert_true(label_value_is_valid(out, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format_round_trip),
		cmocka_unit_test(test_empty_and_large_sets),
		cmocka_unit_test(test_invalid_intervals),
		cmocka_unit_test(test_random_ids_have_the_right_alphabet),
		cmocka_unit_test(test_label_rules),
		cmocka_unit_test(test_label_value_sanitize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
