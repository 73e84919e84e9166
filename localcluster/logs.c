/* logs.c — GET /api/v1/namespaces/<ns>/pods/<pod>/log: a container's
 * output from the files the kubelet writes (podlog.h), with container,
 * previous, tailLines, sinceSeconds, sinceTime, limitBytes, timestamps
 * and follow. A followed log learns of new bytes through inotify and of
 * its end through a store watch on the pod (the container terminated or
 * restarted, or the pod is gone); the connection's own thread blocks in
 * poll() for both, never holding the store lock. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "cleanup.h"
#include "faults.h"
#include "jsonutil.h"
#include "podlog.h"
#include "store.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define LOG_CHUNK 65536
/* A record longer than this is damage: skipped. */
#define LOG_RECORD_MAX (PODLOG_MAX_LINE + 256)

struct log_stream {
	struct cluster *cluster;
	int fd;         /* the log file */
	int inotify_fd; /* follow: IN_MODIFY on the file */
	struct store_watch *pod_watch; /* follow: the pod's changes */
	int client_fd;
	char *pod_uid;
	char *container;
	int restart;
	bool follow;
	bool finished; /* follow: the writer is done; drain and end */
	bool timestamps;
	struct timespec since; /* records before are skipped (0: none) */
	int64_t skip_lines;    /* tailLines: complete lines to skip first */
	int64_t limit_bytes;   /* -1: none */
	int64_t written;
	bool at_line_start;
	struct buf pending; /* bytes read but not yet a whole record */
	struct buf out;
	size_t sent;
};

/* ---- parameters ---- */

static const cJSON *find_status(const cJSON *pod, const char *container)
{
	static const char *const lists[] = { "status.containerStatuses",
					     "status.initContainerStatuses" };

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		const cJSON *s;

		cJSON_ArrayForEach(s, json_get(pod, lists[l]))
		{
			if (str_eq(json_get_child_string(s, "name"), container))
				return s;
		}
	}
	return NULL;
}

static bool container_in_spec(const cJSON *pod, const char *name)
{
	static const char *const lists[] = { "spec.containers", "spec.initContainers" };

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		const cJSON *c;

		cJSON_ArrayForEach(c, json_get(pod, lists[l]))
		{
			if (str_eq(json_get_child_string(c, "name"), name))
				return true;
		}
	}
	return false;
}

/* The container the request means, with the real server's messages. */
static const char *choose_container(const cJSON *pod, const char *asked, const char *pod_name,
				    struct api_error *err)
{
	const cJSON *containers = json_get(pod, "spec.containers");

	if (asked && *asked) {
		if (!container_in_spec(pod, asked)) {
			api_error_set(err, 400, "BadRequest", "container %s is not valid for pod %s",
				      asked, pod_name);
			return NULL;
		}
		return asked;
	}
	if (cJSON_GetArraySize(containers) == 1)
		return json_get_string(cJSON_GetArrayItem(containers, 0), "name");
	{
		struct buf names = BUF_INIT(4096);
		const cJSON *c;

		cJSON_ArrayForEach(c, containers)
			buf_printf(&names, "%s%s", names.len ? " " : "",
				   json_get_child_string(c, "name") ?: "");
		api_error_set(err, 400, "BadRequest",
			      "a container name must be specified for pod %s, choose one of: [%s]",
			      pod_name, names.data);
		buf_release(&names);
	}
	return NULL;
}

static bool container_done(const cJSON *status, int restart)
{
	int64_t count = 0;

	json_get_int64(status, "restartCount", &count);
	return count > restart || json_get(status, "state.terminated") != NULL;
}

static int parse_int_param(struct http_request *req, const char *name, int64_t min,
			   int64_t *ret, struct api_error *err)
{
	const char *v = http_query(req, name);

	if (!v || !*v)
		return 0;
	if (str_to_int64(v, ret) < 0 || *ret < min)
		return api_error_set(err, 400, "BadRequest", "%s: Invalid value: \"%s\": must be "
							     "greater than or equal to %lld",
				     name, v, (long long)min);
	return 1;
}

/* ---- reading records ---- */

static bool before_since(const struct log_stream *ls, const struct podlog_record *r)
{
	if (!ls->since.tv_sec && !ls->since.tv_nsec)
		return false;
	return r->time.tv_sec < ls->since.tv_sec ||
	       (r->time.tv_sec == ls->since.tv_sec && r->time.tv_nsec < ls->since.tv_nsec);
}

/* Formats one record into out (honouring since, tail, limit). */
static void emit_record(struct log_stream *ls, const struct podlog_record *r)
{
	size_t before = ls->out.len;

	if (before_since(ls, r))
		return;
	if (ls->skip_lines > 0) {
		if (!r->partial)
			ls->skip_lines--;
		return;
	}
	if (ls->timestamps && ls->at_line_start) {
		buf_append(&ls->out, r->timestamp, r->timestamp_len);
		buf_putc(&ls->out, ' ');
	}
	buf_append(&ls->out, r->content, r->content_len);
	if (!r->partial)
		buf_putc(&ls->out, '\n');
	ls->at_line_start = !r->partial;
	if (ls->limit_bytes >= 0) {
		int64_t room = ls->limit_bytes - ls->written;
		size_t added = ls->out.len - before;

		if ((int64_t)added > room)
			buf_truncate(&ls->out, before + (size_t)(room > 0 ? room : 0));
		ls->written += (int64_t)(ls->out.len - before);
	}
}

/* Consumes whole records from pending. */
static void drain_pending(struct log_stream *ls)
{
	size_t start = 0;

	for (;;) {
		char *nl = memchr(ls->pending.data + start, '\n', ls->pending.len - start);
		struct podlog_record r;

		if (!nl)
			break;
		if (podlog_parse_line(ls->pending.data + start,
				      (size_t)(nl - (ls->pending.data + start)), &r) == 0)
			emit_record(ls, &r);
		start = (size_t)(nl - ls->pending.data) + 1;
	}
	buf_consume(&ls->pending, start);
	if (ls->pending.len > LOG_RECORD_MAX)
		buf_reset(&ls->pending); /* no newline in sight: damage, skip it */
}

/* Reads what the file has now; returns bytes read, 0 at its end, -1 on error. */
static ssize_t read_more(struct log_stream *ls)
{
	char chunk[LOG_CHUNK];
	ssize_t n;

	do
		n = read(ls->fd, chunk, sizeof(chunk));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		if (buf_append(&ls->pending, chunk, (size_t)n) < 0) {
			buf_reset(&ls->pending);
			buf_append(&ls->pending, chunk, (size_t)n);
		}
		drain_pending(ls);
	}
	return n;
}

static bool limit_reached(const struct log_stream *ls)
{
	return ls->limit_bytes >= 0 && ls->written >= ls->limit_bytes;
}

/* Follow: true once the container is done writing this file. */
static bool check_writer_done(struct log_stream *ls)
{
	struct store_event ev;
	int rc;

	while ((rc = store_watch_next(ls->pod_watch, 0, &ev)) == 1) {
		if (ev.type == STORE_EVENT_DELETED || strcmp(ev.object->uid, ls->pod_uid) != 0) {
			ls->finished = true;
		} else {
			_cleanup_json_ cJSON *pod = store_obj_parse(ev.object);

			if (container_done(find_status(pod, ls->container), ls->restart))
				ls->finished = true;
		}
		store_event_release(&ev);
	}
	if (rc < 0)
		ls->finished = true;
	return ls->finished;
}

static ssize_t log_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct log_stream *ls = cls;

	for (;;) {
		struct pollfd pfds[4];
		ssize_t n;

		if (ls->sent < ls->out.len)
			return (ssize_t)http_stream_drain(&ls->out, &ls->sent, buf, max);
		if (limit_reached(ls))
			return MHD_CONTENT_READER_END_OF_STREAM;
		n = read_more(ls);
		if (n < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (n > 0)
			continue;
		/* At the end of the file for now. */
		if (!ls->follow || ls->finished) {
			/* A last line cut without a newline is sent as it is. */
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (check_writer_done(ls))
			continue; /* one more read: the writer flushed before it said so */
		if (!faults_wait_unpaused(ls->cluster->faults))
			return MHD_CONTENT_READER_END_OF_STREAM;
		pfds[0] = (struct pollfd){ .fd = ls->inotify_fd, .events = POLLIN };
		pfds[1] = (struct pollfd){ .fd = store_watch_fd(ls->pod_watch), .events = POLLIN };
		pfds[2] = (struct pollfd){ .fd = ls->client_fd, .events = POLLRDHUP };
		pfds[3] = (struct pollfd){ .fd = ls->cluster->shutdown_fd, .events = POLLIN };
		if (poll(pfds, 4, -1) > 0) {
			if (pfds[0].revents & POLLIN) {
				char events[4096];

				while (read(ls->inotify_fd, events, sizeof(events)) > 0)
					;
			}
			if (pfds[2].revents & (POLLRDHUP | POLLHUP | POLLERR))
				return MHD_CONTENT_READER_END_WITH_ERROR;
			if (pfds[3].revents & POLLIN)
				return MHD_CONTENT_READER_END_OF_STREAM;
		}
	}
}

static void log_free(void *cls)
{
	struct log_stream *ls = cls;

	if (ls->fd >= 0)
		close(ls->fd);
	if (ls->inotify_fd >= 0)
		close(ls->inotify_fd);
	store_watch_close(ls->pod_watch);
	buf_release(&ls->pending);
	buf_release(&ls->out);
	free(ls->pod_uid);
	free(ls->container);
	free(ls);
}

/* Counts the lines of output in the file (F records), for tailLines. */
static int64_t count_lines(int fd)
{
	char chunk[LOG_CHUNK];
	struct buf line = BUF_INIT(LOG_RECORD_MAX);
	int64_t lines = 0;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			struct podlog_record r;

			if (chunk[i] != '\n') {
				if (buf_putc(&line, chunk[i]) < 0)
					buf_reset(&line); /* damage: skipped as the reader does */
				continue;
			}
			if (podlog_parse_line(line.data, line.len, &r) == 0 && !r.partial)
				lines++;
			buf_reset(&line);
		}
	}
	buf_release(&line);
	lseek(fd, 0, SEEK_SET);
	return lines;
}

enum MHD_Result api_pod_log(struct http_request *req, const struct api_route *route)
{
	struct cluster *cluster = req->cluster;
	struct api_error err = API_ERROR_INIT;
	struct store_obj *obj = NULL;
	_cleanup_json_ cJSON *pod = NULL;
	_cleanup_free_ char *path = NULL;
	struct log_stream *ls;
	const char *container;
	const cJSON *status;
	int64_t restart = 0, tail = -1, since_seconds = 0, limit = -1;
	bool previous = api_query_true(req, "previous");
	const char *since_time = http_query(req, "sinceTime");

	if (store_get(cluster->store, RESOURCE_POD, route->ns, route->name, &obj, &err) < 0)
		return http_respond_error(req, &err);
	pod = store_obj_parse(obj);
	container = choose_container(pod, http_query(req, "container"), route->name, &err);
	if (!container || parse_int_param(req, "tailLines", 0, &tail, &err) < 0 ||
	    parse_int_param(req, "sinceSeconds", 1, &since_seconds, &err) < 0 ||
	    parse_int_param(req, "limitBytes", 1, &limit, &err) < 0) {
		store_obj_unref(obj);
		return http_respond_error(req, &err);
	}
	status = find_status(pod, container);
	json_get_int64(status, "restartCount", &restart);
	if (previous) {
		if (restart == 0) {
			api_error_set(&err, 400, "BadRequest",
				      "previous terminated container \"%s\" in pod \"%s\" not found",
				      container, route->name);
			store_obj_unref(obj);
			return http_respond_error(req, &err);
		}
		restart--;
	}
	path = podlog_path(cluster->logs_dir, route->ns, route->name, obj->uid, container,
			   (int)restart);
	ls = xcalloc(1, sizeof(*ls));
	ls->fd = open(path, O_RDONLY | O_CLOEXEC);
	ls->inotify_fd = -1;
	if (ls->fd < 0) {
		const char *reason = json_get_string(status, "state.waiting.reason");

		free(ls);
		api_error_set(&err, 400, "BadRequest",
			      "container \"%s\" in pod \"%s\" is waiting to start: %s", container,
			      route->name, reason ? reason : "ContainerCreating");
		store_obj_unref(obj);
		return http_respond_error(req, &err);
	}
	ls->cluster = cluster;
	ls->client_fd = http_connection_fd(req);
	ls->pod_uid = xstrdup(obj->uid);
	ls->container = xstrdup(container);
	ls->restart = (int)restart;
	ls->timestamps = api_query_true(req, "timestamps");
	ls->limit_bytes = limit;
	ls->at_line_start = true;
	buf_init(&ls->pending, LOG_RECORD_MAX * 2);
	buf_init(&ls->out, LOG_CHUNK * 4);
	if (since_seconds > 0) {
		clock_gettime(CLOCK_REALTIME, &ls->since);
		ls->since.tv_sec -= since_seconds;
	} else if (since_time && *since_time) {
		time_t t;

		if (time_parse_rfc3339(since_time, &t) < 0) {
			log_free(ls);
			store_obj_unref(obj);
			api_error_set(&err, 400, "BadRequest",
				      "sinceTime: Invalid value: \"%s\": must be RFC 3339", since_time);
			return http_respond_error(req, &err);
		}
		ls->since.tv_sec = t;
	}
	if (tail >= 0) {
		int64_t lines = count_lines(ls->fd);

		ls->skip_lines = lines > tail ? lines - tail : 0;
	}
	ls->follow = api_query_true(req, "follow") && !previous &&
		     !container_done(status, (int)restart);
	if (ls->follow) {
		/* From the current state: the first event says whether it is done. */
		struct store_watch_options wopts = { .kinds = RESOURCE_BIT(RESOURCE_POD),
						     .ns = route->ns,
						     .resource_version = STORE_WATCH_FROM_LIST };
		_cleanup_free_ char *selector = xasprintf("metadata.name=%s", route->name);

		wopts.field_selector = selector;
		ls->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		ls->pod_watch = store_watch_open(cluster->store, &wopts, &err);
		if (ls->inotify_fd < 0 || !ls->pod_watch ||
		    inotify_add_watch(ls->inotify_fd, path, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
			log_free(ls);
			store_obj_unref(obj);
			if (!err.code)
				api_error_set(&err, 500, "InternalError",
					      "Internal error occurred: cannot follow the log: %s",
					      strerror(errno));
			return http_respond_error(req, &err);
		}
	}
	store_obj_unref(obj);
	return http_respond_stream(req, 200, "text/plain", log_read, ls, log_free);
}
