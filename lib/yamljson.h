/* yamljson.h — YAML to cJSON and back, with libyaml: for files that are
 * YAML on disk but handled as JSON objects in the code (a kubeconfig the
 * plugin merges a context into, a CRD's schema). Reading takes the first
 * document, resolves plain scalars as sigs.k8s.io/yaml does (null, booleans,
 * numbers) and is bounded in depth and size; writing produces block-style
 * YAML that reads back to the same JSON (strings that would read as other
 * types are quoted). */
#ifndef KONDUKTOR_YAMLJSON_H
#define KONDUKTOR_YAMLJSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

#define YAMLJSON_MAX_DEPTH 128
#define YAMLJSON_MAX_NODES ((size_t)4 * 1000 * 1000)

/* The first document of text as JSON; an empty document is an empty
 * object. Errors name the line ("line 3: ..."). Aliases are refused. */
cJSON *yaml_to_json(const char *text, size_t len, struct error *err);
/* Appends value as a YAML document to out; -1 if out's max is reached. */
int json_to_yaml(const cJSON *value, struct buf *out, struct error *err);

#endif
