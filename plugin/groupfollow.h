/* groupfollow.h — following a group in the cluster (docs/groups.md,
 * "Following a group"): the state of every input and the line of every
 * finished one, and the client's share of the group's policy. Used by
 * `map --wait`, `group results` and `group status`.
 *
 * What it reads, with memory bounded by the group's active pods rather
 * than by its size:
 *   - the group's Job (per input: completedIndexes, failedIndexes; the
 *     group: its conditions, cancellation);
 *   - its active pods only (a field selector leaves finished ones out), so
 *     a 100,000-input group costs the memory of max_concurrent pods;
 *   - each pod once, as it finishes (the watch reports a pod that stops
 *     matching with its final state), turned into its input's line at once;
 *   - the results recorded earlier (groupresults.h), and, for finished
 *     inputs with neither, their terminated pods (one paged list, or one
 *     list per input when few are missing).
 * Following (`watch`) uses two informers; a snapshot lists once.
 *
 * What it writes, when asked (`act`):
 *   - the results of finished inputs into the group's results ConfigMaps,
 *     batched (at most one request a second, or GROUP_RESULTS_BATCH_MAX);
 *   - with --fail-fast but not --cancel-running-on-fail, once an input
 *     has failed: the "stop" switch (group_stop_patch()) so that inputs
 *     starting afterwards skip, and, once every pod active at that moment
 *     has ended, maxFailedIndexes 0 on the Job so that the remaining
 *     inputs are not started at all (the Job then fails at once, with the
 *     inputs that never ran Skipped).
 * A write the user may not make (RBAC) or that fails is a warning, never
 * the end of following: the results are printed all the same.
 *
 * Threads: the informers' callbacks only queue what they saw and wake
 * group_follow_wait(); everything else runs on the caller's thread. */
#ifndef KONDUKTOR_GROUPFOLLOW_H
#define KONDUKTOR_GROUPFOLLOW_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "group.h"
#include "groupresults.h"
#include "kube_client.h"
#include "progress.h"
#include "status.h"
#include "strv.h"

struct group_follow_opts {
	bool watch; /* follow with informers; false: one snapshot */
	bool act;   /* record results, enforce the fail-fast policy */
};

struct group_follower;

/* Finds the group `id` in namespace `ns` and reads its state. -1 with err
 * (code 404 when the group does not exist). The client must outlive the
 * follower. */
int group_follow_start(struct kube_client *client, const char *ns, const char *id,
		       const struct group_follow_opts *opts, struct group_follower **ret,
		       struct error *err);
/* Stops following and records what is still pending (when acting). */
void group_follow_free(struct group_follower *f);

/* Brings the state up to date with what was seen since the last call:
 * new lines, states, and the policy's writes. -1 with err when the group
 * cannot be followed any more (its Job was deleted). */
int group_follow_refresh(struct group_follower *f, struct error *err);
/* Waits until something changed or `deadline_ms` (time_mono_ms(); < 0:
 * no deadline) passed; true if something changed. A snapshot never
 * changes. */
bool group_follow_wait(struct group_follower *f, int64_t deadline_ms);
/* Writes the pending results now (also done by refresh and free). */
void group_follow_flush(struct group_follower *f);

/* True once the group has ended and every input has its line. */
bool group_follow_finished(const struct group_follower *f);
const struct group_info *group_follow_info(const struct group_follower *f);
/* The group's Job as last seen (borrowed). */
const cJSON *group_follow_job(const struct group_follower *f);
/* The group's status as of the last refresh (borrowed): the state, the
 * reason and, per input, its state, attempts and reason. */
const struct job_status *group_follow_status(const struct group_follower *f);
/* Every finished input's line (the caller may emit from it). */
struct group_results *group_follow_results(struct group_follower *f);
void group_follow_counts(const struct group_follower *f, struct progress_counts *ret);
/* Pods of the group that have not finished (terminating ones included). */
size_t group_follow_active_pods(const struct group_follower *f);
/* Adds a Timeout line for every input without one (the caller's deadline
 * passed). */
void group_follow_time_out(struct group_follower *f, long seconds);
/* Warnings since the last call (a write that failed, ...), one line each,
 * moved into `out`. */
void group_follow_take_warnings(struct group_follower *f, struct strv *out);

#endif
