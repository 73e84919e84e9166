/* table.h — server-side printing: the meta.k8s.io/v1 Table kubectl asks
 * for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) so that
 * `kubectl get` shows the columns it shows against a real cluster (a
 * pod's READY, STATUS, RESTARTS; a job's STATUS, COMPLETIONS, DURATION;
 * the JobSet CRD's printer columns...), computed as kube-apiserver's
 * printers compute them. */
#ifndef KONDUKTOR_LC_TABLE_H
#define KONDUKTOR_LC_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "resource.h"
#include "store.h"

/* True if an Accept header asks for a Table (v1 or v1beta1). */
bool table_requested(const char *accept);

enum table_include {
	TABLE_INCLUDE_NONE,     /* includeObject=None */
	TABLE_INCLUDE_METADATA, /* the default: PartialObjectMetadata */
	TABLE_INCLUDE_OBJECT,   /* the whole object */
};

/* Parses includeObject (NULL: the default); -1 if unknown. */
int table_parse_include(const char *text, enum table_include *ret);

/* Appends a Table of the objects to out. continue_token may be NULL,
 * remaining -1 when unknown; now is the time ages are measured against. */
int table_render(struct buf *out, const struct resource *r, struct store_obj *const *items,
		 size_t n, uint64_t resource_version, const char *continue_token, int64_t remaining,
		 enum table_include include, time_t now);

#endif
