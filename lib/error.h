/* error.h — the error a library function hands back to its caller.
 *
 * Library code (lib/, kube/) never prints: it returns a negative number and
 * fills the caller's `struct error` with one lower-case line, no final full
 * stop, subject in quotes (git's style); a line break in a quoted value is
 * written as "\n", so a message is always one line. Only the command layer
 * prints and chooses the exit code. A NULL `struct error *` is allowed
 * everywhere and means "the caller does not want the message". */
#ifndef KONDUKTOR_ERROR_H
#define KONDUKTOR_ERROR_H

#include <stdarg.h>

#define ERROR_MSG_MAX 1024

struct error {
	char msg[ERROR_MSG_MAX];
	int code; /* optional detail: an errno, an HTTP status, an exit code */
};

#define ERROR_INIT { .msg = "", .code = 0 }

/* Sets the message (and code 0); always returns -1 so that callers can
 * write `return error_set(err, "...")`. */
int error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As error_set(), also setting err->code; returns -1. */
int error_set_code(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends context: "<prefix>: <existing message>"; returns -1. */
int error_prefix(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_clear(struct error *err);

#endif
