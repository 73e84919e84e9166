/* fileutil.c — whole-file I/O with limits and atomic replacement. */
#include "fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

int fd_read_all(int fd, struct buf *out, struct error *err)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set_code(err, errno, "read failed: %s", strerror(errno));
		if (n == 0)
			return 0;
		if (buf_append(out, chunk, (size_t)n) < 0)
			return error_set_code(err, EFBIG, "larger than the limit of %zu bytes", out->max);
	}
}

int file_read_all(const char *path, struct buf *out, struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return error_set_code(err, errno, "cannot open '%s': %s", path, strerror(errno));
	if (fd_read_all(fd, out, err) < 0)
		return error_prefix(err, "'%s'", path);
	return 0;
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct error *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return error_set_code(err, errno, "cannot create '%s': %s", tmp, strerror(errno));
	/* open() honours the umask; fchmod makes the mode exact (e.g. 0600). */
	if (fchmod(fd, mode) < 0 || fd_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return error_set_code(err, e, "cannot write '%s': %s", path, strerror(e));
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return error_set_code(err, e, "cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

int mkdir_parents(const char *path, mode_t mode, struct error *err)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return error_set_code(err, errno, "cannot create directory '%s': %s", copy,
					      strerror(errno));
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return error_set_code(err, errno, "cannot create directory '%s': %s", copy,
				      strerror(errno));
	return 0;
}

int remove_tree(const char *path, struct error *err)
{
	struct stat st;
	DIR *dir;
	struct dirent *entry;
	int ret = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : error_set_code(err, errno, "cannot stat '%s': %s", path,
							    strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return error_set_code(err, errno, "cannot remove '%s': %s", path,
					      strerror(errno));
		return 0;
	}
	dir = opendir(path);
	if (!dir)
		return error_set_code(err, errno, "cannot open '%s': %s", path, strerror(errno));
	while ((entry = readdir(dir))) {
		_cleanup_free_ char *child = NULL;

		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		child = path_join(path, entry->d_name);
		if (remove_tree(child, err) < 0)
			ret = -1;
	}
	closedir(dir);
	if (rmdir(path) < 0 && errno != ENOENT)
		return error_set_code(err, errno, "cannot remove '%s': %s", path, strerror(errno));
	return ret;
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *path_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || !dir || !*dir)
		return xstrdup(rel);
	if (dir[strlen(dir) - 1] == '/')
		return xasprintf("%s%s", dir, rel);
	return xasprintf("%s/%s", dir, rel);
}

char *path_clean(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t n = 0; /* bytes in out, which always starts with '/' */
	const char *p = path;

	out[n++] = '/';
	while (*p) {
		const char *end;
		size_t seg;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		seg = (size_t)(end - p);
		if (seg == 0 || (seg == 1 && p[0] == '.')) {
			/* nothing to add */
		} else if (seg == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--; /* the slash before the removed segment */
		} else {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, seg);
			n += seg;
		}
		p = end;
	}
	out[n] = '\0';
	return out;
}

char *path_expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && home && *home)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}
