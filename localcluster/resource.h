/* resource.h — the resources the local cluster serves: their names for
 * discovery and URLs, and the per-kind rules the store applies on every
 * write (defaulting, validation, what a create or update resets). */
#ifndef KONDUKTOR_LC_RESOURCE_H
#define KONDUKTOR_LC_RESOURCE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "apierror.h"

enum resource_kind {
	RESOURCE_NAMESPACE,
	RESOURCE_NODE,
	RESOURCE_POD,
	RESOURCE_CONFIGMAP,
	RESOURCE_SECRET,
	RESOURCE_SERVICE,
	RESOURCE_EVENT,
	RESOURCE_JOB,
	RESOURCE_JOBSET,
	RESOURCE_COUNT
};

/* A set of kinds, e.g. RESOURCE_BIT(RESOURCE_POD) | RESOURCE_BIT(RESOURCE_JOB). */
#define RESOURCE_BIT(kind) (1u << (kind))
#define RESOURCE_ALL ((1u << RESOURCE_COUNT) - 1)

struct resource {
	enum resource_kind id;
	const char *group;       /* "" for the core group */
	const char *version;     /* "v1", "v1alpha2" */
	const char *api_version; /* "v1", "batch/v1" */
	const char *kind;        /* "Job" */
	const char *list_kind;   /* "JobList" */
	const char *plural;      /* "jobs" */
	const char *singular;    /* "job" */
	const char *qualified;   /* "jobs.batch", "pods": as error messages name it */
	const char *const *short_names;
	const char *const *categories;
	bool namespaced;
	bool has_status;     /* a status subresource: status is written only through it */
	bool has_generation; /* metadata.generation counts spec changes */
	/* Keys a fieldSelector may use (NULL-terminated). */
	const char *const *field_selectors;
	/* Name of the definition in the upstream OpenAPI v2 document, or NULL
	 * when the schema comes from a CRD (JobSet). */
	const char *schema_definition;

	/* Called by the store on every write, outside its lock. obj is the
	 * whole object; old is the stored object for updates (NULL on create).
	 * prepare: what the real strategy's PrepareForCreate/Update resets;
	 * set_defaults: the scheme's defaulting; validate: -1 and err (422
	 * Invalid, or 403/400 where the real server says so). Any may be NULL. */
	void (*prepare)(cJSON *obj, const cJSON *old);
	void (*set_defaults)(cJSON *obj);
	int (*validate)(const cJSON *obj, const cJSON *old, struct api_error *err);
};

extern const struct resource resources[RESOURCE_COUNT];

const struct resource *resource_get(enum resource_kind kind);
/* Looks a resource up by group ("" = core), version and plural; NULL if
 * not served. */
const struct resource *resource_find(const char *group, const char *version, const char *plural);
/* Looks a resource up by apiVersion and kind as found in a body. */
const struct resource *resource_find_kind(const char *api_version, const char *kind);

#endif
