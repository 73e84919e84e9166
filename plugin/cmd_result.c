/* cmd_result.c — `kubectl konduktor result JOB [--timeout S]`: the job's
 * result JSON on stdout, waiting (by watching) for the job to end if it
 * has not; the outcome's exit code otherwise (docs/results.md). Once read,
 * the result is recorded on the job, so it answers after the pods are
 * gone, from any machine. */
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"

static struct cluster_flags cluster;
static const char *timeout_flag;

static const struct opt own[] = {
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "give up waiting after this long (seconds, or e.g. 1m30s; exit code 14); default: no "
	  "limit",
	  NULL },
	OPT_END,
};

static struct opt table[24];

const struct opt *cmd_result_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), own, &cluster, false);
}

int cmd_result(int argc, char **argv)
{
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct kjob job;
	struct job_final final;
	struct job_status st;
	struct error err = ERROR_INIT;
	int64_t deadline, timeout_ms;
	enum job_end end;
	int code;

	kjob_init(&job);
	job_final_init(&final);
	job_status_init(&st);
	if ((code = jobcmd_parse("result", cmd_result_options(), argc, argv, &args)) ||
	    (code = jobcmd_one_job("result", &args)) ||
	    (code = jobcmd_deadline("result", timeout_flag, &deadline, &timeout_ms)) ||
	    (code = jobcmd_open("result", &cluster, &kc)))
		goto out;
	if (kcluster_job_get(kc, NULL, args.items[0], 0, &job, &err) < 0 ||
	    kjob_status(&job, &st, &err) < 0) {
		code = jobcmd_fail("result", kc, &err);
		goto out;
	}
	if (!job.workload) {
		code = jobcmd_not_found(&job);
		goto out;
	}
	final.timeout_ms = timeout_ms;
	/* A recorded result answers at once, whatever became of the pods. */
	end = kjob_result_recorded(&job) ? JOB_END_FINISHED : job_end_of(&st);
	if (end != JOB_END_NONE) {
		job_final_set(&final, end, &job);
	} else if (job_wait_end(kc, &job, deadline, false, &final, &err) < 0) {
		code = jobcmd_fail("result", kc, &err);
		goto out;
	}
	code = job_report_outcome(kc, &final);
out:
	job_status_release(&st);
	job_final_release(&final);
	kjob_release(&job);
	kcluster_close(kc);
	strv_release(&args);
	return code;
}
