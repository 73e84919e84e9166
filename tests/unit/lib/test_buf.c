/* test_buf.c — struct buf: limits, growth, detach, consume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void test_empty_buffer_is_terminated_string(void **state)
{
	struct buf b = BUF_INIT(16);

	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_append_up_to_max_then_refuse(void **state)
{
	struct buf b = BUF_INIT(8);

	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(b.len, 8);
	assert_true(buf_is_full(&b));
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_string_equal(b.data, "12345678"); /* unchanged by the refusal */
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	buf_release(&b);
}

static void test_printf_grows(void **state)
{
	struct buf b = BUF_INIT(BUF_MAX_DEFAULT);

	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%04d,", i), 0);
	assert_int_equal(b.len, 5000);
	assert_memory_equal(b.data + 4995, "0999,", 5);
	assert_int_equal(b.data[b.len], '\0');
	buf_release(&b);
}

static void test_consume_and_truncate(void **state)
{
	struct buf b = BUF_INIT(64);

	buf_puts(&b, "line1\nline2\n");
	buf_consume(&b, 6);
	assert_string_equal(b.data, "line2\n");
	buf_rtrim(&b);
	assert_string_equal(b.data, "line2");
	buf_truncate(&b, 2);
	assert_string_equal(b.data, "li");
	buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_release(&b);
}

static void test_detach_hands_over_ownership(void **state)
{
	struct buf b = BUF_INIT(64);
	size_t len = 99;
	char *s;

	s = buf_detach(&b, &len); /* empty buffer still yields a string */
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	buf_puts(&b, "hello");
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 64);
	free(s);
	buf_release(&b);
}

static void test_binary_data_with_nul(void **state)
{
	struct buf b = BUF_INIT(64);

	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_release(&b);
}

static void test_release_secret_leaves_an_empty_buffer(void **state)
{
	struct buf b = BUF_INIT(16), never = BUF_INIT(16);

	assert_int_equal(buf_puts(&b, "token"), 0);
	buf_release_secret(&b); /* the leak checker sees the bytes freed */
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 16);
	assert_string_equal(b.data, "");
	buf_release_secret(&never); /* never allocated: nothing to wipe */
	assert_int_equal(never.cap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_buffer_is_terminated_string),
		cmocka_unit_test(test_append_up_to_max_then_refuse),
		cmocka_unit_test(test_printf_grows),
		cmocka_unit_test(test_consume_and_truncate),
		cmocka_unit_test(test_detach_hands_over_ownership),
		cmocka_unit_test(test_binary_data_with_nul),
		cmocka_unit_test(test_release_secret_leaves_an_empty_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
