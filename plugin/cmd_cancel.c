/* cmd_cancel.c — `kubectl konduktor cancel JOB`: marks the job cancelled
 * and suspends it in one patch (status.h's status_cancel_patch), so the
 * Job or JobSet controller stops its pods gracefully while the objects,
 * the finished pods' logs and any result stay readable; then waits, by
 * watching, until none of its pods is left running. */
#include <stdio.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"
#include "jsonutil.h"
#include "labels.h"
#include "strutil.h"
#include "timeutil.h"

/* How long cancel waits for the pods to stop unless --timeout says. */
#define CANCEL_DEFAULT_TIMEOUT "60s"

static struct cluster_flags cluster;
static const char *timeout_flag;

static const struct opt own[] = {
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "how long to wait for the pods to stop (default 60s; exit code 14 after)", NULL },
	OPT_END,
};

static struct opt table[24];

const struct opt *cmd_cancel_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), own, &cluster, false);
}

/* A pod whose processes may still run: not finished, even if deleting. */
static size_t running_pods(const cJSON *pods)
{
	const cJSON *pod;
	size_t n = 0;

	cJSON_ArrayForEach(pod, pods) {
		const char *phase = json_get_string(pod, "status.phase");

		if (!str_eq(phase, "Succeeded") && !str_eq(phase, "Failed"))
			n++;
	}
	return n;
}

/* Watches until no pod of the job runs: 1 done, 0 deadline, -1 error. */
static int wait_pods_stopped(struct kcluster *kc, const struct kjob *job, int64_t deadline_ms,
			     struct error *err)
{
	struct kcluster_watch *w = NULL;
	struct kjob now;
	int r;

	if (kcluster_watch_start(kc, job, &w, err) < 0)
		return -1;
	kjob_init(&now);
	while ((r = kcluster_watch_next(w, deadline_ms, &now, err)) > 0)
		if (running_pods(now.pods) == 0)
			break;
	kjob_release(&now);
	kcluster_watch_free(w);
	return r;
}

int cmd_cancel(int argc, char **argv)
{
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct kjob job;
	struct job_status st;
	struct error err = ERROR_INIT;
	_cleanup_json_ cJSON *patch = NULL;
	char now[RFC3339_MAX];
	int64_t deadline;
	bool cancelled;
	int code, r;

	kjob_init(&job);
	job_status_init(&st);
	if ((code = jobcmd_parse("cancel", cmd_cancel_options(), argc, argv, &args)) ||
	    (code = jobcmd_one_job("cancel", &args)) ||
	    (code = jobcmd_deadline("cancel", timeout_flag ? timeout_flag : CANCEL_DEFAULT_TIMEOUT,
				    &deadline, NULL)) ||
	    (code = jobcmd_open("cancel", &cluster, &kc)))
		goto out;
	if (kcluster_job_get(kc, NULL, args.items[0], 0, &job, &err) < 0 ||
	    kjob_status(&job, &st, &err) < 0) {
		code = jobcmd_fail("cancel", kc, &err);
		goto out;
	}
	if (!job.workload) {
		code = jobcmd_not_found(&job);
		goto out;
	}
	cancelled = status_is_cancelled(job.workload);
	if (st.state == JOB_SUCCEEDED || (st.state == JOB_FAILED && !cancelled)) {
		printf("job '%s' has already ended (%s); nothing to cancel\n", job.name,
		       job_state_name(st.state));
		goto out;
	}
	if (!cancelled) {
		time_format_rfc3339(time(NULL), now);
		patch = status_cancel_patch(now);
		if (kube_patch(kc->client, job.resource, job.namespace, job.name, KUBE_PATCH_MERGE,
			       patch, NULL, NULL, &err) < 0) {
			code = jobcmd_fail("cancel", kc, &err);
			goto out;
		}
	}
	r = wait_pods_stopped(kc, &job, deadline, &err);
	if (r < 0) {
		code = jobcmd_fail("cancel", kc, &err);
		goto out;
	}
	if (r == 0) {
		cli_error("cancel: job '%s' is cancelled, but its pods were still stopping when "
			  "--timeout passed",
			  job.name);
		code = EXIT_TIMEOUT;
		goto out;
	}
	printf("job '%s' cancelled\n", job.name);
out:
	job_status_release(&st);
	kjob_release(&job);
	kcluster_close(kc);
	strv_release(&args);
	return code;
}
