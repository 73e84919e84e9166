/* test_args.c — the plugin's kubectl-style option parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

struct parsed {
	bool yes, detach;
	const char *ns, *output, *dry_run;
	int64_t timeout;
	struct strv envs;
};

static int parse(struct parsed *p, struct strv *pos, struct error *err, int argc, char **argv)
{
	const struct opt table[] = {
		{ "yes", 'y', OPT_BOOL, &p->yes, NULL, "skip confirmation", NULL },
		{ "detach", 'd', OPT_BOOL, &p->detach, NULL, "return at once", NULL },
		{ "namespace", 'n', OPT_STRING, &p->ns, "NS", "namespace", NULL },
		{ "output", 'o', OPT_STRING, &p->output, "FORMAT", "output", NULL },
		{ "timeout", 0, OPT_INT, &p->timeout, "S", "seconds", NULL },
		{ "env", 0, OPT_STRV, &p->envs, "K=V", "env", NULL },
		{ "dry-run", 'D', OPT_OPTIONAL, &p->dry_run, "client|server", "dry run", NULL },
		OPT_END,
	};
	const struct opt *tables[] = { table, NULL };

	return args_parse("launch", tables, argc, argv, pos, err);
}

static void test_mixed_flags_and_positionals(void **state)
{
	char *argv[] = { "task.yaml", "-n", "ml", "--output=json", "-yd", "--env", "A=1",
			 "--env=B=2", "--timeout", "30", "--", "--not-a-flag" };
	struct parsed p = { .envs = STRV_INIT };
	struct strv pos = STRV_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(parse(&p, &pos, &err, 12, argv), 0);
	assert_int_equal(pos.len, 2);
	assert_string_equal(pos.items[0], "task.yaml");
	assert_string_equal(pos.items[1], "--not-a-flag");
	assert_string_equal(p.ns, "ml");
	assert_string_equal(p.output, "json");
	assert_true(p.yes && p.detach);
	assert_int_equal(p.timeout, 30);
	assert_int_equal(p.envs.len, 2);
	assert_string_equal(p.envs.items[1], "B=2");
	strv_release(&pos);
	strv_release(&p.envs);
}

static void test_attached_short_value(void **state)
{
	char *argv[] = { "-nml", "-ojson" };
	struct parsed p = { .envs = STRV_INIT };
	struct strv pos = STRV_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(parse(&p, &pos, &err, 2, argv), 0);
	assert_string_equal(p.ns, "ml");
	assert_string_equal(p.output, "json");
	strv_release(&pos);
}

/* --dry-run alone, --dry-run=server; the next word is never its value. */
static void test_optional_value(void **state)
{
	char *alone[] = { "--dry-run", "server", "-o", "json" };
	char *attached[] = { "--dry-run=server", "task.yaml" };
	char *shortened[] = { "-Dy", "t.yaml" };
	struct parsed p = { .envs = STRV_INIT };
	struct strv pos = STRV_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(parse(&p, &pos, &err, 4, alone), 0);
	assert_string_equal(p.dry_run, "");
	assert_string_equal(pos.items[0], "server");
	assert_string_equal(p.output, "json");
	strv_release(&pos);
	p.dry_run = NULL;
	assert_int_equal(parse(&p, &pos, &err, 2, attached), 0);
	assert_string_equal(p.dry_run, "server");
	assert_string_equal(pos.items[0], "task.yaml");
	strv_release(&pos);
	p.dry_run = NULL;
	assert_int_equal(parse(&p, &pos, &err, 2, shortened), 0);
	assert_string_equal(p.dry_run, "");
	assert_true(p.yes);
	strv_release(&pos);
}

static void test_help_shows_an_optional_value(void **state)
{
	const struct opt table[] = {
		{ "dry-run", 0, OPT_OPTIONAL, NULL, "client|server", "print, do not create", NULL },
		OPT_END,
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	args_print_options(table, f);
	fclose(f);
	assert_string_equal(text, "      --dry-run[=client|server] print, do not create\n");
	free(text);
}

static void test_errors_name_the_flag(void **state)
{
	struct parsed p = { .envs = STRV_INIT };
	struct strv pos = STRV_INIT;
	struct error err = ERROR_INIT;
	char *unknown[] = { "--namespce", "x" };
	char *missing[] = { "--timeout" };
	char *notint[] = { "--timeout", "5s" };
	char *badbool[] = { "--yes=maybe" };

	assert_int_equal(parse(&p, &pos, &err, 2, unknown), -1);
	assert_string_equal(err.msg,
			    "launch: unknown flag '--namespce' (did you mean '--namespace'?)");
	assert_int_equal(parse(&p, &pos, &err, 1, missing), -1);
	assert_string_equal(err.msg, "launch: flag '--timeout' needs a value");
	assert_int_equal(parse(&p, &pos, &err, 2, notint), -1);
	assert_string_equal(err.msg, "launch: flag '--timeout' needs a whole number, not '5s'");
	assert_int_equal(parse(&p, &pos, &err, 1, badbool), -1);
	assert_string_equal(err.msg, "launch: flag '--yes' takes true or false, not 'maybe'");
	strv_release(&pos);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_flags_and_positionals),
		cmocka_unit_test(test_attached_short_value),
		cmocka_unit_test(test_errors_name_the_flag),
		cmocka_unit_test(test_optional_value),
		cmocka_unit_test(test_help_shows_an_optional_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
