/* yamltree.c — libyaml events to a position-keeping node tree, with
 * limits, duplicate-key detection and PyYAML's implicit scalar typing. */
#include "yamltree.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "strutil.h"
#include "xalloc.h"

struct anchor {
	char *name;
	struct ynode *node;
};

/* A collection being filled, and where the parser is inside it. */
struct open_node {
	struct ynode *node;
	char *anchor;        /* registered when the node is complete */
	struct ynode *key;   /* mappings: a key waiting for its value */
};

struct builder {
	struct ydoc *doc;
	struct ylimits limits;
	size_t total_weight;
	struct open_node *stack;
	size_t depth, stack_cap;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	struct error *err;
};

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = mark->line + 1;
	n->column = mark->column + 1;
	n->weight = 1;
	if (b->doc->n_nodes == b->doc->cap_nodes) {
		b->doc->cap_nodes = b->doc->cap_nodes ? b->doc->cap_nodes * 2 : 32;
		b->doc->nodes = xreallocarray(b->doc->nodes, b->doc->cap_nodes, sizeof(*b->doc->nodes));
	}
	b->doc->nodes[b->doc->n_nodes++] = n;
	return n;
}

static void node_free(struct ynode *n)
{
	free(n->text);
	free(n->pairs);
	free(n->items);
	free(n);
}

void ydoc_release(struct ydoc *doc)
{
	for (size_t i = 0; i < doc->n_nodes; i++)
		node_free(doc->nodes[i]);
	free(doc->nodes);
	doc->nodes = NULL;
	doc->n_nodes = doc->cap_nodes = 0;
	doc->root = NULL;
}

static int fail_at(struct builder *b, size_t line, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct builder *b, size_t line, size_t column, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return error_set(b->err, "line %zu, column %zu: %s", line, column, what);
}

static int add_weight(struct builder *b, size_t weight, const struct ynode *at)
{
	if (weight > b->limits.max_nodes || b->total_weight > b->limits.max_nodes - weight)
		return fail_at(b, at->line, at->column,
			       "document too large: more than %zu nodes (counting aliases)",
			       b->limits.max_nodes);
	b->total_weight += weight;
	return 0;
}

static struct ynode *find_anchor(struct builder *b, const char *name)
{
	for (size_t i = 0; i < b->n_anchors; i++)
		if (strcmp(b->anchors[i].name, name) == 0)
			return b->anchors[i].node;
	return NULL;
}

static void register_anchor(struct builder *b, char *name, struct ynode *node)
{
	/* A later anchor with the same name replaces the earlier one (YAML). */
	for (size_t i = 0; i < b->n_anchors; i++) {
		if (strcmp(b->anchors[i].name, name) == 0) {
			free(b->anchors[i].name);
			b->anchors[i].name = name;
			b->anchors[i].node = node;
			return;
		}
	}
	if (b->n_anchors == b->cap_anchors) {
		b->cap_anchors = b->cap_anchors ? b->cap_anchors * 2 : 8;
		b->anchors = xreallocarray(b->anchors, b->cap_anchors, sizeof(*b->anchors));
	}
	b->anchors[b->n_anchors].name = name;
	b->anchors[b->n_anchors].node = node;
	b->n_anchors++;
}

/* Attaches a complete node to the collection on top of the stack (or makes
 * it the root). */
static int attach(struct builder *b, struct ynode *node)
{
	struct open_node *top;
	struct ynode *parent;

	if (b->depth == 0) {
		b->doc->root = node;
		return 0;
	}
	top = &b->stack[b->depth - 1];
	parent = top->node;
	parent->weight += node->weight;
	if (parent->kind == YNODE_SEQUENCE) {
		parent->items = xreallocarray(parent->items, parent->n_items + 1, sizeof(*parent->items));
		parent->items[parent->n_items++] = node;
		return 0;
	}
	if (!top->key) {
		if (node->kind != YNODE_SCALAR)
			return fail_at(b, node->line, node->column, "a mapping key must be a scalar");
		if (node->plain && strcmp(node->text, "<<") == 0)
			return fail_at(b, node->line, node->column, "merge keys ('<<') are not supported");
		top->key = node;
		return 0;
	}
	parent->pairs = xreallocarray(parent->pairs, parent->n_pairs + 1, sizeof(*parent->pairs));
	parent->pairs[parent->n_pairs].key = top->key;
	parent->pairs[parent->n_pairs].value = node;
	parent->n_pairs++;
	top->key = NULL;
	return 0;
}

static int compare_pairs_by_key(const void *a, const void *b)
{
	const struct ypair *pa = a, *pb = b;
	int c = strcmp(pa->key->text, pb->key->text);

	if (c)
		return c;
	if (pa->key->line != pb->key->line)
		return pa->key->line < pb->key->line ? -1 : 1;
	return pa->key->column < pb->key->column ? -1 : (pa->key->column > pb->key->column);
}

/* Reports the first duplicate key (in document order of the repetition). */
static int check_duplicate_keys(struct builder *b, const struct ynode *map)
{
	_cleanup_free_ struct ypair *sorted = NULL;
	const struct ypair *dup = NULL, *first = NULL;

	if (map->n_pairs < 2)
		return 0;
	sorted = xreallocarray(NULL, map->n_pairs, sizeof(*sorted));
	memcpy(sorted, map->pairs, map->n_pairs * sizeof(*sorted));
	qsort(sorted, map->n_pairs, sizeof(*sorted), compare_pairs_by_key);
	for (size_t i = 1; i < map->n_pairs; i++) {
		const struct ypair *p = &sorted[i];

		if (strcmp(p->key->text, sorted[i - 1].key->text) != 0)
			continue;
		if (!dup || p->key->line < dup->key->line ||
		    (p->key->line == dup->key->line && p->key->column < dup->key->column)) {
			size_t j = i - 1;

			while (j > 0 && strcmp(sorted[j - 1].key->text, p->key->text) == 0)
				j--;
			dup = p;
			first = &sorted[j];
		}
	}
	if (!dup)
		return 0;
	return fail_at(b, dup->key->line, dup->key->column,
		       "duplicate key '%s' (first given at line %zu, column %zu)", dup->key->text,
		       first->key->line, first->key->column);
}

static bool tag_is(const char *tag, const char *suffix)
{
	static const char prefix[] = "tag:yaml.org,2002:";

	return str_has_prefix(tag, prefix) && strcmp(tag + sizeof(prefix) - 1, suffix) == 0;
}

static int apply_tag(struct builder *b, struct ynode *node, const char *tag)
{
	static const struct {
		const char *name;
		enum yscalar_type type;
	} core[] = {
		{ "str", YTYPE_STRING }, { "int", YTYPE_INT },   { "float", YTYPE_FLOAT },
		{ "bool", YTYPE_BOOL },  { "null", YTYPE_NULL }, { "timestamp", YTYPE_TIMESTAMP },
	};

	if (!tag || strcmp(tag, "!") == 0)
		return 0;
	if (node->kind != YNODE_SCALAR) {
		if ((node->kind == YNODE_MAPPING && tag_is(tag, "map")) ||
		    (node->kind == YNODE_SEQUENCE && tag_is(tag, "seq")))
			return 0;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(core); i++) {
			if (tag_is(tag, core[i].name)) {
				node->has_forced_type = true;
				node->forced_type = core[i].type;
				return 0;
			}
		}
	}
	return fail_at(b, node->line, node->column, "unsupported tag '%s'", tag);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct ynode *node = node_new(b, YNODE_SCALAR, &ev->start_mark);

	if (memchr(value, '\0', len))
		return fail_at(b, node->line, node->column, "a NUL character is not allowed here");
	node->text = xstrndup(value, len);
	node->len = len;
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (apply_tag(b, node, (const char *)ev->data.scalar.tag) < 0 || add_weight(b, 1, node) < 0)
		return -1;
	if (ev->data.scalar.anchor)
		register_anchor(b, xstrdup((const char *)ev->data.scalar.anchor), node);
	return attach(b, node);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct ynode *target = find_anchor(b, name);
	struct open_node *top = b->depth ? &b->stack[b->depth - 1] : NULL;

	if (!target) {
		for (size_t i = 0; i < b->depth; i++)
			if (b->stack[i].anchor && strcmp(b->stack[i].anchor, name) == 0)
				return fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
					       "recursive alias '*%s'", name);
		return fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
			       "unknown anchor '*%s'", name);
	}
	if (add_weight(b, target->weight, target) < 0)
		return -1;
	if (top && top->node->kind == YNODE_MAPPING && !top->key && target->kind != YNODE_SCALAR)
		return fail_at(b, ev->start_mark.line + 1, ev->start_mark.column + 1,
			       "a mapping key must be a scalar");
	return attach(b, target);
}

static int on_collection_start(struct builder *b, const yaml_event_t *ev, enum ynode_kind kind)
{
	const yaml_char_t *tag, *anchor;
	struct ynode *node = node_new(b, kind, &ev->start_mark);

	if (kind == YNODE_MAPPING) {
		tag = ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
	} else {
		tag = ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
	}
	if (b->depth >= b->limits.max_depth)
		return fail_at(b, node->line, node->column, "nested deeper than %zu levels",
			       b->limits.max_depth);
	if (apply_tag(b, node, (const char *)tag) < 0 || add_weight(b, 1, node) < 0)
		return -1;
	if (b->depth && b->stack[b->depth - 1].node->kind == YNODE_MAPPING &&
	    !b->stack[b->depth - 1].key)
		return fail_at(b, node->line, node->column, "a mapping key must be a scalar");
	if (b->depth == b->stack_cap) {
		b->stack_cap = b->stack_cap ? b->stack_cap * 2 : 8;
		b->stack = xreallocarray(b->stack, b->stack_cap, sizeof(*b->stack));
	}
	b->stack[b->depth].node = node;
	b->stack[b->depth].anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	b->stack[b->depth].key = NULL;
	b->depth++;
	return 0;
}

static int on_collection_end(struct builder *b)
{
	struct open_node top = b->stack[--b->depth];

	if (top.node->kind == YNODE_MAPPING && check_duplicate_keys(b, top.node) < 0) {
		free(top.anchor);
		return -1;
	}
	if (top.anchor)
		register_anchor(b, top.anchor, top.node);
	return attach(b, top.node);
}

/* Line and column (1-based) of a byte offset, for reader errors that
 * libyaml reports by offset only. */
static void offset_position(const char *text, size_t len, size_t offset, size_t *line,
			    size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*column)++;
		}
	}
}

static int parser_error(struct builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	size_t line, column;

	if (p->error == YAML_READER_ERROR) {
		offset_position(text, len, p->problem_offset, &line, &column);
		if (p->problem_value != -1)
			return fail_at(b, line, column, "%s (byte 0x%02x)", problem,
				       (unsigned)p->problem_value & 0xff);
		return fail_at(b, line, column, "%s", problem);
	}
	line = p->problem_mark.line + 1;
	column = p->problem_mark.column + 1;
	if (p->context)
		return fail_at(b, line, column, "%s %s", problem, p->context);
	return fail_at(b, line, column, "%s", problem);
}

static void builder_release(struct builder *b)
{
	for (size_t i = 0; i < b->depth; i++)
		free(b->stack[i].anchor);
	free(b->stack);
	for (size_t i = 0; i < b->n_anchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
}

int ydoc_parse(struct ydoc *doc, const char *text, size_t len, const struct ylimits *limits,
	       struct error *err)
{
	struct ylimits defaults = YLIMITS_DEFAULT;
	struct builder b = { .doc = doc, .limits = limits ? *limits : defaults, .err = err };
	yaml_parser_t parser;
	int documents = 0, ret = -1;
	bool done = false;

	*doc = (struct ydoc)YDOC_INIT;
	if (!yaml_parser_initialize(&parser))
		die("out of memory initialising the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		yaml_event_t ev;
		int r = 0;

		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&b, &parser, text, len);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				r = fail_at(&b, ev.start_mark.line + 1, ev.start_mark.column + 1,
					    "more than one YAML document");
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(&b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			r = on_alias(&b, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
			r = on_collection_start(&b, &ev, YNODE_MAPPING);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_collection_start(&b, &ev, YNODE_SEQUENCE);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			r = on_collection_end(&b);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			goto out;
	}
	ret = 0;
out:
	yaml_parser_delete(&parser);
	builder_release(&b);
	if (ret < 0)
		ydoc_release(doc);
	return ret;
}

/* --- implicit typing --------------------------------------------------- */

static bool is_one_of(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

static bool all_chars(const char *s, const char *set, bool allow_empty)
{
	if (!*s)
		return allow_empty;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

/* [0-9][0-9_]* followed by one or more ":[0-5]?[0-9]" groups; *rest is set
 * to what follows. */
static bool sexagesimal_prefix(const char *s, const char **rest)
{
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s) || *s == '_')
		s++;
	if (*s != ':')
		return false;
	while (*s == ':') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		if (isdigit((unsigned char)s[1])) {
			if (*s > '5')
				return false;
			s++;
		}
		s++;
	}
	*rest = s;
	return true;
}

static bool yaml11_int(const char *s)
{
	const char *rest;

	if (*s == '-' || *s == '+')
		s++;
	if (str_has_prefix(s, "0b"))
		return all_chars(s + 2, "01_", false);
	if (str_has_prefix(s, "0x"))
		return all_chars(s + 2, "0123456789abcdefABCDEF_", false);
	if (s[0] == '0' && s[1])
		return all_chars(s + 1, "01234567_", false);
	if (strcmp(s, "0") == 0)
		return true;
	if (*s >= '1' && *s <= '9' && all_chars(s + 1, "0123456789_", true))
		return true;
	return *s >= '1' && *s <= '9' && sexagesimal_prefix(s, &rest) && !*rest;
}

/* [eE][-+][0-9]+ at s, or nothing. */
static bool yaml11_exponent(const char *s)
{
	if (!*s)
		return true;
	if ((*s != 'e' && *s != 'E') || (s[1] != '-' && s[1] != '+'))
		return false;
	return all_chars(s + 2, "0123456789", false);
}

static bool yaml11_float(const char *s)
{
	static const char *const special[] = { ".nan", ".NaN", ".NAN", NULL };
	static const char *const inf[] = { ".inf", ".Inf", ".INF", NULL };
	const char *p = s, *rest;

	if (is_one_of(s, special))
		return true;
	if (*p == '-' || *p == '+')
		p++;
	if (is_one_of(p, inf))
		return true;
	if (*p == '.' && p == s) {
		/* \.[0-9_]+ exponent? (no sign allowed by PyYAML) */
		p++;
		if (!isdigit((unsigned char)*p) && *p != '_')
			return false;
		while (isdigit((unsigned char)*p) || *p == '_')
			p++;
		return yaml11_exponent(p);
	}
	if (sexagesimal_prefix(p, &rest)) {
		if (*rest != '.')
			return false;
		return all_chars(rest + 1, "0123456789_", true);
	}
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p) || *p == '_')
		p++;
	if (*p != '.')
		return false;
	p++;
	while (isdigit((unsigned char)*p) || *p == '_')
		p++;
	return yaml11_exponent(p);
}

static bool digits(const char **s, int min, int max)
{
	int n = 0;

	while (n < max && isdigit((unsigned char)**s)) {
		(*s)++;
		n++;
	}
	return n >= min;
}

static bool yaml11_timestamp(const char *s)
{
	if (!digits(&s, 4, 4) || *s++ != '-' || !digits(&s, 1, 2) || *s++ != '-' ||
	    !digits(&s, 1, 2))
		return false;
	if (!*s)
		return true;
	if (*s == 'T' || *s == 't')
		s++;
	else if (*s == ' ' || *s == '\t')
		while (*s == ' ' || *s == '\t')
			s++;
	else
		return false;
	if (!digits(&s, 1, 2) || *s++ != ':' || !digits(&s, 2, 2) || *s++ != ':' ||
	    !digits(&s, 2, 2))
		return false;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == 'Z') {
		s++;
	} else if (*s == '-' || *s == '+') {
		s++;
		if (!digits(&s, 1, 2))
			return false;
		if (*s == ':') {
			s++;
			if (!digits(&s, 2, 2))
				return false;
		}
	}
	return !*s;
}

static enum yscalar_type resolve_yaml11(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = { "yes", "Yes", "YES", "no", "No", "NO",
					     "true", "True", "TRUE", "false", "False", "FALSE",
					     "on", "On", "ON", "off", "Off", "OFF", NULL };

	if (is_one_of(s, nulls))
		return YTYPE_NULL;
	if (is_one_of(s, bools))
		return YTYPE_BOOL;
	if (yaml11_int(s))
		return YTYPE_INT;
	if (yaml11_float(s))
		return YTYPE_FLOAT;
	if (yaml11_timestamp(s))
		return YTYPE_TIMESTAMP;
	return YTYPE_STRING;
}

/* YAML 1.2 core schema (what newer readers, e.g. go-yaml v3, apply). */
static bool yaml12_not_string(const char *s)
{
	static const char *const words[] = { "", "~", "null", "Null", "NULL", "true", "True",
					     "TRUE", "false", "False", "FALSE", ".nan", ".NaN",
					     ".NAN", NULL };
	static const char *const inf[] = { ".inf", ".Inf", ".INF", NULL };
	const char *p = s;
	bool mantissa = false;

	if (is_one_of(s, words))
		return true;
	if (str_has_prefix(s, "0o"))
		return all_chars(s + 2, "01234567", false);
	if (str_has_prefix(s, "0x"))
		return all_chars(s + 2, "0123456789abcdefABCDEF", false);
	if (*p == '-' || *p == '+')
		p++;
	if (is_one_of(p, inf))
		return true;
	while (isdigit((unsigned char)*p)) {
		p++;
		mantissa = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			mantissa = true;
		}
	}
	if (!mantissa)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return !*p;
}

enum yscalar_type ynode_scalar_type(const struct ynode *node)
{
	if (node->has_forced_type)
		return node->forced_type;
	if (!node->plain)
		return YTYPE_STRING;
	return resolve_yaml11(node->text);
}

bool yaml_plain_is_ambiguous(const char *s, size_t len)
{
	static const char *const specials[] = { "<<", "=", NULL };

	if (strlen(s) != len)
		return true;
	return resolve_yaml11(s) != YTYPE_STRING || yaml12_not_string(s) || is_one_of(s, specials);
}

const char *ynode_describe(const struct ynode *node)
{
	if (!node)
		return "nothing";
	switch (node->kind) {
	case YNODE_MAPPING:
		return "a mapping";
	case YNODE_SEQUENCE:
		return "a list";
	case YNODE_SCALAR:
		break;
	}
	switch (ynode_scalar_type(node)) {
	case YTYPE_NULL:
		return "null";
	case YTYPE_BOOL:
		return "a boolean";
	case YTYPE_INT:
		return "an integer";
	case YTYPE_FLOAT:
		return "a floating-point number";
	case YTYPE_TIMESTAMP:
		return "a timestamp";
	case YTYPE_STRING:
		break;
	}
	return "a string";
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->n_pairs; i++)
		if (strcmp(map->pairs[i].key->text, key) == 0)
			return map->pairs[i].value;
	return NULL;
}

int ynode_to_int64(const struct ynode *node, int64_t *ret)
{
	char clean[80];
	size_t n = 0;
	const char *s;
	int base = 10;
	bool negative = false;
	char *end;
	unsigned long long v;

	if (!node || node->kind != YNODE_SCALAR || ynode_scalar_type(node) != YTYPE_INT)
		return -1;
	s = node->text;
	if (*s == '-' || *s == '+')
		negative = *s++ == '-';
	if (str_has_prefix(s, "0b")) {
		base = 2;
		s += 2;
	} else if (str_has_prefix(s, "0x")) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (*s == ':' || n + 1 >= sizeof(clean))
			return -1; /* sexagesimal or absurdly long: not supported */
		clean[n++] = *s;
	}
	clean[n] = '\0';
	if (!n)
		return -1;
	errno = 0;
	v = strtoull(clean, &end, base);
	if (errno || *end)
		return -1;
	if (negative) {
		if (v > (unsigned long long)INT64_MAX + 1)
			return -1;
		*ret = v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (unsigned long long)INT64_MAX)
			return -1;
		*ret = (int64_t)v;
	}
	return 0;
}
