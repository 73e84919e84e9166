/* jobview.h — the files of one job (docs/filesystem.md), from its
 * workload, its pods and the task it was launched with:
 *
 *   status       the state word, then a line with the reason (if any)
 *   result.json  the result as the task wrote it, once reported (once
 *                the reporting pod's own status shows it ended: until
 *                then neither result.json nor error is there)
 *   error        once the job ended without a result: the outcome (or
 *                Cancelled), its reason, and the failing pod's last lines
 *                (the same words as `kubectl konduktor result`, from
 *                result_from_job())
 *   logs         rank 0's log (streamed on demand, see logstream.h)
 *   task.yaml    the task as launched
 *   ranks/<i>/   status and logs of each rank, when there is more than one
 *
 * Pure: built from cJSON (as trim.h leaves it, or whole) and a clock. */
#ifndef KONDUKTOR_FUSEFS_JOBVIEW_H
#define KONDUKTOR_FUSEFS_JOBVIEW_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "buf.h"
#include "result.h"
#include "status.h"
#include "view.h"

/* `pods` is a JSON array (or NULL), `task` may be NULL (no task.yaml). */
struct view *job_view_build(const cJSON *workload, const cJSON *pods, struct blob *task,
			    int64_t now_ms);

/* "RUNNING\n", "PENDING\nUnschedulable: 0/1 nodes are available: ...\n". */
void job_status_text(const struct job_status *status, struct buf *out);
void index_status_text(const struct index_status *index, struct buf *out);
/* The error file of a job that ended without a result: the outcome and
 * its reason (and log tail), or, for a cancelled job (result NULL),
 * Cancelled and when. */
void job_error_text(const struct job_status *status, const struct result *result,
		    struct buf *out);

/* "JobFailed\n<reason>\n", then a blank line and the log tail if any. */
void result_error_text(const struct result *result, struct buf *out);

/* Adds "logs" for an index's latest pod (see log_pod()). */
void vnode_add_index_logs(struct vnode *dir, const struct index_status *index, int64_t now_ms);

/* The pod whose log a logs file shows, or NULL: an index's latest pod,
 * once a container of it has started. */
const cJSON *log_pod(const struct index_status *index, bool *ret_complete);

#endif
