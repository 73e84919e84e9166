/* trim.h — the parts of Jobs, JobSets and pods that the tree is made of.
 *
 * The daemon keeps every job's objects for as long as the job exists, so
 * it keeps only what lib/status.h and lib/result.h read (and what names a
 * pod's job): a pod of a finished job is a few hundred bytes instead of
 * several kilobytes. trim_workload() and trim_pod() copy those parts; the
 * status and result computed from a copy are the same as from the whole
 * object (tests/unit/fusefs/test_trim.c checks this on every status
 * fixture). trim_to_identity() is what the informers' own caches keep. */
#ifndef KONDUKTOR_FUSEFS_TRIM_H
#define KONDUKTOR_FUSEFS_TRIM_H

#include <cjson/cJSON.h>

/* A member to keep: `key` (a trailing '*' keeps every key with that
 * prefix), and either the whole value (children NULL) or, for an object
 * or each object of an array, only the members `children` names. Tables
 * end with a NULL key. */
struct trim_rule {
	const char *key;
	const struct trim_rule *children;
};

/* A new object with the parts of `object` the rules keep. */
cJSON *trim_copy(const cJSON *object, const struct trim_rule *rules);

/* Jobs and JobSets: everything but the task annotation, which the cache
 * keeps on its own (task.yaml). */
cJSON *trim_workload(const cJSON *workload);
cJSON *trim_pod(const cJSON *pod);
/* A group's inputs or results ConfigMap: its name, labels and data. */
cJSON *trim_configmap(const cJSON *configmap);

/* Cuts an object down, in place, to metadata.name, namespace and
 * resourceVersion (kube_informer_opts.trim). */
void trim_to_identity(cJSON *object, void *ctx);

#endif
