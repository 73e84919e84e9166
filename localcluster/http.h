/* http.h — the HTTP(S) server under the API: libmicrohttpd with one
 * thread per connection (so a watch or a followed log may block its own
 * thread without holding up anyone), request bodies read into a bounded
 * buffer, authentication, fault injection and request counting applied
 * to every request before the API handlers (api.h) see it. */
#ifndef KONDUKTOR_LC_HTTP_H
#define KONDUKTOR_LC_HTTP_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "apierror.h"
#include "buf.h"
#include "cluster.h"
#include "error.h"
#include "strv.h"

/* The largest request body accepted (the real server's limit is 3 MiB). */
#define HTTP_MAX_BODY ((size_t)3 * 1024 * 1024)

struct http_request {
	struct cluster *cluster;
	struct MHD_Connection *conn;
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* percent-decoded, without the query */
	struct buf body;
	bool body_too_large;
	char user[256];       /* authenticated user, "" for anonymous */
	char user_agent[256];
	struct strv warnings; /* sent as Warning: 299 - "..." headers */
	/* Filled by the router for counting: the Kubernetes verb and resource
	 * ("list", "jobs"), or the method and path for non-resource URLs. */
	char verb[24];
	char resource[96];
	bool is_watch;
};

/* A query parameter (decoded, '+' as space), or NULL. */
const char *http_query(const struct http_request *req, const char *name);
/* A request header, or NULL. */
const char *http_header(const struct http_request *req, const char *name);

/* Each queues the response and returns MHD's result for the handler to
 * return. Bodies are copied (or taken where the name says so). */
enum MHD_Result http_respond(struct http_request *req, unsigned status, const char *content_type,
			     char *body, size_t len); /* takes body (malloc'd) */
/* Answers with len bytes at body that stay valid until release(ctx) is
 * called (no copy). */
enum MHD_Result http_respond_shared(struct http_request *req, unsigned status, const char *body,
				    size_t len, void (*release)(void *ctx), void *ctx);
enum MHD_Result http_respond_json(struct http_request *req, unsigned status, const cJSON *value);
enum MHD_Result http_respond_text(struct http_request *req, unsigned status, const char *text);
enum MHD_Result http_respond_error(struct http_request *req, const struct api_error *err);

/* A streamed (chunked) response: `read` fills up to max bytes of buf and
 * returns the count, MHD_CONTENT_READER_END_OF_STREAM or
 * MHD_CONTENT_READER_END_WITH_ERROR; it may block (its connection has its
 * own thread). `release` frees ctx when the response is done. */
enum MHD_Result http_respond_stream(struct http_request *req, unsigned status,
				    const char *content_type, MHD_ContentReaderCallback read,
				    void *ctx, MHD_ContentReaderFreeCallback release);

/* The connection's socket, for a streaming reader to notice a client that
 * went away (poll for POLLRDHUP); -1 if unknown. */
int http_connection_fd(const struct http_request *req);
/* For a streaming reader's `read`: copies up to max of the bytes of out not
 * sent yet (from *sent on) to dst and returns how many; out is emptied once
 * all of it has gone. 0 when nothing is pending. */
size_t http_stream_drain(struct buf *out, size_t *sent, char *dst, size_t max);

struct http_server;

/* Starts serving (binds, then threads accept). On success *ret_port is the
 * port bound (useful with port 0). */
struct http_server *http_server_start(struct cluster *cluster, int *ret_port, struct error *err);
/* Stops accepting, waits for every connection's thread (long-running ones
 * end through cluster->shutdown_fd) and frees the server. */
void http_server_stop(struct http_server *server);

#endif
