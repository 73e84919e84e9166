/* groupresults.h — a group's results as JSON lines (docs/groups.md,
 * "Results"): the one rendering that `group results`, `map --wait` and
 * konduktor-fs's results.jsonl share byte for byte, the collector that
 * hands lines out in input order or in completion order, and the record
 * of finished inputs kept in the group's results ConfigMaps so that
 * results outlive their pods.
 *
 * One line per input (no newline inside it; writers add '\n'):
 *   {"index":3,"attempts":1,"result":{"val_loss":0.42}}
 *   {"index":4,"attempts":3,"error":{"outcome":"JobFailed",
 *    "reason":"exited with code 1: boom","exitCode":1}}   (on one line)
 * "attempts" is there when the input was started. "result" is the JSON
 * text the input's pod reported with the whitespace between its tokens
 * removed (every token keeps its exact bytes). "error" stands for any
 * other outcome (result.h: JobFailed, ResultTooLarge, MalformedResult,
 * NoResultReported, Timeout, Skipped, Cancelled), with its one-line reason
 * and "exitCode" when one is known (never for Skipped and Cancelled, whose
 * exit code says nothing of the task).
 *
 * The record: ConfigMaps "<id>-results-<k>" (k = 0, 1, ...) labelled like
 * the group's other objects with component "results" and owned by the
 * group's Job; each key is an input's index in decimal, its value the
 * input's line. Followers (`map --wait`, `group results|status`) add lines
 * with merge patches of at most GROUP_RESULTS_BATCH_MAX bytes and move to
 * the next ConfigMap once one holds GROUP_RESULTS_CHUNK_TARGET bytes, which
 * leaves room below Kubernetes' 1 MiB for a second follower writing at the
 * same time. A line is written once per input and never changes, so two
 * followers recording the same input write the same bytes. */
#ifndef KONDUKTOR_GROUPRESULTS_H
#define KONDUKTOR_GROUPRESULTS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "result.h"
#include "status.h"

/* The longest line: a result of RESULT_MAX bytes, or a reason about as
 * long (a wrapper error quotes its message), with every byte escaped (at
 * most six bytes each) and the numbers around it. */
#define GROUP_RESULT_LINE_MAX ((size_t)8 * RESULT_MAX)
#define GROUP_RESULTS_CHUNK_TARGET ((size_t)640 * 1024)
#define GROUP_RESULTS_BATCH_MAX ((size_t)128 * 1024)

/* Appends input `index`'s line for `result` (attempts: 0 when it never
 * started). -1 if out's max is reached, out unchanged. */
int group_result_line(size_t index, const struct result *result, int attempts, struct buf *out);
/* The line, newly allocated; never longer than GROUP_RESULT_LINE_MAX (a
 * line that would be is replaced by a MalformedResult line saying so).
 * *ret_ok (may be NULL): it is a "result" line. */
char *group_result_line_new(size_t index, const struct result *result, int attempts,
			    bool *ret_ok);

/* An input's final outcome from its status (status.h, computed from the
 * group's Job `job` and pods): 0 with *ret set when the input has
 * finished (SUCCEEDED or FAILED), 1 when it has not. A succeeded input
 * whose pod is gone is NoResultReported ("its pod was deleted before its
 * result was recorded"); a failed one is its pod's outcome, or without a
 * pod the status's reason. One the group's end decided is:
 *   Skipped "skipped: the group stopped after a failure" when it never
 *     started, and in a --fail-fast group without --cancel-running-on-fail
 *     also when the Job's early end stopped its pod (only pods that would
 *     skip are running then);
 *   Cancelled "the group was cancelled" (group cancel), or
 *   Cancelled "stopped when another input failed" (--cancel-running-on-fail).
 * Skipped and Cancelled lines carry no exit code: the same input reads
 * the same whether its pod is still there or not. */
int group_input_result(const cJSON *job, const struct index_status *status, struct result *ret);

enum group_order {
	GROUP_ORDER_INPUT,      /* input 0, 1, 2, ... each once it has finished */
	GROUP_ORDER_COMPLETION, /* as inputs finish */
};

/* The finished inputs of a group of `size` inputs, each with its line. */
struct group_results {
	size_t size;
	char **lines;             /* per input: its line, NULL until it finished */
	bool *ok;                 /* per input: the line is a "result" line */
	size_t *completion_order; /* indexes, in the order they were added */
	size_t finished;          /* inputs with a line */
	size_t failed;            /* of those, "error" lines */
	size_t next_input;        /* GROUP_ORDER_INPUT: the first input not yet emitted */
	size_t next_completed;    /* GROUP_ORDER_COMPLETION: completion_order[] not yet emitted */
};

void group_results_init(struct group_results *r, size_t size);
void group_results_release(struct group_results *r);

/* Adds an input's line (copied). Returns 1 when the input had none yet, 0
 * when it had (the first line stays: an input's line never changes), -1
 * with err for an index out of range. */
int group_results_add_line(struct group_results *r, size_t index, const char *line, bool ok,
			   struct error *err);
/* Renders and adds an input's line (as group_result_line()). */
int group_results_add(struct group_results *r, size_t index, const struct result *result,
		      int attempts, struct error *err);
bool group_results_has(const struct group_results *r, size_t index);

/* Calls fn for each line ready in `order` and not yet emitted in that
 * order: GROUP_ORDER_INPUT from the first input not yet emitted up to the
 * first that has not finished; GROUP_ORDER_COMPLETION every line added
 * since the last call, in the order added. fn returns 0 to go on; its
 * non-zero value stops the walk (that line counts as emitted) and is
 * returned. */
typedef int (*group_line_fn)(size_t index, const char *line, bool ok, void *ctx);
int group_results_emit(struct group_results *r, enum group_order order, group_line_fn fn,
		       void *ctx);

/* Every finished input's line in input order, each followed by '\n', the
 * "error" lines only when with_failures: konduktor-fs's results.jsonl, and
 * exactly what `group results --return-exceptions` prints once the group
 * has finished. -1 if out's max is reached. */
int group_results_render(const struct group_results *r, bool with_failures, struct buf *out);

/* --- the record ---------------------------------------------------------- */

/* "<id>-results-<k>"; newly allocated. */
char *group_results_configmap_name(const char *group_id, size_t k);
/* A new, empty results ConfigMap k for the group whose Job (as the API
 * server returned it: name, namespace, uid, labels) is `job`: the Job's
 * project labels with component "results", owned by the Job. NULL with
 * err when the Job is not a group's or has no uid. */
cJSON *group_results_configmap(const cJSON *job, size_t k, struct error *err);
/* Adds input `index`'s line to a merge patch of a results ConfigMap
 * ({"data":{"<index>":"<line>"}}), creating the patch when *patch is NULL. */
void group_results_patch_add(cJSON **patch, size_t index, const char *line);
/* Adds the lines a results ConfigMap holds. Entries that are not an
 * input's line (a key that is no index of the group, a value that is not
 * a line for that index) are skipped: returns how many were, with err
 * naming the first, 0 when all were lines. *ret_bytes (may be NULL): the
 * size of the ConfigMap's data, to judge the room left in it. */
int group_results_load(struct group_results *r, const cJSON *configmap, size_t *ret_bytes,
		       struct error *err);

#endif
