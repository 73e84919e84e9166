/* test_crilog.c — CRI log records as the runner writes them: line splitting,
 * partial records, long lines (read back with podlog's parser), and the
 * FallbackToLogsOnError tail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crilog.h"
#include "fileutil.h"
#include "strutil.h"
#include "xalloc.h"

static const struct timespec T1 = { .tv_sec = 1700000000, .tv_nsec = 5 };
static const struct timespec T2 = { .tv_sec = 1700000001, .tv_nsec = 123456789 };

static void test_lines_become_records(void **state)
{
	struct crilog_stream s;
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	crilog_stream_init(&s, "stdout");
	assert_int_equal(crilog_stream_feed(&s, "one\ntw", 6, &T1, &out), 0);
	assert_string_equal(out.data, "2023-11-14T22:13:20.000000005Z stdout F one\n");
	buf_reset(&out);
	/* The record keeps the time its first byte was read. */
	assert_int_equal(crilog_stream_feed(&s, "o\n\nend", 6, &T2, &out), 0);
	assert_string_equal(out.data, "2023-11-14T22:13:20.000000005Z stdout F two\n"
				      "2023-11-14T22:13:21.123456789Z stdout F \n");
	buf_reset(&out);
	assert_int_equal(crilog_stream_finish(&s, &out), 0);
	assert_string_equal(out.data, "2023-11-14T22:13:21.123456789Z stdout P end\n");
	buf_reset(&out);
	assert_int_equal(crilog_stream_finish(&s, &out), 0);
	assert_int_equal(out.len, 0);
	crilog_stream_release(&s);
	buf_release(&out);
}

static void test_long_line_is_split_into_partial_records(void **state)
{
	struct crilog_stream s;
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);
	size_t n = CRILOG_MAX_RECORD * 2 + 10;
	char *line = xmalloc(n + 1);
	struct podlog_record r;
	char *nl;

	memset(line, 'x', n);
	line[n] = '\n';
	crilog_stream_init(&s, "stderr");
	assert_int_equal(crilog_stream_feed(&s, line, n + 1, &T1, &out), 0);
	nl = strchr(out.data, '\n');
	assert_int_equal(podlog_parse_line(out.data, (size_t)(nl - out.data), &r), 0);
	assert_true(r.partial);
	assert_true(r.stderr_stream);
	assert_int_equal(r.content_len, CRILOG_MAX_RECORD);
	assert_true(str_has_suffix(out.data, " stderr F xxxxxxxxxx\n"));
	crilog_stream_release(&s);
	buf_release(&out);
	free(line);
}

static void test_read_tail_lines_and_bytes(void **state)
{
	char path[] = "/tmp/test-crilog-XXXXXX";
	int fd = mkstemp(path);
	struct buf log = BUF_INIT(BUF_MAX_DEFAULT), out = BUF_INIT(BUF_MAX_SMALL);
	struct crilog_stream s;

	assert_true(fd >= 0);
	close(fd);
	crilog_stream_init(&s, "stdout");
	for (int i = 0; i < 5; i++) {
		char line[16];
		int len = snprintf(line, sizeof(line), "l%d\n", i);

		crilog_stream_feed(&s, line, (size_t)len, &T1, &log);
	}
	crilog_stream_feed(&s, "no-newline", 10, &T1, &log);
	crilog_stream_finish(&s, &log);
	assert_int_equal(file_write_atomic(path, log.data, log.len, 0600, NULL), 0);
	assert_int_equal(crilog_read_tail(path, 3, 2048, &out, NULL), 0);
	assert_string_equal(out.data, "l3\nl4\nno-newline");
	buf_reset(&out);
	assert_int_equal(crilog_read_tail(path, 80, 5, &out, NULL), 0);
	assert_string_equal(out.data, "wline");
	buf_reset(&out);
	unlink(path);
	assert_int_equal(crilog_read_tail(path, 80, 2048, &out, NULL), 0);
	assert_int_equal(out.len, 0);
	crilog_stream_release(&s);
	buf_release(&log);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_become_records),
		cmocka_unit_test(test_long_line_is_split_into_partial_records),
		cmocka_unit_test(test_read_tail_lines_and_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
