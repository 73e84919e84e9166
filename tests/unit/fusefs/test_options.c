/* test_options.c — konduktor-fs's command line: kubectl's flags, -f, -o
 * (allow_other, allow_root, nothing else), --log-file, --help, and the
 * one mount point; every error says what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "options.h"

#define PARSE(o, err, ...)                                                              \
	({                                                                              \
		char *argv_[] = { "konduktor-fs", __VA_ARGS__, NULL };                   \
		fs_options_init(o);                                                     \
		fs_options_parse(o, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, err); \
	})

static void test_flags(void **state)
{
	struct fs_options o;
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-f", "-n", "team", "-A", "--request-timeout", "2s",
			       "-o", "allow_other", "--log-file", "/tmp/x.log", "/mnt/jobs"),
			 0);
	assert_true(o.foreground && o.allow_other && !o.allow_root);
	assert_true(o.cluster.all_namespaces);
	assert_string_equal(o.cluster.namespace, "team");
	assert_string_equal(o.cluster.request_timeout, "2s");
	assert_string_equal(o.log_file, "/tmp/x.log");
	assert_string_equal(o.mountpoint, "/mnt/jobs");
	fs_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "/mnt/jobs", "-o", "allow_root", "--kubeconfig=/k"), 0);
	assert_true(o.allow_root && !o.foreground);
	assert_string_equal(o.cluster.kubeconfig, "/k");
	fs_options_release(&o);

	assert_int_equal(PARSE(&o, &err, "--help"), 0);
	assert_true(o.help);
	fs_options_release(&o);
}

static void test_errors(void **state)
{
	static const struct {
		const char *args[4];
		const char *message;
	} cases[] = {
		{ { "/a", "/b" }, "one mount point only, not 2 ('/a', '/b'...)" },
		{ { "-f" }, "no mount point given" },
		{ { "-o", "noexec", "/m" },
		  "unsupported mount option 'noexec' (konduktor-fs takes allow_other and allow_root)" },
		{ { "-o", "allow_other,allow_root", "/m" },
		  "mount options 'allow_other' and 'allow_root' exclude each other" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[6] = { "konduktor-fs" };
		int argc = 1;
		struct fs_options o;
		struct error err = ERROR_INIT;

		for (int k = 0; k < 4 && cases[i].args[k]; k++)
			argv[argc++] = (char *)cases[i].args[k];
		fs_options_init(&o);
		assert_int_equal(fs_options_parse(&o, argc, argv, &err), -1);
		assert_string_equal(err.msg, cases[i].message);
		fs_options_release(&o);
	}
	{
		struct fs_options o;
		struct error err = ERROR_INIT;

		assert_int_equal(PARSE(&o, &err, "--forground", "/m"), -1);
		assert_non_null(strstr(err.msg, "--forground"));
		assert_non_null(strstr(err.msg, "foreground")); /* did you mean */
		fs_options_release(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
