/* podenv.c — a container's environment and argv, as the kubelet builds
 * them (see podenv.h). */
#include "podenv.h"

#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "k8sexpand.h"
#include "k8sobj.h"
#include "quantity.h"
#include "store.h"
#include "strutil.h"
#include "xalloc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define ENV_VALUE_MAX ((size_t)1024 * 1024)

/* Name/value pairs in definition order. */
struct envlist {
	struct strv names;
	struct strv values;
};

static const char *envlist_get(const struct envlist *e, const char *name)
{
	long i = strv_find(&e->names, name);

	return i < 0 ? NULL : e->values.items[i];
}

static void envlist_set(struct envlist *e, const char *name, const char *value)
{
	long i = strv_find(&e->names, name);

	if (i >= 0) {
		free(e->values.items[i]);
		e->values.items[i] = xstrdup(value);
		return;
	}
	strv_push(&e->names, name);
	strv_push(&e->values, value);
}

static void envlist_release(struct envlist *e)
{
	strv_release(&e->names);
	strv_release(&e->values);
}

static const char *envlist_lookup(const char *name, void *data)
{
	return envlist_get(data, name);
}

/* ---- downward API ---- */

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FormatMap(): sorted `key="value"` lines, as the kubelet writes a whole
 * labels or annotations map. */
static char *format_map(const cJSON *map)
{
	struct strv lines = STRV_INIT;
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);
	const cJSON *item;

	cJSON_ArrayForEach(item, map) {
		struct buf line = BUF_INIT(BUF_MAX_DEFAULT);

		buf_printf(&line, "%s=\"", item->string);
		for (const char *p = cJSON_IsString(item) ? item->valuestring : ""; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&line, '\\');
			if (*p == '\n')
				buf_puts(&line, "\\n");
			else
				buf_putc(&line, *p);
		}
		buf_putc(&line, '"');
		strv_push_owned(&lines, buf_detach(&line, NULL));
	}
	if (lines.len)
		qsort(lines.items, lines.len, sizeof(*lines.items), compare_strings);
	for (size_t i = 0; i < lines.len; i++)
		buf_printf(&out, "%s%s", i ? "\n" : "", lines.items[i]);
	strv_release(&lines);
	return buf_detach(&out, NULL);
}

/* "metadata.labels['key']" -> "key" (newly allocated), or NULL. */
static char *subscript(const char *path, const char *prefix)
{
	size_t n = strlen(prefix), len = strlen(path);

	if (strncmp(path, prefix, n) || len < n + 4 || path[n] != '[' || path[n + 1] != '\'' ||
	    path[len - 1] != ']' || path[len - 2] != '\'')
		return NULL;
	return xstrndup(path + n + 2, len - n - 4);
}

int podenv_field(const struct podenv_context *ctx, const cJSON *pod, const char *path,
		 char **ret, struct error *err)
{
	_cleanup_free_ char *key = NULL;
	const char *v = NULL;

	if (!strcmp(path, "metadata.name"))
		v = k8s_name(pod);
	else if (!strcmp(path, "metadata.namespace"))
		v = k8s_namespace(pod);
	else if (!strcmp(path, "metadata.uid"))
		v = k8s_uid(pod);
	else if (!strcmp(path, "spec.nodeName"))
		v = json_get_string(pod, "spec.nodeName");
	else if (!strcmp(path, "spec.serviceAccountName"))
		v = json_get_string(pod, "spec.serviceAccountName");
	else if (!strcmp(path, "status.hostIP") || !strcmp(path, "status.hostIPs"))
		v = ctx->host_ip;
	else if (!strcmp(path, "status.podIP") || !strcmp(path, "status.podIPs"))
		v = ctx->pod_ip;
	else if (!strcmp(path, "metadata.labels")) {
		*ret = format_map(json_get(pod, "metadata.labels"));
		return 0;
	} else if (!strcmp(path, "metadata.annotations")) {
		*ret = format_map(json_get(pod, "metadata.annotations"));
		return 0;
	} else if ((key = subscript(path, "metadata.labels"))) {
		v = k8s_label(pod, key);
	} else if ((key = subscript(path, "metadata.annotations"))) {
		v = k8s_annotation(pod, key);
	} else {
		return error_set(err, "unsupported fieldPath: %s", path);
	}
	*ret = xstrdup(v ? v : "");
	return 0;
}

static int64_t quantity_milli_of(const cJSON *v, int64_t fallback)
{
	struct quantity q;

	if (cJSON_IsString(v) && quantity_parse(v->valuestring, &q, NULL) == 0)
		return q.milli;
	if (cJSON_IsNumber(v))
		return (int64_t)(v->valuedouble * 1000);
	return fallback;
}

/* resourceFieldRef: a container's limit or request, divided by the
 * divisor and rounded up; a missing limit is the node's allocatable. */
int podenv_resource_field(const struct podenv_context *ctx, const cJSON *pod,
			  const cJSON *container, const cJSON *ref, char **ret, struct error *err)
{
	const char *resource = json_get_string(ref, "resource");
	const char *name = json_get_string(ref, "containerName");
	const cJSON *target = container, *c, *value;
	const char *dot;
	int64_t amount, divisor = quantity_milli_of(json_get(ref, "divisor"), 1000);
	bool is_limit;

	if (!resource || !(dot = strchr(resource, '.')))
		return error_set(err, "unsupported container resource: %s", resource ? resource : "");
	is_limit = !strncmp(resource, "limits.", 7);
	if (!is_limit && strncmp(resource, "requests.", 9))
		return error_set(err, "unsupported container resource: %s", resource);
	if (name) {
		target = NULL;
		cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
			if (str_eq(json_get_string(c, "name"), name))
				target = c;
		if (!target)
			return error_set(err, "container %s not found", name);
	}
	value = json_get_child(json_get(target, is_limit ? "resources.limits" : "resources.requests"),
			       dot + 1);
	if (!value && !is_limit)
		value = json_get_child(json_get(target, "resources.limits"), dot + 1);
	amount = quantity_milli_of(value, -1);
	if (amount < 0)
		amount = is_limit ? quantity_milli_of(json_get_child(json_get(ctx->node, "status.allocatable"),
								     dot + 1), 0)
				  : 0;
	if (divisor <= 0)
		divisor = 1000;
	*ret = xasprintf("%" PRId64, amount / divisor + (amount % divisor != 0));
	return 0;
}

/* ---- ConfigMaps and Secrets ---- */

/* A ConfigMap's or Secret's data as a cJSON object of plain strings
 * (Secret values decoded); NULL with *ret_missing when it does not exist. */
static cJSON *read_source(const struct podenv_context *ctx, bool secret, const char *ns,
			  const char *name, bool *ret_missing, struct error *err)
{
	struct store_obj *obj = NULL;
	struct api_error aerr = API_ERROR_INIT;
	cJSON *parsed, *out, *item;

	*ret_missing = false;
	if (store_get(ctx->store, secret ? RESOURCE_SECRET : RESOURCE_CONFIGMAP, ns, name, &obj,
		      &aerr) < 0) {
		if (aerr.code == 404)
			*ret_missing = true;
		error_set(err, "%s \"%s\" not found", secret ? "secret" : "configmap", name);
		return NULL;
	}
	parsed = store_obj_parse(obj);
	store_obj_unref(obj);
	out = cJSON_CreateObject();
	cJSON_ArrayForEach(item, json_get(parsed, "data")) {
		if (!cJSON_IsString(item))
			continue;
		if (secret) {
			struct buf plain = BUF_INIT(BUF_MAX_DEFAULT);

			if (base64_decode(item->valuestring, strlen(item->valuestring), &plain, NULL) == 0)
				cJSON_AddStringToObject(out, item->string, plain.data);
			buf_release(&plain);
		} else {
			cJSON_AddStringToObject(out, item->string, item->valuestring);
		}
	}
	if (!secret) {
		/* binaryData keys hold base64 too; as environment values they are text. */
		cJSON_ArrayForEach(item, json_get(parsed, "binaryData")) {
			struct buf plain = BUF_INIT(BUF_MAX_DEFAULT);

			if (cJSON_IsString(item) &&
			    base64_decode(item->valuestring, strlen(item->valuestring), &plain, NULL) == 0)
				cJSON_AddStringToObject(out, item->string, plain.data);
			buf_release(&plain);
		}
	}
	cJSON_Delete(parsed);
	return out;
}

static int env_from(const struct podenv_context *ctx, const cJSON *pod, const cJSON *source,
		    struct envlist *env, struct error *err)
{
	const cJSON *ref = json_get(source, "configMapRef");
	bool secret = false, missing;
	const char *prefix = json_get_string(source, "prefix");
	const cJSON *item;
	cJSON *data;

	if (!ref) {
		ref = json_get(source, "secretRef");
		secret = true;
	}
	if (!ref)
		return 0;
	data = read_source(ctx, secret, k8s_namespace(pod), json_get_string(ref, "name") ?: "",
			   &missing, err);
	if (!data)
		return missing && json_get_bool(ref, "optional", false) ? 0 : -1;
	cJSON_ArrayForEach(item, data) {
		_cleanup_free_ char *name = xasprintf("%s%s", prefix ? prefix : "", item->string);

		/* Invalid names are skipped, as the kubelet does (with an event). */
		if (str_is_env_name(name))
			envlist_set(env, name, item->valuestring);
	}
	cJSON_Delete(data);
	return 0;
}

static int key_ref(const struct podenv_context *ctx, const cJSON *pod, const cJSON *ref,
		   bool secret, char **ret, struct error *err)
{
	const char *name = json_get_string(ref, "name") ?: "";
	const char *key = json_get_string(ref, "key") ?: "";
	bool optional = json_get_bool(ref, "optional", false), missing;
	cJSON *data = read_source(ctx, secret, k8s_namespace(pod), name, &missing, err);
	const char *value;

	*ret = NULL;
	if (!data)
		return missing && optional ? 0 : -1;
	value = json_get_child_string(data, key);
	if (value)
		*ret = xstrdup(value);
	cJSON_Delete(data);
	if (!value && !optional)
		return error_set(err, "couldn't find key %s in %s %s/%s", key,
				 secret ? "Secret" : "ConfigMap", k8s_namespace(pod), name);
	return 0;
}

/* ---- putting it together ---- */

/* HOME as runc sets it: the user's home directory, "/" if unknown. */
static void home_for(int64_t uid, char *home, size_t size)
{
	struct passwd pw, *found = NULL;
	char buffer[1024];

	if (uid <= 0) {
		str_copy(home, size, "/root");
		return;
	}
	if (getpwuid_r((uid_t)uid, &pw, buffer, sizeof(buffer), &found) == 0 && found &&
	    str_copy(home, size, found->pw_dir) == 0)
		return;
	str_copy(home, size, "/");
}

static int64_t run_as_user(const cJSON *pod, const cJSON *container)
{
	int64_t uid = -1;

	if (!json_get_int64(container, "securityContext.runAsUser", &uid))
		json_get_int64(pod, "spec.securityContext.runAsUser", &uid);
	return uid;
}

int podenv_resolve(const struct podenv_context *ctx, const cJSON *pod, const cJSON *container,
		   struct strv *env, struct strv *argv, struct error *err)
{
	struct envlist spec_env = { STRV_INIT, STRV_INIT };
	struct envlist all = { STRV_INIT, STRV_INIT };
	const cJSON *item;
	const char *lists[] = { "command", "args" };
	int ret = -1;

	cJSON_ArrayForEach(item, json_get(container, "envFrom"))
		if (env_from(ctx, pod, item, &spec_env, err) < 0)
			goto out;
	cJSON_ArrayForEach(item, json_get(container, "env")) {
		const char *name = json_get_string(item, "name");
		const cJSON *from = json_get(item, "valueFrom");
		_cleanup_free_ char *value = NULL;

		if (!name)
			continue;
		if (!from) {
			struct buf expanded = BUF_INIT(ENV_VALUE_MAX);

			if (k8s_expand_append(json_get_string(item, "value") ?: "", envlist_lookup,
					      &spec_env, &expanded) < 0) {
				buf_release(&expanded);
				error_set(err, "environment variable %s is longer than %zu bytes", name,
					  ENV_VALUE_MAX);
				goto out;
			}
			value = buf_detach(&expanded, NULL);
		} else if (json_get(from, "fieldRef")) {
			if (podenv_field(ctx, pod, json_get_string(from, "fieldRef.fieldPath") ?: "",
					 &value, err) < 0)
				goto out;
		} else if (json_get(from, "resourceFieldRef")) {
			if (podenv_resource_field(ctx, pod, container, json_get(from, "resourceFieldRef"), &value,
					   err) < 0)
				goto out;
		} else if (json_get(from, "configMapKeyRef") || json_get(from, "secretKeyRef")) {
			bool secret = json_get(from, "secretKeyRef") != NULL;

			if (key_ref(ctx, pod, json_get(from, secret ? "secretKeyRef" : "configMapKeyRef"),
				    secret, &value, err) < 0)
				goto out;
			if (!value)
				continue; /* optional and absent: not set at all */
		}
		envlist_set(&spec_env, name, value ? value : "");
	}
	/* What an image and the container runtime would provide, overridable. */
	envlist_set(&all, "PATH", DEFAULT_PATH);
	if (ctx->hostname)
		envlist_set(&all, "HOSTNAME", ctx->hostname);
	{
		char home[256];

		home_for(run_as_user(pod, container), home, sizeof(home));
		envlist_set(&all, "HOME", home);
	}
	for (size_t i = 0; i < spec_env.names.len; i++)
		envlist_set(&all, spec_env.names.items[i], spec_env.values.items[i]);
	for (size_t i = 0; i < all.names.len; i++)
		strv_pushf(env, "%s=%s", all.names.items[i], all.values.items[i]);
	for (size_t l = 0; l < 2; l++) {
		cJSON_ArrayForEach(item, json_get(container, lists[l])) {
			struct buf arg = BUF_INIT(ENV_VALUE_MAX);

			if (!cJSON_IsString(item))
				continue;
			if (k8s_expand_append(item->valuestring, envlist_lookup, &spec_env, &arg) < 0) {
				buf_release(&arg);
				error_set(err, "container %s is longer than %zu bytes", lists[l],
					  ENV_VALUE_MAX);
				goto out;
			}
			strv_push_owned(argv, buf_detach(&arg, NULL));
		}
	}
	ret = 0;
out:
	envlist_release(&spec_env);
	envlist_release(&all);
	return ret;
}
