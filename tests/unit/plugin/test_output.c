/* test_output.c — kubectl's output formats: -o parsing, the table printer
 * (alignment, <none>, colour, UTF-8 widths), ages and object rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "timeutil.h"

/* Runs fn with a memory stream and returns what it wrote (caller frees). */
static char *capture_table(const struct table *t, bool color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	table_print(t, color, f);
	fclose(f);
	return text;
}

static void test_format_parse(void **state)
{
	enum output_format f = OUTPUT_JSON;
	struct error err = ERROR_INIT;

	assert_int_equal(output_format_parse("list", NULL, "json|yaml|name|wide", &f, &err), 0);
	assert_int_equal(f, OUTPUT_TABLE);
	assert_int_equal(output_format_parse("list", "wide", "json|yaml|name|wide", &f, &err), 0);
	assert_int_equal(f, OUTPUT_WIDE);
	assert_int_equal(output_format_parse("list", "yaml", "json|yaml|name|wide", &f, &err), 0);
	assert_int_equal(f, OUTPUT_YAML);
	assert_int_equal(output_format_parse("list", "name", "json|yaml|name|wide", &f, &err), 0);
	assert_int_equal(f, OUTPUT_NAME);
	assert_int_equal(output_format_parse("list", "xml", "json|yaml|name|wide", &f, &err), -1);
	assert_string_equal(err.msg, "list: unknown output format 'xml' (use json, yaml, name, wide)");
	/* Only what the command offers. */
	assert_int_equal(output_format_parse("launch", "wide", "json|yaml", &f, &err), -1);
	assert_string_equal(err.msg, "launch: unknown output format 'wide' (use json, yaml)");
	assert_int_equal(output_format_parse("launch", "jso", "json|yaml", &f, &err), -1);
}

static void test_table_alignment_and_none(void **state)
{
	static const char *const headers[] = { "NAME", "STATE", "AGE", NULL };
	const char *row1[] = { "train-ab12", "RUNNING", "5s" };
	const char *row2[] = { "x", "", NULL };
	struct table t;
	char *text;

	table_init(&t, headers);
	table_add_row(&t, row1);
	table_add_row(&t, row2);
	text = capture_table(&t, false);
	assert_string_equal(text, "NAME         STATE     AGE\n"
				  "train-ab12   RUNNING   5s\n"
				  "x            <none>    <none>\n");
	free(text);
	table_release(&t);
}

static void test_table_colour_keeps_alignment(void **state)
{
	static const char *const headers[] = { "NAME", "STATE", "REASON", NULL };
	const char *row[] = { "j", "FAILED", "Error" };
	const char *row2[] = { "jobby", "OK", "-" };
	struct table t;
	char *plain, *coloured;

	table_init(&t, headers);
	table_add_row(&t, row);
	table_style_cell(&t, 1, STYLE_RED);
	table_add_row(&t, row2);
	plain = capture_table(&t, false);
	coloured = capture_table(&t, true);
	assert_string_equal(plain, "NAME    STATE    REASON\n"
				   "j       FAILED   Error\n"
				   "jobby   OK       -\n");
	assert_string_equal(coloured, "NAME    STATE    REASON\n"
				      "j       \033[31mFAILED\033[0m   Error\n"
				      "jobby   OK       -\n");
	/* A style on a column that does not exist is ignored. */
	table_style_cell(&t, 7, STYLE_RED);
	free(plain);
	free(coloured);
	table_release(&t);
}

static void test_table_counts_characters_not_bytes(void **state)
{
	static const char *const headers[] = { "A", "B", NULL };
	const char *row[] = { "\xc3\xa9t\xc3\xa9", "x" }; /* "été": 3 characters, 5 bytes */
	struct table t;
	char *text;

	table_init(&t, headers);
	table_add_row(&t, row);
	text = capture_table(&t, false);
	assert_string_equal(text, "A     B\n\xc3\xa9t\xc3\xa9   x\n");
	free(text);
	table_release(&t);
}

static void test_many_rows(void **state)
{
	static const char *const headers[] = { "N", NULL };
	struct table t;
	char *text;
	size_t lines = 0;

	table_init(&t, headers);
	for (int i = 0; i < 1000; i++) {
		char cell[16];
		const char *row[] = { cell };

		snprintf(cell, sizeof(cell), "%d", i);
		table_add_row(&t, row);
		table_style_cell(&t, 0, i % 2 ? STYLE_GREEN : STYLE_RESET);
	}
	text = capture_table(&t, true);
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1001);
	assert_non_null(strstr(text, "\n\033[32m999\033[0m\n"));
	free(text);
	table_release(&t);
}

static void test_age(void **state)
{
	char out[32];
	time_t created;

	assert_int_equal(time_parse_rfc3339("2026-01-02T10:00:00Z", &created), 0);
	output_age("2026-01-02T10:00:00Z", created + 200, out);
	assert_string_equal(out, "3m20s");
	output_age("2026-01-02T10:00:00Z", created + 3 * 86400 + 3600, out);
	assert_string_equal(out, "3d1h");
	output_age(NULL, created, out);
	assert_string_equal(out, "<unknown>");
	output_age("yesterday", created, out);
	assert_string_equal(out, "<unknown>");
}

static void test_objects(void **state)
{
	cJSON *items = cJSON_Parse("[{\"kind\":\"JobStatus\",\"metadata\":{\"name\":\"a\"}},"
				   "{\"kind\":\"JobStatus\",\"metadata\":{\"name\":\"b\"}}]");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct error err = ERROR_INIT;

	assert_int_equal(output_objects(items, false, OUTPUT_YAML, f, &err), 0);
	fflush(f);
	assert_non_null(strstr(text, "kind: List\n"));
	assert_non_null(strstr(text, "  name: b\n"));
	fclose(f);
	free(text);
	cJSON_DeleteItemFromArray(items, 1);
	f = open_memstream(&text, &len);
	assert_int_equal(output_objects(items, true, OUTPUT_JSON, f, &err), 0);
	fclose(f);
	assert_string_equal(text, "{\n    \"kind\": \"JobStatus\",\n    \"metadata\": {\n"
				  "        \"name\": \"a\"\n    }\n}\n");
	free(text);
	assert_int_equal(output_objects(items, true, OUTPUT_NAME, stdout, &err), -1);
	cJSON_Delete(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_table_alignment_and_none),
		cmocka_unit_test(test_table_colour_keeps_alignment),
		cmocka_unit_test(test_table_counts_characters_not_bytes),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
