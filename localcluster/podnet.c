/* podnet.c — pod addresses on 127/8 and the per-pod hosts file. */
#include "podnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "k8sobj.h"
#include "strutil.h"
#include "xalloc.h"

#define FIRST_ADDRESS 0x010001u  /* 127.1.0.1 */
#define ADDRESS_SPACE 0x1000000u /* the 24 bits after 127. */

void podnet_init(struct podnet *n)
{
	hashmap_init(&n->by_uid);
	hashmap_init(&n->used);
	n->next = FIRST_ADDRESS;
}

void podnet_release(struct podnet *n)
{
	hashmap_release_with(&n->by_uid, free);
	hashmap_release_with(&n->used, free);
}

/* 127.a.b.c with c neither 0 nor 255, so no address looks like a network
 * or broadcast address to a program that thinks in /24s. */
static bool usable(unsigned v)
{
	unsigned low = v & 0xff;

	return v >= FIRST_ADDRESS && v < ADDRESS_SPACE && low != 0 && low != 255;
}

static bool parse_loopback(const char *text, unsigned *ret)
{
	unsigned a, b, c, d;
	char tail;

	if (!text || sscanf(text, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a != 127 ||
	    b > 255 || c > 255 || d > 255)
		return false;
	*ret = b << 16 | c << 8 | d;
	return usable(*ret);
}

const char *podnet_assign(struct podnet *n, const char *uid, const char *wanted)
{
	char *have = hashmap_get(&n->by_uid, uid);
	char address[32];
	unsigned v;

	if (have)
		return have;
	if (parse_loopback(wanted, &v) && !hashmap_get(&n->used, wanted)) {
		snprintf(address, sizeof(address), "%s", wanted);
	} else {
		unsigned tries = 0;

		for (;; n->next++, tries++) {
			if (tries >= ADDRESS_SPACE)
				return NULL;
			if (n->next >= ADDRESS_SPACE)
				n->next = FIRST_ADDRESS;
			if (!usable(n->next))
				continue;
			snprintf(address, sizeof(address), "127.%u.%u.%u", n->next >> 16,
				 (n->next >> 8) & 0xff, n->next & 0xff);
			if (!hashmap_get(&n->used, address))
				break;
		}
		n->next++;
	}
	have = xstrdup(address);
	hashmap_put(&n->by_uid, uid, have);
	hashmap_put(&n->used, address, xstrdup(uid));
	return have;
}

void podnet_free(struct podnet *n, const char *uid)
{
	char *address = hashmap_remove(&n->by_uid, uid);

	if (address)
		free(hashmap_remove(&n->used, address));
	free(address);
}

char *podnet_hostname(const cJSON *pod)
{
	const char *h = json_get_string(pod, "spec.hostname");
	size_t len;
	char *out;

	if (str_is_empty(h))
		h = k8s_name(pod) ? k8s_name(pod) : "";
	len = strlen(h);
	if (len > 63)
		len = 63;
	out = xstrndup(h, len);
	while (len && (out[len - 1] == '-' || out[len - 1] == '.'))
		out[--len] = '\0';
	return out;
}

static void peer_line(struct buf *out, const char *ns, const char *ip, const char *hostname,
		      const char *subdomain)
{
	buf_printf(out, "%s\t%s.%s.%s.svc.%s\t%s.%s.%s.svc\t%s.%s.%s\t%s.%s\n", ip, hostname,
		   subdomain, ns, PODNET_CLUSTER_DOMAIN, hostname, subdomain, ns, hostname, subdomain,
		   ns, hostname, subdomain);
}

void podnet_hosts_file(const char *ns, const char *ip, const char *hostname,
		       const char *subdomain, const cJSON *host_aliases,
		       const struct podnet_peer *peers, size_t n_peers, struct buf *out)
{
	const cJSON *alias;
	bool header = false;

	buf_puts(out, "# Kubernetes-managed hosts file.\n"
		      "127.0.0.1\tlocalhost\n"
		      "::1\tlocalhost ip6-localhost ip6-loopback\n"
		      "fe00::0\tip6-localnet\n"
		      "fe00::0\tip6-mcastprefix\n"
		      "fe00::1\tip6-allnodes\n"
		      "fe00::2\tip6-allrouters\n");
	if (ip) {
		if (!str_is_empty(subdomain))
			buf_printf(out, "%s\t%s.%s.%s.svc.%s\t%s\n", ip, hostname, subdomain, ns,
				   PODNET_CLUSTER_DOMAIN, hostname);
		else
			buf_printf(out, "%s\t%s\n", ip, hostname);
	}
	cJSON_ArrayForEach(alias, host_aliases) {
		const cJSON *name;

		if (!header) {
			buf_puts(out, "\n# Entries added by HostAliases.\n");
			header = true;
		}
		buf_puts(out, json_get_string(alias, "ip") ?: "");
		cJSON_ArrayForEach(name, json_get(alias, "hostnames"))
			if (cJSON_IsString(name))
				buf_printf(out, "\t%s", name->valuestring);
		buf_putc(out, '\n');
	}
	if (n_peers)
		buf_puts(out, "\n# Pods of headless services (the local cluster has no DNS server).\n");
	for (size_t i = 0; i < n_peers; i++)
		peer_line(out, ns, peers[i].ip, peers[i].hostname, peers[i].subdomain);
}

bool podnet_pod_in_headless_service(const cJSON *service, const cJSON *pod_labels,
				    const char *subdomain, bool ready)
{
	const cJSON *selector = json_get(service, "spec.selector"), *kv;

	if (str_is_empty(subdomain) || !str_eq(k8s_name(service), subdomain) ||
	    !str_eq(json_get_string(service, "spec.clusterIP"), "None"))
		return false;
	if (!cJSON_GetArraySize(selector))
		return false; /* without a selector the Service has no pods of its own */
	cJSON_ArrayForEach(kv, selector)
		if (!cJSON_IsString(kv) || !str_eq(json_get_child_string(pod_labels, kv->string), kv->valuestring))
			return false;
	return ready || json_get_bool(service, "spec.publishNotReadyAddresses", false);
}
