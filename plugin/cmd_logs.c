/* cmd_logs.c — `kubectl konduktor logs JOB [-f] [--tail N] [--rank R]`:
 * one rank's log; -f follows every attempt of it until the job ends,
 * waiting for a pod that has not started yet. */
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"
#include "joblog.h"

static struct cluster_flags cluster;
static bool follow_flag;
static int64_t tail_flag = -1;
static int64_t rank_flag;

static const struct opt own[] = {
	{ "follow", 'f', OPT_BOOL, &follow_flag, NULL,
	  "follow the log (waiting for the pod to start, then each restart) until the job ends",
	  NULL },
	{ "tail", 0, OPT_INT, &tail_flag, "N", "only the last N lines (-1, the default: all)",
	  NULL },
	{ "rank", 0, OPT_INT, &rank_flag, "R", "the rank (node) whose log to show (default 0)",
	  NULL },
	OPT_END,
};

static struct opt table[24];

const struct opt *cmd_logs_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), own, &cluster, false);
}

int cmd_logs(int argc, char **argv)
{
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct kjob job;
	struct job_final final;
	struct error err = ERROR_INIT;
	struct joblog_opts opts = { .deadline_ms = -1 };
	int code;

	kjob_init(&job);
	job_final_init(&final);
	if ((code = jobcmd_parse("logs", cmd_logs_options(), argc, argv, &args)) ||
	    (code = jobcmd_one_job("logs", &args)))
		goto out;
	if (rank_flag < 0 || tail_flag < -1) {
		cli_error("logs: --%s must not be negative", rank_flag < 0 ? "rank" : "tail");
		code = EXIT_USAGE;
		goto out;
	}
	if ((code = jobcmd_open("logs", &cluster, &kc)))
		goto out;
	if (kcluster_job_get(kc, NULL, args.items[0], 0, &job, &err) < 0) {
		code = jobcmd_fail("logs", kc, &err);
		goto out;
	}
	if (!job.workload) {
		code = jobcmd_not_found(&job);
		goto out;
	}
	opts.rank = (size_t)rank_flag;
	opts.follow = follow_flag;
	opts.set_tail = tail_flag >= 0;
	opts.tail_lines = tail_flag;
	if (joblog_print(kc, &job, &opts, &final, &err) < 0) {
		code = jobcmd_fail("logs", kc, &err);
		goto out;
	}
	if (follow_flag && final.end == JOB_END_GONE) {
		cli_error("job '%s' was deleted", job.name);
		code = EXIT_NOT_FOUND;
	}
out:
	job_final_release(&final);
	kjob_release(&job);
	kcluster_close(kc);
	strv_release(&args);
	return code;
}
