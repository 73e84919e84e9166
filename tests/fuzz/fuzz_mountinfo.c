/* fuzz_mountinfo.c — libFuzzer harness for mountinfo lines (the mount
 * point check of konduktor-fs and `kubectl konduktor umount`): any bytes,
 * line by line, parse or are refused without fault, and a parsed line's
 * fields are terminated strings within their bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct mount_entry *entry = xmalloc(sizeof(*entry));

	for (char *line = text; line && *line;) {
		char *end = strchr(line, '\n');

		if (end)
			*end = '\0';
		if (mountinfo_parse_line(line, entry) &&
		    (strlen(entry->mountpoint) >= sizeof(entry->mountpoint) ||
		     strlen(entry->fstype) >= sizeof(entry->fstype) || !entry->fstype[0]))
			abort();
		line = end ? end + 1 : NULL;
	}
	free(entry);
	free(text);
	return 0;
}
