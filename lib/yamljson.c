/* yamljson.c — YAML <-> cJSON with libyaml. */
#include "yamljson.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "strutil.h"
#include "xalloc.h"

struct reader {
	yaml_parser_t parser;
	size_t nodes;
	struct error *err;
};

/* YAML 1.1 words sigs.k8s.io/yaml reads as booleans and nulls. */
static const char *const true_words[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					  "on", "On", "ON", "y", "Y", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", "no", "No", "NO",
					   "off", "Off", "OFF", "n", "N", NULL };
static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* A plain scalar that reads as a number; sets *ret. */
static bool plain_number(const char *s, double *ret)
{
	char *end;
	double v;

	if (!*s || strchr(s, '_') || !strcmp(s, ".") || s[strspn(s, " \t")] == '\0')
		return false;
	if (!strcmp(s, ".inf") || !strcmp(s, ".nan") || !strcmp(s, "-.inf"))
		return false; /* not representable in JSON: kept as strings */
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v))
		return false;
	/* Hex and octal forms are left as strings rather than guessed at. */
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) || !strncmp(s, "-0x", 3))
		return false;
	*ret = v;
	return true;
}

static cJSON *scalar_to_json(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	double number;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(v);
	if (in_list(v, null_words))
		return cJSON_CreateNull();
	if (in_list(v, true_words))
		return cJSON_CreateTrue();
	if (in_list(v, false_words))
		return cJSON_CreateFalse();
	if (plain_number(v, &number))
		return cJSON_CreateNumber(number);
	return cJSON_CreateString(v);
}

static int parse_error(struct reader *r)
{
	return error_set(r->err, "line %zu: %s", r->parser.problem_mark.line + 1,
			 r->parser.problem ? r->parser.problem : "invalid YAML");
}

/* Builds the node that starts with `first`. */
static cJSON *read_node(struct reader *r, yaml_event_t *first, int depth)
{
	cJSON *out;

	if (++r->nodes > YAMLJSON_MAX_NODES) {
		error_set(r->err, "line %zu: more than %zu nodes", first->start_mark.line + 1,
			  YAMLJSON_MAX_NODES);
		return NULL;
	}
	if (depth > YAMLJSON_MAX_DEPTH) {
		error_set(r->err, "line %zu: nested deeper than %d levels",
			  first->start_mark.line + 1, YAMLJSON_MAX_DEPTH);
		return NULL;
	}
	switch (first->type) {
	case YAML_SCALAR_EVENT:
		return scalar_to_json(first);
	case YAML_ALIAS_EVENT:
		error_set(r->err, "line %zu: YAML aliases are not supported",
			  first->start_mark.line + 1);
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
		out = cJSON_CreateArray();
		break;
	case YAML_MAPPING_START_EVENT:
		out = cJSON_CreateObject();
		break;
	default:
		error_set(r->err, "line %zu: unexpected YAML", first->start_mark.line + 1);
		return NULL;
	}
	for (;;) {
		yaml_event_t ev;
		char *key = NULL;
		cJSON *child;

		if (!yaml_parser_parse(&r->parser, &ev)) {
			parse_error(r);
			cJSON_Delete(out);
			return NULL;
		}
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return out;
		}
		if (cJSON_IsObject(out)) {
			if (ev.type != YAML_SCALAR_EVENT) {
				error_set(r->err, "line %zu: a mapping key must be a scalar",
					  ev.start_mark.line + 1);
				yaml_event_delete(&ev);
				cJSON_Delete(out);
				return NULL;
			}
			key = xstrdup((const char *)ev.data.scalar.value);
			yaml_event_delete(&ev);
			if (!yaml_parser_parse(&r->parser, &ev)) {
				free(key);
				parse_error(r);
				cJSON_Delete(out);
				return NULL;
			}
		}
		child = read_node(r, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!child) {
			free(key);
			cJSON_Delete(out);
			return NULL;
		}
		if (key) {
			/* Duplicate keys: the last wins, as sigs.k8s.io/yaml's. */
			cJSON_DeleteItemFromObjectCaseSensitive(out, key);
			cJSON_AddItemToObject(out, key, child);
			free(key);
		} else {
			cJSON_AddItemToArray(out, child);
		}
	}
}

cJSON *yaml_to_json(const char *text, size_t len, struct error *err)
{
	struct reader r = { .err = err };
	cJSON *doc = NULL;
	bool done = false;

	if (!yaml_parser_initialize(&r.parser)) {
		error_set(err, "cannot initialise the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
	while (!done) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&r.parser, &ev)) {
			parse_error(&r);
			break;
		}
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_ALIAS_EVENT:
			doc = read_node(&r, &ev, 0);
			done = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			doc = cJSON_CreateObject(); /* an empty document */
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&r.parser);
	return doc;
}

/* ---- writing ---- */

struct writer {
	yaml_emitter_t emitter;
	struct buf *out;
	bool overflow;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct writer *w = data;

	if (buf_append(w->out, buffer, size) < 0) {
		w->overflow = true;
		return 0;
	}
	return 1;
}

/* Strings YAML would read as something else are quoted. */
static yaml_scalar_style_t string_style(const char *s)
{
	double number;

	if (in_list(s, null_words) || in_list(s, true_words) || in_list(s, false_words) ||
	    plain_number(s, &number))
		return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return YAML_ANY_SCALAR_STYLE;
}

static int emit(struct writer *w, yaml_event_t *ev)
{
	return yaml_emitter_emit(&w->emitter, ev) ? 0 : -1;
}

static int emit_scalar(struct writer *w, const char *text, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
				     style);
	return emit(w, &ev);
}

static int emit_value(struct writer *w, const cJSON *v, int depth)
{
	yaml_event_t ev;
	const cJSON *item;
	char number[64];

	if (depth > YAMLJSON_MAX_DEPTH)
		return -1;
	if (cJSON_IsObject(v)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (emit(w, &ev) < 0)
			return -1;
		cJSON_ArrayForEach(item, v)
		{
			if (emit_scalar(w, item->string, string_style(item->string)) < 0 ||
			    emit_value(w, item, depth + 1) < 0)
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return emit(w, &ev);
	}
	if (cJSON_IsArray(v)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (emit(w, &ev) < 0)
			return -1;
		cJSON_ArrayForEach(item, v)
		{
			if (emit_value(w, item, depth + 1) < 0)
				return -1;
		}
		yaml_sequence_end_event_initialize(&ev);
		return emit(w, &ev);
	}
	if (cJSON_IsString(v))
		return emit_scalar(w, v->valuestring, string_style(v->valuestring));
	if (cJSON_IsBool(v))
		return emit_scalar(w, cJSON_IsTrue(v) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(number, sizeof(number), "%.0f", v->valuedouble);
		else
			snprintf(number, sizeof(number), "%.17g", v->valuedouble);
		return emit_scalar(w, number, YAML_PLAIN_SCALAR_STYLE);
	}
	return emit_scalar(w, "null", YAML_PLAIN_SCALAR_STYLE);
}

int json_to_yaml(const cJSON *value, struct buf *out, struct error *err)
{
	struct writer w = { .out = out };
	yaml_event_t ev;
	int ret = -1;

	if (!yaml_emitter_initialize(&w.emitter))
		return error_set(err, "cannot initialise the YAML emitter");
	yaml_emitter_set_output(&w.emitter, write_handler, &w);
	yaml_emitter_set_unicode(&w.emitter, 1);
	yaml_emitter_set_width(&w.emitter, -1); /* long lines (certificates) stay whole */
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (emit(&w, &ev) < 0)
		goto out;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (emit(&w, &ev) < 0 || emit_value(&w, value, 0) < 0)
		goto out;
	yaml_document_end_event_initialize(&ev, 1);
	if (emit(&w, &ev) < 0)
		goto out;
	yaml_stream_end_event_initialize(&ev);
	if (emit(&w, &ev) < 0 || !yaml_emitter_flush(&w.emitter))
		goto out;
	ret = 0;
out:
	if (ret < 0)
		error_set(err, "%s", w.overflow ? "YAML output larger than the limit"
				       : w.emitter.problem ? w.emitter.problem
							   : "cannot write YAML");
	yaml_emitter_delete(&w.emitter);
	return ret;
}
