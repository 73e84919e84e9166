/* crilog.h — container log files in the CRI format the kubelet reads:
 * one record per line, "<RFC3339Nano time> <stdout|stderr> <F|P> <text>\n".
 * F ends a line of the container's output (the newline is not kept in the
 * text); P is a piece of a longer line, or a last line with no newline,
 * that continues in the next record. The time is when the runner read the
 * first byte of the record, so `timestamps=true` and `sinceSeconds` work.
 *
 * The process runner writes these files; the API server's pod log
 * endpoint reads them with crilog_parse_record(). */
#ifndef KONDUKTOR_CRILOG_H
#define KONDUKTOR_CRILOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"

/* containerd splits lines longer than this into P records. */
#define CRILOG_MAX_RECORD ((size_t)16 * 1024)

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

/* A parsed record; `text` points into the parsed line. */
struct crilog_record {
	struct timespec time;
	bool is_stderr;
	bool partial;       /* P: no newline follows text */
	const char *text;
	size_t text_len;
};

/* Parses one record (without its trailing newline). -1 if malformed. */
int crilog_parse_record(const char *line, size_t len, struct crilog_record *ret);

/* The text of the last `max_lines` records of the log at `path`, keeping
 * only the last `max_bytes` bytes of it: what the kubelet reports as the
 * termination message under FallbackToLogsOnError (80 lines, 2048 bytes).
 * Appends to out. A missing file gives nothing. */
int crilog_read_tail(const char *path, size_t max_lines, size_t max_bytes, struct buf *out,
		     struct error *err);

#endif
