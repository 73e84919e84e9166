/* kube_client.h — a Kubernetes API client: REST verbs over HTTPS with the
 * configured identity, retries that are safe to make, the server's own
 * Status message on failure, log streams, and cancellation from another
 * thread. Watches and list+watch caches are in kube_watch.h and
 * kube_informer.h, many requests at once in kube_bulk.h.
 *
 * Threads: every function may be called from several threads at once on
 * the same client (each call uses its own curl handles; DNS and TLS
 * sessions are shared; credential caches are locked). The client must
 * outlive every call, watch and informer that uses it.
 *
 * Errors: a failed call returns -1 and fills `err`: err->msg is one line
 * (for an API error, the server's Status message verbatim) and err->code is
 * the HTTP status when the server answered (>= 400), else one of
 * enum kube_error_code. */
#ifndef KONDUKTOR_KUBE_CLIENT_H
#define KONDUKTOR_KUBE_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "kube_config.h"
#include "kube_resource.h"

struct kube_client;

/* err->code when there is no HTTP status to report. */
enum kube_error_code {
	KUBE_ERR_NETWORK = -1,   /* could not connect, or the connection broke */
	KUBE_ERR_TIMEOUT = -2,   /* the request timeout passed */
	KUBE_ERR_CANCELLED = -3, /* kube_cancel_trigger() was called */
	KUBE_ERR_TLS = -4,       /* TLS handshake or verification failed */
	KUBE_ERR_CREDENTIALS = -5, /* reading a token or running an exec plugin failed */
	KUBE_ERR_RESPONSE = -6,  /* the server's answer was not what the API promises */
	KUBE_ERR_INVALID = -7,   /* the call's own arguments were invalid */
};

/* Creates a client for `config`, taking ownership of it (also when
 * creation fails). Reads the CA, client certificate and key files now, so
 * that a bad path fails here rather than on the first request. */
struct kube_client *kube_client_new(struct kube_config *config, struct error *err);
void kube_client_free(struct kube_client *client);
const struct kube_config *kube_client_config(const struct kube_client *client);

/* Sent as User-Agent; default "konduktor/<version>". Set before use. */
void kube_client_set_user_agent(struct kube_client *client, const char *user_agent);

/* What is retried (docs/kubeconfig.md, "Retries"): 429 for every verb
 * (the server did not act on it), honouring Retry-After; 500, 502, 503,
 * 504 and dropped connections or timeouts only for GET, PUT and DELETE;
 * POST and PATCH only when the connection failed before any byte of the
 * request was sent. Between attempts: capped exponential backoff with
 * jitter (half fixed, half random). All attempts of one call, and the
 * waits, fit in the request timeout. */
struct kube_retry_policy {
	int max_attempts;           /* including the first; 1 disables retries */
	int64_t initial_backoff_ms; /* before the first retry */
	int64_t max_backoff_ms;     /* cap of the doubling */
	int64_t max_retry_after_ms; /* a longer Retry-After ends the call instead */
};
#define KUBE_RETRY_POLICY_DEFAULT                                                      \
	{ .max_attempts = 5, .initial_backoff_ms = 200, .max_backoff_ms = 5000,        \
	  .max_retry_after_ms = 60000 }
/* Set before use (not while other threads make calls). */
void kube_client_set_retry_policy(struct kube_client *client, const struct kube_retry_policy *p);

/* Receives each "Warning" response header's text (e.g. with
 * fieldValidation=Warn); may run on any thread that makes a call. */
typedef void (*kube_warning_fn)(const char *warning, void *ctx);
void kube_client_set_warning_handler(struct kube_client *client, kube_warning_fn fn, void *ctx);

/* Cancellation: a call given a kube_cancel ends promptly with
 * KUBE_ERR_CANCELLED once kube_cancel_trigger() is called from any thread
 * (in-flight transfers are woken, not polled). One cancel may serve many
 * calls; triggering is permanent. */
struct kube_cancel;
struct kube_cancel *kube_cancel_new(void);
void kube_cancel_trigger(struct kube_cancel *cancel);
bool kube_cancel_is_triggered(const struct kube_cancel *cancel);
void kube_cancel_free(struct kube_cancel *cancel);

/* --- REST verbs. `ns` is the namespace (NULL for cluster-scoped
 * resources; for list and watch, NULL means all namespaces). Returned
 * objects belong to the caller (cJSON_Delete); `ret` may be NULL when the
 * caller does not want the object. */

int kube_get(struct kube_client *client, const struct kube_resource *res, const char *ns,
	     const char *name, cJSON **ret_object, struct error *err);
/* GET .../<name>/status. */
int kube_get_status(struct kube_client *client, const struct kube_resource *res, const char *ns,
		    const char *name, cJSON **ret_object, struct error *err);

struct kube_list_opts {
	const char *label_selector;   /* "app=x,tier!=db" */
	const char *field_selector;   /* "status.phase=Running" */
	int64_t limit;                /* page size; 0: the server's default (all) */
	const char *continue_token;   /* from a previous page's metadata.continue */
	const char *resource_version; /* "0": any cached version is fine */
};
/* One page: the List object; its metadata.continue is set when more remain. */
int kube_list(struct kube_client *client, const struct kube_resource *res, const char *ns,
	      const struct kube_list_opts *opts, cJSON **ret_list, struct error *err);
/* Every page, as kube_list(); `on_page` borrows each page and returns 0 to
 * go on, non-zero to stop early (which is not an error). An expired
 * continue token (410) restarts from the first page, at most twice. */
typedef int (*kube_page_fn)(const cJSON *page, void *ctx);
int kube_list_pages(struct kube_client *client, const struct kube_resource *res, const char *ns,
		    const struct kube_list_opts *opts, kube_page_fn on_page, void *ctx,
		    struct error *err);
/* Every page merged into one List: items concatenated, metadata from the
 * last page (its resourceVersion is the one to watch from). opts->limit
 * is the page size (default 500). */
int kube_list_all(struct kube_client *client, const struct kube_resource *res, const char *ns,
		  const struct kube_list_opts *opts, cJSON **ret_list, struct error *err);

struct kube_write_opts {
	bool dry_run;                 /* dryRun=All: validated, not stored */
	const char *field_validation; /* "Strict", "Warn", "Ignore"; NULL: server default */
	const char *field_manager;
};
/* POST; the object's metadata.namespace, if any, must agree with ns. */
int kube_create(struct kube_client *client, const struct kube_resource *res, const char *ns,
		const cJSON *object, const struct kube_write_opts *opts, cJSON **ret_object,
		struct error *err);
/* PUT (metadata.resourceVersion in the object makes it conditional). */
int kube_replace(struct kube_client *client, const struct kube_resource *res, const char *ns,
		 const char *name, const cJSON *object, const struct kube_write_opts *opts,
		 cJSON **ret_object, struct error *err);

enum kube_patch_type {
	KUBE_PATCH_MERGE,     /* application/merge-patch+json (RFC 7386) */
	KUBE_PATCH_JSON,      /* application/json-patch+json (RFC 6902): patch is an array */
	KUBE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json (built-in kinds) */
};
int kube_patch(struct kube_client *client, const struct kube_resource *res, const char *ns,
	       const char *name, enum kube_patch_type type, const cJSON *patch,
	       const struct kube_write_opts *opts, cJSON **ret_object, struct error *err);
/* PATCH .../<name>/status. */
int kube_patch_status(struct kube_client *client, const struct kube_resource *res,
		      const char *ns, const char *name, enum kube_patch_type type,
		      const cJSON *patch, const struct kube_write_opts *opts, cJSON **ret_object,
		      struct error *err);

struct kube_delete_opts {
	const char *propagation_policy; /* "Foreground", "Background", "Orphan"; NULL: default */
	bool set_grace_period;          /* send grace_period_seconds (0 = now) */
	int64_t grace_period_seconds;
	bool dry_run;
	const char *precondition_uid;   /* delete only this incarnation */
};
/* DELETE; *ret_object is what the server returned (the object while it
 * terminates, or a Status). */
int kube_delete(struct kube_client *client, const struct kube_resource *res, const char *ns,
		const char *name, const struct kube_delete_opts *opts, cJSON **ret_object,
		struct error *err);

/* --- Pod logs (GET .../pods/<name>/log). */
struct kube_log_opts {
	const char *container;  /* NULL: the pod's only container */
	bool follow;            /* keep streaming until the container ends */
	bool previous;          /* the previous, terminated instance */
	bool timestamps;        /* prefix each line with its RFC 3339 time */
	bool set_tail_lines;    /* send tail_lines (0 = no lines) */
	int64_t tail_lines;
	int64_t since_seconds;  /* > 0: only newer lines */
	int64_t limit_bytes;    /* > 0: at most this many bytes */
};
/* Appends the log to `out`. Unless opts->limit_bytes is set, the server is
 * asked for at most the room left in `out` (its max), so a big log is cut
 * at that size by the server rather than failing here. */
int kube_pod_logs(struct kube_client *client, const char *ns, const char *pod,
		  const struct kube_log_opts *opts, struct buf *out, struct error *err);
/* Streams the log: `on_data` gets each chunk as it arrives (any size, not
 * aligned to lines) and returns 0 to go on, non-zero to stop (not an
 * error). The request timeout bounds the time until the stream starts;
 * after that it runs until the log ends, the callback stops it, `cancel`
 * is triggered, or the connection dies (TCP keepalive notices a silent
 * peer within about 30 s). `cancel` may be NULL. */
typedef int (*kube_data_fn)(const char *data, size_t len, void *ctx);
int kube_pod_logs_stream(struct kube_client *client, const char *ns, const char *pod,
			 const struct kube_log_opts *opts, kube_data_fn on_data, void *ctx,
			 struct kube_cancel *cancel, struct error *err);

/* --- Anything else. `path` includes any query ("/version",
 * "/apis/batch/v1"); `body` may be NULL. The response must be JSON (or
 * empty, giving a NULL *ret_object). GET, PUT and DELETE are retried as
 * idempotent. */
int kube_request_json(struct kube_client *client, const char *method, const char *path,
		      const cJSON *body, const char *content_type, cJSON **ret_object,
		      struct error *err);
/* True when the server serves the resource (discovery of its
 * group/version lists its plural), e.g. whether JobSets are available. */
int kube_resource_served(struct kube_client *client, const struct kube_resource *res,
			 bool *ret_served, struct error *err);

#endif
