/* args.h — kubectl-style option parsing, shared by kubectl-konduktor's
 * subcommands and konduktor-fs: `--flag value`, `--flag=value`,
 * `-n value`, `-nvalue`, bundled short booleans (`-yd`), `--` to end
 * options, flags anywhere among positionals. An unknown flag is a usage
 * error with a did-you-mean suggestion. Also kubectl's own flags (the
 * kubeconfig, context, namespace ...) as one table, so every program that
 * talks to a cluster takes them alike. */
#ifndef KONDUKTOR_ARGS_H
#define KONDUKTOR_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "strv.h"

enum opt_type {
	OPT_BOOL,     /* bool *; "--x=false" is accepted */
	OPT_STRING,   /* const char ** (points into argv; not owned) */
	OPT_INT,      /* int64_t *; must be a whole number */
	OPT_STRV,     /* struct strv *; repeatable, each use appends */
	/* const char **: a value only when attached ("--dry-run=server");
	 * the flag alone sets "" (the command's default choice), and the next
	 * word is never taken as its value. */
	OPT_OPTIONAL,
};

struct opt {
	const char *long_name; /* without "--"; NULL ends a table */
	char short_name;       /* 0 if none */
	enum opt_type type;
	void *target;
	/* For help: "FILE", "N". Shell completion reads it too: a name ending
	 * in FILE completes file names, in DIR directory names, and "a|b|c"
	 * offers those values. */
	const char *value_name;
	const char *help;
	bool *was_set; /* optional: set true when the flag appears */
};

#define OPT_END { NULL, 0, OPT_BOOL, NULL, NULL, NULL, NULL }

/* Parses argv[0..argc) against the NULL-terminated list of tables; every
 * non-option word is appended to `positionals`. Returns 0, or -1 with err
 * naming the flag. `command` names the subcommand in messages. */
int args_parse(const char *command, const struct opt *const *tables, int argc, char **argv,
	       struct strv *positionals, struct error *err);

/* Writes the option lines of a help text ("  -n, --namespace NS  ..."). */
void args_print_options(const struct opt *table, FILE *out);

/* The flags of kubectl's own that a program which talks to a cluster takes. */
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

#endif
