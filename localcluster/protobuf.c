/* protobuf.c — a table-driven decoder of the protobuf messages of a few
 * Kubernetes kinds (field numbers from k8s.io/api/core/v1/generated.proto
 * and k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto). */
#include "protobuf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "buf.h"
#include "jsonutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define PB_MAX_DEPTH 16

enum pb_kind {
	PB_STRING,
	PB_BYTES,      /* JSON: base64 */
	PB_INT64,
	PB_BOOL,
	PB_MESSAGE,
	PB_MAP_STRING, /* map<string, string> */
	PB_MAP_BYTES,  /* map<string, bytes>: values base64 */
	PB_TIME,       /* metav1.Time {seconds, nanos}: RFC 3339 */
};

struct pb_message;

struct pb_field {
	int number;
	const char *json;
	enum pb_kind kind;
	bool repeated;
	const struct pb_message *message;
};

struct pb_message {
	const struct pb_field *fields; /* ends with number 0 */
};

/* ---- descriptors ---- */

static const struct pb_field owner_reference_fields[] = {
	{ 5, "apiVersion", PB_STRING, false, NULL }, { 1, "kind", PB_STRING, false, NULL },
	{ 3, "name", PB_STRING, false, NULL },       { 4, "uid", PB_STRING, false, NULL },
	{ 6, "controller", PB_BOOL, false, NULL },   { 7, "blockOwnerDeletion", PB_BOOL, false, NULL },
	{ 0, NULL, PB_STRING, false, NULL },
};
static const struct pb_message owner_reference = { owner_reference_fields };

static const struct pb_field object_meta_fields[] = {
	{ 1, "name", PB_STRING, false, NULL },
	{ 2, "generateName", PB_STRING, false, NULL },
	{ 3, "namespace", PB_STRING, false, NULL },
	{ 5, "uid", PB_STRING, false, NULL },
	{ 6, "resourceVersion", PB_STRING, false, NULL },
	{ 7, "generation", PB_INT64, false, NULL },
	{ 8, "creationTimestamp", PB_TIME, false, NULL },
	{ 9, "deletionTimestamp", PB_TIME, false, NULL },
	{ 10, "deletionGracePeriodSeconds", PB_INT64, false, NULL },
	{ 11, "labels", PB_MAP_STRING, false, NULL },
	{ 12, "annotations", PB_MAP_STRING, false, NULL },
	{ 13, "ownerReferences", PB_MESSAGE, true, &owner_reference },
	{ 14, "finalizers", PB_STRING, true, NULL },
	{ 0, NULL, PB_STRING, false, NULL },
};
static const struct pb_message object_meta = { object_meta_fields };

static const struct pb_field namespace_spec_fields[] = {
	{ 1, "finalizers", PB_STRING, true, NULL },
	{ 0, NULL, PB_STRING, false, NULL },
};
static const struct pb_message namespace_spec = { namespace_spec_fields };

static const struct pb_field namespace_fields[] = {
	{ 1, "metadata", PB_MESSAGE, false, &object_meta },
	{ 2, "spec", PB_MESSAGE, false, &namespace_spec },
	{ 0, NULL, PB_STRING, false, NULL },
};

static const struct pb_field configmap_fields[] = {
	{ 1, "metadata", PB_MESSAGE, false, &object_meta },
	{ 2, "data", PB_MAP_STRING, false, NULL },
	{ 3, "binaryData", PB_MAP_BYTES, false, NULL },
	{ 4, "immutable", PB_BOOL, false, NULL },
	{ 0, NULL, PB_STRING, false, NULL },
};

static const struct pb_field secret_fields[] = {
	{ 1, "metadata", PB_MESSAGE, false, &object_meta },
	{ 2, "data", PB_MAP_BYTES, false, NULL },
	{ 3, "type", PB_STRING, false, NULL },
	{ 4, "stringData", PB_MAP_STRING, false, NULL },
	{ 5, "immutable", PB_BOOL, false, NULL },
	{ 0, NULL, PB_STRING, false, NULL },
};

static const struct pb_message top_messages[RESOURCE_COUNT] = {
	[RESOURCE_NAMESPACE] = { namespace_fields },
	[RESOURCE_CONFIGMAP] = { configmap_fields },
	[RESOURCE_SECRET] = { secret_fields },
};

bool protobuf_supported(const struct resource *r)
{
	return top_messages[r->id].fields != NULL;
}

/* ---- the wire format ---- */

struct reader {
	const unsigned char *p, *end;
};

static int read_varint(struct reader *r, uint64_t *ret)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (r->p >= r->end)
			return -1;
		b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return 0;
		}
	}
	return -1;
}

/* A length-delimited field's bytes. */
static int read_bytes(struct reader *r, struct reader *ret)
{
	uint64_t len;

	if (read_varint(r, &len) < 0 || len > (uint64_t)(r->end - r->p))
		return -1;
	ret->p = r->p;
	ret->end = r->p + len;
	r->p += len;
	return 0;
}

static int skip_field(struct reader *r, unsigned wire)
{
	uint64_t v;
	struct reader ignored;

	switch (wire) {
	case 0: return read_varint(r, &v);
	case 1:
		if (r->end - r->p < 8)
			return -1;
		r->p += 8;
		return 0;
	case 2: return read_bytes(r, &ignored);
	case 5:
		if (r->end - r->p < 4)
			return -1;
		r->p += 4;
		return 0;
	default: return -1; /* groups are not used by these messages */
	}
}

static cJSON *string_of(const struct reader *r)
{
	char *text = xstrndup((const char *)r->p, (size_t)(r->end - r->p));
	cJSON *v;

	if (memchr(r->p, '\0', (size_t)(r->end - r->p))) {
		free(text);
		return NULL; /* cJSON strings end at a NUL: such text cannot be kept */
	}
	v = cJSON_CreateString(text);
	free(text);
	return v;
}

static cJSON *bytes_of(const struct reader *r)
{
	struct buf encoded = BUF_INIT(BUF_MAX_DEFAULT);
	cJSON *v = NULL;

	if (base64_encode(r->p, (size_t)(r->end - r->p), &encoded) == 0)
		v = cJSON_CreateString(encoded.data);
	buf_release(&encoded);
	return v;
}

static cJSON *time_of(struct reader *r)
{
	uint64_t seconds = 0, nanos = 0, key;
	char text[RFC3339_MAX];

	while (r->p < r->end) {
		if (read_varint(r, &key) < 0)
			return NULL;
		if ((key & 7) != 0) {
			if (skip_field(r, key & 7) < 0)
				return NULL;
		} else if (read_varint(r, key >> 3 == 1 ? &seconds : &nanos) < 0) {
			return NULL;
		}
	}
	time_format_rfc3339((time_t)(int64_t)seconds, text);
	return cJSON_CreateString(text);
}

static cJSON *decode_message(struct reader *r, const struct pb_message *m, int depth,
			     struct error *err);

/* A map entry {1: key, 2: value}, added to map. */
static int decode_map_entry(struct reader *entry, cJSON *map, bool bytes_values)
{
	cJSON *key = NULL, *value = NULL;

	while (entry->p < entry->end) {
		uint64_t tag;
		struct reader field;

		if (read_varint(entry, &tag) < 0)
			goto fail;
		if ((tag & 7) != 2) {
			if (skip_field(entry, tag & 7) < 0)
				goto fail;
			continue;
		}
		if (read_bytes(entry, &field) < 0)
			goto fail;
		if (tag >> 3 == 1) {
			cJSON_Delete(key);
			if (!(key = string_of(&field)))
				goto fail;
		} else if (tag >> 3 == 2) {
			cJSON_Delete(value);
			if (!(value = bytes_values ? bytes_of(&field) : string_of(&field)))
				goto fail;
		}
	}
	if (!key)
		goto fail;
	if (!value)
		value = cJSON_CreateString("");
	json_set(map, key->valuestring, value);
	cJSON_Delete(key);
	return 0;
fail:
	cJSON_Delete(key);
	cJSON_Delete(value);
	return -1;
}

static const struct pb_field *find_field(const struct pb_message *m, int number)
{
	for (const struct pb_field *f = m->fields; f->number; f++)
		if (f->number == number)
			return f;
	return NULL;
}

static cJSON *decode_message(struct reader *r, const struct pb_message *m, int depth,
			     struct error *err)
{
	cJSON *obj = cJSON_CreateObject();

	if (depth > PB_MAX_DEPTH) {
		error_set(err, "protobuf nested too deeply");
		goto fail;
	}
	while (r->p < r->end) {
		uint64_t tag;
		unsigned wire;
		const struct pb_field *f;
		cJSON *value = NULL;
		struct reader sub;
		uint64_t v;

		if (read_varint(r, &tag) < 0)
			goto malformed;
		wire = (unsigned)(tag & 7);
		f = find_field(m, (int)(tag >> 3));
		if (!f) {
			if (skip_field(r, wire) < 0)
				goto malformed;
			continue;
		}
		if (f->kind == PB_INT64 || f->kind == PB_BOOL) {
			if (wire != 0 || read_varint(r, &v) < 0)
				goto malformed;
			value = f->kind == PB_BOOL ? cJSON_CreateBool(v != 0)
						   : cJSON_CreateNumber((double)(int64_t)v);
		} else {
			if (wire != 2 || read_bytes(r, &sub) < 0)
				goto malformed;
			switch (f->kind) {
			case PB_STRING: value = string_of(&sub); break;
			case PB_BYTES: value = bytes_of(&sub); break;
			case PB_TIME: value = time_of(&sub); break;
			case PB_MESSAGE:
				value = decode_message(&sub, f->message, depth + 1, err);
				if (!value)
					goto fail;
				break;
			case PB_MAP_STRING:
			case PB_MAP_BYTES: {
				cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, f->json);

				if (!map) {
					map = cJSON_CreateObject();
					cJSON_AddItemToObject(obj, f->json, map);
				}
				if (decode_map_entry(&sub, map, f->kind == PB_MAP_BYTES) < 0)
					goto malformed;
				continue;
			}
			default: break;
			}
			if (!value)
				goto malformed;
		}
		/* Zero values are left out, as the JSON form leaves them out
		 * (omitempty): the generated marshallers write every field. */
		if (!f->repeated && ((cJSON_IsString(value) && !*value->valuestring) ||
				     (cJSON_IsNumber(value) && value->valuedouble == 0) ||
				     cJSON_IsFalse(value))) {
			cJSON_Delete(value);
			continue;
		}
		if (f->repeated) {
			cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, f->json);

			if (!list) {
				list = cJSON_CreateArray();
				cJSON_AddItemToObject(obj, f->json, list);
			}
			cJSON_AddItemToArray(list, value);
		} else {
			json_set(obj, f->json, value);
		}
	}
	return obj;
malformed:
	error_set(err, "malformed protobuf body (or a string holding a NUL byte, which this "
		       "server cannot keep)");
fail:
	cJSON_Delete(obj);
	return NULL;
}

cJSON *protobuf_decode(const struct resource *r, const char *data, size_t len,
		       struct error *err)
{
	struct reader envelope = { (const unsigned char *)data, (const unsigned char *)data + len };
	struct reader raw = { NULL, NULL };
	const char *api_version = NULL, *kind = NULL;
	cJSON *type_meta = NULL, *obj;
	static const struct pb_field type_meta_fields[] = {
		{ 1, "apiVersion", PB_STRING, false, NULL },
		{ 2, "kind", PB_STRING, false, NULL },
		{ 0, NULL, PB_STRING, false, NULL },
	};
	static const struct pb_message type_meta_message = { type_meta_fields };

	if (!protobuf_supported(r)) {
		error_set(err, "%s bodies must be JSON", r->kind);
		return NULL;
	}
	if (len < 4 || memcmp(data, "k8s\0", 4) != 0) {
		error_set(err, "protobuf body without the k8s envelope");
		return NULL;
	}
	envelope.p += 4;
	/* runtime.Unknown: 1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType */
	while (envelope.p < envelope.end) {
		uint64_t tag;
		struct reader field;

		if (read_varint(&envelope, &tag) < 0)
			goto malformed;
		if ((tag & 7) != 2) {
			if (skip_field(&envelope, tag & 7) < 0)
				goto malformed;
			continue;
		}
		if (read_bytes(&envelope, &field) < 0)
			goto malformed;
		if (tag >> 3 == 1) {
			cJSON_Delete(type_meta);
			if (!(type_meta = decode_message(&field, &type_meta_message, 0, err)))
				return NULL;
		} else if (tag >> 3 == 2) {
			raw = field;
		}
	}
	api_version = json_get_string(type_meta, "apiVersion");
	kind = json_get_string(type_meta, "kind");
	if ((api_version && *api_version && strcmp(api_version, r->api_version) != 0) ||
	    (kind && *kind && strcmp(kind, r->kind) != 0)) {
		error_set(err, "the kind in the data (%s %s) does not match the expected kind (%s)",
			  api_version ? api_version : "", kind ? kind : "", r->kind);
		cJSON_Delete(type_meta);
		return NULL;
	}
	cJSON_Delete(type_meta);
	if (!raw.p) {
		raw.p = raw.end = envelope.end; /* an empty object */
	}
	obj = decode_message(&raw, &top_messages[r->id], 0, err);
	if (!obj)
		return NULL;
	json_set_string(obj, "apiVersion", r->api_version);
	json_set_string(obj, "kind", r->kind);
	return obj;
malformed:
	cJSON_Delete(type_meta);
	error_set(err, "malformed protobuf body");
	return NULL;
}
