/* yamlfields.c — typed field access with uniform, positioned errors. */
#include "yamlfields.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strutil.h"

int yf_fail(const struct yfields *f, const struct ynode *node, const char *fmt, ...)
{
	char what[ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return error_set(f->err, "%s: line %zu, column %zu: %s", f->subject, node->line,
			 node->column, what);
}

int yf_fail_with(const struct yfields *f, const struct ynode *node, const struct error *inner)
{
	return yf_fail(f, node, "%s", inner->msg);
}

bool yf_is_null(const struct ynode *node)
{
	return node->kind == YNODE_SCALAR && ynode_scalar_type(node) == YTYPE_NULL;
}

int yf_expect_kind(const struct yfields *f, const char *field, const struct ynode *node,
		   enum ynode_kind kind)
{
	if (node->kind == kind)
		return 0;
	return yf_fail(f, node, "'%s' must be %s, not %s", field,
		       kind == YNODE_MAPPING ? "a mapping" : "a list", ynode_describe(node));
}

int yf_string(const struct yfields *f, const char *field, const struct ynode *node,
	      const char **ret)
{
	if (node->kind != YNODE_SCALAR || ynode_scalar_type(node) != YTYPE_STRING)
		return yf_fail(f, node, "'%s' must be a string, not %s%s", field,
			       ynode_describe(node),
			       node->kind == YNODE_SCALAR ? " (put it in quotes)" : "");
	*ret = node->text;
	return 0;
}

int yf_int(const struct yfields *f, const char *field, const struct ynode *node, int64_t min,
	   int64_t max, int64_t *ret)
{
	int64_t v;

	if (node->kind != YNODE_SCALAR || ynode_scalar_type(node) != YTYPE_INT)
		return yf_fail(f, node, "'%s' must be an integer, not %s", field,
			       ynode_describe(node));
	if (ynode_to_int64(node, &v) < 0)
		return yf_fail(f, node, "'%s': invalid integer '%s'", field, node->text);
	if (v < min || v > max)
		return yf_fail(f, node, "%s: %lld is out of range (%lld to %lld)", field,
			       (long long)v, (long long)min, (long long)max);
	*ret = v;
	return 0;
}

static bool is_one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

int yf_unknown_field(const struct yfields *f, const char *section, const struct ynode *key,
		     const char *const *known, const char *const *unsupported)
{
	const char *suggestion = str_did_you_mean(key->text, known);
	char where[96] = "";

	if (section)
		snprintf(where, sizeof(where), " in '%s'", section);
	if (is_one_of(key->text, unsupported))
		return yf_fail(f, key, "field '%s'%s is not supported by kubectl-konduktor",
			       key->text, where);
	if (suggestion)
		return yf_fail(f, key, "unknown field '%s'%s (did you mean '%s'?)", key->text,
			       where, suggestion);
	return yf_fail(f, key, "unknown field '%s'%s", key->text, where);
}
