/* notifier.c — publishing the cache's changes and invalidating the
 * kernel's caches from one dedicated thread (see notifier.h). */
#include "notifier.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "threads.h"
#include "timeutil.h"
#include "xalloc.h"

/* How often unused log streams are looked for. */
#define REAP_INTERVAL_MS 5000

struct change {
	enum view_change kind;
	char *path;
};

struct notifier {
	struct konduktor_fs *fs;
	pthread_t thread;
	atomic_bool stopping;
	atomic_bool attached;
	atomic_ulong sent;
	/* Only the thread touches these. */
	struct change *changes;
	size_t n_changes, cap_changes;
	struct hashmap parents; /* directories to invalidate after a batch */
};

static void collect(enum view_change kind, const char *path, void *ctx)
{
	struct notifier *n = ctx;

	if (n->n_changes == n->cap_changes) {
		n->cap_changes = n->cap_changes ? n->cap_changes * 2 : 64;
		n->changes = xreallocarray(n->changes, n->cap_changes, sizeof(*n->changes));
	}
	n->changes[n->n_changes++] = (struct change){ kind, xstrdup(path) };
}

/* "a/b/c" -> parent "a/b", name "c"; "c" -> "", "c". */
static const char *split_path(char *path, const char **ret_parent)
{
	char *slash = strrchr(path, '/');

	if (!slash) {
		*ret_parent = "";
		return path;
	}
	*slash = '\0';
	*ret_parent = path;
	return slash + 1;
}

static void count_result(struct notifier *n, int rc, const char *what, const char *path)
{
	if (rc == 0)
		atomic_fetch_add(&n->sent, 1);
	else if (rc != -ENOENT)
		log_debug("%s %s: %s", what, path, strerror(-rc));
}

static void invalidate_inode(struct notifier *n, uint64_t ino, const char *path)
{
	count_result(n, fuse_lowlevel_notify_inval_inode(n->fs->session, ino, 0, 0),
		     "invalidating", path);
}

/* A logs file whose pod changed, held open: start the new pod's stream. */
static void prefetch_logs(struct notifier *n, const char *path)
{
	struct fs_node node;

	if (!fs_logs_is_open(n->fs, path) || fs_cache_resolve(n->fs->cache, path, &node) < 0)
		return;
	if (node.vnode && node.vnode->type == VNODE_LOGS && node.vnode->pod)
		log_registry_prefetch(n->fs->logs, node.view->ns->data, node.vnode->pod->data,
				      node.vnode->log_complete);
	fs_node_release(&node);
}

static void send_change(struct notifier *n, struct change *c)
{
	struct inode_table *inodes = n->fs->inodes;
	struct fuse_session *se = n->fs->session;
	uint64_t ino = inode_table_find(inodes, c->path), parent_ino;
	_cleanup_free_ char *copy = xstrdup(c->path);
	const char *parent, *name = split_path(copy, &parent);
	static const char *const kinds[] = { "added", "removed", "changed" };

	log_msg(5, "%s %s (inode %llu)", kinds[c->kind], c->path, (unsigned long long)ino);

	if (c->kind == VIEW_CHANGED) {
		if (ino)
			invalidate_inode(n, ino, c->path);
		if (!strcmp(name, "logs"))
			prefetch_logs(n, c->path);
		return;
	}
	parent_ino = inode_table_find(inodes, parent);
	if (!parent_ino)
		return; /* the kernel has never seen the directory */
	if (c->kind == VIEW_REMOVED && ino)
		count_result(n, fuse_lowlevel_notify_delete(se, parent_ino, ino, name, strlen(name)),
			     "deleting", c->path);
	else
		/* A new name may sit in the kernel's cache as a negative entry. */
		count_result(n, fuse_lowlevel_notify_inval_entry(se, parent_ino, name, strlen(name)),
			     "invalidating the entry", c->path);
	hashmap_put(&n->parents, parent, (void *)(uintptr_t)parent_ino);
}

static void send_changes(struct notifier *n)
{
	size_t pos = 0;
	const char *path;
	void *ino;
	bool names_changed = false;

	for (size_t i = 0; i < n->n_changes; i++) {
		send_change(n, &n->changes[i]);
		names_changed = names_changed || n->changes[i].kind != VIEW_CHANGED;
	}
	/* Directories whose entries changed: their listings and link counts. */
	while (hashmap_next(&n->parents, &pos, &path, &ino))
		invalidate_inode(n, (uint64_t)(uintptr_t)ino, path);
	hashmap_release(&n->parents);
	if (!names_changed)
		return;
	/* A lookup answered from before the change may have reached the
	 * kernel after the invalidation: once such lookups are over, the
	 * names are invalidated again (fs.h). */
	fs_lookups_drain(n->fs);
	for (size_t i = 0; i < n->n_changes; i++)
		if (n->changes[i].kind != VIEW_CHANGED)
			send_change(n, &n->changes[i]);
	hashmap_release(&n->parents);
}

static void *notifier_main(void *arg)
{
	struct notifier *n = arg;
	int64_t last_reap = time_mono_ms();

	while (!atomic_load(&n->stopping)) {
		fs_cache_wait(n->fs->cache, 1000);
		if (atomic_load(&n->stopping))
			break;
		fs_cache_refresh(n->fs->cache, time_real_ms(), collect, n);
		if (atomic_load(&n->attached))
			send_changes(n);
		for (size_t i = 0; i < n->n_changes; i++)
			free(n->changes[i].path);
		n->n_changes = 0;
		if (time_mono_ms() - last_reap >= REAP_INTERVAL_MS) {
			log_registry_reap(n->fs->logs);
			last_reap = time_mono_ms();
		}
	}
	return NULL;
}

struct notifier *notifier_start(struct konduktor_fs *fs, struct error *err)
{
	struct notifier *n = xcalloc(1, sizeof(*n));
	int rc;

	n->fs = fs;
	hashmap_init(&n->parents);
	rc = thread_start(&n->thread, notifier_main, n);
	if (rc != 0) {
		free(n);
		error_set(err, "cannot start the notifier thread: %s", strerror(rc));
		return NULL;
	}
	return n;
}

void notifier_attach(struct notifier *n)
{
	atomic_store(&n->attached, true);
}

void notifier_stop(struct notifier *n)
{
	if (!n)
		return;
	atomic_store(&n->stopping, true);
	fs_cache_interrupt(n->fs->cache);
	pthread_join(n->thread, NULL);
	for (size_t i = 0; i < n->n_changes; i++)
		free(n->changes[i].path);
	free(n->changes);
	hashmap_release(&n->parents);
	free(n);
}

unsigned long notifier_sent(struct notifier *n)
{
	return atomic_load(&n->sent);
}
