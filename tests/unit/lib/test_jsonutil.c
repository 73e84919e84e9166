/* test_jsonutil.c — json_minify_append: one line, every token's bytes
 * kept, strings untouched, and the buffer's limit respected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "jsonutil.h"

static void test_minify(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "{ \"a\" : [ 1 , 2.50 ,\n\t-0e+1 ] }\r\n", "{\"a\":[1,2.50,-0e+1]}" },
		{ "  \"x y\"  ", "\"x y\"" },
		{ "[\"\\\"\", \" \\\\\", \"\\\\\\\"  \" ]", "[\"\\\"\",\" \\\\\",\"\\\\\\\"  \"]" },
		{ "123456789012345678901234567890", "123456789012345678901234567890" },
		{ "{\"k\\u0020\": null}", "{\"k\\u0020\":null}" },
		/* Raw control characters in strings (cJSON takes them) become escapes. */
		{ "[\"a\nb\tc\x01\"]", "[\"a\\u000ab\\u0009c\\u0001\"]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT(1024);

		assert_int_equal(json_minify_append(&out, cases[i].in, strlen(cases[i].in)), 0);
		assert_string_equal(out.data, cases[i].out);
		buf_release(&out);
	}
}

static void test_minify_respects_the_limit(void **state)
{
	struct buf out = BUF_INIT(8);

	buf_puts(&out, "ab");
	assert_int_equal(json_minify_append(&out, "[1, 2, 3, 4]", 12), -1);
	assert_string_equal(out.data, "ab");
	/* Whitespace takes no room. */
	assert_int_equal(json_minify_append(&out, "[1,     2]", 10), 0);
	assert_string_equal(out.data, "ab[1,2]");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minify),
		cmocka_unit_test(test_minify_respects_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
