/* log.c — verbosity-gated diagnostics on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strutil.h"

static int log_level = -1; /* -1: not yet read from KONDUKTOR_VERBOSITY */
static const char *log_program = "konduktor";

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	if (log_level < 0) {
		int v = 0;

		if (str_to_int(getenv("KONDUKTOR_VERBOSITY"), &v) < 0)
			v = 0;
		log_level = v;
	}
	return log_level;
}

void log_set_program(const char *name)
{
	log_program = name;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_get_level())
		return;
	flockfile(stderr);
	fprintf(stderr, "%s: ", log_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	flockfile(stderr);
	fputs("warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
