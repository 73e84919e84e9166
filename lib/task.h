/* task.h — a Konduktor task file (task.yaml) parsed strictly into a struct,
 * with command-line overrides applied and checked by the same rules.
 *
 * The format is Konduktor's (docs/task-reference.md):
 *
 *   name: train                        # required
 *   envs: {EPOCHS: "10"}
 *   workdir: ./src
 *   num_nodes: 2                       # default 1
 *   setup: pip install -r requirements.txt
 *   run: python train.py
 *   file_mounts: {/data/cfg.json: ./cfg.json}
 *   resources:
 *     cpus: 4                          # required, vCPUs: 2, 0.5, "4.2"
 *     memory: 16                       # required, whole GiB
 *     image_id: python:3.12            # required
 *     accelerators: H100:8
 *     labels: {kueue.x-k8s.io/queue-name: user-queue}
 *     job_config: {max_restarts: 3, completions: 1}
 *
 * Contract:
 * - Parsing never touches the network and reads at most TASK_FILE_MAX bytes
 *   (a larger file is refused by its size before it is read).
 * - Every error is one line: "task '<file>': line L, column C: <problem>"
 *   for the file, "--cpus: <problem>" for a flag, "env file '<f>': line L:
 *   <problem>" for --env-file. Unknown fields get a did-you-mean.
 * - task_parse_*() accepts a file that still lacks fields a flag may give;
 *   task_check_complete() is the final word before launching.
 * - Every string in struct task is owned by it; task_release() frees all. */
#ifndef KONDUKTOR_TASK_H
#define KONDUKTOR_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strv.h"

/* The task text is kept in an annotation, and Kubernetes allows 256 KiB of
 * annotations per object: half of that for the task leaves room for the
 * rest. */
#define TASK_FILE_MAX ((size_t)128 * 1024)
/* Short enough that "<name>-<5 chars>-workers-0-<rank>" (JobSet pod host
 * names) stays within Kubernetes' 63-character DNS label limit. */
#define TASK_NAME_MAX 40
#define TASK_NUM_NODES_MAX 1000
#define TASK_MAX_RESTARTS_MAX 1000
/* Kubernetes' limit for Indexed Jobs with a per-index backoff limit. */
#define TASK_COMPLETIONS_MAX 100000
#define TASK_CPUS_MAX_MILLIS ((int64_t)100000 * 1000)
#define TASK_MEMORY_MAX_GIB ((int64_t)100000)
#define TASK_GPUS_MAX 1024

struct task_env {
	char *name;
	char *value; /* NULL: `null` in the file; must be given with --env */
};

struct task_mount {
	char *remote; /* absolute, or ~/… (resolved in the pod) */
	char *local;  /* a local file or directory, as written */
};

struct task_label {
	char *key;
	char *value;
};

struct task {
	char *source;   /* the file name used in messages */
	char *yaml;     /* the file's text, NUL-terminated */
	size_t yaml_len;
	char *name;
	struct task_env *envs;
	size_t n_envs;
	char *workdir;  /* NULL if none */
	int64_t num_nodes;
	char *setup;    /* NULL if none */
	char *run;      /* NULL if none */
	struct task_mount *mounts;
	size_t n_mounts;
	/* resources */
	int64_t cpu_millis; /* 0 until given */
	int64_t memory_gib; /* 0 until given */
	char *image_id;
	char *accelerator;  /* NULL if none, e.g. "H100" */
	int64_t accelerator_count;
	struct task_label *labels;
	size_t n_labels;
	int64_t max_restarts;
	int64_t completions; /* 0: the default, num_nodes */
	/* Flags that were applied, for the annotation's note ("--cpus=4",
	 * "--env FOO": never an env value). */
	struct strv overrides;
};

void task_init(struct task *task);
void task_release(struct task *task);

/* Reads and parses a task file; `path` names it in messages. */
int task_parse_file(const char *path, struct task *ret, struct error *err);
/* Parses text already in memory; `source` names it in messages. */
int task_parse_text(const char *source, const char *text, size_t len, struct task *ret,
		    struct error *err);

/* Command-line overrides as the user typed them; NULL/0 means "not given". */
struct task_overrides {
	const char *name;
	const char *num_nodes;
	const char *cpus;
	const char *memory;
	const char *gpus;     /* "H100:8", as resources.accelerators */
	const char *image_id;
	const char *max_restarts;
	const char *env_file; /* applied before envs */
	const char *const *envs; /* "K=V", or "K" for K's value in this process */
	size_t n_envs;
};

int task_apply_overrides(struct task *task, const struct task_overrides *overrides,
			 struct error *err);
/* Fails unless everything a launch needs is present: name,
 * resources.cpus/memory/image_id, and a value for every env. */
int task_check_complete(const struct task *task, struct error *err);
/* task_parse_file + task_apply_overrides + task_check_complete. */
int task_load(const char *path, const struct task_overrides *overrides, struct task *ret,
	      struct error *err);

/* The effective number of completions (job_config.completions or num_nodes). */
int64_t task_completions(const struct task *task);
/* The value of an env, or NULL when it has none or does not exist. */
const char *task_env_value(const struct task *task, const char *name);
/* The text for the task annotation: the file as written, plus a trailing
 * comment listing flag overrides; never longer than TASK_FILE_MAX + 1 KiB.
 * Newly allocated. */
char *task_annotation_text(const struct task *task);
/* True for names the project sets in every pod (RANK, KONDUKTOR_*, ...). */
bool task_env_name_is_reserved(const char *name);

/* Quantity parsers shared by the file, flags and tests. Each returns 0, or
 * -1 with err saying what is accepted ("<what>: invalid value ...").
 * `what` names the field or flag in the message. */
int task_parse_cpus(const char *what, const char *text, int64_t *ret_millis, struct error *err);
int task_parse_memory(const char *what, const char *text, int64_t *ret_gib, struct error *err);
int task_parse_accelerator(const char *what, const char *text, char **ret_name,
			   int64_t *ret_count, struct error *err);
/* CPU millicores as Kubernetes writes them: "4", "500m", "2500m". */
void task_format_cpus(int64_t millis, char out[32]);

#endif
