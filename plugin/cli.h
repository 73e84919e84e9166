/* cli.h — the plugin's subcommand registry and the flags every command
 * that talks to a cluster shares. Each subcommand lives in cmd_<name>.c. */
#ifndef KONDUKTOR_CLI_H
#define KONDUKTOR_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "args.h"

/* A subcommand: argv[0] is the subcommand's own name. Returns the exit code
 * (lib/exitcode.h). */
typedef int (*command_fn)(int argc, char **argv);

struct command {
	const char *name;
	command_fn run;
	const char *summary; /* one line for `kubectl konduktor --help` */
};

/* The flags of kubectl's own that a command which talks to a cluster takes. */
struct cluster_flags {
	const char *kubeconfig;
	const char *context;
	const char *cluster;
	const char *user;
	const char *namespace;
	const char *server;
	const char *request_timeout; /* "30s", "1m", "0" as kubectl accepts */
	bool all_namespaces;
	int64_t verbosity;
};

/* The option table for struct cluster_flags (bound to `flags`); the
 * returned table is static and valid until the next call. */
const struct opt *cluster_flags_table(struct cluster_flags *flags, bool with_all_namespaces);

/* Prints "error: <msg>" on stderr (the one place errors are printed). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const struct command *command_find(const char *name);
extern const struct command commands[];

int cmd_version(int argc, char **argv);

#endif
