/* patch.h — the three patch formats a Kubernetes API server accepts:
 * JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
 * patch (what `kubectl apply` and `kubectl patch` send for built-in
 * kinds: lists of objects merge by a key such as a container's name, with
 * the $patch, $retainKeys, $setElementOrder and $deleteFromPrimitiveList
 * directives). Each applies to a document the caller owns and returns the
 * patched document (the root may be replaced), or NULL with err. */
#ifndef KONDUKTOR_LC_PATCH_H
#define KONDUKTOR_LC_PATCH_H

#include <cjson/cJSON.h>

#include "error.h"

/* JSON patch documents may hold at most this many operations. */
#define PATCH_MAX_OPERATIONS 10000

/* Each takes ownership of doc (freed on failure) and only reads patch. */
cJSON *patch_apply_merge(cJSON *doc, const cJSON *patch, struct error *err);
cJSON *patch_apply_json(cJSON *doc, const cJSON *patch, struct error *err);
cJSON *patch_apply_strategic(cJSON *doc, const cJSON *patch, struct error *err);

#endif
