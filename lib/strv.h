/* strv.h — a growable, NULL-terminated vector of owned strings (argv,
 * env lists, names). */
#ifndef KONDUKTOR_STRV_H
#define KONDUKTOR_STRV_H

#include <stddef.h>

struct strv {
	char **items; /* NULL-terminated once anything was pushed; may be NULL when empty */
	size_t len;
	size_t cap;
};

#define STRV_INIT { .items = NULL, .len = 0, .cap = 0 }

void strv_init(struct strv *v);
/* Frees every string and the array. */
void strv_release(struct strv *v);
/* Appends a copy of s. */
void strv_push(struct strv *v, const char *s);
/* Appends s, taking ownership of it. */
void strv_push_owned(struct strv *v, char *s);
void strv_pushf(struct strv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Index of the first item equal to s, or -1. */
long strv_find(const struct strv *v, const char *s);
/* Sorts items with strcmp. */
void strv_sort(struct strv *v);
/* Returns the NULL-terminated array (never NULL). */
char **strv_array(struct strv *v);

#endif
