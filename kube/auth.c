/* auth.c — credential caching behind one mutex per client. The token file
 * is checked (stat) on each use and re-read when it changed, so a rotated
 * service-account token is picked up at once; an exec plugin's result is
 * kept until its expirationTimestamp or a 401. */
#include "auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fileutil.h"
#include "kube_client.h"
#include "log.h"
#include "strutil.h"
#include "xalloc.h"

struct kube_auth {
	const struct kube_config *config;
	const struct exec_cluster_info *cluster;
	enum cred_source source;
	pthread_mutex_t lock;      /* guards everything below */
	pthread_mutex_t exec_lock; /* held while the plugin runs: one run at a time */
	uint64_t generation;       /* bumped whenever the cached credential changes */
	/* CRED_TOKEN_FILE */
	char *file_token;
	struct timespec file_mtime;
	off_t file_size;
	ino_t file_ino;
	bool file_force_reread;
	/* CRED_EXEC */
	bool exec_valid;
	struct exec_credential exec_cred;
};


struct kube_auth *kube_auth_new(const struct kube_config *config,
				const struct exec_cluster_info *cluster)
{
	struct kube_auth *auth = xcalloc(1, sizeof(*auth));
	bool has_static = *config->token || *config->username || *config->password;
	bool has_cert = *config->client_certificate_file || config->client_certificate_data.len;

	auth->config = config;
	auth->cluster = cluster;
	pthread_mutex_init(&auth->lock, NULL);
	pthread_mutex_init(&auth->exec_lock, NULL);
	exec_credential_init(&auth->exec_cred);
	/* client-go: a tokenFile beats the token; the exec plugin is used only
	 * when no token, basic auth or client certificate is configured. */
	if (*config->token_file)
		auth->source = CRED_TOKEN_FILE;
	else if (has_static)
		auth->source = CRED_STATIC;
	else if (config->exec && !has_cert)
		auth->source = CRED_EXEC;
	else
		auth->source = CRED_NONE;
	return auth;
}

void kube_auth_free(struct kube_auth *auth)
{
	if (!auth)
		return;
	str_free_secret(auth->file_token);
	exec_credential_release(&auth->exec_cred);
	pthread_mutex_destroy(&auth->lock);
	pthread_mutex_destroy(&auth->exec_lock);
	free(auth);
}

void kube_credentials_init(struct kube_credentials *cred)
{
	cred->source = CRED_NONE;
	cred->bearer_token = NULL;
	buf_init(&cred->cert, EXEC_PLUGIN_MAX_OUTPUT);
	buf_init(&cred->key, EXEC_PLUGIN_MAX_OUTPUT);
	cred->generation = 0;
}

void kube_credentials_release(struct kube_credentials *cred)
{
	str_free_secret(cred->bearer_token);
	cred->bearer_token = NULL;
	buf_release(&cred->cert);
	buf_release_secret(&cred->key);
}

/* Re-reads the token file if it changed since the last read (or after a
 * 401). Called with auth->lock held. */
static int refresh_token_file(struct kube_auth *auth, struct error *err)
{
	const char *path = auth->config->token_file;
	struct buf text = BUF_INIT(BUF_MAX_SMALL);
	struct stat st;

	if (stat(path, &st) < 0) {
		if (auth->file_token)
			return 0; /* keep the last good token while the file is replaced */
		return error_set_code(err, KUBE_ERR_CREDENTIALS, "cannot read token file '%s': %s",
				      path, strerror(errno));
	}
	if (auth->file_token && !auth->file_force_reread && st.st_ino == auth->file_ino &&
	    st.st_size == auth->file_size && st.st_mtim.tv_sec == auth->file_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == auth->file_mtime.tv_nsec)
		return 0;
	if (file_read_all(path, &text, err) < 0) {
		buf_release(&text);
		if (auth->file_token)
			return 0;
		if (err)
			err->code = KUBE_ERR_CREDENTIALS;
		return error_prefix(err, "cannot read token file");
	}
	buf_rtrim(&text);
	while (text.len && (text.data[0] == ' ' || text.data[0] == '\t' || text.data[0] == '\n'))
		buf_consume(&text, 1);
	if (!auth->file_token || strcmp(auth->file_token, text.data) != 0)
		auth->generation++;
	str_free_secret(auth->file_token);
	auth->file_token = buf_detach(&text, NULL);
	auth->file_ino = st.st_ino;
	auth->file_size = st.st_size;
	auth->file_mtime = st.st_mtim;
	auth->file_force_reread = false;
	return 0;
}

static bool exec_cred_fresh(const struct kube_auth *auth)
{
	return auth->exec_valid &&
	       (!auth->exec_cred.expires || time(NULL) < auth->exec_cred.expiration);
}

static void copy_exec_cred(const struct kube_auth *auth, struct kube_credentials *ret)
{
	if (auth->exec_cred.token)
		ret->bearer_token = xstrdup(auth->exec_cred.token);
	if (auth->exec_cred.cert.len) {
		buf_append(&ret->cert, auth->exec_cred.cert.data, auth->exec_cred.cert.len);
		buf_append(&ret->key, auth->exec_cred.key.data, auth->exec_cred.key.len);
	}
	ret->generation = auth->generation;
}

static int get_exec(struct kube_auth *auth, int64_t timeout_ms, struct kube_credentials *ret,
		    struct error *err)
{
	struct exec_credential fresh;
	int rc;

	pthread_mutex_lock(&auth->lock);
	if (exec_cred_fresh(auth)) {
		copy_exec_cred(auth, ret);
		pthread_mutex_unlock(&auth->lock);
		return 0;
	}
	pthread_mutex_unlock(&auth->lock);

	/* One run at a time; whoever waited here may find a fresh result. */
	pthread_mutex_lock(&auth->exec_lock);
	pthread_mutex_lock(&auth->lock);
	if (exec_cred_fresh(auth)) {
		copy_exec_cred(auth, ret);
		pthread_mutex_unlock(&auth->lock);
		pthread_mutex_unlock(&auth->exec_lock);
		return 0;
	}
	pthread_mutex_unlock(&auth->lock);
	exec_credential_init(&fresh);
	log_debug("running exec credential plugin %s", auth->config->exec->command);
	rc = exec_plugin_run(auth->config->exec, auth->cluster, timeout_ms, &fresh, err);
	pthread_mutex_lock(&auth->lock);
	if (rc == 0) {
		exec_credential_release(&auth->exec_cred);
		auth->exec_cred = fresh;
		auth->exec_valid = true;
		auth->generation++;
		copy_exec_cred(auth, ret);
	} else {
		exec_credential_release(&fresh);
	}
	pthread_mutex_unlock(&auth->lock);
	pthread_mutex_unlock(&auth->exec_lock);
	return rc;
}

int kube_auth_get(struct kube_auth *auth, int64_t timeout_ms, struct kube_credentials *ret,
		  struct error *err)
{
	const struct kube_config *config = auth->config;
	int rc = 0;

	ret->source = auth->source;
	switch (auth->source) {
	case CRED_NONE:
		return 0;
	case CRED_STATIC:
		if (*config->token)
			ret->bearer_token = xstrdup(config->token);
		return 0;
	case CRED_TOKEN_FILE:
		pthread_mutex_lock(&auth->lock);
		rc = refresh_token_file(auth, err);
		if (rc == 0 && auth->file_token && *auth->file_token)
			ret->bearer_token = xstrdup(auth->file_token);
		else if (rc == 0 && *config->token)
			ret->bearer_token = xstrdup(config->token); /* client-go's fallback */
		ret->generation = auth->generation;
		pthread_mutex_unlock(&auth->lock);
		return rc;
	case CRED_EXEC:
		return get_exec(auth, timeout_ms, ret, err);
	}
	return 0;
}

bool kube_auth_invalidate(struct kube_auth *auth, const struct kube_credentials *used)
{
	bool retry = false;

	pthread_mutex_lock(&auth->lock);
	switch (used->source) {
	case CRED_EXEC:
		/* Only the credential that failed is dropped: another thread may
		 * already have fetched a newer one. */
		if (auth->exec_valid && auth->generation == used->generation)
			auth->exec_valid = false;
		retry = true;
		break;
	case CRED_TOKEN_FILE:
		/* Worth a retry if the file now holds another token. */
		auth->file_force_reread = true;
		if (refresh_token_file(auth, NULL) == 0)
			retry = auth->generation != used->generation;
		break;
	case CRED_NONE:
	case CRED_STATIC:
		break;
	}
	pthread_mutex_unlock(&auth->lock);
	return retry;
}
