/* fs.h — the running filesystem: the cache it serves from, the kernel's
 * inode numbers, the log streams, and the FUSE operations over them.
 *
 * Request handlers (fs_ops) only read the cache and the inode table;
 * changes reach the kernel from the notifier thread (notifier.h). Every
 * file is read-only: writes, creates, renames and removals fail with
 * EROFS (the mount is also made read-only, so the kernel refuses most of
 * them before they arrive). */
#ifndef KONDUKTOR_FUSEFS_FS_H
#define KONDUKTOR_FUSEFS_FS_H

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cache.h"
#include "hashmap.h"
#include "inodes.h"
#include "logstream.h"

/* How long the kernel may keep names and attributes without asking:
 * long, because every change is invalidated as it happens. Logs files are
 * asked every time (their size grows as the log arrives). */
#define FS_ENTRY_TIMEOUT_S 3600.0
#define FS_ATTR_TIMEOUT_S 3600.0

struct konduktor_fs {
	struct fs_cache *cache;
	struct inode_table *inodes;
	struct log_registry *logs;
	struct fuse_session *session; /* set once mounted */
	uid_t uid;
	gid_t gid;
	int64_t started_ms;           /* the mount root's times */

	pthread_mutex_t open_logs_lock;
	struct hashmap open_logs;     /* path of an open logs file -> its open count */

	/* Lookups hold it (read) from resolving a name until the kernel has
	 * the answer. A lookup that resolved a name just before a change and
	 * answers just after its invalidation would leave the old answer
	 * (say, "no such job") in the kernel's cache for FS_ENTRY_TIMEOUT_S;
	 * so the notifier invalidates names, waits for such lookups to end
	 * (fs_lookups_drain) and invalidates them again. */
	pthread_rwlock_t lookups;
};

void konduktor_fs_init(struct konduktor_fs *fs, struct fs_cache *cache,
		       struct log_registry *logs);
void konduktor_fs_release(struct konduktor_fs *fs);

/* The FUSE low-level operations; their userdata is a struct konduktor_fs. */
extern const struct fuse_lowlevel_ops fs_ops;

/* Waits until every lookup that is being answered has been answered. */
void fs_lookups_drain(struct konduktor_fs *fs);

/* Whether someone holds the logs file at `path` open. */
bool fs_logs_is_open(struct konduktor_fs *fs, const char *path);

#endif
