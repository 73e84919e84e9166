/* test_complete.c — the completion engine against a table of fake
 * commands: subcommands, nested ones, flags and their values, argument
 * kinds, and the kubeconfig flags handed to the cluster lister. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"

static int noop(int argc, char **argv)
{
	return 0;
}

static struct cluster_flags launch_cluster;
static bool detach, yes;
static const char *output;
static int64_t timeout_s;
static struct strv envs;

static const struct opt *launch_options(void)
{
	static struct opt table[32];
	const struct opt own[] = {
		{ "detach", 'd', OPT_BOOL, &detach, NULL, "return at once\nsecond line", NULL },
		{ "yes", 'y', OPT_BOOL, &yes, NULL, "skip the confirmation", NULL },
		{ "output", 'o', OPT_STRING, &output, "json|yaml", "print the objects", NULL },
		{ "timeout", 0, OPT_INT, &timeout_s, "S", "seconds to wait", NULL },
		{ "env", 0, OPT_STRV, &envs, "K=V", "an environment variable", NULL },
		{ "env-file", 0, OPT_STRING, &output, "FILE", "variables from a file", NULL },
	};
	const struct opt *cluster = cluster_flags_table(&launch_cluster, true);
	size_t n = 0;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		table[n++] = own[i];
	for (const struct opt *o = cluster; o->long_name; o++)
		table[n++] = *o;
	table[n] = (struct opt)OPT_END;
	return table;
}

static const struct opt *results_options(void)
{
	static bool as_completed;
	static const struct opt table[] = {
		{ "as-completed", 0, OPT_BOOL, &as_completed, NULL, "in completion order", NULL },
		OPT_END,
	};
	return table;
}

static const char *const shells[] = { "bash", "zsh", NULL };

static const struct command group_commands[] = {
	{ .name = "results", .run = noop, .summary = "print results", .args = COMPLETE_GROUP,
	  .options = results_options },
	{ .name = "list", .run = noop, .summary = "list groups" },
	{ .name = "cancel", .summary = "planned, not built" },
	{ .name = NULL },
};

static const struct command table[] = {
	{ .name = "launch", .run = noop, .summary = "launch a task", .args = COMPLETE_FILE,
	  .options = launch_options },
	{ .name = "logs", .run = noop, .summary = "print logs", .args = COMPLETE_JOB,
	  .options = launch_options },
	{ .name = "local", .run = noop, .summary = "the local cluster" },
	{ .name = "list", .summary = "planned, not built" },
	{ .name = "mount", .run = noop, .summary = "mount the tree", .args = COMPLETE_DIR },
	{ .name = "group", .run = noop, .summary = "groups", .subcommands = group_commands },
	{ .name = "completion", .run = noop, .summary = "scripts", .arg_choices = shells },
	{ .name = NULL },
};

/* The fake cluster: remembers what it was asked. */
static struct {
	int calls;
	enum completion_kind kind;
	char kubeconfig[64], context[64], namespace[64];
	bool fail;
} cluster;

static void remember(char *dst, const char *value)
{
	strncpy(dst, value ? value : "(unset)", 63);
	dst[63] = '\0';
}

static int fake_names(enum completion_kind kind, const struct cluster_flags *flags,
		      struct strv *ret_names, struct error *err)
{
	cluster.calls++;
	cluster.kind = kind;
	remember(cluster.kubeconfig, flags->kubeconfig);
	remember(cluster.context, flags->context);
	remember(cluster.namespace, flags->namespace);
	if (cluster.fail)
		return error_set(err, "cannot reach the API server");
	if (kind == COMPLETE_NAMESPACE) {
		strv_push(ret_names, "ml");
		strv_push(ret_names, "default");
		return 0;
	}
	strv_push(ret_names, kind == COMPLETE_GROUP ? "grp-0000beef" : "train-2");
	strv_push(ret_names, "train-1");
	strv_push(ret_names, "train-2");
	strv_push(ret_names, "tr\nick");
	strv_push(ret_names, "other");
	return 0;
}

/* Completes `words` (NULL-ended) and checks the candidates (NULL-ended,
 * in order) and the directive. */
static void check(const char *const *words, const char *const *want, unsigned directive)
{
	char *argv[32];
	int n = 0;
	struct completion c;

	for (; words[n]; n++)
		argv[n] = (char *)words[n];
	completion_init(&c);
	complete_words(table, n, argv, fake_names, &c);
	for (size_t i = 0; want[i] || i < c.candidates.len; i++) {
		if (!want[i] || i >= c.candidates.len || strcmp(want[i], c.candidates.items[i]))
			fail_msg("candidate %zu: got '%s', want '%s' (completing after '%s')", i,
				 i < c.candidates.len ? c.candidates.items[i] : "(none)",
				 want[i] ? want[i] : "(none)", n ? words[0] : "");
	}
	assert_int_equal(c.directive, directive);
	completion_release(&c);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static void test_top_level_offers_built_commands(void **state)
{
	check(WORDS(""), WORDS("launch\tlaunch a task", "logs\tprint logs",
			       "local\tthe local cluster", "mount\tmount the tree", "group\tgroups",
			       "completion\tscripts"),
	      COMPLETE_NO_FILE);
	check(WORDS("lo"), WORDS("logs\tprint logs", "local\tthe local cluster"), COMPLETE_NO_FILE);
	check(WORDS("lis"), NONE, COMPLETE_NO_FILE); /* planned, not in this build */
	check(WORDS("-"), WORDS("--help\tshow the commands", "-h\tshow the commands",
				"--version\tprint the version"),
	      COMPLETE_NO_FILE);
}

static void test_no_words_is_the_top_level(void **state)
{
	struct completion c;

	completion_init(&c);
	complete_words(table, 0, NULL, fake_names, &c);
	assert_int_equal(c.candidates.len, 6);
	assert_int_equal(c.directive, COMPLETE_NO_FILE);
	completion_release(&c);
}

static void test_nested_subcommands(void **state)
{
	check(WORDS("group", ""), WORDS("results\tprint results", "list\tlist groups"),
	      COMPLETE_NO_FILE);
	check(WORDS("group", "results", "--"),
	      WORDS("--as-completed\tin completion order", "--help\tshow this help"),
	      COMPLETE_NO_FILE);
	cluster.calls = 0;
	check(WORDS("group", "results", "grp"), WORDS("grp-0000beef"), COMPLETE_NO_FILE);
	assert_int_equal(cluster.calls, 1);
	assert_int_equal(cluster.kind, COMPLETE_GROUP);
	check(WORDS("group", "cancel", ""), NONE, COMPLETE_NO_FILE);
	check(WORDS("nosuch", ""), NONE, COMPLETE_NO_FILE);
}

static void test_argument_kinds(void **state)
{
	check(WORDS("launch", ""), NONE, COMPLETE_DEFAULT);
	check(WORDS("launch", "task.yaml", "-d", ""), NONE, COMPLETE_DEFAULT);
	check(WORDS("launch", "--", "-"), NONE, COMPLETE_DEFAULT);
	check(WORDS("mount", ""), NONE, COMPLETE_FILTER_DIRS);
	check(WORDS("local", ""), NONE, COMPLETE_NO_FILE);
	check(WORDS("completion", ""), WORDS("bash", "zsh"), COMPLETE_NO_FILE);
	check(WORDS("completion", "z"), WORDS("zsh"), COMPLETE_NO_FILE);
}

static void test_flag_names(void **state)
{
	check(WORDS("launch", "--d"), WORDS("--detach\treturn at once"), COMPLETE_NO_FILE);
	check(WORDS("launch", "-d", "--d"), NONE, COMPLETE_NO_FILE); /* given already */
	check(WORDS("launch", "-yd", "--d"), NONE, COMPLETE_NO_FILE);
	check(WORDS("launch", "--env", "A=1", "--en"),
	      WORDS("--env\tan environment variable", "--env-file\tvariables from a file"),
	      COMPLETE_NO_FILE); /* --env repeats */
	check(WORDS("launch", "--namespace=x", "--n"), NONE, COMPLETE_NO_FILE);
	check(WORDS("launch", "--na"), WORDS("--namespace\tthe namespace to use"),
	      COMPLETE_NO_FILE);
	check(WORDS("launch", "-o"), WORDS("-o\tprint the objects"), COMPLETE_NO_FILE);
	check(WORDS("launch", "-q"), NONE, COMPLETE_NO_FILE);
	check(WORDS("launch", "--unknown", "--h"), WORDS("--help\tshow this help"),
	      COMPLETE_NO_FILE);
}

static void test_flag_values(void **state)
{
	check(WORDS("launch", "--output", ""), WORDS("json", "yaml"), COMPLETE_NO_FILE);
	check(WORDS("launch", "-o", "y"), WORDS("yaml"), COMPLETE_NO_FILE);
	check(WORDS("launch", "-yo", ""), WORDS("json", "yaml"), COMPLETE_NO_FILE);
	check(WORDS("launch", "--output=j"), WORDS("json"), COMPLETE_NO_FILE);
	check(WORDS("launch", "--detach=t"), NONE, COMPLETE_NO_FILE);
	check(WORDS("launch", "--kubeconfig", ""), NONE, COMPLETE_DEFAULT);
	check(WORDS("launch", "--env-file=./"), NONE, COMPLETE_DEFAULT);
	check(WORDS("launch", "--timeout", ""), NONE, COMPLETE_NO_FILE);
	check(WORDS("launch", "-v", ""), NONE, COMPLETE_NO_FILE);
	/* a flag's value is not taken for a positional */
	check(WORDS("launch", "--timeout", "30", ""), NONE, COMPLETE_DEFAULT);
}

static void test_cluster_names_use_the_kubeconfig_flags_on_the_line(void **state)
{
	cluster.calls = 0;
	check(WORDS("logs", "--kubeconfig", "/tmp/kc", "--context=lab", "-n", "ml", "tr"),
	      WORDS("train-1", "train-2"), COMPLETE_NO_FILE);
	assert_int_equal(cluster.calls, 1);
	assert_int_equal(cluster.kind, COMPLETE_JOB);
	assert_string_equal(cluster.kubeconfig, "/tmp/kc");
	assert_string_equal(cluster.context, "lab");
	assert_string_equal(cluster.namespace, "ml");

	check(WORDS("logs", "-nteam", ""), WORDS("other", "train-1", "train-2"), COMPLETE_NO_FILE);
	assert_string_equal(cluster.namespace, "team");
	assert_string_equal(cluster.kubeconfig, "(unset)");

	check(WORDS("logs", "-n=x", "--v=notanumber", "o"), WORDS("other"), COMPLETE_NO_FILE);
	assert_string_equal(cluster.namespace, "x");
}

static void test_namespace_values_come_from_the_cluster(void **state)
{
	cluster.calls = 0;
	check(WORDS("logs", "--kubeconfig=/tmp/kc", "-n", ""), WORDS("default", "ml"),
	      COMPLETE_NO_FILE);
	assert_int_equal(cluster.calls, 1);
	assert_int_equal(cluster.kind, COMPLETE_NAMESPACE);
	assert_string_equal(cluster.kubeconfig, "/tmp/kc");
	assert_string_equal(cluster.namespace, "(unset)"); /* the one being typed */
	check(WORDS("launch", "--namespace=m"), WORDS("ml"), COMPLETE_NO_FILE);
	assert_int_equal(cluster.kind, COMPLETE_NAMESPACE);
	/* Other flags' values never ask the cluster. */
	cluster.calls = 0;
	check(WORDS("launch", "--context", ""), NONE, COMPLETE_NO_FILE);
	assert_int_equal(cluster.calls, 0);
}

static void test_cluster_failure_offers_nothing(void **state)
{
	struct completion c;
	char *argv[] = { "logs", "" };

	cluster.fail = true;
	completion_init(&c);
	complete_words(table, 2, argv, fake_names, &c);
	cluster.fail = false;
	assert_int_equal(c.candidates.len, 0);
	assert_int_equal(c.directive, COMPLETE_NO_FILE);
	assert_string_equal(c.names_error.msg, "cannot reach the API server");
	completion_release(&c);

	completion_init(&c);
	complete_words(table, 2, argv, NULL, &c);
	assert_int_equal(c.candidates.len, 0);
	assert_int_equal(c.directive, COMPLETE_NO_FILE);
	completion_release(&c);
}

static void test_print_format(void **state)
{
	struct completion c;
	char *argv[] = { "launch", "--d" };
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	completion_init(&c);
	complete_words(table, 2, argv, fake_names, &c);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	completion_print(&c, true, out);
	completion_print(&c, false, out);
	fclose(out);
	assert_string_equal(text, "--detach\treturn at once\n:4\n--detach\n:4\n");
	free(text);
	completion_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level_offers_built_commands),
		cmocka_unit_test(test_no_words_is_the_top_level),
		cmocka_unit_test(test_nested_subcommands),
		cmocka_unit_test(test_argument_kinds),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_flag_values),
		cmocka_unit_test(test_cluster_names_use_the_kubeconfig_flags_on_the_line),
		cmocka_unit_test(test_namespace_values_come_from_the_cluster),
		cmocka_unit_test(test_cluster_failure_offers_nothing),
		cmocka_unit_test(test_print_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
