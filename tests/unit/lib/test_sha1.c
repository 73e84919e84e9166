/* test_sha1.c — SHA-1 against the FIPS 180 / RFC 3174 test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sha1.h"

static void check(const char *input, size_t len, const char *want)
{
	char hex[SHA1_HEX_SIZE];

	sha1_hex(input, len, hex);
	assert_string_equal(hex, want);
}

static void test_vectors(void **state)
{
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char *million = malloc(1000000);

	check("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	check("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check(two_blocks, strlen(two_blocks), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	/* 55, 56 and 64 bytes: the padding boundaries. */
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55,
	      "c1c8bbdc22796e28c0e15163d20899b65621d65a");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56,
	      "c2db330f6083854c99d4b5bfb6e8f29f201be699");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64,
	      "0098ba824b5c16427bd7a1122a5a442a25ec644d");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	check(million, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(million);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
