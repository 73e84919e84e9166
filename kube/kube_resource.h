/* kube_resource.h — naming what an API call addresses: a resource (group,
 * version, plural, namespaced or not) and the URL path built from it with
 * every name and query value escaped. */
#ifndef KONDUKTOR_KUBE_RESOURCE_H
#define KONDUKTOR_KUBE_RESOURCE_H

#include <stdbool.h>

#include "buf.h"
#include "error.h"

struct kube_resource {
	const char *group;   /* "" for the core group (/api/v1), "batch", "jobset.x-k8s.io" */
	const char *version; /* "v1", "v1alpha2" */
	const char *plural;  /* "pods", "jobs" */
	const char *kind;    /* "Pod", "Job" (for messages and List kinds) */
	bool namespaced;
};

/* Resources the project uses; any other can be described the same way. */
extern const struct kube_resource kube_pods;
extern const struct kube_resource kube_services;
extern const struct kube_resource kube_configmaps;
extern const struct kube_resource kube_secrets;
extern const struct kube_resource kube_events;
extern const struct kube_resource kube_namespaces;
extern const struct kube_resource kube_nodes;
extern const struct kube_resource kube_jobs;    /* batch/v1 */
extern const struct kube_resource kube_jobsets; /* jobset.x-k8s.io/v1alpha2 */

/* Appends "/api/v1" or "/apis/<group>/<version>", then
 * "/namespaces/<ns>" (namespaced resources with ns != NULL: NULL means all
 * namespaces), "/<plural>", "/<name>" and "/<subresource>" when given.
 * Names are checked (no '/', not "." or "..", not empty) and escaped.
 * A name or subresource on a collection without ns, for a namespaced
 * resource, is an error. */
int kube_path_append(struct buf *out, const struct kube_resource *res, const char *ns,
		     const char *name, const char *subresource, struct error *err);

/* Appends "?key=value" or "&key=value" with both parts escaped (RFC 3986
 * unreserved characters kept, everything else %XX). */
int kube_query_append(struct buf *out, const char *key, const char *value);
int kube_query_append_int(struct buf *out, const char *key, long long value);

/* Appends s percent-encoded (unreserved characters kept). */
int kube_url_escape(struct buf *out, const char *s);

#endif
