/* protobuf.h — the Kubernetes protobuf encoding of request bodies
 * (Content-Type: application/vnd.kubernetes.protobuf), which kubectl's
 * typed commands send (`kubectl create namespace|configmap|secret`): the
 * "k8s\0" envelope (runtime.Unknown) around the object's generated.proto
 * message, decoded into the JSON the rest of the server works with. Only
 * the simple kinds are described here (Namespace, ConfigMap, Secret, with
 * ObjectMeta); the others stay JSON-only (415). */
#ifndef KONDUKTOR_LC_PROTOBUF_H
#define KONDUKTOR_LC_PROTOBUF_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "resource.h"

#define PROTOBUF_CONTENT_TYPE "application/vnd.kubernetes.protobuf"

/* True if bodies of this kind can be decoded from protobuf. */
bool protobuf_supported(const struct resource *r);

/* Decodes an enveloped body into the object's JSON (apiVersion and kind
 * from the envelope). NULL with err when it is malformed, of another
 * kind, or not a kind protobuf_supported() accepts. */
cJSON *protobuf_decode(const struct resource *r, const char *data, size_t len,
		       struct error *err);

#endif
