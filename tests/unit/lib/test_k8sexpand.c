/* test_k8sexpand.c — $(VAR) expansion into a bounded buffer, matching the
 * kubelet's cases (third_party/forked/golang/expansion/expand_test.go). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "k8sexpand.h"

static const char *lookup(const char *name, void *data)
{
	static const char *vars[][2] = {
		{ "VAR_A", "A" }, { "VAR_B", "B" }, { "VAR_C", "C" },
		{ "VAR_REF", "$(VAR_A)" }, { "VAR_EMPTY", "" }, { "VAR_SPACE", " " },
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (!strcmp(vars[i][0], name))
			return vars[i][1];
	return NULL;
}

static void check(const char *in, const char *want)
{
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	assert_int_equal(k8s_expand_append(in, lookup, NULL, &out), 0);
	assert_string_equal(out.data, want);
	buf_release(&out);
}

static void test_expansion_cases(void **state)
{
	check("$(VAR_A)", "A");
	check("___$(VAR_B)___", "___B___");
	check("$(VAR_A)-$(VAR_B)-$(VAR_C)", "A-B-C");
	check("$(VAR_REF)", "$(VAR_A)"); /* values are not expanded again */
	check("foo$(VAR_EMPTY)bar", "foobar");
	check("$(VAR_SPACE)", " ");
	check("$(UNDEFINED)", "$(UNDEFINED)");
	check("$$(VAR_A)", "$(VAR_A)");
	check("$$$$(VAR_A)", "$$(VAR_A)");
	check("$$$(VAR_A)", "$A");
	check("$(VAR_A", "$(VAR_A");
	check("$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"); /* name "VAR_A$(VAR_B" is undefined */
	check("$VAR_A", "$VAR_A");
	check("$", "$");
	check("$$", "$");
	check("foo$", "foo$");
	check("()", "()");
	check("$()", "$()");
	check("", "");
	check("echo $HOME and $(VAR_B)!", "echo $HOME and B!");
}

static void test_no_lookup_defines_nothing(void **state)
{
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	assert_int_equal(k8s_expand_append("$(VAR_A) $$ $(", NULL, NULL, &out), 0);
	assert_string_equal(out.data, "$(VAR_A) $ $(");
	buf_release(&out);
}

static void test_limit_is_reported(void **state)
{
	struct buf out = BUF_INIT(4);

	assert_int_equal(k8s_expand_append("$(VAR_A)$(VAR_B)$(VAR_C)xx", lookup, NULL, &out), -1);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expansion_cases),
		cmocka_unit_test(test_no_lookup_defines_nothing),
		cmocka_unit_test(test_limit_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
