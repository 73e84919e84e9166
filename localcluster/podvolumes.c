/* podvolumes.c — pod volumes on the host and container mounts (see
 * podvolumes.h). */
#include "podvolumes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "k8sobj.h"
#include "store.h"
#include "strutil.h"
#include "xalloc.h"

#define VOLUME_FILE_MAX ((size_t)8 * 1024 * 1024)

static int setup_failed(struct error *err, const char *volume, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int setup_failed(struct error *err, const char *volume, const char *fmt, ...)
{
	char detail[ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return error_set(err, "MountVolume.SetUp failed for volume \"%s\" : %s", volume, detail);
}

/* A relative path that stays inside its directory. */
static bool safe_relative(const char *path)
{
	const char *p = path;

	if (!*path || *path == '/')
		return false;
	while (*p) {
		const char *end = strchrnul(p, '/');

		if (end - p == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p = *end ? end + 1 : end;
	}
	return true;
}

static int write_volume_file(const char *dir, const char *rel, const void *data, size_t len,
			     mode_t mode, const char *volume, struct error *err)
{
	_cleanup_free_ char *path = NULL, *parent = NULL;
	struct error inner = ERROR_INIT;

	if (!safe_relative(rel))
		return setup_failed(err, volume, "invalid path %s", rel);
	path = path_join(dir, rel);
	parent = path_dirname(path);
	if (mkdir_parents(parent, 0755, &inner) < 0 ||
	    file_write_atomic(path, data, len, mode & 07777, &inner) < 0)
		return setup_failed(err, volume, "%s", inner.msg);
	return 0;
}

/* Every key of a ConfigMap (data and binaryData) or Secret (data), values
 * decoded, as an object of base64-free strings would lose binary bytes:
 * the result maps keys to struct buf pointers owned by `keys`/`values`. */
struct keyed_data {
	struct strv keys;
	struct buf *values;
	size_t len;
};

static void keyed_data_release(struct keyed_data *d)
{
	for (size_t i = 0; i < d->len; i++)
		buf_release(&d->values[i]);
	free(d->values);
	strv_release(&d->keys);
	d->values = NULL;
	d->len = 0;
}

static void keyed_add(struct keyed_data *d, const char *key, const char *text, bool base64)
{
	struct buf value = BUF_INIT(VOLUME_FILE_MAX);

	if (base64 ? base64_decode(text, strlen(text), &value, NULL) < 0 : buf_puts(&value, text) < 0) {
		buf_release(&value);
		return; /* the API validated it: cannot happen */
	}
	strv_push(&d->keys, key);
	d->values = xreallocarray(d->values, d->len + 1, sizeof(*d->values));
	d->values[d->len++] = value;
}

/* Reads a ConfigMap or Secret; 1 when it does not exist. */
static int read_keyed(const struct podenv_context *ctx, bool secret, const char *ns,
		      const char *name, struct keyed_data *ret)
{
	struct store_obj *obj = NULL;
	struct api_error aerr = API_ERROR_INIT;
	const cJSON *item;
	cJSON *parsed;

	if (store_get(ctx->store, secret ? RESOURCE_SECRET : RESOURCE_CONFIGMAP, ns, name, &obj,
		      &aerr) < 0)
		return 1;
	parsed = store_obj_parse(obj);
	store_obj_unref(obj);
	cJSON_ArrayForEach(item, json_get(parsed, "data"))
		if (cJSON_IsString(item))
			keyed_add(ret, item->string, item->valuestring, secret);
	if (!secret)
		cJSON_ArrayForEach(item, json_get(parsed, "binaryData"))
			if (cJSON_IsString(item))
				keyed_add(ret, item->string, item->valuestring, true);
	cJSON_Delete(parsed);
	return 0;
}

static mode_t item_mode(const cJSON *item, mode_t fallback)
{
	int64_t mode;

	return json_get_int64(item, "mode", &mode) ? (mode_t)mode : fallback;
}

/* configMap/secret content into dir: every key, or only `items`. */
static int write_keyed(const struct podenv_context *ctx, const cJSON *pod, const cJSON *source,
		       bool secret, const char *dir, mode_t default_mode, const char *volume,
		       struct error *err)
{
	const char *name = json_get_string(source, secret ? "secretName" : "name");
	struct keyed_data data = { STRV_INIT, NULL, 0 };
	const cJSON *items = json_get(source, "items"), *item;
	int ret = 0;

	if (!name)
		name = json_get_string(source, "name");
	if (read_keyed(ctx, secret, k8s_namespace(pod), name ? name : "", &data) == 1) {
		if (json_get_bool(source, "optional", false))
			return 0;
		return setup_failed(err, volume, "%s \"%s\" not found", secret ? "secret" : "configmap",
				    name ? name : "");
	}
	if (cJSON_GetArraySize(items) > 0) {
		cJSON_ArrayForEach(item, items) {
			const char *key = json_get_string(item, "key");
			const char *path = json_get_string(item, "path");
			long at = key ? strv_find(&data.keys, key) : -1;

			if (at < 0) {
				if (json_get_bool(source, "optional", false))
					continue;
				ret = setup_failed(err, volume, "%s references non-existent %s key: %s",
						   secret ? "secret" : "configmap", secret ? "secret" : "config",
						   key ? key : "");
				break;
			}
			if (write_volume_file(dir, path ? path : key, data.values[at].data,
					      data.values[at].len, item_mode(item, default_mode), volume,
					      err) < 0) {
				ret = -1;
				break;
			}
		}
	} else {
		for (size_t i = 0; i < data.len && ret == 0; i++)
			ret = write_volume_file(dir, data.keys.items[i], data.values[i].data,
						data.values[i].len, default_mode, volume, err);
	}
	keyed_data_release(&data);
	return ret;
}

static int write_downward(const struct podenv_context *ctx, const cJSON *pod, const cJSON *items,
			  const char *dir, mode_t default_mode, const char *volume, struct error *err)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, items) {
		_cleanup_free_ char *value = NULL;
		const char *path = json_get_string(item, "path");
		struct error inner = ERROR_INIT;
		int rc;

		if (json_get(item, "fieldRef"))
			rc = podenv_field(ctx, pod, json_get_string(item, "fieldRef.fieldPath") ?: "",
					  &value, &inner);
		else if (json_get(item, "resourceFieldRef"))
			rc = podenv_resource_field(ctx, pod, NULL, json_get(item, "resourceFieldRef"),
						   &value, &inner);
		else
			continue;
		if (rc < 0)
			return setup_failed(err, volume, "%s", inner.msg);
		if (write_volume_file(dir, path ? path : "", value, strlen(value),
				      item_mode(item, default_mode), volume, err) < 0)
			return -1;
	}
	return 0;
}

static int host_path_volume(const cJSON *source, const char *volume, struct error *err)
{
	const char *path = json_get_string(source, "path");
	const char *type = json_get_string(source, "type");
	struct error inner = ERROR_INIT;
	struct stat st;

	if (!path || path[0] != '/')
		return setup_failed(err, volume, "hostPath must be absolute");
	if (str_eq(type, "DirectoryOrCreate")) {
		if (mkdir_parents(path, 0755, &inner) < 0)
			return setup_failed(err, volume, "%s", inner.msg);
	} else if (str_eq(type, "FileOrCreate")) {
		_cleanup_free_ char *parent = path_dirname(path);
		int fd;

		if (mkdir_parents(parent, 0755, &inner) < 0)
			return setup_failed(err, volume, "%s", inner.msg);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return setup_failed(err, volume, "cannot create %s: %s", path, strerror(errno));
		close(fd);
	}
	if (stat(path, &st) < 0) {
		if (str_is_empty(type))
			return setup_failed(err, volume, "hostPath %s does not exist", path);
		return setup_failed(err, volume, "hostPath type check failed: %s is not a %s", path,
				    type);
	}
	if ((str_eq(type, "Directory") && !S_ISDIR(st.st_mode)) ||
	    (str_eq(type, "File") && !S_ISREG(st.st_mode)) ||
	    (str_eq(type, "Socket") && !S_ISSOCK(st.st_mode)) ||
	    (str_eq(type, "CharDevice") && !S_ISCHR(st.st_mode)) ||
	    (str_eq(type, "BlockDevice") && !S_ISBLK(st.st_mode)))
		return setup_failed(err, volume, "hostPath type check failed: %s is not a %s", path,
				    type);
	return 0;
}

static int fresh_dir(const char *dir, const char *volume, mode_t mode, struct error *err)
{
	struct error inner = ERROR_INIT;

	if (remove_tree(dir, &inner) < 0 || mkdir_parents(dir, 0755, &inner) < 0 ||
	    chmod(dir, mode) < 0)
		return setup_failed(err, volume, "%s", inner.msg[0] ? inner.msg : strerror(errno));
	return 0;
}

static int prepare_one(const struct podenv_context *ctx, const cJSON *pod, const char *pod_dir,
		       const cJSON *vol, struct pod_volume *out, struct error *err)
{
	const char *name = json_get_string(vol, "name");
	const cJSON *source;
	_cleanup_free_ char *dir = NULL;
	int64_t mode = 0644;

	*out = (struct pod_volume){ .name = xstrdup(name ? name : "") };
	if ((source = json_get(vol, "hostPath"))) {
		out->host_path = xstrdup(json_get_string(source, "path") ?: "");
		return host_path_volume(source, out->name, err);
	}
	if ((source = json_get(vol, "emptyDir"))) {
		struct error inner = ERROR_INIT;

		dir = xasprintf("%s/volumes/kubernetes.io~empty-dir/%s", pod_dir, out->name);
		out->writable_dir = true;
		/* Kept across container restarts; world-writable as the kubelet makes it. */
		if (mkdir_parents(dir, 0755, &inner) < 0 || chmod(dir, 0777) < 0)
			return setup_failed(err, out->name, "%s",
					    inner.msg[0] ? inner.msg : strerror(errno));
		out->host_path = TAKE_PTR(dir);
		return 0;
	}
	out->read_only = true;
	if ((source = json_get(vol, "configMap")) || (source = json_get(vol, "secret"))) {
		bool secret = json_get(vol, "secret") != NULL;

		dir = xasprintf("%s/volumes/kubernetes.io~%s/%s", pod_dir,
				secret ? "secret" : "configmap", out->name);
		json_get_int64(source, "defaultMode", &mode);
		if (fresh_dir(dir, out->name, 0755, err) < 0 ||
		    write_keyed(ctx, pod, source, secret, dir, (mode_t)mode, out->name, err) < 0)
			return -1;
	} else if ((source = json_get(vol, "downwardAPI"))) {
		dir = xasprintf("%s/volumes/kubernetes.io~downward-api/%s", pod_dir, out->name);
		json_get_int64(source, "defaultMode", &mode);
		if (fresh_dir(dir, out->name, 0755, err) < 0 ||
		    write_downward(ctx, pod, json_get(source, "items"), dir, (mode_t)mode, out->name,
				   err) < 0)
			return -1;
	} else if ((source = json_get(vol, "projected"))) {
		const cJSON *s;

		dir = xasprintf("%s/volumes/kubernetes.io~projected/%s", pod_dir, out->name);
		json_get_int64(source, "defaultMode", &mode);
		if (fresh_dir(dir, out->name, 0755, err) < 0)
			return -1;
		cJSON_ArrayForEach(s, json_get(source, "sources")) {
			const cJSON *part;
			int rc = 0;

			if ((part = json_get(s, "configMap")))
				rc = write_keyed(ctx, pod, part, false, dir, (mode_t)mode, out->name, err);
			else if ((part = json_get(s, "secret")))
				rc = write_keyed(ctx, pod, part, true, dir, (mode_t)mode, out->name, err);
			else if ((part = json_get(s, "downwardAPI")))
				rc = write_downward(ctx, pod, json_get(part, "items"), dir, (mode_t)mode,
						    out->name, err);
			/* serviceAccountToken and clusterTrustBundle: the local cluster
			 * issues no tokens, so there is nothing to project. */
			if (rc < 0)
				return -1;
		}
	} else {
		return setup_failed(err, out->name,
				    "volume type not supported by the local cluster (emptyDir, "
				    "configMap, secret, downwardAPI, projected and hostPath are)");
	}
	out->host_path = TAKE_PTR(dir);
	return 0;
}

int podvolumes_prepare(const struct podenv_context *ctx, const cJSON *pod, const char *pod_dir,
		       struct pod_volumes *ret, struct error *err)
{
	const cJSON *vols = json_get(pod, "spec.volumes"), *vol;
	struct pod_volumes v = { xcalloc((size_t)cJSON_GetArraySize(vols) + 1, sizeof(*v.items)), 0 };

	cJSON_ArrayForEach(vol, vols) {
		if (prepare_one(ctx, pod, pod_dir, vol, &v.items[v.len], err) < 0) {
			v.len++;
			podvolumes_release(&v);
			return -1;
		}
		v.len++;
	}
	*ret = v;
	return 0;
}

void podvolumes_release(struct pod_volumes *v)
{
	for (size_t i = 0; i < v->len; i++) {
		free(v->items[i].name);
		free(v->items[i].host_path);
	}
	free(v->items);
	v->items = NULL;
	v->len = 0;
}

int podvolumes_mounts(const struct pod_volumes *v, const cJSON *container, struct pod_mounts *ret,
		      struct error *err)
{
	const cJSON *mounts = json_get(container, "volumeMounts"), *m;
	struct pod_mounts out = { xcalloc((size_t)cJSON_GetArraySize(mounts) + 1, sizeof(*out.items)),
				  0, STRV_INIT };

	cJSON_ArrayForEach(m, mounts) {
		const char *name = json_get_string(m, "name");
		const char *path = json_get_string(m, "mountPath");
		const char *sub = json_get_string(m, "subPath");
		const struct pod_volume *vol = NULL;
		char *source;

		for (size_t i = 0; i < v->len; i++)
			if (str_eq(v->items[i].name, name))
				vol = &v->items[i];
		if (!vol || !path) {
			pod_mounts_release(&out);
			return error_set(err, "unable to find volume \"%s\" to mount into container",
					 name ? name : "");
		}
		if (!str_is_empty(sub)) {
			if (!safe_relative(sub)) {
				pod_mounts_release(&out);
				return error_set(err, "subPath \"%s\" must be a relative path within the volume",
						 sub);
			}
			source = path_join(vol->host_path, sub);
			if (vol->writable_dir && access(source, F_OK) < 0)
				mkdir_parents(source, 0777, NULL);
		} else {
			source = xstrdup(vol->host_path);
		}
		strv_push_owned(&out.paths, source);
		out.items[out.len++] = (struct runner_mount){
			.host_path = source,
			.container_path = path,
			.read_only = vol->read_only || json_get_bool(m, "readOnly", false),
		};
	}
	*ret = out;
	return 0;
}

void pod_mounts_release(struct pod_mounts *m)
{
	free(m->items);
	strv_release(&m->paths);
	m->items = NULL;
	m->len = 0;
}
