/* test_encoding.c — base64 and the kubelet's $(VAR) expansion and its
 * escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "k8sexpand.h"

static void test_base64_round_trip(void **state)
{
	static const struct {
		const char *plain, *encoded;
	} cases[] = { { "", "" },	  { "f", "Zg==" },	 { "fo", "Zm8=" },
		      { "foo", "Zm9v" },  { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		      { "foobar", "Zm9vYmFy" } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf enc = BUF_INIT(64), dec = BUF_INIT(64);

		assert_int_equal(base64_encode(cases[i].plain, strlen(cases[i].plain), &enc), 0);
		assert_string_equal(enc.data, cases[i].encoded);
		assert_int_equal(base64_decode(enc.data, enc.len, &dec, NULL), 0);
		assert_int_equal(dec.len, strlen(cases[i].plain));
		assert_memory_equal(dec.data, cases[i].plain, dec.len);
		buf_release(&enc);
		buf_release(&dec);
	}
}

static void test_base64_binary_and_errors(void **state)
{
	unsigned char bytes[256];
	struct buf enc = BUF_INIT(1024), dec = BUF_INIT(1024), tiny = BUF_INIT(2);
	struct error err = ERROR_INIT;

	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	assert_int_equal(base64_encode(bytes, sizeof(bytes), &enc), 0);
	assert_int_equal(base64_decode(enc.data, enc.len, &dec, &err), 0);
	assert_int_equal(dec.len, 256);
	assert_memory_equal(dec.data, bytes, 256);
	assert_int_equal(base64_decode("Zm9", 3, &dec, &err), -1);
	assert_string_equal(err.msg, "invalid base64: length 3 is not a multiple of 4");
	assert_int_equal(base64_decode("Zm!v", 4, &dec, &err), -1);
	assert_string_equal(err.msg, "invalid base64 at byte 2");
	assert_int_equal(base64_decode("Zg=v", 4, &dec, &err), -1);
	assert_int_equal(base64_decode("Zg==Zg==", 8, &dec, &err), -1);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, &tiny, &err), -1);
	assert_string_equal(err.msg, "decoded data larger than the limit of 2 bytes");
	assert_int_equal(base64_encode(bytes, 3, &tiny), -1);
	buf_release(&enc);
	buf_release(&dec);
	buf_release(&tiny);
}

static const char *lookup(const char *name, void *data)
{
	if (strcmp(name, "RANK") == 0)
		return "3";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

static void test_kubelet_expansion(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },       { "$(RANK)", "3" },
		{ "a$(RANK)b", "a3b" },      { "$(UNSET)", "$(UNSET)" },
		{ "$$(RANK)", "$(RANK)" },   { "$$", "$" },
		{ "$HOME", "$HOME" },       { "$", "$" },
		{ "x$", "x$" },             { "$(unclosed", "$(unclosed" },
		{ "$(EMPTY)!", "!" },       { "$$$$", "$$" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = k8s_expand(cases[i].in, lookup, NULL);

		if (strcmp(out, cases[i].out) != 0)
			fail_msg("'%s' expanded to '%s', not '%s'", cases[i].in, out, cases[i].out);
		free(out);
	}
}

static void test_escaping_survives_expansion(void **state)
{
	static const char *const literals[] = {
		"echo $$", "$(RANK)", "$$(RANK)", "a $ b", "$", "$$$", "$(date) $$ $HOME",
		"price: $5", "$((1 + 2))", "${RANK}", "tail $", "$(unclosed", "",
	};

	for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
		char *escaped = k8s_escape_dollars(literals[i]);
		char *back = k8s_expand(escaped, lookup, NULL);

		if (strcmp(back, literals[i]) != 0)
			fail_msg("'%s' escaped as '%s' came back as '%s'", literals[i], escaped, back);
		free(escaped);
		free(back);
	}
	/* What needs no escaping is left as written, for readable pod specs. */
	{
		char *same = k8s_escape_dollars("echo $HOME ${X}");

		assert_string_equal(same, "echo $HOME ${X}");
		free(same);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_base64_binary_and_errors),
		cmocka_unit_test(test_kubelet_expansion),
		cmocka_unit_test(test_escaping_survives_expansion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
