/* test_yamljson.c — YAML to JSON and back: scalar resolution, quoting of
 * ambiguous strings, round trips, limits and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "yamljson.h"

static cJSON *parse(const char *yaml)
{
	struct error err = ERROR_INIT;
	cJSON *v = yaml_to_json(yaml, strlen(yaml), &err);

	if (!v)
		fail_msg("yaml_to_json: %s", err.msg);
	return v;
}

static void test_scalars_resolve_like_sigs_yaml(void **state)
{
	cJSON *v = parse("a: 1\nb: \"1\"\nc: true\nd: yes\ne: ~\nf: hello world\ng: 1.5\n"
			 "h: 0x10\ni: ''\n");
	char *json = json_print_compact(v);

	assert_string_equal(json, "{\"a\":1,\"b\":\"1\",\"c\":true,\"d\":true,\"e\":null,"
				  "\"f\":\"hello world\",\"g\":1.5,\"h\":\"0x10\",\"i\":\"\"}");
	free(json);
	cJSON_Delete(v);
}

static void test_empty_document_is_an_empty_object(void **state)
{
	cJSON *v = parse("");

	assert_true(cJSON_IsObject(v));
	assert_int_equal(cJSON_GetArraySize(v), 0);
	cJSON_Delete(v);
}

static void test_round_trip_keeps_types(void **state)
{
	const char *json = "{\"apiVersion\":\"v1\",\"clusters\":[{\"name\":\"c\",\"cluster\":{"
			   "\"server\":\"https://127.0.0.1:6443\",\"insecure\":false}}],"
			   "\"strings\":[\"true\",\"123\",\"null\",\"\",\"a: b\",\"- x\"],"
			   "\"n\":42,\"nothing\":null}";
	cJSON *in = cJSON_Parse(json), *back;
	struct buf yaml = BUF_INIT(BUF_MAX_SMALL);
	struct error err = ERROR_INIT;

	assert_int_equal(json_to_yaml(in, &yaml, &err), 0);
	assert_non_null(strstr(yaml.data, "server: https://127.0.0.1:6443\n"));
	assert_non_null(strstr(yaml.data, "- \"true\"\n"));
	back = parse(yaml.data);
	assert_true(cJSON_Compare(in, back, true));
	cJSON_Delete(in);
	cJSON_Delete(back);
	buf_release(&yaml);
}

static void test_errors_name_the_line(void **state)
{
	struct error err = ERROR_INIT;

	assert_null(yaml_to_json("a: 1\nb: [1, 2\n", 14, &err));
	assert_true(strncmp(err.msg, "line ", 5) == 0);
	assert_null(yaml_to_json("a: &x 1\nb: *x\n", 14, &err));
	assert_string_equal(err.msg, "line 2: YAML aliases are not supported");
}

static void test_depth_is_bounded(void **state)
{
	struct buf deep = BUF_INIT(BUF_MAX_SMALL);
	struct error err = ERROR_INIT;

	for (int i = 0; i < 200; i++)
		buf_putc(&deep, '[');
	assert_null(yaml_to_json(deep.data, deep.len, &err));
	assert_non_null(strstr(err.msg, "nested deeper than"));
	buf_release(&deep);
}

static void test_output_limit(void **state)
{
	cJSON *v = cJSON_Parse("{\"key\":\"a long enough value\"}");
	struct buf small = BUF_INIT(8);
	struct error err = ERROR_INIT;

	assert_int_equal(json_to_yaml(v, &small, &err), -1);
	assert_string_equal(err.msg, "YAML output larger than the limit");
	buf_release(&small);
	cJSON_Delete(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_resolve_like_sigs_yaml),
		cmocka_unit_test(test_empty_document_is_an_empty_object),
		cmocka_unit_test(test_round_trip_keeps_types),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_depth_is_bounded),
		cmocka_unit_test(test_output_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
