/* inodes.h — the inode numbers the kernel knows, and their paths.
 *
 * A path's number is a hash of the path, so it stays the same across
 * lookups, forgets and restarts of the daemon (tools that compare st_ino
 * see the same file); a collision moves to the next free number. Each
 * number counts the kernel's lookups and is dropped when the kernel has
 * forgotten it. The root is INODE_ROOT and never forgotten. Thread-safe. */
#ifndef KONDUKTOR_FUSEFS_INODES_H
#define KONDUKTOR_FUSEFS_INODES_H

#include <stddef.h>
#include <stdint.h>

#define INODE_ROOT 1

struct inode_table;

struct inode_table *inode_table_new(void);
void inode_table_free(struct inode_table *table);

/* Counts one more kernel reference to `path` (relative to the mount root,
 * "" for the root) and returns its number. */
uint64_t inode_table_lookup(struct inode_table *table, const char *path);
/* A copy of the path of a known number (the caller frees it), or NULL. */
char *inode_table_path(struct inode_table *table, uint64_t ino);
/* The number of a path the kernel knows, or 0. */
uint64_t inode_table_find(struct inode_table *table, const char *path);
/* The number of a path, known or not (what a lookup would give it now),
 * for directory listings. */
uint64_t inode_table_number(struct inode_table *table, const char *path);
/* The kernel dropped `nlookup` references. */
void inode_table_forget(struct inode_table *table, uint64_t ino, uint64_t nlookup);
size_t inode_table_count(struct inode_table *table);

#endif
