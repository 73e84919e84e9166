/* exec_plugin.h — runs a kubeconfig exec credential plugin
 * (client.authentication.k8s.io/v1 or v1beta1) and reads the ExecCredential
 * it prints. Internal to kube/; auth.c caches the result. */
#ifndef KONDUKTOR_KUBE_EXEC_PLUGIN_H
#define KONDUKTOR_KUBE_EXEC_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "kube_config.h"

#define EXEC_PLUGIN_MAX_OUTPUT ((size_t)1024 * 1024)

struct exec_credential {
	char *token;          /* NULL when the plugin returned a certificate */
	struct buf cert, key; /* PEM; empty when it returned a token */
	bool expires;
	time_t expiration;    /* UTC seconds, when `expires` */
};

void exec_credential_init(struct exec_credential *cred);
/* Frees and wipes the secrets. */
void exec_credential_release(struct exec_credential *cred);

/* What the plugin may learn about the cluster (spec.cluster). */
struct exec_cluster_info {
	const char *server;
	const char *tls_server_name;
	bool insecure_skip_tls_verify;
	const struct buf *ca_data; /* PEM bytes, may be empty */
	const char *proxy_url;
	bool disable_compression;
};

/* Runs the plugin: KUBERNETES_EXEC_INFO and exec->env on top of the
 * parent's environment, stdin passed through only when interactive,
 * stderr inherited, stdout captured (at most EXEC_PLUGIN_MAX_OUTPUT).
 * A non-interactive run is killed after timeout_ms (> 0). Errors use
 * client-go's wording, with err->code KUBE_ERR_CREDENTIALS. */
int exec_plugin_run(const struct kube_exec_config *exec, const struct exec_cluster_info *cluster,
		    int64_t timeout_ms, struct exec_credential *ret, struct error *err);

/* Decodes and checks a plugin's stdout (separate for unit tests). */
int exec_credential_decode(const char *api_version, const char *text, size_t len,
			   struct exec_credential *ret, struct error *err);

#endif
