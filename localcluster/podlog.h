/* podlog.h — the contract between the kubelet, which writes each
 * container's output, and the pods/log endpoint, which serves it.
 *
 * PATH. One file per container run:
 *   <logs_dir>/<namespace>_<pod>_<pod uid>/<container>/<restartCount>.log
 * (the layout of the kubelet's /var/log/pods). logs_dir is <state dir>/logs
 * with a state dir, else a private directory the server creates at start
 * and removes at exit. podlog_path() builds it; the kubelet creates the
 * directories (0700) and the file (0600).
 *
 * FORMAT. The CRI log format, one record per line of output:
 *   <RFC3339Nano UTC timestamp> <stdout|stderr> <F|P> <content>\n
 * e.g. "2026-11-22T13:51:53.123456789Z stdout F hello". F marks a full
 * line (its newline was in the output); P a partial one (the output was
 * cut, at PODLOG_MAX_LINE bytes or when the process exited without a final
 * newline): the reader joins P records with the next record's content.
 * Records are appended whole (one write(2) each) so a reader never sees
 * half a header.
 *
 * FOLLOWING. A reader following a log learns that new records arrived
 * from inotify (IN_MODIFY on the file) and that no more will come from the
 * store: once the pod's status.containerStatuses[] (or
 * initContainerStatuses[]) entry for the container says state.terminated
 * with this restartCount (or a higher one), or the pod is deleted, the
 * writer has finished and flushed the file. So the kubelet must write the
 * last record before it publishes the terminated state. */
#ifndef KONDUKTOR_LC_PODLOG_H
#define KONDUKTOR_LC_PODLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Longest content of one record; longer lines are split into P records. */
#define PODLOG_MAX_LINE (16 * 1024)

/* The directory of one pod's logs, newly allocated. */
char *podlog_pod_dir(const char *logs_dir, const char *ns, const char *pod, const char *uid);
/* The file of one container run, newly allocated. */
char *podlog_path(const char *logs_dir, const char *ns, const char *pod, const char *uid,
		  const char *container, int restart_count);

/* One parsed record, pointing into the line it was parsed from. */
struct podlog_record {
	struct timespec time;
	bool stderr_stream;
	bool partial;          /* P: the content continues in the next record */
	const char *timestamp; /* the timestamp text, timestamp_len bytes */
	size_t timestamp_len;
	const char *content;   /* content_len bytes, without the newline */
	size_t content_len;
};

/* Parses one line (without its newline). Returns 0, or -1 if the line is
 * not a record (the reader skips such lines). */
int podlog_parse_line(const char *line, size_t len, struct podlog_record *ret);

#endif
