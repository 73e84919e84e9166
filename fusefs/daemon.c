/* daemon.c — konduktor-fs from start to stop (see daemon.h). */
#include "daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "exitcode.h"
#include "feed.h"
#include "fileutil.h"
#include "fs.h"
#include "kube_config.h"
#include "log.h"
#include "mountinfo.h"
#include "notifier.h"
#include "strutil.h"
#include "timeutil.h"
#include "userconfig.h"
#include "version.h"
#include "xalloc.h"

#define FSTYPE "fuse.konduktor-fs"
/* When --request-timeout 0 says "no limit", waiting for the first list
 * and for logs still ends. */
#define FALLBACK_TIMEOUT_MS 30000
/* Reconnecting to an API server that went away: from this, doubling. */
#define RECONNECT_MIN_MS 250
#define RECONNECT_MAX_MS 4000
/* FUSE worker threads: reads of logs may wait for the API server. */
#define MAX_WORKERS 16

/* Where startup errors go: stderr, or (in the background) the pipe to the
 * parent waiting in the foreground. */
struct startup {
	int report_fd; /* -1 in the foreground */
};

static int fail(struct startup *s, int code, const struct error *err)
{
	if (s->report_fd >= 0) {
		char line[ERROR_MSG_MAX + 16];
		int n = snprintf(line, sizeof(line), "%d %s\n", code, err->msg);

		fd_write_all(s->report_fd, line, n > 0 ? (size_t)n : 0);
		close(s->report_fd);
		s->report_fd = -1;
	} else {
		fprintf(stderr, "error: %s\n", err->msg);
	}
	return code;
}

static void report_mounted(struct startup *s)
{
	if (s->report_fd >= 0) {
		fd_write_all(s->report_fd, "0\n", 2);
		close(s->report_fd);
		s->report_fd = -1;
	}
}

/* --- checks ----------------------------------------------------------------- */

static int check_mountpoint(const char *given, char resolved[PATH_MAX], struct error *err)
{
	struct mount_entry mounted;
	struct stat st;
	DIR *dir;
	struct dirent *entry;
	bool empty = true;

	if (!realpath(given, resolved)) {
		if (errno == ENOTCONN)
			return error_set(err,
					 "'%s' is a mount whose daemon has stopped; clear it with "
					 "'kubectl konduktor umount %s'",
					 given, given);
		if (errno == ENOENT)
			return error_set(err, "mount point '%s' does not exist (create it with mkdir)",
					 given);
		return error_set(err, "mount point '%s': %s", given, strerror(errno));
	}
	if (mountinfo_find(resolved, &mounted, NULL) == 0 && !strcmp(mounted.fstype, FSTYPE))
		return error_set(err, "'%s' is already a konduktor-fs mount", given);
	if (stat(resolved, &st) < 0)
		return error_set(err, "mount point '%s': %s", given, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return error_set(err, "mount point '%s' is not a directory", given);
	dir = opendir(resolved);
	if (!dir)
		return error_set(err, "mount point '%s': %s", given, strerror(errno));
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			empty = false;
	closedir(dir);
	if (!empty)
		return error_set(err, "mount point '%s' is not empty", given);
	return 0;
}

static int check_fuse_device(struct error *err)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	/* Not allowed to open it is not the end: fusermount3, set-uid, can. */
	if (errno == EACCES || errno == EPERM)
		return 0;
	return error_set(err,
			 "cannot open /dev/fuse: %s (FUSE is needed: load the fuse module, or "
			 "give a container the device /dev/fuse)",
			 strerror(errno));
}

/* --- the background ------------------------------------------------------------ */

/* The child the waiting parent passes SIGINT, SIGTERM and SIGHUP on to
 * (a Ctrl-C while mounting stops the mount, not only the waiting). */
static volatile pid_t background_child;
static volatile sig_atomic_t background_interrupted;

static void pass_on_signal(int sig)
{
	background_interrupted = sig;
	if (background_child > 0)
		kill(background_child, sig);
}

/* Forks; the parent waits for the child's report and returns the exit
 * code to leave with (*is_parent true); the child returns 0 with the
 * write end of the report pipe in *ret_fd. */
static int go_to_background(bool *is_parent, int *ret_fd)
{
	int fds[2];
	pid_t pid;
	struct buf report = BUF_INIT(ERROR_MSG_MAX + 64);
	struct error err = ERROR_INIT;
	int64_t code;
	char *space;

	*is_parent = false;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "error: cannot create a pipe: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "error: cannot fork: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		*ret_fd = fds[1];
		return 0;
	}
	*is_parent = true;
	close(fds[1]);
	{
		struct sigaction sa = { .sa_handler = pass_on_signal };

		background_child = pid;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	/* The child closes its end once mounted or failed, or as it dies. */
	if (fd_read_all(fds[0], &report, &err) < 0)
		buf_reset(&report);
	close(fds[0]);
	buf_rtrim(&report);
	if (background_interrupted && !report.len) {
		fprintf(stderr, "error: interrupted before the tree was mounted\n");
		buf_release(&report);
		return 128 + background_interrupted;
	}
	if (!report.len) {
		fprintf(stderr, "error: konduktor-fs stopped before the tree was mounted "
				"(run it with -f, or --log-file, to see why)\n");
		buf_release(&report);
		return EXIT_ERROR;
	}
	space = strchr(report.data, ' ');
	if (space)
		*space = '\0';
	if (str_to_int64(report.data, &code) < 0)
		code = EXIT_ERROR;
	if (space)
		fprintf(stderr, "error: %s\n", space + 1);
	buf_release(&report);
	return (int)code;
}

/* Standard input and output to /dev/null, errors to the log file (or
 * /dev/null), so that the daemon holds no terminal. */
static void detach_stdio(int log_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(log_fd >= 0 ? log_fd : null, STDERR_FILENO);
		close(null);
	}
	if (chdir("/") < 0)
		log_debug("cannot change to /: %s", strerror(errno));
}

/* --- serving ------------------------------------------------------------------- */

static bool session_exited(void *ctx)
{
	struct konduktor_fs *fs = ctx;

	return fs->session && fuse_session_exited(fs->session);
}

/* The namespace shown: the kubeconfig's or -n, else the user config's
 * default (as every kubectl-konduktor command, plugin/kcluster.c), else
 * "default". *ret_storage holds it when it is the user config's. */
static int namespace_of(const struct kube_config *config, char **ret_storage, struct error *err)
{
	struct user_config user;

	*ret_storage = NULL;
	if (config->namespace_source != KUBE_NAMESPACE_DEFAULT)
		return 0;
	if (user_config_load(NULL, &user, err) < 0)
		return -1;
	if (user.namespace)
		*ret_storage = xstrdup(user.namespace);
	user_config_release(&user);
	return 0;
}

/* The daemon's log of its connection to the API server. */
static void log_connection(const char *resource, bool connected, const struct error *err,
			   void *ctx)
{
	(void)ctx;
	if (connected)
		log_warn("%s: the API server is back; catching up", resource);
	else
		log_warn("%s: lost the API server (%s); serving what is cached, retrying",
			 resource, err ? err->msg : "no reason given");
}

static void overrides_from(const struct cluster_flags *f, struct kube_overrides *o)
{
	*o = (struct kube_overrides){
		.kubeconfig = f->kubeconfig,
		.context = f->context,
		.cluster = f->cluster,
		.user = f->user,
		.namespace = f->namespace,
		.server = f->server,
		.request_timeout = f->request_timeout,
	};
}

/* The libfuse arguments: a read-only mount checked by the kernel against
 * the modes (0444 files, 0555 directories), private unless asked. */
static struct fuse_session *new_session(const struct fs_options *o, struct konduktor_fs *fs)
{
	_cleanup_free_ char *mount_opts = xasprintf(
		"ro,default_permissions,fsname=konduktor,subtype=konduktor-fs%s",
		o->allow_other ? ",allow_other" : o->allow_root ? ",allow_root" : "");
	char *argv[] = { "konduktor-fs", "-o", mount_opts, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *se;

	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), fs);
	fuse_opt_free_args(&args);
	return se;
}

static int serve(struct fuse_session *se)
{
	struct fuse_loop_config *config = fuse_loop_cfg_create();
	int rc;

	fuse_loop_cfg_set_max_threads(config, MAX_WORKERS);
	rc = fuse_session_loop_mt(se, config);
	fuse_loop_cfg_destroy(config);
	return rc;
}

int fs_daemon_run(const struct fs_options *o)
{
	struct startup startup = { .report_fd = -1 };
	struct error err = ERROR_INIT;
	char mountpoint[PATH_MAX];
	_cleanup_close_ int log_fd = -1;
	struct kube_overrides overrides;
	struct kube_config *config = NULL;
	struct kube_client *client = NULL;
	struct fs_cache *cache = NULL;
	struct log_registry *logs = NULL;
	struct konduktor_fs fs;
	struct notifier *notifier = NULL;
	struct feed *feed = NULL;
	struct fuse_session *se = NULL;
	_cleanup_free_ char *namespace = NULL; /* from the user config, if it says */
	const char *shown_ns;
	bool jobsets = false, fs_ready = false, handlers_set = false;
	int64_t timeout_ms;
	int code = EXIT_OK, rc;

	log_set_program("konduktor-fs");
	log_set_level((int)o->cluster.verbosity);
	if (check_mountpoint(o->mountpoint, mountpoint, &err) < 0)
		return fail(&startup, EXIT_USAGE, &err);
	if (check_fuse_device(&err) < 0)
		return fail(&startup, EXIT_ERROR, &err);
	if (o->log_file) {
		log_fd = open(o->log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			error_set(&err, "cannot open log file '%s': %s", o->log_file, strerror(errno));
			return fail(&startup, EXIT_USAGE, &err);
		}
		if (o->foreground)
			dup2(log_fd, STDERR_FILENO);
	}
	if (!o->foreground) {
		bool is_parent;

		code = go_to_background(&is_parent, &startup.report_fd);
		if (is_parent || code != 0)
			return code;
	}

	overrides_from(&o->cluster, &overrides);
	if (kube_config_load(&overrides, &config, &err) < 0) {
		/* The same words as kubectl-konduktor's (plugin/kcluster.c). */
		if (str_has_prefix(err.msg, "invalid configuration: no configuration has been"))
			error_set(&err, "no cluster is configured (set KUBECONFIG, use --kubeconfig or "
					"--server, or create ~/.kube/config); start one on this "
					"machine with 'kubectl konduktor local up'");
		return fail(&startup, EXIT_ERROR, &err);
	}
	if (namespace_of(config, &namespace, &err) < 0) {
		kube_config_free(config);
		return fail(&startup, EXIT_USAGE, &err);
	}
	timeout_ms = config->request_timeout_ms ? config->request_timeout_ms : FALLBACK_TIMEOUT_MS;
	client = kube_client_new(TAKE_PTR(config), &err); /* it owns the config, always */
	if (!client)
		return fail(&startup, EXIT_ERROR, &err);
	kube_client_set_user_agent(client, "konduktor-fs/" KONDUKTOR_VERSION " (linux)");
	/* The first request: it also says whether the cluster is there. */
	if (kube_resource_served(client, &kube_jobsets, &jobsets, &err) < 0) {
		error_prefix(&err, "cannot reach the cluster at %s", kube_client_config(client)->server);
		code = fail(&startup, EXIT_ERROR, &err);
		goto out;
	}

	shown_ns = o->cluster.all_namespaces ? NULL
		   : namespace ? namespace : kube_client_config(client)->namespace;
	cache = fs_cache_new(shown_ns);
	logs = log_registry_new(client, timeout_ms, session_exited, &fs);
	konduktor_fs_init(&fs, cache, logs);
	fs_ready = true;
	{
		struct feed_opts feed_opts = {
			.namespace = shown_ns,
			.jobsets = jobsets,
			/* Back soon after the API server is: retrying a refused
			 * connection costs nothing. */
			.min_backoff_ms = RECONNECT_MIN_MS,
			.max_backoff_ms = RECONNECT_MAX_MS,
			.on_connection = log_connection,
		};

		feed = feed_start(client, cache, &feed_opts, &err);
	}
	if (!feed || feed_wait_synced(feed, timeout_ms, &err) < 0) {
		error_prefix(&err, "cannot list jobs from the cluster at %s",
			     kube_client_config(client)->server);
		code = fail(&startup, EXIT_ERROR, &err);
		goto out;
	}
	/* Everything listed is shown from the first `ls`; what comes later
	 * the notifier publishes. */
	fs_cache_refresh(cache, time_real_ms(), NULL, NULL);
	{
		struct fs_cache_stats stats;

		fs_cache_stats(cache, &stats);
		log_msg(1, "listed %zu jobs and groups (%zu shown), %zu pods, %zu ConfigMaps: "
			   "%zu KiB of trimmed objects kept",
			stats.entries, stats.shown, stats.pods, stats.configmaps,
			stats.text_bytes / 1024);
	}
	notifier = notifier_start(&fs, &err);
	if (!notifier) {
		code = fail(&startup, EXIT_ERROR, &err);
		goto out;
	}

	se = new_session(o, &fs);
	if (!se) {
		error_set(&err, "cannot set up the FUSE session (see the message above)");
		code = fail(&startup, EXIT_ERROR, &err);
		goto out;
	}
	handlers_set = fuse_set_signal_handlers(se) == 0;
	if (!handlers_set || fuse_session_mount(se, mountpoint) != 0) {
		error_set(&err, "cannot mount on '%s' (see the message above)", o->mountpoint);
		code = fail(&startup, EXIT_ERROR, &err);
		goto out;
	}
	fs.session = se;
	notifier_attach(notifier);
	log_msg(1, "mounted %s (%s)", mountpoint, shown_ns ? shown_ns : "all namespaces");
	if (!o->foreground) {
		report_mounted(&startup);
		detach_stdio(log_fd);
	}

	rc = serve(se);
	if (rc < 0) {
		log_warn("the FUSE session ended: %s", strerror(-rc));
		code = EXIT_ERROR;
	}
	log_msg(1, "unmounting %s", mountpoint);
	fuse_session_unmount(se);
out:
	/* The notifier uses the session and the cache; the feed fills the
	 * cache; log streams use the client. */
	notifier_stop(notifier);
	if (handlers_set)
		fuse_remove_signal_handlers(se);
	if (se)
		fuse_session_destroy(se);
	feed_stop(feed);
	log_registry_free(logs);
	if (fs_ready)
		konduktor_fs_release(&fs);
	fs_cache_free(cache);
	kube_client_free(client);
	if (startup.report_fd >= 0)
		close(startup.report_fd);
	return code;
}
