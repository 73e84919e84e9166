/* yamltree.h — a YAML document as a tree of nodes that remember where they
 * were written (line and column), built with libyaml under limits, for the
 * strict parsers of task files and the user config.
 *
 * Contract:
 * - ydoc_parse() accepts exactly one document (an empty input is a document
 *   whose root is NULL). Errors are one line, "line L, column C: <problem>",
 *   for the caller to prefix with the file's name.
 * - Limits: nesting depth, and the number of nodes counting every alias
 *   expansion (so "billion laughs" documents are refused while they are
 *   read, not when a consumer walks them), are fixed by struct ylimits.
 * - Duplicate keys in a mapping are an error naming both places; keys must
 *   be scalars; a scalar may not contain a NUL character; tags other than
 *   the YAML core ones (!!str, !!int, ...) are refused.
 * - An alias refers to an anchored node that is already complete; the tree
 *   shares that node (aliases cost no memory) and a recursive alias is an
 *   error.
 * - Scalars keep their text; ynode_scalar_type() resolves a plain scalar's
 *   type the way PyYAML (YAML 1.1, which Konduktor uses) does, so a field
 *   typed in a YAML file means what it means to Konduktor.
 * All nodes belong to the ydoc and are freed by ydoc_release(). */
#ifndef KONDUKTOR_YAMLTREE_H
#define KONDUKTOR_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum ynode_kind {
	YNODE_SCALAR,
	YNODE_MAPPING,
	YNODE_SEQUENCE,
};

/* The type a scalar resolves to. */
enum yscalar_type {
	YTYPE_STRING,
	YTYPE_NULL,
	YTYPE_BOOL,
	YTYPE_INT,
	YTYPE_FLOAT,
	YTYPE_TIMESTAMP,
};

struct ynode;

struct ypair {
	struct ynode *key;   /* always a scalar */
	struct ynode *value;
};

struct ynode {
	enum ynode_kind kind;
	size_t line, column; /* 1-based, where the node starts */
	/* Scalars: the text (NUL-terminated, no NUL inside) and whether it
	 * was written plain (unquoted, not a block scalar) and so is typed
	 * implicitly. `forced_type` is set by an explicit core tag. */
	char *text;
	size_t len;
	bool plain;
	bool has_forced_type;
	enum yscalar_type forced_type;
	/* Mappings, in document order. */
	struct ypair *pairs;
	size_t n_pairs;
	/* Sequences. */
	struct ynode **items;
	size_t n_items;
	/* Nodes in this subtree counting alias expansions (for the limit). */
	size_t weight;
};

struct ylimits {
	size_t max_depth;
	size_t max_nodes; /* counting alias expansions */
};

#define YLIMITS_DEFAULT { .max_depth = 32, .max_nodes = 20000 }

struct ydoc {
	struct ynode *root; /* NULL for an empty document */
	struct ynode **nodes; /* every node, for release */
	size_t n_nodes;
	size_t cap_nodes;
};

#define YDOC_INIT { .root = NULL, .nodes = NULL, .n_nodes = 0, .cap_nodes = 0 }

/* Parses `len` bytes of text. `limits` may be NULL for YLIMITS_DEFAULT.
 * On failure returns -1, fills err and leaves *doc empty. */
int ydoc_parse(struct ydoc *doc, const char *text, size_t len, const struct ylimits *limits,
	       struct error *err);
void ydoc_release(struct ydoc *doc);

/* The resolved type of a scalar: quoted and block scalars are strings;
 * plain ones follow YAML 1.1 (PyYAML's implicit resolvers). */
enum yscalar_type ynode_scalar_type(const struct ynode *node);
/* "a string", "an integer", "a mapping", "a list", ... for messages. */
const char *ynode_describe(const struct ynode *node);
/* Looks up a mapping's value by key; NULL if absent or not a mapping. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/* The value of a scalar that resolves to an integer (decimal, 0x, 0o/0
 * octal, 0b, with '_' separators as YAML 1.1 allows); -1 if it does not
 * resolve to an integer or overflows. */
int ynode_to_int64(const struct ynode *node, int64_t *ret);

/* True if `s` written as a plain YAML scalar would be read back as
 * something other than the same string (by YAML 1.1 or 1.2 readers):
 * emitters must quote it. */
bool yaml_plain_is_ambiguous(const char *s, size_t len);

#endif
