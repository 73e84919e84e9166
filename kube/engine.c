/* engine.c — the request engine behind every call: each request's
 * attempts run on a curl multi handle (so that many can run at once, and a
 * cancel can wake the wait), with credentials fetched per attempt, retries
 * decided by retry.c and scheduled without blocking the others, streams
 * guarded against silent servers, and errors turned into one line that
 * says what failed. */
#include "engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "cleanup.h"
#include "client_internal.h"
#include "jsonutil.h"
#include "log.h"
#include "redact.h"
#include "retry.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define HTTP_MAX_PATH ((size_t)64 * 1024)
#define EXEC_TIMEOUT_WITHOUT_DEADLINE_MS 60000

void http_request_init(struct http_request *r, const char *method)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	buf_init(&r->path, HTTP_MAX_PATH);
	buf_init(&r->response, HTTP_MAX_RESPONSE);
	kube_credentials_init(&r->cred);
	r->retry_after_ms = -1;
	r->state = HTTP_NEW;
}

/* The header list holds the Authorization header: wiped, then freed. */
static void free_headers(struct http_request *r)
{
	for (struct curl_slist *h = r->headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

void http_request_release(struct http_request *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	r->easy = NULL;
	free_headers(r);
	kube_credentials_release(&r->cred);
	buf_release(&r->path);
	buf_release(&r->response);
}

static const char *status_text(long status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* --- curl callbacks ------------------------------------------------------ */

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_request *r = ctx;
	size_t len = size * nmemb;

	r->last_data_ms = time_mono_ms();
	if (r->stream && r->status >= 200 && r->status < 300) {
		if (len == 0)
			return 0;
		r->delivered = true;
		if (r->on_data(data, len, r->on_data_ctx) != 0) {
			r->stopped_by_callback = true;
			return 0; /* ends the transfer with CURLE_WRITE_ERROR */
		}
		return len;
	}
	if (buf_append(&r->response, data, len) < 0)
		return 0; /* too large: CURLE_WRITE_ERROR, reported below */
	return len;
}

/* `299 - "text"` -> text, unescaped. */
static void deliver_warning(struct http_request *r, const char *value, size_t len)
{
	struct buf text = BUF_INIT(4096);
	const char *quote = memchr(value, '"', len);
	const char *end = value + len;

	if (!r->client->warning_fn)
		return;
	if (!quote) {
		buf_append(&text, value, len);
	} else {
		for (const char *p = quote + 1; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			buf_putc(&text, *p);
		}
	}
	buf_rtrim(&text);
	if (text.len)
		r->client->warning_fn(text.data, r->client->warning_ctx);
	buf_release(&text);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_request *r = ctx;
	size_t len = size * nmemb;
	const char *colon;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (an interim 1xx may precede the final one). */
		r->headers_done = false;
		r->retry_after_ms = -1;
		return len;
	}
	if (len <= 2 && (data[0] == '\r' || data[0] == '\n')) {
		long status = 0;

		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200) {
			r->status = status;
			r->headers_done = true;
			r->last_data_ms = time_mono_ms();
		}
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon)
		return len;
	{
		size_t name_len = (size_t)(colon - data);
		const char *value = colon + 1;
		size_t value_len = len - name_len - 1;
		char text[128];

		while (value_len && (*value == ' ' || *value == '\t')) {
			value++;
			value_len--;
		}
		while (value_len && (value[value_len - 1] == '\r' || value[value_len - 1] == '\n'))
			value_len--;
		if (name_len == 11 && strncasecmp(data, "retry-after", 11) == 0 &&
		    value_len < sizeof(text)) {
			int64_t ms;

			memcpy(text, value, value_len);
			text[value_len] = '\0';
			if (retry_after_parse(text, time(NULL), &ms) == 0)
				r->retry_after_ms = ms;
		} else if (name_len == 7 && strncasecmp(data, "warning", 7) == 0) {
			deliver_warning(r, value, value_len);
		}
	}
	return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http_request *r = ctx;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return kube_cancel_is_triggered(r->cancel) ? 1 : 0;
}

/* curl does not ask for SOCK_CLOEXEC; a forked exec plugin must not
 * inherit our connections. */
static curl_socket_t on_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	(void)ctx;
	(void)purpose;
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* With keepalive (idle 10 s, every 5 s) three unanswered probes, or 30 s
 * of unacknowledged data, end a connection to a vanished server. */
static int on_sockopt(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
	int count = 3;
	unsigned int user_timeout_ms = 30000;

	(void)ctx;
	(void)purpose;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof(user_timeout_ms));
	return CURL_SOCKOPT_OK;
}

/* --- attempts ------------------------------------------------------------ */

static void add_header(struct http_request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_header(struct http_request *r, const char *fmt, ...)
{
	struct buf line = BUF_INIT(BUF_MAX_SMALL);
	struct curl_slist *next;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	next = curl_slist_append(r->headers, line.data);
	if (!next)
		die("out of memory");
	r->headers = next;
	buf_release_secret(&line);
}

static void set_blob(CURL *easy, CURLoption option, const struct buf *pem)
{
	struct curl_blob blob = { .data = pem->data, .len = pem->len, .flags = CURL_BLOB_COPY };

	curl_easy_setopt(easy, option, &blob);
}

static void log_request(const struct http_request *r)
{
	if (log_get_level() >= 7) {
		for (const struct curl_slist *h = r->headers; h; h = h->next) {
			_cleanup_free_ char *safe = redact_header(h->data);

			log_msg(7, "request #%llu header: %s", (unsigned long long)r->id, safe);
		}
	}
	if (log_get_level() >= 8 && r->body_len) {
		_cleanup_free_ char *safe = redact_body(r->body, r->body_len);

		log_msg(8, "request #%llu body: %s", (unsigned long long)r->id, safe);
	}
}

static void configure_easy(struct http_request *r, int64_t now)
{
	struct kube_client *client = r->client;
	const struct kube_config *config = client->config;
	CURL *e = r->easy;
	_cleanup_free_ char *url = xasprintf("%s%s", client->base_url, r->path.data);
	const struct buf *cert = r->cred.cert.len ? &r->cred.cert : &client->cert_pem;
	const struct buf *key = r->cred.cert.len ? &r->cred.key : &client->key_pem;
	int64_t connect_ms = HTTP_CONNECT_TIMEOUT_MS;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_SHARE, client->share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, r);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 10L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 5L);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, client->user_agent);
	if (!config->disable_compression)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (r->deadline_ms) {
		int64_t left = r->deadline_ms - now;

		if (left < 1)
			left = 1;
		if (left < connect_ms)
			connect_ms = left;
		if (!r->stream)
			curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);

	/* Method and body. */
	if (!strcmp(r->method, "POST")) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	}
	if (r->body || !strcmp(r->method, "POST")) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	}

	/* Headers (rebuilt per attempt: the credentials may have changed). */
	free_headers(r);
	add_header(r, "Accept: application/json");
	add_header(r, "Expect:"); /* no 100-continue round trip */
	if (r->content_type)
		add_header(r, "Content-Type: %s", r->content_type);
	if (r->cred.bearer_token)
		add_header(r, "Authorization: Bearer %s", r->cred.bearer_token);
	if (client->host_header)
		add_header(r, "%s", client->host_header);
	if (*config->impersonate) {
		add_header(r, "Impersonate-User: %s", config->impersonate);
		if (*config->impersonate_uid)
			add_header(r, "Impersonate-Uid: %s", config->impersonate_uid);
		for (size_t i = 0; i < config->impersonate_groups.len; i++)
			add_header(r, "Impersonate-Group: %s", config->impersonate_groups.items[i]);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	if (r->cred.source == CRED_STATIC && (*config->username || *config->password)) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, config->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, config->password);
	}

	/* TLS: only the configured CA is trusted when one is given. */
	if (client->ca_pem.len) {
		set_blob(e, CURLOPT_CAINFO_BLOB, &client->ca_pem);
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	if (cert->len && key->len) {
		set_blob(e, CURLOPT_SSLCERT_BLOB, cert);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		set_blob(e, CURLOPT_SSLKEY_BLOB, key);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (config->insecure_skip_tls_verify) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (client->connect_to_list)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, client->connect_to_list);
	if (*config->proxy_url)
		curl_easy_setopt(e, CURLOPT_PROXY, config->proxy_url);
}

static void finish(struct http_request *r, int result)
{
	r->result = result;
	r->state = HTTP_DONE;
	kube_credentials_release(&r->cred);
}

static int fail(struct http_request *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct http_request *r, int code, const char *fmt, ...)
{
	struct buf msg = BUF_INIT(ERROR_MSG_MAX - 1);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	error_set_code(&r->err, code, "%s", msg.data);
	buf_release(&msg);
	finish(r, -1);
	return -1;
}

/* Starts an attempt: true if it is now running on the multi. */
static bool start_attempt(struct http_request *r, CURLM *multi)
{
	struct kube_client *client = r->client;
	int64_t now = time_mono_ms();
	int64_t exec_timeout;
	struct error why = ERROR_INIT;

	if (r->attempts == 0) {
		r->started_ms = now;
		r->deadline_ms = client->config->request_timeout_ms
					 ? now + client->config->request_timeout_ms
					 : 0;
		r->id = atomic_fetch_add(&client->request_ids, 1) + 1;
	}
	r->attempts++;
	r->attempt_started_ms = now;
	r->status = 0;
	r->headers_done = false;
	r->retry_after_ms = -1;
	r->errbuf[0] = '\0';
	buf_reset(&r->response);
	r->response.max = r->stream ? HTTP_MAX_ERROR_BODY : HTTP_MAX_RESPONSE;

	kube_credentials_release(&r->cred);
	kube_credentials_init(&r->cred);
	exec_timeout = r->deadline_ms ? r->deadline_ms - now : EXEC_TIMEOUT_WITHOUT_DEADLINE_MS;
	if (kube_auth_get(client->auth, exec_timeout, &r->cred, &why) < 0) {
		fail(r, why.code ? why.code : KUBE_ERR_CREDENTIALS, "getting credentials: %s",
		     why.msg);
		return false;
	}
	r->easy = curl_easy_init();
	if (!r->easy)
		die("out of memory");
	configure_easy(r, now);
	log_request(r);
	if (curl_multi_add_handle(multi, r->easy) != CURLM_OK)
		die("curl_multi_add_handle failed");
	r->state = HTTP_RUNNING;
	return true;
}

static void lower_first(char *s)
{
	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = (char)(s[0] - 'A' + 'a');
}

/* The error for an HTTP status: the Status message verbatim if the server
 * sent one, else what was asked and what came back. */
static void fail_http(struct http_request *r)
{
	_cleanup_json_ cJSON *doc = NULL;
	const char *message = NULL;

	if (r->response.len)
		doc = json_parse_bounded(r->response.data, r->response.len, r->response.max, NULL);
	if (doc && str_eq(json_get_string(doc, "kind"), "Status"))
		message = json_get_string(doc, "message");
	if (!str_is_empty(message)) {
		char suffix[64] = "";

		if (r->attempts > 1)
			snprintf(suffix, sizeof(suffix), " (after %d attempts)", r->attempts);
		fail(r, (int)r->status, "%s%s", message, suffix);
		return;
	}
	{
		struct buf snippet = BUF_INIT(200);

		/* A short, printable, one-line body helps ("404 page not found"). */
		if (r->response.len && r->response.len < 200 && !doc) {
			buf_append(&snippet, r->response.data, r->response.len);
			buf_rtrim(&snippet);
			for (size_t i = 0; i < snippet.len; i++)
				if ((unsigned char)snippet.data[i] < 0x20)
					snippet.data[i] = ' ';
		}
		fail(r, (int)r->status, "%s %s: the server answered %ld %s%s%s", r->method,
		     r->path.data, r->status, status_text(r->status), snippet.len ? ": " : "",
		     snippet.data);
		buf_release(&snippet);
	}
}

static void fail_transport(struct http_request *r, CURLcode code)
{
	struct kube_client *client = r->client;
	long os_errno = 0;
	char reason[128];
	char attempts[64] = "";
	double elapsed = (double)(time_mono_ms() - r->started_ms) / 1000.0;

	curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
	lower_first(r->errbuf);
	if (r->attempts > 1)
		snprintf(attempts, sizeof(attempts), " (after %d attempts)", r->attempts);
	str_copy(reason, sizeof(reason), os_errno ? strerror((int)os_errno) : "");
	lower_first(reason);
	switch (code) {
	case CURLE_COULDNT_CONNECT:
		fail(r, KUBE_ERR_NETWORK, "%s %s: cannot connect to %s: %s%s", r->method,
		     r->path.data, client->server_hostport,
		     *reason ? reason : "connection failed", attempts);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		fail(r, KUBE_ERR_NETWORK, "%s %s: cannot resolve the host of %s%s", r->method,
		     r->path.data, client->server_hostport, attempts);
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		fail(r, KUBE_ERR_NETWORK, "%s %s: cannot resolve the proxy %s%s", r->method,
		     r->path.data, client->config->proxy_url, attempts);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		fail(r, KUBE_ERR_TIMEOUT, "%s %s: timed out after %.3g s%s", r->method,
		     r->path.data, elapsed, attempts);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		fail(r, KUBE_ERR_TLS, "%s %s: cannot verify the server certificate of %s: %s",
		     r->method, r->path.data, client->server_hostport, r->errbuf);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		fail(r, KUBE_ERR_TLS, "%s %s: TLS handshake with %s failed: %s%s", r->method,
		     r->path.data, client->server_hostport, r->errbuf, attempts);
		break;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
		fail(r, KUBE_ERR_TLS, "%s %s: TLS setup failed: %s", r->method, r->path.data,
		     r->errbuf);
		break;
	case CURLE_WRITE_ERROR:
		fail(r, KUBE_ERR_RESPONSE, "%s %s: response larger than %zu bytes", r->method,
		     r->path.data, r->response.max);
		break;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		fail(r, KUBE_ERR_NETWORK, "%s %s: the connection to %s broke: %s%s", r->method,
		     r->path.data, client->server_hostport,
		     *r->errbuf ? r->errbuf : curl_easy_strerror(code), attempts);
		break;
	default:
		fail(r, KUBE_ERR_NETWORK, "%s %s: %s%s%s%s", r->method, r->path.data,
		     curl_easy_strerror(code), *r->errbuf ? ": " : "", r->errbuf, attempts);
		break;
	}
}

static void detach_easy(struct http_request *r, CURLM *multi)
{
	if (!r->easy)
		return;
	curl_multi_remove_handle(multi, r->easy);
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	free_headers(r);
}

static void log_outcome(const struct http_request *r, CURLcode code)
{
	int64_t ms = time_mono_ms() - r->attempt_started_ms;

	if (log_get_level() < 6)
		return;
	if (code == CURLE_OK || r->stopped_by_callback)
		log_msg(6, "%s %s%s %ld %s in %lld ms", r->method, r->client->base_url, r->path.data,
			r->status, status_text(r->status), (long long)ms);
	else
		log_msg(6, "%s %s%s failed in %lld ms: %s", r->method, r->client->base_url,
			r->path.data, (long long)ms, curl_easy_strerror(code));
	if (log_get_level() >= 8 && (!r->stream || r->status >= 300) && r->response.len) {
		_cleanup_free_ char *safe = redact_body(r->response.data, r->response.len);

		log_msg(8, "request #%llu response body: %s", (unsigned long long)r->id, safe);
	}
}

/* One attempt ended: done, or scheduled for another attempt. */
static void finish_attempt(struct http_request *r, CURLM *multi, CURLcode code)
{
	struct kube_client *client = r->client;
	const struct kube_retry_policy *policy = &client->retry;
	long request_size = 0;
	enum retry_reason reason;
	int64_t now = time_mono_ms(), delay;

	if (code == CURLE_OK)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &request_size);
	log_outcome(r, code);

	if (kube_cancel_is_triggered(r->cancel) && !r->stopped_by_callback) {
		detach_easy(r, multi);
		fail(r, KUBE_ERR_CANCELLED, "%s %s: cancelled", r->method, r->path.data);
		return;
	}
	if (r->stopped_by_callback || (code == CURLE_OK && r->status >= 200 && r->status < 300)) {
		detach_easy(r, multi);
		finish(r, 0);
		return;
	}
	if (code == CURLE_OK && r->status == 401 && !r->auth_retried &&
	    kube_auth_invalidate(client->auth, &r->cred)) {
		/* Fresh credentials (an exec plugin re-run, a rotated token file)
		 * get one more try, which does not count as a retry. */
		log_debug("%s %s: 401 Unauthorized, retrying with fresh credentials", r->method,
			  r->path.data);
		detach_easy(r, multi);
		r->auth_retried = true;
		r->attempts--;
		r->state = HTTP_WAITING;
		r->next_attempt_ms = now;
		return;
	}
	reason = retry_classify(r->idempotent, code, r->status, request_size > 0);
	if (r->stream && r->delivered)
		reason = RETRY_NO; /* the caller resumes a stream, not the engine */
	if (reason != RETRY_NO && r->attempts < policy->max_attempts) {
		bool server_said = r->retry_after_ms >= 0 && (r->status == 429 || r->status == 503);

		delay = server_said ? r->retry_after_ms
				    : retry_backoff_ms(policy, r->attempts, arc4random());
		if (!(server_said && delay > policy->max_retry_after_ms) &&
		    (!r->deadline_ms || now + delay < r->deadline_ms)) {
			log_debug("%s %s: attempt %d failed (%s), retrying in %lld ms", r->method,
				  r->path.data, r->attempts,
				  code == CURLE_OK ? status_text(r->status) : curl_easy_strerror(code),
				  (long long)delay);
			detach_easy(r, multi);
			r->state = HTTP_WAITING;
			r->next_attempt_ms = now + delay;
			return;
		}
	}
	if (code == CURLE_OK)
		fail_http(r);
	else
		fail_transport(r, code);
	detach_easy(r, multi);
}

/* Streams: the request timeout bounds the wait for headers; afterwards a
 * stream that stays silent longer than its idle limit is ended. */
static bool stream_overdue(struct http_request *r, int64_t now)
{
	if (!r->stream || r->state != HTTP_RUNNING)
		return false;
	if (!r->headers_done && r->deadline_ms && now >= r->deadline_ms) {
		error_set_code(&r->err, KUBE_ERR_TIMEOUT, "%s %s: timed out after %.3g s waiting for "
			       "the server", r->method, r->path.data,
			       (double)(now - r->started_ms) / 1000.0);
		return true;
	}
	if (r->headers_done && r->idle_timeout_ms && now - r->last_data_ms >= r->idle_timeout_ms) {
		error_set_code(&r->err, KUBE_ERR_TIMEOUT, "%s %s: no data for %lld s", r->method,
			       r->path.data, (long long)(r->idle_timeout_ms / 1000));
		return true;
	}
	return false;
}

int http_perform(struct kube_client *client, struct http_request *const *reqs, size_t n,
		 size_t max_in_flight, struct kube_cancel *cancel)
{
	CURLM *multi = client_acquire_multi(client);
	size_t next_new = 0, running = 0, finished = 0;
	bool any_failed = false;

	if (max_in_flight == 0)
		max_in_flight = 1;
	cancel_attach(cancel, multi);
	for (size_t i = 0; i < n; i++) {
		reqs[i]->client = client;
		reqs[i]->cancel = cancel;
		reqs[i]->state = HTTP_NEW;
		reqs[i]->attempts = 0;
		reqs[i]->auth_retried = false;
		reqs[i]->delivered = false;
		reqs[i]->stopped_by_callback = false;
		error_clear(&reqs[i]->err);
	}
	while (finished < n) {
		int64_t now = time_mono_ms();
		int64_t wake = now + 1000;
		long curl_timeout = -1;
		CURLMsg *msg;
		int still, left;
		bool completed;

		if (kube_cancel_is_triggered(cancel)) {
			for (size_t i = 0; i < n; i++) {
				if (reqs[i]->state == HTTP_DONE)
					continue;
				detach_easy(reqs[i], multi);
				fail(reqs[i], KUBE_ERR_CANCELLED, "%s %s: cancelled", reqs[i]->method,
				     reqs[i]->path.data);
			}
			finished = n;
			break;
		}
		/* Retries that are due, then requests not yet started. */
		for (size_t i = 0; i < n && running < max_in_flight; i++) {
			struct http_request *r = reqs[i];

			if (r->state == HTTP_WAITING && r->next_attempt_ms <= now) {
				if (start_attempt(r, multi))
					running++;
				else
					finished++;
			}
		}
		while (running < max_in_flight && next_new < n) {
			struct http_request *r = reqs[next_new++];

			if (start_attempt(r, multi))
				running++;
			else
				finished++;
		}
		curl_multi_perform(multi, &still);
		completed = false;
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct http_request *r = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			running--;
			completed = true;
			finish_attempt(r, multi, msg->data.result);
			if (r->state == HTTP_DONE)
				finished++;
		}
		/* A slot was freed: fill it now rather than after the next wait. */
		if (completed && finished < n)
			continue;
		now = time_mono_ms();
		for (size_t i = 0; i < n; i++) {
			struct http_request *r = reqs[i];

			if (stream_overdue(r, now)) {
				detach_easy(r, multi); /* r->err says why */
				finish(r, -1);
				running--;
				finished++;
			} else if (r->state == HTTP_WAITING && r->next_attempt_ms < wake) {
				wake = r->next_attempt_ms;
			} else if (r->state == HTTP_RUNNING && r->stream && !r->headers_done &&
				   r->deadline_ms && r->deadline_ms < wake) {
				wake = r->deadline_ms;
			}
		}
		if (finished >= n)
			break;
		curl_multi_timeout(multi, &curl_timeout);
		if (curl_timeout >= 0 && now + curl_timeout < wake)
			wake = now + curl_timeout;
		curl_multi_poll(multi, NULL, 0, wake > now ? (int)(wake - now) : 0, NULL);
	}
	cancel_detach(cancel, multi);
	client_release_multi(client, multi);
	for (size_t i = 0; i < n; i++)
		any_failed |= reqs[i]->result != 0;
	return any_failed ? -1 : 0;
}

int http_perform_one(struct kube_client *client, struct http_request *r,
		     struct kube_cancel *cancel, struct error *err)
{
	struct http_request *reqs[1] = { r };

	if (http_perform(client, reqs, 1, 1, cancel) < 0) {
		if (err)
			*err = r->err;
		return -1;
	}
	return 0;
}

int http_response_json(const struct http_request *r, cJSON **ret, struct error *err)
{
	struct error why = ERROR_INIT;
	cJSON *doc;

	if (r->response.len == 0) {
		*ret = NULL;
		return 0;
	}
	doc = json_parse_bounded(r->response.data, r->response.len, r->response.max, &why);
	if (!doc)
		return error_set_code(err, KUBE_ERR_RESPONSE, "%s %s: the response is not JSON: %s",
				      r->method, r->path.data, why.msg);
	*ret = doc;
	return 0;
}
