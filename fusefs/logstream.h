/* logstream.h — pods' logs for the logs files, fetched from the API
 * server when a logs file is opened and kept growing while the pod runs.
 *
 * One stream per pod, shared by everyone reading that pod's log: a thread
 * asks for the log as it is now, then (for a pod still running) follows
 * it, skipping what it already has; the bytes go to an unlinked temporary
 * file (mode 0600), at most LOG_MAX_BYTES. Opening waits for the log as
 * it is now, up to the request timeout: a log that cannot be had by then
 * is an error (EIO), never a hang. Reads at the end return 0 (end of file)
 * while the stream is healthy, and an error once it failed; a failed
 * stream is tried again by the next open. A stream nobody holds lingers
 * LOG_LINGER_MS so that reading the same log again costs nothing.
 * Thread-safe. */
#ifndef KONDUKTOR_FUSEFS_LOGSTREAM_H
#define KONDUKTOR_FUSEFS_LOGSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "kube_client.h"

#define LOG_MAX_BYTES ((uint64_t)1 << 30)
#define LOG_LINGER_MS 60000
#define LOG_STREAMS_MAX 256

struct log_registry;
struct log_stream;

/* Opens wait at most timeout_ms (then fail); `abandon`, if set, is asked
 * every 100 ms whether to give up waiting (the daemon is stopping). The
 * client must outlive the registry. */
struct log_registry *log_registry_new(struct kube_client *client, int64_t timeout_ms,
				      bool (*abandon)(void *ctx), void *ctx);
/* Stops every stream (promptly: transfers are cancelled) and frees it. */
void log_registry_free(struct log_registry *registry);

/* The stream of a pod's log with one more user, started if needed and
 * once what the server has now is here. `complete`: the pod has ended, no
 * following needed. NULL with err (err->code an errno: EIO, EMFILE). */
struct log_stream *log_registry_open(struct log_registry *registry, const char *ns,
				     const char *pod, bool complete, struct error *err);
/* Starts a pod's stream without waiting and without a user (it lingers),
 * so that a reader polling the file's size sees a new pod's log grow. */
void log_registry_prefetch(struct log_registry *registry, const char *ns, const char *pod,
			   bool complete);
void log_stream_release(struct log_stream *stream);

/* Reads up to size bytes at offset: the number read (0 at the end), or -1
 * with err (code EIO) when the bytes there cannot be had. */
ssize_t log_stream_read(struct log_stream *stream, char *out, size_t size, uint64_t offset,
			struct error *err);
/* The bytes so far and when the last ones came. */
void log_stream_stat(struct log_stream *stream, uint64_t *ret_size, int64_t *ret_mtime_ms);
/* The same for a pod's stream if there is one (no request); false if not. */
bool log_registry_stat(struct log_registry *registry, const char *ns, const char *pod,
		       uint64_t *ret_size, int64_t *ret_mtime_ms);
/* The pod a stream reads. */
const char *log_stream_pod(const struct log_stream *stream);

/* Frees streams unused for LOG_LINGER_MS; call now and then. */
void log_registry_reap(struct log_registry *registry);
size_t log_registry_count(struct log_registry *registry);

#endif
