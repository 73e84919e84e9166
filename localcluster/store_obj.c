/* store_obj.c — immutable object snapshots: one allocation holding the
 * object's JSON text and the fields selectors, GC and finalization read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "selector.h"
#include "store_internal.h"
#include "strutil.h"
#include "xalloc.h"

#define MAX_FIELDS 16

/* The borrowed pieces of a tree that go into a snapshot. */
struct obj_parts {
	const char *ns, *name, *uid;
	uint64_t rv;
	const char *json;
	size_t json_len;
	struct store_label *labels;
	size_t n_labels;
	struct store_owner_ref *owners;
	size_t n_owners;
	const char **finalizers;
	size_t n_finalizers;
	bool terminating;
	struct store_label fields[MAX_FIELDS];
	char field_text[MAX_FIELDS][32]; /* numbers and booleans rendered */
	size_t n_fields;
};

/* Copies strings and arrays into one block (measure with base NULL first). */
struct packer {
	char *base;
	size_t off;
};

static const char *pack_string(struct packer *p, const char *s)
{
	size_t n = strlen(s) + 1;
	const char *at = p->base ? p->base + p->off : NULL;

	if (p->base)
		memcpy(p->base + p->off, s, n);
	p->off += n;
	return at;
}

static void *pack_array(struct packer *p, size_t count, size_t size)
{
	void *at;

	p->off = (p->off + 7) & ~(size_t)7;
	at = p->base ? p->base + p->off : NULL;
	p->off += count * size;
	return at;
}

static int compare_labels(const void *a, const void *b)
{
	return strcmp(((const struct store_label *)a)->key, ((const struct store_label *)b)->key);
}

static void field_value(struct obj_parts *parts, const cJSON *tree, const char *key)
{
	/* An event's "source" selects source.component, as the real server's. */
	const cJSON *v = json_get(tree, !strcmp(key, "source") ? "source.component" : key);
	size_t i = parts->n_fields++;
	char *text = parts->field_text[i];

	parts->fields[i].key = key;
	if (cJSON_IsString(v)) {
		parts->fields[i].value = v->valuestring;
		return;
	}
	if (cJSON_IsBool(v))
		str_copy(text, 32, cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v))
		snprintf(text, 32, "%.0f", v->valuedouble);
	else
		text[0] = '\0';
	parts->fields[i].value = text;
}

static void collect_parts(struct obj_parts *parts, enum resource_kind kind, const cJSON *tree)
{
	const cJSON *meta = json_get_child(tree, "metadata");
	const cJSON *labels = json_get_child(meta, "labels");
	const cJSON *owners = json_get_child(meta, "ownerReferences");
	const cJSON *finalizers = json_get_child(meta, "finalizers");
	const char *const *allowed = resource_get(kind)->field_selectors;
	const cJSON *item;
	const char *rv = json_get_child_string(meta, "resourceVersion");

	parts->ns = json_get_child_string(meta, "namespace");
	if (!parts->ns || !resource_get(kind)->namespaced)
		parts->ns = "";
	parts->name = json_get_child_string(meta, "name");
	parts->uid = json_get_child_string(meta, "uid");
	if (!parts->name)
		parts->name = "";
	if (!parts->uid)
		parts->uid = "";
	if (!rv || str_to_uint64(rv, &parts->rv) < 0)
		parts->rv = 0;

	cJSON_ArrayForEach(item, labels)
	{
		if (cJSON_IsString(item))
			parts->n_labels++;
	}
	parts->labels = xcalloc(parts->n_labels + 1, sizeof(*parts->labels));
	parts->n_labels = 0;
	cJSON_ArrayForEach(item, labels)
	{
		if (cJSON_IsString(item))
			parts->labels[parts->n_labels++] =
				(struct store_label){ item->string, item->valuestring };
	}
	qsort(parts->labels, parts->n_labels, sizeof(*parts->labels), compare_labels);

	parts->owners = xcalloc((size_t)cJSON_GetArraySize(owners) + 1, sizeof(*parts->owners));
	cJSON_ArrayForEach(item, owners)
	{
		const char *uid = json_get_child_string(item, "uid");

		if (!uid)
			continue;
		parts->owners[parts->n_owners++] = (struct store_owner_ref){
			.uid = uid,
			.kind = json_get_child_string(item, "kind"),
			.name = json_get_child_string(item, "name"),
			.controller = json_get_bool(item, "controller", false),
			.block_owner_deletion = json_get_bool(item, "blockOwnerDeletion", false),
		};
	}
	parts->finalizers = xcalloc((size_t)cJSON_GetArraySize(finalizers) + 1,
				    sizeof(*parts->finalizers));
	cJSON_ArrayForEach(item, finalizers)
	{
		if (cJSON_IsString(item))
			parts->finalizers[parts->n_finalizers++] = item->valuestring;
	}
	parts->terminating = json_get_child(meta, "deletionTimestamp") != NULL;
	for (size_t i = 0; allowed && allowed[i] && parts->n_fields < MAX_FIELDS; i++)
		field_value(parts, tree, allowed[i]);
}

static void pack_parts(struct packer *p, struct store_obj *obj, const struct obj_parts *parts)
{
	struct store_label *labels, *fields;
	struct store_owner_ref *owners;
	const char **finalizers;

	p->off = sizeof(*obj);
	labels = pack_array(p, parts->n_labels, sizeof(*labels));
	owners = pack_array(p, parts->n_owners, sizeof(*owners));
	fields = pack_array(p, parts->n_fields, sizeof(*fields));
	finalizers = pack_array(p, parts->n_finalizers, sizeof(*finalizers));
	if (obj) {
		obj->namespace = pack_string(p, parts->ns);
		obj->name = pack_string(p, parts->name);
		obj->uid = pack_string(p, parts->uid);
	} else {
		pack_string(p, parts->ns);
		pack_string(p, parts->name);
		pack_string(p, parts->uid);
	}
	for (size_t i = 0; i < parts->n_labels; i++) {
		const char *k = pack_string(p, parts->labels[i].key);
		const char *v = pack_string(p, parts->labels[i].value);

		if (labels)
			labels[i] = (struct store_label){ k, v };
	}
	for (size_t i = 0; i < parts->n_owners; i++) {
		const struct store_owner_ref *o = &parts->owners[i];
		struct store_owner_ref packed = *o;

		packed.uid = pack_string(p, o->uid);
		packed.kind = pack_string(p, o->kind ? o->kind : "");
		packed.name = pack_string(p, o->name ? o->name : "");
		if (owners)
			owners[i] = packed;
	}
	for (size_t i = 0; i < parts->n_finalizers; i++) {
		const char *f = pack_string(p, parts->finalizers[i]);

		if (finalizers)
			finalizers[i] = f;
	}
	for (size_t i = 0; i < parts->n_fields; i++) {
		const char *k = pack_string(p, parts->fields[i].key);
		const char *v = pack_string(p, parts->fields[i].value);

		if (fields)
			fields[i] = (struct store_label){ k, v };
	}
	if (obj) {
		obj->labels = labels;
		obj->owners = owners;
		obj->fields_ = fields;
		obj->finalizers = finalizers;
		obj->json = p->base + p->off;
	}
	if (p->base)
		memcpy(p->base + p->off, parts->json, parts->json_len + 1);
	p->off += parts->json_len + 1;
}

struct store_obj *store_obj_build(enum resource_kind kind, const cJSON *tree)
{
	_cleanup_free_ char *json = json_print_compact(tree);
	struct obj_parts parts = { 0 };
	struct packer measure = { NULL, 0 }, fill;
	struct store_obj *obj;

	collect_parts(&parts, kind, tree);
	parts.json = json;
	parts.json_len = strlen(json);
	pack_parts(&measure, NULL, &parts);
	obj = xcalloc(1, measure.off);
	fill = (struct packer){ (char *)obj, 0 };
	obj->kind = kind;
	obj->resource_version = parts.rv;
	obj->json_len = parts.json_len;
	obj->n_labels = parts.n_labels;
	obj->n_owners = parts.n_owners;
	obj->n_finalizers = parts.n_finalizers;
	obj->terminating = parts.terminating;
	obj->n_fields_ = parts.n_fields;
	obj->refs_ = 1;
	pack_parts(&fill, obj, &parts);
	free(parts.labels);
	free(parts.owners);
	free(parts.finalizers);
	return obj;
}

struct store_obj *store_obj_ref(struct store_obj *obj)
{
	if (obj)
		__atomic_add_fetch(&obj->refs_, 1, __ATOMIC_RELAXED);
	return obj;
}

void store_obj_unref(struct store_obj *obj)
{
	if (obj && __atomic_sub_fetch(&obj->refs_, 1, __ATOMIC_ACQ_REL) == 0)
		free(obj);
}

cJSON *store_obj_parse(const struct store_obj *obj)
{
	cJSON *tree = cJSON_ParseWithLength(obj->json, obj->json_len);

	if (!tree)
		die("out of memory parsing a stored object");
	return tree;
}

const char *store_obj_label(const struct store_obj *obj, const char *key)
{
	size_t lo = 0, hi = obj->n_labels;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(obj->labels[mid].key, key);

		if (c == 0)
			return obj->labels[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool store_obj_has_finalizer(const struct store_obj *obj, const char *finalizer)
{
	for (size_t i = 0; i < obj->n_finalizers; i++)
		if (!strcmp(obj->finalizers[i], finalizer))
			return true;
	return false;
}

const struct store_owner_ref *store_obj_controller(const struct store_obj *obj)
{
	for (size_t i = 0; i < obj->n_owners; i++)
		if (obj->owners[i].controller)
			return &obj->owners[i];
	return NULL;
}

const char *store_obj_field(const struct store_obj *obj, const char *key)
{
	for (size_t i = 0; i < obj->n_fields_; i++)
		if (!strcmp(obj->fields_[i].key, key))
			return obj->fields_[i].value;
	return NULL;
}

static const char *label_lookup(const void *ctx, const char *key)
{
	return store_obj_label(ctx, key);
}

static const char *field_lookup(const void *ctx, const char *key)
{
	return store_obj_field(ctx, key);
}

bool store_obj_matches(const struct store_obj *obj, const char *ns,
		       const struct selector *labels, const struct selector *fields)
{
	if (ns && *ns && strcmp(obj->namespace, ns) != 0)
		return false;
	if (labels && !selector_matches(labels, label_lookup, obj))
		return false;
	if (fields && !selector_matches(fields, field_lookup, obj))
		return false;
	return true;
}
