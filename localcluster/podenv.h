/* podenv.h — a container's environment and command line as the kubelet
 * makes them (makeEnvironmentVariables): envFrom, then env in order, with
 * value, $(VAR) expansion over the variables defined before it, and
 * valueFrom (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef);
 * then command and args expanded over the result. The runtime adds what a
 * container runtime adds first (PATH, HOSTNAME, HOME), which the spec may
 * override. */
#ifndef KONDUKTOR_LC_PODENV_H
#define KONDUKTOR_LC_PODENV_H

#include <cjson/cJSON.h>

#include "error.h"
#include "strv.h"

struct store;

/* Where a pod's downward API values come from besides the pod itself. */
struct podenv_context {
	struct store *store;   /* ConfigMaps and Secrets */
	const cJSON *node;     /* the Node (allocatable for resourceFieldRef), may be NULL */
	const char *pod_ip;
	const char *host_ip;
	const char *hostname;
};

/* Fills env ("NAME=value", in definition order, later definitions of a
 * name replacing earlier ones in place) and argv. On failure, err holds
 * the kubelet's message for CreateContainerConfigError, such as
 * `configmap "settings" not found` or `couldn't find key k in Secret ns/s`;
 * secret values never appear in it. */
int podenv_resolve(const struct podenv_context *ctx, const cJSON *pod, const cJSON *container,
		   struct strv *env, struct strv *argv, struct error *err);

/* The value of a downward API field path (metadata.name, metadata.labels['k'],
 * status.podIP, ...) for pod; -1 with err if the path is not supported. */
int podenv_field(const struct podenv_context *ctx, const cJSON *pod, const char *path,
		 char **ret, struct error *err);

/* A resourceFieldRef ({containerName, resource, divisor}) of `container`
 * (or of the container it names), as a decimal string. */
int podenv_resource_field(const struct podenv_context *ctx, const cJSON *pod,
			  const cJSON *container, const cJSON *ref, char **ret, struct error *err);

#endif
