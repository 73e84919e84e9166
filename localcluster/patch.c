/* patch.c — JSON merge patch, JSON patch and strategic merge patch. */
#include "patch.h"

#include <string.h>

#include "buf.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "strutil.h"
#include "strv.h"
#include "xalloc.h"

static cJSON *dup_or_die(const cJSON *value)
{
	cJSON *copy = cJSON_Duplicate(value, true);

	if (!copy)
		die("out of memory copying JSON");
	return copy;
}

/* ---- members kept in place ----
 * A patched member keeps its position among its siblings, as Go's maps
 * serialised in order would not, but as a client comparing texts expects. */

/* Detaches obj's member key (NULL if absent); *ret_next is the sibling it
 * stood before. */
static cJSON *take_member(cJSON *obj, const char *key, cJSON **ret_next)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	*ret_next = item ? item->next : NULL;
	return item ? cJSON_DetachItemViaPointer(obj, item) : NULL;
}

/* Gives item the member name key. */
static void name_item(cJSON *item, const char *key)
{
	if (item->string && !strcmp(item->string, key))
		return;
	if (item->string && !(item->type & cJSON_StringIsConst))
		cJSON_free(item->string);
	item->string = xstrdup(key);
	item->type &= ~cJSON_StringIsConst;
}

/* Links item into parent's children before next (at the end when next is
 * NULL). Done by hand: cJSON_InsertItemInArray of Debian 12's libcjson
 * refuses every index but 0. */
static void insert_before(cJSON *parent, cJSON *item, cJSON *next)
{
	if (!next) {
		cJSON_AddItemToArray(parent, item); /* appends to an object as well */
		return;
	}
	item->next = next;
	item->prev = next->prev;
	if (next == parent->child)
		parent->child = item;
	else
		next->prev->next = item;
	next->prev = item;
}

/* Adds value as member key before next (at the end when next is NULL). */
static void put_member(cJSON *obj, const char *key, cJSON *value, cJSON *next)
{
	name_item(value, key);
	insert_before(obj, value, next);
}

/* ---- RFC 7386 ---- */

static cJSON *merge(cJSON *target, const cJSON *patch)
{
	const cJSON *p;

	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return dup_or_die(patch);
	}
	if (!cJSON_IsObject(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
	}
	cJSON_ArrayForEach(p, patch)
	{
		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
		} else {
			cJSON *next;
			cJSON *existing = take_member(target, p->string, &next);

			put_member(target, p->string, merge(existing, p), next);
		}
	}
	return target;
}

cJSON *patch_apply_merge(cJSON *doc, const cJSON *patch, struct error *err)
{
	return merge(doc, patch);
}

/* ---- RFC 6902 ---- */

/* Splits a JSON pointer ("/a/b~1c") into unescaped tokens. */
static int pointer_tokens(const char *pointer, struct strv *ret, struct error *err)
{
	const char *p = pointer;

	if (*p && *p != '/')
		return error_set(err, "invalid JSON pointer '%s'", pointer);
	while (*p == '/') {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
		struct buf token = BUF_INIT(BUF_MAX_SMALL);

		for (size_t i = 0; i < len; i++) {
			char c = p[1 + i];

			if (c == '~') {
				char next = i + 1 < len ? p[2 + i] : '\0';

				if (next != '0' && next != '1') {
					buf_release(&token);
					return error_set(err, "invalid JSON pointer '%s'", pointer);
				}
				c = next == '0' ? '~' : '/';
				i++;
			}
			if (buf_putc(&token, c) < 0) {
				buf_release(&token);
				return error_set(err, "JSON pointer too long");
			}
		}
		strv_push_owned(ret, buf_detach(&token, NULL));
		p += len + 1;
	}
	return 0;
}

/* Array index: digits only, no leading zeros; "-" is the end when allowed. */
static int array_index(const cJSON *array, const char *token, bool allow_end, int *ret)
{
	int size = cJSON_GetArraySize(array), idx;

	if (allow_end && !strcmp(token, "-")) {
		*ret = size;
		return 0;
	}
	if (!*token || (token[0] == '0' && token[1]) || str_to_int(token, &idx) < 0 || idx < 0 ||
	    token[0] == '+' || token[0] == '-')
		return -1;
	if (idx > size || (!allow_end && idx == size))
		return -1;
	*ret = idx;
	return 0;
}

/* The container holding the pointer's last token, or NULL. */
static cJSON *resolve_parent(cJSON *doc, const struct strv *tokens)
{
	cJSON *node = doc;

	for (size_t i = 0; i + 1 < tokens->len; i++) {
		const char *t = tokens->items[i];

		if (cJSON_IsObject(node)) {
			node = cJSON_GetObjectItemCaseSensitive(node, t);
		} else if (cJSON_IsArray(node)) {
			int idx;

			if (array_index(node, t, false, &idx) < 0)
				return NULL;
			node = cJSON_GetArrayItem(node, idx);
		} else {
			return NULL;
		}
		if (!node)
			return NULL;
	}
	return node;
}

static cJSON *resolve(cJSON *doc, const struct strv *tokens)
{
	cJSON *parent;
	const char *last;

	if (!tokens->len)
		return doc;
	parent = resolve_parent(doc, tokens);
	last = tokens->items[tokens->len - 1];
	if (cJSON_IsObject(parent))
		return cJSON_GetObjectItemCaseSensitive(parent, last);
	if (cJSON_IsArray(parent)) {
		int idx;

		if (array_index(parent, last, false, &idx) < 0)
			return NULL;
		return cJSON_GetArrayItem(parent, idx);
	}
	return NULL;
}

/* Removes and returns the value at tokens (not the root), or NULL. */
static cJSON *detach(cJSON *doc, const struct strv *tokens)
{
	cJSON *parent = resolve_parent(doc, tokens);
	const char *last = tokens->items[tokens->len - 1];
	int idx;

	if (cJSON_IsObject(parent))
		return cJSON_DetachItemFromObjectCaseSensitive(parent, last);
	if (cJSON_IsArray(parent) && array_index(parent, last, false, &idx) == 0)
		return cJSON_DetachItemFromArray(parent, idx);
	return NULL;
}

/* Adds value at tokens (RFC 6902 "add"); takes value. Returns the new root. */
static cJSON *add_at(cJSON *doc, const struct strv *tokens, cJSON *value, bool *ok)
{
	cJSON *parent;
	const char *last;
	int idx;

	*ok = true;
	if (!tokens->len) {
		cJSON_Delete(doc);
		return value;
	}
	parent = resolve_parent(doc, tokens);
	last = tokens->items[tokens->len - 1];
	if (cJSON_IsObject(parent)) {
		json_set(parent, last, value);
	} else if (cJSON_IsArray(parent) && array_index(parent, last, true, &idx) == 0) {
		/* An item that was a member (moved, copied) is a member no more. */
		if (value->string && !(value->type & cJSON_StringIsConst))
			cJSON_free(value->string);
		value->string = NULL;
		insert_before(parent, value, cJSON_GetArrayItem(parent, idx));
	} else {
		cJSON_Delete(value);
		*ok = false;
	}
	return doc;
}

static cJSON *apply_operation(cJSON *doc, const cJSON *op, size_t index, struct error *err,
			      bool *ok)
{
	const char *name = json_get_child_string(op, "op");
	const char *path = json_get_child_string(op, "path");
	const char *from = json_get_child_string(op, "from");
	const cJSON *value = json_get_child(op, "value");
	struct strv tokens = STRV_INIT, from_tokens = STRV_INIT;
	cJSON *moved;

	*ok = false;
	if (!cJSON_IsObject(op) || !name || !path) {
		error_set(err, "operation %zu: an operation needs 'op' and 'path'", index);
		goto out;
	}
	if (pointer_tokens(path, &tokens, err) < 0)
		goto out;
	if (!strcmp(name, "add") || !strcmp(name, "replace") || !strcmp(name, "test")) {
		if (!value) {
			error_set(err, "jsonpatch %s operation does not apply: missing value", name);
			goto out;
		}
	} else if (!strcmp(name, "move") || !strcmp(name, "copy")) {
		if (!from) {
			error_set(err, "jsonpatch %s operation does not apply: missing from", name);
			goto out;
		}
		if (pointer_tokens(from, &from_tokens, err) < 0)
			goto out;
	} else if (strcmp(name, "remove") != 0) {
		error_set(err, "Unexpected kind: %s", name);
		goto out;
	}

	if (!strcmp(name, "add")) {
		doc = add_at(doc, &tokens, dup_or_die(value), ok);
		if (!*ok)
			error_set(err, "add operation does not apply: doc is missing path: \"%s\"",
				  path);
	} else if (!strcmp(name, "remove")) {
		cJSON *gone = tokens.len ? detach(doc, &tokens) : NULL;

		*ok = gone != NULL;
		cJSON_Delete(gone);
		if (!*ok)
			error_set(err, "remove operation does not apply: doc is missing path: \"%s\"",
				  path);
	} else if (!strcmp(name, "replace")) {
		cJSON *old = tokens.len ? resolve(doc, &tokens) : NULL;

		if (!tokens.len) {
			cJSON_Delete(doc);
			doc = dup_or_die(value);
			*ok = true;
		} else if (old) {
			cJSON *parent = resolve_parent(doc, &tokens);
			cJSON *replacement = dup_or_die(value);

			if (cJSON_IsObject(parent))
				name_item(replacement, tokens.items[tokens.len - 1]);
			/* In place: frees old. */
			*ok = cJSON_ReplaceItemViaPointer(parent, old, replacement);
		}
		if (!*ok)
			error_set(err, "replace operation does not apply: doc is missing key: %s",
				  path);
	} else if (!strcmp(name, "test")) {
		const cJSON *have = resolve(doc, &tokens);

		*ok = have && cJSON_Compare(have, value, true);
		if (!*ok)
			error_set(err, "testing value %s failed: test failed", path);
	} else if (!strcmp(name, "move")) {
		/* Moving a value into itself is not allowed. */
		if (str_has_prefix(path, from) && path[strlen(from)] == '/') {
			error_set(err, "move operation does not apply: cannot move into a child");
			goto out;
		}
		moved = from_tokens.len ? detach(doc, &from_tokens) : NULL;
		if (!moved) {
			error_set(err, "move operation does not apply: doc is missing from path: %s",
				  from);
			goto out;
		}
		doc = add_at(doc, &tokens, moved, ok);
		if (!*ok)
			error_set(err, "move operation does not apply: doc is missing destination "
				       "path: %s",
				  path);
	} else { /* copy */
		const cJSON *source = resolve(doc, &from_tokens);

		if (!source) {
			error_set(err, "copy operation does not apply: doc is missing from path: %s",
				  from);
			goto out;
		}
		doc = add_at(doc, &tokens, dup_or_die(source), ok);
		if (!*ok)
			error_set(err, "copy operation does not apply: doc is missing destination "
				       "path: %s",
				  path);
	}
out:
	strv_release(&tokens);
	strv_release(&from_tokens);
	return doc;
}

cJSON *patch_apply_json(cJSON *doc, const cJSON *patch, struct error *err)
{
	const cJSON *op;
	size_t index = 0;

	if (!cJSON_IsArray(patch)) {
		cJSON_Delete(doc);
		error_set(err, "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
		return NULL;
	}
	if (cJSON_GetArraySize(patch) > PATCH_MAX_OPERATIONS) {
		cJSON_Delete(doc);
		error_set(err, "the allowed maximum operations in a JSON patch is %d, got %d",
			  PATCH_MAX_OPERATIONS, cJSON_GetArraySize(patch));
		return NULL;
	}
	cJSON_ArrayForEach(op, patch)
	{
		bool ok;

		doc = apply_operation(doc, op, index++, err, &ok);
		if (!ok) {
			cJSON_Delete(doc);
			return NULL;
		}
	}
	return doc;
}

/* ---- strategic merge patch ---- */

/* How a list field merges, as the Go types' patchStrategy/patchMergeKey
 * tags say for the fields of the kinds served here. */
static const char *merge_key_for(const char *field, const cJSON *items_a, const cJSON *items_b)
{
	static const struct {
		const char *field, *key;
	} keys[] = {
		{ "containers", "name" },     { "initContainers", "name" },
		{ "ephemeralContainers", "name" }, { "volumes", "name" },
		{ "env", "name" },            { "volumeMounts", "mountPath" },
		{ "volumeDevices", "devicePath" }, { "imagePullSecrets", "name" },
		{ "ownerReferences", "uid" }, { "conditions", "type" },
		{ "hostAliases", "ip" },      { "resourceClaims", "name" },
		{ "schedulingGates", "name" }, { "readinessGates", "conditionType" },
		{ "topologySpreadConstraints", "topologyKey" },
	};

	if (!strcmp(field, "ports")) {
		/* A container's ports merge on containerPort, a Service's on port. */
		const cJSON *first = cJSON_GetArrayItem(items_a, 0);

		if (!first)
			first = cJSON_GetArrayItem(items_b, 0);
		return json_get_child(first, "containerPort") ? "containerPort" : "port";
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(field, keys[i].field))
			return keys[i].key;
	return NULL;
}

/* Primitive lists whose strategy is "merge" (union) rather than replace. */
static bool merges_primitives(const char *field)
{
	return !strcmp(field, "finalizers");
}

static cJSON *strategic(cJSON *target, const cJSON *patch, int depth, struct error *err);

static bool is_directive(const char *key)
{
	return key[0] == '$';
}

static cJSON *find_by_key(cJSON *list, const char *key, const cJSON *value, int *ret_index)
{
	cJSON *item;
	int i = 0;

	cJSON_ArrayForEach(item, list)
	{
		const cJSON *v = json_get_child(item, key);

		if (v && cJSON_Compare(v, value, true)) {
			if (ret_index)
				*ret_index = i;
			return item;
		}
		i++;
	}
	return NULL;
}

static cJSON *merge_keyed_list(cJSON *target, const cJSON *patch, const char *key, int depth,
			       struct error *err)
{
	const cJSON *p;

	if (!cJSON_IsArray(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateArray();
	}
	/* "$patch: replace" anywhere in the list replaces the whole list. */
	cJSON_ArrayForEach(p, patch)
	{
		if (str_eq(json_get_child_string(p, "$patch"), "replace")) {
			cJSON *out = cJSON_CreateArray();
			const cJSON *q;

			cJSON_Delete(target);
			cJSON_ArrayForEach(q, patch)
			{
				if (!json_get_child(q, "$patch"))
					cJSON_AddItemToArray(out, dup_or_die(q));
			}
			return out;
		}
	}
	cJSON_ArrayForEach(p, patch)
	{
		const cJSON *kv = json_get_child(p, key);
		const char *directive = json_get_child_string(p, "$patch");
		int index;
		cJSON *existing;

		if (!cJSON_IsObject(p) || !kv) {
			error_set(err, "map: %s does not contain declared merge key: %s",
				  cJSON_IsObject(p) ? "item" : "value", key);
			cJSON_Delete(target);
			return NULL;
		}
		existing = find_by_key(target, key, kv, &index);
		if (directive && !strcmp(directive, "delete")) {
			if (existing)
				cJSON_DeleteItemFromArray(target, index);
			continue;
		}
		if (existing) {
			cJSON *merged = strategic(cJSON_DetachItemFromArray(target, index), p,
						  depth + 1, err);

			if (!merged) {
				cJSON_Delete(target);
				return NULL;
			}
			insert_before(target, merged, cJSON_GetArrayItem(target, index));
		} else {
			cJSON *added = strategic(cJSON_CreateObject(), p, depth + 1, err);

			if (!added) {
				cJSON_Delete(target);
				return NULL;
			}
			cJSON_AddItemToArray(target, added);
		}
	}
	return target;
}

/* Reorders list so that items named in order come first, in that order. */
static void apply_element_order(cJSON *list, const cJSON *order, const char *key)
{
	cJSON *sorted = cJSON_CreateArray();
	const cJSON *o;
	cJSON *item;

	cJSON_ArrayForEach(o, order)
	{
		const cJSON *kv = key ? json_get_child(o, key) : o;
		int index;

		if (kv && (key ? find_by_key(list, key, kv, &index) : NULL)) {
			cJSON_AddItemToArray(sorted, cJSON_DetachItemFromArray(list, index));
		} else if (!key) {
			int i = 0;

			cJSON_ArrayForEach(item, list)
			{
				if (cJSON_Compare(item, o, true))
					break;
				i++;
			}
			if (item)
				cJSON_AddItemToArray(sorted, cJSON_DetachItemFromArray(list, i));
		}
	}
	while (cJSON_GetArraySize(list) > 0)
		cJSON_AddItemToArray(sorted, cJSON_DetachItemFromArray(list, 0));
	while (cJSON_GetArraySize(sorted) > 0)
		cJSON_AddItemToArray(list, cJSON_DetachItemFromArray(sorted, 0));
	cJSON_Delete(sorted);
}

static cJSON *merge_field(cJSON *existing, const cJSON *p, const char *field, int depth,
			  struct error *err)
{
	if (cJSON_IsArray(p)) {
		const char *key = merge_key_for(field, existing, p);

		if (key)
			return merge_keyed_list(existing, p, key, depth, err);
		if (merges_primitives(field) && cJSON_IsArray(existing)) {
			const cJSON *v;

			cJSON_ArrayForEach(v, p)
			{
				const cJSON *have;
				bool found = false;

				cJSON_ArrayForEach(have, existing)
				{
					if (cJSON_Compare(have, v, true))
						found = true;
				}
				if (!found)
					cJSON_AddItemToArray(existing, dup_or_die(v));
			}
			return existing;
		}
		cJSON_Delete(existing);
		return dup_or_die(p);
	}
	if (cJSON_IsObject(p))
		return strategic(existing, p, depth + 1, err);
	cJSON_Delete(existing);
	return dup_or_die(p);
}

static cJSON *strategic(cJSON *target, const cJSON *patch, int depth, struct error *err)
{
	const char *directive = json_get_child_string(patch, "$patch");
	const cJSON *retain = json_get_child(patch, "$retainKeys");
	const cJSON *p;

	if (depth > JSON_MAX_DEPTH) {
		cJSON_Delete(target);
		error_set(err, "strategic merge patch nested too deeply");
		return NULL;
	}
	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return dup_or_die(patch);
	}
	if (directive && !strcmp(directive, "delete")) {
		cJSON_Delete(target);
		return cJSON_CreateObject();
	}
	if (!cJSON_IsObject(target) || (directive && !strcmp(directive, "replace"))) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
	}
	if (directive && strcmp(directive, "replace") != 0 && strcmp(directive, "merge") != 0) {
		cJSON_Delete(target);
		error_set(err, "Unknown patch type: %s", directive);
		return NULL;
	}
	cJSON_ArrayForEach(p, patch)
	{
		const char *key = p->string;

		if (is_directive(key))
			continue;
		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, key);
		} else {
			cJSON *next;
			cJSON *existing = take_member(target, key, &next);
			cJSON *merged = merge_field(existing, p, key, depth, err);

			if (!merged) {
				cJSON_Delete(target);
				return NULL;
			}
			put_member(target, key, merged, next);
		}
	}
	/* Directives that refer to sibling fields. */
	cJSON_ArrayForEach(p, patch)
	{
		const char *key = p->string;
		cJSON *list;

		if (str_has_prefix(key, "$deleteFromPrimitiveList/")) {
			list = cJSON_GetObjectItemCaseSensitive(target,
								key + strlen("$deleteFromPrimitiveList/"));
			for (const cJSON *v = p->child; v && cJSON_IsArray(list); v = v->next) {
				int i = 0;
				cJSON *item;

				cJSON_ArrayForEach(item, list)
				{
					if (cJSON_Compare(item, v, true))
						break;
					i++;
				}
				if (item)
					cJSON_DeleteItemFromArray(list, i);
			}
		} else if (str_has_prefix(key, "$setElementOrder/")) {
			const char *field = key + strlen("$setElementOrder/");

			list = cJSON_GetObjectItemCaseSensitive(target, field);
			if (cJSON_IsArray(list))
				apply_element_order(list, p, merge_key_for(field, list, p));
		}
	}
	if (cJSON_IsArray(retain)) {
		cJSON *item = target->child;

		while (item) {
			cJSON *next = item->next;
			const cJSON *r;
			bool keep = false;

			cJSON_ArrayForEach(r, retain)
			{
				if (cJSON_IsString(r) && !strcmp(r->valuestring, item->string))
					keep = true;
			}
			if (!keep)
				cJSON_Delete(cJSON_DetachItemViaPointer(target, item));
			item = next;
		}
	}
	return target;
}

cJSON *patch_apply_strategic(cJSON *doc, const cJSON *patch, struct error *err)
{
	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(doc);
		error_set(err, "json: cannot unmarshal %s into Go value of type map[string]interface {}",
			  cJSON_IsArray(patch) ? "array" : "value");
		return NULL;
	}
	return strategic(doc, patch, 0, err);
}
