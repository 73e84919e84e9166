/* kcluster.h — the plugin's one way to a cluster, shared by every command
 * that talks to one (jobs, groups, mount, completion): a kube client opened
 * from kubectl's flags, the namespace, jobs found by name or listed by
 * label selector with their pods, JobSet discovery, watching a job's
 * state through informers (never by polling), and a job's recorded
 * result.
 *
 * Errors: every function returns -1 and fills `err` with one line; for
 * API errors err->code is the HTTP status (404 for "not found"), so
 * kcluster_exit_code() can choose the exit code. Nothing here prints. */
#ifndef KONDUKTOR_KCLUSTER_H
#define KONDUKTOR_KCLUSTER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "error.h"
#include "kube_client.h"
#include "result.h"
#include "status.h"
#include "strv.h"

/* The user agent of every request: "kubectl-konduktor/<version>". */
#define KCLUSTER_USER_AGENT_PREFIX "kubectl-konduktor/"

struct kcluster {
	struct kube_client *client;
	/* The namespace: -n, else the context's, else the user config's
	 * (~/.konduktor/config.yaml), else "default". */
	const char *namespace;
	/* -A was given: lists cover every namespace. */
	bool all_namespaces;
	/* The request timeout in ms (0: none), bounding also how long a watch
	 * may stay disconnected before kcluster_watch_next() gives up. */
	int64_t request_timeout_ms;
	char *namespace_storage; /* private: the user config's namespace */
};

/* Opens a client as kubectl would with these flags (the verbosity is
 * applied to the log). Without any configuration the error says how to
 * get one: "no cluster is configured ...; start one on this machine with
 * 'kubectl konduktor local up'". When neither -n nor the context names a
 * namespace, the user config (userconfig.h) is read for one; a malformed
 * user config is then an error. */
int kcluster_open(const struct cluster_flags *flags, struct kcluster **ret, struct error *err);
void kcluster_close(struct kcluster *kc);

/* The namespace a list covers: NULL (every namespace) with -A. */
const char *kcluster_list_namespace(const struct kcluster *kc);

/* The exit code for a failed call: EXIT_NOT_FOUND for 404, else
 * EXIT_ERROR. */
int kcluster_exit_code(const struct error *err);

/* Whether the cluster serves jobset.x-k8s.io/v1alpha2 JobSets (discovery,
 * asked once per server per process). */
int kcluster_jobsets_served(struct kcluster *kc, bool *ret_served, struct error *err);

/* --- jobs ------------------------------------------------------------------ */

/* A job (or a group's Job) as the cluster has it. */
struct kjob {
	char *namespace;
	char *name;
	/* &kube_jobs or &kube_jobsets once found; NULL when not found. */
	const struct kube_resource *resource;
	cJSON *workload; /* the Job or JobSet; NULL: not found */
	cJSON *pods;     /* a JSON array (NULL only after kjob_release) */
	cJSON *events;   /* a JSON array of the pods' Events, or NULL if not fetched */
};

/* An empty job (pods an empty array); release frees everything. */
void kjob_init(struct kjob *job);
void kjob_release(struct kjob *job);

/* The label selector of a workload's pods: konduktor.io/job-name=<name>,
 * or konduktor.io/group-id=<id> for a group's Job. Newly allocated. */
char *kjob_pod_selector(const struct kjob *job);

/* The status of a job (status.h) from what `job` holds. */
int kjob_status(const struct kjob *job, struct job_status *ret, struct error *err);

/* What kcluster_job_get() fetches besides the workload and its pods. */
#define KJOB_WITH_EVENTS 1u /* Events of pods that have not started */

/* Finds the job `name` in namespace `ns` (NULL: the kcluster's): a Job
 * launched by kubectl-konduktor, else a JobSet when the cluster serves
 * them. Returns 0 with ret->workload NULL when there is none; -1 with err
 * (code 404) when an object of that name exists but is not a
 * kubectl-konduktor job. */
int kcluster_job_get(struct kcluster *kc, const char *ns, const char *name, unsigned flags,
		     struct kjob *ret, struct error *err);

/* Re-reads the workload and pods of a job found before (e.g. after a
 * change); ret->workload becomes NULL if it is gone. */
int kcluster_job_refresh(struct kcluster *kc, struct kjob *job, struct error *err);

/* Every job of kind `kind` (LABEL_KIND_JOB or LABEL_KIND_GROUP) in `ns`
 * (NULL: every namespace) with its pods, found by label selectors (one
 * request per resource, never a list of everything), sorted by namespace
 * then name. `selector` narrows it further (may be NULL). */
int kcluster_job_list(struct kcluster *kc, const char *ns, const char *kind, const char *selector,
		      struct kjob **ret_jobs, size_t *ret_n, struct error *err);
void kjob_list_free(struct kjob *jobs, size_t n);

/* Appends the names of the jobs (kind LABEL_KIND_JOB) or the ids of the
 * groups (LABEL_KIND_GROUP) in `ns` (NULL: every namespace): one
 * label-selected list per resource, of at most `limit` objects each when
 * limit > 0 (shell completion), else of all. */
int kcluster_job_names(struct kcluster *kc, const char *ns, const char *kind, int64_t limit,
		       struct strv *ret_names, struct error *err);

/* --- watching a job -------------------------------------------------------- */

/* A live picture of one job: an informer on its workload and one on its
 * pods, each on its own thread, fed by the watch API. */
struct kcluster_watch;

/* Starts watching `job` (found before: its resource, namespace and name). */
int kcluster_watch_start(struct kcluster *kc, const struct kjob *job,
			 struct kcluster_watch **ret, struct error *err);
/* Waits until the picture changed since the previous call (the first call:
 * until it is complete), then fills `ret` with a copy (ret->workload NULL
 * if the job was deleted) and returns 1; returns 0 once `deadline_ms`
 * (time_mono_ms() clock; < 0: none) has passed; -1 when the API server
 * could not be reached for longer than the request timeout. */
int kcluster_watch_next(struct kcluster_watch *w, int64_t deadline_ms, struct kjob *ret,
			struct error *err);
void kcluster_watch_free(struct kcluster_watch *w);

/* Called with the job and its status when a wait begins and whenever the
 * status (state, reason, message or any rank's state) changes; returns
 * true to stop waiting. */
typedef bool (*kcluster_status_fn)(const struct kjob *job, const struct job_status *status,
				   void *ctx);

/* Watches `job` and calls `fn` as above. Returns 1 when fn stopped the
 * wait, 0 when the deadline passed first, -1 on error. */
int kcluster_job_wait(struct kcluster *kc, const struct kjob *job, int64_t deadline_ms,
		      kcluster_status_fn fn, void *ctx, struct error *err);

/* --- deleting ------------------------------------------------------------- */

/* Deletes every object of `res` in `ns` that matches `selector`, with
 * Background propagation, in one request (DELETE on the collection);
 * *ret_n (may be NULL) gets the number deleted. */
int kcluster_delete_labelled(struct kcluster *kc, const struct kube_resource *res, const char *ns,
			     const char *selector, size_t *ret_n, struct error *err);

/* --- results --------------------------------------------------------------- */

enum kjob_outcome {
	KJOB_NOT_FINISHED, /* still pending or running: no outcome yet */
	KJOB_DECIDED,      /* a result outcome (result.h) */
	KJOB_CANCELLED,    /* cancelled before it finished */
	KJOB_GONE,         /* the job does not exist */
	/* The workload has ended but the pods in hand do not show how yet:
	 * two watches are not in step, so read the pods again. */
	KJOB_PODS_BEHIND,
};

/* The outcome of a job from what `job` holds: the result recorded on the
 * workload if there is one, else, once the job has ended, rank 0's
 * termination message (or, when the job failed, the failing pod's).
 * With `settled` (the pods were read after the workload ended), missing
 * pods mean they were deleted: a succeeded job then never reported
 * (JobFailed), a failed one is described from its status; without it,
 * that is KJOB_PODS_BEHIND. */
enum kjob_outcome kjob_result(const struct kjob *job, const struct job_status *status,
			      bool settled, struct result *ret);
/* kjob_result(), reading the job again (a GET and a list, not a watch) when
 * the pods in hand are behind the workload; `job` and `status` are then
 * replaced by what was read. */
int kcluster_job_result(struct kcluster *kc, struct kjob *job, struct job_status *status,
			enum kjob_outcome *ret_outcome, struct result *ret, struct error *err);
/* The rank whose failure ended a FAILED job: the lowest failed one that
 * has a pod and was not merely stopped because another failed; SIZE_MAX
 * when none has a pod. */
size_t kjob_failing_index(const struct job_status *status);
/* True if the workload carries a recorded result. */
bool kjob_result_recorded(const struct kjob *job);
/* Records a result on the workload (merge patch of its annotations) so
 * that it outlives the pods; nothing is sent if it is recorded already.
 * Timeouts are never recorded. */
int kcluster_result_record(struct kcluster *kc, const struct kjob *job, const struct result *r,
			   struct error *err);

#endif
