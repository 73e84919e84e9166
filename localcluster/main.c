/* main.c — konduktor-localcluster: command line, start-up (state dir,
 * store, schema, node, HTTP server), the ready file and kubeconfig it
 * writes once serving, and an orderly shutdown on SIGTERM/SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "base64.h"
#include "buf.h"
#include "cleanup.h"
#include "cluster.h"
#include "counters.h"
#include "exitcode.h"
#include "faults.h"
#include "fileutil.h"
#include "http.h"
#include "jsonutil.h"
#include "log.h"
#include "node.h"
#include "pki.h"
#include "runtime.h"
#include "schema.h"
#include "store.h"
#include "strutil.h"
#include "version.h"
#include "xalloc.h"
#include "yamljson.h"

static const char usage[] =
	"Usage: konduktor-localcluster [flags]\n"
	"\n"
	"A single-node Kubernetes API server that keeps its objects in memory (or in\n"
	"a state directory) and runs pods as local processes. kubectl, client\n"
	"libraries and kubectl-konduktor work against it unchanged.\n"
	"\n"
	"Serving:\n"
	"      --bind-address ADDR         address to listen on (default 127.0.0.1)\n"
	"      --port N                    port to listen on; 0 picks a free one (default 6443)\n"
	"      --tls-cert-file FILE        serve HTTPS with this certificate (PEM)...\n"
	"      --tls-private-key-file FILE ...and this key (PEM)\n"
	"      --client-ca-file FILE       accept client certificates signed by this CA;\n"
	"                                  the user is the certificate's common name\n"
	"      --token-auth-file FILE      accept the bearer tokens of this file, one per\n"
	"                                  line: token,user,uid[,\"group1,group2\"]\n"
	"      --pki-dir DIR               serve HTTPS and require client certificates, using\n"
	"                                  a CA and certificates kept in DIR (made on first\n"
	"                                  use); --kubeconfig-out embeds the client's\n"
	"                                  certificate and key\n"
	"      --max-connections N         connections served at once (default 4096)\n"
	"\n"
	"State:\n"
	"      --state-dir DIR             keep every object in DIR (a write-ahead log and\n"
	"                                  snapshots) so a restart finds them again; pod\n"
	"                                  logs go to DIR/logs. Without it, all is in memory\n"
	"      --api-schema-dir DIR        validate request bodies against the upstream\n"
	"                                  schema in DIR (kubernetes-1.34-swagger.json and\n"
	"                                  jobset.x-k8s.io_jobsets.yaml): unknown, duplicate\n"
	"                                  and mistyped fields, as fieldValidation asks\n"
	"      --watch-history N           changes kept for watches that resume from a\n"
	"                                  resourceVersion (default 10000); older: 410 Gone\n"
	"      --bookmark-interval SECONDS time between watch BOOKMARK events (default 60)\n"
	"\n"
	"Node and pods (the kubelet, scheduler and Job/JobSet controllers):\n"
	"%s"
	"\n"
	"Start-up:\n"
	"      --ready-file FILE           once serving, write {\"url\", \"port\", \"pid\", ...}\n"
	"                                  to FILE (removed again at exit)\n"
	"      --kubeconfig-out FILE       once serving, write a kubeconfig for the server\n"
	"                                  (context konduktor-local; with --token-auth-file,\n"
	"                                  its first token; with TLS, the certificate as CA)\n"
	"\n"
	"Other:\n"
	"  -v, --v N                       log verbosity: 4 debug, 6 every request\n"
	"      --version                   print the version\n"
	"  -h, --help                      show this help\n"
	"\n"
	"Once serving, one line on stdout says where: \"serving on URL\". The admin\n"
	"endpoints under /debug/konduktor/ switch faults and read request counters;\n"
	"see konduktor-localcluster(1).\n";

enum {
	OPT_BIND = 1000,
	OPT_PORT,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_CLIENT_CA,
	OPT_TOKEN_FILE,
	OPT_MAX_CONNECTIONS,
	OPT_STATE_DIR,
	OPT_SCHEMA_DIR,
	OPT_WATCH_HISTORY,
	OPT_BOOKMARK,
	OPT_READY_FILE,
	OPT_KUBECONFIG_OUT,
	OPT_PKI_DIR,
	OPT_VERSION,
	OPT_RUNTIME, /* OPT_RUNTIME + i: runtime_options[i] */
};

static const struct option server_options[] = {
	{ "bind-address", required_argument, NULL, OPT_BIND },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "tls-cert-file", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-private-key-file", required_argument, NULL, OPT_TLS_KEY },
	{ "client-ca-file", required_argument, NULL, OPT_CLIENT_CA },
	{ "token-auth-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "api-schema-dir", required_argument, NULL, OPT_SCHEMA_DIR },
	{ "watch-history", required_argument, NULL, OPT_WATCH_HISTORY },
	{ "bookmark-interval", required_argument, NULL, OPT_BOOKMARK },
	{ "ready-file", required_argument, NULL, OPT_READY_FILE },
	{ "kubeconfig-out", required_argument, NULL, OPT_KUBECONFIG_OUT },
	{ "pki-dir", required_argument, NULL, OPT_PKI_DIR },
	{ "v", required_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nRun 'konduktor-localcluster --help' for the flags.\n", stderr);
	return EXIT_USAGE;
}

static int parse_number(const char *flag, const char *text, int64_t min, int64_t max,
			int64_t *ret)
{
	if (str_to_int64(text, ret) < 0 || *ret < min || *ret > max) {
		fprintf(stderr, "error: --%s: '%s' is not a number from %lld to %lld\n", flag, text,
			(long long)min, (long long)max);
		return -1;
	}
	return 0;
}

/* The server's options and the runtime's (runtime.h) in one table. */
static struct option *all_options(void)
{
	size_t n_server = 0, n_runtime = 0, i;
	struct option *all;

	while (server_options[n_server].name)
		n_server++;
	while (runtime_options[n_runtime])
		n_runtime++;
	all = xcalloc(n_server + n_runtime + 1, sizeof(*all));
	memcpy(all, server_options, n_server * sizeof(*all));
	for (i = 0; i < n_runtime; i++)
		all[n_server + i] = (struct option){ runtime_options[i] + 2, required_argument, NULL,
						     OPT_RUNTIME + (int)i };
	return all;
}

/* Returns -1 to exit with EXIT_USAGE, 1 to exit 0 (help, version), 0 to run. */
static int parse_flags(int argc, char **argv, struct cluster_config *c, struct runtime_config *rc)
{
	_cleanup_free_ struct option *long_options = all_options();
	struct error err = ERROR_INIT;
	int opt;
	int64_t n;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hv:", long_options, NULL)) != -1) {
		if (opt >= OPT_RUNTIME) {
			const char *name = runtime_options[opt - OPT_RUNTIME];

			if (runtime_config_set(rc, name, optarg, &err) < 0) {
				usage_error("%s", err.msg);
				return -1;
			}
			if (!strcmp(name, "--node-name"))
				c->node_name = rc->node_name;
			continue;
		}
		switch (opt) {
		case OPT_BIND: c->bind_address = optarg; break;
		case OPT_PORT:
			if (parse_number("port", optarg, 0, 65535, &n) < 0)
				return -1;
			c->port = (int)n;
			break;
		case OPT_TLS_CERT: c->tls_cert_file = optarg; break;
		case OPT_TLS_KEY: c->tls_key_file = optarg; break;
		case OPT_CLIENT_CA: c->client_ca_file = optarg; break;
		case OPT_TOKEN_FILE: c->token_file = optarg; break;
		case OPT_MAX_CONNECTIONS:
			if (parse_number("max-connections", optarg, 1, 1000000, &n) < 0)
				return -1;
			c->max_connections = (size_t)n;
			break;
		case OPT_STATE_DIR: c->state_dir = optarg; break;
		case OPT_SCHEMA_DIR: c->api_schema_dir = optarg; break;
		case OPT_WATCH_HISTORY:
			if (parse_number("watch-history", optarg, 0, 100000000, &n) < 0)
				return -1;
			c->watch_history = (size_t)n;
			break;
		case OPT_BOOKMARK:
			if (parse_number("bookmark-interval", optarg, 1, 86400, &n) < 0)
				return -1;
			c->bookmark_interval_seconds = n;
			break;
		case OPT_READY_FILE: c->ready_file = optarg; break;
		case OPT_KUBECONFIG_OUT: c->kubeconfig_out = optarg; break;
		case OPT_PKI_DIR: c->pki_dir = optarg; break;
		case 'v':
			if (parse_number("v", optarg, 0, 10, &c->verbosity) < 0)
				return -1;
			break;
		case OPT_VERSION: printf("konduktor-localcluster v%s\n", KONDUKTOR_VERSION); return 1;
		case 'h': printf(usage, runtime_options_help); return 1;
		case ':':
			usage_error("flag '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			usage_error("unknown flag '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (c->pki_dir && (c->tls_cert_file || c->tls_key_file || c->client_ca_file)) {
		usage_error("%s", "--pki-dir provides the certificates: leave out --tls-cert-file, "
				  "--tls-private-key-file and --client-ca-file");
		return -1;
	}
	if (!c->tls_cert_file != !c->tls_key_file) {
		usage_error("%s", "--tls-cert-file and --tls-private-key-file go together");
		return -1;
	}
	if (c->client_ca_file && !c->tls_cert_file) {
		usage_error("%s", "--client-ca-file needs TLS (--tls-cert-file and "
				  "--tls-private-key-file)");
		return -1;
	}
	return 0;
}

/* ---- files written once serving ---- */

static int write_ready_file(const struct cluster *cluster, int port, struct error *err)
{
	_cleanup_json_ cJSON *ready = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL;

	json_set_string(ready, "url", cluster->url);
	json_set_int64(ready, "port", port);
	json_set_int64(ready, "pid", getpid());
	if (cluster->config->state_dir)
		json_set_string(ready, "stateDir", cluster->config->state_dir);
	json_set_string(ready, "logsDir", cluster->logs_dir);
	json_set_string(ready, "version", KONDUKTOR_VERSION);
	text = json_print_compact(ready);
	return file_write_atomic(cluster->config->ready_file, text, strlen(text), 0600, err);
}

/* Sets key to the base64 of a file's content. */
static int set_file_data(cJSON *obj, const char *key, const char *path, struct error *err)
{
	struct buf text = BUF_INIT(BUF_MAX_SMALL * 4);
	struct buf encoded = BUF_INIT(BUF_MAX_SMALL * 8);
	int ret = -1;

	if (file_read_all(path, &text, err) == 0 &&
	    base64_encode(text.data, text.len, &encoded) == 0) {
		json_set_string(obj, key, encoded.data);
		ret = 0;
	}
	buf_release_secret(&text);
	buf_release_secret(&encoded);
	return ret;
}

/* The kubeconfig --kubeconfig-out asks for: context konduktor-local, the
 * server's CA (the PKI's, or the serving certificate itself), and the
 * credentials a client needs (the PKI's client certificate, or the first
 * token). */
static int write_kubeconfig(const struct cluster *cluster, const struct pki *pki,
			    struct error *err)
{
	const struct cluster_config *config = cluster->config;
	const char *token = auth_first_token(cluster->auth);
	_cleanup_json_ cJSON *kc = cJSON_CreateObject();
	cJSON *entry, *cl, *user, *ctx, *list;
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);
	int ret = -1;

	json_set_string(kc, "apiVersion", "v1");
	json_set_string(kc, "kind", "Config");
	entry = cJSON_CreateObject();
	json_set_string(entry, "name", "konduktor-local");
	cl = json_ensure_object(entry, "cluster");
	json_set_string(cl, "server", cluster->url);
	if (config->tls_cert_file &&
	    set_file_data(cl, "certificate-authority-data",
			  pki->ca_cert ? pki->ca_cert : config->tls_cert_file, err) < 0)
		goto out;
	list = cJSON_CreateArray();
	cJSON_AddItemToArray(list, entry);
	json_set(kc, "clusters", list);

	entry = cJSON_CreateObject();
	json_set_string(entry, "name", "konduktor-local");
	user = json_ensure_object(entry, "user");
	if (pki->client_cert) {
		if (set_file_data(user, "client-certificate-data", pki->client_cert, err) < 0 ||
		    set_file_data(user, "client-key-data", pki->client_key, err) < 0)
			goto out;
	} else if (token) {
		json_set_string(user, "token", token);
	}
	list = cJSON_CreateArray();
	cJSON_AddItemToArray(list, entry);
	json_set(kc, "users", list);

	entry = cJSON_CreateObject();
	json_set_string(entry, "name", "konduktor-local");
	ctx = json_ensure_object(entry, "context");
	json_set_string(ctx, "cluster", "konduktor-local");
	json_set_string(ctx, "user", "konduktor-local");
	json_set_string(ctx, "namespace", "default");
	list = cJSON_CreateArray();
	cJSON_AddItemToArray(list, entry);
	json_set(kc, "contexts", list);
	json_set_string(kc, "current-context", "konduktor-local");

	/* 0600: it may hold a token or a key. */
	if (json_to_yaml(kc, &out, err) == 0)
		ret = file_write_atomic(config->kubeconfig_out, out.data, out.len, 0600, err);
out:
	buf_release_secret(&out);
	str_free_secret(json_print_compact(kc)); /* the tree held the same secrets */
	return ret;
}

/* ---- start-up pieces ---- */

/* One server per state dir: a second one would corrupt the log. */
static int lock_state_dir(const char *dir, int *ret_fd, struct error *err)
{
	_cleanup_free_ char *path = path_join(dir, "lock");
	int fd;

	if (mkdir_parents(dir, 0700, err) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(err, "cannot open '%s': %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return error_set(err, "state dir '%s' is in use by another konduktor-localcluster",
				 dir);
	}
	*ret_fd = fd;
	return 0;
}

static int make_logs_dir(struct cluster *cluster, struct error *err)
{
	if (cluster->config->state_dir) {
		cluster->logs_dir = path_join(cluster->config->state_dir, "logs");
		return mkdir_parents(cluster->logs_dir, 0700, err);
	}
	{
		const char *tmp = getenv("TMPDIR");
		char *dir = xasprintf("%s/konduktor-localcluster-logs-XXXXXX", tmp && *tmp ? tmp : "/tmp");

		if (!mkdtemp(dir)) {
			error_set(err, "cannot create '%s': %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		cluster->logs_dir = dir;
		cluster->logs_dir_is_temp = true;
	}
	return 0;
}

static int wait_for_signal(const sigset_t *set)
{
	siginfo_t info;
	int sig;

	do
		sig = sigwaitinfo(set, &info);
	while (sig < 0 && errno == EINTR);
	return sig;
}

int main(int argc, char **argv)
{
	struct cluster_config config = {
		.bind_address = "127.0.0.1",
		.port = 6443,
		.node_name = "local",
		.watch_history = STORE_DEFAULT_WATCH_HISTORY,
		.bookmark_interval_seconds = 60,
		.max_connections = 4096,
	};
	struct cluster cluster = { .config = &config, .shutdown_fd = -1 };
	struct store_config store_config = { 0 };
	struct http_server *server = NULL;
	struct runtime_config runtime_config;
	struct runtime *runtime = NULL;
	struct pki pki = { 0 };
	struct error err = ERROR_INIT;
	sigset_t signals;
	int lock_fd = -1, port = 0, rc, status = EXIT_ERROR;

	log_set_program("konduktor-localcluster");
	runtime_config_init(&runtime_config);
	rc = parse_flags(argc, argv, &config, &runtime_config);
	if (rc) {
		runtime_config_release(&runtime_config);
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	}
	if (config.verbosity)
		log_set_level((int)config.verbosity);

	/* Signals are taken by sigwaitinfo() here; every thread inherits the mask. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (config.state_dir && lock_state_dir(config.state_dir, &lock_fd, &err) < 0)
		goto out;
	if (config.pki_dir) {
		if (pki_ensure(config.pki_dir, config.bind_address, &pki, &err) < 0)
			goto out;
		config.tls_cert_file = pki.server_cert;
		config.tls_key_file = pki.server_key;
		config.client_ca_file = pki.ca_cert;
	}
	if (make_logs_dir(&cluster, &err) < 0)
		goto out;
	/* The runtime forks its process runner: before any thread starts. */
	runtime_config.logs_dir = xstrdup(cluster.logs_dir);
	if (!runtime_config.data_dir && config.state_dir)
		runtime_config.data_dir = path_join(config.state_dir, "data");
	runtime = runtime_new(&runtime_config, &err);
	if (!runtime)
		goto out;
	if (config.api_schema_dir &&
	    !(cluster.schema = schema_load_async(config.api_schema_dir, &err)))
		goto out;
	cluster.auth = auth_new(config.token_file, config.client_ca_file != NULL, &err);
	if (!cluster.auth)
		goto out;
	store_config.state_dir = config.state_dir;
	store_config.watch_history = config.watch_history;
	cluster.store = store_open(&store_config, &err);
	if (!cluster.store || node_ensure(&cluster, &err) < 0 ||
	    runtime_start(runtime, cluster.store, &err) < 0)
		goto out;
	cluster.faults = faults_new();
	cluster.counters = counters_new();
	cluster.shutdown_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cluster.shutdown_fd < 0) {
		error_set(&err, "eventfd: %s", strerror(errno));
		goto out;
	}
	server = http_server_start(&cluster, &port, &err);
	if (!server)
		goto out;
	cluster.url = xasprintf("%s://%s%s%s:%d", config.tls_cert_file ? "https" : "http",
				strchr(config.bind_address, ':') ? "[" : "", config.bind_address,
				strchr(config.bind_address, ':') ? "]" : "", port);
	/* Ready means ready to validate too (/readyz says the same). */
	if (cluster.schema && !schema_wait(cluster.schema)) {
		error_set(&err, "--api-schema-dir '%s': the schema could not be loaded",
			  config.api_schema_dir);
		goto out;
	}
	if ((config.kubeconfig_out && write_kubeconfig(&cluster, &pki, &err) < 0) ||
	    (config.ready_file && write_ready_file(&cluster, port, &err) < 0))
		goto out;
	printf("serving on %s\n", cluster.url);
	fflush(stdout);
	log_msg(1, "serving on %s (state: %s, logs: %s)", cluster.url,
		config.state_dir ? config.state_dir : "in memory", cluster.logs_dir);

	rc = wait_for_signal(&signals);
	log_msg(1, "signal %d: shutting down", rc);
	status = EXIT_OK;
out:
	if (status != EXIT_OK)
		fprintf(stderr, "error: %s\n", err.msg);
	if (config.ready_file && status == EXIT_OK)
		unlink(config.ready_file);
	/* Wake everything that blocks, then wait for the connections. */
	if (cluster.faults)
		faults_shutdown(cluster.faults);
	if (cluster.shutdown_fd >= 0)
		eventfd_write(cluster.shutdown_fd, 1);
	/* The node shuts down (pods stopped, their status written) while the
	 * store still takes writes. */
	runtime_stop(runtime);
	runtime_config_release(&runtime_config);
	if (cluster.store)
		store_shutdown(cluster.store);
	http_server_stop(server);
	store_close(cluster.store);
	schema_free(cluster.schema);
	auth_free(cluster.auth);
	faults_free(cluster.faults);
	counters_free(cluster.counters);
	if (cluster.logs_dir_is_temp)
		remove_tree(cluster.logs_dir, NULL);
	free(cluster.logs_dir);
	free(cluster.url);
	if (cluster.shutdown_fd >= 0)
		close(cluster.shutdown_fd);
	if (lock_fd >= 0)
		close(lock_fd);
	pki_release(&pki);
	return status;
}
