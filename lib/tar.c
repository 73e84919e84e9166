/* tar.c — ustar writer for shipping files to pods. */
#include "tar.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"

void tar_sink_init(struct tar_sink *sink, struct buf *out)
{
	sink->out = out;
	sink->total = out->len;
	sink->overflowed = false;
}

size_t tar_entry_size(size_t len)
{
	return TAR_BLOCK + (len + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

/* Appends while there is room; always counts. */
static void sink_write(struct tar_sink *sink, const void *data, size_t len)
{
	sink->total += len;
	if (sink->overflowed)
		return;
	if (buf_append(sink->out, data, len) < 0)
		sink->overflowed = true;
}

/* width-1 octal digits and a NUL, as ustar writers conventionally do; the
 * callers' values (sizes under the ConfigMap limit, times) always fit. */
static void octal(char *field, size_t width, unsigned long long value)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%0*llo", (int)(width - 1), value);

	memcpy(field, digits + n - (int)(width - 1), width - 1);
	field[width - 1] = '\0';
}

static bool name_is_safe(const char *name)
{
	if (!*name || name[0] == '/')
		return false;
	for (const char *s = name; *s; s++)
		if (s[0] == '.' && s[1] == '.' && (s == name || s[-1] == '/') &&
		    (s[2] == '/' || s[2] == '\0'))
			return false;
	return true;
}

/* Splits name into ustar's prefix (<= 155) and name (<= 100) fields. */
static int split_name(const char *full, char header[TAR_BLOCK])
{
	size_t len = strlen(full);

	if (len <= 100) {
		memcpy(header, full, len);
		return 0;
	}
	for (size_t i = len - 1; i > 0; i--) {
		if (full[i] != '/' || i > 155 || len - i - 1 > 100 || len - i - 1 == 0)
			continue;
		memcpy(header + 345, full, i);
		memcpy(header, full + i + 1, len - i - 1);
		return 0;
	}
	return -1;
}

static int write_header(struct tar_sink *sink, const char *name, char type, mode_t mode,
			time_t mtime, size_t size, struct error *err)
{
	char h[TAR_BLOCK];
	unsigned sum = 0;

	if (!name_is_safe(name))
		return error_set(err, "'%s': not a safe relative path for an archive", name);
	memset(h, 0, sizeof(h));
	if (split_name(name, h) < 0)
		return error_set(err, "'%s': path too long for the archive (ustar allows 255 "
				 "bytes, split at a '/')", name);
	octal(h + 100, 8, (unsigned long long)(mode & 0777));
	octal(h + 108, 8, 0); /* uid */
	octal(h + 116, 8, 0); /* gid */
	octal(h + 124, 12, (unsigned long long)size);
	octal(h + 136, 12, (unsigned long long)(mtime > 0 ? mtime : 0));
	memset(h + 148, ' ', 8);
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	sink_write(sink, h, sizeof(h));
	return 0;
}

int tar_add_directory(struct tar_sink *sink, const char *name, mode_t mode, time_t mtime,
		      struct error *err)
{
	char full[300];

	if (!str_has_suffix(name, "/")) {
		if (snprintf(full, sizeof(full), "%s/", name) >= (int)sizeof(full))
			return error_set(err, "'%s': path too long for the archive", name);
		name = full;
	}
	return write_header(sink, name, '5', mode, mtime, 0, err);
}

static void write_padding(struct tar_sink *sink, size_t len)
{
	static const char zeros[TAR_BLOCK];
	size_t pad = (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK;

	if (pad)
		sink_write(sink, zeros, pad);
}

int tar_add_file(struct tar_sink *sink, const char *name, mode_t mode, time_t mtime,
		 const void *data, size_t len, struct error *err)
{
	if (write_header(sink, name, '0', mode, mtime, len, err) < 0)
		return -1;
	sink_write(sink, data, len);
	write_padding(sink, len);
	return 0;
}

void tar_count_file(struct tar_sink *sink, size_t len)
{
	sink->total += tar_entry_size(len);
	sink->overflowed = true;
}

void tar_finish(struct tar_sink *sink)
{
	static const char zeros[2 * TAR_BLOCK];

	sink_write(sink, zeros, sizeof(zeros));
}
