/* group.h — a task mapped over many inputs (docs/groups.md): the group's
 * id and its Kubernetes objects, built from a task, an input_set and a
 * policy with Kinetic's semantics.
 *
 * group_build() returns, in creation order:
 *   - the inputs as ConfigMaps "<id>-inputs-<k>" (as few as the 1 MiB
 *     ConfigMap limit allows; each holds one key "inputs-<first>-<last>"),
 *   - the files ConfigMap "<id>-files" when the task ships files,
 *   - with --fail-fast but not --cancel-running-on-fail, the fail-fast
 *     switch ConfigMap "<id>-control" (empty until a follower stops the
 *     group, see group_stop_patch),
 *   - ONE Indexed Job named <id>: completions = number of inputs,
 *     parallelism = max_concurrent (0: all), backoffLimitPerIndex =
 *     retries, maxFailedIndexes 0 with --fail-fast --cancel-running-on-fail
 *     (the Job controller then stops running inputs itself), the group's
 *     policy and task in annotations.
 * Each pod finds its input by JOB_COMPLETION_INDEX in the mounted chunks
 * (pod-wrapper.sh) and reports its result like any job (result.h). */
#ifndef KONDUKTOR_GROUP_H
#define KONDUKTOR_GROUP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "inputs.h"
#include "task.h"
#include "userconfig.h"

#define GROUP_ID_PREFIX "grp-"
#define GROUP_ID_LEN 12 /* "grp-" and 8 lower-case hex digits */
#define GROUP_DEFAULT_MAX_CONCURRENT 64
#define GROUP_MAX_RETRIES 1000

struct group_policy {
	int64_t max_concurrent;      /* 0: no limit */
	int64_t retries;             /* each input gets 1 + retries attempts */
	bool fail_fast;              /* no new inputs start after a failure */
	bool cancel_running_on_fail; /* with fail_fast: running inputs are stopped too */
};

#define GROUP_POLICY_DEFAULT { .max_concurrent = GROUP_DEFAULT_MAX_CONCURRENT, .retries = 0, \
			       .fail_fast = false, .cancel_running_on_fail = false }

struct group_launch {
	const struct task *task;          /* complete, single-node */
	const struct user_config *config; /* NULL: defaults */
	const char *group_id;
	const char *namespace;            /* NULL: left to the client */
	const char *user;
	const char *created_at;           /* RFC 3339; NULL: now */
	const struct input_set *inputs;
	struct group_policy policy;
};

/* A new id, "grp-" and 8 hex digits from the kernel's random generator. */
int group_id_generate(char out[GROUP_ID_LEN + 1], struct error *err);
bool group_id_is_valid(const char *id);

int group_build(const struct group_launch *launch, cJSON **ret_items, struct error *err);

/* What a follower needs to know, read back from the group's Job. */
struct group_info {
	char id[GROUP_ID_LEN + 1];
	size_t size;
	enum input_mode mode;
	struct group_policy policy;
	size_t input_chunks;
	char created_at[40];
	char task_name[64];
};

int group_info_from_job(const cJSON *job, struct group_info *ret, struct error *err);

/* The name of the group's fail-fast switch ConfigMap; newly allocated. */
char *group_control_name(const char *group_id);
/* The merge patch a follower applies to the switch when an input failed
 * for good: data.stop = reason. Pods that start afterwards skip their
 * input (exit code 122, "skipped"); running ones finish. */
cJSON *group_stop_patch(const char *reason);
/* True when the group's fail-fast is enforced by a follower (it is not
 * enforced natively by the Job controller). */
bool group_needs_follower(const struct group_policy *policy);

#endif
