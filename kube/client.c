/* client.c — creating a client from a configuration: the server URL and
 * tls-server-name routing, TLS material loaded into memory, the shared
 * DNS/TLS-session cache, and the pool of multi handles that keep
 * connections alive between calls. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "client_internal.h"
#include "fileutil.h"
#include "log.h"
#include "strutil.h"
#include "version.h"
#include "xalloc.h"

#define TLS_FILE_MAX ((size_t)1024 * 1024)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("cannot initialise libcurl");
}

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *ctx)
{
	struct kube_client *client = ctx;

	(void)handle;
	(void)access;
	pthread_mutex_lock(&client->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *ctx)
{
	struct kube_client *client = ctx;

	(void)handle;
	pthread_mutex_unlock(&client->share_locks[data]);
}

/* PEM from `data` if given, else from `file`, else nothing. */
static int load_pem(const char *what, const struct buf *data, const char *file, struct buf *out,
		    struct error *err)
{
	buf_init(out, TLS_FILE_MAX);
	if (data->len)
		return buf_append(out, data->data, data->len) < 0
			       ? error_set_code(err, KUBE_ERR_INVALID, "%s larger than %zu bytes",
						what, TLS_FILE_MAX)
			       : 0;
	if (str_is_empty(file))
		return 0;
	if (file_read_all(file, out, err) < 0) {
		if (err)
			err->code = KUBE_ERR_INVALID;
		return error_prefix(err, "cannot read %s", what);
	}
	return 0;
}

/* Splits the server URL so that tls-server-name can be used for SNI and
 * verification while connecting to the real host (CURLOPT_CONNECT_TO). */
static int setup_server(struct kube_client *client, struct error *err)
{
	const struct kube_config *config = client->config;
	CURLU *url = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *full = NULL;
	int ret = -1;

	if (!url)
		die("out of memory");
	if (curl_url_set(url, CURLUPART_URL, config->server, 0) != CURLUE_OK ||
	    curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		error_set_code(err, KUBE_ERR_INVALID, "invalid server URL '%s'", config->server);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		error_set_code(err, KUBE_ERR_INVALID,
			       "invalid server URL '%s': the scheme must be https or http",
			       config->server);
		goto out;
	}
	client->server_hostport = xasprintf("%s:%s", host, port);
	if (!strcmp(scheme, "https") && *config->tls_server_name) {
		/* Connect to host:port, but greet and verify tls-server-name. */
		client->connect_to = xasprintf("%s:%s:%s:%s", config->tls_server_name, port, host,
					       port);
		client->connect_to_list = curl_slist_append(NULL, client->connect_to);
		if (!client->connect_to_list)
			die("out of memory");
		client->host_header = xasprintf("Host: %s:%s", host, port);
		if (curl_url_set(url, CURLUPART_HOST, config->tls_server_name, 0) != CURLUE_OK ||
		    curl_url_get(url, CURLUPART_URL, &full, 0) != CURLUE_OK) {
			error_set_code(err, KUBE_ERR_INVALID, "invalid tls-server-name '%s'",
				       config->tls_server_name);
			goto out;
		}
		client->base_url = xstrdup(full);
	} else {
		client->base_url = xstrdup(config->server);
	}
	/* curl normalises "https://h:1" to "https://h:1/"; paths are appended. */
	{
		size_t len = strlen(client->base_url);

		while (len && client->base_url[len - 1] == '/')
			client->base_url[--len] = '\0';
	}
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(full);
	curl_url_cleanup(url);
	return ret;
}

struct kube_client *kube_client_new(struct kube_config *config, struct error *err)
{
	struct kube_client *client;
	static const struct kube_retry_policy default_retry = KUBE_RETRY_POLICY_DEFAULT;

	pthread_once(&curl_once, curl_init_once);
	client = xcalloc(1, sizeof(*client));
	client->config = config;
	client->retry = default_retry;
	client->user_agent = xstrdup("konduktor/" KONDUKTOR_VERSION " (linux)");
	buf_init(&client->ca_pem, TLS_FILE_MAX);
	buf_init(&client->cert_pem, TLS_FILE_MAX);
	buf_init(&client->key_pem, TLS_FILE_MAX);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&client->share_locks[i], NULL);
	pthread_mutex_init(&client->pool_lock, NULL);
	atomic_init(&client->request_ids, 0);
	client->share = curl_share_init();
	if (!client->share)
		die("out of memory");
	curl_share_setopt(client->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(client->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(client->share, CURLSHOPT_USERDATA, client);
	curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(client->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);

	if (setup_server(client, err) < 0 ||
	    load_pem("certificate-authority", &config->ca_data, config->ca_file, &client->ca_pem,
		     err) < 0 ||
	    load_pem("client-certificate", &config->client_certificate_data,
		     config->client_certificate_file, &client->cert_pem, err) < 0 ||
	    load_pem("client-key", &config->client_key_data, config->client_key_file,
		     &client->key_pem, err) < 0) {
		kube_client_free(client);
		return NULL;
	}
	client->cluster_info = (struct exec_cluster_info){
		.server = config->server,
		.tls_server_name = config->tls_server_name,
		.insecure_skip_tls_verify = config->insecure_skip_tls_verify,
		.ca_data = &client->ca_pem,
		.proxy_url = config->proxy_url,
		.disable_compression = config->disable_compression,
	};
	client->auth = kube_auth_new(config, &client->cluster_info);
	return client;
}

void kube_client_free(struct kube_client *client)
{
	if (!client)
		return;
	for (size_t i = 0; i < client->nidle; i++)
		curl_multi_cleanup(client->idle_multis[i]);
	if (client->share)
		curl_share_cleanup(client->share);
	for (size_t i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&client->share_locks[i]);
	pthread_mutex_destroy(&client->pool_lock);
	kube_auth_free(client->auth);
	free(client->user_agent);
	free(client->base_url);
	free(client->connect_to);
	curl_slist_free_all(client->connect_to_list);
	free(client->host_header);
	free(client->server_hostport);
	buf_release(&client->ca_pem);
	buf_release(&client->cert_pem);
	buf_release_secret(&client->key_pem);
	kube_config_free(client->config);
	free(client);
}

const struct kube_config *kube_client_config(const struct kube_client *client)
{
	return client->config;
}

void kube_client_set_user_agent(struct kube_client *client, const char *user_agent)
{
	free(client->user_agent);
	client->user_agent = xstrdup(user_agent);
}

void kube_client_set_retry_policy(struct kube_client *client, const struct kube_retry_policy *p)
{
	client->retry = *p;
	if (client->retry.max_attempts < 1)
		client->retry.max_attempts = 1;
}

void kube_client_set_warning_handler(struct kube_client *client, kube_warning_fn fn, void *ctx)
{
	client->warning_fn = fn;
	client->warning_ctx = ctx;
}

CURLM *client_acquire_multi(struct kube_client *client)
{
	CURLM *multi = NULL;

	pthread_mutex_lock(&client->pool_lock);
	if (client->nidle)
		multi = client->idle_multis[--client->nidle];
	pthread_mutex_unlock(&client->pool_lock);
	if (multi)
		return multi;
	multi = curl_multi_init();
	if (!multi)
		die("out of memory");
	/* Several requests of one bulk call share an HTTP/2 connection. */
	curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
	return multi;
}

void client_release_multi(struct kube_client *client, CURLM *multi)
{
	pthread_mutex_lock(&client->pool_lock);
	if (client->nidle < CLIENT_IDLE_MULTIS) {
		client->idle_multis[client->nidle++] = multi;
		multi = NULL;
	}
	pthread_mutex_unlock(&client->pool_lock);
	if (multi)
		curl_multi_cleanup(multi);
}
