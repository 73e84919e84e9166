/* yamlfields.h — reading typed fields out of a yamltree for the strict
 * file parsers (task files, the user config), so that every one of them
 * words its errors the same way:
 *   "<subject>: line L, column C: <problem>"
 * where <subject> is e.g. "task 'train.yaml'" or "config '~/.konduktor/config.yaml'". */
#ifndef KONDUKTOR_YAMLFIELDS_H
#define KONDUKTOR_YAMLFIELDS_H

#include <stdint.h>

#include "error.h"
#include "yamltree.h"

struct yfields {
	const char *subject; /* "task 'train.yaml'" */
	struct error *err;
};

/* Sets err to "<subject>: line L, column C: <message>"; returns -1. */
int yf_fail(const struct yfields *f, const struct ynode *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Anchors a shared checker's message ("<field>: ...") at a node; -1. */
int yf_fail_with(const struct yfields *f, const struct ynode *node, const struct error *inner);

bool yf_is_null(const struct ynode *node);
/* -1 with "'<field>' must be a mapping, not a list" unless node has `kind`. */
int yf_expect_kind(const struct yfields *f, const char *field, const struct ynode *node,
		   enum ynode_kind kind);
/* A scalar that resolves to a string (suggesting quotes otherwise). */
int yf_string(const struct yfields *f, const char *field, const struct ynode *node,
	      const char **ret);
/* A scalar that resolves to an integer within [min, max]. */
int yf_int(const struct yfields *f, const char *field, const struct ynode *node, int64_t min,
	   int64_t max, int64_t *ret);
/* "unknown field 'x' in '<section>' (did you mean 'y'?)", or "field 'x' is
 * not supported by kubectl-konduktor" when x is in `unsupported` (may be
 * NULL); section NULL for the top level. */
int yf_unknown_field(const struct yfields *f, const char *section, const struct ynode *key,
		     const char *const *known, const char *const *unsupported);

#endif
