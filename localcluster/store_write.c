/* store_write.c — every write to the store with the real server's
 * admission: server-set metadata, generateName, defaulting, validation,
 * the status subresource, resourceVersion preconditions and the
 * optimistic retry of patches, finalizers, graceful and cascading
 * deletion, pod binding and Events. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "patch.h"
#include "store_internal.h"
#include "strutil.h"
#include "timeutil.h"
#include "validation.h"
#include "xalloc.h"

/* How often a write retries after losing a race with another writer. */
#define MAX_UPDATE_ATTEMPTS 64
#define MAX_GENERATE_NAME_ATTEMPTS 8

/* Gives the caller the reference to obj when it asked for the object
 * (ret not NULL), else drops it. */
static void hand_over(struct store_obj **ret, struct store_obj *obj)
{
	if (ret)
		*ret = obj;
	else
		store_obj_unref(obj);
}

static void random_bytes(void *out, size_t len)
{
	unsigned char *p = out;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("getrandom failed: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

void store_new_uid(char out[37])
{
	unsigned char b[16];

	random_bytes(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

/* The real server's generateName alphabet (no vowels, no look-alikes). */
static void random_suffix(char out[6])
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char b[5];

	random_bytes(b, sizeof(b));
	for (int i = 0; i < 5; i++)
		out[i] = alphabet[b[i] % (sizeof(alphabet) - 1)];
	out[5] = '\0';
}

static void now_rfc3339(char out[RFC3339_MAX])
{
	time_format_rfc3339(time(NULL), out);
}

/* Puts kind, apiVersion and metadata first and status last, as the real
 * server serialises objects. */
static void normalize_order(cJSON *obj)
{
	static const char *const first[] = { "metadata", "apiVersion", "kind" };
	cJSON *status = cJSON_DetachItemFromObjectCaseSensitive(obj, "status");

	for (size_t i = 0; i < ARRAY_SIZE(first); i++) {
		cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(obj, first[i]);

		if (!item)
			continue;
		/* Prepend: cJSON has no insert-at for objects, so splice by hand. */
		item->next = obj->child;
		item->prev = obj->child ? obj->child->prev : item;
		if (obj->child)
			obj->child->prev = item;
		obj->child = item;
	}
	if (status)
		cJSON_AddItemToObject(obj, "status", status);
}

#define NAMESPACE_MISMATCH                                                                  \
	"the namespace of the provided object does not match the namespace sent on the request"

static bool resource_version_given(const cJSON *obj, const char **ret)
{
	const char *rv = json_get_string(obj, "metadata.resourceVersion");

	*ret = rv;
	return rv && *rv;
}

static int conflict(struct api_error *err, const struct resource *r, const char *name,
		    const char *why)
{
	api_error_set(err, 409, "Conflict", "Operation cannot be fulfilled on %s \"%s\": %s",
		      r->qualified, name, why);
	api_error_details(err, r->group, r->plural, name);
	return -1;
}

/* Namespace checks for a create in ns, under the lock. */
static int check_namespace_locked(struct store *s, const struct resource *r, const char *ns,
				  const char *name, struct api_error *err)
{
	struct store_obj *ns_obj;

	if (!r->namespaced)
		return 0;
	ns_obj = store_lookup_locked(s, RESOURCE_NAMESPACE, NULL, ns);
	if (!ns_obj) {
		api_error_set(err, 404, "NotFound", "namespaces \"%s\" not found", ns);
		api_error_details(err, "", "namespaces", ns);
		return -1;
	}
	if (ns_obj->terminating) {
		api_error_set(err, 403, "Forbidden",
			      "%s \"%s\" is forbidden: unable to create new content in namespace %s "
			      "because it is being terminated",
			      r->qualified, name, ns);
		api_error_details(err, r->group, r->plural, name);
		api_error_add_cause(err, "NamespaceTerminating", "metadata.namespace",
				    "namespace %s is being terminated", ns);
		return -1;
	}
	return 0;
}

/* Server-owned metadata of a new object. */
static void set_create_metadata(const struct resource *r, cJSON *meta)
{
	static const char *const server_fields[] = {
		"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
		"selfLink", "managedFields", "generation", "creationTimestamp", "uid",
	};
	char uid[37], now[RFC3339_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(server_fields); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(meta, server_fields[i]);
	store_new_uid(uid);
	now_rfc3339(now);
	json_set_string(meta, "uid", uid);
	json_set_string(meta, "creationTimestamp", now);
	if (r->has_generation)
		json_set_int64(meta, "generation", 1);
}

static int admit_create(const struct resource *r, const char *ns, cJSON *obj,
			struct api_error *err)
{
	/* Validation collects its causes in err: a caller that does not want
	 * the details still must not get an invalid object through. */
	_cleanup_free_ struct api_error *scratch = err ? NULL : xcalloc(1, sizeof(*scratch));
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *body_ns;
	const char *name;

	if (!err)
		err = scratch;

	if (!cJSON_IsObject(obj))
		return api_error_set(err, 400, "BadRequest", "the body of the request must be an object");
	if (meta && !cJSON_IsObject(meta))
		return api_error_set(err, 400, "BadRequest", "metadata must be an object");
	meta = json_ensure_object(obj, "metadata");
	body_ns = json_get_child_string(meta, "namespace");
	if (r->namespaced) {
		if (!ns || !*ns)
			return api_error_set(err, 400, "BadRequest",
					     "a namespace is required to create %s", r->plural);
		if (body_ns && *body_ns && strcmp(body_ns, ns) != 0)
			return api_error_set(err, 400, "BadRequest", NAMESPACE_MISMATCH);
		json_set_string(meta, "namespace", ns);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	}
	name = json_get_child_string(meta, "name");
	if (!name || !*name) {
		const char *prefix = json_get_child_string(meta, "generateName");

		if (prefix && *prefix) {
			char suffix[6];
			/* As names.SimpleNameGenerator: the base is cut to leave room. */
			_cleanup_free_ char *base = xstrndup(prefix, 58);
			_cleanup_free_ char *generated = NULL;

			random_suffix(suffix);
			generated = xasprintf("%s%s", base, suffix);
			json_set_string(meta, "name", generated);
		}
	}
	set_create_metadata(r, meta);
	json_set_string(obj, "apiVersion", r->api_version);
	json_set_string(obj, "kind", r->kind);
	if (r->prepare)
		r->prepare(obj, NULL);
	if (r->set_defaults)
		r->set_defaults(obj);
	name = json_get_string(obj, "metadata.name");
	api_error_clear(err);
	validate_object_meta(r, obj, NULL, err);
	if (r->validate && r->validate(obj, NULL, err) < 0)
		return -1;
	if (validation_finish(err, r, name) < 0)
		return -1;
	normalize_order(obj);
	return 0;
}

int store_create(struct store *s, enum resource_kind kind, const char *ns, cJSON *obj,
		 const struct store_write_options *opts, struct store_obj **ret,
		 struct api_error *err)
{
	const struct resource *r = resource_get(kind);
	_cleanup_json_ cJSON *original = NULL;
	bool generated;

	generated = !json_get_string(obj, "metadata.name") ||
		    !*json_get_string(obj, "metadata.name");
	if (generated && json_get_string(obj, "metadata.generateName"))
		original = cJSON_Duplicate(obj, true);
	for (int attempt = 0;; attempt++) {
		const char *name;
		struct store_obj *created;
		uint64_t rv;

		if (admit_create(r, ns, obj, err) < 0) {
			cJSON_Delete(obj);
			return -1;
		}
		name = json_get_string(obj, "metadata.name");
		if (opts && opts->dry_run) {
			struct store_obj *preview = store_obj_build(kind, obj);

			cJSON_Delete(obj);
			hand_over(ret, preview);
			return 0;
		}
		pthread_mutex_lock(&s->lock);
		if (check_namespace_locked(s, r, ns, name, err) < 0) {
			pthread_mutex_unlock(&s->lock);
			cJSON_Delete(obj);
			return -1;
		}
		if (store_lookup_locked(s, kind, ns, name)) {
			pthread_mutex_unlock(&s->lock);
			if (original && attempt + 1 < MAX_GENERATE_NAME_ATTEMPTS) {
				cJSON_Delete(obj);
				obj = cJSON_Duplicate(original, true);
				continue;
			}
			api_error_set(err, 409, "AlreadyExists", "%s \"%s\" already exists",
				      r->qualified, name);
			api_error_details(err, r->group, r->plural, name);
			cJSON_Delete(obj);
			return -1;
		}
		created = store_commit_locked(s, kind, NULL, obj, STORE_EVENT_ADDED, err);
		pthread_mutex_unlock(&s->lock);
		cJSON_Delete(obj);
		if (!created)
			return -1;
		rv = created->resource_version;
		if (store_sync(s, rv, err) < 0) {
			store_obj_unref(created);
			return -1;
		}
		hand_over(ret, created);
		return 0;
	}
}

/* ---- updates ---- */

/* Turns the current object into the new one: 0 with *ret_new set, 1 for
 * "no change", -1 with err. `current` is the caller's to keep or free. */
typedef int (*transform_fn)(void *ctx, cJSON *current, cJSON **ret_new, struct api_error *err);

/* Which part of an object a write may change. */
enum write_part {
	PART_MAIN,   /* everything but status (for kinds with a status subresource) */
	PART_STATUS, /* only status */
	PART_ALL,    /* both: internal writes such as a pod's binding */
};

/* Everything but metadata and status: what makes generation count up. */
static bool spec_changed(const cJSON *a, const cJSON *b)
{
	_cleanup_json_ cJSON *x = cJSON_Duplicate(a, true);
	_cleanup_json_ cJSON *y = cJSON_Duplicate(b, true);

	cJSON_DeleteItemFromObjectCaseSensitive(x, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(x, "status");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "status");
	return !cJSON_Compare(x, y, true);
}

static void copy_member(cJSON *to, const cJSON *from, const char *key)
{
	const cJSON *value = json_get_child(from, key);

	if (value)
		json_set(to, key, cJSON_Duplicate(value, true));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(to, key);
}

/* Applies the update rules to `proposed` (consumed) against the stored
 * `current`; returns the object to store or NULL with err. */
static cJSON *admit_update(const struct resource *r, const cJSON *current, cJSON *proposed,
			   enum write_part part, bool trusted, struct api_error *err)
{
	/* As in admit_create: validation needs somewhere to collect causes. */
	_cleanup_free_ struct api_error *scratch = err ? NULL : xcalloc(1, sizeof(*scratch));
	const cJSON *cur_meta = json_get_child(current, "metadata");
	const char *name = json_get_child_string(cur_meta, "name");
	cJSON *result, *meta;

	if (!err)
		err = scratch;

	if (!cJSON_IsObject(proposed)) {
		cJSON_Delete(proposed);
		api_error_set(err, 400, "BadRequest", "the body of the request must be an object");
		return NULL;
	}
	if (part == PART_STATUS && r->has_status) {
		result = cJSON_Duplicate(current, true);
		copy_member(result, proposed, "status");
		cJSON_Delete(proposed);
		meta = cJSON_GetObjectItemCaseSensitive(result, "metadata");
	} else {
		const char *body_name, *body_ns, *body_uid;

		result = proposed;
		meta = json_ensure_object(result, "metadata");
		body_name = json_get_child_string(meta, "name");
		body_ns = json_get_child_string(meta, "namespace");
		body_uid = json_get_child_string(meta, "uid");
		if (body_name && *body_name && strcmp(body_name, name) != 0) {
			api_error_set(err, 400, "BadRequest",
				      "the name of the object (%s) does not match the name on the URL (%s)",
				      body_name, name);
			cJSON_Delete(result);
			return NULL;
		}
		if (r->namespaced && body_ns && *body_ns &&
		    strcmp(body_ns, json_get_child_string(cur_meta, "namespace")) != 0) {
			api_error_set(err, 400, "BadRequest", NAMESPACE_MISMATCH);
			cJSON_Delete(result);
			return NULL;
		}
		api_error_clear(err);
		if (body_uid && *body_uid && strcmp(body_uid, json_get_child_string(cur_meta, "uid")))
			field_immutable(err, "metadata.uid", json_get_child(meta, "uid"));
		json_set_string(meta, "name", name);
		copy_member(meta, cur_meta, "namespace");
		copy_member(meta, cur_meta, "uid");
		copy_member(meta, cur_meta, "creationTimestamp");
		copy_member(meta, cur_meta, "deletionTimestamp");
		copy_member(meta, cur_meta, "deletionGracePeriodSeconds");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "selfLink");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
		json_set_string(result, "apiVersion", r->api_version);
		json_set_string(result, "kind", r->kind);
		if (r->has_status && part == PART_MAIN)
			copy_member(result, current, "status");
	}
	copy_member(meta, cur_meta, "generation");
	if (r->has_generation && spec_changed(result, current)) {
		int64_t generation = 0;

		json_get_int64(cur_meta, "generation", &generation);
		json_set_int64(meta, "generation", generation + 1);
	}
	if (r->prepare)
		r->prepare(result, current);
	if (r->set_defaults)
		r->set_defaults(result);
	if (!trusted) {
		validate_object_meta(r, result, current, err);
		if (r->validate && r->validate(result, current, err) < 0) {
			cJSON_Delete(result);
			return NULL;
		}
	}
	if (validation_finish(err, r, name) < 0) {
		cJSON_Delete(result);
		return NULL;
	}
	normalize_order(result);
	return result;
}

/* True when an update leaves a terminating object with nothing to wait for. */
static bool deletion_complete(const cJSON *obj)
{
	const cJSON *meta = json_get_child(obj, "metadata");
	int64_t grace = 0;

	if (!json_get_child(meta, "deletionTimestamp"))
		return false;
	if (cJSON_GetArraySize(json_get_child(meta, "finalizers")) > 0)
		return false;
	json_get_int64(meta, "deletionGracePeriodSeconds", &grace);
	return grace == 0;
}

static int finish_write(struct store *s, struct store_obj *obj, struct store_obj **ret,
			struct api_error *err)
{
	if (store_sync(s, obj->resource_version, err) < 0) {
		store_obj_unref(obj);
		return -1;
	}
	hand_over(ret, obj);
	return 0;
}

/* The optimistic read-transform-commit loop (GuaranteedUpdate). */
static int update_object(struct store *s, enum resource_kind kind, const char *ns,
			 const char *name, transform_fn fn, void *ctx, enum write_part part,
			 bool dry_run, bool trusted, struct store_obj **ret, struct api_error *err)
{
	const struct resource *r = resource_get(kind);

	for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
		struct store_obj *cur = NULL, *now, *committed;
		_cleanup_json_ cJSON *current = NULL;
		cJSON *proposed = NULL, *result, *input;
		const char *given_rv;
		bool precondition;
		char cur_rv[24];
		int rc;

		if (store_get(s, kind, ns, name, &cur, err) < 0)
			return -1;
		current = store_obj_parse(cur);
		input = store_obj_parse(cur);
		/* A version in the result is then one the patch or fn asked for. */
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(input,
											  "metadata"),
							"resourceVersion");
		rc = fn(ctx, input, &proposed, err);
		if (rc != 0) {
			if (rc > 0 && ret)
				*ret = cur;
			else
				store_obj_unref(cur);
			return rc < 0 ? -1 : 0;
		}
		snprintf(cur_rv, sizeof(cur_rv), "%" PRIu64, cur->resource_version);
		precondition = resource_version_given(proposed, &given_rv);
		if (precondition && strcmp(given_rv, cur_rv) != 0) {
			cJSON_Delete(proposed);
			store_obj_unref(cur);
			return conflict(err, r, name,
					"the object has been modified; please apply your changes to "
					"the latest version and try again");
		}
		result = admit_update(r, current, proposed, part, trusted, err);
		if (!result) {
			store_obj_unref(cur);
			return -1;
		}
		json_set_string(json_ensure_object(result, "metadata"), "resourceVersion", cur_rv);
		if (cJSON_Compare(result, current, true)) {
			/* A no-op update does not take a new resourceVersion. */
			cJSON_Delete(result);
			hand_over(ret, cur);
			return 0;
		}
		if (dry_run) {
			struct store_obj *preview = store_obj_build(kind, result);

			cJSON_Delete(result);
			store_obj_unref(cur);
			hand_over(ret, preview);
			return 0;
		}
		pthread_mutex_lock(&s->lock);
		now = store_lookup_locked(s, kind, ns, name);
		if (now != cur) {
			pthread_mutex_unlock(&s->lock);
			cJSON_Delete(result);
			store_obj_unref(cur);
			if (!now)
				return store_not_found(err, kind, name);
			if (precondition)
				return conflict(err, r, name,
						"the object has been modified; please apply your "
						"changes to the latest version and try again");
			continue; /* lost a race: try again on the new version */
		}
		committed = store_commit_locked(s, kind, cur, result,
						deletion_complete(result) ? STORE_EVENT_DELETED
									  : STORE_EVENT_MODIFIED,
						err);
		pthread_mutex_unlock(&s->lock);
		cJSON_Delete(result);
		store_obj_unref(cur);
		if (!committed)
			return -1;
		return finish_write(s, committed, ret, err);
	}
	return conflict(err, r, name, "too many concurrent writers; please try again");
}

static enum write_part part_of(const struct store_write_options *opts)
{
	return opts && opts->status ? PART_STATUS : PART_MAIN;
}

static bool is_dry_run(const struct store_write_options *opts)
{
	return opts && opts->dry_run;
}

static int replace_transform(void *ctx, cJSON *current, cJSON **ret_new, struct api_error *err)
{
	cJSON **proposed = ctx;

	cJSON_Delete(current);
	/* The loop may call again after a race: hand over a copy each time. */
	*ret_new = cJSON_Duplicate(*proposed, true);
	return 0;
}

int store_update(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		 cJSON *obj, const struct store_write_options *opts, struct store_obj **ret,
		 struct api_error *err)
{
	int rc = update_object(s, kind, ns, name, replace_transform, &obj, part_of(opts),
			       is_dry_run(opts), false, ret, err);

	cJSON_Delete(obj);
	return rc;
}

struct patch_ctx {
	enum store_patch_type type;
	const cJSON *patch;
};

static int patch_transform(void *ctx, cJSON *current, cJSON **ret_new, struct api_error *err)
{
	const struct patch_ctx *p = ctx;
	struct error perr = ERROR_INIT;
	cJSON *patched;

	switch (p->type) {
	case STORE_PATCH_MERGE:
		patched = patch_apply_merge(current, p->patch, &perr);
		break;
	case STORE_PATCH_JSON:
		patched = patch_apply_json(current, p->patch, &perr);
		break;
	default:
		patched = patch_apply_strategic(current, p->patch, &perr);
		break;
	}
	if (!patched)
		return api_error_set(err, 422, "Invalid", "%s", perr.msg);
	*ret_new = patched;
	return 0;
}

int store_patch(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		enum store_patch_type type, const char *patch, size_t patch_len,
		const struct store_write_options *opts, struct store_obj **ret,
		struct api_error *err)
{
	struct error perr = ERROR_INIT;
	_cleanup_json_ cJSON *doc = json_parse_bounded(patch, patch_len, patch_len, &perr);
	struct patch_ctx ctx = { type, NULL };

	if (!doc)
		return api_error_set(err, 400, "BadRequest", "error decoding patch: %s", perr.msg);
	if (type == STORE_PATCH_STRATEGIC && kind == RESOURCE_JOBSET)
		return api_error_set(err, 415, "UnsupportedMediaType",
				     "the body of the request was in an unknown format - accepted "
				     "media types include: application/json-patch+json, "
				     "application/merge-patch+json");
	ctx.patch = doc;
	return update_object(s, kind, ns, name, patch_transform, &ctx, part_of(opts),
			     is_dry_run(opts), false, ret, err);
}

struct mutate_ctx {
	store_mutate_fn fn;
	void *ctx;
};

static int mutate_transform(void *ctx, cJSON *current, cJSON **ret_new, struct api_error *err)
{
	const struct mutate_ctx *m = ctx;
	int rc = m->fn(current, m->ctx, err);

	if (rc != 0) {
		cJSON_Delete(current);
		return rc;
	}
	*ret_new = current;
	return 0;
}

int store_mutate(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		 store_mutate_fn fn, void *ctx, const struct store_write_options *opts,
		 struct store_obj **ret, struct api_error *err)
{
	struct mutate_ctx m = { fn, ctx };

	return update_object(s, kind, ns, name, mutate_transform, &m, part_of(opts),
			     is_dry_run(opts), false, ret, err);
}

/* ---- binding ---- */

static int bind_transform(void *ctx, cJSON *pod, cJSON **ret_new, struct api_error *err)
{
	const char *node = ctx;
	const char *bound = json_get_string(pod, "spec.nodeName");
	const char *name = json_get_string(pod, "metadata.name");
	cJSON *conditions, *condition;
	char now[RFC3339_MAX];

	if (bound && *bound) {
		api_error_set(err, 409, "Conflict",
			      "Operation cannot be fulfilled on pods/binding \"%s\": pod %s is "
			      "already assigned to node \"%s\"",
			      name ? name : "", name ? name : "", bound);
		cJSON_Delete(pod);
		return -1;
	}
	if (json_get(pod, "metadata.deletionTimestamp")) {
		api_error_set(err, 409, "Conflict",
			      "Operation cannot be fulfilled on pods/binding \"%s\": pod %s is being "
			      "deleted, cannot be assigned to a host",
			      name ? name : "", name ? name : "");
		cJSON_Delete(pod);
		return -1;
	}
	json_set_string(json_ensure_object(pod, "spec"), "nodeName", node);
	conditions = (cJSON *)json_get(pod, "status.conditions");
	if (!cJSON_IsArray(conditions)) {
		conditions = cJSON_CreateArray();
		json_set(json_ensure_object(pod, "status"), "conditions", conditions);
	}
	for (int i = cJSON_GetArraySize(conditions) - 1; i >= 0; i--)
		if (str_eq(json_get_child_string(cJSON_GetArrayItem(conditions, i), "type"),
			   "PodScheduled"))
			cJSON_DeleteItemFromArray(conditions, i);
	now_rfc3339(now);
	condition = cJSON_CreateObject();
	json_set_string(condition, "type", "PodScheduled");
	json_set_string(condition, "status", "True");
	json_set(condition, "lastProbeTime", cJSON_CreateNull());
	json_set_string(condition, "lastTransitionTime", now);
	cJSON_AddItemToArray(conditions, condition);
	*ret_new = pod;
	return 0;
}

/* Binding changes spec.nodeName, which a pod update may not, and the
 * PodScheduled condition: one trusted write of spec and status together. */
int store_bind_pod(struct store *s, const char *ns, const char *name, const char *node,
		   struct store_obj **ret, struct api_error *err)
{
	return update_object(s, RESOURCE_POD, ns, name, bind_transform, (void *)node, PART_ALL,
			     false, true, ret, err);
}

/* ---- deletion ---- */

static bool is_protected_namespace(const char *name)
{
	return !strcmp(name, "default") || !strcmp(name, "kube-system") ||
	       !strcmp(name, "kube-public");
}

/* Adds or removes one finalizer; returns true if the list changed. */
static bool set_finalizer(cJSON *meta, const char *finalizer, bool present)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(meta, "finalizers");
	int index = 0;
	cJSON *item;

	cJSON_ArrayForEach(item, list)
	{
		if (cJSON_IsString(item) && !strcmp(item->valuestring, finalizer))
			break;
		index++;
	}
	if (present == (item != NULL))
		return false;
	if (present) {
		if (!cJSON_IsArray(list)) {
			list = cJSON_CreateArray();
			json_set(meta, "finalizers", list);
		}
		cJSON_AddItemToArray(list, cJSON_CreateString(finalizer));
	} else {
		cJSON_DeleteItemFromArray(list, index);
		if (!cJSON_GetArraySize(list))
			cJSON_DeleteItemFromObjectCaseSensitive(meta, "finalizers");
	}
	return true;
}

static bool apply_propagation(const struct resource *r, cJSON *meta,
			      enum store_propagation propagation)
{
	bool foreground, orphan, changed;

	if (propagation == STORE_PROPAGATION_DEFAULT)
		/* batch/v1 Jobs keep their pods unless told otherwise (a legacy default). */
		propagation = r->id == RESOURCE_JOB ? STORE_PROPAGATION_ORPHAN
						    : STORE_PROPAGATION_BACKGROUND;
	foreground = propagation == STORE_PROPAGATION_FOREGROUND;
	orphan = propagation == STORE_PROPAGATION_ORPHAN;
	changed = set_finalizer(meta, "foregroundDeletion", foreground);
	changed |= set_finalizer(meta, "orphan", orphan);
	return changed;
}

static void set_deletion_time(cJSON *meta, int64_t grace)
{
	char when[RFC3339_MAX];

	time_format_rfc3339(time(NULL) + grace, when);
	json_set_string(meta, "deletionTimestamp", when);
	json_set_int64(meta, "deletionGracePeriodSeconds", grace);
}

static int check_preconditions(const struct resource *r, const struct store_obj *cur,
			       const struct store_delete_options *opts, struct api_error *err)
{
	char rv[24];
	char why[256];

	if (opts->precondition_uid && strcmp(opts->precondition_uid, cur->uid) != 0) {
		snprintf(why, sizeof(why),
			 "Precondition failed: UID in precondition: %s, UID in object meta: %s",
			 opts->precondition_uid, cur->uid);
		return conflict(err, r, cur->name, why);
	}
	snprintf(rv, sizeof(rv), "%" PRIu64, cur->resource_version);
	if (opts->precondition_rv && strcmp(opts->precondition_rv, rv) != 0) {
		snprintf(why, sizeof(why),
			 "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion "
			 "in object meta: %s",
			 opts->precondition_rv, rv);
		return conflict(err, r, cur->name, why);
	}
	return 0;
}

int store_delete(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		 const struct store_delete_options *opts, struct store_obj **ret,
		 bool *ret_deleted, struct api_error *err)
{
	static const struct store_delete_options defaults = STORE_DELETE_OPTIONS_INIT;
	const struct resource *r = resource_get(kind);

	if (!opts)
		opts = &defaults;
	if (kind == RESOURCE_NAMESPACE && is_protected_namespace(name)) {
		api_error_set(err, 403, "Forbidden",
			      "namespaces \"%s\" is forbidden: this namespace may not be deleted",
			      name);
		api_error_details(err, "", "namespaces", name);
		return -1;
	}
	for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
		struct store_obj *cur = NULL, *now, *committed;
		_cleanup_json_ cJSON *tree = NULL;
		cJSON *meta;
		bool terminator, graceful = false, changed, remove, notify = false;
		int64_t grace = 0;
		store_pod_terminator_fn terminate;
		void *terminate_ctx;

		if (store_get(s, kind, ns, name, &cur, err) < 0)
			return -1;
		if (check_preconditions(r, cur, opts, err) < 0) {
			store_obj_unref(cur);
			return -1;
		}
		pthread_mutex_lock(&s->lock);
		terminator = s->pod_terminator != NULL;
		pthread_mutex_unlock(&s->lock);

		tree = store_obj_parse(cur);
		meta = json_ensure_object(tree, "metadata");
		if (kind == RESOURCE_POD) {
			const char *node = json_get_string(tree, "spec.nodeName");
			const char *phase = json_get_string(tree, "status.phase");
			int64_t requested = 30;

			json_get_int64(tree, "spec.terminationGracePeriodSeconds", &requested);
			if (opts->grace_period_seconds >= 0)
				requested = opts->grace_period_seconds;
			if (node && *node && !str_eq(phase, "Succeeded") && !str_eq(phase, "Failed") &&
			    requested > 0 && terminator) {
				graceful = true;
				grace = requested;
			}
		}
		changed = apply_propagation(r, meta, opts->propagation);
		if (cur->terminating) {
			int64_t pending = 0;

			json_get_int64(meta, "deletionGracePeriodSeconds", &pending);
			if (graceful && grace < pending) {
				set_deletion_time(meta, grace);
				changed = notify = true;
			} else if (!graceful && pending > 0) {
				/* Forced (grace 0), or the pod is gone from its node. */
				json_set_int64(meta, "deletionGracePeriodSeconds", 0);
				changed = true;
			}
			if (!changed) {
				if (ret_deleted)
					*ret_deleted = false;
				hand_over(ret, cur);
				return 0;
			}
		} else if (kind == RESOURCE_NAMESPACE) {
			/* The namespace controller empties it, then removes it. */
			set_deletion_time(meta, 0);
			json_set_string(json_ensure_object(tree, "status"), "phase", "Terminating");
		} else {
			set_deletion_time(meta, grace);
			notify = graceful;
		}
		remove = kind != RESOURCE_NAMESPACE && deletion_complete(tree);
		if (remove && !cur->terminating) {
			/* Deleted at once: the final state is the object as it was. */
			cJSON_DeleteItemFromObjectCaseSensitive(meta, "deletionTimestamp");
			cJSON_DeleteItemFromObjectCaseSensitive(meta, "deletionGracePeriodSeconds");
		}
		if (opts->dry_run) {
			if (ret_deleted)
				*ret_deleted = remove;
			store_obj_unref(cur);
			if (ret)
				*ret = store_obj_build(kind, tree);
			return 0;
		}
		pthread_mutex_lock(&s->lock);
		now = store_lookup_locked(s, kind, ns, name);
		if (now != cur) {
			pthread_mutex_unlock(&s->lock);
			store_obj_unref(cur);
			if (!now)
				return store_not_found(err, kind, name);
			continue;
		}
		committed = store_commit_locked(s, kind, cur, tree,
						remove ? STORE_EVENT_DELETED : STORE_EVENT_MODIFIED,
						err);
		terminate = s->pod_terminator;
		terminate_ctx = s->pod_terminator_ctx;
		pthread_mutex_unlock(&s->lock);
		store_obj_unref(cur);
		if (!committed)
			return -1;
		if (store_sync(s, committed->resource_version, err) < 0) {
			store_obj_unref(committed);
			return -1;
		}
		if (notify && terminate)
			terminate(terminate_ctx, committed, grace);
		if (ret_deleted)
			*ret_deleted = remove;
		hand_over(ret, committed);
		return 0;
	}
	return conflict(err, r, name, "too many concurrent writers; please try again");
}

/* ---- events ---- */

struct count_ctx {
	char now[RFC3339_MAX];
};

static int count_event_up(cJSON *event, void *ctx, struct api_error *err)
{
	const struct count_ctx *c = ctx;
	int64_t count = 1;

	json_get_int64(event, "count", &count);
	json_set_int64(event, "count", count + 1);
	json_set_string(event, "lastTimestamp", c->now);
	return 0;
}

int store_record_event(struct store *s, const struct store_obj *involved, const char *field_path,
		       const char *type, const char *reason, const char *component,
		       const char *message_fmt, ...)
{
	const struct resource *r = resource_get(involved->kind);
	const char *ns = involved->namespace[0] ? involved->namespace : "default";
	struct store_list_options lopts = { 0 };
	struct store_list list = STORE_LIST_INIT;
	_cleanup_free_ char *selector = NULL;
	struct count_ctx c;
	char message[1024], rv[24], name[320];
	struct timespec ts;
	cJSON *event, *ref, *source;
	va_list ap;

	va_start(ap, message_fmt);
	vsnprintf(message, sizeof(message), message_fmt, ap);
	va_end(ap);
	now_rfc3339(c.now);

	/* An identical event is counted up rather than repeated. */
	selector = xasprintf("involvedObject.uid=%s,reason=%s", involved->uid, reason);
	lopts.field_selector = selector;
	if (store_list(s, RESOURCE_EVENT, ns, &lopts, &list, NULL) == 0) {
		for (size_t i = 0; i < list.len; i++) {
			_cleanup_json_ cJSON *e = store_obj_parse(list.items[i]);

			if (str_eq(json_get_string(e, "message"), message) &&
			    str_eq(json_get_string(e, "type"), type) &&
			    str_eq(json_get_string(e, "source.component"), component) &&
			    str_eq(json_get_string(e, "involvedObject.fieldPath"), field_path)) {
				int rc = store_mutate(s, RESOURCE_EVENT, ns, list.items[i]->name,
						      count_event_up, &c, NULL, NULL, NULL);

				store_list_release(&list);
				return rc;
			}
		}
		store_list_release(&list);
	}

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "%s.%" PRIx64, involved->name,
		 (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	snprintf(rv, sizeof(rv), "%" PRIu64, involved->resource_version);
	event = cJSON_CreateObject();
	json_set_string(json_ensure_object(event, "metadata"), "name", name);
	ref = json_ensure_object(event, "involvedObject");
	json_set_string(ref, "kind", r->kind);
	if (involved->namespace[0])
		json_set_string(ref, "namespace", involved->namespace);
	json_set_string(ref, "name", involved->name);
	json_set_string(ref, "uid", involved->uid);
	json_set_string(ref, "apiVersion", r->api_version);
	json_set_string(ref, "resourceVersion", rv);
	if (field_path)
		json_set_string(ref, "fieldPath", field_path);
	json_set_string(event, "reason", reason);
	json_set_string(event, "message", message);
	source = json_ensure_object(event, "source");
	json_set_string(source, "component", component);
	json_set_string(event, "firstTimestamp", c.now);
	json_set_string(event, "lastTimestamp", c.now);
	json_set_int64(event, "count", 1);
	json_set_string(event, "type", type);
	json_set(event, "eventTime", cJSON_CreateNull());
	json_set_string(event, "reportingComponent", component);
	json_set_string(event, "reportingInstance", "");
	return store_create(s, RESOURCE_EVENT, ns, event, NULL, NULL, NULL);
}
