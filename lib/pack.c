/* pack.c — walking a workdir or file mount into a tar archive. */
#include "pack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "strutil.h"
#include "xalloc.h"

/* --- ignore rules ------------------------------------------------------------ */

void ignore_rules_parse(const char *text, size_t len, struct ignore_rules *ret)
{
	size_t pos = 0;

	ret->rules = NULL;
	ret->n = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		struct ignore_rule rule = { 0 };

		pos += n + (nl ? 1 : 0);
		while (n && strchr(" \t\r", line[n - 1]))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '!') {
			rule.negate = true;
			line++;
			n--;
		}
		if (n && line[n - 1] == '/') {
			rule.dir_only = true;
			n--;
		}
		if (n >= 3 && memcmp(line, "**/", 3) == 0) {
			line += 3;
			n -= 3;
		} else if (n && line[0] == '/') {
			rule.anchored = true;
			line++;
			n--;
		}
		if (n == 0)
			continue;
		if (memchr(line, '/', n))
			rule.anchored = true;
		rule.pattern = xstrndup(line, n);
		ret->rules = xreallocarray(ret->rules, ret->n + 1, sizeof(*ret->rules));
		ret->rules[ret->n++] = rule;
	}
}

int ignore_rules_load(const char *dir, struct ignore_rules *ret, struct error *err)
{
	_cleanup_free_ char *path = path_join(dir, PACK_IGNORE_FILE);
	struct buf text = BUF_INIT(BUF_MAX_SMALL);

	ret->rules = NULL;
	ret->n = 0;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (file_read_all(path, &text, err) < 0) {
		buf_release(&text);
		return -1;
	}
	ignore_rules_parse(text.data, text.len, ret);
	buf_release(&text);
	return 0;
}

void ignore_rules_release(struct ignore_rules *rules)
{
	for (size_t i = 0; i < rules->n; i++)
		free(rules->rules[i].pattern);
	free(rules->rules);
	rules->rules = NULL;
	rules->n = 0;
}

static bool rule_matches(const struct ignore_rule *rule, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t plen = strlen(rule->pattern);

	if (!rule->anchored)
		return fnmatch(rule->pattern, base ? base + 1 : path, 0) == 0;
	/* A pattern ending in a slash and two stars: everything below that directory. */
	if (plen >= 3 && strcmp(rule->pattern + plen - 3, "/**") == 0)
		return strncmp(path, rule->pattern, plen - 2) == 0;
	if (strstr(rule->pattern, "**"))
		return fnmatch(rule->pattern, path, 0) == 0;
	return fnmatch(rule->pattern, path, FNM_PATHNAME) == 0;
}

bool ignore_rules_match(const struct ignore_rules *rules, const char *path, bool is_dir)
{
	bool ignored = false;

	for (size_t i = 0; i < rules->n; i++) {
		const struct ignore_rule *rule = &rules->rules[i];

		if (rule->dir_only && !is_dir)
			continue;
		if (rule_matches(rule, path))
			ignored = !rule->negate;
	}
	return ignored;
}

/* --- walking -------------------------------------------------------------------- */

struct walk {
	struct tar_sink *sink;
	struct ignore_rules rules;
	char *root_real; /* realpath of the root, for symlink checks */
	struct error *err;
};

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads (or, when it cannot fit, only counts) a regular file. */
static int add_regular_file(struct walk *w, int fd, const struct stat *st, const char *name)
{
	struct tar_sink *sink = w->sink;
	struct buf content;
	size_t room;
	int r;

	if (sink->total >= PACK_COUNT_MAX)
		return 0;
	room = sink->out->max > sink->out->len ? sink->out->max - sink->out->len : 0;
	if (sink->overflowed || tar_entry_size((size_t)st->st_size) > room) {
		tar_count_file(sink, (size_t)st->st_size);
		return 0;
	}
	buf_init(&content, (size_t)st->st_size);
	if (fd_read_all(fd, &content, w->err) < 0) {
		buf_release(&content);
		/* The file grew while we read it: count it as it was stat'ed. */
		if (w->err && w->err->code == EFBIG) {
			tar_count_file(sink, (size_t)st->st_size + 1);
			return 0;
		}
		return error_prefix(w->err, "'%s'", name);
	}
	r = tar_add_file(sink, name, st->st_mode, st->st_mtime, content.data, content.len, w->err);
	buf_release(&content);
	return r;
}

static int walk_dir(struct walk *w, int dir_fd, const char *rel, int depth);

static int walk_entry(struct walk *w, int dirfd, const char *name, const char *rel, int depth)
{
	_cleanup_free_ char *path = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return error_set_code(w->err, errno, "cannot stat '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fd = -1;

		if (strcmp(name, ".git") == 0 || ignore_rules_match(&w->rules, path, true))
			return 0;
		if (depth >= PACK_MAX_DEPTH)
			return error_set(w->err, "'%s': nested deeper than %d directories", path,
					 PACK_MAX_DEPTH);
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return error_set_code(w->err, errno, "cannot open '%s': %s", path,
					      strerror(errno));
		if (tar_add_directory(w->sink, path, st.st_mode, st.st_mtime, w->err) < 0)
			return -1;
		return walk_dir(w, TAKE_FD(fd), path, depth + 1);
	}
	if (ignore_rules_match(&w->rules, path, false))
		return 0;
	if (S_ISREG(st.st_mode)) {
		_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0)
			return error_set_code(w->err, errno, "cannot open '%s': %s", path,
					      strerror(errno));
		return add_regular_file(w, fd, &st, path);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX], resolved[PATH_MAX];
		_cleanup_free_ char *proc = NULL;
		_cleanup_close_ int fd = -1;
		ssize_t m;
		struct stat tst;
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		size_t root_len = strlen(w->root_real);

		if (n < 0)
			return error_set_code(w->err, errno, "cannot read link '%s': %s", path,
					      strerror(errno));
		target[n] = '\0';
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return error_set(w->err,
					 "symlink '%s' points nowhere ('%s'): list it in %s or remove "
					 "it",
					 path, target, PACK_IGNORE_FILE);
		if (fstat(fd, &tst) < 0)
			return error_set_code(w->err, errno, "cannot stat '%s': %s", path,
					      strerror(errno));
		/* Where the opened file really is, without a race against renames. */
		proc = xasprintf("/proc/self/fd/%d", fd);
		m = readlink(proc, resolved, sizeof(resolved) - 1);
		if (m < 0)
			return error_set_code(w->err, errno, "cannot resolve '%s': %s", path,
					      strerror(errno));
		resolved[m] = '\0';
		if (strncmp(resolved, w->root_real, root_len) != 0 ||
		    (resolved[root_len] != '/' && strcmp(w->root_real, "/") != 0))
			return error_set(w->err,
					 "symlink '%s' points outside the directory (to '%s'): list "
					 "it in %s or replace it with a copy",
					 path, target, PACK_IGNORE_FILE);
		if (!S_ISREG(tst.st_mode))
			return error_set(w->err,
					 "symlink '%s' points to a directory or special file ('%s'): "
					 "only links to files are shipped; list it in %s",
					 path, target, PACK_IGNORE_FILE);
		return add_regular_file(w, fd, &tst, path);
	}
	return error_set(w->err, "'%s' is not a regular file or directory (sockets, FIFOs and "
			 "devices cannot be shipped): list it in %s", path, PACK_IGNORE_FILE);
}

static int walk_dir(struct walk *w, int dir_fd, const char *rel, int depth)
{
	DIR *dir = fdopendir(dir_fd);
	struct dirent *entry;
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (!dir) {
		close(dir_fd);
		return error_set_code(w->err, errno, "cannot read '%s': %s", *rel ? rel : ".",
				      strerror(errno));
	}
	while ((entry = readdir(dir))) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(entry->d_name);
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n && r == 0 && w->sink->total < PACK_COUNT_MAX; i++)
		r = walk_entry(w, dirfd(dir), names[i], rel, depth);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return r;
}

int pack_directory(struct tar_sink *sink, const char *dir, struct error *err)
{
	struct walk w = { .sink = sink, .err = err };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return error_set_code(err, errno, "cannot open directory '%s': %s", dir,
				      strerror(errno));
	w.root_real = realpath(dir, NULL);
	if (!w.root_real) {
		close(fd);
		return error_set_code(err, errno, "cannot resolve '%s': %s", dir, strerror(errno));
	}
	if (ignore_rules_load(dir, &w.rules, err) < 0) {
		close(fd);
		free(w.root_real);
		return -1;
	}
	r = walk_dir(&w, fd, "", 0);
	ignore_rules_release(&w.rules);
	free(w.root_real);
	if (r == 0)
		tar_finish(sink);
	return r;
}

int pack_file(struct tar_sink *sink, const char *path, const char *name, struct error *err)
{
	struct walk w = { .sink = sink, .err = err };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return error_set_code(err, errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return error_set_code(err, errno, "cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error_set(err, "'%s' is not a regular file or directory", path);
	if (add_regular_file(&w, fd, &st, name) < 0)
		return -1;
	tar_finish(sink);
	return 0;
}

int pack_path(struct tar_sink *sink, const char *path, const char *file_name, bool *ret_is_dir,
	      struct error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return error_set_code(err, errno, "cannot open '%s': %s", path, strerror(errno));
	*ret_is_dir = S_ISDIR(st.st_mode);
	if (*ret_is_dir)
		return pack_directory(sink, path, err);
	return pack_file(sink, path, file_name, err);
}
