/* kube_config.c — kubectl's configuration rules on top of parsed kubeconfig
 * files: which files, how they merge, how flags override them, which
 * combinations are invalid (with client-go's wording), and the in-cluster
 * fallback. */
#include "kube_config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "kubeconfig.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define EXEC_API_V1 "client.authentication.k8s.io/v1"
#define EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define MAX_KUBECONFIG_FILES 64

/* The files that make up the configuration, in priority order. */
struct kc_set {
	struct kubeconfig_file *files[MAX_KUBECONFIG_FILES];
	size_t len;
};

static void kc_set_release(struct kc_set *set)
{
	for (size_t i = 0; i < set->len; i++)
		kubeconfig_file_free(set->files[i]);
	set->len = 0;
}

/* Lower-cases the first letter of strerror's text, as Go prints errors. */
static const char *go_strerror(int errnum, char out[128])
{
	str_copy(out, 128, strerror(errnum));
	if (out[0] >= 'A' && out[0] <= 'Z')
		out[0] = (char)(out[0] - 'A' + 'a');
	return out;
}

/* Reads one file into the set. `required`: a missing file is an error
 * (--kubeconfig); otherwise it is skipped (KUBECONFIG, the default). */
static int kc_set_add(struct kc_set *set, const char *path, bool required, struct error *err)
{
	struct kubeconfig_file *file = NULL;
	struct error why = ERROR_INIT;
	char reason[128];

	for (size_t i = 0; i < set->len; i++)
		if (str_eq(set->files[i]->path, path))
			return 0; /* KUBECONFIG may name a file twice */
	if (set->len == MAX_KUBECONFIG_FILES)
		return error_set(err, "KUBECONFIG names more than %d files", MAX_KUBECONFIG_FILES);
	if (kubeconfig_read(path, &file, &why) < 0) {
		if (why.code == ENOENT && !required)
			return 0;
		if (why.code == ENOENT)
			return error_set_code(err, ENOENT, "stat %s: %s", path,
					      go_strerror(ENOENT, reason));
		return error_set_code(err, why.code, "%s", why.msg);
	}
	set->files[set->len++] = file;
	return 0;
}

static char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd pw, *found = NULL;
	char scratch[4096];

	if (home && *home)
		return xstrdup(home);
	if (getpwuid_r(getuid(), &pw, scratch, sizeof(scratch), &found) == 0 && found)
		return xstrdup(found->pw_dir);
	return NULL;
}

static int kc_set_load(struct kc_set *set, const struct kube_overrides *ov, struct error *err)
{
	const char *env = getenv("KUBECONFIG");

	if (ov && !str_is_empty(ov->kubeconfig))
		return kc_set_add(set, ov->kubeconfig, true, err);
	if (!str_is_empty(env)) {
		_cleanup_free_ char *copy = xstrdup(env);
		char *p = copy;

		while (p) {
			char *colon = strchr(p, ':');

			if (colon)
				*colon = '\0';
			if (*p && kc_set_add(set, p, false, err) < 0)
				return -1;
			p = colon ? colon + 1 : NULL;
		}
		return 0;
	}
	{
		_cleanup_free_ char *home = home_dir();
		_cleanup_free_ char *path = NULL;

		if (!home)
			return 0;
		path = xasprintf("%s/.kube/config", home);
		return kc_set_add(set, path, false, err);
	}
}

/* The first file to define a name wins, as kubectl merges. */
static const struct kc_context *find_context(const struct kc_set *set, const char *name)
{
	for (size_t i = 0; i < set->len; i++) {
		const struct kc_context *c = kubeconfig_find_context(set->files[i], name);

		if (c)
			return c;
	}
	return NULL;
}

static const struct kc_cluster *find_cluster(const struct kc_set *set, const char *name)
{
	for (size_t i = 0; i < set->len; i++) {
		const struct kc_cluster *c = kubeconfig_find_cluster(set->files[i], name);

		if (c)
			return c;
	}
	return NULL;
}

static const struct kc_user *find_user(const struct kc_set *set, const char *name)
{
	for (size_t i = 0; i < set->len; i++) {
		const struct kc_user *u = kubeconfig_find_user(set->files[i], name);

		if (u)
			return u;
	}
	return NULL;
}

static const char *current_context(const struct kc_set *set)
{
	for (size_t i = 0; i < set->len; i++)
		if (!str_is_empty(set->files[i]->current_context))
			return set->files[i]->current_context;
	return "";
}

int kube_parse_request_timeout(const char *text, int64_t *ret_ms, struct error *err)
{
	int64_t seconds, ns;

	if (str_to_int64(text, &seconds) == 0 && seconds >= 0) {
		if (seconds > INT64_MAX / 1000)
			goto bad;
		*ret_ms = seconds * 1000;
		return 0;
	}
	if (time_parse_duration_ns(text, &ns) == 0 && ns >= 0) {
		/* Round up: a tiny limit must not become "no limit". */
		*ret_ms = ns / 1000000 + (ns % 1000000 ? 1 : 0);
		return 0;
	}
bad:
	return error_set(err,
			 "invalid request timeout '%s': it must be a single integer in seconds, or "
			 "an integer followed by a time unit (e.g. 1s | 2m | 3h)",
			 text);
}

/* Validation errors, collected like client-go's aggregate. */
struct problems {
	struct strv messages;
	bool empty_cluster; /* client-go's ErrEmptyCluster */
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct problems *p, const char *fmt, ...)
{
	struct buf msg = BUF_INIT(ERROR_MSG_MAX);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (strv_find(&p->messages, msg.data) < 0)
		strv_push(&p->messages, msg.data);
	buf_release(&msg);
}

static bool cluster_is_empty(const struct kc_cluster *c)
{
	return str_is_empty(c->server) && str_is_empty(c->certificate_authority) &&
	       c->certificate_authority_data.len == 0 && !c->insecure_skip_tls_verify &&
	       str_is_empty(c->tls_server_name) && str_is_empty(c->proxy_url) &&
	       !c->disable_compression && !c->exec_extension;
}

static void validate_cluster(const char *name, const struct kc_cluster *c, struct problems *p)
{
	char reason[128];

	if (cluster_is_empty(c)) {
		p->empty_cluster = true;
		problem(p, "cluster has no server defined");
		return;
	}
	if (str_is_empty(c->server)) {
		if (!*name)
			problem(p, "default cluster has no server defined");
		else
			problem(p, "no server found for cluster \"%s\"", name);
	}
	if (!str_is_empty(c->proxy_url) && !str_has_prefix(c->proxy_url, "http://") &&
	    !str_has_prefix(c->proxy_url, "https://") && !str_has_prefix(c->proxy_url, "socks5://"))
		problem(p,
			"invalid 'proxy-url' \"%s\" for cluster \"%s\": unsupported scheme, must be "
			"http, https, or socks5",
			c->proxy_url, name);
	if (!str_is_empty(c->certificate_authority) && c->certificate_authority_data.len)
		problem(p,
			"certificate-authority-data and certificate-authority are both specified "
			"for %s; certificate-authority-data will override",
			name);
	if (!str_is_empty(c->certificate_authority) &&
	    access(c->certificate_authority, R_OK) < 0)
		problem(p, "unable to read certificate-authority %s for %s due to open %s: %s",
			c->certificate_authority, name, c->certificate_authority,
			go_strerror(errno, reason));
	if (c->insecure_skip_tls_verify &&
	    (!str_is_empty(c->certificate_authority) || c->certificate_authority_data.len))
		problem(p, "specifying a root certificates file with the insecure flag is not "
			   "allowed");
}

static void validate_user(const char *name, const struct kc_user *u, struct problems *p)
{
	char reason[128];
	struct strv methods = STRV_INIT;

	if (!str_is_empty(u->token))
		strv_push(&methods, "token");
	if (!str_is_empty(u->username) || !str_is_empty(u->password))
		strv_push(&methods, "basicAuth");
	if (!str_is_empty(u->client_certificate) || u->client_certificate_data.len) {
		if (!str_is_empty(u->client_certificate) && u->client_certificate_data.len)
			problem(p,
				"client-cert-data and client-cert are both specified for %s; "
				"client-cert-data will override",
				name);
		if (!str_is_empty(u->client_key) && u->client_key_data.len)
			problem(p,
				"client-key-data and client-key are both specified for %s; "
				"client-key-data will override",
				name);
		if (str_is_empty(u->client_key) && !u->client_key_data.len)
			problem(p,
				"client-key-data or client-key must be specified for %s to use the "
				"clientCert authentication method",
				name);
		if (!str_is_empty(u->client_certificate) && access(u->client_certificate, R_OK) < 0)
			problem(p, "unable to read client-cert %s for %s due to open %s: %s",
				u->client_certificate, name, u->client_certificate,
				go_strerror(errno, reason));
		if (!str_is_empty(u->client_key) && access(u->client_key, R_OK) < 0)
			problem(p, "unable to read client-key %s for %s due to open %s: %s",
				u->client_key, name, u->client_key, go_strerror(errno, reason));
	}
	if (u->exec) {
		if (u->auth_provider)
			problem(p, "authProvider cannot be provided in combination with an exec "
				   "plugin for %s",
				name);
		if (str_is_empty(u->exec->command))
			problem(p, "command must be specified for %s to use exec authentication "
				   "plugin",
				name);
		if (str_is_empty(u->exec->api_version))
			problem(p, "apiVersion must be specified for %s to use exec authentication "
				   "plugin",
				name);
		else if (!str_eq(u->exec->api_version, EXEC_API_V1) &&
			 !str_eq(u->exec->api_version, EXEC_API_V1BETA1))
			problem(p, "exec plugin: invalid apiVersion \"%s\"", u->exec->api_version);
		for (size_t i = 0; i < u->exec->env.len; i++)
			if (u->exec->env.items[i][0] == '=')
				problem(p, "env variable name must be specified for %s to use exec "
					   "authentication plugin",
					name);
		if (u->exec_interactive_mode_missing)
			problem(p, "interactiveMode must be specified for %s to use exec "
				   "authentication plugin",
				name);
	} else if (u->auth_provider) {
		problem(p,
			"the auth-provider '%s' of user %s is not supported: use an exec "
			"credential plugin instead",
			u->auth_provider, name);
	}
	if (methods.len > 1) {
		struct buf list = BUF_INIT(256);

		for (size_t i = 0; i < methods.len; i++)
			buf_printf(&list, "%s%s", i ? " " : "", methods.items[i]);
		problem(p, "more than one authentication method found for %s; found [%s], only one "
			   "is allowed",
			name, list.data);
		buf_release(&list);
	}
	if ((!str_is_empty(u->impersonate_uid) || u->impersonate_groups.len ||
	     u->has_impersonate_extra) &&
	    str_is_empty(u->impersonate))
		problem(p, "requesting uid, groups or user-extra for %s without impersonating a user",
			name);
	strv_release(&methods);
}

/* "invalid configuration: <one>" or "invalid configuration: [<a>, <b>]". */
static int problems_error(const struct problems *p, struct error *err)
{
	struct buf msg = BUF_INIT(ERROR_MSG_MAX - 1);
	int ret;

	buf_puts(&msg, "invalid configuration: ");
	if (p->messages.len > 1)
		buf_putc(&msg, '[');
	for (size_t i = 0; i < p->messages.len; i++)
		buf_printf(&msg, "%s%s", i ? ", " : "", p->messages.items[i]);
	if (p->messages.len > 1)
		buf_putc(&msg, ']');
	ret = error_set(err, "%s", msg.data);
	buf_release(&msg);
	return ret;
}

static char *xstrdup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

static void copy_buf(struct buf *dst, const struct buf *src)
{
	buf_init(dst, KUBECONFIG_MAX_DATA_BYTES);
	if (src->len)
		buf_append(dst, src->data, src->len);
}

/* kubectl reads a server without a scheme as https when TLS settings are
 * present, else http; a trailing '/' is dropped so paths can be appended. */
static char *normalise_server(const char *server, bool tls_hints)
{
	char *url;
	size_t len;

	if (strstr(server, "://"))
		url = xstrdup(server);
	else
		url = xasprintf("%s://%s", tls_hints ? "https" : "http", server);
	len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	return url;
}

static void config_fill_cluster(struct kube_config *config, const struct kc_cluster *c)
{
	bool tls_hints = !str_is_empty(c->certificate_authority) ||
			 c->certificate_authority_data.len || c->insecure_skip_tls_verify;

	config->server = normalise_server(c->server ? c->server : "", tls_hints);
	config->ca_file = xstrdup_or_empty(c->certificate_authority_data.len ? ""
									     : c->certificate_authority);
	copy_buf(&config->ca_data, &c->certificate_authority_data);
	config->insecure_skip_tls_verify = c->insecure_skip_tls_verify;
	config->tls_server_name = xstrdup_or_empty(c->tls_server_name);
	config->proxy_url = xstrdup_or_empty(c->proxy_url);
	config->disable_compression = c->disable_compression;
}

static int config_fill_user(struct kube_config *config, const struct kc_user *u,
			    const struct kc_cluster *c, struct error *err)
{
	config->token = xstrdup_or_empty(u->token);
	config->token_file = xstrdup_or_empty(u->token_file);
	/* Data wins over the file form, as kubectl ("will override"). */
	config->client_certificate_file =
		xstrdup_or_empty(u->client_certificate_data.len ? "" : u->client_certificate);
	copy_buf(&config->client_certificate_data, &u->client_certificate_data);
	config->client_key_file = xstrdup_or_empty(u->client_key_data.len ? "" : u->client_key);
	copy_buf(&config->client_key_data, &u->client_key_data);
	config->username = xstrdup_or_empty(u->username);
	config->password = xstrdup_or_empty(u->password);
	config->impersonate = xstrdup_or_empty(u->impersonate);
	config->impersonate_uid = xstrdup_or_empty(u->impersonate_uid);
	for (size_t i = 0; i < u->impersonate_groups.len; i++)
		strv_push(&config->impersonate_groups, u->impersonate_groups.items[i]);
	config->exec = kube_exec_config_dup(u->exec);
	if (config->exec && c && c->exec_extension) {
		config->exec->cluster_config = cJSON_Duplicate(c->exec_extension, true);
		if (!config->exec->cluster_config)
			die("out of memory copying JSON");
	}
	/* kubectl reads a tokenFile when loading and fails if it cannot. */
	if (!*config->token && *config->token_file) {
		struct buf token = BUF_INIT(BUF_MAX_SMALL);
		struct error why = ERROR_INIT;
		char reason[128];

		if (file_read_all(config->token_file, &token, &why) < 0) {
			buf_release(&token);
			return error_set(err, "open %s: %s", config->token_file,
					 why.code ? go_strerror(why.code, reason) : why.msg);
		}
		buf_release_secret(&token);
	}
	return 0;
}

static struct kube_config *config_new(void)
{
	struct kube_config *config = xcalloc(1, sizeof(*config));

	buf_init(&config->ca_data, KUBECONFIG_MAX_DATA_BYTES);
	buf_init(&config->client_certificate_data, KUBECONFIG_MAX_DATA_BYTES);
	buf_init(&config->client_key_data, KUBECONFIG_MAX_DATA_BYTES);
	return config;
}

/* Fills the user-identity strings with "" so that every member is set. */
static void config_fill_anonymous(struct kube_config *config)
{
	static const struct kc_user nobody;

	config_fill_user(config, &nobody, NULL, NULL);
}

static const char *serviceaccount_dir(void)
{
	const char *dir = getenv("KONDUKTOR_SERVICEACCOUNT_DIR");

	return str_is_empty(dir) ? KUBE_SERVICEACCOUNT_DIR : dir;
}

static bool in_cluster_possible(void)
{
	_cleanup_free_ char *token = xasprintf("%s/token", serviceaccount_dir());
	struct stat st;

	return !str_is_empty(getenv("KUBERNETES_SERVICE_HOST")) &&
	       !str_is_empty(getenv("KUBERNETES_SERVICE_PORT")) && stat(token, &st) == 0 &&
	       !S_ISDIR(st.st_mode);
}

/* rest.InClusterConfig, with --server and -n applied on top. */
static int load_in_cluster(const struct kube_overrides *ov, struct kube_config *config,
			   struct error *err)
{
	const char *dir = serviceaccount_dir();
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	_cleanup_free_ char *ca = xasprintf("%s/ca.crt", dir);
	_cleanup_free_ char *ns_file = xasprintf("%s/namespace", dir);
	const char *pod_ns = getenv("POD_NAMESPACE");
	struct buf token = BUF_INIT(BUF_MAX_SMALL);
	struct error why = ERROR_INIT;

	config->in_cluster = true;
	config->context = xstrdup("");
	config->cluster_name = xstrdup("");
	config->user_name = xstrdup("");
	if (ov && !str_is_empty(ov->server))
		config->server = normalise_server(ov->server, true);
	else if (strchr(host, ':'))
		config->server = xasprintf("https://[%s]:%s", host, port); /* IPv6 */
	else
		config->server = xasprintf("https://%s:%s", host, port);
	config_fill_anonymous(config);
	free(config->token_file);
	config->token_file = xasprintf("%s/token", dir);
	if (file_read_all(config->token_file, &token, &why) < 0) {
		buf_release(&token);
		return error_set(err, "in-cluster configuration: %s", why.msg);
	}
	buf_release_secret(&token);
	/* client-go goes on without the CA file if it cannot load it (the
	 * system's roots then apply); so do we, saying so at debug level. */
	config->ca_file = xstrdup(access(ca, R_OK) == 0 ? ca : "");
	if (!*config->ca_file)
		log_debug("in-cluster configuration: no readable %s, using the system's CAs", ca);
	config->tls_server_name = xstrdup("");
	config->proxy_url = xstrdup("");
	if (ov && !str_is_empty(ov->namespace)) {
		config->namespace = xstrdup(ov->namespace);
		config->namespace_source = KUBE_NAMESPACE_OVERRIDE;
	} else if (!str_is_empty(pod_ns)) {
		config->namespace = xstrdup(pod_ns);
		config->namespace_source = KUBE_NAMESPACE_CONTEXT;
	} else {
		struct buf ns = BUF_INIT(256);

		if (file_read_all(ns_file, &ns, NULL) == 0) {
			buf_rtrim(&ns);
			while (ns.len && (ns.data[0] == ' ' || ns.data[0] == '\t'))
				buf_consume(&ns, 1);
		}
		config->namespace_source = ns.len ? KUBE_NAMESPACE_CONTEXT : KUBE_NAMESPACE_DEFAULT;
		config->namespace = ns.len ? buf_detach(&ns, NULL) : xstrdup("default");
		buf_release(&ns);
	}
	return 0;
}

static char *files_list(const struct kc_set *set)
{
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	for (size_t i = 0; i < set->len; i++)
		buf_printf(&out, "%s%s", i ? ":" : "", set->files[i]->path);
	return buf_detach(&out, NULL);
}

int kube_config_load(const struct kube_overrides *ov, struct kube_config **ret_config,
		     struct error *err)
{
	static const struct kube_overrides none;
	struct kc_set set = { .len = 0 };
	struct problems problems = { .messages = STRV_INIT };
	struct kube_config *config = NULL;
	const struct kc_context *context;
	const struct kc_cluster *found_cluster;
	const struct kc_user *found_user;
	struct kc_cluster cluster = { 0 };
	static const struct kc_user no_user;
	const char *context_name, *cluster_name, *user_name;
	int64_t timeout_ms = KUBE_DEFAULT_REQUEST_TIMEOUT_MS;
	int ret = -1;

	if (!ov)
		ov = &none;
	if (!str_is_empty(ov->request_timeout) &&
	    kube_parse_request_timeout(ov->request_timeout, &timeout_ms, err) < 0)
		return -1;
	if (kc_set_load(&set, ov, err) < 0)
		goto out;

	/* Which context, cluster and user (client-go's DirectClientConfig). */
	context_name = !str_is_empty(ov->context) ? ov->context : current_context(&set);
	context = find_context(&set, context_name);
	if (!str_is_empty(ov->context) && !context) {
		error_set(err, "context \"%s\" does not exist", ov->context);
		goto out;
	}
	user_name = !str_is_empty(ov->user) ? ov->user : context && context->user ? context->user : "";
	found_user = find_user(&set, user_name);
	if (!str_is_empty(ov->user) && !found_user) {
		error_set(err, "auth info \"%s\" does not exist", ov->user);
		goto out;
	}
	cluster_name = !str_is_empty(ov->cluster) ? ov->cluster
			: context && context->cluster ? context->cluster : "";
	found_cluster = find_cluster(&set, cluster_name);
	if (!str_is_empty(ov->cluster) && !found_cluster) {
		error_set(err, "cluster \"%s\" does not exist", ov->cluster);
		goto out;
	}
	if (found_cluster)
		cluster = *found_cluster; /* shallow: borrowed strings, never freed here */
	if (!str_is_empty(ov->server)) {
		/* --server also drops the file's tls-server-name, as kubectl does. */
		cluster.server = (char *)ov->server;
		cluster.tls_server_name = NULL;
	}

	/* ConfirmUsable: everything wrong with what will be used, at once. */
	if (*context_name && !context)
		problem(&problems, "context was not found for specified context: %s", context_name);
	validate_user(user_name, found_user ? found_user : &no_user, &problems);
	validate_cluster(cluster_name, &cluster, &problems);

	/* Nothing usable in the files (or only --server/-n): in-cluster, when
	 * possible, exactly as kubectl's deferred loading decides. */
	if ((problems.messages.len == 1 && problems.empty_cluster) ||
	    (!context && !found_cluster && !found_user && problems.messages.len == 0)) {
		if (in_cluster_possible()) {
			config = config_new();
			if (load_in_cluster(ov, config, err) < 0)
				goto out;
			config->kubeconfig_files = files_list(&set);
			config->request_timeout_ms = timeout_ms;
			ret = 0;
			goto out;
		}
		if (problems.empty_cluster) {
			error_set(err, "invalid configuration: no configuration has been provided "
				       "(set KUBECONFIG, use --kubeconfig or --server, or create "
				       "~/.kube/config)");
			goto out;
		}
	}
	if (problems.messages.len) {
		problems_error(&problems, err);
		goto out;
	}

	config = config_new();
	config->context = xstrdup(context_name);
	config->cluster_name = xstrdup(cluster_name);
	config->user_name = xstrdup(user_name);
	config->kubeconfig_files = files_list(&set);
	config->request_timeout_ms = timeout_ms;
	config_fill_cluster(config, &cluster);
	if (str_has_prefix(config->server, "http://")) {
		/* kubectl sends no credentials to a plain-HTTP server. */
		config_fill_anonymous(config);
	} else if (config_fill_user(config, found_user ? found_user : &no_user, &cluster, err) <
		   0) {
		goto out;
	}
	if (!str_is_empty(ov->namespace)) {
		config->namespace = xstrdup(ov->namespace);
		config->namespace_source = KUBE_NAMESPACE_OVERRIDE;
	} else if (context && !str_is_empty(context->namespace)) {
		config->namespace = xstrdup(context->namespace);
		config->namespace_source = KUBE_NAMESPACE_CONTEXT;
	} else {
		config->namespace = xstrdup("default");
		config->namespace_source = KUBE_NAMESPACE_DEFAULT;
	}
	ret = 0;
out:
	strv_release(&problems.messages);
	kc_set_release(&set);
	if (ret < 0) {
		kube_config_free(config);
		return -1;
	}
	*ret_config = config;
	return 0;
}

void kube_config_free(struct kube_config *config)
{
	if (!config)
		return;
	free(config->context);
	free(config->cluster_name);
	free(config->user_name);
	free(config->namespace);
	free(config->server);
	free(config->kubeconfig_files);
	free(config->ca_file);
	buf_release(&config->ca_data);
	free(config->tls_server_name);
	free(config->proxy_url);
	str_free_secret(config->token);
	free(config->token_file);
	free(config->client_certificate_file);
	buf_release(&config->client_certificate_data);
	free(config->client_key_file);
	buf_release_secret(&config->client_key_data);
	free(config->username);
	str_free_secret(config->password);
	free(config->impersonate);
	free(config->impersonate_uid);
	strv_release(&config->impersonate_groups);
	kube_exec_config_free(config->exec);
	free(config);
}
