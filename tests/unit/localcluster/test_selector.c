/* test_selector.c — label and field selectors: the grammar kubectl and
 * client-go send, matching (absent keys for !=/notin), and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "selector.h"

static const char *const *current_labels;

static const char *lookup(const void *ctx, const char *key)
{
	for (size_t i = 0; current_labels[i]; i += 2)
		if (!strcmp(current_labels[i], key))
			return current_labels[i + 1];
	return NULL;
}

static bool labels_match(const char *text, const char *const *labels)
{
	struct selector sel = SELECTOR_INIT;
	struct error err = ERROR_INIT;
	bool ok;

	if (selector_parse_labels(text, &sel, &err) < 0)
		fail_msg("'%s': %s", text, err.msg);
	current_labels = labels;
	ok = selector_matches(&sel, lookup, NULL);
	selector_release(&sel);
	return ok;
}

static void test_label_operators(void **state)
{
	static const char *const web[] = { "app", "web", "tier", "front", "n", "7",
					   "example.com/team", "ml", NULL };

	assert_true(labels_match("", web));
	assert_true(labels_match("app=web", web));
	assert_true(labels_match("app==web", web));
	assert_false(labels_match("app=db", web));
	assert_true(labels_match("app!=db", web));
	assert_true(labels_match("missing!=x", web)); /* absent keys pass != */
	assert_true(labels_match("tier in (back, front)", web));
	assert_false(labels_match("tier notin (front)", web));
	assert_true(labels_match("missing notin (a)", web));
	assert_true(labels_match("app", web));
	assert_false(labels_match("!app", web));
	assert_true(labels_match("!missing", web));
	assert_true(labels_match("n>5,n<8", web));
	assert_false(labels_match("n>7", web));
	assert_true(labels_match("example.com/team=ml, app in (web)", web));
	assert_true(labels_match("  app = web ,tier", web));
	assert_false(labels_match("app=web,tier=back", web));
	assert_true(labels_match("app in (web,),tier", web));
}

static void expect_label_error(const char *text, const char *message)
{
	struct selector sel = SELECTOR_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(selector_parse_labels(text, &sel, &err), -1);
	if (!strstr(err.msg, message))
		fail_msg("'%s': got '%s', want '%s'", text, err.msg, message);
}

static void test_label_errors(void **state)
{
	expect_label_error("app in (web", "expected: ',' or ')'");
	expect_label_error("app in ()", "values set can't be empty");
	expect_label_error("app=a b", "expected: ',' or 'end of string'");
	expect_label_error("!", "expected: identifier after '!'");
	expect_label_error("app=web,", "identifier after ','");
	expect_label_error("Bad Key=x", "expected");
	expect_label_error("a/b/c=x", "invalid label key");
	expect_label_error("app=-web", "invalid label value");
	expect_label_error("n>five", "the value must be an integer");
}

static void test_empty_value_is_legal(void **state)
{
	static const char *const empty[] = { "tier", "", NULL };

	assert_true(labels_match("tier=", empty));
	assert_false(labels_match("tier=,app", empty));
}

static void test_field_selectors(void **state)
{
	static const char *const fields[] = { "metadata.name", "pi", "spec.nodeName", "",
					      "status.phase", "Running", "odd", "a,b=c", NULL };
	static const char *const allowed[] = { "metadata.name", "spec.nodeName", "status.phase",
					       NULL };
	struct selector sel = SELECTOR_INIT;
	struct error err = ERROR_INIT;

	current_labels = fields;
	assert_int_equal(selector_parse_fields("metadata.name=pi,spec.nodeName=", &sel, &err), 0);
	assert_true(selector_matches(&sel, lookup, NULL));
	assert_int_equal(selector_check_fields(&sel, allowed, &err), 0);
	selector_release(&sel);
	assert_int_equal(selector_parse_fields("status.phase!=Failed", &sel, &err), 0);
	assert_true(selector_matches(&sel, lookup, NULL));
	selector_release(&sel);
	assert_int_equal(selector_parse_fields("odd=a\\,b\\=c", &sel, &err), 0);
	assert_true(selector_matches(&sel, lookup, NULL));
	assert_int_equal(selector_check_fields(&sel, allowed, &err), -1);
	assert_string_equal(err.msg, "field label not supported: odd");
	selector_release(&sel);
	assert_int_equal(selector_parse_fields("metadata.name", &sel, &err), -1);
	assert_int_equal(selector_parse_fields("a=b=c", &sel, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_operators),
		cmocka_unit_test(test_label_errors),
		cmocka_unit_test(test_empty_value_is_legal),
		cmocka_unit_test(test_field_selectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
