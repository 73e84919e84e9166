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
	struct kcluster *kc = NULL;
	struct job_final final;
	int code;

	job_final_init(&final);
	code = jobcmd_await_end("result", cmd_result_options(), &timeout_flag, &cluster, true, argc,
				argv, &kc, &final);
	if (!code)
		code = job_report_outcome(kc, &final);
	job_final_release(&final);
	kcluster_close(kc);
	return code;
}
