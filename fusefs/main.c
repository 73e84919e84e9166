/* main.c — konduktor-fs's entry point: parses the command line and runs
 * the daemon (daemon.h). */
#include <malloc.h>
#include <stdio.h>

#include "daemon.h"
#include "exitcode.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct fs_options options;
	struct error err = ERROR_INIT;
	int code;

	/* Informer, notifier, FUSE and log threads would each get an arena of
	 * their own: two keep the daemon's memory (docs/filesystem.md) from
	 * growing with fragmentation between them. */
	mallopt(M_ARENA_MAX, 2);
	fs_options_init(&options);
	if (fs_options_parse(&options, argc, argv, &err) < 0) {
		fprintf(stderr, "error: %s\nRun 'konduktor-fs --help' for the flags.\n", err.msg);
		fs_options_release(&options);
		return EXIT_USAGE;
	}
	if (options.help) {
		fs_options_usage(stdout);
		fs_options_release(&options);
		return EXIT_OK;
	}
	code = fs_daemon_run(&options);
	fs_options_release(&options);
	return code;
}
