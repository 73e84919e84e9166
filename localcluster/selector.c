/* selector.c — label and field selector parsing and matching. */
#include "selector.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "xalloc.h"

#define NAME_PART_RULE                                                                        \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with " \
	"an alphanumeric character"

/* A DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', at most 253.
 * Looser than str_is_dns_subdomain() (which also refuses "a..b" and
 * "a.-b", as the real API server does); kept so that no selector accepted
 * today is refused. */
static bool is_dns_subdomain(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.'))
			return false;
	}
	return true;
}

bool selector_is_label_key(const char *key, struct error *err)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;

	if (slash && !is_dns_subdomain(key, (size_t)(slash - key))) {
		error_set(err, "invalid label key \"%s\": prefix part must be a lowercase RFC 1123 "
			       "subdomain",
			  key);
		return false;
	}
	if (!str_is_qualified_name_part(name, strlen(name))) {
		error_set(err, "invalid label key \"%s\": name part %s%s", key, NAME_PART_RULE,
			  strlen(name) > 63 ? " and be no more than 63 characters" : "");
		return false;
	}
	return true;
}

bool selector_is_label_value(const char *value, struct error *err)
{
	size_t len = strlen(value);

	if (len == 0)
		return true;
	if (!str_is_qualified_name_part(value, len)) {
		error_set(err, "invalid label value: \"%s\": a valid label must be an empty string "
			       "or %s%s",
			  value, NAME_PART_RULE, len > 63 ? " and be no more than 63 characters" : "");
		return false;
	}
	return true;
}

void selector_release(struct selector *sel)
{
	for (size_t i = 0; i < sel->len; i++) {
		free(sel->reqs[i].key);
		strv_release(&sel->reqs[i].values);
	}
	free(sel->reqs);
	sel->reqs = NULL;
	sel->len = 0;
}

bool selector_is_empty(const struct selector *sel)
{
	return sel->len == 0;
}

static struct selector_requirement *add_requirement(struct selector *sel, char *key,
						    enum selector_op op)
{
	struct selector_requirement *req;

	sel->reqs = xreallocarray(sel->reqs, sel->len + 1, sizeof(*sel->reqs));
	req = &sel->reqs[sel->len++];
	req->key = key;
	req->op = op;
	strv_init(&req->values);
	return req;
}

/* ---- label selectors: a small lexer as in apimachinery's labels.Lexer ---- */

enum token {
	TOK_END,
	TOK_IDENT,
	TOK_EQ,       /* = */
	TOK_DOUBLE_EQ, /* == */
	TOK_NOT_EQ,   /* != */
	TOK_BANG,     /* ! */
	TOK_OPEN,     /* ( */
	TOK_CLOSE,    /* ) */
	TOK_COMMA,
	TOK_GT,
	TOK_LT,
	TOK_IN,
	TOK_NOTIN,
};

struct lexer {
	const char *p;
	enum token tok;
	char ident[SELECTOR_MAX_TEXT + 1];
};

static bool is_special(char c)
{
	return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static void lex(struct lexer *lx)
{
	const char *p = lx->p;

	while (isspace((unsigned char)*p))
		p++;
	lx->ident[0] = '\0';
	if (!*p) {
		lx->tok = TOK_END;
	} else if (p[0] == '=' && p[1] == '=') {
		lx->tok = TOK_DOUBLE_EQ;
		p += 2;
	} else if (p[0] == '!' && p[1] == '=') {
		lx->tok = TOK_NOT_EQ;
		p += 2;
	} else if (is_special(*p)) {
		static const char chars[] = "=!(),><";
		static const enum token toks[] = { TOK_EQ,    TOK_BANG, TOK_OPEN, TOK_CLOSE,
						   TOK_COMMA, TOK_GT,   TOK_LT };

		lx->tok = toks[strchr(chars, *p) - chars];
		p++;
	} else {
		size_t n = 0;

		while (*p && !isspace((unsigned char)*p) && !is_special(*p))
			lx->ident[n++] = *p++;
		lx->ident[n] = '\0';
		lx->tok = !strcmp(lx->ident, "in")      ? TOK_IN
			  : !strcmp(lx->ident, "notin") ? TOK_NOTIN
							: TOK_IDENT;
	}
	lx->p = p;
}

static const char *token_text(const struct lexer *lx)
{
	switch (lx->tok) {
	case TOK_END: return "";
	case TOK_EQ: return "=";
	case TOK_DOUBLE_EQ: return "==";
	case TOK_NOT_EQ: return "!=";
	case TOK_BANG: return "!";
	case TOK_OPEN: return "(";
	case TOK_CLOSE: return ")";
	case TOK_COMMA: return ",";
	case TOK_GT: return ">";
	case TOK_LT: return "<";
	default: return lx->ident;
	}
}

static int expect_value(struct lexer *lx, struct selector_requirement *req, struct error *err)
{
	lex(lx);
	/* An empty value ("a=" or "a=,b") is legal. */
	if (lx->tok == TOK_END || lx->tok == TOK_COMMA) {
		strv_push(&req->values, "");
		return 0;
	}
	if (lx->tok != TOK_IDENT && lx->tok != TOK_IN && lx->tok != TOK_NOTIN)
		return error_set(err, "found '%s', expected: identifier", token_text(lx));
	if (!selector_is_label_value(lx->ident, err))
		return error_prefix(err, "unable to parse requirement");
	strv_push(&req->values, lx->ident);
	lex(lx);
	return 0;
}

static int parse_value_set(struct lexer *lx, struct selector_requirement *req, struct error *err)
{
	lex(lx);
	if (lx->tok != TOK_OPEN)
		return error_set(err, "found '%s', expected: '('", token_text(lx));
	for (;;) {
		lex(lx);
		if (lx->tok == TOK_CLOSE && req->values.len == 0)
			break; /* "in ()" is rejected below, like the real parser */
		if (lx->tok == TOK_COMMA || lx->tok == TOK_CLOSE) {
			strv_push(&req->values, ""); /* "(a,,b)" holds an empty value */
		} else if (lx->tok == TOK_IDENT || lx->tok == TOK_IN || lx->tok == TOK_NOTIN) {
			if (!selector_is_label_value(lx->ident, err))
				return error_prefix(err, "unable to parse requirement");
			strv_push(&req->values, lx->ident);
			lex(lx);
		} else {
			return error_set(err, "found '%s', expected: ',', ')' or identifier",
					 token_text(lx));
		}
		if (req->values.len > SELECTOR_MAX_VALUES)
			return error_set(err, "too many values in a set (more than %d)",
					 SELECTOR_MAX_VALUES);
		if (lx->tok == TOK_CLOSE)
			break;
		if (lx->tok != TOK_COMMA)
			return error_set(err, "found '%s', expected: ',' or ')'", token_text(lx));
	}
	if (req->values.len == 0)
		return error_set(err, "unable to parse requirement: for 'in', 'notin' operators, "
				      "values set can't be empty");
	lex(lx);
	return 0;
}

static int parse_label_requirement(struct lexer *lx, struct selector *sel, struct error *err)
{
	bool negated = false;
	struct selector_requirement *req;
	int64_t unused;

	if (lx->tok == TOK_BANG) {
		negated = true;
		lex(lx);
	}
	if (lx->tok != TOK_IDENT)
		return error_set(err, "found '%s', expected: identifier%s", token_text(lx),
				 negated ? " after '!'" : "");
	if (!selector_is_label_key(lx->ident, err))
		return error_prefix(err, "unable to parse requirement");
	if (sel->len >= SELECTOR_MAX_REQUIREMENTS)
		return error_set(err, "too many requirements (more than %d)",
				 SELECTOR_MAX_REQUIREMENTS);
	req = add_requirement(sel, xstrdup(lx->ident), SELECTOR_EXISTS);
	lex(lx);
	if (negated) {
		req->op = SELECTOR_NOT_EXISTS;
		if (lx->tok != TOK_END && lx->tok != TOK_COMMA)
			return error_set(err, "found '%s', expected: ',' or 'end of string'",
					 token_text(lx));
		return 0;
	}
	switch (lx->tok) {
	case TOK_END:
	case TOK_COMMA:
		return 0;
	case TOK_EQ:
	case TOK_DOUBLE_EQ:
		req->op = SELECTOR_EQ;
		return expect_value(lx, req, err);
	case TOK_NOT_EQ:
		req->op = SELECTOR_NOT_EQ;
		return expect_value(lx, req, err);
	case TOK_GT:
	case TOK_LT:
		req->op = lx->tok == TOK_GT ? SELECTOR_GT : SELECTOR_LT;
		if (expect_value(lx, req, err) < 0)
			return -1;
		if (str_to_int64(req->values.items[0], &unused) < 0)
			return error_set(err, "unable to parse requirement: for 'Gt', 'Lt' operators, "
					      "the value must be an integer");
		return 0;
	case TOK_IN:
	case TOK_NOTIN:
		req->op = lx->tok == TOK_IN ? SELECTOR_IN : SELECTOR_NOT_IN;
		return parse_value_set(lx, req, err);
	default:
		return error_set(err, "found '%s', expected: in, notin, =, ==, !=, gt, lt",
				 token_text(lx));
	}
}

int selector_parse_labels(const char *text, struct selector *ret, struct error *err)
{
	struct selector sel = SELECTOR_INIT;
	struct lexer *lx;

	if (strlen(text) > SELECTOR_MAX_TEXT)
		return error_set(err, "label selector longer than %d bytes", SELECTOR_MAX_TEXT);
	lx = xmalloc(sizeof(*lx));
	lx->p = text;
	lex(lx);
	while (lx->tok != TOK_END) {
		if (parse_label_requirement(lx, &sel, err) < 0)
			goto fail;
		if (lx->tok == TOK_COMMA) {
			lex(lx);
			if (lx->tok == TOK_END) {
				error_set(err, "found '', expected: identifier after ','");
				goto fail;
			}
		} else if (lx->tok != TOK_END) {
			error_set(err, "found '%s', expected: ',' or 'end of string'", token_text(lx));
			goto fail;
		}
	}
	free(lx);
	*ret = sel;
	return 0;
fail:
	free(lx);
	selector_release(&sel);
	return -1;
}

/* ---- field selectors: term(,term)*, term = key(=|==|!=)value ---- */

static int parse_field_term(const char *term, size_t len, struct selector *sel, struct error *err)
{
	struct selector_requirement *req;
	size_t key_end = 0, value_start;
	enum selector_op op;
	char *value;
	size_t n = 0;

	while (key_end < len && term[key_end] != '=' && term[key_end] != '!')
		key_end++;
	if (key_end == len)
		return error_set(err, "invalid selector: '%.*s'; can't understand '%.*s'", (int)len,
				 term, (int)len, term);
	if (term[key_end] == '!') {
		if (key_end + 1 >= len || term[key_end + 1] != '=')
			return error_set(err, "invalid selector: '%.*s'", (int)len, term);
		op = SELECTOR_NOT_EQ;
		value_start = key_end + 2;
	} else {
		op = SELECTOR_EQ;
		value_start = key_end + (key_end + 1 < len && term[key_end + 1] == '=' ? 2 : 1);
	}
	if (sel->len >= SELECTOR_MAX_REQUIREMENTS)
		return error_set(err, "too many requirements (more than %d)",
				 SELECTOR_MAX_REQUIREMENTS);
	req = add_requirement(sel, xstrndup(term, key_end), op);
	/* Trim the key as the real parser does. */
	{
		char *k = req->key, *end = k + strlen(k);

		while (end > k && isspace((unsigned char)end[-1]))
			*--end = '\0';
		while (isspace((unsigned char)*k))
			memmove(k, k + 1, strlen(k));
		if (!*k)
			return error_set(err, "invalid selector: '%.*s': empty field name", (int)len,
					 term);
	}
	value = xmalloc(len - value_start + 1);
	for (size_t i = value_start; i < len; i++) {
		if (term[i] == '\\' && i + 1 < len) {
			value[n++] = term[++i];
			continue;
		}
		if (term[i] == '=' || term[i] == '!') {
			free(value);
			return error_set(err, "invalid selector: '%.*s': unescaped '%c' in value",
					 (int)len, term, term[i]);
		}
		value[n++] = term[i];
	}
	value[n] = '\0';
	strv_push_owned(&req->values, value);
	return 0;
}

int selector_parse_fields(const char *text, struct selector *ret, struct error *err)
{
	struct selector sel = SELECTOR_INIT;
	size_t start = 0, len = strlen(text);

	if (len > SELECTOR_MAX_TEXT)
		return error_set(err, "field selector longer than %d bytes", SELECTOR_MAX_TEXT);
	while (start < len) {
		size_t end = start;

		/* A term ends at an unescaped ','. */
		while (end < len && text[end] != ',') {
			if (text[end] == '\\' && end + 1 < len)
				end++;
			end++;
		}
		if (end > start && parse_field_term(text + start, end - start, &sel, err) < 0) {
			selector_release(&sel);
			return -1;
		}
		start = end + 1;
	}
	*ret = sel;
	return 0;
}

int selector_check_fields(const struct selector *sel, const char *const *allowed,
			  struct error *err)
{
	for (size_t i = 0; i < sel->len; i++) {
		bool found = false;

		for (size_t a = 0; allowed[a]; a++)
			if (!strcmp(allowed[a], sel->reqs[i].key))
				found = true;
		if (!found)
			return error_set(err, "field label not supported: %s", sel->reqs[i].key);
	}
	return 0;
}

static bool requirement_matches(const struct selector_requirement *req, const char *value)
{
	int64_t have, want;

	switch (req->op) {
	case SELECTOR_EQ:
		return value && !strcmp(value, req->values.items[0]);
	case SELECTOR_NOT_EQ:
		return !value || strcmp(value, req->values.items[0]) != 0;
	case SELECTOR_IN:
		return value && strv_find(&req->values, value) >= 0;
	case SELECTOR_NOT_IN:
		return !value || strv_find(&req->values, value) < 0;
	case SELECTOR_EXISTS:
		return value != NULL;
	case SELECTOR_NOT_EXISTS:
		return value == NULL;
	case SELECTOR_GT:
	case SELECTOR_LT:
		if (!value || str_to_int64(value, &have) < 0 ||
		    str_to_int64(req->values.items[0], &want) < 0)
			return false;
		return req->op == SELECTOR_GT ? have > want : have < want;
	}
	return false;
}

bool selector_matches(const struct selector *sel, selector_lookup_fn lookup, const void *ctx)
{
	for (size_t i = 0; i < sel->len; i++)
		if (!requirement_matches(&sel->reqs[i], lookup(ctx, sel->reqs[i].key)))
			return false;
	return true;
}
