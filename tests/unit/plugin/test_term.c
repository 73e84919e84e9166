/* test_term.c — the colour decision: terminals, NO_COLOR, --color. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term.h"

static void test_decision_table(void **state)
{
	static const struct {
		enum color_mode mode;
		bool is_terminal;
		const char *no_color, *term;
		bool want;
	} cases[] = {
		{ COLOR_AUTO, true, NULL, "xterm-256color", true },
		{ COLOR_AUTO, true, NULL, NULL, true },
		{ COLOR_AUTO, false, NULL, "xterm", false },
		{ COLOR_AUTO, true, NULL, "dumb", false },
		{ COLOR_AUTO, true, "1", "xterm", false },
		{ COLOR_AUTO, true, "", "xterm", false }, /* set but empty still counts */
		{ COLOR_ALWAYS, false, NULL, "dumb", true },
		{ COLOR_ALWAYS, true, "1", "xterm", false },
		{ COLOR_ALWAYS, false, "", NULL, false },
		{ COLOR_NEVER, true, NULL, "xterm", false },
		{ COLOR_NEVER, false, NULL, NULL, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = color_decide(cases[i].mode, cases[i].is_terminal, cases[i].no_color,
					cases[i].term);

		if (got != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, got, cases[i].want);
	}
}

static void test_parse_modes(void **state)
{
	enum color_mode mode = COLOR_NEVER;
	struct error err = ERROR_INIT;

	assert_int_equal(color_mode_parse(NULL, &mode, &err), 0);
	assert_int_equal(mode, COLOR_AUTO);
	assert_int_equal(color_mode_parse("always", &mode, &err), 0);
	assert_int_equal(mode, COLOR_ALWAYS);
	assert_int_equal(color_mode_parse("never", &mode, &err), 0);
	assert_int_equal(mode, COLOR_NEVER);
	assert_int_equal(color_mode_parse("auto", &mode, &err), 0);
	assert_int_equal(mode, COLOR_AUTO);
	mode = COLOR_NEVER;
	assert_int_equal(color_mode_parse("yes", &mode, &err), -1);
	assert_string_equal(err.msg, "flag '--color' takes auto, always or never, not 'yes'");
	assert_int_equal(mode, COLOR_NEVER); /* untouched on failure */
}

static void test_styles(void **state)
{
	assert_string_equal(term_style(true, STYLE_RED), "\033[31m");
	assert_string_equal(term_style(true, STYLE_RESET), "\033[0m");
	assert_string_equal(term_style(false, STYLE_RED), "");
	assert_string_equal(term_style(true, (enum term_style)99), "");
}

/* The real streams: a pseudo-terminal is a terminal, a pipe is not. */
static void test_streams_from_environment(void **state)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int pipefd[2];
	FILE *tty, *piped;

	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	tty = fopen(ptsname(master), "we");
	assert_non_null(tty);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	piped = fdopen(pipefd[1], "w");
	assert_non_null(piped);

	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	assert_true(term_is_terminal(tty));
	assert_false(term_is_terminal(piped));
	assert_true(color_enabled(COLOR_AUTO, tty));
	assert_false(color_enabled(COLOR_AUTO, piped));
	assert_true(color_enabled(COLOR_ALWAYS, piped));
	assert_false(color_enabled(COLOR_NEVER, tty));
	setenv("NO_COLOR", "", 1);
	assert_false(color_enabled(COLOR_AUTO, tty));
	assert_false(color_enabled(COLOR_ALWAYS, piped));
	unsetenv("NO_COLOR");
	setenv("TERM", "dumb", 1);
	assert_false(color_enabled(COLOR_AUTO, tty));

	fclose(tty);
	fclose(piped);
	close(pipefd[0]);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_parse_modes),
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_streams_from_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
