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

/* Parses "2024-01-02T03:04:05.123456789Z" (1 to 9 fraction digits). */
static int parse_time(const char *s, size_t len, struct timespec *ret)
{
	char text[RFC3339_MAX];
	const char *dot;
	long nsec = 0;
	time_t secs;

	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	if (time_parse_rfc3339(text, &secs) < 0)
		return -1;
	dot = strchr(text, '.');
	if (dot) {
		int digits = 0;

		for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				nsec = nsec * 10 + (*p - '0');
		for (; digits < 9; digits++)
			nsec *= 10;
	}
	ret->tv_sec = secs;
	ret->tv_nsec = nsec;
	return 0;
}

int crilog_parse_record(const char *line, size_t len, struct crilog_record *ret)
{
	const char *end = line + len;
	const char *sp1 = memchr(line, ' ', len);
	const char *sp2, *tag;
	struct crilog_record r = { 0 };

	if (!sp1 || parse_time(line, (size_t)(sp1 - line), &r.time) < 0)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (!sp2)
		return -1;
	if ((size_t)(sp2 - sp1 - 1) == 6 && !memcmp(sp1 + 1, "stdout", 6))
		r.is_stderr = false;
	else if ((size_t)(sp2 - sp1 - 1) == 6 && !memcmp(sp1 + 1, "stderr", 6))
		r.is_stderr = true;
	else
		return -1;
	tag = sp2 + 1;
	if (tag >= end || (*tag != 'F' && *tag != 'P'))
		return -1;
	r.partial = *tag == 'P';
	if (tag + 1 == end) {
		r.text = end;
	} else if (tag[1] == ' ') {
		r.text = tag + 2;
	} else {
		return -1;
	}
	r.text_len = (size_t)(end - r.text);
	*ret = r;
	return 0;
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
		struct crilog_record r;

		if (crilog_parse_record(line, len, &r) == 0) {
			buf_append(&text, r.text, r.text_len);
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
