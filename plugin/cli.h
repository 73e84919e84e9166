/* cli.h — the plugin's subcommand registry and the flags every command
 * that talks to a cluster shares. Each subcommand lives in cmd_<name>.c. */
#ifndef KONDUKTOR_CLI_H
#define KONDUKTOR_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <stdio.h>

#include "args.h"

/* A subcommand: argv[0] is the subcommand's own name. Returns the exit code
 * (lib/exitcode.h). */
typedef int (*command_fn)(int argc, char **argv);

/* What a command's positional arguments name, for shell completion. */
enum completion_kind {
	COMPLETE_NONE,
	COMPLETE_FILE,
	COMPLETE_DIR,
	COMPLETE_JOB,   /* job names from the cluster */
	COMPLETE_GROUP, /* group ids from the cluster */
	COMPLETE_NAMESPACE, /* namespace names from the cluster */
};

struct command {
	const char *name;
	command_fn run;
	const char *summary; /* one line for `kubectl konduktor --help` */
	const char *usage;   /* "launch [flags] TASK.yaml" */
	const char *help;    /* description and examples for `<command> --help` */
	/* The command's full flag table (cluster flags included), for --help and
	 * completion; NULL when it takes none. Commands keep their flag values
	 * in file-scope state so the table can be described without running. */
	const struct opt *(*options)(void);
	enum completion_kind args;
	/* The words a positional argument takes, when it is one of a fixed
	 * set ("bash", "zsh"): NULL-ended; completion offers them. */
	const char *const *arg_choices;
	/* For commands with subcommands ("group", "local"): NULL-name ended. */
	const struct command *subcommands;
};

/* A command's full flag table: its own flags, then the cluster flags bound
 * to `flags`, copied into `storage` (`cap` entries, which must suffice). */
const struct opt *cli_options_with_cluster(struct opt *storage, size_t cap, const struct opt *own,
					   struct cluster_flags *flags, bool with_all_namespaces);

/* Prints "error: <msg>" on stderr (the one place errors are printed). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Looks a command up by name in a NULL-name ended table. */
const struct command *command_find(const struct command *table, const char *name);
/* Prints `<command> --help`: usage, description/examples and flags. */
void command_print_help(const struct command *command, const char *parent, FILE *out);
/* True if argv (argc words) asks for help (-h/--help before any "--"). */
bool args_want_help(int argc, char **argv);
extern const struct command commands[];

int cmd_version(int argc, char **argv);
const struct opt *cmd_version_options(void);
int cmd_completion(int argc, char **argv);
extern const char *const cmd_completion_shells[];

int cmd_launch(int argc, char **argv);
const struct opt *cmd_launch_options(void);
int cmd_status(int argc, char **argv);
const struct opt *cmd_status_options(void);
int cmd_list(int argc, char **argv);
const struct opt *cmd_list_options(void);
int cmd_logs(int argc, char **argv);
const struct opt *cmd_logs_options(void);
int cmd_result(int argc, char **argv);
const struct opt *cmd_result_options(void);
int cmd_wait(int argc, char **argv);
const struct opt *cmd_wait_options(void);
int cmd_cancel(int argc, char **argv);
const struct opt *cmd_cancel_options(void);
int cmd_cleanup(int argc, char **argv);
const struct opt *cmd_cleanup_options(void);

int cmd_map(int argc, char **argv);
const struct opt *cmd_map_options(void);
int cmd_group(int argc, char **argv);
const struct opt *cmd_group_options(void);
extern const struct command group_subcommands[];

int cmd_mount(int argc, char **argv);
const struct opt *cmd_mount_options(void);
int cmd_umount(int argc, char **argv);

int cmd_local(int argc, char **argv);
const struct opt *cmd_local_options(void);
const struct opt *cmd_local_up_options(void);
const struct opt *cmd_local_down_options(void);
const struct opt *cmd_local_status_options(void);
extern const struct command local_subcommands[];

#endif
