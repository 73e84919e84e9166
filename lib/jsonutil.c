/* jsonutil.c — cJSON helpers. */
#include "jsonutil.h"

#include <math.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

const cJSON *json_get_child(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *json_get_child_string(const cJSON *obj, const char *key)
{
	const cJSON *v = json_get_child(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *json_get(const cJSON *obj, const char *path)
{
	char key[256];

	while (obj && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		obj = json_get_child(obj, key);
		path += len + (dot ? 1 : 0);
	}
	return obj;
}

const char *json_get_string(const cJSON *obj, const char *path)
{
	const cJSON *v = json_get(obj, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool json_get_int64(const cJSON *obj, const char *path, int64_t *ret)
{
	const cJSON *v = json_get(obj, path);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble > 9.2e18 ||
	    v->valuedouble < -9.2e18)
		return false;
	*ret = (int64_t)v->valuedouble;
	return true;
}

bool json_get_bool(const cJSON *obj, const char *path, bool fallback)
{
	const cJSON *v = json_get(obj, path);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : fallback;
}

cJSON *json_ensure_object(cJSON *obj, const char *path)
{
	char key[256];

	while (*path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		cJSON *child;

		if (len >= sizeof(key))
			die("json path component too long");
		memcpy(key, path, len);
		key[len] = '\0';
		child = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (!cJSON_IsObject(child)) {
			child = cJSON_CreateObject();
			json_set(obj, key, child);
		}
		obj = child;
		path += len + (dot ? 1 : 0);
	}
	return obj;
}

void json_set(cJSON *obj, const char *key, cJSON *value)
{
	if (!value)
		die("out of memory building JSON");
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
}

void json_set_string(cJSON *obj, const char *key, const char *value)
{
	json_set(obj, key, cJSON_CreateString(value));
}

void json_set_int64(cJSON *obj, const char *key, int64_t value)
{
	json_set(obj, key, cJSON_CreateNumber((double)value));
}

/* cJSON recurses without a limit of its own in older releases; measure
 * nesting first so hostile input cannot exhaust the stack. */
static int json_nesting_ok(const char *text, size_t len)
{
	int depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

cJSON *json_parse_bounded(const char *text, size_t len, size_t max_len, struct error *err)
{
	const char *end = NULL;
	cJSON *value;

	if (len > max_len) {
		error_set(err, "JSON larger than the limit of %zu bytes", max_len);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		error_set(err, "JSON contains a NUL byte");
		return NULL;
	}
	if (!json_nesting_ok(text, len)) {
		error_set(err, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	value = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!value) {
		size_t offset = end && end >= text ? (size_t)(end - text) : 0;

		error_set(err, "invalid JSON at byte %zu", offset);
		return NULL;
	}
	while (end && (size_t)(end - text) < len && strchr(" \t\r\n", *end))
		end++;
	if (end && (size_t)(end - text) < len) {
		error_set(err, "invalid JSON: unexpected data at byte %zu", (size_t)(end - text));
		cJSON_Delete(value);
		return NULL;
	}
	return value;
}

char *json_print_compact(const cJSON *value)
{
	char *s = cJSON_PrintUnformatted(value);

	if (!s)
		die("out of memory serialising JSON");
	return s;
}

int json_append(struct buf *out, const cJSON *value)
{
	_cleanup_free_ char *s = json_print_compact(value);

	return buf_puts(out, s);
}

int json_minify_append(struct buf *out, const char *text, size_t len)
{
	size_t start = out->len;
	bool in_string = false;
	int rc = 0;

	for (size_t i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)text[i];

		if (in_string) {
			/* cJSON lets raw control characters through in strings;
			 * written as escapes they stay the same value, on one line. */
			if (c < 0x20)
				rc = buf_printf(out, "\\u%04x", c);
			else
				rc = buf_putc(out, (char)c);
			if (rc == 0 && c == '\\' && i + 1 < len)
				rc = buf_putc(out, text[++i]);
			else if (c == '"')
				in_string = false;
		} else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			in_string = c == '"';
			rc = buf_putc(out, (char)c);
		}
	}
	if (rc < 0)
		buf_truncate(out, start);
	return rc;
}
