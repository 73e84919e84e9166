/* envfile.c — docker/kubectl-style env files. */
#include "envfile.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "strutil.h"
#include "xalloc.h"

int envfile_parse_text(const char *name, const char *text, size_t len, struct strv *ret,
		       struct error *err)
{
	struct strv pairs = STRV_INIT;
	size_t pos = 0, line_no = 0;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		_cleanup_free_ char *key = NULL;
		const char *eq;

		pos += line_len + (nl ? 1 : 0);
		line_no++;
		if (line_len && line[line_len - 1] == '\r')
			line_len--;
		if (memchr(line, '\0', line_len) || !str_is_utf8(line, line_len)) {
			strv_release(&pairs);
			return error_set(err, "env file '%s': line %zu: not valid UTF-8 text", name,
					 line_no);
		}
		while (line_len && strchr(" \t\v\f\r", *line)) {
			line++;
			line_len--;
		}
		if (line_len == 0 || line[0] == '#')
			continue;
		eq = memchr(line, '=', line_len);
		key = xstrndup(line, eq ? (size_t)(eq - line) : line_len);
		if (!str_is_env_name(key)) {
			strv_release(&pairs);
			return error_set(err,
					 "env file '%s': line %zu: '%s' is not a valid variable name "
					 "(letters, digits and '_', not starting with a digit)",
					 name, line_no, key);
		}
		if (eq) {
			strv_pushf(&pairs, "%s=%.*s", key, (int)(line_len - (size_t)(eq + 1 - line)),
				   eq + 1);
		} else {
			const char *value = getenv(key);

			if (value)
				strv_pushf(&pairs, "%s=%s", key, value);
		}
	}
	for (size_t i = 0; i < pairs.len; i++)
		strv_push(ret, pairs.items[i]);
	strv_release(&pairs);
	return 0;
}

int envfile_parse_file(const char *path, struct strv *ret, struct error *err)
{
	struct buf text = BUF_INIT(ENVFILE_MAX);
	int r;

	if (file_read_all(path, &text, err) < 0) {
		buf_release(&text);
		return error_prefix(err, "env file");
	}
	r = envfile_parse_text(path, text.data, text.len, ret, err);
	buf_release(&text);
	return r;
}
