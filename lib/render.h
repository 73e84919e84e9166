/* render.h — Kubernetes objects printed the way kubectl prints them, for
 * `--dry-run -o json|yaml` and `-o json|yaml` output.
 *
 * - JSON: 4-space indentation, object keys in byte order, Go's escaping
 *   (including <, > and & as \u003c, \u003e, \u0026), a final newline.
 * - YAML: block style, 2-space indentation, keys in byte order, sequences
 *   not indented under their key, multi-line strings as literal blocks,
 *   and every string that a YAML 1.1 or 1.2 reader would take for
 *   something else ("yes", "10", "1e3", "null", "") double-quoted, so the
 *   text reads back as exactly the same JSON.
 * - Several objects are one `kind: List` (apiVersion v1, metadata
 *   resourceVersion ""), as kubectl prints them.
 * Output goes to a bounded struct buf; -1 with err when it is full. */
#ifndef KONDUKTOR_RENDER_H
#define KONDUKTOR_RENDER_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"

enum render_format {
	RENDER_JSON,
	RENDER_YAML,
};

/* Parses "json" or "yaml"; -1 with err otherwise. */
int render_format_parse(const char *name, enum render_format *ret, struct error *err);

int render_object(const cJSON *object, enum render_format format, struct buf *out,
		  struct error *err);
/* `items` is a JSON array of objects, rendered as one List. */
int render_list(const cJSON *items, enum render_format format, struct buf *out,
		struct error *err);
/* A new List object holding copies of `items`. */
cJSON *render_make_list(const cJSON *items);

#endif
