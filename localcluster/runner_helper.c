/* runner_helper.c — the process runner's helper process: a single-threaded
 * epoll loop that clones each container into its own PID, mount and UTS
 * namespaces, pumps its stdout/stderr into the CRI log, signals it, reaps
 * it through a pidfd and reports back to the server (runner_proto.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "crilog.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "mountplan.h"
#include "runner.h"
#include "runner_proto.h"
#include "strutil.h"
#include "strv.h"
#include "timeutil.h"
#include "xalloc.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* After a container's PID 1 exits the kernel kills the rest of its PID
 * namespace, so its pipes reach end-of-file at once; this bounds the wait
 * for a descriptor passed outside the namespace. */
#define DRAIN_TIMEOUT_MS 2000
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define OUTBOX_MAX ((size_t)256 * 1024 * 1024)
#define READ_CHUNK 65536

enum watch_kind { WATCH_SOCKET, WATCH_PIDFD, WATCH_STDOUT, WATCH_STDERR };

struct watch {
	enum watch_kind kind;
	struct container *container; /* NULL for the socket */
};

struct container {
	struct container *next;
	uint64_t id;
	char *name;
	pid_t pid;
	int pidfd;
	int out_fd;     /* read ends of the stdout/stderr pipes, -1 once closed */
	int err_fd;
	int log_fd;
	struct crilog_stream out, err;
	struct watch w_pidfd, w_out, w_err;
	char *log_path;
	char *termination_file; /* NULL when there is no termination message path */
	bool fallback_to_logs;
	struct timespec started_at, finished_at;
	bool exited;
	int exit_code;
	int signal;
	bool term_sent;
	int64_t kill_at_ms;   /* monotonic deadline for SIGKILL, 0 for none */
	int64_t drain_at_ms;  /* after exit: stop waiting for pipe end-of-file */
};

struct helper {
	int sock;
	int epoll;
	char *run_dir;
	char *root_mount_point;
	struct watch w_sock;
	struct buf inbox;
	struct buf outbox;
	struct container *containers;
	bool shutting_down;
	bool server_gone;
};

/* ---- the cloned child: runs before exec, async-signal-safe only ---- */

enum child_stage { STAGE_SYNC, STAGE_MOUNT, STAGE_HOSTNAME, STAGE_ROOT, STAGE_STDIO,
		   STAGE_USER, STAGE_EXEC };

struct child_report {
	int stage;
	int errnum;
	size_t step; /* STAGE_MOUNT: the failing mount step */
	size_t exec_candidate; /* STAGE_EXEC: index of the candidate whose error is reported */
};

struct child_args {
	const struct mount_plan *plan;
	const char *hostname;
	char *const *candidates; /* paths to try for argv[0], in order */
	char *const *argv;
	char *const *envp;
	int stdin_fd, stdout_fd, stderr_fd, report_fd, sync_fd;
	int64_t uid, gid;
};

static void __attribute__((noreturn)) child_fail(const struct child_args *a, int stage,
						 int errnum, size_t step, size_t candidate)
{
	struct child_report report = { stage, errnum, step, candidate };

	(void)!write(a->report_fd, &report, sizeof(report));
	_exit(127);
}

static void __attribute__((noreturn)) child_main(const struct child_args *a)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	size_t failed = 0, reported = 0;
	int exec_errno = ENOENT;
	char byte;

	if (a->sync_fd >= 0 && read(a->sync_fd, &byte, 1) != 1)
		child_fail(a, STAGE_SYNC, errno, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setsid();
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (mount_plan_execute(a->plan, &failed) < 0)
		child_fail(a, STAGE_MOUNT, errno, failed, 0);
	if (a->hostname && sethostname(a->hostname, strlen(a->hostname)) < 0)
		child_fail(a, STAGE_HOSTNAME, errno, 0, 0);
	if (mount_plan_enter(a->plan) < 0)
		child_fail(a, STAGE_ROOT, errno, 0, 0);
	if (dup2(a->stdin_fd, 0) < 0 || dup2(a->stdout_fd, 1) < 0 || dup2(a->stderr_fd, 2) < 0)
		child_fail(a, STAGE_STDIO, errno, 0, 0);
	if (a->gid >= 0 && (setgroups(0, NULL) < 0 ||
			    setresgid((gid_t)a->gid, (gid_t)a->gid, (gid_t)a->gid) < 0))
		child_fail(a, STAGE_USER, errno, 0, 0);
	if (a->uid >= 0 && setresuid((uid_t)a->uid, (uid_t)a->uid, (uid_t)a->uid) < 0)
		child_fail(a, STAGE_USER, errno, 0, 0);
	umask(022);
	/* Nothing but stdio and the report pipe (close-on-exec) goes on. */
	if (a->report_fd > 3)
		close_range(3, (unsigned)a->report_fd - 1, 0);
	close_range((unsigned)a->report_fd + 1, ~0U, 0);
	for (size_t i = 0; a->candidates[i]; i++) {
		execve(a->candidates[i], a->argv, a->envp);
		/* As Go's exec.LookPath: a permission problem beats "not found". */
		if (errno != ENOENT && errno != ENOTDIR && exec_errno == ENOENT) {
			exec_errno = errno;
			reported = i;
		}
	}
	child_fail(a, STAGE_EXEC, exec_errno, 0, reported);
}

/* ---- reporting to the server ---- */

static void send_message(struct helper *h, const cJSON *msg)
{
	if (h->server_gone)
		return;
	if (runner_frame_append(&h->outbox, msg) < 0) {
		/* The server stopped reading: nothing sensible is left to do. */
		h->server_gone = true;
	}
}

static void flush_outbox(struct helper *h, bool block)
{
	while (h->outbox.len && !h->server_gone) {
		ssize_t n = send(h->sock, h->outbox.data, h->outbox.len,
				 MSG_NOSIGNAL | (block ? 0 : MSG_DONTWAIT));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			h->server_gone = true;
			break;
		}
		buf_consume(&h->outbox, (size_t)n);
	}
	{
		struct epoll_event ev = {
			.events = EPOLLIN | (h->outbox.len ? EPOLLOUT : 0),
			.data.ptr = &h->w_sock,
		};

		epoll_ctl(h->epoll, EPOLL_CTL_MOD, h->sock, &ev);
	}
}

static void report_started(struct helper *h, const struct container *c)
{
	_cleanup_json_ cJSON *msg = cJSON_CreateObject();

	cJSON_AddStringToObject(msg, "ev", "started");
	cJSON_AddNumberToObject(msg, "id", (double)c->id);
	cJSON_AddNumberToObject(msg, "pid", c->pid);
	cJSON_AddNumberToObject(msg, "sec", (double)c->started_at.tv_sec);
	cJSON_AddNumberToObject(msg, "nsec", (double)c->started_at.tv_nsec);
	send_message(h, msg);
}

static void report_exited(struct helper *h, uint64_t id, const char *outcome, int exit_code,
			  int sig, const struct timespec *started, const struct timespec *finished,
			  const char *message)
{
	_cleanup_json_ cJSON *msg = cJSON_CreateObject();

	cJSON_AddStringToObject(msg, "ev", "exited");
	cJSON_AddNumberToObject(msg, "id", (double)id);
	cJSON_AddStringToObject(msg, "outcome", outcome);
	cJSON_AddNumberToObject(msg, "exitCode", exit_code);
	cJSON_AddNumberToObject(msg, "signal", sig);
	cJSON_AddNumberToObject(msg, "startedSec", (double)started->tv_sec);
	cJSON_AddNumberToObject(msg, "startedNsec", (double)started->tv_nsec);
	cJSON_AddNumberToObject(msg, "finishedSec", (double)finished->tv_sec);
	cJSON_AddNumberToObject(msg, "finishedNsec", (double)finished->tv_nsec);
	cJSON_AddStringToObject(msg, "message", message);
	send_message(h, msg);
}

static void report_start_failure(struct helper *h, uint64_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report_start_failure(struct helper *h, uint64_t id, const char *fmt, ...)
{
	struct timespec now, zero = { 0 };
	struct buf message = BUF_INIT(BUF_MAX_SMALL);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&message, fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	/* A container runtime reports 128 for a process that never ran. */
	report_exited(h, id, "startFailed", 128, 0, &zero, &now, message.data);
	buf_release(&message);
}

/* ---- starting a container ---- */

/* The candidates execve() tries for argv0: itself if it has a slash,
 * else each directory of the container's PATH (as runc looks it up). */
static void exec_candidates(const char *argv0, char *const *envp, struct strv *out)
{
	const char *path = DEFAULT_PATH;

	if (strchr(argv0, '/')) {
		strv_push(out, argv0);
		return;
	}
	for (size_t i = 0; envp && envp[i]; i++)
		if (str_has_prefix(envp[i], "PATH="))
			path = envp[i] + 5;
	for (const char *p = path;;) {
		const char *end = strchrnul(p, ':');
		size_t len = (size_t)(end - p);

		/* An empty PATH element means the current directory. */
		strv_push_owned(out, len ? xasprintf("%.*s/%s", (int)len, p, argv0)
					 : xasprintf("./%s", argv0));
		if (!*end)
			break;
		p = end + 1;
	}
}

static void describe_child_failure(const struct child_report *report, const struct mount_plan *plan,
				   const char *argv0, char *const *candidates, char *out,
				   size_t size)
{
	char detail[1024];

	switch (report->stage) {
	case STAGE_MOUNT:
		mount_plan_describe_failure(plan, report->step, report->errnum, detail,
					    sizeof(detail));
		break;
	case STAGE_HOSTNAME:
		snprintf(detail, sizeof(detail), "cannot set the hostname: %s",
			 strerror(report->errnum));
		break;
	case STAGE_ROOT:
		snprintf(detail, sizeof(detail), "cannot enter the root or working directory: %s",
			 strerror(report->errnum));
		break;
	case STAGE_USER:
		snprintf(detail, sizeof(detail), "cannot change user or group: %s",
			 strerror(report->errnum));
		break;
	case STAGE_EXEC:
		if (report->errnum == ENOENT && !strchr(argv0, '/'))
			snprintf(detail, sizeof(detail),
				 "exec: \"%s\": executable file not found in $PATH", argv0);
		else
			snprintf(detail, sizeof(detail), "exec: \"%s\": %s",
				 candidates[report->exec_candidate], strerror(report->errnum));
		break;
	default:
		snprintf(detail, sizeof(detail), "setup failed: %s", strerror(report->errnum));
		break;
	}
	snprintf(out, size, "failed to start container process: %s", detail);
}

static int write_proc_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = fd_write_all(fd, text, strlen(text));
	if (close(fd) < 0)
		ret = -1;
	return ret;
}

/* Without root, the container gets a user namespace in which the runner's
 * own user and group map to themselves, which is what lets it mount. */
static int write_id_maps(pid_t pid)
{
	char map[64];

	if (write_proc_file(pid, "setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)geteuid(), (unsigned)geteuid());
	if (write_proc_file(pid, "uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getegid(), (unsigned)getegid());
	return write_proc_file(pid, "gid_map", map);
}

/* Creates (empty) the host file bound at the termination message path.
 * Mode 0666 as the kubelet makes it: the container may run as any user. */
static int create_termination_file(const char *path, struct error *err)
{
	_cleanup_free_ char *dir = path_dirname(path);
	_cleanup_close_ int fd = -1;

	if (mkdir_parents(dir, 0750, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 || fchmod(fd, 0666) < 0)
		return error_set_code(err, errno, "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

static int open_log(const char *path, struct error *err)
{
	_cleanup_free_ char *dir = path_dirname(path);
	int fd;

	/* podlog.h: directories 0700, files 0600 (a log may hold secrets). */
	if (mkdir_parents(dir, 0700, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set_code(err, errno, "cannot open log '%s': %s", path, strerror(errno));
	return fd;
}

static void watch_add(struct helper *h, int fd, struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	epoll_ctl(h->epoll, EPOLL_CTL_ADD, fd, &ev);
}

static void close_watched(struct helper *h, int *fd)
{
	if (*fd < 0)
		return;
	epoll_ctl(h->epoll, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

/* Waits up to `timeout_ms` for the child's setup report: 0 when it
 * exec'd (the close-on-exec pipe reached end-of-file), 1 with *report when
 * it failed, -1 if it did neither in time. */
static int await_child_report(int fd, struct child_report *report, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	int64_t deadline = time_mono_ms() + timeout_ms;

	for (;;) {
		int64_t left = deadline - time_mono_ms();
		ssize_t n;
		int rc;

		if (left <= 0)
			return -1;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return -1;
		n = read(fd, (char *)report + got, sizeof(*report) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got == sizeof(*report) ? 1 : 0;
		got += (size_t)n;
		if (got == sizeof(*report))
			return 1;
	}
}

struct start_request {
	uint64_t id;
	const char *name;
	struct strv argv;
	struct strv env;
	struct mount_plan_volume *volumes;
	size_t n_volumes;
	const char *working_dir;
	const char *hostname;
	const char *log_path;
	const char *termination_path;
	const char *termination_file;
	bool fallback_to_logs;
	int64_t uid, gid;
};

static void strv_from_json(struct strv *out, const cJSON *array)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, array)
		if (cJSON_IsString(item))
			strv_push(out, item->valuestring);
}

/* Reads a start request; the strings point into msg. */
static int parse_start(const cJSON *msg, struct start_request *req)
{
	const cJSON *mounts = json_get(msg, "mounts"), *m;
	int64_t id = 0;

	*req = (struct start_request){ .uid = -1, .gid = -1 };
	json_get_int64(msg, "id", &id);
	req->id = (uint64_t)id;
	req->name = json_get_string(msg, "name");
	strv_from_json(&req->argv, json_get(msg, "argv"));
	strv_from_json(&req->env, json_get(msg, "env"));
	req->working_dir = json_get_string(msg, "workingDir");
	req->hostname = json_get_string(msg, "hostname");
	req->log_path = json_get_string(msg, "logPath");
	req->termination_path = json_get_string(msg, "terminationMessagePath");
	req->termination_file = json_get_string(msg, "terminationMessageFile");
	req->fallback_to_logs = json_get_bool(msg, "fallbackToLogsOnError", false);
	json_get_int64(msg, "runAsUser", &req->uid);
	json_get_int64(msg, "runAsGroup", &req->gid);
	/* One more slot for the termination message file. */
	req->volumes = xcalloc((size_t)cJSON_GetArraySize(mounts) + 1, sizeof(*req->volumes));
	cJSON_ArrayForEach(m, mounts) {
		const char *host = json_get_string(m, "host");
		const char *container = json_get_string(m, "container");

		if (!host || !container)
			return -1;
		req->volumes[req->n_volumes++] = (struct mount_plan_volume){
			.host_path = host,
			.container_path = container,
			.read_only = json_get_bool(m, "readOnly", false),
		};
	}
	return req->log_path && req->id ? 0 : -1;
}

static void start_request_release(struct start_request *req)
{
	strv_release(&req->argv);
	strv_release(&req->env);
	free(req->volumes);
}

static void start_container(struct helper *h, const cJSON *msg)
{
	struct start_request req;
	struct mount_plan plan = MOUNT_PLAN_INIT;
	struct strv candidates = STRV_INIT;
	struct error err = ERROR_INIT;
	struct container *c = NULL;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, report[2] = { -1, -1 };
	int sync[2] = { -1, -1 };
	int null_fd = -1, log_fd = -1, pidfd = -1;
	bool userns = geteuid() != 0;
	struct child_report child_report;
	struct child_args args;
	struct clone_args cl;
	struct timespec started;
	long pid;
	int rc;

	if (parse_start(msg, &req) < 0) {
		if (req.id)
			report_start_failure(h, req.id, "failed to start container process: malformed request");
		goto out;
	}
	if (!req.argv.len) {
		report_start_failure(h, req.id,
				     "failed to start container process: no command: the local "
				     "cluster runs no images, so a container needs a command");
		goto out;
	}
	log_fd = open_log(req.log_path, &err);
	if (log_fd < 0)
		goto setup_failed;
	if (req.termination_path && req.termination_file) {
		if (create_termination_file(req.termination_file, &err) < 0)
			goto setup_failed;
		req.volumes[req.n_volumes++] = (struct mount_plan_volume){
			.host_path = req.termination_file,
			.container_path = req.termination_path,
		};
	}
	if (mount_plan_build(&plan, "/", h->root_mount_point, req.volumes, req.n_volumes,
			     req.working_dir, &err) < 0)
		goto setup_failed;
	exec_candidates(req.argv.items[0], req.env.items, &candidates);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    pipe2(report, O_CLOEXEC) < 0 || (userns && pipe2(sync, O_CLOEXEC) < 0)) {
		error_set_code(&err, errno, "cannot create pipes: %s", strerror(errno));
		goto setup_failed;
	}

	args = (struct child_args){
		.plan = &plan,
		.hostname = req.hostname,
		.candidates = strv_array(&candidates),
		.argv = strv_array(&req.argv),
		.envp = strv_array(&req.env),
		.stdin_fd = null_fd,
		.stdout_fd = out[1],
		.stderr_fd = errp[1],
		.report_fd = report[1],
		.sync_fd = sync[0],
		.uid = req.uid,
		.gid = req.gid,
	};
	cl = (struct clone_args){
		.flags = CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID |
			 (userns ? CLONE_NEWUSER : 0),
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	clock_gettime(CLOCK_REALTIME, &started);
	pid = syscall(SYS_clone3, &cl, sizeof(cl));
	if (pid == 0)
		child_main(&args);
	if (pid < 0) {
		error_set_code(&err, errno, "cannot create the container's namespaces: %s",
			       strerror(errno));
		goto setup_failed;
	}
	close(out[1]);
	close(errp[1]);
	close(report[1]);
	out[1] = errp[1] = report[1] = -1;
	if (userns) {
		close(sync[0]);
		sync[0] = -1;
		if (write_id_maps((pid_t)pid) < 0 || write(sync[1], "x", 1) != 1) {
			siginfo_t si;

			error_set_code(&err, errno, "cannot map the container's user: %s",
				       strerror(errno));
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 &&
			       errno == EINTR)
				;
			goto setup_failed;
		}
		close(sync[1]);
		sync[1] = -1;
	}
	rc = await_child_report(report[0], &child_report, 30000);
	if (rc != 0) {
		char message[2048];
		siginfo_t si;

		if (rc < 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			snprintf(message, sizeof(message),
				 "failed to start container process: %s",
				 err.msg[0] ? err.msg : "setting up the container timed out");
		} else {
			describe_child_failure(&child_report, &plan, req.argv.items[0],
					       strv_array(&candidates), message, sizeof(message));
		}
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
		report_start_failure(h, req.id, "%s", message);
		goto out;
	}

	c = xcalloc(1, sizeof(*c));
	c->id = req.id;
	c->name = xstrdup(req.name ? req.name : "");
	c->pid = (pid_t)pid;
	c->pidfd = TAKE_FD(pidfd);
	c->out_fd = TAKE_FD(out[0]);
	c->err_fd = TAKE_FD(errp[0]);
	c->log_fd = TAKE_FD(log_fd);
	c->log_path = xstrdup(req.log_path);
	c->termination_file = req.termination_path && req.termination_file
				      ? xstrdup(req.termination_file) : NULL;
	c->fallback_to_logs = req.fallback_to_logs;
	c->started_at = started;
	crilog_stream_init(&c->out, "stdout");
	crilog_stream_init(&c->err, "stderr");
	c->w_pidfd = (struct watch){ WATCH_PIDFD, c };
	c->w_out = (struct watch){ WATCH_STDOUT, c };
	c->w_err = (struct watch){ WATCH_STDERR, c };
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(c->err_fd, F_SETFL, O_NONBLOCK);
	watch_add(h, c->pidfd, &c->w_pidfd);
	watch_add(h, c->out_fd, &c->w_out);
	watch_add(h, c->err_fd, &c->w_err);
	c->next = h->containers;
	h->containers = c;
	report_started(h, c);
	goto out;

setup_failed:
	report_start_failure(h, req.id, "failed to start container process: %s", err.msg);
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (report[i] >= 0)
			close(report[i]);
		if (sync[i] >= 0)
			close(sync[i]);
	}
	if (null_fd >= 0)
		close(null_fd);
	if (log_fd >= 0)
		close(log_fd);
	if (pidfd >= 0)
		close(pidfd);
	strv_release(&candidates);
	mount_plan_release(&plan);
	start_request_release(&req);
}

/* ---- running containers ---- */

static struct container *find_container(struct helper *h, uint64_t id)
{
	for (struct container *c = h->containers; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void send_signal(struct container *c, int sig)
{
	if (c->exited)
		return;
	if (sig == SIGKILL) {
		/* PID 1 dying takes the whole namespace with it. */
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
		c->kill_at_ms = 0;
	} else {
		/* Not yet reaped, so the process group id cannot have been reused. */
		kill(-c->pid, sig);
	}
}

static void stop_container(struct container *c, int64_t grace_ms)
{
	int64_t deadline;

	if (c->exited)
		return;
	if (grace_ms <= 0) {
		send_signal(c, SIGKILL);
		return;
	}
	if (!c->term_sent) {
		send_signal(c, SIGTERM);
		c->term_sent = true;
	}
	deadline = time_mono_ms() + grace_ms;
	if (!c->kill_at_ms || deadline < c->kill_at_ms)
		c->kill_at_ms = deadline;
}

static void pump_output(struct helper *h, struct container *c, bool is_stderr)
{
	int *fd = is_stderr ? &c->err_fd : &c->out_fd;
	struct crilog_stream *stream = is_stderr ? &c->err : &c->out;
	char chunk[READ_CHUNK];
	struct buf records = BUF_INIT((size_t)4 * READ_CHUNK);

	for (int rounds = 0; *fd >= 0 && rounds < 16; rounds++) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));
		struct timespec now;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			close_watched(h, fd);
			break;
		}
		clock_gettime(CLOCK_REALTIME, &now);
		buf_reset(&records);
		crilog_stream_feed(stream, chunk, (size_t)n, &now, &records);
		/* A full disk loses log lines, never the container. */
		(void)fd_write_all(c->log_fd, records.data, records.len);
	}
	buf_release(&records);
}

static void reap(struct helper *h, struct container *c)
{
	siginfo_t si = { 0 };

	if (waitid((idtype_t)P_PIDFD, (id_t)c->pidfd, &si, WEXITED | WNOHANG) < 0 || !si.si_pid)
		return;
	clock_gettime(CLOCK_REALTIME, &c->finished_at);
	c->exited = true;
	if (si.si_code == CLD_EXITED) {
		c->exit_code = si.si_status;
	} else {
		c->signal = si.si_status;
		c->exit_code = 128 + si.si_status;
	}
	close_watched(h, &c->pidfd);
	c->kill_at_ms = 0;
	c->drain_at_ms = time_mono_ms() + DRAIN_TIMEOUT_MS;
}

/* The last RUNNER_TERMINATION_MESSAGE_MAX bytes of the file, as the
 * kubelet's tail.ReadAtMost; 1 if missing, -1 with err on other errors. */
static int read_termination_file(const char *path, struct buf *out, struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 || fstat(fd, &st) < 0)
		return error_set_code(err, errno, "%s", strerror(errno));
	if (st.st_size > RUNNER_TERMINATION_MESSAGE_MAX &&
	    lseek(fd, st.st_size - RUNNER_TERMINATION_MESSAGE_MAX, SEEK_SET) < 0)
		return error_set_code(err, errno, "%s", strerror(errno));
	/* The container may still be writing (a leftover process): the buf's
	 * limit keeps the read to the cap either way. */
	if (fd_read_all(fd, out, err) < 0 && err->code != EFBIG)
		return -1;
	return 0;
}

static void finish_container(struct helper *h, struct container *c)
{
	struct buf records = BUF_INIT(2 * CRILOG_MAX_RECORD);
	struct buf message = BUF_INIT(RUNNER_TERMINATION_MESSAGE_MAX);
	struct buf fallback = BUF_INIT(RUNNER_FALLBACK_LOG_BYTES + 256);
	struct error err = ERROR_INIT;
	bool fallback_to_logs = c->fallback_to_logs && c->exit_code != 0;
	bool check_logs = fallback_to_logs;

	crilog_stream_finish(&c->out, &records);
	crilog_stream_finish(&c->err, &records);
	(void)fd_write_all(c->log_fd, records.data, records.len);
	close(c->log_fd);
	c->log_fd = -1;

	if (c->termination_file) {
		int rc = read_termination_file(c->termination_file, &message, &err);

		if (rc < 0) {
			buf_reset(&message);
			buf_printf(&message, "Error on reading termination log %s: %s",
				   c->termination_file, err.msg);
			check_logs = false;
		} else if (rc == 0) {
			check_logs = fallback_to_logs && message.len == 0;
		}
	}
	if (check_logs) {
		buf_reset(&message);
		if (crilog_read_tail(c->log_path, RUNNER_FALLBACK_LOG_LINES,
				     RUNNER_FALLBACK_LOG_BYTES, &fallback, &err) < 0)
			buf_printf(&message, "Error on reading termination message from logs: %s",
				   err.msg);
		else
			buf_append(&message, fallback.data, fallback.len);
	}
	report_exited(h, c->id, "exited", c->exit_code, c->signal, &c->started_at,
		      &c->finished_at, message.data);
	buf_release(&records);
	buf_release(&message);
	buf_release(&fallback);
}

static void free_container(struct helper *h, struct container *c)
{
	struct container **p = &h->containers;

	while (*p != c)
		p = &(*p)->next;
	*p = c->next;
	close_watched(h, &c->pidfd);
	close_watched(h, &c->out_fd);
	close_watched(h, &c->err_fd);
	if (c->log_fd >= 0)
		close(c->log_fd);
	crilog_stream_release(&c->out);
	crilog_stream_release(&c->err);
	free(c->name);
	free(c->log_path);
	free(c->termination_file);
	free(c);
}

static void handle_request(struct helper *h, const cJSON *msg)
{
	const char *op = json_get_string(msg, "op");
	int64_t id = 0, grace = 0;

	json_get_int64(msg, "id", &id);
	json_get_int64(msg, "graceMs", &grace);
	if (str_eq(op, "start")) {
		if (h->shutting_down)
			report_start_failure(h, (uint64_t)id,
					     "failed to start container process: the node is shutting down");
		else
			start_container(h, msg);
	} else if (str_eq(op, "stop")) {
		struct container *c = find_container(h, (uint64_t)id);

		if (c)
			stop_container(c, grace);
	} else if (str_eq(op, "shutdown")) {
		h->shutting_down = true;
		for (struct container *c = h->containers; c; c = c->next)
			stop_container(c, grace);
	}
}

static void read_requests(struct helper *h)
{
	char chunk[READ_CHUNK];

	for (;;) {
		ssize_t n = recv(h->sock, chunk, sizeof(chunk), MSG_DONTWAIT);
		struct error err = ERROR_INIT;
		cJSON *msg = NULL;
		int got;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || buf_append(&h->inbox, chunk, (size_t)n) < 0) {
			h->server_gone = true;
			break;
		}
		while ((got = runner_frame_take(&h->inbox, &msg, &err)) == 1) {
			handle_request(h, msg);
			cJSON_Delete(msg);
		}
		if (got < 0) {
			h->server_gone = true;
			break;
		}
	}
	/* Without a server nobody can stop the containers later: stop them now. */
	h->shutting_down = true;
	epoll_ctl(h->epoll, EPOLL_CTL_DEL, h->sock, NULL);
	for (struct container *c = h->containers; c; c = c->next)
		stop_container(c, 0);
}

static int next_timeout(struct helper *h)
{
	int64_t now = time_mono_ms(), soonest = -1;

	for (struct container *c = h->containers; c; c = c->next) {
		int64_t at = c->kill_at_ms ? c->kill_at_ms : (c->exited ? c->drain_at_ms : 0);

		if (at && (soonest < 0 || at < soonest))
			soonest = at;
	}
	if (soonest < 0)
		return -1;
	return soonest <= now ? 0 : (int)(soonest - now > 60000 ? 60000 : soonest - now);
}

static void handle_deadlines_and_exits(struct helper *h)
{
	int64_t now = time_mono_ms();

	for (struct container *c = h->containers, *next; c; c = next) {
		next = c->next;
		if (c->kill_at_ms && now >= c->kill_at_ms)
			send_signal(c, SIGKILL);
		if (!c->exited)
			continue;
		if (now >= c->drain_at_ms) {
			/* Something outside the namespace holds the pipes: stop reading. */
			close_watched(h, &c->out_fd);
			close_watched(h, &c->err_fd);
		}
		if (c->out_fd < 0 && c->err_fd < 0) {
			finish_container(h, c);
			free_container(h, c);
		}
	}
}

int runner_helper_main(int sock, const char *run_dir)
{
	struct helper h = {
		.sock = sock,
		.run_dir = xstrdup(run_dir),
		.root_mount_point = path_join(run_dir, "rootfs"),
		.w_sock = { WATCH_SOCKET, NULL },
		.inbox = BUF_INIT(RUNNER_FRAME_MAX + 4),
		.outbox = BUF_INIT(OUTBOX_MAX),
	};
	struct error err = ERROR_INIT;
	int status = 0;

	/* A process that changed its user is not dumpable, and its /proc files
	 * (a container's uid_map among them) belong to root: without root, the
	 * helper must be able to write its children's maps. */
	if (geteuid() != 0)
		prctl(PR_SET_DUMPABLE, 1);
	h.epoll = epoll_create1(EPOLL_CLOEXEC);
	if (h.epoll < 0 || mkdir_parents(h.root_mount_point, 0755, &err) < 0) {
		status = 1;
		goto out;
	}
	watch_add(&h, h.sock, &h.w_sock);
	while (!(h.shutting_down && !h.containers)) {
		struct epoll_event events[64];
		int n = epoll_wait(h.epoll, events, 64, next_timeout(&h));

		if (n < 0 && errno != EINTR) {
			status = 1;
			break;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = events[i].data.ptr;

			switch (w->kind) {
			case WATCH_SOCKET:
				if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					read_requests(&h);
				break;
			case WATCH_PIDFD:
				reap(&h, w->container);
				break;
			case WATCH_STDOUT:
			case WATCH_STDERR:
				pump_output(&h, w->container, w->kind == WATCH_STDERR);
				break;
			}
		}
		handle_deadlines_and_exits(&h);
		flush_outbox(&h, false);
	}
	flush_outbox(&h, true);
out:
	while (h.containers)
		free_container(&h, h.containers);
	if (h.epoll >= 0)
		close(h.epoll);
	buf_release(&h.inbox);
	buf_release(&h.outbox);
	free(h.run_dir);
	free(h.root_mount_point);
	return status;
}
