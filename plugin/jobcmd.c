/* jobcmd.c — the job commands' shared command-layer helpers (jobcmd.h). */
#include "jobcmd.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "exitcode.h"
#include "jsonutil.h"
#include "labels.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* Lines of a failed pod's log shown under a JobFailed reason. */
#define FAILED_LOG_LINES 20
#define LOCAL_CONTEXT "konduktor-local"

int jobcmd_parse(const char *command, const struct opt *table, int argc, char **argv,
		 struct strv *positionals)
{
	const struct opt *tables[] = { table, NULL };
	struct error err = ERROR_INIT;

	if (args_parse(command, tables, argc - 1, argv + 1, positionals, &err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	return 0;
}

int jobcmd_one_job(const char *command, const struct strv *positionals)
{
	if (positionals->len == 1)
		return 0;
	cli_error("%s: name one job (see 'kubectl konduktor %s --help')", command, command);
	return EXIT_USAGE;
}

int jobcmd_open(const char *command, const struct cluster_flags *flags, struct kcluster **ret)
{
	struct error err = ERROR_INIT;

	if (kcluster_open(flags, ret, &err) < 0)
		return jobcmd_fail(command, NULL, &err);
	return 0;
}

int jobcmd_fail(const char *command, const struct kcluster *kc, const struct error *err)
{
	const char *context = kc ? kube_client_config(kc->client)->context : NULL;

	if ((err->code == KUBE_ERR_NETWORK || err->code == KUBE_ERR_TIMEOUT) &&
	    str_eq(context, LOCAL_CONTEXT))
		cli_error("%s: %s (is the local cluster running? start it with 'kubectl konduktor "
			  "local up')",
			  command, err->msg);
	else
		cli_error("%s: %s", command, err->msg);
	return kcluster_exit_code(err);
}

int jobcmd_not_found(const struct kjob *job)
{
	cli_error("job '%s' not found in namespace '%s'", job->name, job->namespace);
	return EXIT_NOT_FOUND;
}

int jobcmd_deadline(const char *command, const char *timeout, int64_t *ret_deadline_ms,
		    int64_t *ret_timeout_ms)
{
	int64_t ms = -1;

	if (timeout && time_parse_duration_ms(timeout, &ms) < 0) {
		cli_error("%s: --timeout: '%s' is not a duration (give seconds, or e.g. 1m30s)",
			  command, timeout);
		return EXIT_USAGE;
	}
	*ret_deadline_ms = ms < 0 ? -1 : time_mono_ms() + ms;
	if (ret_timeout_ms)
		*ret_timeout_ms = ms;
	return 0;
}

/* --- waiting --------------------------------------------------------------------- */

void job_final_init(struct job_final *f)
{
	memset(f, 0, sizeof(*f));
	kjob_init(&f->job);
	job_status_init(&f->status);
	f->timeout_ms = -1;
}

void job_final_release(struct job_final *f)
{
	kjob_release(&f->job);
	job_status_release(&f->status);
}

enum job_end job_end_of(const struct job_status *st)
{
	if (st->state == JOB_NOT_FOUND)
		return JOB_END_GONE;
	if (st->state == JOB_FAILED && st->reason == REASON_CANCELLED)
		return JOB_END_CANCELLED;
	if (st->state == JOB_SUCCEEDED || st->state == JOB_FAILED)
		return JOB_END_FINISHED;
	if (st->stuck)
		return JOB_END_STUCK;
	return JOB_END_NONE;
}

static cJSON *duplicate_or_null(const cJSON *json)
{
	return json ? cJSON_Duplicate(json, true) : NULL;
}

void job_final_set(struct job_final *f, enum job_end end, const struct kjob *job)
{
	int64_t timeout_ms = f->timeout_ms;

	job_final_release(f);
	job_final_init(f);
	f->timeout_ms = timeout_ms;
	f->end = end;
	f->job.namespace = xstrdup(job->namespace);
	f->job.name = xstrdup(job->name);
	f->job.resource = job->resource;
	f->job.workload = duplicate_or_null(job->workload);
	cJSON_Delete(f->job.pods);
	f->job.pods = duplicate_or_null(job->pods);
	f->job.events = duplicate_or_null(job->events);
	/* It was computed from the same objects before: it cannot fail now. */
	if (kjob_status(&f->job, &f->status, NULL) < 0)
		f->status.state = JOB_NOT_FOUND;
}

const char *job_unschedulable_message(const struct job_status *st)
{
	if (st->reason != REASON_UNSCHEDULABLE)
		return NULL;
	return *st->message ? st->message : "unschedulable";
}

struct wait_ctx {
	struct job_final *ret;
	bool quiet;
	char noticed[STATUS_MESSAGE_MAX];
};

static bool on_wait_status(const struct kjob *job, const struct job_status *st, void *ctx)
{
	struct wait_ctx *c = ctx;
	enum job_end end = job_end_of(st);
	const char *unschedulable = job_unschedulable_message(st);

	job_final_set(c->ret, end, job);
	if (end != JOB_END_NONE)
		return true;
	if (!c->quiet && unschedulable && strcmp(c->noticed, unschedulable) != 0) {
		fprintf(stderr,
			"job '%s' is waiting for room: %s (still waiting: room may come as other "
			"pods end or nodes are added; --timeout bounds the wait)\n",
			job->name, unschedulable);
		str_copy(c->noticed, sizeof(c->noticed), unschedulable);
	}
	return false;
}

int job_wait_end(struct kcluster *kc, const struct kjob *job, int64_t deadline_ms, bool quiet,
		 struct job_final *ret, struct error *err)
{
	struct wait_ctx c = { .ret = ret, .quiet = quiet };
	int r;

	job_final_set(ret, JOB_END_NONE, job);
	r = kcluster_job_wait(kc, job, deadline_ms, on_wait_status, &c, err);
	if (r < 0)
		return -1;
	if (r == 0)
		ret->end = JOB_END_TIMEOUT;
	return 0;
}

/* --- outcomes ----------------------------------------------------------------- */

/* Prints the last `max_lines` lines of text, each on its own line. */
static void print_last_lines(const char *text, size_t max_lines, FILE *out)
{
	size_t len = strlen(text), lines = 0, start = 0;

	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	for (size_t i = len; i > 0; i--) {
		if (text[i - 1] == '\n' && ++lines == max_lines) {
			start = i;
			break;
		}
	}
	fprintf(out, "%.*s\n", (int)(len - start), text + start);
}

/* The JobFailed details: the failing pod's last log lines, from the
 * termination message (the kubelet's log tail) or, when that is empty,
 * from the pod's log if it still exists. */
static void print_failure_log(struct kcluster *kc, const struct job_final *f,
			      const struct result *r)
{
	size_t i = kjob_failing_index(&f->status);
	const char *pod = i != SIZE_MAX ? json_get_string(f->status.indexes[i].pod, "metadata.name")
					: NULL;
	struct buf log = BUF_INIT(BUF_MAX_SMALL);
	const char *text = r->log_tail;

	if ((!text || !*text) && pod) {
		struct kube_log_opts opts = { .container = NULL, .set_tail_lines = true,
					      .tail_lines = FAILED_LOG_LINES };

		if (kube_pod_logs(kc->client, f->job.namespace, pod, &opts, &log, NULL) == 0)
			text = log.data;
	}
	if (text && *text) {
		if (pod)
			fprintf(stderr, "---- the last lines of the log of pod %s:\n", pod);
		else
			fputs("---- the last lines of the log:\n", stderr);
		print_last_lines(text, FAILED_LOG_LINES, stderr);
	}
	buf_release(&log);
}

static int report_timeout(const struct job_final *f)
{
	const struct job_status *st = &f->status;

	if (st->reason != REASON_NONE)
		cli_error("job '%s': Timeout: no result within %lld seconds; the job is %s (%s%s%s) "
			  "and keeps running",
			  f->job.name, (long long)(f->timeout_ms / 1000), job_state_name(st->state),
			  status_reason_name(st->reason), *st->message ? ": " : "", st->message);
	else
		cli_error("job '%s': Timeout: no result within %lld seconds; the job is %s and keeps "
			  "running",
			  f->job.name, (long long)(f->timeout_ms / 1000), job_state_name(st->state));
	return EXIT_TIMEOUT;
}

static int report_cancelled(const struct job_final *f)
{
	const char *when = json_get_child_string(json_get(f->job.workload, "metadata.annotations"),
						 ANNOTATION_CANCELLED_AT);

	cli_error("job '%s' was cancelled%s%s", f->job.name, when ? " at " : "", when ? when : "");
	return EXIT_CANCELLED;
}

int job_report_outcome(struct kcluster *kc, struct job_final *f)
{
	struct result r;
	struct error err = ERROR_INIT;
	enum kjob_outcome outcome;
	int code;

	switch (f->end) {
	case JOB_END_NONE:
	case JOB_END_FINISHED:
		break;
	case JOB_END_GONE:
		cli_error("job '%s' does not exist (any more) in namespace '%s'", f->job.name,
			  f->job.namespace);
		return EXIT_NOT_FOUND;
	case JOB_END_CANCELLED:
		return report_cancelled(f);
	case JOB_END_STUCK:
		cli_error("job '%s' cannot start: %s (it stays %s until that is fixed; 'kubectl "
			  "konduktor cleanup %s' deletes it)",
			  f->job.name, *f->status.message ? f->status.message : "stuck",
			  job_state_name(f->status.state), f->job.name);
		return EXIT_JOB_FAILED;
	case JOB_END_TIMEOUT:
		return report_timeout(f);
	}
	result_init(&r);
	if (kcluster_job_result(kc, &f->job, &f->status, &outcome, &r, &err) < 0) {
		result_release(&r);
		cli_error("job '%s': %s", f->job.name, err.msg);
		return kcluster_exit_code(&err);
	}
	switch (outcome) {
	case KJOB_NOT_FINISHED:
	case KJOB_PODS_BEHIND:
		result_release(&r);
		return report_timeout(f);
	case KJOB_CANCELLED:
		result_release(&r);
		return report_cancelled(f);
	case KJOB_GONE:
		result_release(&r);
		cli_error("job '%s' does not exist (any more) in namespace '%s'", f->job.name,
			  f->job.namespace);
		return EXIT_NOT_FOUND;
	case KJOB_DECIDED:
		break;
	}
	if (kcluster_result_record(kc, &f->job, &r, &err) < 0)
		log_warn("could not record the result on job '%s': %s", f->job.name, err.msg);
	code = result_exit_code(r.outcome);
	if (r.outcome == RESULT_OK) {
		size_t len = strlen(r.json);

		fwrite(r.json, 1, len, stdout);
		if (!len || r.json[len - 1] != '\n')
			fputc('\n', stdout);
		fflush(stdout);
	} else {
		cli_error("job '%s': %s: %s", f->job.name, result_outcome_name(r.outcome),
			  r.reason ? r.reason : "");
		if (r.outcome == RESULT_JOB_FAILED)
			print_failure_log(kc, f, &r);
	}
	result_release(&r);
	return code;
}

char *jobcmd_local_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = getenv("USER");

	if (pw && pw->pw_name && *pw->pw_name)
		return xstrdup(pw->pw_name);
	return xstrdup(user && *user ? user : "unknown");
}

int jobcmd_check_secrets(const char *command, struct kcluster *kc,
			 const struct user_config *config, size_t n_from_config)
{
	for (size_t i = 0; i < config->n_secrets; i++) {
		const char *name = config->secrets[i].name;
		struct error err = ERROR_INIT;

		if (kube_get(kc->client, &kube_secrets, kc->namespace, name, NULL, &err) == 0)
			continue;
		if (err.code != 404)
			return jobcmd_fail(command, kc, &err);
		cli_error("%s: Secret '%s' (named %s%s%s) does not exist in namespace '%s'; "
			  "create it first (e.g. kubectl create secret generic %s -n %s "
			  "--from-file=...); nothing was created",
			  command, name, i < n_from_config ? "in config '" : "by --secret",
			  i < n_from_config && config->source ? config->source : "",
			  i < n_from_config ? "'" : "", kc->namespace, name, kc->namespace);
		return EXIT_ERROR;
	}
	return 0;
}

int jobcmd_await_end(const char *command, const struct opt *options,
		     const char *const *timeout_flag, const struct cluster_flags *cluster,
		     bool recorded_result_ends, int argc, char **argv, struct kcluster **ret_kc,
		     struct job_final *final)
{
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct kjob job;
	struct job_status st;
	struct error err = ERROR_INIT;
	int64_t deadline, timeout_ms;
	enum job_end end;
	int code;

	kjob_init(&job);
	job_status_init(&st);
	if ((code = jobcmd_parse(command, options, argc, argv, &args)) ||
	    (code = jobcmd_one_job(command, &args)) ||
	    (code = jobcmd_deadline(command, *timeout_flag, &deadline, &timeout_ms)) ||
	    (code = jobcmd_open(command, cluster, &kc)))
		goto out;
	if (kcluster_job_get(kc, NULL, args.items[0], 0, &job, &err) < 0 ||
	    kjob_status(&job, &st, &err) < 0) {
		code = jobcmd_fail(command, kc, &err);
		goto out;
	}
	if (!job.workload) {
		code = jobcmd_not_found(&job);
		goto out;
	}
	final->timeout_ms = timeout_ms;
	end = recorded_result_ends && kjob_result_recorded(&job) ? JOB_END_FINISHED
								  : job_end_of(&st);
	if (end != JOB_END_NONE)
		job_final_set(final, end, &job);
	else if (job_wait_end(kc, &job, deadline, false, final, &err) < 0)
		code = jobcmd_fail(command, kc, &err);
out:
	job_status_release(&st);
	kjob_release(&job);
	strv_release(&args);
	if (code) {
		kcluster_close(kc);
		kc = NULL;
	}
	*ret_kc = kc;
	return code;
}

enum term_style job_state_style(enum job_state state)
{
	switch (state) {
	case JOB_SUCCEEDED:
		return STYLE_GREEN;
	case JOB_FAILED:
	case JOB_NOT_FOUND:
		return STYLE_RED;
	case JOB_RUNNING:
		return STYLE_CYAN;
	case JOB_PENDING:
		return STYLE_YELLOW;
	}
	return STYLE_RESET;
}
