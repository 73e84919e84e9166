/* kube_config.h — where to reach the API server and how to authenticate:
 * kubeconfig loading with kubectl's exact rules (KUBECONFIG merging,
 * --context/--cluster/--user/-n/--server overrides, relative paths, *-data
 * vs file forms) and the in-cluster fallback. docs/kubeconfig.md is the
 * user-facing description of these rules. */
#ifndef KONDUKTOR_KUBE_CONFIG_H
#define KONDUKTOR_KUBE_CONFIG_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "strv.h"

/* The kubectl flags that select and override configuration. Every member
 * may be NULL (not given). */
struct kube_overrides {
	const char *kubeconfig;      /* --kubeconfig: that file only */
	const char *context;         /* --context */
	const char *cluster;         /* --cluster */
	const char *user;            /* --user */
	const char *namespace;       /* -n/--namespace */
	const char *server;          /* -s/--server */
	const char *request_timeout; /* --request-timeout: "0", "30", "30s", "1m30s", "500ms" */
};

/* Used when no --request-timeout is given: every request has a limit. */
#define KUBE_DEFAULT_REQUEST_TIMEOUT_MS 30000
/* The service-account directory of the in-cluster fallback; the
 * KONDUKTOR_SERVICEACCOUNT_DIR environment variable overrides it. */
#define KUBE_SERVICEACCOUNT_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

enum kube_exec_interactive {
	KUBE_EXEC_INTERACTIVE_NEVER,
	KUBE_EXEC_INTERACTIVE_IF_AVAILABLE,
	KUBE_EXEC_INTERACTIVE_ALWAYS,
};

/* A user's exec credential plugin (client.authentication.k8s.io). */
struct kube_exec_config {
	char *command;      /* resolved against the kubeconfig's directory if it has a '/' */
	struct strv args;
	struct strv env;    /* "NAME=value", appended to the parent's environment */
	char *api_version;  /* client.authentication.k8s.io/v1 or v1beta1 */
	char *install_hint; /* shown when the command is missing, or NULL */
	bool provide_cluster_info;
	enum kube_exec_interactive interactive_mode;
	/* The cluster's "client.authentication.k8s.io/exec" extension, passed
	 * as spec.cluster.config when provide_cluster_info; NULL if none. */
	cJSON *cluster_config;
};

enum kube_namespace_source {
	KUBE_NAMESPACE_DEFAULT,  /* "default": nothing named one */
	KUBE_NAMESPACE_CONTEXT,  /* the context's namespace (or the in-cluster one) */
	KUBE_NAMESPACE_OVERRIDE, /* -n/--namespace */
};

/* The resolved configuration: one server, one identity. Strings are owned
 * and never NULL unless documented; "" means unset. Secret members (token,
 * password, key data) are wiped when the config is freed and must never be
 * printed. */
struct kube_config {
	char *context;      /* the context used; "" in-cluster or when none */
	char *cluster_name; /* "" in-cluster */
	char *user_name;    /* "" in-cluster */
	char *namespace;    /* the effective namespace, never "" */
	enum kube_namespace_source namespace_source;
	char *server;       /* "https://host:port[/prefix]", no trailing '/' */
	bool in_cluster;    /* from the service-account directory */
	char *kubeconfig_files; /* the files read, ':'-joined, for messages */

	/* How the server is identified. ca_data holds PEM bytes from
	 * certificate-authority-data or, after kube_client_new(), the file. */
	char *ca_file;
	struct buf ca_data;
	bool insecure_skip_tls_verify;
	char *tls_server_name;
	char *proxy_url;
	bool disable_compression;

	/* How the user is identified. */
	char *token;       /* secret */
	char *token_file;  /* re-read when it changes (rotation) */
	char *client_certificate_file;
	struct buf client_certificate_data;
	char *client_key_file;
	struct buf client_key_data; /* secret */
	char *username;
	char *password;    /* secret */
	char *impersonate; /* "as" */
	char *impersonate_uid;
	struct strv impersonate_groups;
	struct kube_exec_config *exec; /* NULL unless the user has one */

	/* Per call, all retries included; 0 means no limit ("0" given). */
	int64_t request_timeout_ms;
};

/* Loads the configuration kubectl would use with these flags (overrides
 * may be NULL): --kubeconfig alone, else every file in $KUBECONFIG (first
 * to define a name wins, missing files skipped), else ~/.kube/config; then
 * the overrides; then, if the files define nothing usable and
 * KUBERNETES_SERVICE_HOST/PORT and the service-account token exist, the
 * in-cluster configuration. Errors follow kubectl's wording, e.g.
 * `context "x" does not exist`. The caller frees *ret_config. */
int kube_config_load(const struct kube_overrides *overrides, struct kube_config **ret_config,
		     struct error *err);
void kube_config_free(struct kube_config *config);

/* Parses kubectl's --request-timeout: a bare integer is seconds, else a Go
 * duration ("1m30s", "500ms"); "0" means no limit. */
int kube_parse_request_timeout(const char *text, int64_t *ret_ms, struct error *err);

#endif
