/* test_base64.c — base64 round trips, RFC 4648 vectors, strict decoding
 * errors and the output limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base64.h"

static void test_rfc4648_vectors(void **state)
{
	static const char *const vectors[][2] = {
		{ "", "" },	    { "f", "Zg==" },	     { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct buf enc = BUF_INIT(64), dec = BUF_INIT(64);
		struct error err = ERROR_INIT;

		assert_int_equal(base64_encode(vectors[i][0], strlen(vectors[i][0]), &enc), 0);
		assert_string_equal(enc.data, vectors[i][1]);
		assert_int_equal(base64_decode(enc.data, enc.len, &dec, &err), 0);
		assert_string_equal(dec.data, vectors[i][0]);
		buf_release(&enc);
		buf_release(&dec);
	}
}

static void test_binary_round_trip(void **state)
{
	unsigned char bytes[256];
	struct buf enc = BUF_INIT(1024), dec = BUF_INIT(1024);

	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)(255 - i);
	assert_int_equal(base64_encode(bytes, sizeof(bytes), &enc), 0);
	assert_int_equal(base64_decode(enc.data, enc.len, &dec, NULL), 0);
	assert_int_equal(dec.len, sizeof(bytes));
	assert_memory_equal(dec.data, bytes, sizeof(bytes));
	buf_release(&enc);
	buf_release(&dec);
}

static void test_line_breaks_are_skipped(void **state)
{
	struct buf dec = BUF_INIT(64);

	assert_int_equal(base64_decode("Zm9v\r\nYmFy\n", 11, &dec, NULL), 0);
	assert_string_equal(dec.data, "foobar");
	buf_release(&dec);
}

static void test_invalid_input_names_the_byte(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "Zm9v!A==", "invalid base64 at byte 4" },
		{ "Zg=", "invalid base64: length 3 is not a multiple of 4" },
		{ "Zm9", "invalid base64: length 3 is not a multiple of 4" },
		{ "Zm9v\nZg", "invalid base64: length 6 is not a multiple of 4" },
		{ "Z===", "invalid base64 at byte 1" },
		{ "Zg==Zg==", "invalid base64 at byte 4" },
		{ "Zm 9v", "invalid base64: length 5 is not a multiple of 4" },
		{ "Zm 9vYg=", "invalid base64 at byte 2" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf dec = BUF_INIT(64);
		struct error err = ERROR_INIT;

		assert_int_equal(base64_decode(cases[i].text, strlen(cases[i].text), &dec, &err), -1);
		assert_string_equal(err.msg, cases[i].message);
		assert_int_equal(dec.len, 0); /* nothing half-decoded is left behind */
		buf_release(&dec);
	}
}

static void test_limits_are_enforced(void **state)
{
	struct buf small = BUF_INIT(3);
	struct error err = ERROR_INIT;

	assert_int_equal(base64_encode("ab", 2, &small), -1);
	assert_int_equal(small.len, 0);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, &small, &err), -1);
	assert_string_equal(err.msg, "decoded data larger than the limit of 3 bytes");
	assert_int_equal(small.len, 0);
	buf_release(&small);
}

static void test_validity_as_secret_data_needs(void **state)
{
	static const char *const good[] = { "", "Zg==", "Zm8=", "Zm9v", "aHVudGVyMg==" };
	static const char *const bad[] = { "Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9*", "Zm 9v",
					   "Zg=v" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(base64_is_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(base64_is_valid(bad[i], strlen(bad[i])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validity_as_secret_data_needs),
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_binary_round_trip),
		cmocka_unit_test(test_line_breaks_are_skipped),
		cmocka_unit_test(test_invalid_input_names_the_byte),
		cmocka_unit_test(test_limits_are_enforced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
