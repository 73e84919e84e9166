/* auth.h — the credentials each request carries, shared by every thread
 * of a client: a static token, a token file re-read when it changes, or an
 * exec plugin's token or certificate cached until it expires; and what to
 * do after a 401. Internal to kube/. */
#ifndef KONDUKTOR_KUBE_AUTH_H
#define KONDUKTOR_KUBE_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "exec_plugin.h"
#include "kube_config.h"

enum cred_source {
	CRED_NONE,       /* anonymous, or only a TLS client certificate from the config */
	CRED_STATIC,     /* token or basic auth from the kubeconfig */
	CRED_TOKEN_FILE, /* tokenFile (and the in-cluster service-account token) */
	CRED_EXEC,       /* an exec plugin */
};

/* A snapshot for one request; owns copies, wiped on release. */
struct kube_credentials {
	enum cred_source source;
	char *bearer_token;   /* NULL: no Authorization: Bearer */
	struct buf cert, key; /* an exec plugin's client certificate (PEM); may be empty */
	uint64_t generation;  /* which cached credential this is */
};

struct kube_auth;

/* `config` and `cluster` must outlive the auth. */
struct kube_auth *kube_auth_new(const struct kube_config *config,
				const struct exec_cluster_info *cluster);
void kube_auth_free(struct kube_auth *auth);

void kube_credentials_init(struct kube_credentials *cred);
void kube_credentials_release(struct kube_credentials *cred);

/* The credentials to send now. Runs the exec plugin when nothing valid is
 * cached (one run at a time; other threads wait for its result); the run
 * is bounded by timeout_ms unless the plugin is interactive. */
int kube_auth_get(struct kube_auth *auth, int64_t timeout_ms, struct kube_credentials *ret,
		  struct error *err);

/* After a 401 for a request sent with `used`: forgets that credential
 * (the exec result, or the token file's cached contents) so the next
 * kube_auth_get() fetches a fresh one. True when a retry may succeed. */
bool kube_auth_invalidate(struct kube_auth *auth, const struct kube_credentials *used);

#endif
