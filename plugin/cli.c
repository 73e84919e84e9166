/* cli.c — shared flag tables and error printing for every subcommand. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"

const struct opt *cluster_flags_table(struct cluster_flags *flags, bool with_all_namespaces)
{
	static struct opt table[16];
	size_t n = 0;

	table[n++] = (struct opt){ "kubeconfig", 0, OPT_STRING, &flags->kubeconfig, "FILE",
				   "path to the kubeconfig file to use", NULL };
	table[n++] = (struct opt){ "context", 0, OPT_STRING, &flags->context, "NAME",
				   "the kubeconfig context to use", NULL };
	table[n++] = (struct opt){ "cluster", 0, OPT_STRING, &flags->cluster, "NAME",
				   "the kubeconfig cluster to use", NULL };
	table[n++] = (struct opt){ "user", 0, OPT_STRING, &flags->user, "NAME",
				   "the kubeconfig user to use", NULL };
	table[n++] = (struct opt){ "namespace", 'n', OPT_STRING, &flags->namespace, "NS",
				   "the namespace to use", NULL };
	table[n++] = (struct opt){ "server", 's', OPT_STRING, &flags->server, "URL",
				   "the address of the API server", NULL };
	table[n++] = (struct opt){ "request-timeout", 0, OPT_STRING, &flags->request_timeout,
				   "DURATION", "time limit for one API request (e.g. 30s; 0 = none)",
				   NULL };
	table[n++] = (struct opt){ "v", 'v', OPT_INT, &flags->verbosity, "N",
				   "log verbosity (4 debug, 6 requests, 8 bodies)", NULL };
	if (with_all_namespaces)
		table[n++] = (struct opt){ "all-namespaces", 'A', OPT_BOOL, &flags->all_namespaces,
					   NULL, "act on every namespace", NULL };
	table[n] = (struct opt)OPT_END;
	return table;
}

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
	if (command->options) {
		fputs("\nFlags:\n", out);
		args_print_options(command->options(), out);
	}
	fputs("  -h, --help                   show this help\n", out);
}
