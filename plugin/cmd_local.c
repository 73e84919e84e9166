/* cmd_local.c — `kubectl konduktor local up|down|status`: the built-in
 * single-node cluster as a background process with its state, TLS
 * material and log under ~/.konduktor/local, and a `konduktor-local`
 * context merged into the user's kubeconfig. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "cli.h"
#include "companion.h"
#include "exitcode.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"
#include "yamljson.h"

#define SERVER_BINARY "konduktor-localcluster"
#define CONTEXT_NAME "konduktor-local"
#define KUBECONFIG_MAX ((size_t)4 * 1024 * 1024)
#define READY_MAX ((size_t)64 * 1024)

/* ---- flags (file scope so --help can describe them) ---- */

static const char *dir_flag;
static int64_t port_flag = -1;
static bool set_context_flag;
static const char *timeout_flag;
static const char *output_flag;

static const struct opt up_options[] = {
	{ "dir", 0, OPT_STRING, &dir_flag, "DIR",
	  "where the cluster keeps its state, certificates and log (default ~/.konduktor/local)",
	  NULL },
	{ "port", 0, OPT_INT, &port_flag, "N",
	  "port to listen on (default: the previous one, else any free one)", NULL },
	{ "set-context", 0, OPT_BOOL, &set_context_flag, NULL,
	  "make konduktor-local the current context even if another one is", NULL },
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "how long to wait for the cluster to be ready (default 60s)", NULL },
	OPT_END,
};

static const struct opt down_options[] = {
	{ "dir", 0, OPT_STRING, &dir_flag, "DIR", "the cluster's directory (default ~/.konduktor/local)",
	  NULL },
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "how long to wait for an orderly stop before killing it (default 60s)", NULL },
	OPT_END,
};

static const struct opt status_options[] = {
	{ "dir", 0, OPT_STRING, &dir_flag, "DIR", "the cluster's directory (default ~/.konduktor/local)",
	  NULL },
	{ "output", 'o', OPT_STRING, &output_flag, "FORMAT", "json for a machine-readable answer",
	  NULL },
	OPT_END,
};

static const struct opt all_options[] = {
	{ "dir", 0, OPT_STRING, &dir_flag, "DIR",
	  "where the cluster keeps its state, certificates and log (default ~/.konduktor/local)",
	  NULL },
	{ "port", 0, OPT_INT, &port_flag, "N", "up: port to listen on", NULL },
	{ "set-context", 0, OPT_BOOL, &set_context_flag, NULL,
	  "up: make konduktor-local the current context even if another one is", NULL },
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "up/down: how long to wait (default 60s)", NULL },
	{ "output", 'o', OPT_STRING, &output_flag, "FORMAT", "status: json", NULL },
	OPT_END,
};

const struct opt *cmd_local_options(void)
{
	return all_options;
}

const struct opt *cmd_local_up_options(void)
{
	return up_options;
}

const struct opt *cmd_local_down_options(void)
{
	return down_options;
}

const struct opt *cmd_local_status_options(void)
{
	return status_options;
}

/* ---- where things are ---- */

struct local_paths {
	char *dir;        /* ~/.konduktor/local */
	char *state;      /* dir/state */
	char *pki;        /* dir/pki */
	char *ready;      /* dir/server.json, written by the server once ready */
	char *log;        /* dir/server.log */
	char *kubeconfig; /* dir/kubeconfig, the server's own */
	char *port;       /* dir/port, the port to reuse */
};

static int local_paths_init(struct local_paths *p, struct error *err)
{
	const char *home = getenv("HOME");

	if (dir_flag) {
		p->dir = path_expand_home(dir_flag);
	} else {
		if (!home || !*home)
			return error_set(err, "HOME is not set; give the cluster a --dir");
		p->dir = path_join(home, ".konduktor/local");
	}
	if (p->dir[0] != '/') {
		char cwd[PATH_MAX];
		char *relative = p->dir;

		if (!getcwd(cwd, sizeof(cwd)))
			return error_set(err, "cannot find the working directory: %s",
					 strerror(errno));
		p->dir = path_join(cwd, relative);
		free(relative);
	}
	p->state = path_join(p->dir, "state");
	p->pki = path_join(p->dir, "pki");
	p->ready = path_join(p->dir, "server.json");
	p->log = path_join(p->dir, "server.log");
	p->kubeconfig = path_join(p->dir, "kubeconfig");
	p->port = path_join(p->dir, "port");
	return 0;
}

static void local_paths_release(struct local_paths *p)
{
	free(p->dir);
	free(p->state);
	free(p->pki);
	free(p->ready);
	free(p->log);
	free(p->kubeconfig);
	free(p->port);
}

/* The kubeconfig kubectl uses: KUBECONFIG's first file, else ~/.kube/config. */
static char *user_kubeconfig_path(void)
{
	const char *env = getenv("KUBECONFIG");

	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);

		if (len)
			return xstrndup(env, len);
		env += len + (colon ? 1 : 0);
	}
	return path_expand_home("~/.kube/config");
}

/* ---- the running server ---- */

struct server_info {
	bool running;
	int64_t pid;
	char *url;
};

static void server_info_release(struct server_info *s)
{
	free(s->url);
	memset(s, 0, sizeof(*s));
}

/* True if pid is alive and is a konduktor-localcluster (not a stranger
 * that got the pid of one that died). */
static bool pid_is_server(int64_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%lld/cmdline", (long long)pid);
	struct buf cmdline = BUF_INIT(BUF_MAX_SMALL);
	bool ok = false;

	if (pid > 0 && file_read_all(path, &cmdline, NULL) == 0 && cmdline.len) {
		/* argv[0] is the first NUL-terminated string. */
		ok = str_has_suffix(cmdline.data, "/" SERVER_BINARY) ||
		     !strcmp(cmdline.data, SERVER_BINARY);
	}
	buf_release(&cmdline);
	return ok;
}

static void read_server_info(const struct local_paths *p, struct server_info *ret)
{
	struct buf text = BUF_INIT(READY_MAX);
	_cleanup_json_ cJSON *ready = NULL;
	int64_t pid = 0;
	const char *url;

	memset(ret, 0, sizeof(*ret));
	if (file_read_all(p->ready, &text, NULL) == 0 &&
	    (ready = json_parse_bounded(text.data, text.len, READY_MAX, NULL)) &&
	    json_get_int64(ready, "pid", &pid) && (url = json_get_string(ready, "url")) &&
	    pid_is_server(pid)) {
		ret->running = true;
		ret->pid = pid;
		ret->url = xstrdup(url);
	}
	buf_release(&text);
}

/* GET <url>/readyz with the cluster's CA: true on 200. */
static bool server_healthy(const struct local_paths *p, const char *url)
{
	_cleanup_free_ char *endpoint = xasprintf("%s/readyz", url);
	_cleanup_free_ char *ca = path_join(p->pki, "ca.crt");
	CURL *curl = curl_easy_init();
	long code = 0;
	FILE *sink = fopen("/dev/null", "we");

	if (!curl || !sink) {
		if (curl)
			curl_easy_cleanup(curl);
		if (sink)
			fclose(sink);
		return false;
	}
	curl_easy_setopt(curl, CURLOPT_URL, endpoint);
	curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	fclose(sink);
	return code == 200;
}

static int64_t timeout_ms(int64_t fallback)
{
	int64_t ms = fallback;

	if (timeout_flag && time_parse_duration_ms(timeout_flag, &ms) < 0)
		return -1;
	return ms;
}

/* The last lines of the server's log, for a failure message. */
static void print_log_tail(const struct local_paths *p)
{
	struct buf text = BUF_INIT(BUF_MAX_DEFAULT);
	size_t start = 0, lines = 0;

	if (file_read_all(p->log, &text, NULL) == 0 && text.len) {
		for (size_t i = text.len; i > 0 && lines <= 10; i--)
			if (text.data[i - 1] == '\n' && ++lines > 10)
				start = i;
		fprintf(stderr, "---- the last lines of %s:\n%s", p->log, text.data + start);
		if (text.data[text.len - 1] != '\n')
			fputc('\n', stderr);
	}
	buf_release(&text);
}

/* ---- kubeconfig merge ---- */

static cJSON *named_list(cJSON *config, const char *key)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(config, key);

	if (!cJSON_IsArray(list)) {
		list = cJSON_CreateArray();
		json_set(config, key, list);
	}
	return list;
}

/* Replaces the entry called CONTEXT_NAME of list key with ours. */
static void replace_entry(cJSON *config, const char *key, const cJSON *ours)
{
	cJSON *list = named_list(config, key);
	const cJSON *entry = cJSON_GetArrayItem(json_get_child(ours, key), 0);

	for (int i = cJSON_GetArraySize(list) - 1; i >= 0; i--)
		if (str_eq(json_get_child_string(cJSON_GetArrayItem(list, i), "name"), CONTEXT_NAME))
			cJSON_DeleteItemFromArray(list, i);
	if (entry)
		cJSON_AddItemToArray(list, cJSON_Duplicate(entry, true));
}

/* Merges the server's kubeconfig into the user's; sets *ret_switched when
 * konduktor-local became the current context. */
static int merge_kubeconfig(const struct local_paths *p, const char *target, bool *ret_switched,
			    struct error *err)
{
	struct buf text = BUF_INIT(KUBECONFIG_MAX), out = BUF_INIT(KUBECONFIG_MAX);
	_cleanup_json_ cJSON *ours = NULL, *config = NULL;
	const char *current;
	struct stat st;
	mode_t mode = 0600;
	int ret = -1;

	if (file_read_all(p->kubeconfig, &text, err) < 0 ||
	    !(ours = yaml_to_json(text.data, text.len, err)))
		goto out;
	buf_reset(&text);
	if (file_read_all(target, &text, err) == 0) {
		config = yaml_to_json(text.data, text.len, err);
		if (!config) {
			error_prefix(err, "'%s'", target);
			goto out;
		}
		if (!cJSON_IsObject(config)) {
			error_set(err, "'%s': not a kubeconfig", target);
			goto out;
		}
		if (stat(target, &st) == 0)
			mode = st.st_mode & 07777;
	} else if (err && err->code == ENOENT) {
		_cleanup_free_ char *dir = path_dirname(target);

		error_clear(err);
		if (mkdir_parents(dir, 0700, err) < 0)
			goto out;
		config = cJSON_CreateObject();
		json_set_string(config, "apiVersion", "v1");
		json_set_string(config, "kind", "Config");
		json_set(config, "preferences", cJSON_CreateObject());
	} else {
		goto out;
	}
	replace_entry(config, "clusters", ours);
	replace_entry(config, "users", ours);
	replace_entry(config, "contexts", ours);
	current = json_get_child_string(config, "current-context");
	*ret_switched = set_context_flag || !current || !*current;
	if (*ret_switched)
		json_set_string(config, "current-context", CONTEXT_NAME);
	if (json_to_yaml(config, &out, err) == 0)
		ret = file_write_atomic(target, out.data, out.len, mode, err);
out:
	/* Both held the client key. */
	if (text.cap)
		explicit_bzero(text.data, text.len);
	if (out.cap)
		explicit_bzero(out.data, out.len);
	buf_release(&text);
	buf_release(&out);
	return ret;
}

/* ---- up ---- */

static int read_port(const struct local_paths *p)
{
	struct buf text = BUF_INIT(64);
	int port = 0;

	if (file_read_all(p->port, &text, NULL) == 0) {
		buf_rtrim(&text);
		if (str_to_int(text.data, &port) < 0 || port < 0 || port > 65535)
			port = 0;
	}
	buf_release(&text);
	return port;
}

/* Starts the server in its own session with its output in the log; returns
 * its pid or -1. */
static pid_t spawn_server(const char *binary, const struct local_paths *p, int port,
			  const struct strv *extra, struct error *err)
{
	struct strv argv = STRV_INIT;
	int log_fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	if (log_fd < 0 || null_fd < 0) {
		if (log_fd >= 0)
			close(log_fd);
		if (null_fd >= 0)
			close(null_fd);
		return error_set(err, "cannot open '%s': %s", p->log, strerror(errno));
	}
	strv_push(&argv, binary);
	strv_push(&argv, "--port");
	strv_pushf(&argv, "%d", port);
	strv_push(&argv, "--state-dir");
	strv_push(&argv, p->state);
	strv_push(&argv, "--pki-dir");
	strv_push(&argv, p->pki);
	strv_push(&argv, "--ready-file");
	strv_push(&argv, p->ready);
	strv_push(&argv, "--kubeconfig-out");
	strv_push(&argv, p->kubeconfig);
	for (size_t i = 0; i < extra->len; i++)
		strv_push(&argv, extra->items[i]);
	pid = fork();
	if (pid == 0) {
		/* The child: a session of its own, so it outlives the terminal. */
		setsid();
		if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
		    dup2(log_fd, STDERR_FILENO) < 0)
			_exit(127);
		execv(binary, strv_array(&argv));
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", binary, strerror(errno));
		_exit(127);
	}
	close(log_fd);
	close(null_fd);
	strv_release(&argv);
	if (pid < 0)
		return error_set(err, "fork: %s", strerror(errno));
	return pid;
}

static int local_up(const struct strv *extra)
{
	struct local_paths p = { 0 };
	struct server_info info = { 0 };
	struct error err = ERROR_INIT;
	_cleanup_free_ char *binary = NULL, *target = user_kubeconfig_path();
	int64_t wait_ms = timeout_ms(60000), deadline;
	bool switched = false;
	int status = EXIT_ERROR, port;
	pid_t pid;

	if (wait_ms < 0) {
		cli_error("local up: --timeout: '%s' is not a duration", timeout_flag);
		return EXIT_USAGE;
	}
	if (port_flag > 65535) {
		cli_error("local up: --port: %lld is not a port", (long long)port_flag);
		return EXIT_USAGE;
	}
	if (local_paths_init(&p, &err) < 0 || mkdir_parents(p.dir, 0700, &err) < 0) {
		cli_error("local up: %s", err.msg);
		goto out;
	}
	read_server_info(&p, &info);
	if (info.running && server_healthy(&p, info.url)) {
		if (merge_kubeconfig(&p, target, &switched, &err) < 0) {
			cli_error("local up: cannot update '%s': %s", target, err.msg);
			goto out;
		}
		printf("local cluster already running at %s (pid %lld)\n", info.url,
		       (long long)info.pid);
		status = EXIT_OK;
		goto out;
	}
	if (info.running) {
		cli_error("local up: a local cluster (pid %lld) runs but is not healthy; see %s, "
			  "or stop it with 'kubectl konduktor local down'",
			  (long long)info.pid, p.log);
		goto out;
	}
	unlink(p.ready); /* left by one that died */
	binary = companion_find(SERVER_BINARY, "KONDUKTOR_LOCALCLUSTER", "localcluster", &err);
	if (!binary) {
		cli_error("local up: %s", err.msg);
		goto out;
	}
	port = port_flag >= 0 ? (int)port_flag : read_port(&p);
	fprintf(stderr, "starting the local cluster (state in %s)...\n", p.dir);
	pid = spawn_server(binary, &p, port, extra, &err);
	if (pid < 0) {
		cli_error("local up: %s", err.msg);
		goto out;
	}
	deadline = time_mono_ms() + wait_ms;
	for (;;) {
		int child_status;

		server_info_release(&info);
		read_server_info(&p, &info);
		if (info.running && info.pid == pid)
			break;
		if (waitpid(pid, &child_status, WNOHANG) == pid) {
			cli_error("local up: " SERVER_BINARY " exited with status %d before it was "
				  "ready",
				  WIFEXITED(child_status) ? WEXITSTATUS(child_status) : 128);
			print_log_tail(&p);
			goto out;
		}
		if (time_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			cli_error("local up: the local cluster was not ready within %s",
				  timeout_flag ? timeout_flag : "60s");
			print_log_tail(&p);
			goto out;
		}
		time_sleep_ms(20);
	}
	{
		const char *colon = strrchr(info.url, ':');
		char text[16];

		snprintf(text, sizeof(text), "%s\n", colon ? colon + 1 : "0");
		if (file_write_atomic(p.port, text, strlen(text), 0600, &err) < 0)
			log_warn("%s", err.msg);
	}
	if (merge_kubeconfig(&p, target, &switched, &err) < 0) {
		cli_error("local up: the cluster runs at %s, but '%s' could not be updated: %s",
			  info.url, target, err.msg);
		goto out;
	}
	printf("local cluster running at %s (pid %lld)\n", info.url, (long long)info.pid);
	if (switched)
		printf("context \"" CONTEXT_NAME "\" in %s is now the current context\n", target);
	else
		printf("context \"" CONTEXT_NAME "\" added to %s; use it with --context " CONTEXT_NAME
		       " or 'kubectl config use-context " CONTEXT_NAME "'\n",
		       target);
	status = EXIT_OK;
out:
	server_info_release(&info);
	local_paths_release(&p);
	return status;
}

/* ---- down ---- */

static int local_down(void)
{
	struct local_paths p = { 0 };
	struct server_info info = { 0 };
	struct error err = ERROR_INIT;
	int64_t wait_ms = timeout_ms(60000), deadline;
	int status = EXIT_ERROR;

	if (wait_ms < 0) {
		cli_error("local down: --timeout: '%s' is not a duration", timeout_flag);
		return EXIT_USAGE;
	}
	if (local_paths_init(&p, &err) < 0) {
		cli_error("local down: %s", err.msg);
		return EXIT_ERROR;
	}
	read_server_info(&p, &info);
	if (!info.running) {
		unlink(p.ready);
		printf("local cluster is not running\n");
		status = EXIT_OK;
		goto out;
	}
	if (kill((pid_t)info.pid, SIGTERM) < 0) {
		cli_error("local down: cannot stop pid %lld: %s", (long long)info.pid,
			  strerror(errno));
		goto out;
	}
	deadline = time_mono_ms() + wait_ms;
	while (pid_is_server(info.pid) && time_mono_ms() < deadline)
		time_sleep_ms(20);
	if (pid_is_server(info.pid)) {
		log_warn("the local cluster (pid %lld) did not stop within %s: killing it",
			 (long long)info.pid, timeout_flag ? timeout_flag : "60s");
		kill((pid_t)info.pid, SIGKILL);
		while (pid_is_server(info.pid))
			time_sleep_ms(20);
		unlink(p.ready);
		status = EXIT_ERROR;
		goto out;
	}
	printf("local cluster stopped (its objects stay in %s)\n", p.state);
	status = EXIT_OK;
out:
	server_info_release(&info);
	local_paths_release(&p);
	return status;
}

/* ---- status ---- */

static int local_status(void)
{
	struct local_paths p = { 0 };
	struct server_info info = { 0 };
	struct error err = ERROR_INIT;
	bool healthy;
	int status;

	if (output_flag && strcmp(output_flag, "json") != 0) {
		cli_error("local status: unknown output format '%s' (use json)", output_flag);
		return EXIT_USAGE;
	}
	if (local_paths_init(&p, &err) < 0) {
		cli_error("local status: %s", err.msg);
		return EXIT_ERROR;
	}
	read_server_info(&p, &info);
	healthy = info.running && server_healthy(&p, info.url);
	if (output_flag) {
		_cleanup_json_ cJSON *out = cJSON_CreateObject();
		_cleanup_free_ char *text = NULL;

		json_set(out, "running", cJSON_CreateBool(info.running));
		json_set(out, "healthy", cJSON_CreateBool(healthy));
		if (info.running) {
			json_set_string(out, "url", info.url);
			json_set_int64(out, "pid", info.pid);
		}
		json_set_string(out, "dir", p.dir);
		json_set_string(out, "context", CONTEXT_NAME);
		text = json_print_compact(out);
		printf("%s\n", text);
	} else if (!info.running) {
		printf("local cluster is not running (state in %s)\n", p.dir);
	} else {
		printf("local cluster running at %s (pid %lld): %s\n", info.url, (long long)info.pid,
		       healthy ? "healthy" : "NOT healthy");
		if (!healthy)
			printf("see %s\n", p.log);
	}
	status = healthy ? EXIT_OK : EXIT_ERROR;
	server_info_release(&info);
	local_paths_release(&p);
	return status;
}

/* ---- dispatch ---- */

static int cmd_local_up(int argc, char **argv);
static int cmd_local_down(int argc, char **argv);
static int cmd_local_status(int argc, char **argv);

const struct command local_subcommands[] = {
	{
		.name = "up",
		.run = cmd_local_up,
		.summary = "start the local cluster in the background (or say where it runs)",
		.usage = "up [--port N] [--set-context] [-- SERVER-FLAGS...]",
		.help = "Starts konduktor-localcluster with its state under ~/.konduktor/local,\n"
			"waits until it is ready and adds the context konduktor-local to your\n"
			"kubeconfig (KUBECONFIG's first file, else ~/.kube/config). The context\n"
			"becomes the current one only when there is none, or with --set-context.\n"
			"Flags after -- go to konduktor-localcluster (see its --help). Running it\n"
			"again while the cluster runs only refreshes the context.\n\n"
			"Examples:\n  kubectl konduktor local up\n"
			"  kubectl konduktor local up --set-context\n"
			"  kubectl --context konduktor-local get nodes\n",
		.options = cmd_local_up_options,
	},
	{
		.name = "down",
		.run = cmd_local_down,
		.summary = "stop the local cluster (its objects are kept for the next up)",
		.usage = "down [--timeout DURATION]",
		.help = "Stops the local cluster with SIGTERM (pods are stopped first) and waits for\n"
			"it; after --timeout it is killed. The context stays in your kubeconfig.\n\n"
			"Examples:\n  kubectl konduktor local down\n",
		.options = cmd_local_down_options,
	},
	{
		.name = "status",
		.run = cmd_local_status,
		.summary = "say whether the local cluster runs, where, and if it is healthy",
		.usage = "status [-o json]",
		.help = "Exits 0 when the cluster runs and answers /readyz, 1 otherwise.\n\n"
			"Examples:\n  kubectl konduktor local status\n"
			"  kubectl konduktor local status -o json\n",
		.options = cmd_local_status_options,
	},
	{ .name = NULL },
};

/* Parses a subcommand's own flags (argv[0] is its name); words after "--"
 * go to `extra`, which only `up` accepts. Returns 0 or an exit code. */
static int parse_local_args(const struct command *sub, int argc, char **argv, struct strv *extra)
{
	struct strv positionals = STRV_INIT;
	struct error err = ERROR_INIT;
	const struct opt *tables[2] = { sub->options(), NULL };
	int own_argc = argc, status = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			own_argc = i;
			for (int j = i + 1; j < argc; j++)
				strv_push(extra, argv[j]);
			break;
		}
	if (args_parse(sub->name, tables, own_argc - 1, argv + 1, &positionals, &err) < 0) {
		cli_error("local %s", err.msg);
		status = EXIT_USAGE;
	} else if (positionals.len) {
		cli_error("local %s: unexpected argument '%s'", sub->name, positionals.items[0]);
		status = EXIT_USAGE;
	} else if (extra->len && strcmp(sub->name, "up") != 0) {
		cli_error("local %s: takes no server flags", sub->name);
		status = EXIT_USAGE;
	}
	strv_release(&positionals);
	return status;
}

static int cmd_local_up(int argc, char **argv)
{
	struct strv extra = STRV_INIT;
	int status = parse_local_args(command_find(local_subcommands, "up"), argc, argv, &extra);

	if (!status)
		status = local_up(&extra);
	strv_release(&extra);
	return status;
}

static int cmd_local_down(int argc, char **argv)
{
	struct strv extra = STRV_INIT;
	int status = parse_local_args(command_find(local_subcommands, "down"), argc, argv, &extra);

	strv_release(&extra);
	return status ? status : local_down();
}

static int cmd_local_status(int argc, char **argv)
{
	struct strv extra = STRV_INIT;
	int status = parse_local_args(command_find(local_subcommands, "status"), argc, argv, &extra);

	strv_release(&extra);
	return status ? status : local_status();
}

int cmd_local(int argc, char **argv)
{
	const struct command *sub;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		command_print_help(command_find(commands, "local"), NULL, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = command_find(local_subcommands, argv[1]);
	if (!sub) {
		cli_error("local: unknown command '%s' (use up, down or status)", argv[1]);
		return EXIT_USAGE;
	}
	if (args_want_help(argc - 2, argv + 2)) {
		command_print_help(sub, "local", stdout);
		return EXIT_OK;
	}
	return sub->run(argc - 1, argv + 1);
}
