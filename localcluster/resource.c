/* resource.c — the table of served resources and its lookups. */
#include "resource.h"

#include <string.h>

#include "defaults.h"
#include "validation.h"

#define META_FIELDS "metadata.name", "metadata.namespace"

static const char *const no_names[] = { NULL };
static const char *const category_all[] = { "all", NULL };

static const char *const meta_fields[] = { META_FIELDS, NULL };
static const char *const namespace_fields[] = { META_FIELDS, "status.phase", NULL };
static const char *const node_fields[] = { META_FIELDS, "spec.unschedulable", NULL };
static const char *const pod_fields[] = { META_FIELDS,
					  "spec.nodeName",
					  "spec.restartPolicy",
					  "spec.schedulerName",
					  "spec.serviceAccountName",
					  "spec.hostNetwork",
					  "status.phase",
					  "status.podIP",
					  "status.nominatedNodeName",
					  NULL };
static const char *const secret_fields[] = { META_FIELDS, "type", NULL };
static const char *const event_fields[] = { META_FIELDS,
					    "involvedObject.kind",
					    "involvedObject.namespace",
					    "involvedObject.name",
					    "involvedObject.uid",
					    "involvedObject.apiVersion",
					    "involvedObject.resourceVersion",
					    "involvedObject.fieldPath",
					    "reason",
					    "reportingComponent",
					    "source",
					    "type",
					    NULL };
static const char *const job_fields[] = { META_FIELDS, "status.successful", NULL };

const struct resource resources[RESOURCE_COUNT] = {
	[RESOURCE_NAMESPACE] = {
		.id = RESOURCE_NAMESPACE, .group = "", .version = "v1", .api_version = "v1",
		.kind = "Namespace", .list_kind = "NamespaceList", .plural = "namespaces",
		.singular = "namespace", .qualified = "namespaces",
		.short_names = (const char *const[]){ "ns", NULL }, .categories = no_names,
		.namespaced = false, .has_status = true, .has_generation = false,
		.field_selectors = namespace_fields,
		.schema_definition = "io.k8s.api.core.v1.Namespace",
		.prepare = prepare_namespace, .set_defaults = default_namespace,
		.validate = validate_namespace,
	},
	[RESOURCE_NODE] = {
		.id = RESOURCE_NODE, .group = "", .version = "v1", .api_version = "v1",
		.kind = "Node", .list_kind = "NodeList", .plural = "nodes", .singular = "node",
		.qualified = "nodes", .short_names = (const char *const[]){ "no", NULL },
		.categories = no_names, .namespaced = false, .has_status = true,
		.field_selectors = node_fields, .schema_definition = "io.k8s.api.core.v1.Node",
		.validate = validate_node,
	},
	[RESOURCE_POD] = {
		.id = RESOURCE_POD, .group = "", .version = "v1", .api_version = "v1",
		.kind = "Pod", .list_kind = "PodList", .plural = "pods", .singular = "pod",
		.qualified = "pods", .short_names = (const char *const[]){ "po", NULL },
		.categories = category_all, .namespaced = true, .has_status = true,
		.field_selectors = pod_fields, .schema_definition = "io.k8s.api.core.v1.Pod",
		.prepare = prepare_pod, .set_defaults = default_pod, .validate = validate_pod,
	},
	[RESOURCE_CONFIGMAP] = {
		.id = RESOURCE_CONFIGMAP, .group = "", .version = "v1", .api_version = "v1",
		.kind = "ConfigMap", .list_kind = "ConfigMapList", .plural = "configmaps",
		.singular = "configmap", .qualified = "configmaps",
		.short_names = (const char *const[]){ "cm", NULL }, .categories = no_names,
		.namespaced = true, .field_selectors = meta_fields,
		.schema_definition = "io.k8s.api.core.v1.ConfigMap",
		.validate = validate_configmap,
	},
	[RESOURCE_SECRET] = {
		.id = RESOURCE_SECRET, .group = "", .version = "v1", .api_version = "v1",
		.kind = "Secret", .list_kind = "SecretList", .plural = "secrets",
		.singular = "secret", .qualified = "secrets", .short_names = no_names,
		.categories = no_names, .namespaced = true, .field_selectors = secret_fields,
		.schema_definition = "io.k8s.api.core.v1.Secret",
		.prepare = prepare_secret, .set_defaults = default_secret,
		.validate = validate_secret,
	},
	[RESOURCE_SERVICE] = {
		.id = RESOURCE_SERVICE, .group = "", .version = "v1", .api_version = "v1",
		.kind = "Service", .list_kind = "ServiceList", .plural = "services",
		.singular = "service", .qualified = "services",
		.short_names = (const char *const[]){ "svc", NULL }, .categories = category_all,
		.namespaced = true, .has_status = true, .field_selectors = meta_fields,
		.schema_definition = "io.k8s.api.core.v1.Service",
		.prepare = prepare_service, .set_defaults = default_service,
		.validate = validate_service,
	},
	[RESOURCE_EVENT] = {
		.id = RESOURCE_EVENT, .group = "", .version = "v1", .api_version = "v1",
		.kind = "Event", .list_kind = "EventList", .plural = "events", .singular = "event",
		.qualified = "events", .short_names = (const char *const[]){ "ev", NULL },
		.categories = no_names, .namespaced = true, .field_selectors = event_fields,
		.schema_definition = "io.k8s.api.core.v1.Event",
		.validate = validate_event,
	},
	[RESOURCE_JOB] = {
		.id = RESOURCE_JOB, .group = "batch", .version = "v1", .api_version = "batch/v1",
		.kind = "Job", .list_kind = "JobList", .plural = "jobs", .singular = "job",
		.qualified = "jobs.batch", .short_names = no_names, .categories = category_all,
		.namespaced = true, .has_status = true, .has_generation = true,
		.field_selectors = job_fields, .schema_definition = "io.k8s.api.batch.v1.Job",
		.prepare = prepare_job, .set_defaults = default_job, .validate = validate_job,
	},
	[RESOURCE_JOBSET] = {
		.id = RESOURCE_JOBSET, .group = "jobset.x-k8s.io", .version = "v1alpha2",
		.api_version = "jobset.x-k8s.io/v1alpha2", .kind = "JobSet",
		.list_kind = "JobSetList", .plural = "jobsets", .singular = "jobset",
		.qualified = "jobsets.jobset.x-k8s.io", .short_names = no_names,
		.categories = no_names, .namespaced = true, .has_status = true,
		.has_generation = true, .field_selectors = meta_fields, .schema_definition = NULL,
		.prepare = prepare_jobset, .set_defaults = default_jobset,
		.validate = validate_jobset,
	},
};

const struct resource *resource_get(enum resource_kind kind)
{
	return &resources[kind];
}

const struct resource *resource_find(const char *group, const char *version, const char *plural)
{
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		const struct resource *r = &resources[k];

		if (!strcmp(r->group, group) && !strcmp(r->version, version) &&
		    !strcmp(r->plural, plural))
			return r;
	}
	return NULL;
}

const struct resource *resource_find_kind(const char *api_version, const char *kind)
{
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		const struct resource *r = &resources[k];

		if (!strcmp(r->api_version, api_version) && !strcmp(r->kind, kind))
			return r;
	}
	return NULL;
}
