/* mountplan.h — the file system a container sees, as a list of steps.
 *
 * A container of the local cluster sees the host's file system with its
 * volumes bound at their mountPaths. A mountPath may not exist on the host
 * (/konduktor/output, /dev/termination-log) and a private mount namespace
 * cannot mount onto a missing path; rather than create it in the host's
 * directories, the plan puts a tmpfs over the nearest host directory on the
 * way ("shadows" it), re-binds that directory's entries into the tmpfs and
 * adds the missing path there. The new root itself is such a shadow of "/".
 *
 * mount_plan_build() runs in the process runner before the container's
 * process is cloned and may allocate; mount_plan_execute() runs in the
 * cloned child, inside its new mount namespace, and only makes system
 * calls (no allocation, no locks), so it is safe after clone(). */
#ifndef KONDUKTOR_MOUNTPLAN_H
#define KONDUKTOR_MOUNTPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum mount_step_kind {
	MOUNT_STEP_TMPFS,   /* an empty tmpfs at target */
	MOUNT_STEP_MKDIR,   /* a directory at target */
	MOUNT_STEP_MKFILE,  /* an empty file at target (a bind mount point) */
	MOUNT_STEP_SYMLINK, /* a symbolic link at target whose text is source */
	MOUNT_STEP_BIND,    /* bind source (a host path) at target */
	MOUNT_STEP_PROC,    /* a fresh procfs at target (the container's PID namespace) */
};

struct mount_step {
	enum mount_step_kind kind;
	char *source;          /* BIND: host path; SYMLINK: link text; else NULL */
	char *target;          /* host-side path under the new root */
	char *container_path;  /* where the container sees target, for messages */
	bool recursive;        /* BIND: MS_REC */
	bool read_only;        /* BIND: remounted read-only */
	bool optional;         /* a failure is ignored (re-binding the host's entries) */
};

struct mount_plan {
	struct mount_step *steps;
	size_t len;
	size_t cap;
	char *new_root;    /* host directory the tmpfs root is mounted on */
	char *working_dir; /* container path to chdir to, symlinks resolved */
};

struct mount_plan_volume {
	const char *host_path;      /* a directory or a file on the host */
	const char *container_path; /* absolute */
	bool read_only;
};

#define MOUNT_PLAN_INIT { .steps = NULL, .len = 0, .cap = 0, .new_root = NULL, .working_dir = NULL }

/* Builds the plan for a container that sees `host_root` (the host's "/" in
 * production, a scratch tree in tests) with `volumes` bound, working in
 * `working_dir` (NULL for "/"), its root a tmpfs mounted on `new_root` (an
 * existing empty directory). Mount targets are sorted parents first, as a
 * container runtime does. Fails, naming the path, when a mountPath is not
 * absolute, a path goes through a file, or symbolic links loop. */
int mount_plan_build(struct mount_plan *plan, const char *host_root, const char *new_root,
		     const struct mount_plan_volume *volumes, size_t n_volumes,
		     const char *working_dir, struct error *err);
void mount_plan_release(struct mount_plan *plan);

/* Performs the steps in the calling process's (already private) mount
 * namespace, making every mount private first. Async-signal-safe. Returns
 * 0, or -1 with errno set and *ret_failed the index of the failing step. */
int mount_plan_execute(const struct mount_plan *plan, size_t *ret_failed);
/* Makes the new root the process's "/" (pivot_root, old root detached)
 * and changes to the working directory. Async-signal-safe; -1 with errno. */
int mount_plan_enter(const struct mount_plan *plan);

/* "error mounting \"/host/x\" to rootfs at \"/data\": Permission denied":
 * the message for a failed step, into out (always terminated). */
void mount_plan_describe_failure(const struct mount_plan *plan, size_t step, int errnum,
				 char *out, size_t size);

#endif
