/* crilog.h — container log files in the CRI format the kubelet reads:
 * one record per line, "<RFC3339Nano time> <stdout|stderr> <F|P> <text>\n".
 * F ends a line of the container's output (the newline is not kept in the
 * text); P is a piece of a longer line, or a last line with no newline,
 * that continues in the next record. The time is when the runner read the
 * first byte of the record, so `timestamps=true` and `sinceSeconds` work.
 *
 * The process runner writes these files (the format and path contract is
 * podlog.h's, whose parser the API server's log endpoint and this file's
 * tail reader share). */
#ifndef KONDUKTOR_CRILOG_H
#define KONDUKTOR_CRILOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "podlog.h"

/* containerd splits lines longer than this into P records. */
#define CRILOG_MAX_RECORD ((size_t)PODLOG_MAX_LINE)

/* One output stream of a running container, turned into records. */
struct crilog_stream {
	const char *name;       /* "stdout" or "stderr" (static) */
	struct buf pending;     /* bytes of an unfinished line, at most CRILOG_MAX_RECORD */
	struct timespec since;  /* when the first pending byte was read */
};

void crilog_stream_init(struct crilog_stream *s, const char *name);
void crilog_stream_release(struct crilog_stream *s);
/* Appends the records for `len` more bytes read at `now` to `out`. */
int crilog_stream_feed(struct crilog_stream *s, const char *data, size_t len,
		       const struct timespec *now, struct buf *out);
/* At end of stream: a pending last line without newline becomes a P record. */
int crilog_stream_finish(struct crilog_stream *s, struct buf *out);

/* The text of the last `max_lines` records of the log at `path`, keeping
 * only the last `max_bytes` bytes of it: what the kubelet reports as the
 * termination message under FallbackToLogsOnError (80 lines, 2048 bytes).
 * Appends to out. A missing file gives nothing. */
int crilog_read_tail(const char *path, size_t max_lines, size_t max_bytes, struct buf *out,
		     struct error *err);

#endif
