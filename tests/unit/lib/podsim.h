/* podsim.h — a tiny stand-in for the kubelet, for unit tests: runs the
 * container of a pod template produced by manifest.c as a real process
 * (with /bin/sh, bash or BusyBox), with volumes as directories under a
 * temporary root, env values and command expanded as the kubelet expands
 * them ($(VAR), "$$"), the downward API fields a Job's pod has, and the
 * termination message read back with the kubelet's rules (4096 bytes;
 * FallbackToLogsOnError: the log's tail when the file is empty and the
 * container failed). Header-only: included by the tests that need it. */
#ifndef KONDUKTOR_TEST_PODSIM_H
#define KONDUKTOR_TEST_PODSIM_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "k8sexpand.h"
#include "strutil.h"
#include "strv.h"
#include "xalloc.h"

struct podsim {
	char root[64];
	const char *shell; /* "/bin/sh", "/bin/bash" or "busybox" */
	int index;         /* the completion index */
	int failure_count; /* batch.kubernetes.io/job-index-failure-count */
	int exit_code;
	char *message;     /* the termination message, as the kubelet reports it */
	char *log;         /* stdout and stderr */
	struct strv env;   /* "NAME=value" as the process got it */
	const char *term_when; /* non-NULL: SIGTERM the wrapper once this host file exists */
};

static inline void podsim_init(struct podsim *s, const char *shell)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->root, sizeof(s->root), "/tmp/konduktor-podsim-XXXXXX");
	if (!mkdtemp(s->root))
		abort();
	s->shell = shell;
	strv_init(&s->env);
}

static inline void podsim_release(struct podsim *s)
{
	remove_tree(s->root, NULL);
	free(s->message);
	free(s->log);
	strv_release(&s->env);
}

static inline char *podsim_path(const struct podsim *s, const char *rel)
{
	return xasprintf("%s/%s", s->root, rel);
}

static inline char *podsim_read(const char *path, size_t max)
{
	struct buf b = BUF_INIT(max);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[4096];
	ssize_t n;

	if (fd < 0)
		return xstrdup("");
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&b, chunk, (size_t)n) < 0) {
			/* The kubelet reads at most `max` bytes. */
			buf_append(&b, chunk, b.max - b.len);
			break;
		}
	close(fd);
	return buf_detach(&b, NULL);
}

static inline void podsim_write(const char *path, const void *data, size_t len)
{
	char *dir = path_dirname(path);

	mkdir_parents(dir, 0755, NULL);
	if (file_write_atomic(path, data, len, 0644, NULL) < 0)
		abort();
	free(dir);
}

static inline const cJSON *podsim_find_configmap(const cJSON *const *cms, size_t n,
						 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq(json_get_string(cms[i], "metadata.name"), name))
			return cms[i];
	return NULL;
}

static inline void podsim_materialise(const cJSON *cm, const char *dir)
{
	const cJSON *item;

	mkdir_parents(dir, 0755, NULL);
	cJSON_ArrayForEach(item, json_get(cm, "data")) {
		char *path = xasprintf("%s/%s", dir, item->string);

		podsim_write(path, item->valuestring, strlen(item->valuestring));
		free(path);
	}
	cJSON_ArrayForEach(item, json_get(cm, "binaryData")) {
		char *path = xasprintf("%s/%s", dir, item->string);
		struct buf bytes = BUF_INIT(1 << 22);

		if (base64_decode(item->valuestring, strlen(item->valuestring), &bytes, NULL) < 0)
			abort();
		podsim_write(path, bytes.data, bytes.len);
		buf_release(&bytes);
		free(path);
	}
}

struct podsim_lookup {
	struct strv *env;
};

static inline const char *podsim_lookup(const char *name, void *data)
{
	struct strv *env = data;
	size_t n = strlen(name);

	for (size_t i = 0; i < env->len; i++)
		if (strncmp(env->items[i], name, n) == 0 && env->items[i][n] == '=')
			return env->items[i] + n + 1;
	return NULL;
}

/* Maps a path in the pod to the host, by the container's volume mounts. */
static inline char *podsim_map(const struct podsim *s, const cJSON *mounts, const char *path)
{
	const cJSON *m;

	if (strcmp(path, "/dev/termination-log") == 0)
		return podsim_path(s, "termination-log");
	cJSON_ArrayForEach(m, mounts) {
		const char *mp = json_get_string(m, "mountPath");
		size_t n = strlen(mp);

		if (strncmp(path, mp, n) == 0 && (path[n] == '/' || path[n] == '\0'))
			return xasprintf("%s/vol/%s%s", s->root, json_get_string(m, "name"), path + n);
	}
	return xstrdup(path);
}

static inline void podsim_run(struct podsim *s, const cJSON *pod_template, const cJSON *const *cms,
			      size_t n_cms)
{
	const cJSON *spec = json_get(pod_template, "spec");
	const cJSON *container = cJSON_GetArrayItem(json_get(spec, "containers"), 0);
	const cJSON *mounts = json_get(container, "volumeMounts"), *v, *e;
	struct strv argv = STRV_INIT;
	char *tlog = podsim_path(s, "termination-log"), *logpath = podsim_path(s, "log");
	char *home = podsim_path(s, "home"), *bin = podsim_path(s, "bin");
	char index[16], failures[16];
	pid_t pid;
	int status, waited_ms = 0;

	snprintf(index, sizeof(index), "%d", s->index);
	snprintf(failures, sizeof(failures), "%d", s->failure_count);
	mkdir_parents(home, 0755, NULL);
	cJSON_ArrayForEach(v, json_get(spec, "volumes")) {
		char *dir = xasprintf("%s/vol/%s", s->root, json_get_string(v, "name"));
		const cJSON *src;

		mkdir_parents(dir, 0755, NULL);
		if (json_get(v, "configMap"))
			podsim_materialise(podsim_find_configmap(cms, n_cms,
								 json_get_string(v, "configMap.name")),
					   dir);
		cJSON_ArrayForEach(src, json_get(v, "projected.sources"))
			podsim_materialise(podsim_find_configmap(cms, n_cms,
								 json_get_string(src, "configMap.name")),
					   dir);
		free(dir);
	}
	/* The environment, in order, each value expanded against the earlier
	 * ones, paths moved to the host. */
	strv_pushf(&s->env, "PATH=%s", strcmp(s->shell, "busybox") ? "/usr/bin:/bin" : bin);
	strv_pushf(&s->env, "HOME=%s", home);
	cJSON_ArrayForEach(e, json_get(container, "env")) {
		const char *name = json_get_string(e, "name");
		const char *field = json_get_string(e, "valueFrom.fieldRef.fieldPath");
		char *value, *mapped;

		if (field && strstr(field, "job-completion-index"))
			value = xstrdup(index);
		else if (field)
			value = xstrdup(failures); /* failure count, or the JobSet's restart attempt */
		else
			value = k8s_expand(json_get_string(e, "value"), podsim_lookup, &s->env);
		mapped = value[0] == '/' ? podsim_map(s, mounts, value) : xstrdup(value);
		strv_pushf(&s->env, "%s=%s", name, mapped);
		free(value);
		free(mapped);
	}
	cJSON_ArrayForEach(e, json_get(container, "command")) {
		char *arg = k8s_expand(e->valuestring, podsim_lookup, &s->env);

		strv_push_owned(&argv, arg);
	}
	if (strcmp(s->shell, "busybox") == 0) {
		static const char *const applets[] = { "sh", "tar", "sed", "dd", "wc", "tr", "cat",
						       "mkdir", "sleep", "kill", "rm", "ls", "printf",
						       "touch", "env", "head", "test", NULL };

		mkdir_parents(bin, 0755, NULL);
		for (size_t i = 0; applets[i]; i++) {
			char *link = xasprintf("%s/%s", bin, applets[i]);

			if (symlink("/bin/busybox", link) < 0 && errno != EEXIST)
				abort();
			free(link);
		}
		free(argv.items[0]);
		argv.items[0] = xasprintf("%s/sh", bin);
	} else {
		free(argv.items[0]);
		argv.items[0] = xstrdup(s->shell);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(s->root) < 0)
			_exit(126);
		execve(argv.items[0], strv_array(&argv), strv_array(&s->env));
		_exit(127);
	}
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		struct timespec ten_ms = { 0, 10 * 1000 * 1000 };

		if (done == pid)
			break;
		if (s->term_when && access(s->term_when, F_OK) == 0) {
			kill(pid, SIGTERM);
			s->term_when = NULL;
		}
		if (waited_ms > 120 * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		nanosleep(&ten_ms, NULL);
		waited_ms += 10;
	}
	s->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	s->log = podsim_read(logpath, 1 << 20);
	s->message = podsim_read(tlog, 4096);
	if (s->exit_code != 0 && s->message[0] == '\0') {
		/* FallbackToLogsOnError: the last 80 lines, at most 2048 bytes. */
		size_t len = strlen(s->log), start = len > 2048 ? len - 2048 : 0;
		int lines = 0;

		for (size_t i = len; i > start; i--)
			if (s->log[i - 1] == '\n' && i != len && ++lines == 80) {
				start = i;
				break;
			}
		free(s->message);
		s->message = xstrdup(s->log + start);
	}
	strv_release(&argv);
	free(tlog);
	free(logpath);
	free(home);
	free(bin);
}

/* The value of an env var the process got, or NULL. */
static inline const char *podsim_env(const struct podsim *s, const char *name)
{
	return podsim_lookup(name, (void *)&s->env);
}

#endif
