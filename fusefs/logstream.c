/* logstream.c — pods' logs fetched on demand into unlinked temporary files,
 * one stream (and thread) per pod, shared by readers (see logstream.h).
 *
 * Locks: the registry's lock guards its map and each stream's users and
 * idle time; a stream's own lock guards its bytes and state. The registry
 * lock is taken first when both are needed. */
#include "logstream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "hashmap.h"
#include "manifest.h"
#include "threads.h"
#include "timeutil.h"
#include "xalloc.h"

struct log_stream {
	struct log_registry *reg;
	char *key; /* "ns/pod" */
	char *ns, *pod;
	int fd;    /* the unlinked temporary file holding the bytes */
	struct kube_cancel *cancel;

	/* Guarded by reg->lock. */
	size_t users;
	int64_t idle_since_ms;

	/* Guarded by lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t size;
	int64_t mtime_ms;
	uint64_t skip;  /* bytes of the current request already held */
	bool complete;  /* the pod has ended: no following */
	bool synced;    /* what the server had at the first request is here */
	bool capped;    /* LOG_MAX_BYTES reached */
	bool running;   /* the thread works; joinable once it stops */
	bool joinable;
	bool failed;
	struct error err;
	pthread_t thread;
};

struct log_registry {
	struct kube_client *client;
	int64_t timeout_ms;
	bool (*abandon)(void *ctx);
	void *abandon_ctx;
	pthread_mutex_t lock;
	struct hashmap streams; /* "ns/pod" -> struct log_stream */
};

static void cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

struct log_registry *log_registry_new(struct kube_client *client, int64_t timeout_ms,
				      bool (*abandon)(void *ctx), void *ctx)
{
	struct log_registry *reg = xcalloc(1, sizeof(*reg));

	reg->client = client;
	reg->timeout_ms = timeout_ms;
	reg->abandon = abandon;
	reg->abandon_ctx = ctx;
	pthread_mutex_init(&reg->lock, NULL);
	hashmap_init(&reg->streams);
	return reg;
}

/* An unlinked file for the bytes: in $TMPDIR (or /tmp), mode 0600. */
static int temporary_file(struct error *err)
{
	const char *dir = getenv("TMPDIR");
	_cleanup_free_ char *template = NULL;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* File systems without O_TMPFILE. */
	template = xasprintf("%s/konduktor-fs-log-XXXXXX", dir);
	fd = mkostemp(template, O_CLOEXEC);
	if (fd < 0)
		return error_set_code(err, EIO, "cannot create a temporary file in '%s': %s", dir,
				      strerror(errno));
	unlink(template);
	fchmod(fd, 0600);
	return fd;
}

static void stream_free(struct log_stream *s)
{
	kube_cancel_trigger(s->cancel);
	if (s->joinable)
		pthread_join(s->thread, NULL);
	kube_cancel_free(s->cancel);
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->key);
	free(s->ns);
	free(s->pod);
	free(s);
}

void log_registry_free(struct log_registry *reg)
{
	size_t pos = 0;
	void *value;

	if (!reg)
		return;
	while (hashmap_next(&reg->streams, &pos, NULL, &value))
		stream_free(value);
	hashmap_release(&reg->streams);
	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

/* --- the stream's thread ------------------------------------------------------ */

static int append(const char *data, size_t len, void *ctx)
{
	struct log_stream *s = ctx;
	int stop = 0;

	pthread_mutex_lock(&s->lock);
	if (s->skip) {
		size_t n = len < s->skip ? len : (size_t)s->skip;

		s->skip -= n;
		data += n;
		len -= n;
	}
	if (len && s->size + len > LOG_MAX_BYTES) {
		len = (size_t)(LOG_MAX_BYTES - s->size);
		s->capped = true;
		stop = 1;
	}
	if (len) {
		if (pwrite(s->fd, data, len, (off_t)s->size) != (ssize_t)len) {
			error_set_code(&s->err, EIO, "cannot keep the log of pod '%s': %s", s->pod,
				       strerror(errno ? errno : ENOSPC));
			s->failed = true;
			stop = 1;
		} else {
			s->size += len;
			s->mtime_ms = time_real_ms();
		}
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* One request for the whole log (follow: and what comes after), skipping
 * the bytes already held. */
static int request(struct log_stream *s, bool follow, struct error *err)
{
	struct kube_log_opts opts = { .container = MANIFEST_CONTAINER_NAME, .follow = follow };

	pthread_mutex_lock(&s->lock);
	s->skip = s->size;
	pthread_mutex_unlock(&s->lock);
	return kube_pod_logs_stream(s->reg->client, s->ns, s->pod, &opts, append, s, s->cancel,
				    err);
}

static void *stream_main(void *arg)
{
	struct log_stream *s = arg;
	struct error err = ERROR_INIT;
	bool synced, complete;

	pthread_mutex_lock(&s->lock);
	synced = s->synced;
	complete = s->complete;
	pthread_mutex_unlock(&s->lock);
	if (!synced) {
		if (request(s, false, &err) < 0)
			goto failed;
		pthread_mutex_lock(&s->lock);
		s->synced = true;
		complete = complete || s->capped || s->failed;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	if (!complete && request(s, true, &err) < 0)
		goto failed;
	pthread_mutex_lock(&s->lock);
	s->complete = true;
	s->running = false;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
failed:
	/* Readers get the error: open and read say it (ops.c logs it). */
	pthread_mutex_lock(&s->lock);
	s->failed = true;
	s->err = err;
	s->running = false;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Under reg->lock: starts (or restarts, after a failure) the thread. */
static int stream_start(struct log_stream *s, struct error *err)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	if (s->running) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	if (s->synced && s->complete && !s->failed) {
		pthread_mutex_unlock(&s->lock);
		return 0; /* all there is, already here */
	}
	if (s->joinable) {
		/* The previous thread has ended (running is false). */
		pthread_join(s->thread, NULL);
		s->joinable = false;
	}
	s->failed = false;
	error_clear(&s->err);
	s->running = true;
	pthread_mutex_unlock(&s->lock);
	rc = thread_start(&s->thread, stream_main, s);
	pthread_mutex_lock(&s->lock);
	if (rc != 0) {
		s->running = false;
		s->failed = true;
		error_set_code(&s->err, EIO, "cannot start a thread for the log of pod '%s': %s",
			       s->pod, strerror(rc));
		if (err)
			*err = s->err;
	} else {
		s->joinable = true;
	}
	pthread_mutex_unlock(&s->lock);
	return rc ? -1 : 0;
}

/* --- the registry ------------------------------------------------------------- */

/* Under reg->lock: frees the longest unused stream; false if all are used. */
static bool evict_one_idle(struct log_registry *reg)
{
	struct log_stream *oldest = NULL;
	size_t pos = 0;
	void *value;

	while (hashmap_next(&reg->streams, &pos, NULL, &value)) {
		struct log_stream *s = value;

		if (!s->users && (!oldest || s->idle_since_ms < oldest->idle_since_ms))
			oldest = s;
	}
	if (!oldest)
		return false;
	hashmap_remove(&reg->streams, oldest->key);
	stream_free(oldest);
	return true;
}

/* Under reg->lock: the pod's stream, made and started if needed. */
static struct log_stream *stream_get(struct log_registry *reg, const char *ns, const char *pod,
				     bool complete, struct error *err)
{
	_cleanup_free_ char *key = xasprintf("%s/%s", ns, pod);
	struct log_stream *s = hashmap_get(&reg->streams, key);
	int fd;

	if (s) {
		if (stream_start(s, err) < 0)
			return NULL;
		return s;
	}
	if (reg->streams.len >= LOG_STREAMS_MAX && !evict_one_idle(reg)) {
		error_set_code(err, EMFILE, "more than %d logs are open at once", LOG_STREAMS_MAX);
		return NULL;
	}
	fd = temporary_file(err);
	if (fd < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->reg = reg;
	s->key = TAKE_PTR(key);
	s->ns = xstrdup(ns);
	s->pod = xstrdup(pod);
	s->fd = fd;
	s->cancel = kube_cancel_new();
	s->complete = complete;
	s->mtime_ms = time_real_ms();
	s->idle_since_ms = time_mono_ms();
	pthread_mutex_init(&s->lock, NULL);
	cond_init_monotonic(&s->cond);
	hashmap_put(&reg->streams, s->key, s);
	if (stream_start(s, err) < 0) {
		hashmap_remove(&reg->streams, s->key);
		stream_free(s);
		return NULL;
	}
	return s;
}

static void deadline_in(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Waits for the log as it was at the first request; -1 with err if it
 * cannot be had within the registry's timeout. */
static int wait_synced(struct log_stream *s, struct error *err)
{
	struct log_registry *reg = s->reg;
	int64_t deadline = time_mono_ms() + reg->timeout_ms;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	while (!s->synced && !s->failed) {
		struct timespec tick;

		if (time_mono_ms() >= deadline || (reg->abandon && reg->abandon(reg->abandon_ctx))) {
			rc = error_set_code(err, EIO, "no log from the API server within %lld ms",
					    (long long)reg->timeout_ms);
			break;
		}
		deadline_in(&tick, 100);
		pthread_cond_timedwait(&s->cond, &s->lock, &tick);
	}
	if (!rc && !s->synced) {
		if (err)
			*err = s->err;
		if (err && !err->msg[0])
			error_set(err, "the log of pod '%s' cannot be read", s->pod);
		if (err)
			err->code = EIO;
		rc = -1;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

struct log_stream *log_registry_open(struct log_registry *reg, const char *ns, const char *pod,
				     bool complete, struct error *err)
{
	struct log_stream *s;

	pthread_mutex_lock(&reg->lock);
	s = stream_get(reg, ns, pod, complete, err);
	if (s)
		s->users++;
	pthread_mutex_unlock(&reg->lock);
	if (!s)
		return NULL;
	if (wait_synced(s, err) < 0) {
		log_stream_release(s);
		return NULL;
	}
	return s;
}

void log_registry_prefetch(struct log_registry *reg, const char *ns, const char *pod,
			   bool complete)
{
	struct log_stream *s;

	pthread_mutex_lock(&reg->lock);
	s = stream_get(reg, ns, pod, complete, NULL);
	if (s && !s->users)
		s->idle_since_ms = time_mono_ms();
	pthread_mutex_unlock(&reg->lock);
}

void log_stream_release(struct log_stream *s)
{
	struct log_registry *reg;

	if (!s)
		return;
	reg = s->reg;
	pthread_mutex_lock(&reg->lock);
	if (--s->users == 0)
		s->idle_since_ms = time_mono_ms();
	pthread_mutex_unlock(&reg->lock);
}

ssize_t log_stream_read(struct log_stream *s, char *out, size_t size, uint64_t offset,
			struct error *err)
{
	uint64_t have;
	ssize_t n;

	pthread_mutex_lock(&s->lock);
	have = s->size;
	if (offset >= have && s->failed) {
		if (err) {
			*err = s->err;
			err->code = EIO;
		}
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (offset >= have || size == 0)
		return 0;
	if (size > have - offset)
		size = (size_t)(have - offset);
	/* The thread only appends past `have`: these bytes are settled. */
	n = pread(s->fd, out, size, (off_t)offset);
	if (n < 0)
		return error_set_code(err, EIO, "cannot read the log of pod '%s': %s", s->pod,
				      strerror(errno));
	return n;
}

void log_stream_stat(struct log_stream *s, uint64_t *ret_size, int64_t *ret_mtime_ms)
{
	pthread_mutex_lock(&s->lock);
	*ret_size = s->size;
	*ret_mtime_ms = s->mtime_ms;
	pthread_mutex_unlock(&s->lock);
}

bool log_registry_stat(struct log_registry *reg, const char *ns, const char *pod,
		       uint64_t *ret_size, int64_t *ret_mtime_ms)
{
	_cleanup_free_ char *key = xasprintf("%s/%s", ns, pod);
	struct log_stream *s;

	pthread_mutex_lock(&reg->lock);
	s = hashmap_get(&reg->streams, key);
	if (s)
		log_stream_stat(s, ret_size, ret_mtime_ms);
	pthread_mutex_unlock(&reg->lock);
	return s != NULL;
}

const char *log_stream_pod(const struct log_stream *s)
{
	return s->pod;
}

void log_registry_reap(struct log_registry *reg)
{
	struct log_stream *gone[LOG_STREAMS_MAX];
	int64_t now_ms = time_mono_ms();
	size_t n = 0, pos = 0;
	void *value;

	pthread_mutex_lock(&reg->lock);
	while (hashmap_next(&reg->streams, &pos, NULL, &value) && n < LOG_STREAMS_MAX) {
		struct log_stream *s = value;

		if (!s->users && now_ms - s->idle_since_ms >= LOG_LINGER_MS)
			gone[n++] = s;
	}
	for (size_t i = 0; i < n; i++)
		hashmap_remove(&reg->streams, gone[i]->key);
	pthread_mutex_unlock(&reg->lock);
	/* Stopping a thread waits for it: outside the lock. */
	for (size_t i = 0; i < n; i++)
		stream_free(gone[i]);
}

size_t log_registry_count(struct log_registry *reg)
{
	size_t n;

	pthread_mutex_lock(&reg->lock);
	n = reg->streams.len;
	pthread_mutex_unlock(&reg->lock);
	return n;
}
