/* intervals.c — compressed index intervals ("0-2,5") as bitmaps. */
#include "intervals.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void index_set_init(struct index_set *set, size_t size)
{
	set->size = size;
	set->bits = size ? xcalloc((size + 63) / 64, sizeof(uint64_t)) : NULL;
}

void index_set_release(struct index_set *set)
{
	free(set->bits);
	set->bits = NULL;
	set->size = 0;
}

void index_set_add(struct index_set *set, size_t index)
{
	if (index < set->size)
		set->bits[index / 64] |= (uint64_t)1 << (index % 64);
}

bool index_set_contains(const struct index_set *set, size_t index)
{
	return index < set->size && (set->bits[index / 64] >> (index % 64)) & 1;
}

size_t index_set_count(const struct index_set *set)
{
	size_t n = 0;

	for (size_t i = 0; i < (set->size + 63) / 64; i++)
		n += (size_t)__builtin_popcountll(set->bits[i]);
	return n;
}

static int parse_index(const char **p, size_t *ret)
{
	const char *s = *p;
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > SIZE_MAX)
		return -1;
	*ret = (size_t)v;
	*p = end;
	return 0;
}

int index_set_parse(const char *text, size_t size, struct index_set *ret, struct error *err)
{
	struct index_set set;
	const char *p = text;

	index_set_init(&set, size);
	if (!text || !*text) {
		*ret = set;
		return 0;
	}
	for (;;) {
		const char *start = p;
		size_t lo, hi;

		if (parse_index(&p, &lo) < 0)
			goto invalid;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_index(&p, &hi) < 0 || hi < lo)
				goto invalid;
		}
		if (*p != ',' && *p != '\0')
			goto invalid;
		if (hi >= size) {
			index_set_release(&set);
			return error_set(err, "index interval '%.*s' is beyond %zu indexes",
					 (int)(p - start), start, size);
		}
		for (size_t i = lo; i <= hi; i++)
			index_set_add(&set, i);
		if (*p == '\0')
			break;
		p++;
	}
	*ret = set;
	return 0;
invalid:
	index_set_release(&set);
	return error_set(err, "invalid index intervals '%s'", text);
}

int index_set_format(const struct index_set *set, struct buf *out)
{
	bool first = true;

	for (size_t i = 0; i < set->size;) {
		size_t j;

		if (!index_set_contains(set, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < set->size && index_set_contains(set, j + 1); j++)
			;
		if (buf_printf(out, "%s%zu", first ? "" : ",", i) < 0 ||
		    (j > i && buf_printf(out, "-%zu", j) < 0))
			return -1;
		first = false;
		i = j + 1;
	}
	return 0;
}
