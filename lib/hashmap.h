/* hashmap.h — a string-keyed hash map (open addressing, linear probing).
 *
 * Keys are copied into the map and freed by it; values are pointers the
 * caller owns (the map never frees them). NULL is not a valid value, so
 * hashmap_get() returning NULL always means "absent". Not thread-safe:
 * callers hold their own lock. */
#ifndef KONDUKTOR_HASHMAP_H
#define KONDUKTOR_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hashmap_slot {
	char *key;   /* NULL: empty; HASHMAP_TOMBSTONE: removed */
	void *value;
	size_t hash;
};

struct hashmap {
	struct hashmap_slot *slots;
	size_t cap;  /* a power of two, or 0 before the first insert */
	size_t len;  /* live entries */
	size_t used; /* live entries plus tombstones */
};

#define HASHMAP_INIT { .slots = NULL, .cap = 0, .len = 0, .used = 0 }

void hashmap_init(struct hashmap *m);
/* Frees the keys and the table (not the values); leaves an empty map. */
void hashmap_release(struct hashmap *m);
/* As hashmap_release(), first passing each value to free_value (for maps
 * that own their values: free, cJSON_Delete, ...). */
void hashmap_release_with(struct hashmap *m, void (*free_value)(void *value));
/* The value stored under key, or NULL. */
void *hashmap_get(const struct hashmap *m, const char *key);
/* Stores value (not NULL) under key; returns the value it replaced, or NULL. */
void *hashmap_put(struct hashmap *m, const char *key, void *value);
/* Removes key; returns its value, or NULL if it was absent. */
void *hashmap_remove(struct hashmap *m, const char *key);
/* The hash the map uses (FNV-1a, mixed): the same for a key in every run. */
size_t hashmap_hash(const char *key);
/* Iterates: start with *pos = 0; returns false when done. The map must not
 * change during an iteration, except by hashmap_remove() of the current key
 * (which frees the key *ret_key points to). */
bool hashmap_next(const struct hashmap *m, size_t *pos, const char **ret_key, void **ret_value);

#endif
