/* progress.h — the live progress line a waiting group command shows on a
 * terminal's stderr: inputs done, failed, running and pending, the rate
 * since the command started and the time left at that rate.
 *
 *   grp-1a2b3c4d  37/50 done, 2 failed, 3 running, 10 pending  4.1/s  3s left
 *
 * Formatting is pure (times are passed in); progress_show()/_clear() write
 * the line in place ("\r", the line, erase to its end). Only commands that
 * decided stderr is a terminal (term_is_terminal()) call them: piped, a
 * command prints nothing but its results. */
#ifndef KONDUKTOR_PROGRESS_H
#define KONDUKTOR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct progress_counts {
	size_t total;
	size_t done;    /* finished: succeeded or failed */
	size_t failed;  /* of done */
	size_t running;
	size_t pending;
};

struct progress {
	int64_t started_ms;  /* when following began (time_mono_ms()) */
	size_t done_at_start; /* inputs already done then: they do not count for the rate */
};

#define PROGRESS_LINE_MAX 160
#define PROGRESS_DURATION_MAX 32

void progress_start(struct progress *p, size_t done_now, int64_t now_ms);
/* The line for `counts` at `now_ms` (no newline). */
void progress_format(const struct progress *p, const char *group_id,
		     const struct progress_counts *counts, int64_t now_ms,
		     char out[PROGRESS_LINE_MAX]);
/* "42s", "3m12s", "1h04m", "2d03h". */
void progress_format_duration(int64_t seconds, char out[PROGRESS_DURATION_MAX]);

/* Writes the line over the previous one on `stream`, and clears it. */
void progress_show(FILE *stream, const char *line);
void progress_clear(FILE *stream);

#endif
