/* strmap.h — a hash map from owned string keys to caller-owned pointers,
 * for caches keyed by name ("namespace/name") that must stay fast at
 * tens of thousands of entries. Not thread-safe: callers lock. */
#ifndef KONDUKTOR_STRMAP_H
#define KONDUKTOR_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap_entry {
	char *key;
	void *value;
	struct strmap_entry *next;
};

struct strmap {
	struct strmap_entry **buckets;
	size_t nbuckets; /* 0 until the first put */
	size_t len;
};

#define STRMAP_INIT { .buckets = NULL, .nbuckets = 0, .len = 0 }

void strmap_init(struct strmap *map);
/* Frees every entry; calls free_value (if not NULL) on each value. */
void strmap_release(struct strmap *map, void (*free_value)(void *value));
/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *map, const char *key);
bool strmap_contains(const struct strmap *map, const char *key);
/* Stores value under a copy of key; returns the value it replaced (the
 * caller frees it) or NULL. */
void *strmap_put(struct strmap *map, const char *key, void *value);
/* Removes key; returns its value (the caller frees it) or NULL. */
void *strmap_remove(struct strmap *map, const char *key);

/* Iteration in unspecified order. The map must not change while iterating,
 * except through strmap_iter_remove() on the current entry. */
struct strmap_iter {
	struct strmap *map;
	size_t bucket;
	struct strmap_entry *entry;
	struct strmap_entry *next;
};
void strmap_iter_init(struct strmap_iter *it, struct strmap *map);
/* Advances to the next entry: true and sets *ret_key and *ret_value (either may
 * be NULL), or false at the end. */
bool strmap_iter_next(struct strmap_iter *it, const char **ret_key, void **ret_value);
/* Removes the entry strmap_iter_next() returned last; returns its value. */
void *strmap_iter_remove(struct strmap_iter *it);

#endif
