/* options.h — konduktor-fs's command line: kubectl's cluster flags (the
 * same as kubectl-konduktor's, lib/args.h), -f, -o and --log-file, and
 * the mount point. */
#ifndef KONDUKTOR_FUSEFS_OPTIONS_H
#define KONDUKTOR_FUSEFS_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "error.h"
#include "strv.h"

struct fs_options {
	struct cluster_flags cluster;
	bool foreground;
	bool allow_other; /* -o allow_other */
	bool allow_root;  /* -o allow_root */
	const char *log_file;
	bool help;
	char *mountpoint;
	struct strv mount_options; /* -o values as given */
};

void fs_options_init(struct fs_options *o);
void fs_options_release(struct fs_options *o);

/* Parses argv (argv[0] being the program); -1 with err for a usage error
 * (unknown flag or mount option, no or several mount points). With
 * --help, only o->help is meaningful. */
int fs_options_parse(struct fs_options *o, int argc, char **argv, struct error *err);

/* The flag table, for --help and the plugin's `mount --help`. */
const struct opt *fs_options_table(struct fs_options *o);
void fs_options_usage(FILE *out);

#endif
