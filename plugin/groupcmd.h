/* groupcmd.h — what `map --wait` and `group results` share: following a
 * group until every input has its line, printing the lines (input order
 * or completion order), a live progress line on a terminal's stderr, the
 * summary and the exit code (docs/groups.md, "Following a group"). */
#ifndef KONDUKTOR_GROUPCMD_H
#define KONDUKTOR_GROUPCMD_H

#include <stdbool.h>
#include <stdint.h>

#include "kcluster.h"

struct groupcmd_results_opts {
	bool as_completed;      /* completion order instead of input order */
	bool return_exceptions; /* failed inputs' lines too; failures exit 0 */
	int64_t deadline_ms;    /* time_mono_ms() clock; < 0: none */
	int64_t timeout_ms;     /* for the Timeout lines' reason */
};

/* Follows group `id` in the kcluster's namespace and prints its results
 * as groupresults.h renders them. Returns the exit code: 0; EXIT_TIMEOUT
 * when the deadline passed first; without return_exceptions,
 * EXIT_CANCELLED for a cancelled group with unfinished inputs and
 * EXIT_GROUP_FAILURES when an input failed; EXIT_NOT_FOUND, EXIT_ERROR. */
int groupcmd_results(const char *command, struct kcluster *kc, const char *id,
		     const struct groupcmd_results_opts *opts);

/* The options of `map` and `group results` that set the above. */
#define GROUPCMD_RESULTS_HELP_EXIT                                                               \
	"Exit status: 0 when every input has a result (or with --return-exceptions);\n"          \
	"15 when an input failed, 16 when the group was cancelled, 14 when --timeout\n"          \
	"passed first (the group keeps running), 3 when there is no such group.\n"

#endif
