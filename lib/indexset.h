/* indexset.h — a set of non-negative indexes in the compressed interval
 * form a Job's status uses for completedIndexes and failedIndexes:
 * "0-2,5,7,8" (ascending; three or more consecutive indexes as a-b, two
 * as a,b — exactly as the Job controller writes them). */
#ifndef KONDUKTOR_INDEXSET_H
#define KONDUKTOR_INDEXSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

struct index_interval {
	int64_t first;
	int64_t last; /* inclusive */
};

struct index_set {
	struct index_interval *items; /* sorted, disjoint, never adjacent */
	size_t len;
	size_t cap;
};

#define INDEX_SET_INIT { .items = NULL, .len = 0, .cap = 0 }

void index_set_release(struct index_set *s);
/* Adds the indexes in "0-2,5" (any order, overlaps allowed) to s. Indexes
 * at or above `limit` (a Job's completions) are an error, as is any text
 * that is not that form; s is unchanged then. "" is the empty set. */
int index_set_parse(struct index_set *s, const char *text, int64_t limit, struct error *err);
/* Reads a set the way the Job controller reads its own status: malformed
 * intervals are skipped, an interval starting at or past `limit` ends the
 * list, and one reaching past it is cut at limit - 1. */
void index_set_parse_lenient(struct index_set *s, const char *text, int64_t limit);
void index_set_add(struct index_set *s, int64_t index);
/* Adds first..last (inclusive); nothing if last < first. */
void index_set_add_range(struct index_set *s, int64_t first, int64_t last);
/* Adds every index of `other`. */
void index_set_union(struct index_set *s, const struct index_set *other);
bool index_set_contains(const struct index_set *s, int64_t index);
/* How many indexes are in the set. */
int64_t index_set_count(const struct index_set *s);
/* Appends the compressed form ("" for the empty set). */
int index_set_format(const struct index_set *s, struct buf *out);

#endif
