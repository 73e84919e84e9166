/* discovery.c — what clients read before anything else: /version, the
 * health endpoints, and the API discovery documents (/api, /apis, and
 * each group version's resource list with verbs, short names and
 * categories). Aggregated discovery is not offered: kubectl and
 * client-go fall back to these per-group documents. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "schema.h"
#include "strutil.h"
#include "version.h"
#include "xalloc.h"

/* What /version reports: a release kubectl v1.32 is happy with. */
#define SERVER_GIT_VERSION "v1.32.0-konduktor." KONDUKTOR_VERSION

static const char *const resource_verbs[] = { "create", "delete", "deletecollection", "get",
					      "list",   "patch",  "update",           "watch" };

static cJSON *string_array(const char *const *items, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
	return a;
}

static cJSON *null_terminated_array(const char *const *items)
{
	size_t n = 0;

	while (items && items[n])
		n++;
	return string_array(items, n);
}

static cJSON *api_resource(const char *name, const struct resource *r, const char *kind,
			   const char *const *verbs, size_t n_verbs, bool top_level)
{
	cJSON *item = cJSON_CreateObject();

	json_set_string(item, "name", name);
	json_set_string(item, "singularName", top_level ? r->singular : "");
	json_set(item, "namespaced", cJSON_CreateBool(r->namespaced));
	json_set_string(item, "kind", kind);
	json_set(item, "verbs", string_array(verbs, n_verbs));
	if (top_level && r->short_names[0])
		json_set(item, "shortNames", null_terminated_array(r->short_names));
	if (top_level && r->categories[0])
		json_set(item, "categories", null_terminated_array(r->categories));
	return item;
}

static cJSON *resource_list(const char *group, const char *version)
{
	static const char *const status_verbs[] = { "get", "patch", "update" };
	static const char *const get_only[] = { "get" };
	static const char *const create_only[] = { "create" };
	cJSON *list = cJSON_CreateObject();
	cJSON *items = cJSON_CreateArray();
	_cleanup_free_ char *gv = group[0] ? xasprintf("%s/%s", group, version) : xstrdup(version);

	json_set_string(list, "kind", "APIResourceList");
	json_set_string(list, "apiVersion", "v1");
	json_set_string(list, "groupVersion", gv);
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		const struct resource *r = &resources[k];
		_cleanup_free_ char *status = xasprintf("%s/status", r->plural);

		if (strcmp(r->group, group) != 0 || strcmp(r->version, version) != 0)
			continue;
		cJSON_AddItemToArray(items, api_resource(r->plural, r, r->kind, resource_verbs,
							 ARRAY_SIZE(resource_verbs), true));
		if (r->has_status)
			cJSON_AddItemToArray(items, api_resource(status, r, r->kind, status_verbs,
								 ARRAY_SIZE(status_verbs), false));
		if (r->id == RESOURCE_POD) {
			cJSON_AddItemToArray(items, api_resource("pods/log", r, "Pod", get_only, 1,
								 false));
			cJSON_AddItemToArray(items, api_resource("pods/binding", r, "Binding",
								 create_only, 1, false));
		}
	}
	json_set(list, "resources", items);
	return list;
}

static cJSON *group_entry(const char *group, const char *version)
{
	cJSON *entry = cJSON_CreateObject();
	cJSON *versions = cJSON_CreateArray();
	cJSON *v = cJSON_CreateObject();
	_cleanup_free_ char *gv = xasprintf("%s/%s", group, version);

	json_set_string(entry, "name", group);
	json_set_string(v, "groupVersion", gv);
	json_set_string(v, "version", version);
	cJSON_AddItemToArray(versions, cJSON_Duplicate(v, true));
	json_set(entry, "versions", versions);
	json_set(entry, "preferredVersion", v);
	return entry;
}

/* The served groups other than core, each once. */
static cJSON *group_list(void)
{
	cJSON *list = cJSON_CreateObject();
	cJSON *groups = cJSON_CreateArray();

	json_set_string(list, "kind", "APIGroupList");
	json_set_string(list, "apiVersion", "v1");
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		const struct resource *r = &resources[k];
		bool seen = false;

		if (!r->group[0])
			continue;
		for (int j = 0; j < k; j++)
			if (!strcmp(resources[j].group, r->group))
				seen = true;
		if (!seen)
			cJSON_AddItemToArray(groups, group_entry(r->group, r->version));
	}
	json_set(list, "groups", groups);
	return list;
}

static bool group_served(const char *group, const char **ret_version)
{
	for (int k = 0; k < RESOURCE_COUNT; k++)
		if (resources[k].group[0] && !strcmp(resources[k].group, group)) {
			*ret_version = resources[k].version;
			return true;
		}
	return false;
}

/* ---- OpenAPI v3 ----
 * kubectl decides whether the server validates fields itself (it then
 * sends fieldValidation=Strict instead of validating on the client) by
 * looking, in /openapi/v3/<group-version>, for the resource's PATCH
 * operation and its fieldValidation query parameter. These documents say
 * just that: paths and operations with their group-version-kind and the
 * query parameters each verb takes. */

#define OPENAPI_HASH "konduktor-" KONDUKTOR_VERSION

static const char *group_version_path(const struct resource *r, char *out, size_t size)
{
	if (r->group[0])
		snprintf(out, size, "apis/%s/%s", r->group, r->version);
	else
		snprintf(out, size, "api/%s", r->version);
	return out;
}

static cJSON *query_parameter(const char *name)
{
	cJSON *p = cJSON_CreateObject();

	json_set_string(p, "name", name);
	json_set_string(p, "in", "query");
	json_set_string(json_ensure_object(p, "schema"), "type", "string");
	json_set(p, "uniqueItems", cJSON_CreateTrue());
	return p;
}

static cJSON *operation(const struct resource *r, const char *action,
			const char *const *params, size_t n)
{
	cJSON *op = cJSON_CreateObject();
	cJSON *gvk = cJSON_CreateObject();
	cJSON *list = cJSON_CreateArray();

	json_set_string(gvk, "group", r->group);
	json_set_string(gvk, "version", r->version);
	json_set_string(gvk, "kind", r->kind);
	json_set_string(op, "x-kubernetes-action", action);
	json_set(op, "x-kubernetes-group-version-kind", gvk);
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, query_parameter(params[i]));
	json_set(op, "parameters", list);
	return op;
}

static cJSON *openapi_v3_document(const char *gv_path)
{
	static const char *const write_params[] = { "dryRun", "fieldManager", "fieldValidation" };
	static const char *const patch_params[] = { "dryRun", "fieldManager", "fieldValidation",
						    "force" };
	static const char *const list_params[] = { "labelSelector", "fieldSelector", "limit",
						   "continue", "resourceVersion", "watch",
						   "allowWatchBookmarks", "timeoutSeconds" };
	static const char *const delete_params[] = { "dryRun", "gracePeriodSeconds",
						     "propagationPolicy" };
	cJSON *doc = cJSON_CreateObject();
	cJSON *paths = cJSON_CreateObject();
	bool any = false;

	json_set_string(doc, "openapi", "3.0.0");
	json_set_string(json_ensure_object(doc, "info"), "title", "Kubernetes");
	json_set_string(json_ensure_object(doc, "info"), "version", SERVER_GIT_VERSION);
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		const struct resource *r = &resources[k];
		char gv[128], collection[256], item[300];
		cJSON *c = cJSON_CreateObject(), *o = cJSON_CreateObject();

		if (strcmp(group_version_path(r, gv, sizeof(gv)), gv_path) != 0) {
			cJSON_Delete(c);
			cJSON_Delete(o);
			continue;
		}
		any = true;
		snprintf(collection, sizeof(collection), "/%s/%s%s", gv,
			 r->namespaced ? "namespaces/{namespace}/" : "", r->plural);
		snprintf(item, sizeof(item), "%s/{name}", collection);
		json_set(c, "get", operation(r, "list", list_params, ARRAY_SIZE(list_params)));
		json_set(c, "post", operation(r, "post", write_params, ARRAY_SIZE(write_params)));
		json_set(c, "delete", operation(r, "deletecollection", delete_params,
						ARRAY_SIZE(delete_params)));
		json_set(o, "get", operation(r, "get", NULL, 0));
		json_set(o, "put", operation(r, "put", write_params, ARRAY_SIZE(write_params)));
		json_set(o, "patch", operation(r, "patch", patch_params, ARRAY_SIZE(patch_params)));
		json_set(o, "delete", operation(r, "delete", delete_params,
						ARRAY_SIZE(delete_params)));
		json_set(paths, collection, c);
		json_set(paths, item, o);
	}
	json_set(doc, "paths", paths);
	if (!any) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

static cJSON *openapi_v3_index(void)
{
	cJSON *index = cJSON_CreateObject();
	cJSON *paths = cJSON_CreateObject();

	for (int k = 0; k < RESOURCE_COUNT; k++) {
		char gv[128];
		cJSON *entry;
		_cleanup_free_ char *url = NULL;

		group_version_path(&resources[k], gv, sizeof(gv));
		if (json_get_child(paths, gv))
			continue;
		entry = cJSON_CreateObject();
		url = xasprintf("/openapi/v3/%s?hash=%s", gv, OPENAPI_HASH);
		json_set_string(entry, "serverRelativeURL", url);
		json_set(paths, gv, entry);
	}
	json_set(index, "paths", paths);
	return index;
}

static enum MHD_Result respond_and_free(struct http_request *req, cJSON *doc)
{
	enum MHD_Result ret = http_respond_json(req, 200, doc);

	cJSON_Delete(doc);
	return ret;
}

static enum MHD_Result health(struct http_request *req, const char *name)
{
	bool ready = !req->cluster->schema || schema_ready(req->cluster->schema);
	bool is_ready_check = !strcmp(name, "readyz");

	if (http_query(req, "verbose")) {
		char text[256];

		snprintf(text, sizeof(text), "[+]ping ok\n[%c]api-schema %s\n%s check %s\n",
			 ready || !is_ready_check ? '+' : '-', ready ? "ok" : "loading", name,
			 ready || !is_ready_check ? "passed" : "failed");
		return http_respond_text(req, ready || !is_ready_check ? 200 : 500, text);
	}
	if (is_ready_check && !ready)
		return http_respond_text(req, 500, "[-]api-schema failed: still loading\n");
	return http_respond_text(req, 200, "ok");
}

enum MHD_Result api_discovery(struct http_request *req, bool *ret_handled)
{
	const char *path = req->path;
	const char *version;
	char group[128];

	*ret_handled = true;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		*ret_handled = false;
		return MHD_NO;
	}
	if (!strcmp(path, "/healthz") || !strcmp(path, "/livez") || !strcmp(path, "/readyz"))
		return health(req, path + 1);
	if (!strcmp(path, "/version")) {
		cJSON *v = cJSON_CreateObject();

		json_set_string(v, "major", "1");
		json_set_string(v, "minor", "32");
		json_set_string(v, "gitVersion", SERVER_GIT_VERSION);
		json_set_string(v, "gitCommit", "konduktor-localcluster");
		json_set_string(v, "gitTreeState", "clean");
		json_set_string(v, "buildDate", "1970-01-01T00:00:00Z");
		json_set_string(v, "goVersion", "go1.23.0");
		json_set_string(v, "compiler", "gc");
		json_set_string(v, "platform", "linux/amd64");
		return respond_and_free(req, v);
	}
	if (!strcmp(path, "/api") || !strcmp(path, "/api/")) {
		cJSON *v = cJSON_CreateObject();
		static const char *const versions[] = { "v1" };
		cJSON *cidrs = cJSON_CreateArray(), *cidr = cJSON_CreateObject();

		json_set_string(v, "kind", "APIVersions");
		json_set(v, "versions", string_array(versions, 1));
		json_set_string(cidr, "clientCIDR", "0.0.0.0/0");
		json_set_string(cidr, "serverAddress",
				req->cluster->url ? strstr(req->cluster->url, "//") + 2 : "");
		cJSON_AddItemToArray(cidrs, cidr);
		json_set(v, "serverAddressByClientCIDRs", cidrs);
		return respond_and_free(req, v);
	}
	if (!strcmp(path, "/api/v1"))
		return respond_and_free(req, resource_list("", "v1"));
	if (!strcmp(path, "/openapi/v3") || !strcmp(path, "/openapi/v3/"))
		return respond_and_free(req, openapi_v3_index());
	if (str_has_prefix(path, "/openapi/v3/")) {
		cJSON *doc = openapi_v3_document(path + strlen("/openapi/v3/"));

		if (doc)
			return respond_and_free(req, doc);
	}
	if (!strcmp(path, "/apis") || !strcmp(path, "/apis/"))
		return respond_and_free(req, group_list());
	if (str_has_prefix(path, "/apis/")) {
		const char *rest = path + 6;
		const char *slash = strchr(rest, '/');
		size_t len = slash ? (size_t)(slash - rest) : strlen(rest);

		if (len < sizeof(group)) {
			memcpy(group, rest, len);
			group[len] = '\0';
			if (group_served(group, &version)) {
				if (!slash || !slash[1])
					return respond_and_free(req, group_entry(group, version));
				if (!strcmp(slash + 1, version))
					return respond_and_free(req, resource_list(group, version));
			}
		}
	}
	*ret_handled = false;
	return MHD_NO;
}
