/* runner.h — runs containers as local processes: the local cluster's
 * container runtime.
 *
 * runner_new() forks a small helper process that does all the work, so a
 * bug or crash in it can never take the API server down, and so that
 * containers are cloned from a small single-threaded process rather than
 * the server. Each container's process is PID 1 of its own PID, mount and
 * UTS namespaces: it sees the host's file system with its volumes bound at
 * their mount paths (see mountplan.h), its own hostname, and when it exits
 * the kernel stops everything it started, daemons included. Its stdout and
 * stderr go to a CRI-format log file (crilog.h); after it exits, the
 * termination message is read as the kubelet reads it.
 *
 * Threading: runner_start() and runner_stop() may be called from any
 * thread. The callbacks in struct runner_events run on the runner's own
 * event thread, one at a time, in the order things happened; they may call
 * runner_start() and runner_stop() but should not block for long. */
#ifndef KONDUKTOR_RUNNER_H
#define KONDUKTOR_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

/* The kubelet's limits for termination messages. */
#define RUNNER_TERMINATION_MESSAGE_MAX 4096
#define RUNNER_FALLBACK_LOG_LINES 80
#define RUNNER_FALLBACK_LOG_BYTES 2048

struct runner_mount {
	const char *host_path;      /* directory or file on the host */
	const char *container_path; /* absolute */
	bool read_only;
};

/* A fully resolved container: everything the Kubernetes spec said, with
 * $(VAR) references expanded and volumes materialised on the host. */
struct runner_spec {
	const char *name;                /* for messages: "ns/pod/container" */
	char *const *argv;               /* command + args; argv[0] looked up in env's PATH */
	char *const *envp;               /* "NAME=value" */
	const char *working_dir;         /* container path, NULL for "/" */
	const char *hostname;            /* NULL keeps the host's name */
	const struct runner_mount *mounts;
	size_t n_mounts;
	const char *log_path;            /* host file, created 0600, CRI records appended */
	/* The file bound at termination_message_path is created empty at
	 * termination_message_file on the host; NULL path: none. */
	const char *termination_message_path;
	const char *termination_message_file;
	bool fallback_to_logs_on_error;  /* terminationMessagePolicy FallbackToLogsOnError */
	int64_t run_as_user;             /* -1 to keep the runner's */
	int64_t run_as_group;            /* -1 to keep the runner's */
};

enum runner_outcome {
	RUNNER_EXITED,      /* ran and exited (or was killed) */
	RUNNER_START_FAILED,/* never ran: message says why (kubelet reason StartError) */
	RUNNER_LOST,        /* the runner stopped before the container did */
};

struct runner_exit {
	uint64_t id;
	enum runner_outcome outcome;
	int exit_code;              /* as a container runtime reports it: 128+signal if killed */
	int signal;                 /* the signal that ended it, 0 if it exited */
	struct timespec started_at; /* zero if it never started */
	struct timespec finished_at;
	const char *message;        /* termination message or start error, "" if none */
};

struct runner_events {
	void (*started)(void *opaque, uint64_t id, pid_t pid, const struct timespec *at);
	void (*exited)(void *opaque, const struct runner_exit *exit);
	void *opaque;
};

struct runner;

/* Starts the helper process. `run_dir` is a directory the runner owns
 * (it makes the containers' mount points there). Call this before the
 * program starts other threads: the helper is forked from the caller,
 * and it dies with the calling thread (PR_SET_PDEATHSIG). */
int runner_new(const char *run_dir, const struct runner_events *events, struct runner **ret,
	       struct error *err);
/* Stops every container (SIGTERM, SIGKILL after grace_ms), reports their
 * exits, ends the helper and frees the runner. NULL is allowed. */
void runner_free(struct runner *r, int64_t grace_ms);

/* Starts a container; its id (never 0) is returned at once and every
 * later event names it. Exactly one `exited` event follows, with
 * RUNNER_START_FAILED if the process could not be started. Fails only if
 * the runner is gone. */
int runner_start(struct runner *r, const struct runner_spec *spec, uint64_t *ret_id,
		 struct error *err);
/* Asks a container to stop: SIGTERM to its process group now, SIGKILL to
 * everything in it once grace_ms have passed (at once if 0). A second call
 * may shorten the grace period. Unknown or finished ids are ignored. */
int runner_stop(struct runner *r, uint64_t id, int64_t grace_ms, struct error *err);
/* True until the helper has gone (then every start fails). */
bool runner_alive(struct runner *r);

#endif
