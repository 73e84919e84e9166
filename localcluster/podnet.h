/* podnet.h — each pod's network identity in the local cluster, which has
 * no network of its own: a loopback address 127.x.y.z as its podIP (every
 * 127/8 address reaches the host's lo, so a process can bind its pod's
 * address and others connect to it), and a per-pod /etc/hosts that plays
 * the cluster DNS: the pod's own names and, for pods behind a headless
 * Service (clusterIP None) named like their subdomain, every such pod's
 * <hostname>.<subdomain>.<namespace>.svc.cluster.local and shorter forms. */
#ifndef KONDUKTOR_LC_PODNET_H
#define KONDUKTOR_LC_PODNET_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "hashmap.h"

#define PODNET_CLUSTER_DOMAIN "cluster.local"
#define PODNET_HOST_IP "127.0.0.1"

/* Allocates addresses from 127.1.0.1 upwards. Not thread-safe. */
struct podnet {
	struct hashmap by_uid; /* pod uid -> char * address */
	struct hashmap used;   /* address -> pod uid (owned copy) */
	unsigned next;         /* next candidate, as 24 bits after 127. */
};

void podnet_init(struct podnet *n);
void podnet_release(struct podnet *n);
/* The address of the pod with `uid`: its existing one, else `wanted` if
 * free (a podIP it had before a restart), else the next free one. NULL
 * when all 16 million are taken. The string belongs to the allocator. */
const char *podnet_assign(struct podnet *n, const char *uid, const char *wanted);
void podnet_free(struct podnet *n, const char *uid);

/* The hostname a pod's containers get: spec.hostname, else the pod name
 * cut to 63 characters (without a trailing '-' or '.'), as the kubelet. */
char *podnet_hostname(const cJSON *pod);

/* One pod another pod can reach by name. */
struct podnet_peer {
	const char *ip;
	const char *hostname;
	const char *subdomain;
};

/* The kubelet's managed hosts file for a pod, followed by the entries of
 * `peers` (in the pod's namespace, already filtered to the headless
 * services' pods). */
void podnet_hosts_file(const char *ns, const char *ip, const char *hostname,
		       const char *subdomain, const cJSON *host_aliases,
		       const struct podnet_peer *peers, size_t n_peers, struct buf *out);

/* True if `pod` is behind `service`: clusterIP None, named like the pod's
 * subdomain, its selector matches the pod's labels, and the pod is ready
 * or the Service publishes not-ready addresses. */
bool podnet_pod_in_headless_service(const cJSON *service, const cJSON *pod_labels,
				    const char *subdomain, bool ready);

#endif
