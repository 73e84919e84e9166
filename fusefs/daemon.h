/* daemon.h — running konduktor-fs: the checks a user gets a clear error
 * from (mount point missing, not empty or already mounted, no /dev/fuse,
 * no cluster), going to the background once the tree is mounted, serving
 * until unmounted or signalled, and stopping cleanly.
 *
 * Without -f, the program forks before starting any thread; the child
 * does the work and tells the parent, through a pipe, when the tree is
 * mounted (the parent then exits 0) or why it could not be (the parent
 * prints it and exits with its code). */
#ifndef KONDUKTOR_FUSEFS_DAEMON_H
#define KONDUKTOR_FUSEFS_DAEMON_H

#include "options.h"

/* Runs the filesystem; returns the process exit code (lib/exitcode.h). */
int fs_daemon_run(const struct fs_options *options);

#endif
