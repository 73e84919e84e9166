/* complete-probe.c — the completion engine with the real cluster lister
 * (complete_run(), as kubectl_complete-konduktor) over a command table
 * with one command per argument kind, for test_completion.py: it answers
 * exactly as kubectl_complete-konduktor does, whatever commands this
 * build has.
 *   complete-probe jobs|groups|namespaces [--kubeconfig F] [-n NS] [-A] … WORD
 * Not installed. */
#include "complete.h"
#include "exitcode.h"

static int never_run(int argc, char **argv)
{
	return EXIT_ERROR;
}

static struct cluster_flags probe_flags;

static const struct opt *probe_options(void)
{
	return cluster_flags_table(&probe_flags, true);
}

static const struct command probe_commands[] = {
	{ .name = "jobs", .run = never_run, .summary = "a job argument", .args = COMPLETE_JOB,
	  .options = probe_options },
	{ .name = "groups", .run = never_run, .summary = "a group argument",
	  .args = COMPLETE_GROUP, .options = probe_options },
	{ .name = "namespaces", .run = never_run, .summary = "a namespace argument",
	  .args = COMPLETE_NAMESPACE, .options = probe_options },
	{ .name = NULL },
};

int main(int argc, char **argv)
{
	return complete_run(probe_commands, argc - 1, argv + 1, true);
}
