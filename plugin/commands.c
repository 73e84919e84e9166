/* commands.c — the table of subcommands, in the order --help lists them.
 * A command whose `run` is NULL is planned but not part of this build. */
#include <stddef.h>

#include "cli.h"
#include "groupcmd.h"

/* The result contract's exit codes (exitcode.h), for launch and result. */
#define OUTCOME_EXIT_CODES                                                                 \
	"Exit codes:\n"                                                                     \
	"  0   the job reported a result: its JSON is on stdout\n"                          \
	"  10  JobFailed: the task exited non-zero, was killed, or cannot start\n"           \
	"      (image pull failure, missing Secret): stderr has the reason and the last\n"   \
	"      lines of the failing pod's log\n"                                            \
	"  11  ResultTooLarge: result.json has more than 4096 bytes\n"                      \
	"  12  MalformedResult: result.json is not one JSON value\n"                        \
	"  13  NoResultReported: the task succeeded without writing result.json\n"          \
	"  14  Timeout: --timeout passed first (the job keeps running)\n"                   \
	"  16  the job was cancelled\n"                                                     \
	"  1   API or network error; 2 bad flags or task file; 3 no such job\n"

const struct command commands[] = {
	{
		.name = "launch",
		.run = cmd_launch,
		.summary = "launch a task as a Kubernetes Job or JobSet",
		.usage = "launch [flags] TASK.yaml",
		.help = "Turns a task file (docs/task-reference.md) into a job: a ConfigMap with its\n"
			"workdir and file_mounts, then a batch/v1 Job -- or, for num_nodes > 1, a\n"
			"JobSet where the cluster serves JobSets, else an Indexed Job with a headless\n"
			"Service -- which owns the rest, so 'cleanup' deletes everything. Flags\n"
			"override the file. Secrets named in the user config or with --secret must\n"
			"exist: a missing one stops the launch before anything is created.\n"
			"\n"
			"On a terminal it asks for confirmation first (-y skips it); when stdin is\n"
			"not a terminal (a script, a pipe) it does not ask.\n"
			"\n"
			"Then, by default, rank 0's log follows on stdout until the job ends, the\n"
			"result JSON after it, and the exit code is the outcome's. -d prints the\n"
			"job's name and returns at once. --wait prints only the result JSON on\n"
			"stdout (everything else on stderr). A job that cannot start (an image that\n"
			"cannot be pulled) ends the wait at once; an unschedulable one is announced\n"
			"and waited for, up to --timeout.\n"
			"\n"
			"--dry-run prints the objects (-o yaml, the default, or -o json) as one\n"
			"'kind: List' instead: --dry-run=client (the same as --dry-run) asks no\n"
			"cluster, so multi-node tasks are shown as a JobSet unless --jobset=never;\n"
			"--dry-run=server has the API server validate them (dryRun=All, strict\n"
			"fields) after the same checks as a launch.\n"
			"\n" OUTCOME_EXIT_CODES
			"\n"
			"Examples:\n"
			"  kubectl konduktor launch --wait task.yaml | jq .val_loss\n"
			"  job=$(kubectl konduktor launch -d -y task.yaml)\n"
			"  kubectl konduktor launch --num-nodes 2 --gpus H100:8 --env EPOCHS=3 train.yaml\n"
			"  kubectl konduktor launch --secret aws-creds:aws --max-restarts 3 train.yaml\n"
			"  kubectl konduktor launch --dry-run -o json task.yaml\n",
		.options = cmd_launch_options,
		.args = COMPLETE_FILE,
	},
	{
		.name = "status",
		.run = cmd_status,
		.summary = "show the state of jobs, with a reason you can act on",
		.usage = "status [JOB...] [flags]",
		.help = "Shows each job's state -- PENDING, RUNNING, SUCCEEDED, FAILED or NOT_FOUND --\n"
			"with a reason and the words of the component that knows: unschedulable\n"
			"(what is insufficient), image pull failure, crash loop, out of restarts,\n"
			"OOM-killed, evicted, cancelled. An image that cannot be pulled shows at once.\n"
			"Without JOB, every job of the namespace (-A: of every namespace).\n"
			"\n"
			"-o json|yaml prints JobStatus documents (one job: the document; several:\n"
			"a List), with one entry per rank; -o name prints the names; -o wide adds\n"
			"columns. The exit code is 3 when a named job does not exist (it is shown\n"
			"as NOT_FOUND).\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor status train-x7k2\n"
			"  kubectl konduktor status train-x7k2 -o json | jq -r .reason\n"
			"  kubectl konduktor status -A -o wide\n",
		.options = cmd_status_options,
		.args = COMPLETE_JOB,
	},
	{
		.name = "list",
		.run = cmd_list,
		.summary = "list jobs",
		.usage = "list [flags]",
		.help = "Lists the jobs launched with kubectl konduktor in the namespace (-A: in every\n"
			"namespace), found by their labels, as a table: NAME, STATE, REASON, NODES,\n"
			"RESTARTS and AGE; -o wide adds KIND, TASK, OUTCOME and MESSAGE. -l narrows\n"
			"the list by label, as kubectl's selectors do.\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor list\n"
			"  kubectl konduktor list -A -o wide\n"
			"  kubectl konduktor list -l kueue.x-k8s.io/queue-name=user-queue -o name\n",
		.options = cmd_list_options,
	},
	{
		.name = "logs",
		.run = cmd_logs,
		.summary = "print or follow a job's logs",
		.usage = "logs JOB [-f] [--tail N] [--rank R] [flags]",
		.help = "Prints the log of one rank's latest attempt (rank 0 unless --rank). With -f\n"
			"it follows: it waits for a pod that has not started yet, streams each\n"
			"attempt as it runs (a line on stderr marks a restart), and ends when the\n"
			"job ends. An image that cannot be pulled or a pod that cannot be scheduled\n"
			"is said on stderr while it waits.\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor logs train-x7k2\n"
			"  kubectl konduktor logs -f train-x7k2\n"
			"  kubectl konduktor logs train-x7k2 --rank 1 --tail 20\n",
		.options = cmd_logs_options,
		.args = COMPLETE_JOB,
	},
	{
		.name = "result",
		.run = cmd_result,
		.summary = "print a job's result JSON",
		.usage = "result JOB [--timeout DURATION] [flags]",
		.help = "Prints the JSON the job wrote to $KONDUKTOR_OUTPUT_DIR/result.json, alone on\n"
			"stdout, waiting for the job to end if it has not (by watching it; --timeout\n"
			"bounds the wait). A job that cannot start (its image cannot be pulled) ends\n"
			"the wait at once. Once read, the result is recorded on the Job, so it\n"
			"answers after the pods are deleted, from any machine with the kubeconfig.\n"
			"Every other outcome is one line on stderr and its own exit code.\n"
			"\n" OUTCOME_EXIT_CODES
			"\n"
			"Examples:\n"
			"  kubectl konduktor result train-x7k2\n"
			"  kubectl konduktor result train-x7k2 --timeout 10m | jq .val_loss\n",
		.options = cmd_result_options,
		.args = COMPLETE_JOB,
	},
	{
		.name = "wait",
		.run = cmd_wait,
		.summary = "wait for a job to end; prints succeeded or failed",
		.usage = "wait JOB [--timeout DURATION] [flags]",
		.help = "Waits, by watching the job, until it ends, then prints succeeded or failed.\n"
			"It does not read the result (see 'result'). A job that cannot start (its\n"
			"image cannot be pulled, a Secret it needs is missing) ends the wait at once;\n"
			"an unschedulable one is reported on stderr and waited for, since room may\n"
			"come.\n"
			"\n"
			"Exit codes:\n"
			"  0   succeeded\n"
			"  10  failed (stderr says why), or cannot start\n"
			"  14  --timeout passed first (the job keeps running)\n"
			"  16  the job was cancelled (prints failed)\n"
			"  1   API or network error; 2 bad flags; 3 no such job\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor wait train-x7k2\n"
			"  kubectl konduktor wait train-x7k2 --timeout 1h && echo done\n",
		.options = cmd_wait_options,
		.args = COMPLETE_JOB,
	},
	{
		.name = "cancel",
		.run = cmd_cancel,
		.summary = "stop a running job",
		.usage = "cancel JOB [--timeout DURATION] [flags]",
		.help = "Stops a job: marks it cancelled (annotation konduktor.io/cancelled-at) and\n"
			"suspends it in one patch, so the Job or JobSet controller stops its pods\n"
			"(SIGTERM, which the pod wrapper passes to the task), then waits until none\n"
			"of its pods runs. The job stays readable: 'status' says FAILED, Cancelled;\n"
			"'result' and 'wait' exit with 16. A job that has ended already is left as it\n"
			"is. 'cleanup' deletes it.\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor cancel train-x7k2\n"
			"  kubectl konduktor cancel train-x7k2 && kubectl konduktor cleanup train-x7k2\n",
		.options = cmd_cancel_options,
		.args = COMPLETE_JOB,
	},
	{
		.name = "cleanup",
		.run = cmd_cleanup,
		.summary = "delete a job and everything it created",
		.usage = "cleanup JOB [flags]",
		.help = "Deletes the job's Job or JobSet with Background propagation: its pods, its\n"
			"files ConfigMap and headless Service go with it (they are owned by it), and\n"
			"its recorded result too. Objects of the job that a broken launch left\n"
			"without an owner are found by label and deleted. Cleaning up a job that\n"
			"does not exist says so and succeeds.\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor cleanup train-x7k2\n"
			"  kubectl konduktor list -o name | xargs -n1 kubectl konduktor cleanup\n",
		.options = cmd_cleanup_options,
		.args = COMPLETE_JOB,
	},
	{
		.name = "map",
		.run = cmd_map,
		.summary = "run a task over many inputs as a group",
		.usage = "map TASK.yaml --inputs FILE|- [flags]",
		.help = "Runs the task once per input as a group, grp-<8 hex>, and prints the group id\n"
			"(with --wait: the results). The group lives in the cluster as one Indexed Job\n"
			"and a few ConfigMaps, so map may exit at once and any machine with the\n"
			"kubeconfig can follow it ('kubectl konduktor group results GROUP').\n"
			"\n"
			"Inputs (--inputs FILE, or - for stdin): JSON lines, or one JSON array. Every\n"
			"input is checked before anything is created; a malformed one is reported\n"
			"with its line. --input-mode decides how an input reaches run:\n"
			"  kwargs  an object's members become environment variables ($lr)\n"
			"  args    an array's items become positional parameters ($1, $2, ...)\n"
			"  single  the input is $1 (a string as its characters, else its JSON)\n"
			"  auto    kwargs for an object with identifier keys, args for an array,\n"
			"          else single (the default)\n"
			"Every input is also in KONDUKTOR_INPUT (its JSON) and the file named by\n"
			"KONDUKTOR_INPUT_FILE. Inputs are data: they never run as shell.\n"
			"\n"
			"Policy, as Kinetic's batched jobs: --max-concurrent inputs run at once;\n"
			"each gets 1 + --retries attempts (RESTART_ATTEMPT counts from 0). With\n"
			"--fail-fast, no input starts once one has failed for good and running ones\n"
			"finish; this needs a follower (map --wait, group results or group status):\n"
			"when nothing follows, every input runs. With --fail-fast\n"
			"--cancel-running-on-fail the running ones are stopped too, by Kubernetes\n"
			"itself. Details: docs/groups.md.\n"
			"\n"
			"With --wait, map prints one JSON line per input as 'group results' does:\n"
			"  {\"index\":0,\"attempts\":1,\"result\":{\"val_loss\":0.42}}\n"
			"in input order (--as-completed: as they finish); failed inputs only with\n"
			"--return-exceptions. On a terminal a progress line shows on stderr.\n"
			GROUPCMD_RESULTS_HELP_EXIT
			"\n"
			"Examples:\n"
			"  kubectl konduktor map sweep.yaml --inputs params.jsonl\n"
			"  kubectl konduktor map sweep.yaml --inputs params.jsonl --wait | jq -c .result\n"
			"  seq 0 99 | kubectl konduktor map shard.yaml --inputs - --max-concurrent 8\n"
			"  kubectl konduktor map eval.yaml --inputs grid.json --retries 2 --fail-fast\n"
			"  kubectl konduktor map sweep.yaml --inputs params.jsonl --dry-run=server -o json\n",
		.options = cmd_map_options,
		.args = COMPLETE_FILE,
	},
	{
		.name = "group",
		.run = cmd_group,
		.summary = "list, follow, cancel and clean up groups",
		.usage = "group list|status|results|cancel|cleanup [GROUP] [flags]",
		.help = "A group is one task mapped over many inputs ('kubectl konduktor map').\n"
			"Its id, grp-<8 hex>, is all another machine needs to follow it.\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor group list\n"
			"  kubectl konduktor group status grp-1a2b3c4d -o wide\n"
			"  kubectl konduktor group results grp-1a2b3c4d --as-completed\n"
			"  kubectl konduktor group cancel grp-1a2b3c4d\n"
			"  kubectl konduktor group cleanup grp-1a2b3c4d\n",
		.options = cmd_group_options,
		.subcommands = group_subcommands,
	},
	{
		.name = "mount",
		.run = cmd_mount,
		.summary = "mount jobs and groups as a live directory tree",
		.usage = "mount [flags] DIR",
		.help = "Shows the namespace's jobs and groups (-A: every namespace, one directory\n"
			"each) as a read-only tree at DIR, kept current by watching the cluster:\n"
			"  <job>/status, result.json, error, logs, task.yaml, ranks/<i>/\n"
			"  grp-xxxxxxxx/status, results.jsonl, inputs.jsonl, <index>/\n"
			"Reading status, results and listings makes no API request; logs stream\n"
			"from the API server. Runs konduktor-fs (see 'konduktor-fs --help' and\n"
			"docs/filesystem.md) and returns once the tree is mounted, the daemon\n"
			"serving in the background (-f: in the foreground). DIR must exist and be\n"
			"empty, and the cluster must answer. The tree is private to you unless\n"
			"-o allow_other (which needs user_allow_other in /etc/fuse.conf, or root).\n"
			"\n"
			"Examples:\n"
			"  mkdir -p ~/jobs && kubectl konduktor mount ~/jobs\n"
			"  cat ~/jobs/train-x7k2/result.json\n"
			"  tail -f ~/jobs/train-x7k2/logs\n"
			"  watch ls ~/jobs/grp-1a2b3c4d\n"
			"  kubectl konduktor umount ~/jobs\n",
		.options = cmd_mount_options,
		.args = COMPLETE_DIR,
	},
	{
		.name = "umount",
		.run = cmd_umount,
		.summary = "unmount a konduktor-fs mount",
		.usage = "umount DIR",
		.help = "Unmounts the tree at DIR lazily (as fusermount3 -u -z): at once, even while\n"
			"a program still reads in it, and also when its daemon has died (a mount\n"
			"that answers 'Transport endpoint is not connected'). Anything mounted at\n"
			"DIR other than konduktor-fs is left alone.\n"
			"\n"
			"Examples:\n"
			"  kubectl konduktor umount ~/jobs\n",
		.args = COMPLETE_DIR,
	},
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
