/* mountinfo.c — reading /proc/self/mountinfo (see mountinfo.h). */
#include "mountinfo.h"

#include <string.h>

#include "buf.h"
#include "fileutil.h"

#define MOUNTINFO_MAX ((size_t)16 * 1024 * 1024)

/* Copies the space-separated field at *p into out, undoing the kernel's
 * \ooo escapes; moves *p past it. False if absent, too long, or holding
 * an escaped NUL (the kernel never writes one: it would cut the field
 * short, so "/a\000b" would pass for "/a"). */
static bool take_field(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ')
		s++;
	if (!*s || *s == '\n')
		return false;
	while (*s && *s != ' ' && *s != '\n') {
		char c = *s++;

		if (c == '\\' && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7') {
			c = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
			s += 3;
			if (c == '\0')
				return false;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	*p = s;
	return true;
}

bool mountinfo_parse_line(const char *line, struct mount_entry *ret)
{
	char field[MOUNTINFO_FIELD_MAX];
	const char *p = line;

	/* id, parent id, major:minor, root, mount point, options */
	for (int i = 0; i < 4; i++)
		if (!take_field(&p, field, sizeof(field)))
			return false;
	if (!take_field(&p, ret->mountpoint, sizeof(ret->mountpoint)) ||
	    !take_field(&p, field, sizeof(field)))
		return false;
	/* Optional fields, up to a lone "-". */
	do {
		if (!take_field(&p, field, sizeof(field)))
			return false;
	} while (strcmp(field, "-") != 0);
	return take_field(&p, ret->fstype, sizeof(ret->fstype)) &&
	       take_field(&p, ret->source, sizeof(ret->source));
}

int mountinfo_find(const char *mountpoint, struct mount_entry *ret, struct error *err)
{
	struct buf text = BUF_INIT(MOUNTINFO_MAX);
	struct mount_entry entry;
	const char *line;
	int found = 1;

	if (file_read_all("/proc/self/mountinfo", &text, err) < 0) {
		buf_release(&text);
		return -1;
	}
	/* Later lines are mounted on top of earlier ones. */
	for (line = text.data; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		if (mountinfo_parse_line(line, &entry) &&
		    strcmp(entry.mountpoint, mountpoint) == 0) {
			*ret = entry;
			found = 0;
		}
	}
	buf_release(&text);
	return found;
}
