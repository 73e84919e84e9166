/* indexset.c — sets of indexes as sorted disjoint intervals. */
#include "indexset.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void index_set_release(struct index_set *s)
{
	free(s->items);
	s->items = NULL;
	s->len = s->cap = 0;
}

/* The position of the first interval whose last >= index - 1, i.e. the
 * first that index could join or precede. */
static size_t lower_bound(const struct index_set *s, int64_t index)
{
	size_t lo = 0, hi = s->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->items[mid].last < index - 1)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_interval(struct index_set *s, int64_t first, int64_t last)
{
	size_t at = lower_bound(s, first), end = at;

	/* Merge every interval that overlaps or touches [first, last]. */
	while (end < s->len && s->items[end].first <= last + 1) {
		if (s->items[end].first < first)
			first = s->items[end].first;
		if (s->items[end].last > last)
			last = s->items[end].last;
		end++;
	}
	if (end == at) {
		if (s->len == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 8;
			s->items = xreallocarray(s->items, s->cap, sizeof(*s->items));
		}
		memmove(&s->items[at + 1], &s->items[at], (s->len - at) * sizeof(*s->items));
		s->len++;
	} else if (end > at + 1) {
		memmove(&s->items[at + 1], &s->items[end], (s->len - end) * sizeof(*s->items));
		s->len -= end - at - 1;
	}
	s->items[at] = (struct index_interval){ first, last };
}

static int parse_index(const char **p, int64_t *ret)
{
	int64_t v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (**p - '0');
	}
	*ret = v;
	return 0;
}

void index_set_add(struct index_set *s, int64_t index)
{
	add_interval(s, index, index);
}

void index_set_add_range(struct index_set *s, int64_t first, int64_t last)
{
	if (last >= first)
		add_interval(s, first, last);
}

void index_set_union(struct index_set *s, const struct index_set *other)
{
	for (size_t i = 0; i < other->len; i++)
		add_interval(s, other->items[i].first, other->items[i].last);
}

void index_set_parse_lenient(struct index_set *s, const char *text, int64_t limit)
{
	const char *p = text ? text : "";

	while (*p) {
		const char *end = strchrnul(p, ',');
		int64_t first, last;
		const char *q = p;
		bool ok = parse_index(&q, &first) == 0;

		last = first;
		if (ok && *q == '-') {
			q++;
			ok = parse_index(&q, &last) == 0;
		}
		ok = ok && q == end;
		if (ok && first >= limit)
			return;
		if (ok) {
			if (last >= limit)
				last = limit - 1;
			index_set_add_range(s, first, last);
		}
		p = *end ? end + 1 : end;
	}
}

bool index_set_contains(const struct index_set *s, int64_t index)
{
	size_t at = lower_bound(s, index + 1);

	return at < s->len && s->items[at].first <= index && index <= s->items[at].last;
}

int64_t index_set_count(const struct index_set *s)
{
	int64_t n = 0;

	for (size_t i = 0; i < s->len; i++)
		n += s->items[i].last - s->items[i].first + 1;
	return n;
}

int index_set_parse(struct index_set *s, const char *text, int64_t limit, struct error *err)
{
	struct index_set parsed = INDEX_SET_INIT;
	const char *p = text;

	while (*p) {
		const char *start = p;
		int64_t first, last;

		if (parse_index(&p, &first) < 0)
			goto bad;
		last = first;
		if (*p == '-') {
			p++;
			if (parse_index(&p, &last) < 0 || last < first)
				goto bad;
		}
		if (last >= limit) {
			index_set_release(&parsed);
			return error_set(err, "index interval '%.*s' is out of range 0-%lld",
					 (int)(p - start), start, (long long)limit - 1);
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
		add_interval(&parsed, first, last);
	}
	for (size_t i = 0; i < parsed.len; i++)
		add_interval(s, parsed.items[i].first, parsed.items[i].last);
	index_set_release(&parsed);
	return 0;
bad:
	index_set_release(&parsed);
	return error_set(err, "'%s' is not a list of index intervals like '0-2,5'", text);
}

int index_set_format(const struct index_set *s, struct buf *out)
{
	for (size_t i = 0; i < s->len; i++) {
		const struct index_interval *iv = &s->items[i];
		int rc;

		/* As the Job controller writes it: two neighbours as "a,b". */
		if (iv->first == iv->last)
			rc = buf_printf(out, "%s%lld", i ? "," : "", (long long)iv->first);
		else
			rc = buf_printf(out, "%s%lld%c%lld", i ? "," : "", (long long)iv->first,
					iv->last == iv->first + 1 ? ',' : '-', (long long)iv->last);
		if (rc < 0)
			return -1;
	}
	return 0;
}
