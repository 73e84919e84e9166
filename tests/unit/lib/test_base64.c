/* test_base64.c — RFC 4648 encoding and strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base64.h"

static void test_round_trips_rfc4648_vectors(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					     "Zm9vYmFy" };

	for (size_t i = 0; i < 7; i++) {
		struct buf out = BUF_INIT(64), back = BUF_INIT(64);

		assert_int_equal(base64_encode(&out, plain[i], strlen(plain[i])), 0);
		assert_string_equal(out.data, coded[i]);
		assert_int_equal(base64_decode(&back, out.data, out.len), 0);
		assert_string_equal(back.data, plain[i]);
		buf_release(&out);
		buf_release(&back);
	}
}

static void test_malformed_input_is_refused(void **state)
{
	static const char *const bad[] = { "Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9*", "Zm 9v" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(base64_is_valid(bad[i], strlen(bad[i])));
	assert_true(base64_is_valid("aHVudGVyMg==", 12));
}

static void test_decode_respects_the_buffer_limit(void **state)
{
	struct buf out = BUF_INIT(2);

	assert_int_equal(base64_decode(&out, "Zm9vYmFy", 8), -1);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips_rfc4648_vectors),
		cmocka_unit_test(test_malformed_input_is_refused),
		cmocka_unit_test(test_decode_respects_the_buffer_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
