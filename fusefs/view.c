/* view.c — immutable file trees of jobs and groups, shared by reference,
 * and the comparison of two that drives the kernel's invalidations. */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "strutil.h"
#include "xalloc.h"

/* --- blobs --------------------------------------------------------------- */

struct blob *blob_new(const char *data, size_t len)
{
	struct blob *b = xmalloc(sizeof(*b) + len + 1);

	atomic_init(&b->refs, 1);
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

struct blob *blob_from_string(const char *s)
{
	return blob_new(s, strlen(s));
}

struct blob *blob_ref(struct blob *b)
{
	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

void blob_unref(struct blob *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
		free(b);
}

bool blob_equal(const struct blob *a, const struct blob *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* --- building ------------------------------------------------------------- */

static void vnode_release(struct vnode *node)
{
	switch (node->type) {
	case VNODE_DIR:
		for (size_t i = 0; i < node->dir.len; i++)
			vnode_release(&node->dir.items[i]);
		free(node->dir.items);
		break;
	case VNODE_FILE:
		blob_unref(node->content);
		break;
	case VNODE_LOGS:
		blob_unref(node->pod);
		break;
	}
}

static void vnode_init_dir(struct vnode *node, size_t capacity)
{
	node->type = VNODE_DIR;
	node->dir.items = capacity ? xcalloc(capacity, sizeof(*node->dir.items)) : NULL;
	node->dir.len = 0;
	node->dir.cap = capacity;
}

struct view *view_new(size_t capacity, int64_t now_ms)
{
	struct view *view = xcalloc(1, sizeof(*view));

	atomic_init(&view->refs, 1);
	vnode_init_dir(&view->root, capacity);
	view->root.mtime_ms = now_ms;
	return view;
}

static struct vnode *vnode_add(struct vnode *dir, const char *name, enum vnode_type type,
			       int64_t now_ms)
{
	struct vnode *node;

	if (dir->type != VNODE_DIR || dir->dir.len >= dir->dir.cap)
		die("view: directory has no room for '%s'", name);
	node = &dir->dir.items[dir->dir.len++];
	memset(node, 0, sizeof(*node));
	if (str_copy(node->name, sizeof(node->name), name) < 0)
		die("view: name '%s' is too long", name);
	node->type = type;
	node->mtime_ms = now_ms;
	return node;
}

struct vnode *vnode_add_dir(struct vnode *dir, const char *name, size_t capacity, int64_t now_ms)
{
	struct vnode *node = vnode_add(dir, name, VNODE_DIR, now_ms);

	vnode_init_dir(node, capacity);
	return node;
}

struct vnode *vnode_add_file(struct vnode *dir, const char *name, struct blob *content,
			     int64_t now_ms)
{
	struct vnode *node = vnode_add(dir, name, VNODE_FILE, now_ms);

	node->content = content;
	return node;
}

struct vnode *vnode_add_text(struct vnode *dir, const char *name, const char *text,
			     int64_t now_ms)
{
	return vnode_add_file(dir, name, blob_from_string(text), now_ms);
}

struct vnode *vnode_add_logs(struct vnode *dir, const char *name, struct blob *pod,
			     bool complete, int64_t now_ms)
{
	struct vnode *node = vnode_add(dir, name, VNODE_LOGS, now_ms);

	node->pod = pod;
	node->log_complete = complete;
	return node;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(((const struct vnode *)a)->name, ((const struct vnode *)b)->name);
}

static void vnode_seal(struct vnode *dir)
{
	if (dir->dir.len > 1)
		qsort(dir->dir.items, dir->dir.len, sizeof(*dir->dir.items), compare_names);
	for (size_t i = 0; i < dir->dir.len; i++)
		if (dir->dir.items[i].type == VNODE_DIR)
			vnode_seal(&dir->dir.items[i]);
}

void view_seal(struct view *view)
{
	vnode_seal(&view->root);
}

/* --- sharing --------------------------------------------------------------- */

struct view *view_ref(struct view *view)
{
	if (view)
		atomic_fetch_add_explicit(&view->refs, 1, memory_order_relaxed);
	return view;
}

void view_unref(struct view *view)
{
	if (view && atomic_fetch_sub_explicit(&view->refs, 1, memory_order_acq_rel) == 1) {
		vnode_release(&view->root);
		blob_unref(view->ns);
		free(view);
	}
}

/* --- reading --------------------------------------------------------------- */

const struct vnode *vnode_child(const struct vnode *dir, const char *name)
{
	size_t lo = 0, hi;

	if (!dir || dir->type != VNODE_DIR)
		return NULL;
	hi = dir->dir.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, dir->dir.items[mid].name);

		if (c == 0)
			return &dir->dir.items[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct vnode *view_walk(const struct view *view, const char *path)
{
	const struct vnode *node = &view->root;

	while (node && *path) {
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		char name[VNODE_NAME_MAX];

		if (len == 0 || len >= sizeof(name))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		node = vnode_child(node, name);
		path += len + (slash ? 1 : 0);
	}
	return node;
}

size_t vnode_subdirs(const struct vnode *dir)
{
	size_t n = 0;

	if (dir->type != VNODE_DIR)
		return 0;
	for (size_t i = 0; i < dir->dir.len; i++)
		n += dir->dir.items[i].type == VNODE_DIR;
	return n;
}

/* --- comparing ------------------------------------------------------------- */

struct inherit {
	view_change_fn fn;
	void *ctx;
	struct buf path; /* the path of the node being compared */
	size_t changes;
};

static void report(struct inherit *in, enum view_change change)
{
	in->changes++;
	if (in->fn)
		in->fn(change, in->path.data, in->ctx);
}

/* Appends "/name" to the path; returns the length to truncate back to. */
static size_t path_push(struct inherit *in, const char *name)
{
	size_t len = in->path.len;

	if (buf_putc(&in->path, '/') < 0 || buf_puts(&in->path, name) < 0)
		die("view: path too long");
	return len;
}

static bool same_names(const struct vnode *a, const struct vnode *b)
{
	if (a->dir.len != b->dir.len)
		return false;
	for (size_t i = 0; i < a->dir.len; i++)
		if (strcmp(a->dir.items[i].name, b->dir.items[i].name) != 0 ||
		    (a->dir.items[i].type == VNODE_DIR) != (b->dir.items[i].type == VNODE_DIR))
			return false;
	return true;
}

static void inherit_node(struct inherit *in, struct vnode *fresh, const struct vnode *old);

/* Both directories, sorted: walks them side by side. */
static void inherit_dir(struct inherit *in, struct vnode *fresh, const struct vnode *old)
{
	size_t i = 0, j = 0;

	if (same_names(fresh, old))
		fresh->mtime_ms = old->mtime_ms;
	else
		report(in, VIEW_CHANGED);
	while (i < fresh->dir.len || j < old->dir.len) {
		int c = i == fresh->dir.len ? 1
			: j == old->dir.len ? -1
					    : strcmp(fresh->dir.items[i].name, old->dir.items[j].name);
		size_t mark;

		if (c < 0) {
			mark = path_push(in, fresh->dir.items[i].name);
			report(in, VIEW_ADDED);
			buf_truncate(&in->path, mark);
			i++;
		} else if (c > 0) {
			mark = path_push(in, old->dir.items[j].name);
			report(in, VIEW_REMOVED);
			buf_truncate(&in->path, mark);
			j++;
		} else {
			mark = path_push(in, fresh->dir.items[i].name);
			inherit_node(in, &fresh->dir.items[i], &old->dir.items[j]);
			buf_truncate(&in->path, mark);
			i++;
			j++;
		}
	}
}

static void inherit_node(struct inherit *in, struct vnode *fresh, const struct vnode *old)
{
	if ((fresh->type == VNODE_DIR) != (old->type == VNODE_DIR)) {
		/* A file became a directory or back: gone, then new. */
		report(in, VIEW_REMOVED);
		report(in, VIEW_ADDED);
		return;
	}
	switch (fresh->type) {
	case VNODE_DIR:
		inherit_dir(in, fresh, old);
		return;
	case VNODE_FILE:
		if (old->type == VNODE_FILE && blob_equal(fresh->content, old->content)) {
			blob_unref(fresh->content);
			fresh->content = blob_ref(old->content);
			fresh->mtime_ms = old->mtime_ms;
			return;
		}
		break;
	case VNODE_LOGS:
		if (old->type == VNODE_LOGS && blob_equal(fresh->pod, old->pod) &&
		    fresh->log_complete == old->log_complete) {
			fresh->mtime_ms = old->mtime_ms;
			return;
		}
		break;
	}
	report(in, VIEW_CHANGED);
}

size_t view_inherit(struct view *fresh, const struct view *old, const char *base,
		    view_change_fn fn, void *ctx)
{
	struct inherit in = { .fn = fn, .ctx = ctx, .path = BUF_INIT(BUF_MAX_SMALL) };

	if (buf_puts(&in.path, base) < 0)
		die("view: path too long");
	if (fresh && old)
		inherit_node(&in, &fresh->root, &old->root);
	else if (fresh)
		report(&in, VIEW_ADDED);
	else if (old)
		report(&in, VIEW_REMOVED);
	buf_release(&in.path);
	return in.changes;
}
