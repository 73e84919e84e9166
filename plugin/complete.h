/* complete.h — shell completion for kubectl-konduktor. Given the words
 * typed after `kubectl konduktor` (the last one is the word under the
 * cursor, "" when it is a new word), it finds the candidates from the
 * command table (subcommands, each command's flags and argument kind) and
 * a cobra ShellCompDirective, and prints them the way kubectl's plugin
 * completion (kubectl_complete-<plugin>, kubectl >= 1.26) and cobra's
 * `__complete` protocol expect: one candidate per line, optionally
 * "candidate<TAB>description", then a last line ":<directive>". */
#ifndef KONDUKTOR_COMPLETE_H
#define KONDUKTOR_COMPLETE_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "strv.h"

/* cobra's ShellCompDirective bits (spf13/cobra completions.go). */
enum complete_directive {
	COMPLETE_DEFAULT = 0,        /* no directive: the shell may offer file names */
	COMPLETE_ERROR = 1,          /* an error occurred; ignore the candidates */
	COMPLETE_NO_SPACE = 2,       /* no space after the candidate */
	COMPLETE_NO_FILE = 4,        /* no file names when there is no candidate */
	COMPLETE_FILTER_FILE_EXT = 8, /* candidates are file extensions to offer */
	COMPLETE_FILTER_DIRS = 16,   /* offer directory names only */
	COMPLETE_KEEP_ORDER = 32,    /* keep the candidates' order */
};

/* Lists the names of cluster objects an argument of `kind` (COMPLETE_JOB,
 * COMPLETE_GROUP, COMPLETE_NAMESPACE) can take, in the cluster and
 * namespace that `flags` (the kubeconfig flags on the line being
 * completed) select. Appends to ret_names and returns 0, or -1 with err. */
typedef int (*complete_names_fn)(enum completion_kind kind, const struct cluster_flags *flags,
				 struct strv *ret_names, struct error *err);

struct completion {
	struct strv candidates; /* "value" or "value\tdescription" */
	unsigned directive;     /* enum complete_directive bits */
	/* Why the cluster could not be asked, when it could not (else ""). */
	struct error names_error;
};

void completion_init(struct completion *c);
void completion_release(struct completion *c);

/* Completes words[nwords - 1] after words[0 .. nwords - 2] against a
 * NULL-name ended command table, into `ret` (from completion_init()).
 * `list_names` may be NULL: job, group and namespace names then complete
 * to nothing. nwords == 0 completes "" at the top. */
void complete_words(const struct command *table, int nwords, char **words,
		    complete_names_fn list_names, struct completion *ret);

/* Prints the candidates one per line (descriptions cut off unless
 * with_descriptions), then ":<directive>". */
void completion_print(const struct completion *c, bool with_descriptions, FILE *out);

/* The real lister (complete_cluster.c): one bounded list request through
 * the kube/ client, with a short request timeout unless one is given. */
int complete_cluster_names(enum completion_kind kind, const struct cluster_flags *flags,
			   struct strv *ret_names, struct error *err);

/* The entry point of `kubectl_complete-konduktor ARGS…` and of the hidden
 * `kubectl-konduktor __complete ARGS…`: completes against `commands` and
 * prints. When BASH_COMP_DEBUG_FILE is set (cobra's convention), a reason
 * the cluster could not be asked is appended there. Returns 0. */
int complete_main(int argc, char **argv, bool with_descriptions);
/* complete_main() over another command table (tests/tools/complete-probe). */
int complete_run(const struct command *table, int argc, char **argv, bool with_descriptions);

/* The shell scripts `completion bash|zsh` prints, NUL-terminated
 * (plugin/completion/, embedded at build time). */
extern const char completion_script_bash[];
extern const char completion_script_zsh[];

#endif
