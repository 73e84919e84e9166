/* node.c — the Node object of the local cluster. */
#include "node.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "store.h"
#include "strutil.h"
#include "timeutil.h"
#include "version.h"

static const char *go_arch(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return "amd64";
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	return "amd64";
}

/* The first line of a small identity file, or "" if unreadable. */
static void read_id(const char *path, char *out, size_t size)
{
	struct buf text = BUF_INIT(256);

	out[0] = '\0';
	if (file_read_all(path, &text, NULL) == 0) {
		buf_rtrim(&text);
		str_copy(out, size, text.data);
	}
	buf_release(&text);
}

static cJSON *resource_map(void)
{
	cJSON *m = cJSON_CreateObject();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	char text[32];

	snprintf(text, sizeof(text), "%ld", cpus > 0 ? cpus : 1);
	json_set_string(m, "cpu", text);
	snprintf(text, sizeof(text), "%lldKi",
		 pages > 0 && page > 0 ? (long long)pages * page / 1024 : 1048576LL);
	json_set_string(m, "memory", text);
	json_set_string(m, "pods", "110");
	json_set_string(m, "ephemeral-storage", "100Gi");
	return m;
}

static cJSON *ready_condition(void)
{
	cJSON *c = cJSON_CreateObject();
	char now[RFC3339_MAX];

	time_format_rfc3339(time(NULL), now);
	json_set_string(c, "type", "Ready");
	json_set_string(c, "status", "True");
	json_set_string(c, "lastHeartbeatTime", now);
	json_set_string(c, "lastTransitionTime", now);
	json_set_string(c, "reason", "KubeletReady");
	json_set_string(c, "message", "konduktor-localcluster is posting ready status");
	return c;
}

static int refresh_ready(cJSON *node, void *ctx, struct api_error *err)
{
	cJSON *conditions = cJSON_CreateArray();

	cJSON_AddItemToArray(conditions, ready_condition());
	json_set(json_ensure_object(node, "status"), "conditions", conditions);
	return 0;
}

int node_ensure(struct cluster *cluster, struct error *err)
{
	const char *name = cluster->config->node_name;
	struct api_error aerr = API_ERROR_INIT;
	struct store_write_options status = { .status = true };
	cJSON *node = cJSON_CreateObject();
	cJSON *labels, *st, *addresses, *address, *info, *conditions;

	json_set_string(node, "apiVersion", "v1");
	json_set_string(node, "kind", "Node");
	json_set_string(json_ensure_object(node, "metadata"), "name", name);
	labels = json_ensure_object(node, "metadata.labels");
	json_set_string(labels, "kubernetes.io/hostname", name);
	json_set_string(labels, "kubernetes.io/os", "linux");
	json_set_string(labels, "kubernetes.io/arch", go_arch());
	json_set_string(labels, "node.kubernetes.io/instance-type", "konduktor-local");
	json_set(node, "spec", cJSON_CreateObject());
	st = json_ensure_object(node, "status");
	json_set(st, "capacity", resource_map());
	json_set(st, "allocatable", resource_map());
	conditions = cJSON_CreateArray();
	cJSON_AddItemToArray(conditions, ready_condition());
	json_set(st, "conditions", conditions);
	addresses = cJSON_CreateArray();
	address = cJSON_CreateObject();
	json_set_string(address, "type", "InternalIP");
	json_set_string(address, "address", "127.0.0.1");
	cJSON_AddItemToArray(addresses, address);
	address = cJSON_CreateObject();
	json_set_string(address, "type", "Hostname");
	json_set_string(address, "address", name);
	cJSON_AddItemToArray(addresses, address);
	json_set(st, "addresses", addresses);
	info = json_ensure_object(st, "nodeInfo");
	json_set_string(info, "kubeletVersion", "v1.32.0-konduktor." KONDUKTOR_VERSION);
	json_set_string(info, "containerRuntimeVersion", "konduktor://" KONDUKTOR_VERSION);
	json_set_string(info, "operatingSystem", "linux");
	json_set_string(info, "architecture", go_arch());
	json_set_string(info, "osImage", "konduktor-localcluster");
	json_set_string(info, "kubeProxyVersion", "");
	{
		struct utsname u;
		char id[64];

		json_set_string(info, "kernelVersion", uname(&u) == 0 ? u.release : "");
		/* Clients (the Python one) insist on these being present. */
		read_id("/etc/machine-id", id, sizeof(id));
		json_set_string(info, "machineID", id);
		json_set_string(info, "systemUUID", id);
		read_id("/proc/sys/kernel/random/boot_id", id, sizeof(id));
		json_set_string(info, "bootID", id);
	}
	if (store_create(cluster->store, RESOURCE_NODE, NULL, node, NULL, NULL, &aerr) == 0)
		return 0;
	if (aerr.code != 409)
		return error_set(err, "cannot create node '%s': %s", name, aerr.message);
	/* Restarted with a state dir: the node is there; it is ready again. */
	if (store_mutate(cluster->store, RESOURCE_NODE, NULL, name, refresh_ready, NULL, &status,
			 NULL, &aerr) < 0)
		return error_set(err, "cannot update node '%s': %s", name, aerr.message);
	return 0;
}
