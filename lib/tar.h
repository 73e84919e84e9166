/* tar.h — a small POSIX ustar archive writer: regular files and
 * directories only, owner root, permission bits kept (set-id and sticky
 * bits dropped), no record padding. Its reader is `tar -xf` in a pod
 * (GNU tar and BusyBox tar both read it).
 *
 * A tar_sink appends to a bounded struct buf but counts every byte it was
 * asked to write, so a caller that runs out of room still learns how large
 * the archive would have been (to say so in its error). */
#ifndef KONDUKTOR_TAR_H
#define KONDUKTOR_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "error.h"

#define TAR_BLOCK 512

struct tar_sink {
	struct buf *out;
	size_t total;    /* bytes the archive has (or would have) so far */
	bool overflowed; /* out->max was reached: out holds a truncated archive */
};

void tar_sink_init(struct tar_sink *sink, struct buf *out);

/* Bytes an entry with `len` bytes of content takes (header + padded data). */
size_t tar_entry_size(size_t len);

/* Entry names are relative ("dir/file"); a directory's name gets a trailing
 * '/'. Names that do not fit ustar's 100+155 split, that are absolute or
 * contain "..", are refused with err. */
int tar_add_directory(struct tar_sink *sink, const char *name, mode_t mode, time_t mtime,
		      struct error *err);
int tar_add_file(struct tar_sink *sink, const char *name, mode_t mode, time_t mtime,
		 const void *data, size_t len, struct error *err);
/* Counts an entry without its data (the caller knows it cannot fit). */
void tar_count_file(struct tar_sink *sink, size_t len);
/* Appends the end-of-archive marker (two zero blocks). */
void tar_finish(struct tar_sink *sink);

#endif
