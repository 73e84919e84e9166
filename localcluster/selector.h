/* selector.h — Kubernetes label and field selectors: parsing the query
 * text (`labelSelector=app=x,tier in (a,b),!old`, `fieldSelector=
 * status.phase!=Failed`) and matching them against an object's labels or
 * selectable fields. Grammar and limits follow k8s.io/apimachinery's
 * labels.Parse and fields.ParseSelector. */
#ifndef KONDUKTOR_LC_SELECTOR_H
#define KONDUKTOR_LC_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strv.h"

enum selector_op {
	SELECTOR_EQ,         /* key=value, key==value */
	SELECTOR_NOT_EQ,     /* key!=value (also true when the key is absent) */
	SELECTOR_IN,         /* key in (a,b) */
	SELECTOR_NOT_IN,     /* key notin (a,b) (also true when absent) */
	SELECTOR_EXISTS,     /* key */
	SELECTOR_NOT_EXISTS, /* !key */
	SELECTOR_GT,         /* key>5 (integer comparison; absent never matches) */
	SELECTOR_LT,         /* key<5 */
};

struct selector_requirement {
	char *key;
	enum selector_op op;
	struct strv values; /* one for EQ/NOT_EQ/GT/LT, one or more for IN/NOT_IN */
};

/* A conjunction of requirements; empty matches everything. */
struct selector {
	struct selector_requirement *reqs;
	size_t len;
};

#define SELECTOR_INIT { .reqs = NULL, .len = 0 }

/* Limits on untrusted selector text. */
#define SELECTOR_MAX_TEXT 8192
#define SELECTOR_MAX_REQUIREMENTS 128
#define SELECTOR_MAX_VALUES 256

/* Parses a label selector; keys and values must be valid label keys and
 * values. Returns 0, or -1 with err ("unable to parse requirement: ..."). */
int selector_parse_labels(const char *text, struct selector *ret, struct error *err);
/* Parses a field selector (=, ==, != only; `\,` `\=` `\\` escapes in
 * values). Keys are not checked here: see selector_check_fields(). */
int selector_parse_fields(const char *text, struct selector *ret, struct error *err);
/* -1 with err naming the first key not in `allowed` (NULL-terminated), in
 * the real server's words: `field label not supported: spec.foo`. */
int selector_check_fields(const struct selector *sel, const char *const *allowed,
			  struct error *err);
void selector_release(struct selector *sel);
bool selector_is_empty(const struct selector *sel);

/* Looks a key up in whatever the selector is matched against: returns
 * its value, or NULL if absent. */
typedef const char *(*selector_lookup_fn)(const void *ctx, const char *key);
bool selector_matches(const struct selector *sel, selector_lookup_fn lookup, const void *ctx);

/* Label key and value syntax (also used by object validation). */
bool selector_is_label_key(const char *key, struct error *err);
bool selector_is_label_value(const char *value, struct error *err);

#endif
