/* runtime.h — the local cluster's node and controllers, run inside the
 * API server's process on its store: the kubelet (kubelet.h), the
 * scheduler (scheduler.h) and the Job and JobSet controllers
 * (jobcontroller.h, jobsetcontroller.h), with their command-line options.
 *
 * Use from main():
 *   runtime_config_init(&rc);  runtime_config_set() for each option;
 *   rt = runtime_new(&rc, &err);      before any thread starts (it forks
 *                                     the process runner), i.e. before
 *                                     store_open() and the HTTP server;
 *   runtime_start(rt, store, &err);   once the store is open;
 *   ...serve...
 *   runtime_stop(rt);                 before store_shutdown()/store_close():
 *                                     stops the controllers, then shuts the
 *                                     node down (pods get SIGTERM, then
 *                                     SIGKILL after --shutdown-grace). */
#ifndef KONDUKTOR_LC_RUNTIME_H
#define KONDUKTOR_LC_RUNTIME_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct store;

enum runtime_component {
	RUNTIME_KUBELET = 1 << 0,
	RUNTIME_SCHEDULER = 1 << 1,
	RUNTIME_JOB_CONTROLLER = 1 << 2,
	RUNTIME_JOBSET_CONTROLLER = 1 << 3,
	RUNTIME_ALL = (1 << 4) - 1,
};

struct runtime_config {
	char *node_name;
	int64_t cpu_milli;        /* default: the host's CPUs */
	int64_t memory_bytes;     /* default: the host's memory */
	int64_t gpus;             /* nvidia.com/gpu, default 0 */
	int64_t max_pods;         /* 110 */
	cJSON *node_labels;       /* object */
	cJSON *node_taints;       /* array */
	char *fail_image_pattern;
	int64_t restart_backoff_ms, restart_backoff_max_ms; /* 10 s, 5 min */
	int64_t job_backoff_ms, job_backoff_max_ms;         /* 10 s, 10 min */
	int64_t shutdown_grace_ms;                          /* 10 s */
	unsigned components;      /* RUNTIME_* bits */
	char *data_dir;           /* pods' volumes; NULL: a private temporary directory */
	char *logs_dir;           /* container logs (podlog.h); required */
};

void runtime_config_init(struct runtime_config *c);
void runtime_config_release(struct runtime_config *c);

/* The runtime's options, each taking a value ("--node-cpu", ...). */
extern const char *const runtime_options[];
/* Their --help text, one option per line, indented as the server's. */
extern const char runtime_options_help[];
/* True if `option` (with its dashes) is one of runtime_options. */
bool runtime_config_has_option(const char *option);
/* Applies one option; -1 with err naming the option for a bad value. */
int runtime_config_set(struct runtime_config *c, const char *option, const char *value,
		       struct error *err);

struct runtime;

struct runtime *runtime_new(const struct runtime_config *config, struct error *err);
int runtime_start(struct runtime *rt, struct store *store, struct error *err);
/* Stops everything and frees the runtime. NULL is allowed. */
void runtime_stop(struct runtime *rt);

#endif
