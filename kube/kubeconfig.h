/* kubeconfig.h — one kubeconfig file as written (clusters, users and
 * contexts by name), before merging and overrides. Internal to kube/;
 * kube_config.c applies kubectl's rules on top, the fuzzer drives the
 * parser directly. */
#ifndef KONDUKTOR_KUBE_KUBECONFIG_H
#define KONDUKTOR_KUBE_KUBECONFIG_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "kube_config.h"
#include "strv.h"

/* Bigger than any real kubeconfig (certificates included) by far. */
#define KUBECONFIG_MAX_BYTES ((size_t)4 * 1024 * 1024)
#define KUBECONFIG_MAX_DATA_BYTES ((size_t)1024 * 1024) /* one *-data field, decoded */

/* String members are NULL when absent; *_data are empty when absent. */
struct kc_cluster {
	char *name;
	char *server;
	char *certificate_authority;
	struct buf certificate_authority_data;
	bool insecure_skip_tls_verify;
	char *tls_server_name;
	char *proxy_url;
	bool disable_compression;
	cJSON *exec_extension; /* extensions[name=client.authentication.k8s.io/exec] */
};

struct kc_user {
	char *name;
	char *token;
	char *token_file;
	char *client_certificate;
	struct buf client_certificate_data;
	char *client_key;
	struct buf client_key_data;
	char *username;
	char *password;
	char *impersonate;
	char *impersonate_uid;
	struct strv impersonate_groups;
	bool has_impersonate_extra;
	char *auth_provider; /* its name: only reported, never run */
	struct kube_exec_config *exec;
	bool exec_interactive_mode_missing; /* required by v1, defaulted by v1beta1 */
};

struct kc_context {
	char *name;
	char *cluster;
	char *user;
	char *namespace;
};

struct kubeconfig_file {
	char *path; /* absolute */
	char *current_context;
	struct kc_cluster *clusters;
	size_t nclusters;
	struct kc_user *users;
	size_t nusers;
	struct kc_context *contexts;
	size_t ncontexts;
};

/* Parses one file's text; `path` names it in errors and is the base for
 * relative paths (made absolute against the working directory). */
int kubeconfig_parse(const char *text, size_t len, const char *path,
		     struct kubeconfig_file **ret_file, struct error *err);
/* Reads and parses a file; a missing file fails with err->code ENOENT. */
int kubeconfig_read(const char *path, struct kubeconfig_file **ret_file, struct error *err);
void kubeconfig_file_free(struct kubeconfig_file *file);

const struct kc_cluster *kubeconfig_find_cluster(const struct kubeconfig_file *file,
						 const char *name);
const struct kc_user *kubeconfig_find_user(const struct kubeconfig_file *file, const char *name);
const struct kc_context *kubeconfig_find_context(const struct kubeconfig_file *file,
						 const char *name);

void kube_exec_config_free(struct kube_exec_config *exec);
struct kube_exec_config *kube_exec_config_dup(const struct kube_exec_config *exec);

/* filepath.Join(base, rel) + Clean, as client-go resolves kubeconfig paths;
 * an absolute rel is only cleaned. Newly allocated. */
char *kube_path_resolve(const char *base, const char *rel);

#endif
