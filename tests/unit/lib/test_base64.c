/* test_base64.c — base64 as the local cluster uses it: RFC 4648 vectors,
 * the buffer limit, and base64_is_valid() for Secret and ConfigMap data. */
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

		assert_int_equal(base64_encode(plain[i], strlen(plain[i]), &out), 0);
		assert_string_equal(out.data, coded[i]);
		assert_int_equal(base64_decode(out.data, out.len, &back, NULL), 0);
		assert_string_equal(back.data, plain[i]);
		buf_release(&out);
		buf_release(&back);
	}
}

static void test_validity(void **state)
{
	static const char *const good[] = { "", "Zg==", "Zm8=", "Zm9v", "aHVudGVyMg==" };
	static const char *const bad[] = { "Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9*", "Zm 9v",
					   "Zg=v" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(base64_is_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(base64_is_valid(bad[i], strlen(bad[i])));
}

static void test_decode_respects_the_buffer_limit(void **state)
{
	struct buf out = BUF_INIT(2);
	struct error err = ERROR_INIT;

	assert_int_equal(base64_decode("Zm9vYmFy", 8, &out, &err), -1);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips_rfc4648_vectors),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_decode_respects_the_buffer_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
