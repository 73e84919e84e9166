/* jobcmd.h — what the job commands (launch, status, list, logs, result,
 * wait, cancel, cleanup) share in the command layer: parsing with the
 * cluster flags, opening the cluster, printing an error with its exit
 * code, waiting for a job to end, and turning its end into the outcome's
 * exit code and message (docs/commands.md). These print; kcluster.h
 * underneath does not. */
#ifndef KONDUKTOR_JOBCMD_H
#define KONDUKTOR_JOBCMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "kcluster.h"
#include "term.h"
#include "userconfig.h"

/* Parses argv (argv[0] is the command's name) against the command's full
 * table. Returns 0, or prints the error and returns EXIT_USAGE. */
int jobcmd_parse(const char *command, const struct opt *table, int argc, char **argv,
		 struct strv *positionals);

/* Checks that exactly one JOB was given ("<command>: name one job").
 * Returns 0, or prints and returns EXIT_USAGE. */
int jobcmd_one_job(const char *command, const struct strv *positionals);

/* Opens the cluster. Returns 0, or prints and returns the exit code. */
int jobcmd_open(const char *command, const struct cluster_flags *flags, struct kcluster **ret);

/* Prints "error: <command>: <message>" (with a hint when the API server
 * cannot be reached) and returns the exit code for it. kc may be NULL. */
int jobcmd_fail(const char *command, const struct kcluster *kc, const struct error *err);

/* "error: job 'x' not found in namespace 'ns'"; returns EXIT_NOT_FOUND. */
int jobcmd_not_found(const struct kjob *job);

/* Parses --timeout (seconds, or a duration such as 1m30s) into a deadline
 * on the time_mono_ms() clock; no flag: *ret_deadline_ms = -1 (none).
 * Returns 0, or prints and returns EXIT_USAGE. */
int jobcmd_deadline(const char *command, const char *timeout, int64_t *ret_deadline_ms,
		    int64_t *ret_timeout_ms);

/* How waiting for a job ended. */
enum job_end {
	JOB_END_NONE,      /* not yet */
	JOB_END_FINISHED,  /* SUCCEEDED or FAILED (not cancelled) */
	JOB_END_CANCELLED,
	JOB_END_GONE,      /* deleted */
	JOB_END_STUCK,     /* cannot start without a change by the user (status.h) */
	JOB_END_TIMEOUT,
};

/* A job as it was when waiting ended. */
struct job_final {
	enum job_end end;
	struct kjob job;
	struct job_status status;
	int64_t timeout_ms; /* for the Timeout message */
};

void job_final_init(struct job_final *f);
void job_final_release(struct job_final *f);
/* Whether a status ends waiting, and how (JOB_END_NONE: not yet). */
enum job_end job_end_of(const struct job_status *status);
/* Takes a copy of the job into f (its status computed again, so that it
 * points into the copy), with `end`. */
void job_final_set(struct job_final *f, enum job_end end, const struct kjob *job);

/* Waits, by watching, until `job` ends, is stuck or the deadline passes.
 * Unless `quiet`, says once on stderr when it is unschedulable (waiting
 * continues: room may come). Returns 0 (ret filled) or -1. */
int job_wait_end(struct kcluster *kc, const struct kjob *job, int64_t deadline_ms, bool quiet,
		 struct job_final *ret, struct error *err);

/* The body of `wait` and `result`: parses their arguments (one job and
 * --timeout `timeout_flag`), opens the cluster and waits, by watching,
 * until the job ends (at once when it has; with `recorded_result_ends`,
 * also when a result is recorded on it, whatever became of its pods).
 * `timeout_flag` points to where parsing stores --timeout.
 * Returns 0 with *ret_kc (the caller closes it) and `final` filled, or
 * prints and returns the exit code. */
int jobcmd_await_end(const char *command, const struct opt *options,
		     const char *const *timeout_flag, const struct cluster_flags *cluster,
		     bool recorded_result_ends, int argc, char **argv, struct kcluster **ret_kc,
		     struct job_final *final);

/* Turns a job's end into its outcome: the result JSON on stdout when it is
 * one, else one line on stderr ("error: job 'x': JobFailed: ...", for a
 * JobFailed also the last lines of the failing pod's log); records the
 * result on the job. Returns the exit code (exitcode.h). */
int job_report_outcome(struct kcluster *kc, struct job_final *f);

/* The one-line notice for an unschedulable job, or NULL when it is not. */
const char *job_unschedulable_message(const struct job_status *status);

/* The colour a job state is shown in, in tables. */
enum term_style job_state_style(enum job_state state);

/* Who launches, for the user label: the login name (newly allocated). */
char *jobcmd_local_user(void);

/* A named Secret that does not exist stops `command` (launch, map) before
 * anything is created. `n_from_config` of config's Secrets come from the
 * user config, the rest from --secret. Returns 0, or prints and returns the
 * exit code. */
int jobcmd_check_secrets(const char *command, struct kcluster *kc,
			 const struct user_config *config, size_t n_from_config);

#endif
