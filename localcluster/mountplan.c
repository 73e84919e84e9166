/* mountplan.c — builds and performs the mount steps that give a container
 * its view of the file system (see mountplan.h for the approach). */
#include "mountplan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "strutil.h"
#include "xalloc.h"

/* Linux follows at most 40 symbolic links while resolving one path. */
#define MAX_SYMLINK_HOPS 40
#define ROOT_TMPFS_OPTIONS "mode=0755,size=64m"

/* What the container sees at one path, as far as the plan has changed it.
 * Every path the plan did not change is found through the nearest node
 * above it. */
enum view_kind {
	VIEW_DIR,      /* a directory in one of the plan's tmpfs mounts */
	VIEW_FILE,     /* an empty file in one of the plan's tmpfs mounts */
	VIEW_SYMLINK,  /* a symbolic link in a tmpfs; `host` holds its text */
	VIEW_HOST,     /* a host path bound here; everything below is the host's */
};

struct view_node {
	char *path;    /* container path, clean and absolute */
	enum view_kind kind;
	char *host;    /* VIEW_HOST: the host path; VIEW_SYMLINK: link text */
	bool writable; /* VIEW_HOST: a volume, so the plan may create inside it */
	bool mount;    /* VIEW_HOST: one of the container's mounts (not a re-bound host entry) */
	bool read_only;
};

struct view {
	struct view_node *nodes;
	size_t len;
	size_t cap;
};

enum entry_type { ENTRY_MISSING, ENTRY_DIR, ENTRY_FILE, ENTRY_SYMLINK };

struct entry {
	enum entry_type type;
	char *link;       /* ENTRY_SYMLINK: the link's text (owned) */
	char *host;       /* the host path behind a host-backed entry (owned), else NULL */
	bool host_backed; /* inside a VIEW_HOST node */
	bool writable;    /* host_backed inside a volume */
};

struct builder {
	struct mount_plan *plan;
	struct view view;
	struct error *err;
};

static void view_release(struct view *v)
{
	for (size_t i = 0; i < v->len; i++) {
		free(v->nodes[i].path);
		free(v->nodes[i].host);
	}
	free(v->nodes);
	v->nodes = NULL;
	v->len = v->cap = 0;
}

static void entry_release(struct entry *e)
{
	free(e->link);
	free(e->host);
	e->link = e->host = NULL;
}

/* True if `prefix` is `path` or one of its ancestors (component-wise). */
static bool path_is_within(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return true;
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

/* Container path `dir` + "/" + `name` without doubling the root slash. */
static char *child_path(const char *dir, const char *name)
{
	return !strcmp(dir, "/") ? xasprintf("/%s", name) : xasprintf("%s/%s", dir, name);
}

static char *target_of(const struct builder *b, const char *container_path)
{
	if (!strcmp(container_path, "/"))
		return xstrdup(b->plan->new_root);
	return xasprintf("%s%s", b->plan->new_root, container_path);
}

static struct mount_step *add_step(struct builder *b, enum mount_step_kind kind,
				   const char *container_path, const char *source)
{
	struct mount_plan *plan = b->plan;
	struct mount_step *step;

	if (plan->len == plan->cap) {
		plan->cap = plan->cap ? plan->cap * 2 : 32;
		plan->steps = xreallocarray(plan->steps, plan->cap, sizeof(*plan->steps));
	}
	step = &plan->steps[plan->len++];
	*step = (struct mount_step){
		.kind = kind,
		.source = source ? xstrdup(source) : NULL,
		.target = target_of(b, container_path),
		.container_path = xstrdup(container_path),
	};
	return step;
}

/* Records what the container sees at `path`, replacing what was recorded
 * there and, for a host bind, below it (the bind hides it). */
static void view_set(struct view *v, const char *path, enum view_kind kind, const char *host,
		     bool writable)
{
	size_t keep = 0;

	for (size_t i = 0; i < v->len; i++) {
		bool hidden = kind == VIEW_HOST ? path_is_within(v->nodes[i].path, path)
						: !strcmp(v->nodes[i].path, path);

		if (hidden) {
			free(v->nodes[i].path);
			free(v->nodes[i].host);
			continue;
		}
		v->nodes[keep++] = v->nodes[i];
	}
	v->len = keep;
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->nodes = xreallocarray(v->nodes, v->cap, sizeof(*v->nodes));
	}
	v->nodes[v->len++] = (struct view_node){
		.path = xstrdup(path),
		.kind = kind,
		.host = host ? xstrdup(host) : NULL,
		.writable = writable,
	};
}

/* The node for `path` itself or its nearest recorded ancestor. */
static const struct view_node *view_owner(const struct view *v, const char *path)
{
	const struct view_node *best = NULL;

	for (size_t i = 0; i < v->len; i++) {
		if (!path_is_within(path, v->nodes[i].path))
			continue;
		if (!best || strlen(v->nodes[i].path) > strlen(best->path))
			best = &v->nodes[i];
	}
	return best;
}

static int host_lookup(const char *host_path, struct entry *ret, struct error *err)
{
	struct stat st;

	if (lstat(host_path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return error_set_code(err, errno, "cannot inspect '%s': %s", host_path,
				      strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		char text[PATH_MAX];
		ssize_t n = readlink(host_path, text, sizeof(text) - 1);

		if (n < 0)
			return error_set_code(err, errno, "cannot read link '%s': %s", host_path,
					      strerror(errno));
		text[n] = '\0';
		ret->type = ENTRY_SYMLINK;
		ret->link = xstrdup(text);
	} else {
		ret->type = S_ISDIR(st.st_mode) ? ENTRY_DIR : ENTRY_FILE;
	}
	return 0;
}

/* What the container will see at `path` given the steps planned so far. */
static int view_lookup(const struct builder *b, const char *path, struct entry *ret)
{
	const struct view_node *owner = view_owner(&b->view, path);
	bool exact = !strcmp(owner->path, path);

	*ret = (struct entry){ .type = ENTRY_MISSING };
	switch (owner->kind) {
	case VIEW_DIR:
		/* Every entry of a plan-made directory has its own node. */
		if (exact)
			ret->type = ENTRY_DIR;
		return 0;
	case VIEW_FILE:
		if (exact)
			ret->type = ENTRY_FILE;
		return 0;
	case VIEW_SYMLINK:
		if (exact) {
			ret->type = ENTRY_SYMLINK;
			ret->link = xstrdup(owner->host);
		}
		return 0;
	case VIEW_HOST:
		break;
	}
	ret->host_backed = true;
	ret->writable = owner->writable;
	ret->host = exact ? xstrdup(owner->host)
			  : xasprintf("%s%s", owner->host, path + strlen(owner->path));
	return host_lookup(ret->host, ret, b->err);
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* Re-creates each entry of host directory `host_dir` under container path
 * `dir` (a fresh tmpfs): directories and files as bind mounts, symbolic
 * links as copies. Failures to bind are tolerated when the container runs. */
static int mirror_host_dir(struct builder *b, const char *host_dir, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(host_dir, &names, skip_dots, compare_names);
	int ret = 0;

	if (n < 0)
		return error_set_code(b->err, errno, "cannot list '%s': %s", host_dir,
				      strerror(errno));
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *host = path_join(host_dir, names[i]->d_name);
		_cleanup_free_ char *path = child_path(dir, names[i]->d_name);
		struct entry e = { .type = ENTRY_MISSING };

		if (ret == 0 && host_lookup(host, &e, b->err) < 0)
			ret = -1;
		if (ret == 0 && e.type == ENTRY_SYMLINK) {
			add_step(b, MOUNT_STEP_SYMLINK, path, e.link);
			view_set(&b->view, path, VIEW_SYMLINK, e.link, false);
		} else if (ret == 0 && e.type != ENTRY_MISSING) {
			struct mount_step *bind;

			add_step(b, e.type == ENTRY_DIR ? MOUNT_STEP_MKDIR : MOUNT_STEP_MKFILE, path,
				 NULL);
			bind = add_step(b, MOUNT_STEP_BIND, path, host);
			bind->recursive = e.type == ENTRY_DIR;
			bind->optional = true;
			view_set(&b->view, path, VIEW_HOST, host, false);
		}
		entry_release(&e);
		free(names[i]);
	}
	free(names);
	return ret;
}

static int ensure_path(struct builder *b, const char *path, bool file, char **ret_resolved);
static int bind_volume(struct builder *b, const char *resolved, const char *host, bool read_only);

/* Makes `dir`, a directory the host backs, into a tmpfs holding the same
 * entries, so that new entries can be added without touching the host.
 * Mounts planned inside `dir` before would be hidden by the tmpfs: they
 * are planned again on top of it, parents first. */
static int shadow_host_dir(struct builder *b, const char *dir, const char *host_dir)
{
	_cleanup_free_ char *host = xstrdup(host_dir);
	struct view_node *again = NULL;
	size_t n_again = 0;
	int ret;

	for (size_t i = 0; i < b->view.len; i++) {
		const struct view_node *v = &b->view.nodes[i];

		if (!v->mount || !strcmp(v->path, dir) || !path_is_within(v->path, dir))
			continue;
		again = xreallocarray(again, n_again + 1, sizeof(*again));
		again[n_again++] = (struct view_node){ .path = xstrdup(v->path),
						       .host = xstrdup(v->host),
						       .read_only = v->read_only };
	}
	add_step(b, MOUNT_STEP_TMPFS, dir, NULL);
	view_set(&b->view, dir, VIEW_DIR, NULL, false);
	ret = mirror_host_dir(b, host, dir);
	/* Shallower paths first: again[] came from the view in no order. */
	for (size_t i = 0; i < n_again; i++)
		for (size_t j = i + 1; j < n_again; j++)
			if (strlen(again[j].path) < strlen(again[i].path)) {
				struct view_node t = again[i];

				again[i] = again[j];
				again[j] = t;
			}
	for (size_t i = 0; i < n_again; i++) {
		struct stat st;
		_cleanup_free_ char *resolved = NULL;

		if (ret == 0 && (stat(again[i].host, &st) < 0 ||
				 ensure_path(b, again[i].path, !S_ISDIR(st.st_mode), &resolved) < 0 ||
				 bind_volume(b, resolved, again[i].host, again[i].read_only) < 0))
			ret = -1;
		free(again[i].path);
		free(again[i].host);
	}
	free(again);
	return ret;
}

/* Adds the missing `path` (a directory, or a file when `file`) in `parent`. */
static int create_entry(struct builder *b, const char *parent, const char *path, bool file)
{
	struct entry dir = { .type = ENTRY_MISSING };

	if (view_lookup(b, parent, &dir) < 0)
		return -1;
	if (dir.host_backed && !dir.writable && shadow_host_dir(b, parent, dir.host) < 0) {
		entry_release(&dir);
		return -1;
	}
	/* In a tmpfs of the plan, or inside a volume (whose directory is the
	 * pod's own): either way the new entry starts empty. */
	add_step(b, file ? MOUNT_STEP_MKFILE : MOUNT_STEP_MKDIR, path, NULL);
	view_set(&b->view, path, file ? VIEW_FILE : VIEW_DIR, NULL, false);
	entry_release(&dir);
	return 0;
}

/* Resolves container path `path` (following symbolic links as the kernel
 * will inside the container), creating what is missing: directories on the
 * way and, at the end, a directory or (when `file`) an empty file. */
static int ensure_path(struct builder *b, const char *path, bool file, char **ret_resolved)
{
	_cleanup_free_ char *remaining = path_clean(path);
	int hops = 0;

restart:
	for (_cleanup_free_ char *cur = xstrdup("/");;) {
		const char *rest = remaining + (strcmp(cur, "/") ? strlen(cur) : 0);
		const char *name, *end;
		_cleanup_free_ char *next = NULL;
		struct entry e;
		bool last;

		while (*rest == '/')
			rest++;
		if (!*rest) {
			*ret_resolved = TAKE_PTR(cur);
			return 0;
		}
		name = rest;
		end = strchrnul(name, '/');
		last = *end == '\0';
		{
			_cleanup_free_ char *component = xstrndup(name, (size_t)(end - name));

			next = child_path(cur, component);
		}
		if (view_lookup(b, next, &e) < 0)
			return error_prefix(b->err, "mount path '%s'", path);
		switch (e.type) {
		case ENTRY_SYMLINK: {
			_cleanup_free_ char *base = e.link[0] == '/' ? xstrdup(e.link)
								  : child_path(cur, e.link);
			_cleanup_free_ char *joined = xasprintf("%s/%s", base, end);

			entry_release(&e);
			if (++hops > MAX_SYMLINK_HOPS)
				return error_set_code(b->err, ELOOP,
						      "mount path '%s': too many levels of symbolic links",
						      path);
			free(remaining);
			remaining = path_clean(joined);
			goto restart;
		}
		case ENTRY_DIR:
			entry_release(&e);
			if (last && file)
				return error_set(b->err,
						 "mount path '%s': cannot mount a file onto a directory",
						 path);
			break;
		case ENTRY_FILE:
			entry_release(&e);
			if (!last)
				return error_set_code(b->err, ENOTDIR,
						      "mount path '%s': '%s' is not a directory", path,
						      next);
			if (!file)
				return error_set(b->err,
						 "mount path '%s': cannot mount a directory onto a file",
						 path);
			break;
		case ENTRY_MISSING:
			entry_release(&e);
			if (create_entry(b, cur, next, last && file) < 0)
				return -1;
			break;
		}
		/* Continue below `next`: `remaining` keeps its prefix, so `cur` = `next`. */
		free(cur);
		cur = TAKE_PTR(next);
		if (strncmp(remaining, cur, strlen(cur))) {
			/* Cannot happen: next is always a prefix of remaining. */
			return error_set(b->err, "mount path '%s': internal resolution error", path);
		}
	}
}

static size_t path_depth(const char *path)
{
	size_t depth = 0;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			depth++;
	return depth;
}

struct volume_order {
	const struct mount_plan_volume *volume;
	size_t index;
	size_t depth;
};

static int compare_depth(const void *a, const void *b)
{
	const struct volume_order *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int bind_volume(struct builder *b, const char *resolved, const char *host, bool read_only)
{
	struct mount_step *bind = add_step(b, MOUNT_STEP_BIND, resolved, host);

	bind->recursive = true;
	bind->read_only = read_only;
	view_set(&b->view, resolved, VIEW_HOST, host, !read_only);
	for (size_t i = 0; i < b->view.len; i++) {
		if (!strcmp(b->view.nodes[i].path, resolved)) {
			b->view.nodes[i].mount = true;
			b->view.nodes[i].read_only = read_only;
		}
	}
	return 0;
}

static int plan_volume(struct builder *b, const struct mount_plan_volume *v)
{
	_cleanup_free_ char *resolved = NULL;
	struct stat st;

	if (!v->container_path || v->container_path[0] != '/')
		return error_set(b->err, "mount path '%s' must be absolute",
				 v->container_path ? v->container_path : "");
	if (stat(v->host_path, &st) < 0)
		return error_set_code(b->err, errno, "volume source '%s': %s", v->host_path,
				      strerror(errno));
	if (ensure_path(b, v->container_path, !S_ISDIR(st.st_mode), &resolved) < 0)
		return -1;
	return bind_volume(b, resolved, v->host_path, v->read_only);
}

int mount_plan_build(struct mount_plan *plan, const char *host_root, const char *new_root,
		     const struct mount_plan_volume *volumes, size_t n_volumes,
		     const char *working_dir, struct error *err)
{
	struct builder b = { .plan = plan, .err = err };
	_cleanup_free_ struct volume_order *order = NULL;
	struct entry proc = { .type = ENTRY_MISSING };
	int ret = -1;

	*plan = (struct mount_plan)MOUNT_PLAN_INIT;
	plan->new_root = xstrdup(new_root);
	add_step(&b, MOUNT_STEP_TMPFS, "/", NULL);
	view_set(&b.view, "/", VIEW_DIR, NULL, false);
	if (mirror_host_dir(&b, host_root, "/") < 0)
		goto out;
	/* A fresh procfs shows the container's own PID namespace. */
	if (view_lookup(&b, "/proc", &proc) < 0)
		goto out;
	if (proc.type == ENTRY_DIR)
		add_step(&b, MOUNT_STEP_PROC, "/proc", NULL)->optional = true;
	entry_release(&proc);

	order = xcalloc(n_volumes ? n_volumes : 1, sizeof(*order));
	for (size_t i = 0; i < n_volumes; i++)
		order[i] = (struct volume_order){
			.volume = &volumes[i],
			.index = i,
			.depth = path_depth(volumes[i].container_path ? volumes[i].container_path : ""),
		};
	qsort(order, n_volumes, sizeof(*order), compare_depth);
	for (size_t i = 0; i < n_volumes; i++)
		if (plan_volume(&b, order[i].volume) < 0)
			goto out;
	if (!working_dir || !*working_dir) {
		plan->working_dir = xstrdup("/");
	} else if (working_dir[0] != '/') {
		error_set(err, "working directory '%s' must be absolute", working_dir);
		goto out;
	} else if (ensure_path(&b, working_dir, false, &plan->working_dir) < 0) {
		error_prefix(err, "working directory");
		goto out;
	}
	ret = 0;
out:
	view_release(&b.view);
	if (ret < 0)
		mount_plan_release(plan);
	return ret;
}

void mount_plan_release(struct mount_plan *plan)
{
	for (size_t i = 0; i < plan->len; i++) {
		free(plan->steps[i].source);
		free(plan->steps[i].target);
		free(plan->steps[i].container_path);
	}
	free(plan->steps);
	free(plan->new_root);
	free(plan->working_dir);
	*plan = (struct mount_plan)MOUNT_PLAN_INIT;
}

/* The flags a read-only remount must keep: in a user namespace the kernel
 * refuses to drop the source mount's nosuid/nodev/noexec/atime flags. */
static unsigned long locked_mount_flags(const char *target)
{
	struct statfs sf;
	unsigned long flags = 0;

	if (statfs(target, &sf) < 0)
		return 0;
	if (sf.f_flags & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sf.f_flags & ST_NODEV)
		flags |= MS_NODEV;
	if (sf.f_flags & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sf.f_flags & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sf.f_flags & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sf.f_flags & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

static int perform_step(const struct mount_step *s)
{
	int fd;

	switch (s->kind) {
	case MOUNT_STEP_TMPFS:
		return mount("tmpfs", s->target, "tmpfs", MS_NOSUID, ROOT_TMPFS_OPTIONS);
	case MOUNT_STEP_MKDIR:
		return mkdir(s->target, 0755) < 0 && errno != EEXIST ? -1 : 0;
	case MOUNT_STEP_MKFILE:
		fd = open(s->target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	case MOUNT_STEP_SYMLINK:
		return symlink(s->source, s->target);
	case MOUNT_STEP_BIND:
		if (mount(s->source, s->target, NULL, MS_BIND | (s->recursive ? MS_REC : 0), NULL) < 0)
			return -1;
		if (!s->read_only)
			return 0;
		return mount(NULL, s->target, NULL,
			     MS_BIND | MS_REMOUNT | MS_RDONLY | locked_mount_flags(s->target), NULL);
	case MOUNT_STEP_PROC:
		return mount("proc", s->target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	errno = EINVAL;
	return -1;
}

int mount_plan_execute(const struct mount_plan *plan, size_t *ret_failed)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		*ret_failed = plan->len;
		return -1;
	}
	for (size_t i = 0; i < plan->len; i++) {
		if (perform_step(&plan->steps[i]) == 0 || plan->steps[i].optional)
			continue;
		*ret_failed = i;
		return -1;
	}
	return 0;
}

int mount_plan_enter(const struct mount_plan *plan)
{
	if (chdir(plan->new_root) < 0)
		return -1;
	/* Stack the old root on the new one, then detach it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -1;
	if (umount2(".", MNT_DETACH) < 0)
		return -1;
	if (chdir("/") < 0)
		return -1;
	return chdir(plan->working_dir ? plan->working_dir : "/");
}

void mount_plan_describe_failure(const struct mount_plan *plan, size_t step, int errnum,
				 char *out, size_t size)
{
	const struct mount_step *s;

	if (step >= plan->len) {
		snprintf(out, size, "error making the mount namespace private: %s",
			 strerror(errnum));
		return;
	}
	s = &plan->steps[step];
	switch (s->kind) {
	case MOUNT_STEP_BIND:
		snprintf(out, size, "error mounting \"%s\" to rootfs at \"%s\": %s", s->source,
			 s->container_path, strerror(errnum));
		break;
	case MOUNT_STEP_TMPFS:
	case MOUNT_STEP_PROC:
		snprintf(out, size, "error mounting \"%s\" to rootfs at \"%s\": %s",
			 s->kind == MOUNT_STEP_PROC ? "proc" : "tmpfs", s->container_path,
			 strerror(errnum));
		break;
	default:
		snprintf(out, size, "error creating \"%s\" in rootfs: %s", s->container_path,
			 strerror(errnum));
		break;
	}
}
