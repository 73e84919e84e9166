/* term.c — the colour decision and the escape sequences (see term.h). */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

int color_mode_parse(const char *text, enum color_mode *ret_mode, struct error *err)
{
	if (!text || !strcmp(text, "auto"))
		*ret_mode = COLOR_AUTO;
	else if (!strcmp(text, "always"))
		*ret_mode = COLOR_ALWAYS;
	else if (!strcmp(text, "never"))
		*ret_mode = COLOR_NEVER;
	else
		return error_set(err, "flag '--color' takes auto, always or never, not '%s'", text);
	return 0;
}

bool color_decide(enum color_mode mode, bool is_terminal, const char *no_color, const char *term)
{
	/* https://no-color.org: the user's standing wish beats any default. */
	if (no_color)
		return false;
	switch (mode) {
	case COLOR_NEVER:
		return false;
	case COLOR_ALWAYS:
		return true;
	case COLOR_AUTO:
		break;
	}
	return is_terminal && !(term && !strcmp(term, "dumb"));
}

bool term_is_terminal(FILE *stream)
{
	int fd = fileno(stream);

	return fd >= 0 && isatty(fd);
}

bool color_enabled(enum color_mode mode, FILE *stream)
{
	return color_decide(mode, term_is_terminal(stream), getenv("NO_COLOR"), getenv("TERM"));
}

const char *term_style(bool enabled, enum term_style style)
{
	static const char *const sequences[] = {
		[STYLE_RESET] = "\033[0m",   [STYLE_BOLD] = "\033[1m",
		[STYLE_DIM] = "\033[2m",     [STYLE_RED] = "\033[31m",
		[STYLE_GREEN] = "\033[32m",  [STYLE_YELLOW] = "\033[33m",
		[STYLE_BLUE] = "\033[34m",   [STYLE_CYAN] = "\033[36m",
	};

	if (!enabled || (size_t)style >= ARRAY_SIZE(sequences))
		return "";
	return sequences[style];
}
