/* test_inputs.c — group inputs: JSON lines and arrays, streaming, modes,
 * the encoding, chunking, limits and errors with line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "xalloc.h"

/* The i-th encoded line of a set. */
static char *line_of(const struct input_set *set, size_t index)
{
	for (size_t c = 0; c < set->n_chunks; c++) {
		const struct input_chunk *chunk = &set->chunks[c];
		const char *p = chunk->lines.data;

		if (index < chunk->first || index > chunk->last)
			continue;
		for (size_t k = chunk->first; k < index; k++)
			p = strchr(p, '\n') + 1;
		return xstrndup(p, (size_t)(strchr(p, '\n') - p));
	}
	return NULL;
}

static char *json_of(const struct input_set *set, size_t index)
{
	char *line = line_of(set, index);
	struct buf out = BUF_INIT(1 << 20);

	assert_int_equal(input_line_json(line, strlen(line), &out, NULL), 0);
	free(line);
	return buf_detach(&out, NULL);
}

static void read_ok(struct input_set *set, enum input_mode mode, const char *text)
{
	struct error err = ERROR_INIT;

	input_set_init(set, mode);
	if (inputs_read_buffer(set, text, strlen(text), "in.jsonl", &err) < 0)
		fail_msg("%s", err.msg);
}

static void expect_error(enum input_mode mode, const char *text, const char *message)
{
	struct input_set set;
	struct error err = ERROR_INIT;

	input_set_init(&set, mode);
	if (inputs_read_buffer(&set, text, strlen(text), "in.jsonl", &err) == 0)
		fail_msg("accepted: %s", text);
	assert_string_equal(err.msg, message);
	input_set_release(&set);
}

static void test_json_lines(void **state)
{
	struct input_set set;
	char *s;

	read_ok(&set, INPUT_AUTO, "{\"lr\": 0.001, \"bs\": 32}\n\n[0.01, 32]\n  0.5  \r\n\"text\"\n");
	assert_int_equal(set.count, 4);
	s = json_of(&set, 0);
	assert_string_equal(s, "{\"lr\": 0.001, \"bs\": 32}");
	free(s);
	s = line_of(&set, 0);
	assert_string_equal(s, "k .{\"lr\":\\00400.001,\\0040\"bs\":\\004032} .lr=0.001 .bs=32");
	free(s);
	s = line_of(&set, 1);
	assert_string_equal(s, "a .[0.01,\\004032] .0.01 .32");
	free(s);
	s = line_of(&set, 2);
	assert_string_equal(s, "j .0.5");
	free(s);
	s = line_of(&set, 3);
	assert_string_equal(s, "a .\"text\" .text");
	free(s);
	input_set_release(&set);
}

static void test_arrays_and_lines_of_arrays(void **state)
{
	struct input_set set;
	char *s;

	read_ok(&set, INPUT_AUTO, "[\n  {\"a\": 1},\n  {\"a\": [2, 3]},\n  \"x\"\n]\n");
	assert_int_equal(set.count, 3);
	s = json_of(&set, 1);
	assert_string_equal(s, "{\"a\": [2, 3]}");
	free(s);
	input_set_release(&set);
	read_ok(&set, INPUT_AUTO, "[1, 2, 3]");
	assert_int_equal(set.count, 3);
	input_set_release(&set);
	/* JSON lines whose inputs are arrays: one input per line. */
	read_ok(&set, INPUT_AUTO, "[0.01, 32]\n[0.1, 64]\n");
	assert_int_equal(set.count, 2);
	s = line_of(&set, 1);
	assert_string_equal(s, "a .[0.1,\\004064] .0.1 .64");
	free(s);
	input_set_release(&set);
}

static void test_modes(void **state)
{
	struct input_set set;
	char *s;

	/* auto: keyword or non-identifier keys are passed whole, as Kinetic does. */
	read_ok(&set, INPUT_AUTO, "{\"class\": 1}\n{\"not-an-id\": 2}\n{}\n[]\nnull\n");
	s = line_of(&set, 0);
	assert_string_equal(s, "j .{\"class\":\\00401}");
	free(s);
	s = line_of(&set, 1);
	assert_int_equal(s[0], 'j');
	free(s);
	s = line_of(&set, 2);
	assert_string_equal(s, "k .{}");
	free(s);
	s = line_of(&set, 3);
	assert_string_equal(s, "a .[]");
	free(s);
	s = line_of(&set, 4);
	assert_string_equal(s, "j .null");
	free(s);
	input_set_release(&set);
	read_ok(&set, INPUT_SINGLE, "{\"lr\": 1}\n[1, 2]\n\"s t\"\n");
	s = line_of(&set, 0);
	assert_int_equal(s[0], 'j');
	free(s);
	s = line_of(&set, 1);
	assert_string_equal(s, "j .[1,\\00402]");
	free(s);
	s = line_of(&set, 2);
	assert_string_equal(s, "a .\"s\\0040t\" .s\\0040t");
	free(s);
	input_set_release(&set);
	read_ok(&set, INPUT_KWARGS, "{\"class\": \"x\", \"N\": [1, \"$(x)\"]}\n");
	s = line_of(&set, 0);
	assert_string_equal(s, "k .{\"class\":\\0040\"x\",\\0040\"N\":\\0040[1,\\0040\"$(x)\"]} .class=x "
			       ".N=[1,\\0040\"$(x)\"]");
	free(s);
	input_set_release(&set);
}

static void test_escaping_keeps_every_byte(void **state)
{
	struct input_set set;
	char *s;

	read_ok(&set, INPUT_ARGS, "[\"a\\\\b\", \"tab\\tnl\\ncr\\r\", \"caf\xc3\xa9\", \"\\u0001\\u007f\"]\n[]\n");
	s = line_of(&set, 0);
	assert_string_equal(s, "a .[\"a\\\\\\\\b\",\\0040\"tab\\\\tnl\\\\ncr\\\\r\",\\0040\"caf\xc3\xa9\","
			       "\\0040\"\\\\u0001\\\\u007f\"] .a\\\\b .tab\\0011nl\\0012cr\\0015 "
			       ".caf\xc3\xa9 .\\0001\\0177");
	free(s);
	s = json_of(&set, 0);
	assert_string_equal(s, "[\"a\\\\b\", \"tab\\tnl\\ncr\\r\", \"caf\xc3\xa9\", \"\\u0001\\u007f\"]");
	free(s);
	input_set_release(&set);
}

static void test_errors_name_the_line(void **state)
{
	expect_error(INPUT_AUTO, "1\n2\n{\"a\": \n4\n", "inputs 'in.jsonl': line 3: invalid JSON at byte 4");
	expect_error(INPUT_AUTO, "[\n  1,\n  {oops},\n  3\n]\n",
		     "inputs 'in.jsonl': line 3: invalid JSON at byte 2");
	expect_error(INPUT_AUTO, "[1, 2,]\n",
		     "inputs 'in.jsonl': line 1: an empty element in the array (two commas, or a "
		     "comma before ']')");
	expect_error(INPUT_AUTO, "[\n1,\n2\n", "inputs 'in.jsonl': line 4: the array is not closed (no "
					      "']' at the end)");
	expect_error(INPUT_AUTO, "[\n1\n]\nx\n",
		     "inputs 'in.jsonl': line 4: unexpected data after the array's ']'");
	expect_error(INPUT_AUTO, "", "inputs 'in.jsonl': no inputs");
	expect_error(INPUT_AUTO, "  \n\n", "inputs 'in.jsonl': no inputs");
	expect_error(INPUT_AUTO, "[]\n", "inputs 'in.jsonl': no inputs");
	expect_error(INPUT_AUTO, "1\n\"\xff\"\n", "inputs 'in.jsonl': line 2: not valid UTF-8 text");
	expect_error(INPUT_AUTO, "\"a\\u0000b\"\n",
		     "inputs 'in.jsonl': line 1: a string holds a NUL character (\\u0000), which no "
		     "process can receive");
	expect_error(INPUT_AUTO, "1\n\x02[1]\n", "inputs 'in.jsonl': line 2: a control character outside a string");
	expect_error(INPUT_AUTO, "\"tab\there\"\n",
		     "inputs 'in.jsonl': line 1: a control character inside a string (write it as an "
		     "escape such as \\n)");
	expect_error(INPUT_ARGS, "[1]\n{\"a\": 1}\n",
		     "inputs 'in.jsonl': line 2: --input-mode args needs a JSON array, not an object");
	expect_error(INPUT_KWARGS, "[1]\n[2]\n",
		     "inputs 'in.jsonl': line 1: --input-mode kwargs needs a JSON object, not an array");
	expect_error(INPUT_KWARGS, "{\"not-an-id\": 1}\n",
		     "inputs 'in.jsonl': line 1: key 'not-an-id' is not a valid environment variable "
		     "name (letters, digits and '_', not starting with a digit)");
	expect_error(INPUT_AUTO, "{\"RANK\": 1}\n",
		     "inputs 'in.jsonl': line 1: key 'RANK' would replace a variable konduktor sets; "
		     "rename it or use --input-mode single");
	expect_error(INPUT_AUTO, "{\"a\": 1, \"a\": 2}\n", "inputs 'in.jsonl': line 1: duplicate key 'a'");
}

static void test_size_limits(void **state)
{
	struct input_set set;
	struct error err = ERROR_INIT;
	size_t n = INPUT_MAX_BYTES + 10;
	char *big = xmalloc(n + 4);

	memset(big, 'a', n + 3);
	big[0] = '"';
	big[n + 1] = '"';
	big[n + 2] = '\n';
	big[n + 3] = '\0';
	expect_error(INPUT_AUTO, big, "inputs 'in.jsonl': line 1: an input longer than the limit of 65536 "
				      "bytes");
	free(big);
	input_set_init(&set, INPUT_AUTO);
	{
		struct buf text = BUF_INIT(1 << 21);

		for (size_t i = 0; i <= INPUTS_MAX_COUNT; i++)
			buf_puts(&text, "1\n");
		assert_int_equal(inputs_read_buffer(&set, text.data, text.len, "in.jsonl", &err), -1);
		assert_string_equal(err.msg, "inputs 'in.jsonl': line 100001: more than 100000 inputs "
					     "(Kubernetes' limit for one Indexed Job with per-index "
					     "retries)");
		buf_release(&text);
	}
	input_set_release(&set);
}

static void test_streaming_matches_whole_reads(void **state)
{
	static const char *const texts[] = {
		"{\"a\": \"x,]\\\"[\"}\n[1, [2, {\"b\": \"]\"}]]\n\"s\"\n",
		"[\n {\"a\": \"x,]\\\"[\"},\n [1, [2, {\"b\": \"]\"}]],\n \"s\"\n]\n",
		"[1, 2]\n",
		"[1, 2]\n[3]",
	};

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		struct input_set whole, pieces;
		struct inputs_reader r;
		struct error err = ERROR_INIT;

		read_ok(&whole, INPUT_AUTO, texts[t]);
		input_set_init(&pieces, INPUT_AUTO);
		inputs_reader_init(&r, &pieces, "in.jsonl", &err);
		for (size_t i = 0; texts[t][i]; i++)
			assert_int_equal(inputs_reader_feed(&r, texts[t] + i, 1), 0);
		assert_int_equal(inputs_reader_finish(&r), 0);
		inputs_reader_release(&r);
		assert_int_equal(whole.count, pieces.count);
		assert_int_equal(whole.n_chunks, 1);
		assert_string_equal(whole.chunks[0].lines.data, pieces.chunks[0].lines.data);
		input_set_release(&whole);
		input_set_release(&pieces);
	}
}

static void test_chunks_cover_every_index_once(void **state)
{
	struct input_set set;
	struct buf text = BUF_INIT(1 << 20);
	struct error err = ERROR_INIT;
	size_t expect_first = 0;

	for (int i = 0; i < 50; i++)
		buf_printf(&text, "{\"i\": %d, \"pad\": \"%s\"}\n", i, i % 7 ? "x" : "xxxxxxxxxxxxxxxxxxxx");
	input_set_init(&set, INPUT_AUTO);
	set.chunk_max = 200;
	assert_int_equal(inputs_read_buffer(&set, text.data, text.len, "in.jsonl", &err), 0);
	assert_int_equal(set.count, 50);
	assert_true(set.n_chunks > 5);
	for (size_t c = 0; c < set.n_chunks; c++) {
		assert_int_equal(set.chunks[c].first, expect_first);
		assert_true(set.chunks[c].lines.len <= 200);
		expect_first = set.chunks[c].last + 1;
	}
	assert_int_equal(expect_first, 50);
	for (size_t i = 0; i < 50; i++) {
		char *json = json_of(&set, i), *want = xasprintf("{\"i\": %zu, ", i);

		assert_true(strncmp(json, want, strlen(want)) == 0);
		free(json);
		free(want);
	}
	input_set_release(&set);
	buf_release(&text);
}

static void test_a_hundred_thousand_inputs(void **state)
{
	struct input_set set;
	struct buf text = BUF_INIT(16 << 20);
	struct error err = ERROR_INIT;
	size_t encoded = 0;

	for (int i = 0; i < 100000; i++)
		buf_printf(&text, "{\"lr\": 0.%06d, \"seed\": %6d, \"name\": \"trial-%06d\", \"tag\": "
				  "\"abcdefghijklmnopqrstuvwxyz0123456\"}\n",
			   i, i, i);
	assert_true(text.len >= 100 * 100000);
	input_set_init(&set, INPUT_AUTO);
	assert_int_equal(inputs_read_buffer(&set, text.data, text.len, "in.jsonl", &err), 0);
	assert_int_equal(set.count, 100000);
	for (size_t c = 0; c < set.n_chunks; c++) {
		assert_true(set.chunks[c].lines.len <= 1024 * 1024);
		encoded += set.chunks[c].lines.len;
	}
	/* The JSON text plus its fields: about twice the input, in a few chunks. */
	assert_true(encoded < 3 * text.len);
	assert_true(set.n_chunks <= encoded / (1024 * 1024) + 1);
	input_set_release(&set);
	buf_release(&text);
}

static void test_mode_names(void **state)
{
	enum input_mode m;
	struct error err = ERROR_INIT;

	assert_int_equal(input_mode_parse("kwargs", &m, &err), 0);
	assert_int_equal(m, INPUT_KWARGS);
	assert_string_equal(input_mode_name(INPUT_ARGS), "args");
	assert_int_equal(input_mode_parse("dict", &m, &err), -1);
	assert_string_equal(err.msg, "--input-mode: invalid value 'dict' (use auto, single, args or "
				     "kwargs)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_arrays_and_lines_of_arrays),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_escaping_keeps_every_byte),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_streaming_matches_whole_reads),
		cmocka_unit_test(test_chunks_cover_every_index_once),
		cmocka_unit_test(test_a_hundred_thousand_inputs),
		cmocka_unit_test(test_mode_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
