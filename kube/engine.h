/* engine.h — runs HTTP requests to the API server: credentials, TLS,
 * retries with backoff, timeouts, cancellation, streaming, and one or many
 * requests at once on a curl multi handle. Every REST call, watch, log
 * stream and bulk operation goes through http_perform(). Internal to kube/. */
#ifndef KONDUKTOR_KUBE_ENGINE_H
#define KONDUKTOR_KUBE_ENGINE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "buf.h"
#include "error.h"
#include "kube_client.h"

#define HTTP_MAX_RESPONSE ((size_t)128 * 1024 * 1024) /* one buffered response body */
#define HTTP_MAX_ERROR_BODY ((size_t)1024 * 1024)     /* a streamed request's error body */
#define HTTP_CONNECT_TIMEOUT_MS 10000

enum http_state {
	HTTP_NEW,
	HTTP_RUNNING,
	HTTP_WAITING, /* for its next attempt */
	HTTP_DONE,
};

struct http_request {
	/* Set by the caller before http_perform(). */
	const char *method;
	struct buf path;          /* path and query, e.g. "/api/v1/pods?limit=5" */
	const char *content_type; /* of `body` */
	const char *body;         /* borrowed; may be NULL */
	size_t body_len;
	bool idempotent;          /* GET, PUT, DELETE: safe to repeat */
	/* Streaming: 2xx bodies go to on_data as they arrive instead of into
	 * `response`; the request timeout only bounds the wait for headers. */
	bool stream;
	kube_data_fn on_data;
	void *on_data_ctx;
	int64_t idle_timeout_ms;  /* streams: end after this long with no data (0: never) */

	/* Results, valid once http_perform() returns. */
	int result;               /* 0 success (2xx), -1 failure described by err */
	long status;              /* the last HTTP status, 0 if none */
	struct buf response;      /* the body (buffered, or a stream's error body) */
	bool stopped_by_callback; /* on_data asked to stop */
	struct error err;

	/* The engine's own state. */
	enum http_state state;
	CURL *easy;
	struct curl_slist *headers;
	struct kube_credentials cred;
	char errbuf[CURL_ERROR_SIZE];
	int attempts;
	bool auth_retried;
	bool headers_done;
	bool delivered;           /* stream bytes reached on_data */
	int64_t started_ms;       /* first attempt */
	int64_t deadline_ms;      /* 0: none */
	int64_t attempt_started_ms;
	int64_t next_attempt_ms;
	int64_t last_data_ms;
	int64_t retry_after_ms;   /* from the last response, -1 if none */
	uint64_t id;
	struct kube_client *client;
	struct kube_cancel *cancel;
};

void http_request_init(struct http_request *r, const char *method);
void http_request_release(struct http_request *r);

/* Runs every request, at most max_in_flight at a time, until each is done.
 * Returns 0 if all succeeded, -1 if any failed (see each r->result). */
int http_perform(struct kube_client *client, struct http_request *const *reqs, size_t n,
		 size_t max_in_flight, struct kube_cancel *cancel);
/* One request; on failure copies its error into err. */
int http_perform_one(struct kube_client *client, struct http_request *r,
		     struct kube_cancel *cancel, struct error *err);

/* The response body as JSON (NULL for an empty body). */
int http_response_json(const struct http_request *r, cJSON **ret, struct error *err);

#endif
