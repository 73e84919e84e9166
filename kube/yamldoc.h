/* yamldoc.h — a small YAML document tree (libyaml's event API underneath)
 * for reading kubeconfig files: every node keeps its line and column for
 * error messages, and hostile input is bounded (depth, node count with
 * aliases expanded, one document). Internal to kube/. */
#ifndef KONDUKTOR_KUBE_YAMLDOC_H
#define KONDUKTOR_KUBE_YAMLDOC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define YAMLDOC_MAX_DEPTH 64
#define YAMLDOC_MAX_NODES 100000 /* counted after alias expansion */

enum ynode_kind {
	YNODE_SCALAR,
	YNODE_MAP,
	YNODE_SEQ,
};

struct ynode {
	enum ynode_kind kind;
	size_t line, column; /* 1-based position of the node's start */
	/* YNODE_SCALAR */
	char *scalar;
	size_t scalar_len;
	bool plain; /* unquoted: subject to null/bool/number resolution */
	/* YNODE_MAP: keys[i] -> items[i]; YNODE_SEQ: items[i] (keys NULL) */
	size_t len, cap;
	char **keys;
	struct ynode **items;
};

/* Parses the first document of text[len]. An empty document gives an empty
 * map. Errors say "line L, column C: ...". */
int yamldoc_parse(const char *text, size_t len, struct ynode **ret_root, struct error *err);
void ynode_free(struct ynode *node);

/* The value under key in a map node, or NULL (also when node is not a map). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* True for a plain scalar YAML reads as null: "", "~", "null", "Null", "NULL". */
bool ynode_is_null(const struct ynode *node);
/* Reads a plain YAML 1.1 boolean (true/false/yes/no/on/off and their
 * capitalised forms); -1 if the node is not one. */
int ynode_bool(const struct ynode *node, bool *ret);
/* Converts a subtree to JSON the way sigs.k8s.io/yaml does (plain scalars
 * resolved to null, booleans and numbers; map keys as strings). */
cJSON *ynode_to_json(const struct ynode *node);

#endif
