/* watch.c — GET ...?watch=true: a chunked stream of JSON events, one per
 * line, like the real server's watch cache: resourceVersion unset or "0"
 * first replays the current objects as ADDED; a version N resumes after N
 * (an ERROR event with a 410 Expired Status when N is too old); BOOKMARK
 * events with allowWatchBookmarks; timeoutSeconds ends the stream. The
 * stream's thread blocks in poll() on the store watch, the client's socket
 * (to notice it leaving) and the shutdown descriptor — never holding the
 * store lock while it writes. */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api.h"
#include "cleanup.h"
#include "faults.h"
#include "jsonutil.h"
#include "store.h"
#include "strutil.h"
#include "table.h"
#include "timeutil.h"
#include "xalloc.h"

/* The real server's default watch length: --min-request-timeout (1800 s)
 * times a random factor in [1, 2). */
#define DEFAULT_WATCH_SECONDS 1800
#define WATCH_BUFFER_MAX ((size_t)64 * 1024 * 1024)

struct watch_stream {
	struct cluster *cluster;
	struct store_watch *watch;
	const struct resource *resource;
	int client_fd;
	int64_t deadline_ms;
	bool bookmarks;
	int64_t next_bookmark_ms;
	struct buf out;
	size_t sent;
	bool finish; /* end once out is sent */
	bool table;  /* events carry one-row Tables (kubectl get --watch) */
	enum table_include include;
};

static void append_event(struct watch_stream *ws, const char *type, struct store_obj *obj)
{
	buf_printf(&ws->out, "{\"type\":\"%s\",\"object\":", type);
	if (ws->table)
		table_render(&ws->out, ws->resource, &obj, 1, obj->resource_version, NULL, -1,
			     ws->include, time(NULL));
	else
		buf_append(&ws->out, obj->json, obj->json_len);
	buf_puts(&ws->out, "}\n");
}

static void append_bookmark(struct watch_stream *ws)
{
	uint64_t rv = store_watch_position(ws->watch);

	buf_printf(&ws->out,
		   "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s\","
		   "\"metadata\":{\"resourceVersion\":\"%" PRIu64 "\",\"creationTimestamp\":null}}}\n",
		   ws->resource->kind, ws->resource->api_version, rv);
}

static bool shutting_down(const struct watch_stream *ws)
{
	struct pollfd pfd = { .fd = ws->cluster->shutdown_fd, .events = POLLIN };

	return ws->cluster->shutdown_fd >= 0 && poll(&pfd, 1, 0) == 1;
}

static ssize_t watch_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char *const types[] = { "ADDED", "MODIFIED", "DELETED" };
	struct watch_stream *ws = cls;

	for (;;) {
		struct store_event ev;
		struct pollfd pfds[3];
		int64_t now, wake;
		int rc;

		if (ws->sent < ws->out.len)
			return (ssize_t)http_stream_drain(&ws->out, &ws->sent, buf, max);
		if (ws->finish)
			return MHD_CONTENT_READER_END_OF_STREAM;
		/* A paused server sends nothing. */
		if (!faults_wait_unpaused(ws->cluster->faults))
			return MHD_CONTENT_READER_END_OF_STREAM;
		rc = store_watch_next(ws->watch, 0, &ev);
		if (rc == 1) {
			append_event(ws, types[ev.type], ev.object);
			store_event_release(&ev);
			continue;
		}
		if (rc < 0) /* dropped (a fault), or the server is stopping */
			return shutting_down(ws) ? MHD_CONTENT_READER_END_OF_STREAM
						 : MHD_CONTENT_READER_END_WITH_ERROR;
		now = time_mono_ms();
		if (now >= ws->deadline_ms)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (ws->bookmarks && now >= ws->next_bookmark_ms) {
			append_bookmark(ws);
			ws->next_bookmark_ms = now + ws->cluster->config->bookmark_interval_seconds * 1000;
			continue;
		}
		wake = ws->deadline_ms;
		if (ws->bookmarks && ws->next_bookmark_ms < wake)
			wake = ws->next_bookmark_ms;
		pfds[0] = (struct pollfd){ .fd = store_watch_fd(ws->watch), .events = POLLIN };
		pfds[1] = (struct pollfd){ .fd = ws->client_fd, .events = POLLRDHUP };
		pfds[2] = (struct pollfd){ .fd = ws->cluster->shutdown_fd, .events = POLLIN };
		if (poll(pfds, 3, (int)(wake - now)) > 0) {
			if (pfds[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
				return MHD_CONTENT_READER_END_WITH_ERROR; /* the client left */
			if (pfds[2].revents & POLLIN)
				return MHD_CONTENT_READER_END_OF_STREAM;
		}
	}
}

static void watch_free(void *cls)
{
	struct watch_stream *ws = cls;

	store_watch_close(ws->watch);
	buf_release(&ws->out);
	free(ws);
}

static int parse_resource_version(const char *text, uint64_t *ret, struct api_error *err)
{
	*ret = STORE_WATCH_FROM_LIST;
	if (!text || !*text || !strcmp(text, "0"))
		return 0;
	if (str_to_uint64(text, ret) < 0)
		return api_error_set(err, 400, "BadRequest",
				     "resourceVersion: Invalid value: \"%s\": must be a number", text);
	return 0;
}

/* The real server answers a too-old version with a 200 stream holding one
 * ERROR event. */
static enum MHD_Result respond_error_event(struct http_request *req, const struct api_error *err)
{
	_cleanup_json_ cJSON *status = api_error_to_status(err);
	_cleanup_free_ char *json = json_print_compact(status);
	char *body = xasprintf("{\"type\":\"ERROR\",\"object\":%s}\n", json);

	return http_respond(req, 200, "application/json", body, strlen(body));
}

enum MHD_Result api_watch(struct http_request *req, const struct api_route *route)
{
	struct store_watch_options opts = { 0 };
	struct api_error err = API_ERROR_INIT;
	struct watch_stream *ws;
	const char *timeout = http_query(req, "timeoutSeconds");
	int64_t seconds = DEFAULT_WATCH_SECONDS;

	if (parse_resource_version(http_query(req, "resourceVersion"), &opts.resource_version,
				   &err) < 0)
		return http_respond_error(req, &err);
	if (timeout && *timeout) {
		if (str_to_int64(timeout, &seconds) < 0 || seconds < 0) {
			api_error_set(&err, 400, "BadRequest",
				      "timeoutSeconds: must be a non-negative integer");
			return http_respond_error(req, &err);
		}
	} else {
		uint32_t jitter = 0;

		if (getrandom(&jitter, sizeof(jitter), GRND_NONBLOCK) < 0)
			jitter = 0;
		seconds += jitter % DEFAULT_WATCH_SECONDS;
	}
	opts.kinds = RESOURCE_BIT(route->resource->id);
	opts.ns = route->ns;
	opts.label_selector = http_query(req, "labelSelector");
	opts.field_selector = http_query(req, "fieldSelector");
	ws = xcalloc(1, sizeof(*ws));
	ws->watch = store_watch_open(req->cluster->store, &opts, &err);
	if (!ws->watch) {
		free(ws);
		if (err.code == 410)
			return respond_error_event(req, &err);
		return http_respond_error(req, &err);
	}
	store_watch_set_client(ws->watch);
	ws->cluster = req->cluster;
	ws->resource = route->resource;
	ws->client_fd = http_connection_fd(req);
	ws->deadline_ms = time_mono_ms() + seconds * 1000;
	ws->bookmarks = api_query_true(req, "allowWatchBookmarks");
	ws->table = table_requested(http_header(req, MHD_HTTP_HEADER_ACCEPT)) &&
		    table_parse_include(http_query(req, "includeObject"), &ws->include) == 0;
	ws->next_bookmark_ms = time_mono_ms() + ws->cluster->config->bookmark_interval_seconds * 1000;
	buf_init(&ws->out, WATCH_BUFFER_MAX);
	return http_respond_stream(req, 200, "application/json", watch_read, ws, watch_free);
}
