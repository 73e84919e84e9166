/* crilog.c — writing and reading CRI-format container log records. */
#include "crilog.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "strutil.h"
#include "timeutil.h"

void crilog_stream_init(struct crilog_stream *s, const char *name)
{
	s->name = name;
	buf_init(&s->pending, CRILOG_MAX_RECORD);
	s->since = (struct timespec){ 0 };
}

void crilog_stream_release(struct crilog_stream *s)
{
	buf_release(&s->pending);
}

static int append_record(struct buf *out, const struct timespec *ts, const char *stream,
			 bool partial, const char *text, size_t len)
{
	char stamp[RFC3339_MAX];
	size_t mark = out->len;

	time_format_rfc3339_nano(ts, stamp);
	if (buf_printf(out, "%s %s %c ", stamp, stream, partial ? 'P' : 'F') < 0 ||
	    buf_append(out, text, len) < 0 || buf_putc(out, '\n') < 0) {
		buf_truncate(out, mark);
		return -1;
	}
	return 0;
}

int crilog_stream_feed(struct crilog_stream *s, const char *data, size_t len,
		       const struct timespec *now, struct buf *out)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		size_t room = CRILOG_MAX_RECORD - s->pending.len;

		if (s->pending.len == 0)
			s->since = *now;
		if (take >= room) {
			/* The line is longer than a record: emit a full-size P record. */
			if (buf_append(&s->pending, data, room) < 0 ||
			    append_record(out, &s->since, s->name, true, s->pending.data,
					  s->pending.len) < 0)
				return -1;
			buf_reset(&s->pending);
			data += room;
			len -= room;
			continue;
		}
		if (buf_append(&s->pending, data, take) < 0)
			return -1;
		data += take;
		len -= take;
		if (!nl)
			break;
		if (append_record(out, &s->since, s->name, false, s->pending.data,
				  s->pending.len) < 0)
			return -1;
		buf_reset(&s->pending);
		data++; /* the newline */
		len--;
	}
	return 0;
}

int crilog_stream_finish(struct crilog_stream *s, struct buf *out)
{
	int ret = 0;

	if (s->pending.len)
		ret = append_record(out, &s->since, s->name, true, s->pending.data, s->pending.len);
	buf_reset(&s->pending);
	return ret;
}

int crilog_read_tail(const char *path, size_t max_lines, size_t max_bytes, struct buf *out,
		     struct error *err)
{
	/* max_lines records of at most CRILOG_MAX_RECORD text bytes, plus the
	 * prefix of each, bound what has to be read from the end. */
	size_t window = max_lines * (CRILOG_MAX_RECORD + 64);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct buf tail = BUF_INIT(window + 1);
	struct buf text = BUF_INIT(window + 1);
	struct stat st;
	off_t start;
	size_t pos, lines = 0;
	int ret = -1;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return error_set_code(err, errno, "cannot open log '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		error_set_code(err, errno, "cannot inspect log '%s': %s", path, strerror(errno));
		goto out;
	}
	start = st.st_size > (off_t)window ? st.st_size - (off_t)window : 0;
	if (lseek(fd, start, SEEK_SET) < 0 || fd_read_all(fd, &tail, err) < 0) {
		error_prefix(err, "log '%s'", path);
		goto out;
	}
	/* Find where the last max_lines records start, counting back over
	 * newlines (a final record without newline counts too). */
	pos = tail.len;
	if (pos && tail.data[pos - 1] == '\n')
		pos--;
	while (pos > 0 && lines < max_lines) {
		if (tail.data[pos - 1] == '\n' && ++lines == max_lines)
			break;
		pos--;
	}
	if (pos == 0 && start > 0) {
		/* The window began mid-record: skip that piece. */
		const char *nl = memchr(tail.data, '\n', tail.len);

		pos = nl ? (size_t)(nl - tail.data) + 1 : tail.len;
	}
	while (pos < tail.len) {
		const char *line = tail.data + pos;
		const char *nl = memchr(line, '\n', tail.len - pos);
		size_t len = nl ? (size_t)(nl - line) : tail.len - pos;
		struct podlog_record r;

		if (podlog_parse_line(line, len, &r) == 0) {
			buf_append(&text, r.content, r.content_len);
			if (!r.partial)
				buf_putc(&text, '\n');
		}
		pos += len + (nl ? 1 : 0);
	}
	if (text.len > max_bytes)
		buf_consume(&text, text.len - max_bytes);
	if (buf_append(out, text.data, text.len) < 0) {
		error_set(err, "log '%s': tail does not fit", path);
		goto out;
	}
	ret = 0;
out:
	buf_release(&tail);
	buf_release(&text);
	return ret;
}
