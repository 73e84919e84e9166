/* test_render.c — kubectl-style JSON and YAML output, and that the YAML
 * reads back as the same JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "render.h"
#include "yamltree.h"

static cJSON *parse_json(const char *text)
{
	struct error err = ERROR_INIT;
	cJSON *v = json_parse_bounded(text, strlen(text), 1 << 20, &err);

	if (!v)
		fail_msg("bad test JSON: %s", err.msg);
	return v;
}

/* The YAML tree as JSON, typing plain scalars as YAML 1.1 does. */
static cJSON *ynode_to_json(const struct ynode *n)
{
	cJSON *v;

	switch (n->kind) {
	case YNODE_MAPPING:
		v = cJSON_CreateObject();
		for (size_t i = 0; i < n->n_pairs; i++)
			cJSON_AddItemToObject(v, n->pairs[i].key->text, ynode_to_json(n->pairs[i].value));
		return v;
	case YNODE_SEQUENCE:
		v = cJSON_CreateArray();
		for (size_t i = 0; i < n->n_items; i++)
			cJSON_AddItemToArray(v, ynode_to_json(n->items[i]));
		return v;
	case YNODE_SCALAR:
		break;
	}
	switch (ynode_scalar_type(n)) {
	case YTYPE_NULL:
		return cJSON_CreateNull();
	case YTYPE_BOOL:
		return cJSON_CreateBool(strchr("tTyYoO", n->text[0]) && strcmp(n->text, "off") &&
					strcmp(n->text, "Off") && strcmp(n->text, "OFF"));
	case YTYPE_INT:
	case YTYPE_FLOAT:
		return cJSON_CreateNumber(strtod(n->text, NULL));
	default:
		return cJSON_CreateString(n->text);
	}
}

static void assert_renders(const char *json, enum render_format format, const char *expected)
{
	cJSON *v = parse_json(json);
	struct buf out = BUF_INIT(1 << 20);
	struct error err = ERROR_INIT;

	assert_int_equal(render_object(v, format, &out, &err), 0);
	assert_string_equal(out.data, expected);
	buf_release(&out);
	cJSON_Delete(v);
}

static void test_json_like_kubectl(void **state)
{
	assert_renders("{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"spec\":{\"completions\":1,"
		       "\"args\":[\"a && b\",\"<x>\"],\"empty\":{},\"none\":[]}}",
		       RENDER_JSON,
		       "{\n"
		       "    \"apiVersion\": \"batch/v1\",\n"
		       "    \"kind\": \"Job\",\n"
		       "    \"spec\": {\n"
		       "        \"args\": [\n"
		       "            \"a \\u0026\\u0026 b\",\n"
		       "            \"\\u003cx\\u003e\"\n"
		       "        ],\n"
		       "        \"completions\": 1,\n"
		       "        \"empty\": {},\n"
		       "        \"none\": []\n"
		       "    }\n"
		       "}\n");
	assert_renders("{\"s\":\"tab\\there\\u0001 caf\\u00e9 \\u2028\",\"n\":-2.5,\"b\":false,\"z\":null}",
		       RENDER_JSON,
		       "{\n"
		       "    \"b\": false,\n"
		       "    \"n\": -2.5,\n"
		       "    \"s\": \"tab\\there\\u0001 caf\xc3\xa9 \\u2028\",\n"
		       "    \"z\": null\n"
		       "}\n");
}

static void test_yaml_like_kubectl(void **state)
{
	assert_renders("{\"metadata\":{\"name\":\"x\",\"labels\":{\"n\":\"10\",\"b\":\"yes\"}},"
		       "\"spec\":{\"args\":[\"echo hi\\nexit 0\\n\"],\"parallelism\":2,\"empty\":\"\","
		       "\"items\":[{\"a\":1},{\"b\":[]}],\"obj\":{}}}",
		       RENDER_YAML,
		       "metadata:\n"
		       "  labels:\n"
		       "    b: \"yes\"\n"
		       "    n: \"10\"\n"
		       "  name: x\n"
		       "spec:\n"
		       "  args:\n"
		       "  - |\n"
		       "    echo hi\n"
		       "    exit 0\n"
		       "  empty: \"\"\n"
		       "  items:\n"
		       "  - a: 1\n"
		       "  - b: []\n"
		       "  obj: {}\n"
		       "  parallelism: 2\n");
}

static void test_yaml_reads_back_as_the_same_json(void **state)
{
	static const char tricky[] =
		"{\"strings\":[\"yes\",\"No\",\"on\",\"10\",\"017\",\"1e3\",\"0x1F\",\"1.5\",\"~\","
		"\"null\",\"\",\"2024-01-02\",\"<<\",\"=\",\"a: b\",\"- x\",\"#c\",\"x #c\","
		"\" leading\",\"trailing \",\"multi\\nline\\n\",\"no trailing\\nnewline\","
		"\"  indented\\nfirst\",\"tab\\there\",\"ctl\\u0001\",\"'single\",\"\\\"double\","
		"\"caf\\u00e9\",\"[flow]\",\"{flow}\",\"@at\",\"`tick\",\"$(echo pwned)\","
		"\"trailing newlines\\n\\n\\n\",\"\\n\",\"%percent\",\"!bang\",\"&amp\",\"*star\","
		"\"|pipe\",\">gt\",\"?q\",\": colon\",\"true\",\".inf\",\"-.5\",\"+1\"],"
		"\"numbers\":[0,1,-7,2.5,1e+20],\"flags\":[true,false,null],"
		"\"nested\":{\"a b\":{\"c\":[[],{}]},\"10\":\"key that is a number\"}}";
	cJSON *v = parse_json(tricky), *back;
	struct buf out = BUF_INIT(1 << 20);
	struct error err = ERROR_INIT;
	struct ydoc doc;

	assert_int_equal(render_object(v, RENDER_YAML, &out, &err), 0);
	if (ydoc_parse(&doc, out.data, out.len, NULL, &err) < 0)
		fail_msg("output does not parse: %s\n%s", err.msg, out.data);
	back = ynode_to_json(doc.root);
	if (!cJSON_Compare(v, back, 1)) {
		char *got = cJSON_Print(back);

		fail_msg("round trip differs:\n%s\nread back as\n%s", out.data, got);
	}
	cJSON_Delete(back);
	ydoc_release(&doc);
	buf_release(&out);
	cJSON_Delete(v);
}

static void test_list_wraps_items(void **state)
{
	cJSON *items = parse_json("[{\"kind\":\"ConfigMap\"},{\"kind\":\"Job\"}]");
	struct buf out = BUF_INIT(1 << 16);

	assert_int_equal(render_list(items, RENDER_YAML, &out, NULL), 0);
	assert_string_equal(out.data, "apiVersion: v1\n"
				      "items:\n"
				      "- kind: ConfigMap\n"
				      "- kind: Job\n"
				      "kind: List\n"
				      "metadata:\n"
				      "  resourceVersion: \"\"\n");
	buf_reset(&out);
	assert_int_equal(render_list(items, RENDER_JSON, &out, NULL), 0);
	assert_non_null(strstr(out.data, "    \"kind\": \"List\",\n    \"metadata\": {\n"
					 "        \"resourceVersion\": \"\"\n    }\n}\n"));
	buf_release(&out);
	cJSON_Delete(items);
}

static void test_output_is_bounded(void **state)
{
	cJSON *v = parse_json("{\"a\":\"0123456789012345678901234567890123456789\"}");
	struct buf out = BUF_INIT(20);
	struct error err = ERROR_INIT;

	assert_int_equal(render_object(v, RENDER_JSON, &out, &err), -1);
	assert_string_equal(err.msg, "output larger than the limit of 20 bytes");
	assert_int_equal(out.len, 0);
	assert_int_equal(render_object(v, RENDER_YAML, &out, &err), -1);
	assert_string_equal(err.msg, "output larger than the limit of 20 bytes");
	assert_int_equal(out.len, 0);
	buf_release(&out);
	cJSON_Delete(v);
}

static void test_format_names(void **state)
{
	enum render_format f;
	struct error err = ERROR_INIT;

	assert_int_equal(render_format_parse("yaml", &f, &err), 0);
	assert_int_equal(f, RENDER_YAML);
	assert_int_equal(render_format_parse("json", &f, &err), 0);
	assert_int_equal(f, RENDER_JSON);
	assert_int_equal(render_format_parse("wide", &f, &err), -1);
	assert_string_equal(err.msg, "unknown output format 'wide' (use json or yaml)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_like_kubectl),
		cmocka_unit_test(test_yaml_like_kubectl),
		cmocka_unit_test(test_yaml_reads_back_as_the_same_json),
		cmocka_unit_test(test_list_wraps_items),
		cmocka_unit_test(test_output_is_bounded),
		cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
