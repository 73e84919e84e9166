/* notifier.h — the thread that publishes what the informers brought and
 * tells the kernel: it rebuilds queued jobs (fs_cache_refresh) as soon as
 * they are queued, then sends FUSE invalidations for every path that
 * changed, appeared or went — from this thread, never from a request
 * handler, where they could deadlock. It also starts the log stream of a
 * new pod when its logs file is held open (so `tail -f` sees it grow) and
 * frees log streams nobody uses. */
#ifndef KONDUKTOR_FUSEFS_NOTIFIER_H
#define KONDUKTOR_FUSEFS_NOTIFIER_H

#include "error.h"
#include "fs.h"

struct notifier;

/* Starts refreshing at once; invalidations are sent once fs->session is
 * set and notifier_attach() called (before that the kernel knows nothing
 * to invalidate). */
struct notifier *notifier_start(struct konduktor_fs *fs, struct error *err);
void notifier_attach(struct notifier *notifier);
/* Stops the thread (promptly) and frees it. */
void notifier_stop(struct notifier *notifier);

/* Invalidations sent so far (for the daemon's debug log). */
unsigned long notifier_sent(struct notifier *notifier);

#endif
