/* cmd_completion.c — `kubectl konduktor completion bash|zsh`: prints the
 * shell completion script for kubectl-konduktor run directly. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "complete.h"
#include "exitcode.h"

const char *const cmd_completion_shells[] = { "bash", "zsh", NULL };

int cmd_completion(int argc, char **argv)
{
	static const struct opt no_options[] = { OPT_END };
	const struct opt *tables[] = { no_options, NULL };
	struct strv positionals = STRV_INIT;
	struct error err = ERROR_INIT;
	const char *script = NULL;
	int ret = EXIT_USAGE;

	if (args_parse("completion", tables, argc - 1, argv + 1, &positionals, &err) < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (positionals.len != 1) {
		cli_error("completion: name one shell: bash or zsh");
		goto out;
	}
	if (!strcmp(positionals.items[0], "bash"))
		script = completion_script_bash;
	else if (!strcmp(positionals.items[0], "zsh"))
		script = completion_script_zsh;
	if (!script) {
		cli_error("completion: unknown shell '%s' (use bash or zsh)", positionals.items[0]);
		goto out;
	}
	fputs(script, stdout);
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
out:
	strv_release(&positionals);
	return ret;
}
