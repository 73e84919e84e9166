/* cmd_wait.c — `kubectl konduktor wait JOB [--timeout S]`: waits, by
 * watching, until a job ends and prints "succeeded" or "failed", with the
 * exit code saying the same (docs/commands.md). */
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"

static struct cluster_flags cluster;
static const char *timeout_flag;

static const struct opt own[] = {
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "give up after this long (seconds, or e.g. 1m30s; exit code 14); default: no limit",
	  NULL },
	OPT_END,
};

static struct opt table[24];

const struct opt *cmd_wait_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), own, &cluster, false);
}

static int report(const struct job_final *f)
{
	switch (f->end) {
	case JOB_END_FINISHED:
		if (f->status.state == JOB_SUCCEEDED) {
			puts("succeeded");
			return EXIT_OK;
		}
		puts("failed");
		cli_error("job '%s' failed: %s", f->job.name,
			  *f->status.message ? f->status.message
					     : status_reason_name(f->status.reason));
		return EXIT_JOB_FAILED;
	case JOB_END_CANCELLED:
		puts("failed");
		cli_error("job '%s' was cancelled", f->job.name);
		return EXIT_CANCELLED;
	case JOB_END_GONE:
		cli_error("job '%s' was deleted while waiting", f->job.name);
		return EXIT_NOT_FOUND;
	case JOB_END_STUCK:
		cli_error("job '%s' cannot start: %s (it stays %s until that is fixed)", f->job.name,
			  f->status.message, job_state_name(f->status.state));
		return EXIT_JOB_FAILED;
	case JOB_END_TIMEOUT:
	case JOB_END_NONE:
		break;
	}
	cli_error("wait: job '%s' did not end within %lld seconds (it is %s%s%s)", f->job.name,
		  (long long)(f->timeout_ms / 1000), job_state_name(f->status.state),
		  f->status.reason != REASON_NONE ? ", " : "", status_reason_name(f->status.reason));
	return EXIT_TIMEOUT;
}

int cmd_wait(int argc, char **argv)
{
	struct kcluster *kc = NULL;
	struct job_final final;
	int code;

	job_final_init(&final);
	code = jobcmd_await_end("wait", cmd_wait_options(), &timeout_flag, &cluster, false, argc,
				argv, &kc, &final);
	if (!code)
		code = report(&final);
	job_final_release(&final);
	kcluster_close(kc);
	return code;
}
