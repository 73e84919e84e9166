/* term.h — whether the plugin's output is coloured, and the escape
 * sequences when it is: only on a terminal, never when NO_COLOR is set,
 * and as `--color=auto|always|never` asks. Every command uses this one
 * decision so that colour behaves the same everywhere. */
#ifndef KONDUKTOR_TERM_H
#define KONDUKTOR_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "error.h"

enum color_mode {
	COLOR_AUTO,   /* colour when the stream is a terminal (the default) */
	COLOR_ALWAYS, /* colour even when piped, e.g. into `less -R` */
	COLOR_NEVER,
};

/* The --color flag, for a command's option table; `target` is a
 * `const char **` that color_mode_parse() reads afterwards. */
#define COLOR_FLAG(target)                                                            \
	{ "color", 0, OPT_STRING, (target), "auto|always|never",                      \
	  "when to colour the output (NO_COLOR in the environment turns it off)", NULL }

/* Parses "auto", "always" or "never"; NULL means auto. Returns 0, or -1
 * with err naming the flag. */
int color_mode_parse(const char *text, enum color_mode *ret_mode, struct error *err);

/* The decision from its inputs. `no_color` is getenv("NO_COLOR"): when it
 * is set, to any value (even empty), there is no colour whatever the mode.
 * Otherwise never → no, always → yes, auto → only on a terminal whose
 * `term` (getenv("TERM")) is not "dumb". */
bool color_decide(enum color_mode mode, bool is_terminal, const char *no_color,
		  const char *term);

/* color_decide() for a stream, from its descriptor and the environment. */
bool color_enabled(enum color_mode mode, FILE *stream);

/* True if the stream is a terminal (for live progress lines, prompts). */
bool term_is_terminal(FILE *stream);

enum term_style {
	STYLE_RESET,
	STYLE_BOLD,
	STYLE_DIM,
	STYLE_RED,
	STYLE_GREEN,
	STYLE_YELLOW,
	STYLE_BLUE,
	STYLE_CYAN,
};

/* The SGR escape sequence for a style, or "" when `enabled` is false, so
 * that callers can always write printf("%s…%s", on, off). */
const char *term_style(bool enabled, enum term_style style);

#endif
