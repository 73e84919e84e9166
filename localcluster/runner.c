/* runner.c — the API server's side of the process runner: starts the
 * helper process, sends it requests and turns its reports into events
 * (see runner.h; the helper itself is runner_helper.c). */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "runner_proto.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* How long runner_free() waits past the grace period before it kills a
 * helper that does not finish shutting down. */
#define HELPER_SHUTDOWN_SLACK_MS 10000

struct runner {
	pid_t helper;
	int sock;
	pthread_t reader;
	struct runner_events events;

	pthread_mutex_t lock; /* guards everything below, and writes to sock */
	bool alive;
	bool reader_done;
	pthread_cond_t reader_done_cond;
	uint64_t next_id;
	uint64_t *live; /* ids started and not yet reported as exited */
	size_t n_live;
	size_t cap_live;
};

int runner_frame_append(struct buf *out, const cJSON *msg)
{
	_cleanup_free_ char *text = json_print_compact(msg);
	size_t len = strlen(text);
	unsigned char header[4];

	if (len > RUNNER_FRAME_MAX)
		return -1;
	for (int i = 0; i < 4; i++)
		header[i] = (unsigned char)(len >> (8 * i));
	if (buf_grow(out, sizeof(header) + len) < 0)
		return -1;
	buf_append(out, header, sizeof(header));
	buf_append(out, text, len);
	return 0;
}

int runner_frame_take(struct buf *in, cJSON **ret, struct error *err)
{
	const unsigned char *p = (const unsigned char *)in->data;
	size_t len = 0;
	cJSON *msg;

	if (in->len < 4)
		return 0;
	for (int i = 0; i < 4; i++)
		len |= (size_t)p[i] << (8 * i);
	if (len > RUNNER_FRAME_MAX)
		return error_set(err, "runner frame of %zu bytes is over the limit", len);
	if (in->len < 4 + len)
		return 0;
	msg = json_parse_bounded(in->data + 4, len, RUNNER_FRAME_MAX, err);
	buf_consume(in, 4 + len);
	if (!msg)
		return error_prefix(err, "runner frame");
	*ret = msg;
	return 1;
}

static void live_add(struct runner *r, uint64_t id)
{
	if (r->n_live == r->cap_live) {
		r->cap_live = r->cap_live ? r->cap_live * 2 : 16;
		r->live = xreallocarray(r->live, r->cap_live, sizeof(*r->live));
	}
	r->live[r->n_live++] = id;
}

static bool live_remove(struct runner *r, uint64_t id)
{
	for (size_t i = 0; i < r->n_live; i++) {
		if (r->live[i] == id) {
			r->live[i] = r->live[--r->n_live];
			return true;
		}
	}
	return false;
}

/* Sends one message; the caller holds r->lock. */
static int send_locked(struct runner *r, const cJSON *msg, struct error *err)
{
	struct buf frame = BUF_INIT(RUNNER_FRAME_MAX + 4);
	size_t off = 0;
	int ret = 0;

	if (!r->alive)
		return error_set(err, "the process runner is not running");
	if (runner_frame_append(&frame, msg) < 0) {
		buf_release(&frame);
		return error_set(err, "runner request is larger than %zu bytes", RUNNER_FRAME_MAX);
	}
	while (off < frame.len) {
		ssize_t n = send(r->sock, frame.data + off, frame.len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_set_code(err, errno, "cannot reach the process runner: %s",
					     strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	buf_release(&frame);
	return ret;
}

static struct timespec json_timespec(const cJSON *msg, const char *sec_key, const char *nsec_key)
{
	int64_t sec = 0, nsec = 0;

	json_get_int64(msg, sec_key, &sec);
	json_get_int64(msg, nsec_key, &nsec);
	return (struct timespec){ .tv_sec = (time_t)sec, .tv_nsec = (long)nsec };
}

static void dispatch(struct runner *r, const cJSON *msg)
{
	const char *ev = json_get_string(msg, "ev");
	int64_t id = 0, pid = 0, code = 0, sig = 0;

	json_get_int64(msg, "id", &id);
	if (str_eq(ev, "started")) {
		struct timespec at = json_timespec(msg, "sec", "nsec");

		json_get_int64(msg, "pid", &pid);
		if (r->events.started)
			r->events.started(r->events.opaque, (uint64_t)id, (pid_t)pid, &at);
	} else if (str_eq(ev, "exited")) {
		const char *outcome = json_get_string(msg, "outcome");
		const char *message = json_get_string(msg, "message");
		struct runner_exit exit = {
			.id = (uint64_t)id,
			.outcome = str_eq(outcome, "startFailed") ? RUNNER_START_FAILED
								   : RUNNER_EXITED,
			.started_at = json_timespec(msg, "startedSec", "startedNsec"),
			.finished_at = json_timespec(msg, "finishedSec", "finishedNsec"),
			.message = message ? message : "",
		};
		bool known;

		json_get_int64(msg, "exitCode", &code);
		json_get_int64(msg, "signal", &sig);
		exit.exit_code = (int)code;
		exit.signal = (int)sig;
		pthread_mutex_lock(&r->lock);
		known = live_remove(r, (uint64_t)id);
		pthread_mutex_unlock(&r->lock);
		if (known && r->events.exited)
			r->events.exited(r->events.opaque, &exit);
	} else {
		log_warn("process runner: unknown report '%s'", ev ? ev : "");
	}
}

/* Reports every container still running as lost: the helper is gone. */
static void report_lost(struct runner *r)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	for (;;) {
		struct runner_exit exit = {
			.outcome = RUNNER_LOST,
			.exit_code = 137,
			.finished_at = now,
			.message = "",
		};

		pthread_mutex_lock(&r->lock);
		if (!r->n_live) {
			pthread_mutex_unlock(&r->lock);
			return;
		}
		exit.id = r->live[--r->n_live];
		pthread_mutex_unlock(&r->lock);
		if (r->events.exited)
			r->events.exited(r->events.opaque, &exit);
	}
}

static void *reader_main(void *arg)
{
	struct runner *r = arg;
	struct buf in = BUF_INIT(RUNNER_FRAME_MAX + 4);
	struct error err = ERROR_INIT;
	char chunk[65536];
	int status;

	for (;;) {
		ssize_t n = recv(r->sock, chunk, sizeof(chunk), 0);
		cJSON *msg = NULL;
		int got;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_append(&in, chunk, (size_t)n) < 0) {
			log_warn("process runner: report larger than %zu bytes", RUNNER_FRAME_MAX);
			break;
		}
		while ((got = runner_frame_take(&in, &msg, &err)) == 1) {
			dispatch(r, msg);
			cJSON_Delete(msg);
		}
		if (got < 0) {
			log_warn("process runner: %s", err.msg);
			break;
		}
	}
	buf_release(&in);
	pthread_mutex_lock(&r->lock);
	r->alive = false;
	pthread_mutex_unlock(&r->lock);
	/* Make sure the helper is gone (its containers die with it through
	 * PR_SET_PDEATHSIG) before saying they are lost. */
	kill(r->helper, SIGKILL);
	while (waitpid(r->helper, &status, 0) < 0 && errno == EINTR)
		;
	report_lost(r);
	pthread_mutex_lock(&r->lock);
	r->reader_done = true;
	pthread_cond_broadcast(&r->reader_done_cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void __attribute__((noreturn)) helper_child(int sock, pid_t server, const char *run_dir)
{
	sigset_t none;
	int fd = sock;

	/* Die with the thread that started us, and never be left running. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != server)
		_exit(1);
	/* The server's signal handlers and mask mean nothing here; the server
	 * decides when the helper stops. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Keep only stdio and the socket, which moves to descriptor 3. */
	if (fd != 3) {
		fd = dup3(sock, 3, O_CLOEXEC);
		if (fd < 0)
			_exit(1);
	}
	close_range(4, ~0U, 0);
	/* _exit: the server's atexit handlers and stdio buffers are not ours. */
	_exit(runner_helper_main(fd, run_dir));
}

int runner_new(const char *run_dir, const struct runner_events *events, struct runner **ret,
	       struct error *err)
{
	struct runner *r;
	int sv[2];
	pid_t server = getpid();
	int rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return error_set_code(err, errno, "cannot create the runner's socket: %s",
				      strerror(errno));
	fflush(NULL); /* nothing buffered may be written twice */
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		return error_set_code(err, e, "cannot start the process runner: %s", strerror(e));
	}
	if (pid == 0) {
		close(sv[0]);
		helper_child(sv[1], server, run_dir);
	}
	close(sv[1]);
	r = xcalloc(1, sizeof(*r));
	r->helper = pid;
	r->sock = sv[0];
	r->events = *events;
	r->alive = true;
	r->next_id = 1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->reader_done_cond, NULL);
	rc = pthread_create(&r->reader, NULL, reader_main, r);
	if (rc) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(r->sock);
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->reader_done_cond);
		free(r);
		return error_set_code(err, rc, "cannot start the runner's thread: %s", strerror(rc));
	}
	*ret = r;
	return 0;
}

bool runner_alive(struct runner *r)
{
	bool alive;

	pthread_mutex_lock(&r->lock);
	alive = r->alive;
	pthread_mutex_unlock(&r->lock);
	return alive;
}

static cJSON *spec_to_json(const struct runner_spec *spec, uint64_t id)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON *argv = cJSON_AddArrayToObject(msg, "argv");
	cJSON *env = cJSON_AddArrayToObject(msg, "env");
	cJSON *mounts = cJSON_AddArrayToObject(msg, "mounts");

	cJSON_AddStringToObject(msg, "op", "start");
	cJSON_AddNumberToObject(msg, "id", (double)id);
	cJSON_AddStringToObject(msg, "name", spec->name ? spec->name : "");
	for (size_t i = 0; spec->argv && spec->argv[i]; i++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(spec->argv[i]));
	for (size_t i = 0; spec->envp && spec->envp[i]; i++)
		cJSON_AddItemToArray(env, cJSON_CreateString(spec->envp[i]));
	for (size_t i = 0; i < spec->n_mounts; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "host", spec->mounts[i].host_path);
		cJSON_AddStringToObject(m, "container", spec->mounts[i].container_path);
		cJSON_AddBoolToObject(m, "readOnly", spec->mounts[i].read_only);
		cJSON_AddItemToArray(mounts, m);
	}
	if (spec->working_dir)
		cJSON_AddStringToObject(msg, "workingDir", spec->working_dir);
	if (spec->hostname)
		cJSON_AddStringToObject(msg, "hostname", spec->hostname);
	cJSON_AddStringToObject(msg, "logPath", spec->log_path);
	if (spec->termination_message_path && spec->termination_message_file) {
		cJSON_AddStringToObject(msg, "terminationMessagePath",
					spec->termination_message_path);
		cJSON_AddStringToObject(msg, "terminationMessageFile",
					spec->termination_message_file);
	}
	cJSON_AddBoolToObject(msg, "fallbackToLogsOnError", spec->fallback_to_logs_on_error);
	cJSON_AddNumberToObject(msg, "runAsUser", (double)spec->run_as_user);
	cJSON_AddNumberToObject(msg, "runAsGroup", (double)spec->run_as_group);
	return msg;
}

int runner_start(struct runner *r, const struct runner_spec *spec, uint64_t *ret_id,
		 struct error *err)
{
	_cleanup_json_ cJSON *msg = NULL;
	uint64_t id;
	int ret;

	if (!spec->log_path)
		return error_set(err, "container '%s': no log path", spec->name ? spec->name : "");
	pthread_mutex_lock(&r->lock);
	id = r->next_id++;
	msg = spec_to_json(spec, id);
	ret = send_locked(r, msg, err);
	if (ret == 0)
		live_add(r, id);
	pthread_mutex_unlock(&r->lock);
	if (ret < 0)
		return -1;
	*ret_id = id;
	return 0;
}

int runner_stop(struct runner *r, uint64_t id, int64_t grace_ms, struct error *err)
{
	_cleanup_json_ cJSON *msg = cJSON_CreateObject();
	int ret;

	cJSON_AddStringToObject(msg, "op", "stop");
	cJSON_AddNumberToObject(msg, "id", (double)id);
	cJSON_AddNumberToObject(msg, "graceMs", (double)(grace_ms > 0 ? grace_ms : 0));
	pthread_mutex_lock(&r->lock);
	ret = send_locked(r, msg, err);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void runner_free(struct runner *r, int64_t grace_ms)
{
	_cleanup_json_ cJSON *msg = cJSON_CreateObject();
	struct timespec deadline;
	int64_t wait_ms = (grace_ms > 0 ? grace_ms : 0) + HELPER_SHUTDOWN_SLACK_MS;

	if (!r)
		return;
	cJSON_AddStringToObject(msg, "op", "shutdown");
	cJSON_AddNumberToObject(msg, "graceMs", (double)(grace_ms > 0 ? grace_ms : 0));
	time_after_ms(CLOCK_REALTIME, wait_ms, &deadline);
	pthread_mutex_lock(&r->lock);
	if (send_locked(r, msg, NULL) < 0)
		kill(r->helper, SIGKILL);
	while (!r->reader_done) {
		if (pthread_cond_timedwait(&r->reader_done_cond, &r->lock, &deadline) == ETIMEDOUT) {
			/* The helper did not finish: end it; its containers die with it. */
			kill(r->helper, SIGKILL);
			deadline.tv_sec += 3600;
		}
	}
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->reader, NULL);
	close(r->sock);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->reader_done_cond);
	free(r->live);
	free(r);
}
