/* yamldoc.c — builds a bounded YAML node tree from libyaml events. */
#include "yamldoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "strutil.h"
#include "xalloc.h"

struct yanchor {
	char *name;
	struct ynode *node;
	bool owned; /* a copy kept here (an anchored mapping key); else the tree owns it */
};

struct yframe {
	struct ynode *node;
	char *anchor; /* registered when the node is complete */
};

struct ybuilder {
	struct yframe stack[YAMLDOC_MAX_DEPTH];
	size_t depth;
	char *pending_key; /* a map's key awaiting its value */
	size_t pending_key_line, pending_key_column;
	struct ynode *root;
	struct yanchor *anchors;
	size_t nanchors, anchors_cap;
	size_t nodes;
};

void ynode_free(struct ynode *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->len; i++) {
		if (node->keys)
			free(node->keys[i]);
		ynode_free(node->items[i]);
	}
	free(node->keys);
	free(node->items);
	free(node->scalar);
	free(node);
}

static struct ynode *ynode_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = mark->line + 1;
	n->column = mark->column + 1;
	return n;
}

static void ynode_push(struct ynode *parent, char *key, struct ynode *child)
{
	if (parent->len == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 4;
		parent->items = xreallocarray(parent->items, parent->cap, sizeof(*parent->items));
		if (parent->kind == YNODE_MAP)
			parent->keys = xreallocarray(parent->keys, parent->cap, sizeof(*parent->keys));
	}
	if (parent->kind == YNODE_MAP)
		parent->keys[parent->len] = key;
	parent->items[parent->len++] = child;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->len; i++)
		if (!strcmp(map->keys[i], key))
			return map->items[i];
	return NULL;
}

bool ynode_is_null(const struct ynode *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (!node || node->kind != YNODE_SCALAR || !node->plain)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(node->scalar, nulls[i]))
			return true;
	return false;
}

int ynode_bool(const struct ynode *node, bool *ret)
{
	static const char *const truths[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					      "on",   "On",   "ON",   "y",   "Y" };
	static const char *const falsehoods[] = { "false", "False", "FALSE", "no", "No", "NO",
						  "off",   "Off",   "OFF",   "n",  "N" };

	if (!node || node->kind != YNODE_SCALAR || !node->plain)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(truths); i++) {
		if (!strcmp(node->scalar, truths[i])) {
			*ret = true;
			return 0;
		}
		if (!strcmp(node->scalar, falsehoods[i])) {
			*ret = false;
			return 0;
		}
	}
	return -1;
}

/* A copy of an anchored subtree for an alias, counted against the budget. */
static struct ynode *ynode_copy(const struct ynode *src, size_t *budget)
{
	struct ynode *n;

	if (*budget == 0)
		return NULL;
	(*budget)--;
	n = xcalloc(1, sizeof(*n));
	n->kind = src->kind;
	n->line = src->line;
	n->column = src->column;
	n->plain = src->plain;
	if (src->scalar) {
		n->scalar = xmalloc(src->scalar_len + 1);
		memcpy(n->scalar, src->scalar, src->scalar_len + 1);
		n->scalar_len = src->scalar_len;
	}
	for (size_t i = 0; i < src->len; i++) {
		struct ynode *child = ynode_copy(src->items[i], budget);

		if (!child) {
			ynode_free(n);
			return NULL;
		}
		ynode_push(n, src->keys ? xstrdup(src->keys[i]) : NULL, child);
	}
	return n;
}

static int builder_error(struct error *err, const yaml_mark_t *mark, const char *what)
{
	return error_set(err, "line %zu, column %zu: %s", (size_t)mark->line + 1,
			 (size_t)mark->column + 1, what);
}

/* Attaches a finished node to its parent (or makes it the root). */
static int builder_attach(struct ybuilder *b, struct ynode *node, const yaml_mark_t *mark,
			  struct error *err)
{
	struct ynode *parent = b->depth ? b->stack[b->depth - 1].node : NULL;

	if (!parent) {
		b->root = node;
		return 0;
	}
	if (parent->kind == YNODE_SEQ) {
		ynode_push(parent, NULL, node);
		return 0;
	}
	if (!b->pending_key) {
		/* This node is a key: only scalars may be keys. */
		if (node->kind != YNODE_SCALAR) {
			ynode_free(node);
			return builder_error(err, mark, "a mapping key must be a scalar");
		}
		if (ynode_get(parent, node->scalar)) {
			char msg[ERROR_MSG_MAX];

			snprintf(msg, sizeof(msg), "duplicate key '%.200s'", node->scalar);
			ynode_free(node);
			return builder_error(err, mark, msg);
		}
		b->pending_key = TAKE_PTR(node->scalar);
		b->pending_key_line = node->line;
		b->pending_key_column = node->column;
		ynode_free(node);
		return 0;
	}
	ynode_push(parent, TAKE_PTR(b->pending_key), node);
	return 0;
}

static void builder_remember_anchor(struct ybuilder *b, const yaml_char_t *anchor,
				    struct ynode *node, bool owned)
{
	if (!anchor)
		return;
	if (b->nanchors == b->anchors_cap) {
		b->anchors_cap = b->anchors_cap ? b->anchors_cap * 2 : 8;
		b->anchors = xreallocarray(b->anchors, b->anchors_cap, sizeof(*b->anchors));
	}
	b->anchors[b->nanchors].name = xstrdup((const char *)anchor);
	b->anchors[b->nanchors].node = node;
	b->anchors[b->nanchors].owned = owned;
	b->nanchors++;
}

static const struct ynode *builder_find_anchor(const struct ybuilder *b, const char *name)
{
	/* The latest definition wins, as YAML allows redefining an anchor. */
	for (size_t i = b->nanchors; i > 0; i--)
		if (!strcmp(b->anchors[i - 1].name, name))
			return b->anchors[i - 1].node;
	return NULL;
}

static void builder_release(struct ybuilder *b)
{
	for (size_t i = 0; i < b->nanchors; i++) {
		free(b->anchors[i].name);
		if (b->anchors[i].owned)
			ynode_free(b->anchors[i].node);
	}
	free(b->anchors);
	for (size_t i = 0; i < b->depth; i++)
		free(b->stack[i].anchor);
	/* Every node, finished or not, hangs off the root. */
	ynode_free(b->root);
	free(b->pending_key);
}

/* Handles one event; returns 1 when the first document is complete. */
static int builder_event(struct ybuilder *b, const yaml_event_t *ev, struct error *err)
{
	const yaml_mark_t *mark = &ev->start_mark;
	struct ynode *node;
	const yaml_char_t *anchor;

	switch (ev->type) {
	case YAML_DOCUMENT_END_EVENT:
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_SCALAR_EVENT:
		if (++b->nodes > YAMLDOC_MAX_NODES)
			return builder_error(err, mark, "too many nodes");
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
			return builder_error(err, mark, "a scalar contains a NUL character");
		node = ynode_new(YNODE_SCALAR, mark);
		node->scalar_len = ev->data.scalar.length;
		node->scalar = xmalloc(node->scalar_len + 1);
		memcpy(node->scalar, ev->data.scalar.value, node->scalar_len);
		node->scalar[node->scalar_len] = '\0';
		node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag;
		if (ev->data.scalar.anchor) {
			/* A mapping key's node is freed once its text becomes the
			 * key, so an anchor on a key keeps a copy of its own. */
			bool is_key = b->depth && b->stack[b->depth - 1].node->kind == YNODE_MAP &&
				      !b->pending_key;
			size_t one = 1;

			builder_remember_anchor(b, ev->data.scalar.anchor,
						is_key ? ynode_copy(node, &one) : node, is_key);
		}
		return builder_attach(b, node, mark, err);
	case YAML_ALIAS_EVENT: {
		const struct ynode *target = builder_find_anchor(b, (const char *)ev->data.alias.anchor);
		size_t budget = YAMLDOC_MAX_NODES - b->nodes;
		size_t before = budget;

		if (!target)
			return builder_error(err, mark, "unknown anchor");
		node = ynode_copy(target, &budget);
		if (!node)
			return builder_error(err, mark, "too many nodes (aliases expand past the limit)");
		b->nodes += before - budget;
		return builder_attach(b, node, mark, err);
	}
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (b->depth >= YAMLDOC_MAX_DEPTH)
			return builder_error(err, mark, "nested too deeply");
		if (++b->nodes > YAMLDOC_MAX_NODES)
			return builder_error(err, mark, "too many nodes");
		if (b->depth && b->stack[b->depth - 1].node->kind == YNODE_MAP && !b->pending_key)
			return builder_error(err, mark, "a mapping key must be a scalar");
		node = ynode_new(ev->type == YAML_MAPPING_START_EVENT ? YNODE_MAP : YNODE_SEQ, mark);
		anchor = ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.anchor
							      : ev->data.sequence_start.anchor;
		/* Attached at once so that the tree owns it on any later error. */
		if (builder_attach(b, node, mark, err) < 0)
			return -1;
		b->stack[b->depth].node = node;
		b->stack[b->depth].anchor = anchor ? xstrdup((const char *)anchor) : NULL;
		b->depth++;
		return 0;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT: {
		struct yframe *frame = &b->stack[--b->depth];

		if (frame->anchor) {
			builder_remember_anchor(b, (const yaml_char_t *)frame->anchor, frame->node,
						false);
			free(frame->anchor);
			frame->anchor = NULL;
		}
		return 0;
	}
	default:
		return 0;
	}
}

int yamldoc_parse(const char *text, size_t len, struct ynode **ret_root, struct error *err)
{
	struct ybuilder b = { 0 };
	yaml_parser_t parser;
	int ret = 0;

	if (!yaml_parser_initialize(&parser))
		die("out of memory initialising the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (ret == 0) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			const yaml_mark_t *mark = parser.problem ? &parser.problem_mark : &parser.mark;

			ret = builder_error(err, mark, parser.problem ? parser.problem : "invalid YAML");
			break;
		}
		ret = builder_event(&b, &ev, err);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (ret < 0) {
		builder_release(&b);
		return -1;
	}
	if (!b.root) {
		yaml_mark_t start = { 0 };

		b.root = ynode_new(YNODE_MAP, &start);
	}
	*ret_root = TAKE_PTR(b.root);
	builder_release(&b);
	return 0;
}

/* Plain scalars as sigs.k8s.io/yaml resolves them: null, bool, number. */
static cJSON *ynode_scalar_to_json(const struct ynode *node)
{
	bool truth;
	double number;

	if (ynode_is_null(node))
		return cJSON_CreateNull();
	if (ynode_bool(node, &truth) == 0)
		return cJSON_CreateBool(truth);
	if (node->plain && str_to_double(node->scalar, &number) == 0 && isfinite(number) &&
	    strcspn(node->scalar, "xXpP_") == node->scalar_len)
		return cJSON_CreateNumber(number);
	return cJSON_CreateString(node->scalar);
}

cJSON *ynode_to_json(const struct ynode *node)
{
	cJSON *out;

	if (node->kind == YNODE_SCALAR)
		out = ynode_scalar_to_json(node);
	else if (node->kind == YNODE_MAP)
		out = cJSON_CreateObject();
	else
		out = cJSON_CreateArray();
	if (!out)
		die("out of memory building JSON");
	for (size_t i = 0; i < node->len; i++) {
		cJSON *child = ynode_to_json(node->items[i]);

		if (node->kind == YNODE_MAP)
			cJSON_AddItemToObject(out, node->keys[i], child);
		else
			cJSON_AddItemToArray(out, child);
	}
	return out;
}
