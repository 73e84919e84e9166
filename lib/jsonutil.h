/* jsonutil.h — small cJSON helpers shared by every component: typed
 * lookups by dotted path, ownership-safe cleanup, bounded parsing. */
#ifndef KONDUKTOR_JSONUTIL_H
#define KONDUKTOR_JSONUTIL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

static inline void cjson_deletep(cJSON **j)
{
	cJSON_Delete(*j);
}
#define _cleanup_json_ __attribute__((cleanup(cjson_deletep)))

/* Looks up "a.b.c" (object keys only; a key containing '.' cannot be
 * reached this way — use json_get_child for label keys). NULL if absent. */
const cJSON *json_get(const cJSON *obj, const char *path);
/* The string at path, or NULL if absent or not a string. */
const char *json_get_string(const cJSON *obj, const char *path);
/* The number at path as int64 (0 and false if absent / not a number). */
bool json_get_int64(const cJSON *obj, const char *path, int64_t *ret);
/* The boolean at path; `fallback` if absent or not a boolean. */
bool json_get_bool(const cJSON *obj, const char *path, bool fallback);
/* A direct child by exact key (case-sensitive, any characters). */
const cJSON *json_get_child(const cJSON *obj, const char *key);
/* A string child by exact key (e.g. a label), or NULL. */
const char *json_get_child_string(const cJSON *obj, const char *key);

/* Creates (or finds) nested objects along "a.b.c" and returns the last. */
cJSON *json_ensure_object(cJSON *obj, const char *path);
/* Replaces or adds a member. Takes ownership of `value`. */
void json_set(cJSON *obj, const char *key, cJSON *value);
void json_set_string(cJSON *obj, const char *key, const char *value);
void json_set_int64(cJSON *obj, const char *key, int64_t value);

/* Parses exactly one JSON value of at most `max_len` bytes with nesting
 * at most JSON_MAX_DEPTH; trailing whitespace is allowed, anything else
 * after the value is an error. */
#define JSON_MAX_DEPTH 64
cJSON *json_parse_bounded(const char *text, size_t len, size_t max_len, struct error *err);

/* Serialises compactly into a newly allocated string (never NULL). */
char *json_print_compact(const cJSON *value);
/* Appends the compact serialisation to out; -1 if out's max is reached. */
int json_append(struct buf *out, const cJSON *value);
/* Appends JSON text without the whitespace between its tokens, so that it
 * fits on one line while every token keeps its exact bytes (a number is
 * never re-printed, so 1e400 or 12345678901234567890 stay as written) —
 * except raw control characters inside strings, which cJSON accepts and
 * which are written as \u00XX escapes. The text must be JSON that
 * json_parse_bounded() accepts; -1 if out's max is reached, out unchanged. */
int json_minify_append(struct buf *out, const char *text, size_t len);

#endif
