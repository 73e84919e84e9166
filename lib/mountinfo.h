/* mountinfo.h — what is mounted where, from Linux's /proc/self/mountinfo:
 * for konduktor-fs (is the mount point already mounted?) and `kubectl
 * konduktor umount` (is this a konduktor-fs mount, even one whose daemon
 * died?). Reading never touches the mount itself, so a dead FUSE mount
 * cannot make it hang. */
#ifndef KONDUKTOR_MOUNTINFO_H
#define KONDUKTOR_MOUNTINFO_H

#include <stdbool.h>

#include "error.h"

#define MOUNTINFO_FIELD_MAX 4096

struct mount_entry {
	char mountpoint[MOUNTINFO_FIELD_MAX]; /* unescaped */
	char fstype[256];                     /* "ext4", "fuse.konduktor-fs" */
	char source[MOUNTINFO_FIELD_MAX];     /* unescaped */
};

/* Parses one line of mountinfo (octal escapes such as \040 undone); false
 * if it is not one. */
bool mountinfo_parse_line(const char *line, struct mount_entry *ret);

/* The mount on top at `mountpoint` (absolute, as the kernel shows it):
 * 0 and *ret, 1 when nothing is mounted there, -1 with err when
 * /proc/self/mountinfo cannot be read. */
int mountinfo_find(const char *mountpoint, struct mount_entry *ret, struct error *err);

#endif
