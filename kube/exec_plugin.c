/* exec_plugin.c — running an exec credential plugin safely: posix_spawnp
 * with every other descriptor closed in the child, a bounded read of its
 * stdout with a deadline, and validation of the ExecCredential it prints. */
#include "exec_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "kube_client.h"
#include "strutil.h"
#include "strv.h"
#include "timeutil.h"
#include "xalloc.h"

extern char **environ;

void exec_credential_init(struct exec_credential *cred)
{
	cred->token = NULL;
	buf_init(&cred->cert, EXEC_PLUGIN_MAX_OUTPUT);
	buf_init(&cred->key, EXEC_PLUGIN_MAX_OUTPUT);
	cred->expires = false;
	cred->expiration = 0;
}

void exec_credential_release(struct exec_credential *cred)
{
	str_free_secret(cred->token);
	cred->token = NULL;
	buf_release(&cred->cert);
	buf_release_secret(&cred->key);
	cred->expires = false;
}

/* "client.authentication.k8s.io/v1" -> group and version parts. */
static void split_api_version(const char *api_version, const char **ret_group,
			      size_t *ret_group_len, const char **ret_version)
{
	const char *slash = strrchr(api_version, '/');

	*ret_group = api_version;
	*ret_group_len = slash ? (size_t)(slash - api_version) : 0;
	*ret_version = slash ? slash + 1 : api_version;
}

int exec_credential_decode(const char *api_version, const char *text, size_t len,
			   struct exec_credential *ret, struct error *err)
{
	_cleanup_json_ cJSON *doc = NULL;
	struct error why = ERROR_INIT;
	const char *got_version, *kind, *token, *cert, *key, *expiry;
	const cJSON *status;

	doc = json_parse_bounded(text, len, EXEC_PLUGIN_MAX_OUTPUT, &why);
	if (!doc)
		return error_set_code(err, KUBE_ERR_CREDENTIALS, "exec plugin: decoding stdout: %s",
				      why.msg);
	got_version = json_get_string(doc, "apiVersion");
	kind = json_get_string(doc, "kind");
	if (!str_eq(kind, "ExecCredential"))
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin: decoding stdout: kind is '%s', not ExecCredential",
				      kind ? kind : "");
	if (!str_eq(got_version, api_version)) {
		const char *g1, *v1, *g2, *v2;
		size_t n1, n2;

		split_api_version(api_version, &g1, &n1, &v1);
		split_api_version(got_version ? got_version : "", &g2, &n2, &v2);
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin is configured to use API version %.*s/%s, plugin "
				      "returned version %.*s/%s",
				      (int)n1, g1, v1, (int)n2, g2, v2);
	}
	status = json_get(doc, "status");
	if (!cJSON_IsObject(status))
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin didn't return a status field");
	token = json_get_string(status, "token");
	cert = json_get_string(status, "clientCertificateData");
	key = json_get_string(status, "clientKeyData");
	if (str_is_empty(token) && str_is_empty(cert) && str_is_empty(key))
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin didn't return a token or cert/key pair");
	if (str_is_empty(cert) != str_is_empty(key))
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin returned only certificate or key, not both");
	expiry = json_get_string(status, "expirationTimestamp");
	if (expiry && time_parse_rfc3339(expiry, &ret->expiration) < 0)
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin returned an invalid expirationTimestamp '%s'",
				      expiry);
	ret->expires = expiry != NULL;
	if (!str_is_empty(token))
		ret->token = xstrdup(token);
	if (!str_is_empty(cert) &&
	    (buf_puts(&ret->cert, cert) < 0 || buf_puts(&ret->key, key) < 0)) {
		exec_credential_release(ret);
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin returned a certificate larger than %zu bytes",
				      EXEC_PLUGIN_MAX_OUTPUT);
	}
	/* The parsed document holds the token too. */
	if (token)
		explicit_bzero((char *)token, strlen(token));
	if (key)
		explicit_bzero((char *)key, strlen(key));
	return 0;
}

/* KUBERNETES_EXEC_INFO's value: the ExecCredential the plugin is asked for. */
static char *exec_info_json(const struct kube_exec_config *exec,
			    const struct exec_cluster_info *cluster, bool interactive)
{
	_cleanup_json_ cJSON *doc = cJSON_CreateObject();
	cJSON *spec;

	json_set_string(doc, "apiVersion", exec->api_version);
	json_set_string(doc, "kind", "ExecCredential");
	spec = json_ensure_object(doc, "spec");
	json_set(spec, "interactive", cJSON_CreateBool(interactive));
	if (exec->provide_cluster_info && cluster) {
		cJSON *c = json_ensure_object(spec, "cluster");

		json_set_string(c, "server", cluster->server);
		if (!str_is_empty(cluster->tls_server_name))
			json_set_string(c, "tls-server-name", cluster->tls_server_name);
		if (cluster->insecure_skip_tls_verify)
			json_set(c, "insecure-skip-tls-verify", cJSON_CreateTrue());
		if (cluster->ca_data && cluster->ca_data->len) {
			struct buf b64 = BUF_INIT(BUF_MAX_DEFAULT);

			base64_encode(cluster->ca_data->data, cluster->ca_data->len, &b64);
			json_set_string(c, "certificate-authority-data", b64.data);
			buf_release(&b64);
		}
		if (!str_is_empty(cluster->proxy_url))
			json_set_string(c, "proxy-url", cluster->proxy_url);
		if (cluster->disable_compression)
			json_set(c, "disable-compression", cJSON_CreateTrue());
		if (exec->cluster_config) {
			cJSON *copy = cJSON_Duplicate(exec->cluster_config, true);

			json_set(c, "config", copy);
		}
	}
	return json_print_compact(doc);
}

/* The parent's environment with exec->env and KUBERNETES_EXEC_INFO on top:
 * a variable set there replaces the parent's (Go's exec keeps the last). */
static void build_environment(const struct kube_exec_config *exec, const char *exec_info,
			      struct strv *out)
{
	struct strv extra = STRV_INIT;

	for (size_t i = 0; i < exec->env.len; i++)
		strv_push(&extra, exec->env.items[i]);
	strv_pushf(&extra, "KUBERNETES_EXEC_INFO=%s", exec_info);
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t name_len = eq ? (size_t)(eq - *e) : strlen(*e);
		bool replaced = false;

		for (size_t i = 0; i < extra.len && !replaced; i++)
			replaced = strncmp(extra.items[i], *e, name_len) == 0 &&
				   extra.items[i][name_len] == '=';
		if (!replaced)
			strv_push(out, *e);
	}
	for (size_t i = 0; i < extra.len; i++)
		strv_push(out, extra.items[i]);
	strv_release(&extra);
}

/* One line: an install hint may span several. */
static void one_line(char *s)
{
	char *w = s;
	bool space = false;

	for (char *r = s; *r; r++) {
		if (*r == '\n' || *r == '\r' || *r == '\t' || *r == ' ') {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
}

/* Reads the child's stdout until EOF, the size limit or the deadline. */
static int read_output(int fd, struct buf *out, int64_t deadline_ms, int64_t timeout_ms,
		       struct error *err, const char *command)
{
	char chunk[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline_ms ? deadline_ms - time_mono_ms() : -1;
		ssize_t n;
		int ready;

		if (deadline_ms && left <= 0)
			return error_set_code(err, KUBE_ERR_CREDENTIALS,
					      "exec plugin '%s' did not finish within %.3g s", command,
					      (double)timeout_ms / 1000.0);
		ready = poll(&pfd, 1, left < 0 || left > 1000 ? 1000 : (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return error_set_code(err, KUBE_ERR_CREDENTIALS,
					      "exec plugin '%s': reading its output: %s", command,
					      strerror(errno));
		if (n == 0)
			return 0;
		if (buf_append(out, chunk, (size_t)n) < 0)
			return error_set_code(err, KUBE_ERR_CREDENTIALS,
					      "exec plugin '%s' printed more than %zu bytes", command,
					      out->max);
	}
}

int exec_plugin_run(const struct kube_exec_config *exec, const struct exec_cluster_info *cluster,
		    int64_t timeout_ms, struct exec_credential *ret, struct error *err)
{
	bool interactive = exec->interactive_mode != KUBE_EXEC_INTERACTIVE_NEVER && isatty(0);
	struct strv argv = STRV_INIT, envp = STRV_INIT;
	struct buf out = BUF_INIT(EXEC_PLUGIN_MAX_OUTPUT);
	_cleanup_free_ char *exec_info = NULL;
	posix_spawn_file_actions_t actions;
	int pipefd[2] = { -1, -1 };
	pid_t pid = -1;
	int status = 0, rc, ret_code = -1;
	int64_t deadline = interactive || timeout_ms <= 0 ? 0 : time_mono_ms() + timeout_ms;

	if (exec->interactive_mode == KUBE_EXEC_INTERACTIVE_ALWAYS && !isatty(0))
		return error_set_code(err, KUBE_ERR_CREDENTIALS,
				      "exec plugin cannot support interactive mode: standard input "
				      "is not a terminal");
	exec_info = exec_info_json(exec, cluster, interactive);
	strv_push(&argv, exec->command);
	for (size_t i = 0; i < exec->args.len; i++)
		strv_push(&argv, exec->args.items[i]);
	build_environment(exec, exec_info, &envp);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		error_set_code(err, KUBE_ERR_CREDENTIALS, "exec plugin: pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
	if (!interactive)
		posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	/* Nothing of ours (sockets, key material) leaks into the plugin. */
	posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
	rc = posix_spawnp(&pid, exec->command, &actions, NULL, strv_array(&argv),
			  strv_array(&envp));
	posix_spawn_file_actions_destroy(&actions);
	close(TAKE_FD(pipefd[1]));
	if (rc != 0) {
		_cleanup_free_ char *hint = exec->install_hint ? xstrdup(exec->install_hint) : NULL;

		pid = -1;
		if (hint)
			one_line(hint);
		if (rc == ENOENT)
			error_set_code(err, KUBE_ERR_CREDENTIALS,
				       "exec: executable %s not found%s%s", exec->command,
				       hint ? ": " : "", hint ? hint : "");
		else
			error_set_code(err, KUBE_ERR_CREDENTIALS, "exec: executable %s: %s",
				       exec->command, strerror(rc));
		goto out;
	}
	if (read_output(pipefd[0], &out, deadline, timeout_ms, err, exec->command) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		pid = -1;
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		error_set_code(err, KUBE_ERR_CREDENTIALS,
			       "exec: executable %s failed with exit code %d", exec->command,
			       WEXITSTATUS(status));
		goto out;
	}
	if (WIFSIGNALED(status)) {
		error_set_code(err, KUBE_ERR_CREDENTIALS, "exec: executable %s killed by signal %d",
			       exec->command, WTERMSIG(status));
		goto out;
	}
	ret_code = exec_credential_decode(exec->api_version, out.data, out.len, ret, err);
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	buf_release_secret(&out);
	strv_release(&argv);
	strv_release(&envp);
	return ret_code;
}
