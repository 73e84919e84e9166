/* main.c — kubectl-konduktor's entry point: dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "complete.h"
#include "exitcode.h"
#include "log.h"
#include "strutil.h"
#include "version.h"

static void print_usage(FILE *out)
{
	fputs("kubectl konduktor: run and collect machine-learning jobs on Kubernetes\n\n"
	      "Usage:\n  kubectl konduktor <command> [flags] [args]\n\nCommands:\n",
	      out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fputs("\nRun 'kubectl konduktor <command> --help' for a command's flags and examples.\n",
	      out);
}

int main(int argc, char **argv)
{
	const struct command *command;

	log_set_program("kubectl-konduktor");
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv);
	/* Hidden, as in cobra: what the completion scripts call. */
	if (!strcmp(argv[1], "__complete"))
		return complete_main(argc - 2, argv + 2, true);
	if (!strcmp(argv[1], "__completeNoDesc"))
		return complete_main(argc - 2, argv + 2, false);
	command = command_find(commands, argv[1]);
	if (!command || !command->run) {
		const char *names[64];
		size_t n = 0;
		const char *guess;

		for (const struct command *c = commands; c->name && n + 1 < 64; c++)
			names[n++] = c->name;
		names[n] = NULL;
		guess = command ? NULL : str_did_you_mean(argv[1], names);
		if (command)
			cli_error("command '%s' is not part of this build", argv[1]);
		else if (guess)
			cli_error("unknown command '%s' (did you mean '%s'?)", argv[1], guess);
		else
			cli_error("unknown command '%s'; see 'kubectl konduktor --help'", argv[1]);
		return EXIT_USAGE;
	}
	if (!command->subcommands && args_want_help(argc - 2, argv + 2)) {
		command_print_help(command, NULL, stdout);
		return EXIT_OK;
	}
	return command->run(argc - 1, argv + 1);
}
