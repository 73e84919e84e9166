/* strv.c — vector of owned strings. */
#include "strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void strv_init(struct strv *v)
{
	v->items = NULL;
	v->len = 0;
	v->cap = 0;
}

void strv_release(struct strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	strv_init(v);
}

void strv_push_owned(struct strv *v, char *s)
{
	if (v->len + 2 > v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = xreallocarray(v->items, v->cap, sizeof(*v->items));
	}
	v->items[v->len++] = s;
	v->items[v->len] = NULL;
}

void strv_push(struct strv *v, const char *s)
{
	strv_push_owned(v, xstrdup(s));
}

void strv_pushf(struct strv *v, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory formatting a string");
	va_end(ap);
	strv_push_owned(v, s);
}

long strv_find(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return (long)i;
	return -1;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(struct strv *v)
{
	if (v->len > 1)
		qsort(v->items, v->len, sizeof(*v->items), compare_strings);
}

char **strv_array(struct strv *v)
{
	static char *empty[1] = { NULL };

	return v->items ? v->items : empty;
}
