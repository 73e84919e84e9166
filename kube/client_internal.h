/* client_internal.h — the client's private state, shared by the files that
 * make requests (engine, rest, watch, bulk). Internal to kube/. */
#ifndef KONDUKTOR_KUBE_CLIENT_INTERNAL_H
#define KONDUKTOR_KUBE_CLIENT_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "auth.h"
#include "exec_plugin.h"
#include "kube_client.h"

#define CLIENT_IDLE_MULTIS 8 /* multi handles (each with its connections) kept for reuse */

struct kube_client {
	struct kube_config *config;
	char *user_agent;
	struct kube_retry_policy retry;
	kube_warning_fn warning_fn;
	void *warning_ctx;

	/* Where requests go: base_url has the host replaced by tls-server-name
	 * when one is set, and connect_to sends the connection to the real
	 * host; host_header keeps the real Host. */
	char *base_url;
	char *connect_to;  /* "name:port:host:port" or NULL */
	struct curl_slist *connect_to_list; /* connect_to as curl wants it */
	char *host_header; /* "Host: host:port" or NULL */
	char *server_hostport; /* "host:port" for messages */

	/* TLS material, loaded once: PEM bytes handed to curl as blobs so
	 * nothing is written to disk. */
	struct buf ca_pem;
	struct buf cert_pem;
	struct buf key_pem; /* secret */

	struct exec_cluster_info cluster_info;
	struct kube_auth *auth;

	/* DNS and TLS sessions are shared by every handle (the connection
	 * cache cannot be shared between threads; it lives in each multi). */
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock;
	CURLM *idle_multis[CLIENT_IDLE_MULTIS];
	size_t nidle;
	atomic_uint_fast64_t request_ids; /* numbers requests in debug output */
};

/* A multi handle for this thread's exclusive use, with whatever idle
 * connections it kept from earlier calls. */
CURLM *client_acquire_multi(struct kube_client *client);
void client_release_multi(struct kube_client *client, CURLM *multi);

/* Registers the multi that a cancellable call is waiting in, so that
 * kube_cancel_trigger() can wake it. NULL cancel is allowed. */
void cancel_attach(struct kube_cancel *cancel, CURLM *multi);
void cancel_detach(struct kube_cancel *cancel, CURLM *multi);

#endif
