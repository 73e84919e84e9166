/* view.h — what one job or group looks like as files: an immutable tree of
 * directories, files with their content, and logs files naming the pod
 * they stream from. A view is built whole from the cached objects, then
 * published and shared by readers through a reference count; the next one
 * replaces it, and comparing the two says which paths changed (for the
 * kernel's invalidations) and which files keep their modification time.
 *
 * Threads: a built view is never modified again (view_inherit() runs
 * before publication), so readers need no lock once they hold a reference. */
#ifndef KONDUKTOR_FUSEFS_VIEW_H
#define KONDUKTOR_FUSEFS_VIEW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Immutable bytes shared by reference (a file's content, a pod's name).
 * data[len] is always '\0'. */
struct blob {
	atomic_size_t refs;
	size_t len;
	char data[];
};

/* A new blob holding a copy of data[0..len), with one reference. */
struct blob *blob_new(const char *data, size_t len);
struct blob *blob_from_string(const char *s);
/* Takes a reference (NULL-safe) and returns b. */
struct blob *blob_ref(struct blob *b);
/* Drops a reference (NULL-safe), freeing the blob with the last one. */
void blob_unref(struct blob *b);
/* Same bytes (two NULLs are equal). */
bool blob_equal(const struct blob *a, const struct blob *b);

enum vnode_type {
	VNODE_DIR,
	VNODE_FILE,
	VNODE_LOGS, /* a pod's log, read from the API server on demand */
};

/* File names are short and fixed ("status", "result.json") or numbers. */
#define VNODE_NAME_MAX 24

struct vnode {
	char name[VNODE_NAME_MAX];
	enum vnode_type type;
	bool log_complete;   /* LOGS: the pod has ended, its log is complete */
	int64_t mtime_ms;    /* last change (real time), kept while unchanged */
	union {
		struct blob *content; /* FILE: never NULL */
		struct blob *pod;     /* LOGS: the pod's name; NULL before a container started */
		struct {
			struct vnode *items; /* sorted by name (strcmp) once sealed */
			size_t len, cap;
		} dir;
	};
};

struct view {
	atomic_size_t refs;
	struct blob *ns;   /* the job's or group's namespace, set before publication */
	struct vnode root; /* a directory; its name is unused */
};

/* --- building ------------------------------------------------------------ */

/* A new view with an empty root directory able to hold `capacity` entries. */
struct view *view_new(size_t capacity, int64_t now_ms);
/* Adds an entry to a directory made with room for it (dir.len < dir.cap,
 * checked: a builder's miscount is a bug that aborts). Names longer than
 * VNODE_NAME_MAX - 1 abort too. The returned node is valid until the
 * directory is sealed. */
struct vnode *vnode_add_dir(struct vnode *dir, const char *name, size_t capacity, int64_t now_ms);
/* Takes over `content` (one reference). */
struct vnode *vnode_add_file(struct vnode *dir, const char *name, struct blob *content,
			     int64_t now_ms);
struct vnode *vnode_add_text(struct vnode *dir, const char *name, const char *text,
			     int64_t now_ms);
/* Takes over `pod` (may be NULL). */
struct vnode *vnode_add_logs(struct vnode *dir, const char *name, struct blob *pod,
			     bool complete, int64_t now_ms);
/* Sorts every directory by name; call once the tree is complete. */
void view_seal(struct view *view);

/* --- sharing ------------------------------------------------------------- */

struct view *view_ref(struct view *view);
void view_unref(struct view *view);

/* --- reading ------------------------------------------------------------- */

/* The child of a directory by name (binary search), or NULL. */
const struct vnode *vnode_child(const struct vnode *dir, const char *name);
/* Walks a relative path ("ranks/0/status", "" for the root), or NULL. */
const struct vnode *view_walk(const struct view *view, const char *path);
/* Subdirectories of a directory (for its link count). */
size_t vnode_subdirs(const struct vnode *dir);

/* --- comparing ----------------------------------------------------------- */

enum view_change {
	VIEW_ADDED,   /* a path appeared (only the top of a new subtree is reported) */
	VIEW_REMOVED, /* a path went away (only the top of a removed subtree) */
	VIEW_CHANGED, /* a file's content, a logs file's pod, or a directory's entries */
};

/* Receives "<base>/<relative path>" ("<base>" itself for the root). */
typedef void (*view_change_fn)(enum view_change change, const char *path, void *ctx);

/* Prepares a freshly built view to replace `old` (either may be NULL):
 * unchanged files share old's content and keep its mtime, directories whose
 * entries did not change keep theirs, and every difference is reported
 * under `base`. Returns the number of changes reported. */
size_t view_inherit(struct view *fresh, const struct view *old, const char *base,
		    view_change_fn fn, void *ctx);

#endif
