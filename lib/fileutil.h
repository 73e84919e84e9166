/* fileutil.h — reading and writing whole files with limits, atomically and
 * with the right permissions (key material is always 0600). */
#ifndef KONDUKTOR_FILEUTIL_H
#define KONDUKTOR_FILEUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "error.h"

/* Appends the whole file to `out` (whose max bounds the read). Errors name
 * the path; a file larger than out->max is an error, never silently cut. */
int file_read_all(const char *path, struct buf *out, struct error *err);
/* Reads everything from fd (up to out->max); -1 with err on failure. */
int fd_read_all(int fd, struct buf *out, struct error *err);
/* Writes all bytes, retrying on EINTR and short writes. */
int fd_write_all(int fd, const void *data, size_t len);
/* Writes to a temporary file in the same directory with `mode`, fsyncs and
 * renames it over `path`. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct error *err);
/* mkdir -p with `mode` for directories created. */
int mkdir_parents(const char *path, mode_t mode, struct error *err);
/* Removes a directory tree (like rm -rf); missing is not an error. */
int remove_tree(const char *path, struct error *err);
/* The directory part of path ("." if none), newly allocated. */
char *path_dirname(const char *path);
/* Joins dir and rel unless rel is absolute; newly allocated. */
char *path_join(const char *dir, const char *rel);
/* The shortest path equivalent to an absolute `path` by purely lexical
 * processing (as Go's path.Clean): repeated and trailing slashes, "." and
 * ".." are removed; ".." at the root stays at the root. Newly allocated. */
char *path_clean(const char *path);
/* Expands a leading "~/" using $HOME; newly allocated. */
char *path_expand_home(const char *path);

#endif
