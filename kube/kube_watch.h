/* kube_watch.h — watching a collection: the incremental decoder for the
 * API server's stream of JSON events, and one watch request. Most callers
 * want kube_informer.h, which adds the list, the cache, reconnection and
 * the 410 relist on top. */
#ifndef KONDUKTOR_KUBE_WATCH_H
#define KONDUKTOR_KUBE_WATCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "kube_client.h"

enum kube_event_type {
	KUBE_EVENT_ADDED,
	KUBE_EVENT_MODIFIED,
	KUBE_EVENT_DELETED,
	KUBE_EVENT_BOOKMARK, /* only metadata.resourceVersion is meaningful */
	KUBE_EVENT_ERROR,    /* the object is a Status */
};

/* "ADDED", "MODIFIED", ... */
const char *kube_event_type_name(enum kube_event_type type);

/* The largest single event accepted: bigger is an error (never a crash or
 * an unbounded buffer); the informer answers it with a relist. */
#define KUBE_WATCH_MAX_EVENT ((size_t)16 * 1024 * 1024)

/* Receives one event. *object is the event's object; to keep it, take it
 * (`mine = *object; *object = NULL;`), otherwise it is freed on return.
 * Return 0 to go on, non-zero to stop the stream. */
typedef int (*kube_watch_event_fn)(enum kube_event_type type, cJSON **object, void *ctx);

/* Splits a byte stream into events: JSON objects, one after another,
 * usually one per line, arriving in arbitrary pieces. */
struct kube_watch_decoder {
	struct buf pending;  /* the start of an event not yet complete */
	size_t max_event;
	bool in_event, in_string, escape;
	int depth;
	unsigned long events; /* decoded so far, for messages */
};

void kube_watch_decoder_init(struct kube_watch_decoder *d, size_t max_event);
void kube_watch_decoder_release(struct kube_watch_decoder *d);
/* Forgets any partial event (after an error, or for a new stream). */
void kube_watch_decoder_reset(struct kube_watch_decoder *d);
/* Feeds the next bytes, calling on_event for each complete event. Returns
 * 0; the callback's non-zero value when it asked to stop; or -1 with err
 * (code KUBE_ERR_RESPONSE) for invalid JSON, an unknown event type, a
 * missing object or an event over max_event bytes — after which the
 * decoder must be reset. */
int kube_watch_decoder_feed(struct kube_watch_decoder *d, const char *data, size_t len,
			    kube_watch_event_fn on_event, void *ctx, struct error *err);

struct kube_watch_opts {
	const char *label_selector;
	const char *field_selector;
	const char *resource_version; /* start after this version ("" or NULL: now) */
	bool allow_bookmarks;
	int timeout_seconds;          /* asks the server to end the stream; 0: its default */
};

/* One watch request (GET ...?watch=true). Returns 0 when the server ends
 * the stream or on_event stops it; -1 otherwise, with err->code 410 when
 * the resource version is too old (as an HTTP status or an ERROR event in
 * the stream) so the caller must list again, the Status code of any other
 * ERROR event, KUBE_ERR_RESPONSE for a malformed stream, or the usual
 * transport codes. A stream silent for timeout_seconds + 30 s is treated
 * as broken. */
int kube_watch(struct kube_client *client, const struct kube_resource *res, const char *ns,
	       const struct kube_watch_opts *opts, kube_watch_event_fn on_event, void *ctx,
	       struct kube_cancel *cancel, struct error *err);

#endif
