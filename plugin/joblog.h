/* joblog.h — a job's log on stdout, for `logs` and `launch`: the latest
 * attempt of one rank, or, following, every attempt of that rank as it
 * runs — waiting for a pod that has not started yet — until the job
 * ends. Driven by kcluster's watch, never by polling. */
#ifndef KONDUKTOR_JOBLOG_H
#define KONDUKTOR_JOBLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobcmd.h"
#include "kcluster.h"

struct joblog_opts {
	size_t rank;
	bool follow;
	bool set_tail;       /* only the last tail_lines lines (of the first attempt shown) */
	int64_t tail_lines;
	int64_t deadline_ms; /* following: stop then (time_mono_ms() clock; < 0: none) */
	/* Following: a job that cannot start ends it (launch); otherwise that is
	 * announced on stderr and the wait goes on (logs -f). */
	bool stop_when_stuck;
};

/* Prints the log. `job` was found before (kcluster_job_get). Without
 * follow, the latest attempt's log as it is now; -1 with err when that
 * rank has no started pod. With follow, returns once the job has ended
 * (or is stuck, with stop_when_stuck, or the deadline passed), filling
 * `final` (may be NULL) with the job as it was then. */
int joblog_print(struct kcluster *kc, const struct kjob *job, const struct joblog_opts *opts,
		 struct job_final *final, struct error *err);

#endif
