/* podvolumes.h — a pod's volumes made real on the host, as the kubelet's
 * volume plugins would make them, under the pod's directory:
 *   <pod dir>/volumes/kubernetes.io~<plugin>/<volume name>
 * emptyDir (a directory, 0777), configMap and secret (one file per key or
 * per item, binaryData and base64 decoded, defaultMode/mode, optional),
 * downwardAPI and projected (configMap, secret and downwardAPI sources),
 * and hostPath (the host path itself; DirectoryOrCreate/FileOrCreate
 * create it). Then each container's volumeMounts become the runner's bind
 * mounts, subPath included; configMap, secret, downwardAPI and projected
 * volumes are mounted read-only as the kubelet mounts them. */
#ifndef KONDUKTOR_LC_PODVOLUMES_H
#define KONDUKTOR_LC_PODVOLUMES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "podenv.h"
#include "runner.h"
#include "strv.h"

struct pod_volume {
	char *name;
	char *host_path;
	bool read_only; /* the plugin mounts it read-only */
	bool writable_dir; /* emptyDir: a subPath inside may be created */
};

struct pod_volumes {
	struct pod_volume *items;
	size_t len;
};

/* A container's mounts; the host paths are owned by `paths`. */
struct pod_mounts {
	struct runner_mount *items;
	size_t len;
	struct strv paths;
};

/* Materialises every volume of pod under pod_dir. On failure err holds the
 * kubelet's FailedMount message: `MountVolume.SetUp failed for volume
 * "cfg" : configmap "settings" not found`. Calling it again rewrites the
 * configMap, secret and downward API contents. */
int podvolumes_prepare(const struct podenv_context *ctx, const cJSON *pod, const char *pod_dir,
		       struct pod_volumes *ret, struct error *err);
void podvolumes_release(struct pod_volumes *v);

/* The bind mounts for container's volumeMounts; -1 with err for a mount
 * of an unknown volume or a subPath leaving its volume. */
int podvolumes_mounts(const struct pod_volumes *v, const cJSON *container, struct pod_mounts *ret,
		      struct error *err);
void pod_mounts_release(struct pod_mounts *m);

#endif
