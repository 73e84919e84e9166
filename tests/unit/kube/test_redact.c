/* test_redact.c — debug output never shows tokens, keys, passwords or
 * Secret data, whatever shape the JSON has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

static void expect_redacted(const char *in, const char *want)
{
	char *got = redact_body(in, strlen(in));

	assert_string_equal(got, want);
	free(got);
}

static void test_secret_data_and_secret_keys(void **state)
{
	expect_redacted("{\"kind\":\"Secret\",\"data\":{\"a\":\"c2VjcmV0\",\"b\":null},"
			"\"stringData\":{\"c\":\"plain\"}}",
			"{\"kind\":\"Secret\",\"data\":{\"a\":\"<redacted>\",\"b\":\"<redacted>\"},"
			"\"stringData\":{\"c\":\"<redacted>\"}}");
	/* List items carry no kind of their own. */
	expect_redacted("{\"kind\":\"SecretList\",\"items\":[{\"data\":{\"a\":\"eA==\"}}]}",
			"{\"kind\":\"SecretList\",\"items\":[{\"data\":{\"a\":\"<redacted>\"}}]}");
	/* A watch event wraps the object. */
	expect_redacted("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Secret\",\"data\":{\"a\":\"eA==\"}}}",
			"{\"type\":\"ADDED\",\"object\":{\"kind\":\"Secret\",\"data\":{\"a\":\"<redacted>\"}}}");
	/* ConfigMap data is not secret. */
	expect_redacted("{\"kind\":\"ConfigMap\",\"data\":{\"a\":\"b\"}}",
			"{\"kind\":\"ConfigMap\",\"data\":{\"a\":\"b\"}}");
	/* Secret-named fields anywhere, any type. */
	expect_redacted("{\"status\":{\"token\":\"t\",\"clientKeyData\":{\"x\":1},\"Password\":7}}",
			"{\"status\":{\"token\":\"<redacted>\",\"clientKeyData\":\"<redacted>\","
			"\"Password\":\"<redacted>\"}}");
}

static void test_non_json_and_long_bodies(void **state)
{
	char *big = malloc(30000), *got;

	expect_redacted("Bearer abc", "(10 bytes, not JSON: not shown)");
	got = redact_body("", 0);
	assert_string_equal(got, "(empty)");
	free(got);
	memset(big, 'a', 29998);
	big[0] = '"';
	big[29998] = '"';
	big[29999] = '\0';
	got = redact_body(big, strlen(big));
	assert_int_equal(strncmp(got + REDACT_MAX_BODY, " [truncated 19759 chars]", 24), 0);
	free(got);
	free(big);
}

static void test_headers(void **state)
{
	char *got = redact_header("Authorization: Bearer abc.def");

	assert_string_equal(got, "Authorization: Bearer <redacted>");
	free(got);
	got = redact_header("authorization: opaquevalue");
	assert_string_equal(got, "authorization: <redacted>");
	free(got);
	got = redact_header("Impersonate-Extra-scopes: x");
	assert_string_equal(got, "Impersonate-Extra-scopes: <redacted>");
	free(got);
	got = redact_header("Accept: application/json");
	assert_string_equal(got, "Accept: application/json");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_data_and_secret_keys),
		cmocka_unit_test(test_non_json_and_long_bodies),
		cmocka_unit_test(test_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
