/* intervals.h — the compressed index sets of Indexed Jobs, as the Job
 * controller writes them in status.completedIndexes and failedIndexes:
 * "0-2,5,7-9". Held as a bitmap over [0, size). */
#ifndef KONDUKTOR_INTERVALS_H
#define KONDUKTOR_INTERVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

struct index_set {
	uint64_t *bits; /* NULL while size is 0 */
	size_t size;    /* indexes 0 .. size-1 */
};

#define INDEX_SET_INIT { .bits = NULL, .size = 0 }

/* An empty set over [0, size). */
void index_set_init(struct index_set *set, size_t size);
void index_set_release(struct index_set *set);
void index_set_add(struct index_set *set, size_t index);
bool index_set_contains(const struct index_set *set, size_t index);
size_t index_set_count(const struct index_set *set);

/* Parses text (NULL or "" is the empty set) into a set over [0, size).
 * Intervals are "a" or "a-b" with a <= b, comma-separated, every index
 * below size; -1 with err naming the offending part otherwise. */
int index_set_parse(const char *text, size_t size, struct index_set *ret, struct error *err);
/* Appends the compressed form ("0-2,5") to out; -1 if out is full. */
int index_set_format(const struct index_set *set, struct buf *out);

#endif
