/* ops.c — the FUSE low-level operations of konduktor-fs: lookups,
 * attributes, directory listings and reads, all answered from the cache
 * (no API request) except logs files, which read their pod's log stream.
 * Everything that would change the tree fails with EROFS. */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define PATH_MAX_LEN 1024

void konduktor_fs_init(struct konduktor_fs *fs, struct fs_cache *cache,
		       struct log_registry *logs)
{
	memset(fs, 0, sizeof(*fs));
	fs->cache = cache;
	fs->logs = logs;
	fs->inodes = inode_table_new();
	fs->uid = getuid();
	fs->gid = getgid();
	fs->started_ms = time_real_ms();
	pthread_mutex_init(&fs->open_logs_lock, NULL);
	hashmap_init(&fs->open_logs);
	{
		/* The notifier must not wait behind a stream of lookups. */
		pthread_rwlockattr_t attr;

		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&fs->lookups, &attr);
		pthread_rwlockattr_destroy(&attr);
	}
}

void fs_lookups_drain(struct konduktor_fs *fs)
{
	pthread_rwlock_wrlock(&fs->lookups);
	pthread_rwlock_unlock(&fs->lookups);
}

void konduktor_fs_release(struct konduktor_fs *fs)
{
	inode_table_free(fs->inodes);
	hashmap_release(&fs->open_logs); /* counts, not pointers: nothing to free */
	pthread_mutex_destroy(&fs->open_logs_lock);
	pthread_rwlock_destroy(&fs->lookups);
	memset(fs, 0, sizeof(*fs));
}

static struct konduktor_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* --- open logs files (counted per path, for the notifier) ------------------ */

static void open_logs_count(struct konduktor_fs *fs, const char *path, int delta)
{
	uintptr_t count;

	pthread_mutex_lock(&fs->open_logs_lock);
	count = (uintptr_t)hashmap_get(&fs->open_logs, path);
	count = delta > 0 ? count + 1 : count - 1;
	if (count)
		hashmap_put(&fs->open_logs, path, (void *)count);
	else
		hashmap_remove(&fs->open_logs, path);
	pthread_mutex_unlock(&fs->open_logs_lock);
}

bool fs_logs_is_open(struct konduktor_fs *fs, const char *path)
{
	bool open;

	pthread_mutex_lock(&fs->open_logs_lock);
	open = hashmap_get(&fs->open_logs, path) != NULL;
	pthread_mutex_unlock(&fs->open_logs_lock);
	return open;
}

/* --- paths ----------------------------------------------------------------- */

/* The path of a child: "" + name, or parent + "/" + name; NULL when the
 * name cannot be in this tree. */
static char *child_path(const char *parent, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 255 || strchr(name, '/') || strlen(parent) + len + 2 > PATH_MAX_LEN)
		return NULL;
	return *parent ? xasprintf("%s/%s", parent, name) : xstrdup(name);
}

/* --- attributes -------------------------------------------------------------- */

static void set_times(struct stat *st, int64_t ms)
{
	st->st_mtim.tv_sec = ms / 1000;
	st->st_mtim.tv_nsec = (ms % 1000) * 1000000;
	st->st_atim = st->st_mtim;
	st->st_ctim = st->st_mtim;
}

/* Fills st for a resolved path; the timeout the kernel may keep it. */
static double fill_stat(struct konduktor_fs *fs, uint64_t ino, const struct fs_node *node,
			struct stat *st)
{
	double timeout = FS_ATTR_TIMEOUT_S;

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	if (node->listing) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2 + node->listing->len;
		set_times(st, node->listing->mtime_ms > fs->started_ms ? node->listing->mtime_ms
									: fs->started_ms);
		return timeout;
	}
	set_times(st, node->vnode->mtime_ms);
	switch (node->vnode->type) {
	case VNODE_DIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2 + vnode_subdirs(node->vnode);
		break;
	case VNODE_FILE:
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = (off_t)node->vnode->content->len;
		break;
	case VNODE_LOGS: {
		uint64_t size = 0;
		int64_t mtime_ms;

		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		/* The size is what has arrived so far: asked anew every time. */
		if (node->vnode->pod && log_registry_stat(fs->logs, node->view->ns->data,
							  node->vnode->pod->data, &size, &mtime_ms))
			set_times(st, mtime_ms > node->vnode->mtime_ms ? mtime_ms
								       : node->vnode->mtime_ms);
		st->st_size = (off_t)size;
		timeout = 0;
		break;
	}
	}
	st->st_blocks = (st->st_size + 511) / 512;
	return timeout;
}

/* --- lookups ------------------------------------------------------------------ */

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct konduktor_fs *fs = fs_of(req);
	_cleanup_free_ char *parent_path = inode_table_path(fs->inodes, parent);
	_cleanup_free_ char *path = NULL;
	struct fuse_entry_param e;
	struct fs_node node;

	if (!parent_path) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	path = child_path(parent_path, name);
	if (!path) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.entry_timeout = FS_ENTRY_TIMEOUT_S;
	/* Held until the kernel has the answer: see fs.h. */
	pthread_rwlock_rdlock(&fs->lookups);
	if (fs_cache_resolve(fs->cache, path, &node) < 0) {
		/* A negative entry, dropped by the notifier when the name appears. */
		fuse_reply_entry(req, &e);
		pthread_rwlock_unlock(&fs->lookups);
		return;
	}
	e.ino = inode_table_lookup(fs->inodes, path);
	e.generation = 1;
	e.attr_timeout = fill_stat(fs, e.ino, &node, &e.attr);
	fs_node_release(&node);
	if (fuse_reply_entry(req, &e) != 0)
		inode_table_forget(fs->inodes, e.ino, 1); /* the kernel did not take it */
	pthread_rwlock_unlock(&fs->lookups);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	inode_table_forget(fs_of(req)->inodes, ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct konduktor_fs *fs = fs_of(req);

	for (size_t i = 0; i < count; i++)
		inode_table_forget(fs->inodes, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* Resolves an inode the kernel holds; replies ENOENT and returns NULL when
 * it is gone (the job was deleted). */
static char *resolve_ino(fuse_req_t req, fuse_ino_t ino, struct fs_node *node)
{
	struct konduktor_fs *fs = fs_of(req);
	char *path = inode_table_path(fs->inodes, ino);

	if (!path || fs_cache_resolve(fs->cache, path, node) < 0) {
		free(path);
		fuse_reply_err(req, ENOENT);
		return NULL;
	}
	return path;
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_node node;
	_cleanup_free_ char *path = resolve_ino(req, ino, &node);
	struct stat st;
	double timeout;

	if (!path)
		return;
	timeout = fill_stat(fs_of(req), ino, &node, &st);
	fs_node_release(&node);
	fuse_reply_attr(req, &st, timeout);
}

/* --- directories ------------------------------------------------------------- */

/* What opendir took: the directory as it was then. */
struct open_dir {
	char *path;
	struct fs_node node;
};

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_dir *d = xcalloc(1, sizeof(*d));

	d->path = resolve_ino(req, ino, &d->node);
	if (!d->path) {
		free(d);
		return;
	}
	if (!d->node.listing && d->node.vnode->type != VNODE_DIR) {
		fs_node_release(&d->node);
		free(d->path);
		free(d);
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	/* The kernel keeps the listing until the notifier invalidates it. */
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	fi->fh = (uint64_t)(uintptr_t)d;
	if (fuse_reply_open(req, fi) != 0) {
		fs_node_release(&d->node);
		free(d->path);
		free(d);
	}
}

static size_t dir_len(const struct open_dir *d)
{
	return d->node.listing ? d->node.listing->len : d->node.vnode->dir.len;
}

static const char *dir_name(const struct open_dir *d, size_t i, mode_t *ret_mode)
{
	if (d->node.listing) {
		*ret_mode = S_IFDIR;
		return d->node.listing->names[i];
	}
	*ret_mode = d->node.vnode->dir.items[i].type == VNODE_DIR ? S_IFDIR : S_IFREG;
	return d->node.vnode->dir.items[i].name;
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct konduktor_fs *fs = fs_of(req);
	struct open_dir *d = (struct open_dir *)(uintptr_t)fi->fh;
	_cleanup_free_ char *out = xmalloc(size);
	size_t used = 0, n = dir_len(d);

	/* Offsets: 0 ".", 1 "..", 2 + i the i-th entry. */
	for (size_t i = off < 0 ? 0 : (size_t)off; i < n + 2; i++) {
		struct stat st;
		const char *name;
		size_t need;

		memset(&st, 0, sizeof(st));
		if (i < 2) {
			name = i == 0 ? "." : "..";
			st.st_mode = S_IFDIR;
			st.st_ino = i == 0 ? ino : INODE_ROOT;
		} else {
			mode_t mode;
			_cleanup_free_ char *path = NULL;

			name = dir_name(d, i - 2, &mode);
			path = child_path(d->path, name);
			st.st_mode = mode;
			st.st_ino = path ? inode_table_number(fs->inodes, path) : 0;
		}
		need = fuse_add_direntry(req, out + used, size - used, name, &st, (off_t)(i + 1));
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, out, used);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_dir *d = (struct open_dir *)(uintptr_t)fi->fh;

	fs_node_release(&d->node);
	free(d->path);
	free(d);
	fuse_reply_err(req, 0);
}

/* --- files --------------------------------------------------------------------- */

/* What open took: a file's content as it was then, or a logs file with
 * the stream of its current pod. */
struct open_file {
	struct blob *content; /* regular files */
	/* logs files */
	char *path;
	pthread_mutex_t lock;
	struct log_stream *stream;
};

static void open_file_free(struct konduktor_fs *fs, struct open_file *h)
{
	blob_unref(h->content);
	if (h->path) {
		log_stream_release(h->stream);
		open_logs_count(fs, h->path, -1);
		pthread_mutex_destroy(&h->lock);
		free(h->path);
	}
	free(h);
}

/* Points a logs handle at the stream of the pod its file names now (a
 * new attempt's pod replaces the old one's); keeps the old stream while
 * no pod is named. Under h->lock. 0, or -1 with err. */
static int follow_current_pod(struct konduktor_fs *fs, struct open_file *h, struct error *err)
{
	struct fs_node node;
	struct log_stream *fresh;
	int rc = 0;

	if (fs_cache_resolve(fs->cache, h->path, &node) < 0)
		return 0; /* the job is gone: keep what there is */
	if (node.vnode->type == VNODE_LOGS && node.vnode->pod &&
	    (!h->stream || strcmp(log_stream_pod(h->stream), node.vnode->pod->data) != 0)) {
		fresh = log_registry_open(fs->logs, node.view->ns->data, node.vnode->pod->data,
					  node.vnode->log_complete, err);
		if (fresh) {
			log_stream_release(h->stream);
			h->stream = fresh;
		} else {
			rc = -1;
		}
	}
	fs_node_release(&node);
	return rc;
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct konduktor_fs *fs = fs_of(req);
	struct fs_node node;
	_cleanup_free_ char *path = NULL;
	struct open_file *h;
	struct error err = ERROR_INIT;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	path = resolve_ino(req, ino, &node);
	if (!path)
		return;
	if (node.listing || node.vnode->type == VNODE_DIR) {
		fs_node_release(&node);
		fuse_reply_err(req, EISDIR);
		return;
	}
	h = xcalloc(1, sizeof(*h));
	if (node.vnode->type == VNODE_FILE) {
		h->content = blob_ref(node.vnode->content);
		/* A handle reads the content it opened (whole, never torn), so
		 * the kernel must not keep those bytes, nor learn a file's size
		 * from them: an old handle read after a change would otherwise
		 * leave old pages, or a shrunken size, for later readers. Sizes
		 * come from getattr, kept current by the notifier. */
		fi->direct_io = 1;
	} else {
		h->path = TAKE_PTR(path);
		pthread_mutex_init(&h->lock, NULL);
		open_logs_count(fs, h->path, +1);
		fi->direct_io = 1; /* its size is only what has arrived so far */
		pthread_mutex_lock(&h->lock);
		if (follow_current_pod(fs, h, &err) < 0) {
			pthread_mutex_unlock(&h->lock);
			log_msg(1, "open %s: %s", h->path, err.msg);
			open_file_free(fs, h);
			fs_node_release(&node);
			fuse_reply_err(req, err.code > 0 ? err.code : EIO);
			return;
		}
		pthread_mutex_unlock(&h->lock);
	}
	fs_node_release(&node);
	fi->fh = (uint64_t)(uintptr_t)h;
	if (fuse_reply_open(req, fi) != 0)
		open_file_free(fs, h);
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct konduktor_fs *fs = fs_of(req);
	struct open_file *h = (struct open_file *)(uintptr_t)fi->fh;
	struct error err = ERROR_INIT;
	_cleanup_free_ char *out = NULL;
	ssize_t n = 0;

	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (h->content) {
		size_t len = h->content->len;
		size_t start = (uint64_t)off < len ? (size_t)off : len;

		fuse_reply_buf(req, h->content->data + start,
			       size < len - start ? size : len - start);
		return;
	}
	out = xmalloc(size ? size : 1);
	pthread_mutex_lock(&h->lock);
	if (follow_current_pod(fs, h, &err) == 0 && h->stream)
		n = log_stream_read(h->stream, out, size, (uint64_t)off, &err);
	else if (err.msg[0])
		n = -1;
	pthread_mutex_unlock(&h->lock);
	if (n < 0) {
		log_msg(1, "read %s: %s", h->path, err.msg);
		fuse_reply_err(req, EIO);
		return;
	}
	fuse_reply_buf(req, out, (size_t)n);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	open_file_free(fs_of(req), (struct open_file *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	memset(&st, 0, sizeof(st));
	st.f_bsize = 4096;
	st.f_frsize = 4096;
	st.f_namemax = 255;
	st.f_files = inode_table_count(fs_of(req)->inodes);
	st.f_flag = ST_RDONLY | ST_NOSUID | ST_NODEV;
	fuse_reply_statfs(req, &st);
}

/* --- the tree is read-only ------------------------------------------------------ */

static void refuse(fuse_req_t req)
{
	fuse_reply_err(req, EROFS);
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	refuse(req);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	refuse(req);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	refuse(req);
}

static void fs_remove(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	refuse(req);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	refuse(req);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	refuse(req);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	refuse(req);
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	refuse(req);
}

static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	refuse(req);
}

static void fs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	refuse(req);
}

static void fs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	refuse(req);
}

static void fs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
			 struct fuse_file_info *fi)
{
	refuse(req);
}

const struct fuse_lowlevel_ops fs_ops = {
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
	.open = fs_open,
	.read = fs_read,
	.release = fs_release,
	.statfs = fs_statfs,
	.setattr = fs_setattr,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_remove,
	.rmdir = fs_remove,
	.symlink = fs_symlink,
	.rename = fs_rename,
	.link = fs_link,
	.write = fs_write,
	.create = fs_create,
	.setxattr = fs_setxattr,
	.removexattr = fs_removexattr,
	.fallocate = fs_fallocate,
};
