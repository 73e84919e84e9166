/* test_strutil.c — checked parsing, did-you-mean, name rules, time, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "strutil.h"
#include "strv.h"
#include "timeutil.h"

static void test_str_copy_truncates_and_reports(void **state)
{
	char small[4];

	assert_int_equal(str_copy(small, sizeof(small), "abc"), 0);
	assert_string_equal(small, "abc");
	assert_int_equal(str_copy(small, sizeof(small), "abcd"), -1);
	assert_string_equal(small, "abc");
}

static void test_integer_parsing_is_whole_string(void **state)
{
	int64_t v = 7;
	int i = 7;

	assert_int_equal(str_to_int64("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(str_to_int64("-5", &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(str_to_int64("4 vCPU", &v), -1);
	assert_int_equal(str_to_int64("", &v), -1);
	assert_int_equal(str_to_int64(" 4", &v), -1);
	assert_int_equal(str_to_int64(NULL, &v), -1);
	assert_int_equal(str_to_int64("99999999999999999999", &v), -1);
	assert_int_equal(v, -5); /* untouched on failure */
	assert_int_equal(str_to_int("2147483648", &i), -1);
	assert_int_equal(i, 7);
}

static void test_double_parsing(void **state)
{
	double d = 0;

	assert_int_equal(str_to_double("0.5", &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(str_to_double("16G", &d), -1);
	assert_int_equal(str_to_double("inf", &d), -1);
	assert_int_equal(str_to_double("nan", &d), -1);
}

static void test_did_you_mean(void **state)
{
	const char *fields[] = { "name", "resources", "run", "setup", "envs", NULL };

	assert_string_equal(str_did_you_mean("resorces", fields), "resources");
	assert_string_equal(str_did_you_mean("env", fields), "envs");
	assert_null(str_did_you_mean("completely_different", fields));
	assert_int_equal(str_edit_distance("kitten", "sitting"), 3);
}

static void test_name_rules(void **state)
{
	assert_true(str_is_env_name("LR_0"));
	assert_true(str_is_env_name("_x"));
	assert_false(str_is_env_name("0LR"));
	assert_false(str_is_env_name("A-B"));
	assert_false(str_is_env_name(""));
	assert_true(str_is_dns_label("train-1"));
	assert_false(str_is_dns_label("Train"));
	assert_false(str_is_dns_label("-a"));
	assert_false(str_is_dns_label("a-"));
	assert_true(str_is_qualified_name_part("My_app.v-2", 10));
	assert_true(str_is_qualified_name_part("x/", 1)); /* only s[0..len) counts */
	assert_false(str_is_qualified_name_part("", 0));
	assert_false(str_is_qualified_name_part("-a", 2));
	assert_false(str_is_qualified_name_part("a.", 2));
	assert_false(str_is_qualified_name_part("a/b", 3));
	assert_true(str_is_qualified_name_part(
		"a23456789012345678901234567890123456789012345678901234567890123", 63));
	assert_false(str_is_qualified_name_part(
		"a234567890123456789012345678901234567890123456789012345678901234", 64));
}

static void test_rfc3339_round_trip(void **state)
{
	char text[RFC3339_MAX];
	time_t t = 0;

	time_format_rfc3339(1795355513, text);
	assert_string_equal(text, "2026-11-22T13:51:53Z");
	assert_int_equal(time_parse_rfc3339(text, &t), 0);
	assert_int_equal(t, 1795355513);
	assert_int_equal(time_parse_rfc3339("2026-11-22T14:51:53.5+01:00", &t), 0);
	assert_int_equal(t, 1795355513);
	assert_int_equal(time_parse_rfc3339("2026-11-22 nope", &t), -1);
	assert_int_equal(time_parse_rfc3339("2026-13-22T14:51:53Z", &t), -1);
}

static void test_json_paths_and_bounded_parse(void **state)
{
	struct error err = ERROR_INIT;
	const char *text = "{\"metadata\":{\"name\":\"j\",\"labels\":{\"a.b/c\":\"v\"}},"
			   "\"spec\":{\"n\":3}}";
	_cleanup_json_ cJSON *doc = json_parse_bounded(text, strlen(text), 1024, &err);
	int64_t n = 0;
	char deep[200];

	assert_non_null(doc);
	assert_string_equal(json_get_string(doc, "metadata.name"), "j");
	assert_true(json_get_int64(doc, "spec.n", &n));
	assert_int_equal(n, 3);
	assert_null(json_get_string(doc, "spec.n"));
	assert_string_equal(json_get_child_string(json_get(doc, "metadata.labels"), "a.b/c"), "v");
	assert_null(json_parse_bounded(text, strlen(text), 10, &err));
	assert_non_null(strstr(err.msg, "limit"));
	assert_null(json_parse_bounded("{} x", 4, 1024, &err));
	assert_non_null(strstr(err.msg, "unexpected data"));
	memset(deep, '[', sizeof(deep));
	assert_null(json_parse_bounded(deep, sizeof(deep), 1024, &err));
	assert_non_null(strstr(err.msg, "nested"));
}

static void test_strv(void **state)
{
	struct strv v = STRV_INIT;

	assert_null(strv_array(&v)[0]);
	strv_push(&v, "b");
	strv_pushf(&v, "%s", "a");
	strv_sort(&v);
	assert_string_equal(v.items[0], "a");
	assert_int_equal(strv_find(&v, "b"), 1);
	assert_int_equal(strv_find(&v, "c"), -1);
	assert_null(v.items[2]);
	strv_release(&v);
}

static void test_utf8_validation(void **state)
{
	assert_true(str_is_utf8("plain ascii", 11));
	assert_true(str_is_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	assert_false(str_is_utf8("\xff", 1));
	assert_false(str_is_utf8("\xc3", 1));             /* truncated */
	assert_false(str_is_utf8("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(str_is_utf8("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(str_is_utf8("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_validation),
		cmocka_unit_test(test_str_copy_truncates_and_reports),
		cmocka_unit_test(test_integer_parsing_is_whole_string),
		cmocka_unit_test(test_double_parsing),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_rfc3339_round_trip),
		cmocka_unit_test(test_json_paths_and_bounded_parse),
		cmocka_unit_test(test_strv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
