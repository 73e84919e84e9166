/* inodes.c — stable inode numbers from path hashes, with the kernel's
 * lookup counts (see inodes.h). */
#include "inodes.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "xalloc.h"

/* Numbers tried after a collision before giving up (a 64-bit hash makes
 * even one collision unlikely among millions of paths). */
#define PROBES 64

struct inode {
	uint64_t ino;
	uint64_t nlookup;
	char path[];
};

struct inode_table {
	pthread_mutex_t lock;
	struct hashmap by_ino; /* "%016" PRIx64 -> struct inode */
};

static void ino_key(uint64_t ino, char key[17])
{
	snprintf(key, 17, "%016" PRIx64, ino);
}

static uint64_t first_ino(const char *path)
{
	uint64_t ino = (uint64_t)hashmap_hash(path);

	return ino <= INODE_ROOT ? ino + 2 : ino;
}

static uint64_t next_ino(uint64_t ino)
{
	return ino == UINT64_MAX ? INODE_ROOT + 1 : ino + 1;
}

static struct inode *inode_new(uint64_t ino, const char *path)
{
	size_t len = strlen(path);
	struct inode *node = xmalloc(sizeof(*node) + len + 1);

	node->ino = ino;
	node->nlookup = 0;
	memcpy(node->path, path, len + 1);
	return node;
}

struct inode_table *inode_table_new(void)
{
	struct inode_table *t = xcalloc(1, sizeof(*t));
	char key[17];

	pthread_mutex_init(&t->lock, NULL);
	hashmap_init(&t->by_ino);
	ino_key(INODE_ROOT, key);
	hashmap_put(&t->by_ino, key, inode_new(INODE_ROOT, ""));
	return t;
}

void inode_table_free(struct inode_table *t)
{
	size_t pos = 0;
	void *value;

	if (!t)
		return;
	while (hashmap_next(&t->by_ino, &pos, NULL, &value))
		free(value);
	hashmap_release(&t->by_ino);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Under the lock: the inode of a path, or the free number it would get
 * (*ret_free), probing from its hash. A number freed by a forget can end
 * the probe early; the only effect is a new number for a colliding path. */
static struct inode *probe(struct inode_table *t, const char *path, uint64_t *ret_free)
{
	uint64_t ino = first_ino(path);
	char key[17];

	*ret_free = 0;
	for (int i = 0; i < PROBES; i++, ino = next_ino(ino)) {
		struct inode *node;

		ino_key(ino, key);
		node = hashmap_get(&t->by_ino, key);
		if (!node) {
			*ret_free = ino;
			return NULL;
		}
		if (strcmp(node->path, path) == 0)
			return node;
	}
	return NULL;
}

uint64_t inode_table_lookup(struct inode_table *t, const char *path)
{
	struct inode *node;
	uint64_t ino;

	if (!*path)
		return INODE_ROOT;
	pthread_mutex_lock(&t->lock);
	node = probe(t, path, &ino);
	if (!node) {
		char key[17];

		if (!ino)
			die("no free inode number near the hash of '%s'", path);
		node = inode_new(ino, path);
		ino_key(ino, key);
		hashmap_put(&t->by_ino, key, node);
	}
	node->nlookup++;
	ino = node->ino;
	pthread_mutex_unlock(&t->lock);
	return ino;
}

char *inode_table_path(struct inode_table *t, uint64_t ino)
{
	char key[17];
	struct inode *node;
	char *path;

	ino_key(ino, key);
	pthread_mutex_lock(&t->lock);
	node = hashmap_get(&t->by_ino, key);
	path = node ? xstrdup(node->path) : NULL;
	pthread_mutex_unlock(&t->lock);
	return path;
}

uint64_t inode_table_find(struct inode_table *t, const char *path)
{
	struct inode *node;
	uint64_t ino, unused;

	if (!*path)
		return INODE_ROOT;
	pthread_mutex_lock(&t->lock);
	node = probe(t, path, &unused);
	ino = node ? node->ino : 0;
	pthread_mutex_unlock(&t->lock);
	return ino;
}

uint64_t inode_table_number(struct inode_table *t, const char *path)
{
	struct inode *node;
	uint64_t ino;

	if (!*path)
		return INODE_ROOT;
	pthread_mutex_lock(&t->lock);
	node = probe(t, path, &ino);
	if (node)
		ino = node->ino;
	pthread_mutex_unlock(&t->lock);
	return ino ? ino : first_ino(path);
}

void inode_table_forget(struct inode_table *t, uint64_t ino, uint64_t nlookup)
{
	char key[17];
	struct inode *node;

	if (ino == INODE_ROOT)
		return;
	ino_key(ino, key);
	pthread_mutex_lock(&t->lock);
	node = hashmap_get(&t->by_ino, key);
	if (node) {
		node->nlookup = nlookup < node->nlookup ? node->nlookup - nlookup : 0;
		if (!node->nlookup) {
			hashmap_remove(&t->by_ino, key);
			free(node);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

size_t inode_table_count(struct inode_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->by_ino.len;
	pthread_mutex_unlock(&t->lock);
	return n;
}
