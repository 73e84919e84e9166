/* progress.c — formatting and drawing the live progress line. */
#include "progress.h"

#include <stdio.h>
#include <string.h>

void progress_start(struct progress *p, size_t done_now, int64_t now_ms)
{
	p->started_ms = now_ms;
	p->done_at_start = done_now;
}

void progress_format_duration(int64_t seconds, char out[PROGRESS_DURATION_MAX])
{
	if (seconds < 0)
		seconds = 0;
	if (seconds < 60)
		snprintf(out, PROGRESS_DURATION_MAX, "%llds", (long long)seconds);
	else if (seconds < 3600)
		snprintf(out, PROGRESS_DURATION_MAX, "%lldm%02llds", (long long)(seconds / 60),
			 (long long)(seconds % 60));
	else if (seconds < 86400)
		snprintf(out, PROGRESS_DURATION_MAX, "%lldh%02lldm", (long long)(seconds / 3600),
			 (long long)(seconds % 3600 / 60));
	else
		snprintf(out, PROGRESS_DURATION_MAX, "%lldd%02lldh", (long long)(seconds / 86400),
			 (long long)(seconds % 86400 / 3600));
}

void progress_format(const struct progress *p, const char *group_id,
		     const struct progress_counts *c, int64_t now_ms, char out[PROGRESS_LINE_MAX])
{
	double elapsed = (double)(now_ms - p->started_ms) / 1000.0;
	size_t finished_here = c->done > p->done_at_start ? c->done - p->done_at_start : 0;
	double rate = elapsed > 0 ? (double)finished_here / elapsed : 0;
	char speed[32] = "", left[PROGRESS_DURATION_MAX + 8] = "";
	int n;

	/* No rate until something finished while we watched, and not from
	 * the first instant's noise. */
	if (finished_here > 0 && elapsed >= 1.0) {
		if (rate >= 0.1)
			snprintf(speed, sizeof(speed), "  %.1f/s", rate);
		else
			snprintf(speed, sizeof(speed), "  %.1f/min", rate * 60);
		if (c->done < c->total) {
			char duration[PROGRESS_DURATION_MAX];

			progress_format_duration((int64_t)((double)(c->total - c->done) / rate + 0.5),
						 duration);
			snprintf(left, sizeof(left), "  %s left", duration);
		}
	}
	n = snprintf(out, PROGRESS_LINE_MAX, "%s  %zu/%zu done", group_id, c->done, c->total);
	if (n > 0 && n < PROGRESS_LINE_MAX && c->failed)
		n += snprintf(out + n, PROGRESS_LINE_MAX - (size_t)n, ", %zu failed", c->failed);
	if (n > 0 && n < PROGRESS_LINE_MAX)
		snprintf(out + n, PROGRESS_LINE_MAX - (size_t)n, ", %zu running, %zu pending%s%s",
			 c->running, c->pending, speed, left);
}

void progress_show(FILE *stream, const char *line)
{
	fprintf(stream, "\r%s\033[K", line);
	fflush(stream);
}

void progress_clear(FILE *stream)
{
	fputs("\r\033[K", stream);
	fflush(stream);
}
