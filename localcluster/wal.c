/* wal.c — snapshot + write-ahead log persistence of the store. */
#include "wal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "log.h"
#include "strutil.h"
#include "xalloc.h"

#define WAL_MAGIC "konduktor-store 1"
/* One object's JSON may not exceed this (the HTTP layer's body limit is
 * lower); a header claiming more is damage. */
#define WAL_MAX_RECORD ((size_t)64 * 1024 * 1024)
#define WAL_HEADER_MAX 160
/* Take a new snapshot once the log holds this many bytes and more than
 * twice what the last snapshot held. */
#define WAL_SNAPSHOT_MIN_BYTES ((uint64_t)32 * 1024 * 1024)

struct wal {
	char *dir;
	int dir_fd;
	pthread_mutex_t sync_lock; /* guards fd/seq against wal_sync() */
	int fd;                    /* the segment being appended to */
	uint64_t seq;
	uint64_t appended_rv;      /* written by wal_append() under the store lock */
	uint64_t synced_rv;        /* under sync_lock */
	uint64_t log_bytes;        /* appended since the last snapshot */
	uint64_t snapshot_bytes;
};

static uint32_t crc32_table[256];
static pthread_once_t crc32_once = PTHREAD_ONCE_INIT;

static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc32_table[i] = c;
	}
}

static uint32_t crc32_of(const char *data, size_t len)
{
	uint32_t c = 0xffffffffu;

	pthread_once(&crc32_once, crc32_init);
	for (size_t i = 0; i < len; i++)
		c = crc32_table[(c ^ (unsigned char)data[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static int kind_from_plural(const char *plural, enum resource_kind *ret)
{
	for (int k = 0; k < RESOURCE_COUNT; k++)
		if (!strcmp(resources[k].plural, plural)) {
			*ret = (enum resource_kind)k;
			return 0;
		}
	return -1;
}

static int format_record(struct buf *out, const struct wal_record *rec)
{
	if (buf_printf(out, "%c %" PRIu64 " %s %08x %zu\n", rec->op, rec->rv,
		       resource_get(rec->kind)->plural, crc32_of(rec->json, rec->len),
		       rec->len) < 0 ||
	    buf_append(out, rec->json, rec->len) < 0 || buf_putc(out, '\n') < 0)
		return -1;
	return 0;
}

/* Reads records from f until EOF. Returns 0 at a clean end, 1 when a torn
 * or damaged record starts at *ret_bad_offset, -1 when fn failed. */
static int read_records(FILE *f, const char *path, bool is_snapshot, uint64_t skip_upto,
			wal_replay_fn fn, void *ctx, uint64_t *max_rv, long *ret_bad_offset,
			struct error *err)
{
	char header[WAL_HEADER_MAX];
	struct buf payload = BUF_INIT(WAL_MAX_RECORD + 1);
	int ret = 0;

	for (;;) {
		long offset = ftell(f);
		char op, plural[64];
		uint64_t rv;
		unsigned crc;
		size_t len;
		struct wal_record rec = { 0 };
		size_t got;

		if (!fgets(header, sizeof(header), f))
			break; /* clean end of file */
		if (sscanf(header, "%c %" SCNu64 " %63s %x %zu", &op, &rv, plural, &crc, &len) != 5 ||
		    (op != 'P' && op != 'D') || len > WAL_MAX_RECORD ||
		    !strchr(header, '\n') || kind_from_plural(plural, &rec.kind) < 0) {
			*ret_bad_offset = offset;
			ret = 1;
			break;
		}
		buf_reset(&payload);
		if (buf_grow(&payload, len + 1) < 0) {
			*ret_bad_offset = offset;
			ret = 1;
			break;
		}
		got = fread(payload.data, 1, len + 1, f);
		if (got != len + 1 || payload.data[len] != '\n' ||
		    crc32_of(payload.data, len) != crc) {
			*ret_bad_offset = offset;
			ret = 1;
			break;
		}
		payload.len = len;
		payload.data[len] = '\0';
		if (rv <= skip_upto)
			continue;
		rec.op = op;
		rec.rv = rv;
		rec.json = payload.data;
		rec.len = len;
		rec.from_snapshot = is_snapshot;
		if (fn(ctx, &rec, err) < 0) {
			error_prefix(err, "'%s': record at offset %ld", path, offset);
			ret = -1;
			break;
		}
		if (rv > *max_rv)
			*max_rv = rv;
	}
	buf_release(&payload);
	return ret;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The segment numbers in dir, sorted. */
static int list_segments(const char *dir, uint64_t **ret, size_t *ret_len, struct error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t *seqs = NULL;
	size_t n = 0;

	if (!d)
		return error_set(err, "cannot read '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		uint64_t seq;

		if (!str_has_prefix(e->d_name, "wal.") || str_to_uint64(e->d_name + 4, &seq) < 0)
			continue;
		seqs = xreallocarray(seqs, n + 1, sizeof(*seqs));
		seqs[n++] = seq;
	}
	closedir(d);
	if (n)
		qsort(seqs, n, sizeof(*seqs), compare_u64);
	*ret = seqs;
	*ret_len = n;
	return 0;
}

static char *segment_path(const struct wal *w, uint64_t seq)
{
	return xasprintf("%s/wal.%08" PRIu64, w->dir, seq);
}

static int replay(struct wal *w, wal_replay_fn fn, void *ctx, uint64_t *ret_rv, uint64_t *ret_seq,
		  struct error *err)
{
	_cleanup_free_ char *snapshot = path_join(w->dir, "snapshot");
	_cleanup_free_ uint64_t *seqs = NULL;
	uint64_t snapshot_rv = 0, max_rv = 0;
	size_t n_seqs = 0;
	FILE *f;

	f = fopen(snapshot, "re");
	if (f) {
		char header[WAL_HEADER_MAX];
		long bad = 0;
		int r;
		struct stat st;

		if (fgets(header, sizeof(header), f))
			header[strcspn(header, "\n")] = '\0';
		else
			header[0] = '\0';
		if (!str_has_prefix(header, WAL_MAGIC " ") ||
		    str_to_uint64(header + strlen(WAL_MAGIC " "), &snapshot_rv) < 0) {
			fclose(f);
			return error_set(err, "'%s': not a konduktor-localcluster snapshot", snapshot);
		}
		r = read_records(f, snapshot, true, 0, fn, ctx, &max_rv, &bad, err);
		if (fstat(fileno(f), &st) == 0)
			w->snapshot_bytes = (uint64_t)st.st_size;
		fclose(f);
		if (r < 0)
			return -1;
		if (r > 0)
			return error_set(err, "'%s': damaged record at offset %ld", snapshot, bad);
		if (snapshot_rv > max_rv)
			max_rv = snapshot_rv;
	} else if (errno != ENOENT) {
		return error_set(err, "cannot open '%s': %s", snapshot, strerror(errno));
	}

	if (list_segments(w->dir, &seqs, &n_seqs, err) < 0)
		return -1;
	for (size_t i = 0; i < n_seqs; i++) {
		_cleanup_free_ char *path = segment_path(w, seqs[i]);
		long bad = 0;
		int r;

		f = fopen(path, "re");
		if (!f)
			return error_set(err, "cannot open '%s': %s", path, strerror(errno));
		r = read_records(f, path, false, snapshot_rv, fn, ctx, &max_rv, &bad, err);
		fclose(f);
		if (r < 0)
			return -1;
		if (r > 0) {
			if (i + 1 < n_seqs)
				return error_set(err, "'%s': damaged record at offset %ld", path, bad);
			/* The last write before a crash may be torn: drop it. */
			log_warn("'%s': dropping a torn record at offset %ld", path, bad);
			if (truncate(path, bad) < 0)
				return error_set(err, "cannot truncate '%s': %s", path,
						 strerror(errno));
		}
		{
			struct stat st;

			if (stat(path, &st) == 0)
				w->log_bytes += (uint64_t)st.st_size;
		}
	}
	*ret_rv = max_rv;
	*ret_seq = n_seqs ? seqs[n_seqs - 1] + 1 : 1;
	return 0;
}

static int open_segment(struct wal *w, uint64_t seq, struct error *err)
{
	_cleanup_free_ char *path = segment_path(w, seq);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		return error_set(err, "cannot create '%s': %s", path, strerror(errno));
	if (fsync(w->dir_fd) < 0) {
		close(fd);
		return error_set(err, "cannot sync '%s': %s", w->dir, strerror(errno));
	}
	w->fd = fd;
	w->seq = seq;
	return 0;
}

int wal_open(const char *dir, wal_replay_fn fn, void *ctx, struct wal **ret, uint64_t *ret_rv,
	     struct error *err)
{
	struct wal *w;
	uint64_t rv = 0, seq = 1;

	if (mkdir_parents(dir, 0700, err) < 0)
		return -1;
	w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(dir);
	w->fd = -1;
	pthread_mutex_init(&w->sync_lock, NULL);
	w->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dir_fd < 0) {
		error_set(err, "cannot open '%s': %s", dir, strerror(errno));
		wal_close(w);
		return -1;
	}
	if (replay(w, fn, ctx, &rv, &seq, err) < 0 || open_segment(w, seq, err) < 0) {
		wal_close(w);
		return -1;
	}
	w->appended_rv = w->synced_rv = rv;
	*ret = w;
	*ret_rv = rv;
	return 0;
}

void wal_close(struct wal *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		fdatasync(w->fd);
		close(w->fd);
	}
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	pthread_mutex_destroy(&w->sync_lock);
	free(w->dir);
	free(w);
}

int wal_append(struct wal *w, const struct wal_record *rec, struct error *err)
{
	struct buf out = BUF_INIT(WAL_MAX_RECORD + WAL_HEADER_MAX);
	int ret = 0;

	if (format_record(&out, rec) < 0) {
		ret = error_set(err, "record of %zu bytes is too large for the log", rec->len);
	} else if (fd_write_all(w->fd, out.data, out.len) < 0) {
		ret = error_set(err, "cannot write the log in '%s': %s", w->dir, strerror(errno));
	} else {
		__atomic_store_n(&w->appended_rv, rec->rv, __ATOMIC_RELEASE);
		w->log_bytes += out.len;
	}
	buf_release(&out);
	return ret;
}

int wal_sync(struct wal *w, uint64_t rv, struct error *err)
{
	int ret = 0;

	pthread_mutex_lock(&w->sync_lock);
	if (w->synced_rv < rv) {
		uint64_t upto = __atomic_load_n(&w->appended_rv, __ATOMIC_ACQUIRE);

		if (fdatasync(w->fd) < 0)
			ret = error_set(err, "cannot sync the log in '%s': %s", w->dir,
					strerror(errno));
		else
			w->synced_rv = upto;
	}
	pthread_mutex_unlock(&w->sync_lock);
	return ret;
}

bool wal_wants_snapshot(const struct wal *w)
{
	return w->log_bytes >= WAL_SNAPSHOT_MIN_BYTES && w->log_bytes > 2 * w->snapshot_bytes;
}

int wal_rotate(struct wal *w, uint64_t *ret_keep_from, struct error *err)
{
	int old_fd = w->fd;
	uint64_t old_seq = w->seq;
	int ret;

	pthread_mutex_lock(&w->sync_lock);
	/* Everything in the old segment becomes durable before it is left. */
	if (fdatasync(old_fd) < 0) {
		ret = error_set(err, "cannot sync the log in '%s': %s", w->dir, strerror(errno));
	} else if ((ret = open_segment(w, old_seq + 1, err)) == 0) {
		w->synced_rv = w->appended_rv;
		close(old_fd);
		w->log_bytes = 0;
		*ret_keep_from = w->seq;
	}
	pthread_mutex_unlock(&w->sync_lock);
	return ret;
}

int wal_write_snapshot(struct wal *w, uint64_t rv, const struct wal_record *records, size_t n,
		       uint64_t keep_from, struct error *err)
{
	_cleanup_free_ char *path = path_join(w->dir, "snapshot");
	_cleanup_free_ char *tmp = path_join(w->dir, "snapshot.tmp");
	_cleanup_free_ uint64_t *seqs = NULL;
	struct buf out = BUF_INIT(WAL_MAX_RECORD + WAL_HEADER_MAX);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	uint64_t total = 0;
	size_t n_seqs = 0;

	if (fd < 0)
		return error_set(err, "cannot create '%s': %s", tmp, strerror(errno));
	buf_printf(&out, WAL_MAGIC " %" PRIu64 "\n", rv);
	for (size_t i = 0; i <= n; i++) {
		/* Flush in chunks of a few MB so memory stays flat. */
		if (i == n || out.len > 4 * 1024 * 1024) {
			if (fd_write_all(fd, out.data, out.len) < 0) {
				buf_release(&out);
				unlink(tmp);
				return error_set(err, "cannot write '%s': %s", tmp, strerror(errno));
			}
			total += out.len;
			buf_reset(&out);
		}
		if (i < n && format_record(&out, &records[i]) < 0) {
			buf_release(&out);
			unlink(tmp);
			return error_set(err, "snapshot record too large");
		}
	}
	buf_release(&out);
	if (fsync(fd) < 0 || rename(tmp, path) < 0 || fsync(w->dir_fd) < 0) {
		int e = errno;

		unlink(tmp);
		return error_set(err, "cannot write '%s': %s", path, strerror(e));
	}
	w->snapshot_bytes = total;
	if (list_segments(w->dir, &seqs, &n_seqs, err) < 0)
		return -1;
	for (size_t i = 0; i < n_seqs; i++) {
		if (seqs[i] < keep_from) {
			_cleanup_free_ char *old = segment_path(w, seqs[i]);

			unlink(old);
		}
	}
	return 0;
}
