/* commands.c — the table of subcommands, in the order --help lists them.
 * A command whose `run` is NULL is planned but not part of this build. */
#include <stddef.h>

#include "cli.h"

const struct command commands[] = {
	{ .name = "launch", .summary = "launch a task as a Kubernetes Job or JobSet" },
	{ .name = "status", .summary = "show the state of jobs, with a reason you can act on" },
	{ .name = "list", .summary = "list jobs" },
	{ .name = "logs", .summary = "print or follow a job's logs" },
	{ .name = "result", .summary = "print a job's result JSON" },
	{ .name = "wait", .summary = "wait for a job to end; prints succeeded or failed" },
	{ .name = "cancel", .summary = "stop a running job" },
	{ .name = "cleanup", .summary = "delete a job and everything it created" },
	{ .name = "map", .summary = "run a task over many inputs as a group" },
	{ .name = "group", .summary = "list, follow, cancel and clean up groups" },
	{ .name = "mount", .summary = "mount jobs and groups as a live directory tree" },
	{ .name = "umount", .summary = "unmount a konduktor-fs mount" },
	{
		.name = "local",
		.run = cmd_local,
		.summary = "start, stop or inspect the local single-node cluster",
		.usage = "local up|down|status [flags]",
		.help = "A single-node Kubernetes cluster on this machine that runs pods as local\n"
			"processes: for trying kubectl konduktor without a cluster. It keeps its\n"
			"objects, certificates and log in ~/.konduktor/local and is reached\n"
			"through the kubeconfig context konduktor-local.\n\n"
			"Examples:\n  kubectl konduktor local up\n"
			"  kubectl konduktor local status\n  kubectl konduktor local down\n",
		.options = cmd_local_options,
		.subcommands = local_subcommands,
	},
	{
		.name = "completion",
		.run = cmd_completion,
		.summary = "print a shell completion script (bash or zsh)",
		.usage = "completion bash|zsh",
		.help = "Prints the completion script for kubectl-konduktor run directly.\n"
			"`kubectl konduktor <TAB>` needs no script: kubectl (1.26 or later)\n"
			"runs kubectl_complete-konduktor, which must be on PATH (the .deb\n"
			"and `cmake --install` put it next to kubectl-konduktor).\n"
			"\nExamples:\n"
			"  # bash, this shell only\n"
			"  source <(kubectl konduktor completion bash)\n"
			"  # bash, from now on\n"
			"  kubectl konduktor completion bash \\\n"
			"    > ~/.local/share/bash-completion/completions/kubectl-konduktor\n"
			"  # zsh: a directory on $fpath, before compinit runs\n"
			"  kubectl konduktor completion zsh > ~/.zfunc/_kubectl-konduktor\n",
		.arg_choices = cmd_completion_shells,
	},
	{
		.name = "version",
		.run = cmd_version,
		.summary = "print the version",
		.usage = "version [-o json]",
		.help = "Examples:\n  kubectl konduktor version\n  kubectl konduktor version -o json\n",
		.options = cmd_version_options,
	},
	{ .name = NULL },
};
