/* error.c — filling a caller's error buffer. */
#include "error.h"

#include <stdio.h>
#include <string.h>

/* Messages are one line whatever they quote (a user's value may hold a
 * newline): line breaks become the two characters "\n" and "\r". */
static void error_flatten(struct error *err)
{
	char flat[ERROR_MSG_MAX];
	size_t n = 0;

	if (!strpbrk(err->msg, "\n\r"))
		return;
	for (const char *p = err->msg; *p && n + 2 < sizeof(flat); p++) {
		if (*p == '\n' || *p == '\r') {
			flat[n++] = '\\';
			flat[n++] = *p == '\n' ? 'n' : 'r';
		} else {
			flat[n++] = *p;
		}
	}
	flat[n] = '\0';
	memcpy(err->msg, flat, n + 1);
}

__attribute__((format(printf, 2, 0)))
static void error_vset(struct error *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	error_flatten(err);
}

int error_set(struct error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	error_vset(err, fmt, ap);
	va_end(ap);
	err->code = 0;
	return -1;
}

int error_set_code(struct error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	error_vset(err, fmt, ap);
	va_end(ap);
	err->code = code;
	return -1;
}

int error_prefix(struct error *err, const char *fmt, ...)
{
	char old[ERROR_MSG_MAX];
	char prefix[ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* A message too long for the buffer keeps its start; both parts are
	 * already bounded, so truncation here loses only the tail. */
	if (snprintf(err->msg, sizeof(err->msg), old[0] ? "%s: %s" : "%s%s", prefix, old) >=
	    (int)sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	error_flatten(err);
	return -1;
}

void error_clear(struct error *err)
{
	if (!err)
		return;
	err->msg[0] = '\0';
	err->code = 0;
}
