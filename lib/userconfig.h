/* userconfig.h — the user's ~/.konduktor/config.yaml (or the file named by
 * $KONDUKTOR_CONFIG): per-accelerator node selectors and tolerations, the
 * Secrets that carry cloud credentials into pods, a default namespace and
 * default labels. docs/user-config.md describes the format.
 *
 * Contract:
 * - Parsed as strictly as task files (unknown fields with did-you-mean,
 *   positions, types), errors prefixed "config '<path>': line L, column C:".
 * - A missing default file is an empty config; a missing file named by
 *   $KONDUKTOR_CONFIG or by the caller is an error.
 * - Nothing here reads Secrets or talks to a cluster: the config only names
 *   Secrets; the plugin checks that they exist before creating anything.
 * - Every string is owned by the struct; user_config_release() frees all. */
#ifndef KONDUKTOR_USERCONFIG_H
#define KONDUKTOR_USERCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define USER_CONFIG_MAX ((size_t)64 * 1024)
#define USER_CONFIG_DEFAULT_PATH "~/.konduktor/config.yaml"
#define USER_CONFIG_ENV "KONDUKTOR_CONFIG"
#define USER_CONFIG_DEFAULT_HOME "/root"
#define USER_CONFIG_DEFAULT_GPU_RESOURCE "nvidia.com/gpu"

struct kv {
	char *key;
	char *value;
};

struct toleration {
	char *key;      /* NULL: tolerate every key (operator Exists) */
	char *operator; /* "Exists" or "Equal" */
	char *value;    /* NULL unless operator Equal */
	char *effect;   /* NULL: every effect */
	bool has_seconds;
	int64_t seconds; /* tolerationSeconds, NoExecute only */
};

/* How pods asking for one accelerator type are placed. */
struct accelerator_config {
	char *type;     /* as written; matched case-insensitively; "default" is the fallback */
	char *resource; /* extended resource to request, default nvidia.com/gpu */
	struct kv *node_selector;
	size_t n_node_selector;
	bool has_tolerations; /* false: the default nvidia.com/gpu toleration */
	struct toleration *tolerations;
	size_t n_tolerations;
};

/* A Secret whose keys become files in a directory of every pod. */
struct secret_mount {
	char *name;  /* the Secret, in the job's namespace */
	char *mount; /* absolute, or ~/… resolved with pod_home */
};

struct user_config {
	char *source;    /* path as shown in messages; NULL when no file */
	char *namespace; /* NULL: kubeconfig's */
	struct kv *labels;
	size_t n_labels;
	char *pod_home;  /* where ~ is in pods; never NULL after load */
	struct accelerator_config *accelerators;
	size_t n_accelerators;
	struct secret_mount *secrets;
	size_t n_secrets;
};

void user_config_init(struct user_config *cfg);
void user_config_release(struct user_config *cfg);

/* Loads `path`, or when NULL $KONDUKTOR_CONFIG, or ~/.konduktor/config.yaml
 * (absent: an empty config). */
int user_config_load(const char *path, struct user_config *ret, struct error *err);
int user_config_parse_text(const char *source, const char *text, size_t len,
			   struct user_config *ret, struct error *err);

/* The entry for an accelerator type (case-insensitive), else the
 * "default" entry, else NULL. */
const struct accelerator_config *user_config_accelerator(const struct user_config *cfg,
							 const char *type);

/* Adds a Secret from a --secret flag, "NAME:WHERE" with WHERE one of aws
 * (s3), gcp (gs, gcloud), an absolute path or ~/path. */
int user_config_add_secret(struct user_config *cfg, const char *spec, struct error *err);
/* The absolute mount path of a secret in pods (pod_home applied);
 * newly allocated. */
char *user_config_secret_path(const struct user_config *cfg, const struct secret_mount *secret);

#endif
