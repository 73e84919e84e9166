/* http.c — libmicrohttpd glue: daemon start/stop, request bodies,
 * authentication, pause/fault injection, counting, and responses. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "admin.h"
#include "api.h"
#include "auth.h"
#include "buf.h"
#include "cleanup.h"
#include "counters.h"
#include "faults.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "log.h"
#include "strutil.h"
#include "xalloc.h"

#define ADMIN_PREFIX "/debug/konduktor/"
#define PEM_MAX ((size_t)1024 * 1024)

struct http_server {
	struct MHD_Daemon *daemon;
	struct cluster *cluster;
	struct buf cert, key, ca; /* PEM text; the key is wiped on stop */
};

/* ---- requests ---- */

const char *http_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int http_connection_fd(const struct http_request *req)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	return info ? info->connect_fd : -1;
}

size_t http_stream_drain(struct buf *out, size_t *sent, char *dst, size_t max)
{
	size_t n = out->len - *sent;

	if (n > max)
		n = max;
	memcpy(dst, out->data + *sent, n);
	*sent += n;
	if (*sent == out->len) {
		buf_reset(out);
		*sent = 0;
	}
	return n;
}

/* ---- responses ---- */

static void add_common_headers(struct http_request *req, struct MHD_Response *response,
			       const char *content_type)
{
	if (content_type)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
	for (size_t i = 0; i < req->warnings.len; i++) {
		/* RFC 7234 warn-text: a quoted-string, so quotes and backslashes escaped. */
		struct buf value = BUF_INIT(BUF_MAX_SMALL);

		buf_puts(&value, "299 - \"");
		for (const char *p = req->warnings.items[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&value, '\\');
			if (*p != '\r' && *p != '\n')
				buf_putc(&value, *p);
		}
		buf_putc(&value, '"');
		MHD_add_response_header(response, "Warning", value.data);
		buf_release(&value);
	}
}

enum MHD_Result http_respond(struct http_request *req, unsigned status, const char *content_type,
			     char *body, size_t len)
{
	struct MHD_Response *response =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!response) {
		free(body);
		return MHD_NO;
	}
	add_common_headers(req, response, content_type);
	ret = MHD_queue_response(req->conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

enum MHD_Result http_respond_shared(struct http_request *req, unsigned status, const char *body,
				    size_t len, void (*release)(void *ctx), void *ctx)
{
	struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback_cls(
		len, (void *)(uintptr_t)body, release, ctx);
	enum MHD_Result ret;

	if (!response) {
		release(ctx);
		return MHD_NO;
	}
	add_common_headers(req, response, "application/json");
	ret = MHD_queue_response(req->conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

enum MHD_Result http_respond_json(struct http_request *req, unsigned status, const cJSON *value)
{
	char *body = json_print_compact(value);

	return http_respond(req, status, "application/json", body, strlen(body));
}

enum MHD_Result http_respond_text(struct http_request *req, unsigned status, const char *text)
{
	char *body = xstrdup(text);

	return http_respond(req, status, "text/plain; charset=utf-8", body, strlen(body));
}

enum MHD_Result http_respond_error(struct http_request *req, const struct api_error *err)
{
	_cleanup_json_ cJSON *status = api_error_to_status(err);
	char *body = json_print_compact(status);
	struct MHD_Response *response =
		MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!response) {
		free(body);
		return MHD_NO;
	}
	add_common_headers(req, response, "application/json");
	if (err->retry_after_seconds > 0) {
		char seconds[16];

		snprintf(seconds, sizeof(seconds), "%d", err->retry_after_seconds);
		MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
	}
	ret = MHD_queue_response(req->conn, (unsigned)(err->code ? err->code : 500), response);
	MHD_destroy_response(response);
	return ret;
}

enum MHD_Result http_respond_stream(struct http_request *req, unsigned status,
				    const char *content_type, MHD_ContentReaderCallback read,
				    void *ctx, MHD_ContentReaderFreeCallback release)
{
	struct MHD_Response *response =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read, ctx, release);
	enum MHD_Result ret;

	if (!response) {
		release(ctx);
		return MHD_NO;
	}
	add_common_headers(req, response, content_type);
	ret = MHD_queue_response(req->conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

/* ---- dispatch ---- */

static bool is_public_path(const char *path)
{
	/* What system:public-info-viewer may read on a real cluster. */
	return !strcmp(path, "/healthz") || !strcmp(path, "/livez") || !strcmp(path, "/readyz") ||
	       !strcmp(path, "/version") || str_has_prefix(path, "/healthz/") ||
	       str_has_prefix(path, "/livez/") || str_has_prefix(path, "/readyz/");
}

static enum MHD_Result dispatch(struct http_request *req)
{
	struct cluster *cluster = req->cluster;
	const char *agent = http_header(req, MHD_HTTP_HEADER_USER_AGENT);
	struct api_error err = API_ERROR_INIT;
	int retry_after = 0;
	unsigned fault;

	str_copy(req->user_agent, sizeof(req->user_agent), agent ? agent : "");
	if (!is_public_path(req->path) &&
	    auth_check(cluster->auth, req->conn, http_header(req, MHD_HTTP_HEADER_AUTHORIZATION),
		       req->user, sizeof(req->user)) < 0) {
		api_error_set(&err, 401, "Unauthorized", "Unauthorized");
		return http_respond_error(req, &err);
	}
	if (str_has_prefix(req->path, ADMIN_PREFIX))
		return admin_handle(req, req->path + strlen(ADMIN_PREFIX));

	api_classify(req);
	/* A paused server accepts the connection but answers nothing. */
	if (!faults_wait_unpaused(cluster->faults)) {
		api_error_set(&err, 503, "ServiceUnavailable", "the server is shutting down");
		return http_respond_error(req, &err);
	}
	counters_count(cluster->counters, req->verb, req->resource, req->user_agent, req->is_watch);
	log_msg(6, "%s %s (%s %s)", req->method, req->path, req->verb, req->resource);
	if (req->body_too_large) {
		api_error_set(&err, 413, "RequestEntityTooLarge",
			      "Request entity too large: limit is %zu", HTTP_MAX_BODY);
		return http_respond_error(req, &err);
	}
	fault = faults_check(cluster->faults, req->verb, req->resource, &retry_after);
	if (fault == 429) {
		api_error_set(&err, 429, "TooManyRequests",
			      "the server has received too many requests and has asked us to try "
			      "again later");
		err.retry_after_seconds = retry_after;
		api_error_add_cause(&err, "", "", "injected fault: too many requests");
		return http_respond_error(req, &err);
	}
	if (fault == 409 && !strcmp(req->verb, "create")) {
		api_error_set(&err, 409, "AlreadyExists",
			      "%s already exists (injected fault)", req->resource);
		return http_respond_error(req, &err);
	}
	if (fault == 409) {
		api_error_set(&err, 409, "Conflict",
			      "Operation cannot be fulfilled on %s: the object has been modified; "
			      "please apply your changes to the latest version and try again "
			      "(injected fault)",
			      req->resource);
		return http_respond_error(req, &err);
	}
	if (fault) {
		api_error_set(&err, 500, "InternalError",
			      "Internal error occurred: injected fault");
		return http_respond_error(req, &err);
	}
	return api_handle(req);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct http_server *server = cls;
	struct http_request *req = *con_cls;

	if (!req) {
		req = xcalloc(1, sizeof(*req));
		req->cluster = server->cluster;
		req->conn = conn;
		req->method = method;
		req->path = url;
		buf_init(&req->body, HTTP_MAX_BODY);
		strv_init(&req->warnings);
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!req->body_too_large &&
		    buf_append(&req->body, upload_data, *upload_data_size) < 0) {
			req->body_too_large = true;
			buf_release(&req->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(req);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct http_request *req = *con_cls;

	if (!req)
		return;
	buf_release(&req->body);
	strv_release(&req->warnings);
	free(req);
	*con_cls = NULL;
}

/* libmicrohttpd's messages (fmt is MHD's own). */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_msg(4, "http: %s", line);
}

/* ---- the daemon ---- */

static int read_pem(const char *path, struct buf *out, struct error *err)
{
	buf_init(out, PEM_MAX);
	if (file_read_all(path, out, err) < 0)
		return -1;
	return 0;
}

struct http_server *http_server_start(struct cluster *cluster, int *ret_port, struct error *err)
{
	const struct cluster_config *config = cluster->config;
	struct http_server *server = xcalloc(1, sizeof(*server));
	struct sockaddr_storage addr = { 0 };
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem options[16];
	size_t n = 0;
	const union MHD_DaemonInfo *info;
	bool tls = config->tls_cert_file && config->tls_key_file;

	server->cluster = cluster;
	buf_init(&server->cert, PEM_MAX);
	buf_init(&server->key, PEM_MAX);
	buf_init(&server->ca, PEM_MAX);
	if (strchr(config->bind_address, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)config->port);
		if (inet_pton(AF_INET6, config->bind_address, &a6->sin6_addr) != 1)
			goto bad_address;
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)config->port);
		if (inet_pton(AF_INET, config->bind_address, &a4->sin_addr) != 1)
			goto bad_address;
	}
	/* The logger first, so that MHD uses it from the start. */
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log,
						NULL };
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &addr };
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
						(intptr_t)request_completed, NULL };
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
						(intptr_t)config->max_connections, NULL };
	/* No idle timeout: watches and followed logs may be quiet for long. */
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 0, NULL };
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL };
	if (tls) {
		if (read_pem(config->tls_cert_file, &server->cert, err) < 0 ||
		    read_pem(config->tls_key_file, &server->key, err) < 0)
			goto fail;
		flags |= MHD_USE_TLS;
		options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
							server->cert.data };
		options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
							server->key.data };
		if (config->client_ca_file) {
			if (read_pem(config->client_ca_file, &server->ca, err) < 0)
				goto fail;
			options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
								server->ca.data };
		}
	}
	options[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, server,
					  MHD_OPTION_ARRAY, options, MHD_OPTION_END);
	if (!server->daemon) {
		error_set(err, "cannot serve on %s port %d (in use, or a bad certificate or key?)",
			  config->bind_address, config->port);
		goto fail;
	}
	info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*ret_port = info ? info->port : config->port;
	return server;
bad_address:
	error_set(err, "--bind-address: '%s' is not an IP address", config->bind_address);
fail:
	http_server_stop(server);
	return NULL;
}

void http_server_stop(struct http_server *server)
{
	if (!server)
		return;
	if (server->daemon)
		MHD_stop_daemon(server->daemon);
	buf_release(&server->cert);
	buf_release_secret(&server->key);
	buf_release(&server->ca);
	free(server);
}
