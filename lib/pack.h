/* pack.h — a task's workdir and local file_mounts packed as tar archives
 * (tar.h) for shipping to pods in a ConfigMap.
 *
 * Rules, documented in docs/task-reference.md:
 * - A directory's contents go to the archive root in name order, with
 *   their permission bits; `.git` directories are never shipped; the
 *   directory's `.konduktorignore` (gitignore patterns: `#` comments, `!`
 *   negation, a trailing `/` for directories only, a `/` inside anchoring
 *   to the directory, `*`, `?`, `[...]`, leading `**`/ and trailing /`**`)
 *   excludes more.
 * - Symbolic links are shipped as the file they point to when that file
 *   is inside the directory; a link leading outside it, to a directory, or
 *   nowhere is an error (naming it), as are sockets, FIFOs and devices.
 * - Nothing is read once the archive cannot fit its sink any more; the
 *   sink still counts sizes so the caller can report how large it would
 *   be, up to PACK_COUNT_MAX. */
#ifndef KONDUKTOR_PACK_H
#define KONDUKTOR_PACK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "tar.h"

#define PACK_IGNORE_FILE ".konduktorignore"
#define PACK_MAX_DEPTH 64
/* Counting stops here: the error then says "more than". */
#define PACK_COUNT_MAX ((size_t)256 * 1024 * 1024)

struct ignore_rule {
	char *pattern;  /* without '!', leading '/' or trailing '/' */
	bool negate;
	bool dir_only;
	bool anchored;  /* matched against the whole relative path */
};

struct ignore_rules {
	struct ignore_rule *rules;
	size_t n;
};

#define IGNORE_RULES_INIT { .rules = NULL, .n = 0 }

/* Parses .konduktorignore text. */
void ignore_rules_parse(const char *text, size_t len, struct ignore_rules *ret);
/* Loads dir/.konduktorignore if it exists (else no rules). */
int ignore_rules_load(const char *dir, struct ignore_rules *ret, struct error *err);
void ignore_rules_release(struct ignore_rules *rules);
/* True if `path` (relative, '/'-separated) is excluded. */
bool ignore_rules_match(const struct ignore_rules *rules, const char *path, bool is_dir);

/* Packs the directory's contents (not the directory itself) and finishes
 * the archive. */
int pack_directory(struct tar_sink *sink, const char *dir, struct error *err);
/* Packs one file as an archive holding just `name` and finishes it. */
int pack_file(struct tar_sink *sink, const char *path, const char *name, struct error *err);
/* pack_directory or pack_file(file_name) by what `path` is. */
int pack_path(struct tar_sink *sink, const char *path, const char *file_name, bool *ret_is_dir,
	      struct error *err);

#endif
