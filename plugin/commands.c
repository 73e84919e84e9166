/* commands.c — the table of subcommands, in the order --help lists them. */
#include <stddef.h>

#include "cli.h"

const struct command commands[] = {
	{ "launch", NULL, "launch a task as a Kubernetes Job or JobSet" },
	{ "status", NULL, "show the state of jobs, with a reason you can act on" },
	{ "list", NULL, "list jobs" },
	{ "logs", NULL, "print or follow a job's logs" },
	{ "result", NULL, "print a job's result JSON" },
	{ "wait", NULL, "wait for a job to end; prints succeeded or failed" },
	{ "cancel", NULL, "stop a running job" },
	{ "cleanup", NULL, "delete a job and everything it created" },
	{ "map", NULL, "run a task over many inputs as a group" },
	{ "group", NULL, "list, follow, cancel and clean up groups" },
	{ "mount", NULL, "mount jobs and groups as a live directory tree" },
	{ "umount", NULL, "unmount a konduktor-fs mount" },
	{ "local", NULL, "start, stop or inspect the local single-node cluster" },
	{ "completion", NULL, "print a shell completion script (bash or zsh)" },
	{ "version", cmd_version, "print the version" },
	{ NULL, NULL, NULL },
};
