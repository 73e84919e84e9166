/* wal.h — the store's persistence in a state directory: a snapshot of
 * every object at some resourceVersion plus write-ahead log segments with
 * each change since, each record checksummed so that a write torn by a
 * crash is detected and dropped on the next start.
 *
 * Layout: <dir>/snapshot and <dir>/wal.<seq> (seq increasing). A record is
 * a header line "<op> <rv> <resource> <crc32> <length>\n" followed by
 * <length> bytes of JSON and "\n"; op is P (the object as stored) or D
 * (the final state of a removed object). The snapshot begins with the
 * line "konduktor-store 1 <rv>\n" and holds only P records.
 *
 * Locking: wal_append() and wal_rotate() are called with the store's lock
 * held (so records are in resourceVersion order); wal_sync() and
 * wal_write_snapshot() without it. */
#ifndef KONDUKTOR_LC_WAL_H
#define KONDUKTOR_LC_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "resource.h"

struct wal;

struct wal_record {
	char op; /* 'P' or 'D' */
	uint64_t rv;
	enum resource_kind kind;
	const char *json;
	size_t len;
	bool from_snapshot; /* replay only: the record is a snapshot's, not a change */
};

/* Called for each record, in order: the snapshot's first, then each
 * segment's (records at or below the snapshot's version are skipped). */
typedef int (*wal_replay_fn)(void *ctx, const struct wal_record *rec, struct error *err);

/* Opens (creating) the state directory, replays it through fn and opens a
 * new segment for appends. A torn record at the end of the last segment is
 * cut off with a warning; damage anywhere else is an error naming the file
 * and offset. *ret_rv is the highest version found. */
int wal_open(const char *dir, wal_replay_fn fn, void *ctx, struct wal **ret, uint64_t *ret_rv,
	     struct error *err);
void wal_close(struct wal *w);

/* Appends a record (write(2) only; see wal_sync()). */
int wal_append(struct wal *w, const struct wal_record *rec, struct error *err);
/* Makes every record up to rv durable (fdatasync), unless already so. */
int wal_sync(struct wal *w, uint64_t rv, struct error *err);
/* True when the log has grown enough that a new snapshot pays off. */
bool wal_wants_snapshot(const struct wal *w);

/* Starts a new segment; records appended before belong to the segments a
 * snapshot at the current version replaces. Returns the first segment
 * number that must be kept. */
int wal_rotate(struct wal *w, uint64_t *ret_keep_from, struct error *err);
/* Writes a snapshot at version rv from the given P records (built by the
 * caller from the objects current at rv), then deletes the segments
 * before keep_from. */
int wal_write_snapshot(struct wal *w, uint64_t rv, const struct wal_record *records, size_t n,
		       uint64_t keep_from, struct error *err);

#endif
