/* cli.c — error printing and help for every subcommand. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

const struct opt *cli_options_with_cluster(struct opt *storage, size_t cap, const struct opt *own,
					   struct cluster_flags *flags, bool with_all_namespaces)
{
	const struct opt *cluster = cluster_flags_table(flags, with_all_namespaces);
	size_t n = 0;

	for (const struct opt *o = own; o && o->long_name; o++) {
		if (n + 1 >= cap)
			die("a command's flag table needs more than %zu entries", cap);
		storage[n++] = *o;
	}
	for (const struct opt *o = cluster; o->long_name; o++) {
		if (n + 1 >= cap)
			die("a command's flag table needs more than %zu entries", cap);
		storage[n++] = *o;
	}
	storage[n] = (struct opt)OPT_END;
	return storage;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const struct command *command_find(const struct command *table, const char *name)
{
	for (const struct command *c = table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

bool args_want_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

void command_print_help(const struct command *command, const char *parent, FILE *out)
{
	fprintf(out, "%s\n\nUsage:\n  kubectl konduktor %s%s%s\n", command->summary,
		parent ? parent : "", parent ? " " : "",
		command->usage ? command->usage : command->name);
	if (command->help)
		fprintf(out, "\n%s", command->help);
	if (command->subcommands) {
		fputs("\nCommands:\n", out);
		for (const struct command *c = command->subcommands; c->name; c++)
			fprintf(out, "  %-12s %s\n", c->name, c->summary);
	}
	fputs("\nFlags:\n", out);
	if (command->options)
		args_print_options(command->options(), out);
	fputs("  -h, --help                   show this help\n", out);
}
