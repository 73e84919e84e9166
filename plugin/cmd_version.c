/* cmd_version.c — `kubectl konduktor version`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "version.h"

static const char *output;
static const struct opt version_options[] = {
	{ "output", 'o', OPT_STRING, &output, "FORMAT", "json or short", NULL },
	OPT_END,
};

const struct opt *cmd_version_options(void)
{
	return version_options;
}

int cmd_version(int argc, char **argv)
{
	const struct opt *tables[] = { version_options, NULL };
	struct strv positionals = STRV_INIT;
	struct error err = ERROR_INIT;

	if (args_parse("version", tables, argc - 1, argv + 1, &positionals, &err) < 0) {
		cli_error("%s", err.msg);
		strv_release(&positionals);
		return EXIT_USAGE;
	}
	if (positionals.len) {
		cli_error("version: unexpected argument '%s'", positionals.items[0]);
		strv_release(&positionals);
		return EXIT_USAGE;
	}
	strv_release(&positionals);
	if (!output || !strcmp(output, "short")) {
		printf("kubectl-konduktor v%s\n", KONDUKTOR_VERSION);
	} else if (!strcmp(output, "json")) {
		printf("{\"version\":\"v%s\"}\n", KONDUKTOR_VERSION);
	} else {
		cli_error("version: unknown output format '%s' (use json or short)", output);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
