/* podlog.c — pod log file paths and CRI log record parsing. */
#include "podlog.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

char *podlog_pod_dir(const char *logs_dir, const char *ns, const char *pod, const char *uid)
{
	return xasprintf("%s/%s_%s_%s", logs_dir, ns, pod, uid);
}

char *podlog_path(const char *logs_dir, const char *ns, const char *pod, const char *uid,
		  const char *container, int restart_count)
{
	return xasprintf("%s/%s_%s_%s/%s/%d.log", logs_dir, ns, pod, uid, container,
			 restart_count);
}

/* Nanoseconds of an RFC 3339 fraction (".123456789"), 0 if none. */
static long parse_nanos(const char *ts, size_t len)
{
	const char *dot = memchr(ts, '.', len);
	long nanos = 0;
	int digits = 0;

	if (!dot)
		return 0;
	for (const char *p = dot + 1; p < ts + len && *p >= '0' && *p <= '9'; p++) {
		if (digits < 9) {
			nanos = nanos * 10 + (*p - '0');
			digits++;
		}
	}
	for (; digits < 9; digits++)
		nanos *= 10;
	return nanos;
}

int podlog_parse_line(const char *line, size_t len, struct podlog_record *ret)
{
	const char *sp1 = memchr(line, ' ', len);
	const char *sp2, *sp3;
	char ts[64];
	time_t seconds;
	size_t ts_len;

	if (!sp1)
		return -1;
	ts_len = (size_t)(sp1 - line);
	sp2 = memchr(sp1 + 1, ' ', len - ts_len - 1);
	if (!sp2 || ts_len >= sizeof(ts))
		return -1;
	sp3 = sp2 + 2;
	if ((size_t)(sp3 - line) > len || (sp2[1] != 'F' && sp2[1] != 'P') ||
	    ((size_t)(sp3 - line) < len && *sp3 != ' '))
		return -1;
	memcpy(ts, line, ts_len);
	ts[ts_len] = '\0';
	if (time_parse_rfc3339(ts, &seconds) < 0)
		return -1;
	if ((size_t)(sp2 - sp1 - 1) == 6 && !memcmp(sp1 + 1, "stdout", 6))
		ret->stderr_stream = false;
	else if ((size_t)(sp2 - sp1 - 1) == 6 && !memcmp(sp1 + 1, "stderr", 6))
		ret->stderr_stream = true;
	else
		return -1;
	ret->time.tv_sec = seconds;
	ret->time.tv_nsec = parse_nanos(line, ts_len);
	ret->partial = sp2[1] == 'P';
	ret->timestamp = line;
	ret->timestamp_len = ts_len;
	if ((size_t)(sp3 - line) >= len) {
		ret->content = line + len;
		ret->content_len = 0;
	} else {
		ret->content = sp3 + 1;
		ret->content_len = len - (size_t)(sp3 + 1 - line);
	}
	return 0;
}
