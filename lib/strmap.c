/* strmap.c — separate-chaining hash map (FNV-1a) that doubles when the
 * load factor passes 3/4. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static uint64_t strmap_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

void strmap_init(struct strmap *map)
{
	map->buckets = NULL;
	map->nbuckets = 0;
	map->len = 0;
}

void strmap_release(struct strmap *map, void (*free_value)(void *value))
{
	for (size_t i = 0; i < map->nbuckets; i++) {
		struct strmap_entry *e = map->buckets[i];

		while (e) {
			struct strmap_entry *next = e->next;

			if (free_value)
				free_value(e->value);
			free(e->key);
			free(e);
			e = next;
		}
	}
	free(map->buckets);
	strmap_init(map);
}

static struct strmap_entry **strmap_slot(const struct strmap *map, const char *key)
{
	struct strmap_entry **slot;

	if (!map->nbuckets)
		return NULL;
	slot = &map->buckets[strmap_hash(key) & (map->nbuckets - 1)];
	while (*slot && strcmp((*slot)->key, key) != 0)
		slot = &(*slot)->next;
	return slot;
}

void *strmap_get(const struct strmap *map, const char *key)
{
	struct strmap_entry **slot = strmap_slot(map, key);

	return slot && *slot ? (*slot)->value : NULL;
}

bool strmap_contains(const struct strmap *map, const char *key)
{
	struct strmap_entry **slot = strmap_slot(map, key);

	return slot && *slot;
}

static void strmap_resize(struct strmap *map, size_t nbuckets)
{
	struct strmap_entry **buckets = xcalloc(nbuckets, sizeof(*buckets));

	for (size_t i = 0; i < map->nbuckets; i++) {
		struct strmap_entry *e = map->buckets[i];

		while (e) {
			struct strmap_entry *next = e->next;
			size_t b = strmap_hash(e->key) & (nbuckets - 1);

			e->next = buckets[b];
			buckets[b] = e;
			e = next;
		}
	}
	free(map->buckets);
	map->buckets = buckets;
	map->nbuckets = nbuckets;
}

void *strmap_put(struct strmap *map, const char *key, void *value)
{
	struct strmap_entry **slot, *e;

	if (!map->nbuckets)
		strmap_resize(map, 16);
	slot = strmap_slot(map, key);
	if (*slot) {
		void *old = (*slot)->value;

		(*slot)->value = value;
		return old;
	}
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->value = value;
	e->next = NULL;
	*slot = e;
	map->len++;
	if (map->len > map->nbuckets / 4 * 3)
		strmap_resize(map, map->nbuckets * 2);
	return NULL;
}

void *strmap_remove(struct strmap *map, const char *key)
{
	struct strmap_entry **slot = strmap_slot(map, key), *e;
	void *value;

	if (!slot || !*slot)
		return NULL;
	e = *slot;
	*slot = e->next;
	value = e->value;
	free(e->key);
	free(e);
	map->len--;
	return value;
}

void strmap_iter_init(struct strmap_iter *it, struct strmap *map)
{
	it->map = map;
	it->bucket = 0;
	it->entry = NULL;
	it->next = map->nbuckets ? map->buckets[0] : NULL;
}

bool strmap_iter_next(struct strmap_iter *it, const char **ret_key, void **ret_value)
{
	while (!it->next) {
		if (++it->bucket >= it->map->nbuckets) {
			it->entry = NULL;
			return false;
		}
		it->next = it->map->buckets[it->bucket];
	}
	it->entry = it->next;
	it->next = it->entry->next;
	if (ret_key)
		*ret_key = it->entry->key;
	if (ret_value)
		*ret_value = it->entry->value;
	return true;
}

void *strmap_iter_remove(struct strmap_iter *it)
{
	struct strmap_entry *e = it->entry;

	if (!e)
		return NULL;
	it->entry = NULL;
	return strmap_remove(it->map, e->key);
}
