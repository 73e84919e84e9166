/* watch.c — the watch-event decoder and one watch request. The decoder
 * scans bytes as they arrive, tracking JSON nesting (strings and escapes
 * included) so an event is recognised wherever the network split it,
 * whether events are newline-separated or not, without ever buffering more
 * than one event's worth of bytes. */
#include "kube_watch.h"

#include <string.h>

#include "cleanup.h"
#include "engine.h"
#include "jsonutil.h"
#include "log.h"
#include "redact.h"
#include "strutil.h"

static const char *const event_names[] = {
	[KUBE_EVENT_ADDED] = "ADDED",	    [KUBE_EVENT_MODIFIED] = "MODIFIED",
	[KUBE_EVENT_DELETED] = "DELETED",   [KUBE_EVENT_BOOKMARK] = "BOOKMARK",
	[KUBE_EVENT_ERROR] = "ERROR",
};

const char *kube_event_type_name(enum kube_event_type type)
{
	return (size_t)type < ARRAY_SIZE(event_names) ? event_names[type] : "UNKNOWN";
}

void kube_watch_decoder_init(struct kube_watch_decoder *d, size_t max_event)
{
	buf_init(&d->pending, max_event);
	d->max_event = max_event;
	d->events = 0;
	kube_watch_decoder_reset(d);
}

void kube_watch_decoder_release(struct kube_watch_decoder *d)
{
	buf_release(&d->pending);
}

void kube_watch_decoder_reset(struct kube_watch_decoder *d)
{
	buf_reset(&d->pending);
	d->in_event = false;
	d->in_string = false;
	d->escape = false;
	d->depth = 0;
}

/* Parses one complete event and hands it over. */
static int dispatch(struct kube_watch_decoder *d, const char *text, size_t len,
		    kube_watch_event_fn on_event, void *ctx, struct error *err)
{
	_cleanup_json_ cJSON *event = NULL;
	cJSON *object;
	const char *type;
	struct error why = ERROR_INIT;
	int type_index = -1, rc;

	d->events++;
	event = json_parse_bounded(text, len, d->max_event, &why);
	if (!event)
		return error_set_code(err, KUBE_ERR_RESPONSE, "watch event %lu: %s", d->events,
				      why.msg);
	type = json_get_string(event, "type");
	for (size_t i = 0; type && i < ARRAY_SIZE(event_names); i++)
		if (!strcmp(type, event_names[i]))
			type_index = (int)i;
	if (type_index < 0)
		return error_set_code(err, KUBE_ERR_RESPONSE, "watch event %lu: unknown type '%s'",
				      d->events, type ? type : "");
	object = cJSON_DetachItemFromObjectCaseSensitive(event, "object");
	if (!cJSON_IsObject(object)) {
		cJSON_Delete(object);
		return error_set_code(err, KUBE_ERR_RESPONSE, "watch event %lu: %s has no object",
				      d->events, type);
	}
	if (log_get_level() >= 8) {
		_cleanup_free_ char *safe = redact_body(text, len);

		log_msg(8, "watch event: %s", safe);
	}
	rc = on_event((enum kube_event_type)type_index, &object, ctx);
	cJSON_Delete(object);
	return rc;
}

int kube_watch_decoder_feed(struct kube_watch_decoder *d, const char *data, size_t len,
			    kube_watch_event_fn on_event, void *ctx, struct error *err)
{
	size_t start = 0; /* where the current event's bytes begin in data */

	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (!d->in_event) {
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
				start = i + 1;
				continue;
			}
			if (c != '{')
				return error_set_code(err, KUBE_ERR_RESPONSE,
						      "watch stream: expected an event, found byte "
						      "0x%02x after event %lu",
						      (unsigned char)c, d->events);
			d->in_event = true;
			d->depth = 0;
			start = i;
		}
		if (d->pending.len + (i + 1 - start) > d->max_event)
			return error_set_code(err, KUBE_ERR_RESPONSE,
					      "watch event %lu is longer than the limit of %zu bytes",
					      d->events + 1, d->max_event);
		if (d->in_string) {
			if (d->escape)
				d->escape = false;
			else if (c == '\\')
				d->escape = true;
			else if (c == '"')
				d->in_string = false;
		} else if (c == '"') {
			d->in_string = true;
		} else if (c == '{' || c == '[') {
			d->depth++;
		} else if ((c == '}' || c == ']') && --d->depth == 0) {
			const char *text = data + start;
			size_t n = i + 1 - start;
			int rc;

			if (d->pending.len) {
				buf_append(&d->pending, text, n); /* within max: checked below */
				text = d->pending.data;
				n = d->pending.len;
			}
			d->in_event = false;
			rc = dispatch(d, text, n, on_event, ctx, err);
			buf_reset(&d->pending);
			if (rc != 0)
				return rc;
			start = i + 1;
		}
	}
	if (d->in_event && start < len)
		buf_append(&d->pending, data + start, len - start);
	return 0;
}

/* --- one watch request ---------------------------------------------------- */

struct watch_state {
	struct kube_watch_decoder decoder;
	kube_watch_event_fn on_event;
	void *ctx;
	int result;        /* set when the stream must end: 0 stop, -1 error */
	bool ended;
	struct error err;
};

/* ERROR events end the watch with their Status; others go to the caller. */
static int watch_event(enum kube_event_type type, cJSON **object, void *ctx)
{
	struct watch_state *w = ctx;

	if (type == KUBE_EVENT_ERROR) {
		int64_t code = 0;
		const char *message = json_get_string(*object, "message");

		json_get_int64(*object, "code", &code);
		error_set_code(&w->err, code ? (int)code : KUBE_ERR_RESPONSE, "%s",
			       message ? message : "the watch ended with an ERROR event");
		w->result = -1;
		return 1;
	}
	if (w->on_event(type, object, w->ctx) != 0) {
		w->result = 0;
		return 1;
	}
	return 0;
}

static int watch_data(const char *data, size_t len, void *ctx)
{
	struct watch_state *w = ctx;
	int rc = kube_watch_decoder_feed(&w->decoder, data, len, watch_event, w, &w->err);

	if (rc < 0)
		w->result = -1;
	if (rc != 0)
		w->ended = true;
	return rc != 0;
}

int kube_watch(struct kube_client *client, const struct kube_resource *res, const char *ns,
	       const struct kube_watch_opts *opts, kube_watch_event_fn on_event, void *ctx,
	       struct kube_cancel *cancel, struct error *err)
{
	struct watch_state w = { .on_event = on_event, .ctx = ctx, .err = ERROR_INIT };
	struct http_request r;
	int rc;

	http_request_init(&r, "GET");
	if (kube_path_append(&r.path, res, ns, NULL, NULL, err) < 0) {
		http_request_release(&r);
		if (err)
			err->code = KUBE_ERR_INVALID;
		return -1;
	}
	kube_query_append(&r.path, "watch", "true");
	if (opts && !str_is_empty(opts->label_selector))
		kube_query_append(&r.path, "labelSelector", opts->label_selector);
	if (opts && !str_is_empty(opts->field_selector))
		kube_query_append(&r.path, "fieldSelector", opts->field_selector);
	if (opts && !str_is_empty(opts->resource_version))
		kube_query_append(&r.path, "resourceVersion", opts->resource_version);
	if (opts && opts->allow_bookmarks)
		kube_query_append(&r.path, "allowWatchBookmarks", "true");
	if (opts && opts->timeout_seconds > 0) {
		kube_query_append_int(&r.path, "timeoutSeconds", opts->timeout_seconds);
		r.idle_timeout_ms = ((int64_t)opts->timeout_seconds + 30) * 1000;
	}
	r.idempotent = true;
	r.stream = true;
	r.on_data = watch_data;
	r.on_data_ctx = &w;
	kube_watch_decoder_init(&w.decoder, KUBE_WATCH_MAX_EVENT);
	rc = http_perform_one(client, &r, cancel, err);
	if (rc == 0 && w.ended && w.result < 0) {
		if (err)
			*err = w.err;
		rc = -1;
	}
	kube_watch_decoder_release(&w.decoder);
	http_request_release(&r);
	return rc;
}
