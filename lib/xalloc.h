/* xalloc.h — allocation wrappers that end the process on exhaustion, so
 * callers never carry an "out of memory" branch (as git's xmalloc). */
#ifndef KONDUKTOR_XALLOC_H
#define KONDUKTOR_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xreallocarray(): xrealloc(ptr, count * size), refusing overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf(): a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "fatal: <message>" to stderr and exits with status 128. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
