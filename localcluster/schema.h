/* schema.h — field validation of request bodies against the upstream
 * API schema (--api-schema-dir: the Kubernetes OpenAPI v2 document and the
 * JobSet CRD), as the real server's strict decoding does: unknown fields
 * (every object definition that lists properties is closed unless it
 * preserves unknown fields), duplicate fields, and values of the wrong
 * JSON type. Only the definitions reachable from the served kinds are
 * kept. Loading runs on a thread of its own so the server starts at once;
 * checks wait for it. Without a schema only duplicate fields are found. */
#ifndef KONDUKTOR_LC_SCHEMA_H
#define KONDUKTOR_LC_SCHEMA_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "apierror.h"
#include "error.h"
#include "resource.h"
#include "strv.h"

enum schema_mode {
	SCHEMA_IGNORE,
	SCHEMA_WARN,
	SCHEMA_STRICT,
};

struct schema;

/* Starts loading dir's files; -1 if dir has none of them. */
struct schema *schema_load_async(const char *dir, struct error *err);
/* True once loaded (or failed: then every check reports the failure). */
bool schema_ready(struct schema *s);
/* Waits until loaded; false if loading failed. */
bool schema_wait(struct schema *s);
void schema_free(struct schema *s);

/* Checks body (a whole object, or with is_patch a merge or strategic merge
 * patch: nulls and $-directives allowed) against r's schema. Unknown and
 * duplicate fields are appended to problems in the real server's words
 * ("unknown field \"spec.foo\"", "duplicate field \"metadata.name\"")
 * and removed from body (the last of duplicates is kept), as the real
 * decoder drops them; a value of the wrong type, or a CRD schema
 * violation, is an error (400, or 422 Invalid for the CRD). s may be NULL:
 * then only duplicates are found. */
int schema_check(struct schema *s, const struct resource *r, cJSON *body, bool is_patch,
		 struct strv *problems, struct api_error *err);

#endif
