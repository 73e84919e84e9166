/* hashmap.c — string-keyed open-addressing hash map. */
#include "hashmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static char hashmap_tombstone_;
#define HASHMAP_TOMBSTONE (&hashmap_tombstone_)

size_t hashmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

void hashmap_init(struct hashmap *m)
{
	*m = (struct hashmap)HASHMAP_INIT;
}

void hashmap_release(struct hashmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != HASHMAP_TOMBSTONE)
			free(m->slots[i].key);
	free(m->slots);
	hashmap_init(m);
}

void hashmap_release_with(struct hashmap *m, void (*free_value)(void *value))
{
	size_t pos = 0;
	void *value;

	while (hashmap_next(m, &pos, NULL, &value))
		free_value(value);
	hashmap_release(m);
}

/* The slot holding key, or the first free slot of its probe sequence
 * (a tombstone if one was passed) when absent. */
static struct hashmap_slot *find_slot(const struct hashmap *m, const char *key, size_t hash,
				      bool *ret_found)
{
	struct hashmap_slot *free_slot = NULL;
	size_t mask = m->cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct hashmap_slot *slot = &m->slots[i];

		if (!slot->key) {
			*ret_found = false;
			return free_slot ? free_slot : slot;
		}
		if (slot->key == HASHMAP_TOMBSTONE) {
			if (!free_slot)
				free_slot = slot;
		} else if (slot->hash == hash && !strcmp(slot->key, key)) {
			*ret_found = true;
			return slot;
		}
	}
}

static void resize(struct hashmap *m, size_t cap)
{
	struct hashmap_slot *old = m->slots;
	size_t old_cap = m->cap;

	m->slots = xcalloc(cap, sizeof(*m->slots));
	m->cap = cap;
	m->used = m->len;
	for (size_t i = 0; i < old_cap; i++) {
		bool found;
		struct hashmap_slot *slot;

		if (!old[i].key || old[i].key == HASHMAP_TOMBSTONE)
			continue;
		slot = find_slot(m, old[i].key, old[i].hash, &found);
		*slot = old[i];
	}
	free(old);
}

void *hashmap_get(const struct hashmap *m, const char *key)
{
	bool found;
	struct hashmap_slot *slot;

	if (!m->cap)
		return NULL;
	slot = find_slot(m, key, hashmap_hash(key), &found);
	return found ? slot->value : NULL;
}

void *hashmap_put(struct hashmap *m, const char *key, void *value)
{
	size_t hash = hashmap_hash(key);
	struct hashmap_slot *slot;
	bool found;

	/* Keep at most 3/4 of the slots in use (live + tombstones). */
	if ((m->used + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? m->cap : 16;

		while ((m->len + 1) * 2 > cap)
			cap *= 2;
		resize(m, cap); /* also clears tombstones */
	}
	slot = find_slot(m, key, hash, &found);
	if (found) {
		void *previous = slot->value;

		slot->value = value;
		return previous;
	}
	if (!slot->key)
		m->used++;
	slot->key = xstrdup(key);
	slot->hash = hash;
	slot->value = value;
	m->len++;
	return NULL;
}

void *hashmap_remove(struct hashmap *m, const char *key)
{
	bool found;
	struct hashmap_slot *slot;
	void *value;

	if (!m->cap)
		return NULL;
	slot = find_slot(m, key, hashmap_hash(key), &found);
	if (!found)
		return NULL;
	value = slot->value;
	free(slot->key);
	slot->key = HASHMAP_TOMBSTONE;
	slot->value = NULL;
	m->len--;
	return value;
}

bool hashmap_next(const struct hashmap *m, size_t *pos, const char **ret_key, void **ret_value)
{
	for (; *pos < m->cap; (*pos)++) {
		const struct hashmap_slot *slot = &m->slots[*pos];

		if (slot->key && slot->key != HASHMAP_TOMBSTONE) {
			if (ret_key)
				*ret_key = slot->key;
			if (ret_value)
				*ret_value = slot->value;
			(*pos)++;
			return true;
		}
	}
	return false;
}
