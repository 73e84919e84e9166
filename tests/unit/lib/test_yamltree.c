/* test_yamltree.c — the YAML tree: positions, typing, limits, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "yamltree.h"

static void parse_ok(struct ydoc *doc, const char *text)
{
	struct error err = ERROR_INIT;

	if (ydoc_parse(doc, text, strlen(text), NULL, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
}

static void expect_error(const char *text, const char *message)
{
	struct ydoc doc;
	struct error err = ERROR_INIT;

	assert_int_equal(ydoc_parse(&doc, text, strlen(text), NULL, &err), -1);
	assert_string_equal(err.msg, message);
	assert_null(doc.root);
}

static void test_positions_are_one_based(void **state)
{
	struct ydoc doc;
	const struct ynode *res, *cpus;

	parse_ok(&doc, "name: a\nresources:\n  cpus: 4\n");
	assert_int_equal(doc.root->kind, YNODE_MAPPING);
	assert_int_equal(doc.root->n_pairs, 2);
	res = ynode_get(doc.root, "resources");
	assert_non_null(res);
	assert_int_equal(res->line, 3);
	assert_int_equal(res->column, 3);
	assert_int_equal(doc.root->pairs[1].key->line, 2);
	assert_int_equal(doc.root->pairs[1].key->column, 1);
	cpus = ynode_get(res, "cpus");
	assert_string_equal(cpus->text, "4");
	assert_int_equal(cpus->column, 9);
	ydoc_release(&doc);
}

static void test_plain_scalars_resolve_like_pyyaml(void **state)
{
	static const struct {
		const char *yaml;
		enum yscalar_type type;
	} cases[] = {
		{ "v: 42", YTYPE_INT },        { "v: -0x1F", YTYPE_INT },   { "v: 0b101", YTYPE_INT },
		{ "v: 017", YTYPE_INT },       { "v: 1_000", YTYPE_INT },   { "v: 190:20:30", YTYPE_INT },
		{ "v: 0.5", YTYPE_FLOAT },     { "v: 1.", YTYPE_FLOAT },    { "v: .5", YTYPE_FLOAT },
		{ "v: 1.0e+3", YTYPE_FLOAT },  { "v: -.inf", YTYPE_FLOAT }, { "v: .NaN", YTYPE_FLOAT },
		{ "v: 1e3", YTYPE_STRING },    { "v: 0o17", YTYPE_STRING }, { "v: yes", YTYPE_BOOL },
		{ "v: Off", YTYPE_BOOL },      { "v: TRUE", YTYPE_BOOL },   { "v: ~", YTYPE_NULL },
		{ "v:", YTYPE_NULL },          { "v: Null", YTYPE_NULL },   { "v: 2024-01-02", YTYPE_TIMESTAMP },
		{ "v: 2024-1-2T3:04:05Z", YTYPE_TIMESTAMP },                { "v: '42'", YTYPE_STRING },
		{ "v: \"yes\"", YTYPE_STRING },                             { "v: !!str 42", YTYPE_STRING },
		{ "v: !!int '42'", YTYPE_INT },                             { "v: |\n  42\n", YTYPE_STRING },
		{ "v: 4 vCPU", YTYPE_STRING }, { "v: 16G", YTYPE_STRING },  { "v: H100:8", YTYPE_STRING },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ydoc doc;

		parse_ok(&doc, cases[i].yaml);
		if (ynode_scalar_type(ynode_get(doc.root, "v")) != cases[i].type)
			fail_msg("'%s' resolved to %s", cases[i].yaml,
				 ynode_describe(ynode_get(doc.root, "v")));
		ydoc_release(&doc);
	}
}

static void test_integer_values(void **state)
{
	static const struct {
		const char *yaml;
		int64_t value;
	} cases[] = {
		{ "42", 42 }, { "-0x1f", -31 }, { "0b101", 5 }, { "017", 15 }, { "1_000", 1000 },
		{ "+7", 7 },  { "9223372036854775807", INT64_MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ydoc doc;
		int64_t v = 0;

		parse_ok(&doc, cases[i].yaml);
		assert_int_equal(ynode_to_int64(doc.root, &v), 0);
		assert_int_equal(v, cases[i].value);
		ydoc_release(&doc);
	}
}

static void test_integer_overflow_and_sexagesimal_refused(void **state)
{
	struct ydoc doc;
	int64_t v = 5;

	parse_ok(&doc, "9223372036854775808");
	assert_int_equal(ynode_to_int64(doc.root, &v), -1);
	ydoc_release(&doc);
	parse_ok(&doc, "190:20:30");
	assert_int_equal(ynode_to_int64(doc.root, &v), -1);
	ydoc_release(&doc);
	parse_ok(&doc, "'12'");
	assert_int_equal(ynode_to_int64(doc.root, &v), -1);
	assert_int_equal(v, 5);
	ydoc_release(&doc);
}

static void test_duplicate_key_names_both_places(void **state)
{
	expect_error("name: a\nrun: x\nname: b\n",
		     "line 3, column 1: duplicate key 'name' (first given at line 1, column 1)");
	expect_error("a:\n  x: 1\n  y: 2\n  x: 3\n  x: 4\n",
		     "line 4, column 3: duplicate key 'x' (first given at line 2, column 3)");
}

static void test_syntax_error_has_position(void **state)
{
	expect_error("name: a\nrun: [1, 2\n",
		     "line 3, column 1: did not find expected ',' or ']' while parsing a flow sequence");
	expect_error("a: b: c\n", "line 1, column 5: mapping values are not allowed in this context");
}

static void test_binary_garbage_is_refused_with_position(void **state)
{
	static const char garbage[] = "name: a\nrun: \x01\x02\xff\n";
	struct ydoc doc;
	struct error err = ERROR_INIT;

	assert_int_equal(ydoc_parse(&doc, garbage, sizeof(garbage) - 1, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "line 2, column 6: "));
}

static void test_nul_inside_quoted_scalar_refused(void **state)
{
	expect_error("v: \"a\\0b\"\n", "line 1, column 4: a NUL character is not allowed here");
}

static void test_alias_shares_node_and_counts_weight(void **state)
{
	struct ydoc doc;
	const struct ynode *a, *b;

	parse_ok(&doc, "a: &x {k: 1, l: 2}\nb: *x\n");
	a = ynode_get(doc.root, "a");
	b = ynode_get(doc.root, "b");
	assert_ptr_equal(a, b);
	assert_int_equal(doc.root->weight, 1 + 2 + 5 + 5);
	ydoc_release(&doc);
}

static void test_billion_laughs_refused(void **state)
{
	struct buf text = BUF_INIT(BUF_MAX_SMALL);
	struct ydoc doc;
	struct error err = ERROR_INIT;

	buf_puts(&text, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		buf_printf(&text, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			   i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	assert_int_equal(ydoc_parse(&doc, text.data, text.len, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "document too large: more than 20000 nodes (counting aliases)"));
	buf_release(&text);
}

static void test_depth_limit(void **state)
{
	struct buf text = BUF_INIT(BUF_MAX_SMALL);
	struct ydoc doc;
	struct error err = ERROR_INIT;
	struct ylimits limits = { .max_depth = 5, .max_nodes = 100 };

	for (int i = 0; i < 10; i++)
		buf_putc(&text, '[');
	for (int i = 0; i < 10; i++)
		buf_putc(&text, ']');
	assert_int_equal(ydoc_parse(&doc, text.data, text.len, &limits, &err), -1);
	assert_string_equal(err.msg, "line 1, column 6: nested deeper than 5 levels");
	buf_release(&text);
}

static void test_structural_refusals(void **state)
{
	expect_error("a: 1\n---\nb: 2\n", "line 2, column 1: more than one YAML document");
	expect_error("? [a, b]\n: 1\n", "line 1, column 3: a mapping key must be a scalar");
	expect_error("base: &b {x: 1}\nd:\n  <<: *b\n", "line 3, column 3: merge keys ('<<') are not supported");
	expect_error("a: *nowhere\n", "line 1, column 4: unknown anchor '*nowhere'");
	expect_error("a: &r [*r]\n", "line 1, column 8: recursive alias '*r'");
	expect_error("a: !Ref b\n", "line 1, column 4: unsupported tag '!Ref'");
}

static void test_empty_document_has_no_root(void **state)
{
	struct ydoc doc;

	parse_ok(&doc, "");
	assert_null(doc.root);
	ydoc_release(&doc);
	parse_ok(&doc, "# only a comment\n");
	assert_null(doc.root);
	ydoc_release(&doc);
}

static void test_plain_ambiguity_for_emitters(void **state)
{
	static const char *const ambiguous[] = { "yes", "on", "1e3", "0o17", "0x1F", "12", "1.5",
						 "~", "", "null", "2024-01-02", "<<", ".inf", "TRUE" };
	static const char *const plain[] = { "hello", "H100:8", "16G", "a b", "nvidia.com/gpu",
					     "v1.2.3" };

	for (size_t i = 0; i < sizeof(ambiguous) / sizeof(ambiguous[0]); i++)
		if (!yaml_plain_is_ambiguous(ambiguous[i], strlen(ambiguous[i])))
			fail_msg("'%s' should need quotes", ambiguous[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (yaml_plain_is_ambiguous(plain[i], strlen(plain[i])))
			fail_msg("'%s' should not need quotes", plain[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_are_one_based),
		cmocka_unit_test(test_plain_scalars_resolve_like_pyyaml),
		cmocka_unit_test(test_integer_values),
		cmocka_unit_test(test_integer_overflow_and_sexagesimal_refused),
		cmocka_unit_test(test_duplicate_key_names_both_places),
		cmocka_unit_test(test_syntax_error_has_position),
		cmocka_unit_test(test_binary_garbage_is_refused_with_position),
		cmocka_unit_test(test_nul_inside_quoted_scalar_refused),
		cmocka_unit_test(test_alias_shares_node_and_counts_weight),
		cmocka_unit_test(test_billion_laughs_refused),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_structural_refusals),
		cmocka_unit_test(test_empty_document_has_no_root),
		cmocka_unit_test(test_plain_ambiguity_for_emitters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
