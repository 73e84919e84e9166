/* render.c — kubectl-style JSON and YAML printing of cJSON objects. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "xalloc.h"
#include "yamltree.h"

int render_format_parse(const char *name, enum render_format *ret, struct error *err)
{
	if (name && strcmp(name, "json") == 0)
		*ret = RENDER_JSON;
	else if (name && strcmp(name, "yaml") == 0)
		*ret = RENDER_YAML;
	else
		return error_set(err, "unknown output format '%s' (use json or yaml)",
				 name ? name : "");
	return 0;
}

static int compare_keys(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* The members of an object in key order; the caller frees the array. */
static const cJSON **sorted_members(const cJSON *object, size_t *ret_n)
{
	size_t n = 0, i = 0;
	const cJSON *child;
	const cJSON **members;

	cJSON_ArrayForEach(child, object)
		n++;
	members = xreallocarray(NULL, n ? n : 1, sizeof(*members));
	cJSON_ArrayForEach(child, object)
		members[i++] = child;
	qsort(members, n, sizeof(*members), compare_keys);
	*ret_n = n;
	return members;
}

/* Numbers as Go prints float64 values that hold integers; others in the
 * shortest form that reads back the same. */
static void format_number(double v, char out[64])
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, 64, "%.0f", v);
		return;
	}
	snprintf(out, 64, "%.15g", v);
	if (strtod(out, NULL) != v)
		snprintf(out, 64, "%.17g", v);
}

/* --- JSON ------------------------------------------------------------------ */

static int json_string(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int r = buf_putc(out, '"');

	for (const unsigned char *p = (const unsigned char *)s; r == 0 && *p; p++) {
		switch (*p) {
		case '"':
			r = buf_puts(out, "\\\"");
			break;
		case '\\':
			r = buf_puts(out, "\\\\");
			break;
		case '\n':
			r = buf_puts(out, "\\n");
			break;
		case '\r':
			r = buf_puts(out, "\\r");
			break;
		case '\t':
			r = buf_puts(out, "\\t");
			break;
		case '<':
		case '>':
		case '&':
			r = buf_printf(out, "\\u00%c%c", hex[*p >> 4], hex[*p & 0xf]);
			break;
		default:
			if (*p < 0x20) {
				r = buf_printf(out, "\\u00%c%c", hex[*p >> 4], hex[*p & 0xf]);
			} else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
				/* U+2028 and U+2029, as Go escapes them. */
				r = buf_puts(out, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
				p += 2;
			} else {
				r = buf_putc(out, (char)*p);
			}
		}
	}
	return r ? -1 : buf_putc(out, '"');
}

static int json_indent(struct buf *out, int depth)
{
	for (int i = 0; i < depth; i++)
		if (buf_puts(out, "    ") < 0)
			return -1;
	return 0;
}

static int json_value(struct buf *out, const cJSON *v, int depth)
{
	char number[64];

	if (cJSON_IsObject(v)) {
		size_t n;
		_cleanup_free_ const cJSON **members = sorted_members(v, &n);

		if (n == 0)
			return buf_puts(out, "{}");
		if (buf_puts(out, "{\n") < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (json_indent(out, depth + 1) < 0 || json_string(out, members[i]->string) < 0 ||
			    buf_puts(out, ": ") < 0 || json_value(out, members[i], depth + 1) < 0 ||
			    buf_puts(out, i + 1 < n ? ",\n" : "\n") < 0)
				return -1;
		}
		return json_indent(out, depth) < 0 ? -1 : buf_putc(out, '}');
	}
	if (cJSON_IsArray(v)) {
		const cJSON *item;

		if (!v->child)
			return buf_puts(out, "[]");
		if (buf_puts(out, "[\n") < 0)
			return -1;
		cJSON_ArrayForEach(item, v) {
			if (json_indent(out, depth + 1) < 0 || json_value(out, item, depth + 1) < 0 ||
			    buf_puts(out, item->next ? ",\n" : "\n") < 0)
				return -1;
		}
		return json_indent(out, depth) < 0 ? -1 : buf_putc(out, ']');
	}
	if (cJSON_IsString(v))
		return json_string(out, v->valuestring);
	if (cJSON_IsNumber(v)) {
		format_number(v->valuedouble, number);
		return buf_puts(out, number);
	}
	if (cJSON_IsBool(v))
		return buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	return buf_puts(out, "null");
}

/* --- YAML ------------------------------------------------------------------ */

static int write_to_buf(void *data, unsigned char *bytes, size_t size)
{
	return buf_append(data, bytes, size) == 0;
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
					  1, 1, style))
		return -1;
	return emit(e, &ev);
}

static int emit_string(yaml_emitter_t *e, const char *s)
{
	size_t len = strlen(s);

	if (strchr(s, '\n'))
		return emit_scalar(e, s, YAML_LITERAL_SCALAR_STYLE);
	if (yaml_plain_is_ambiguous(s, len))
		return emit_scalar(e, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return emit_scalar(e, s, YAML_ANY_SCALAR_STYLE);
}

static int yaml_value(yaml_emitter_t *e, const cJSON *v)
{
	yaml_event_t ev;
	char number[64];

	if (cJSON_IsObject(v)) {
		size_t n;
		_cleanup_free_ const cJSON **members = sorted_members(v, &n);

		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) ||
		    emit(e, &ev) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (emit_string(e, members[i]->string) < 0 || yaml_value(e, members[i]) < 0)
				return -1;
		return yaml_mapping_end_event_initialize(&ev) ? emit(e, &ev) : -1;
	}
	if (cJSON_IsArray(v)) {
		const cJSON *item;

		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE) ||
		    emit(e, &ev) < 0)
			return -1;
		cJSON_ArrayForEach(item, v)
			if (yaml_value(e, item) < 0)
				return -1;
		return yaml_sequence_end_event_initialize(&ev) ? emit(e, &ev) : -1;
	}
	if (cJSON_IsString(v))
		return emit_string(e, v->valuestring);
	if (cJSON_IsNumber(v)) {
		char *exponent;

		format_number(v->valuedouble, number);
		/* YAML 1.1 readers take "1e+20" for a string: give it a '.'. */
		exponent = strchr(number, 'e');
		if (exponent && !strchr(number, '.')) {
			memmove(exponent + 2, exponent, strlen(exponent) + 1);
			memcpy(exponent, ".0", 2);
		}
		return emit_scalar(e, number, YAML_PLAIN_SCALAR_STYLE);
	}
	if (cJSON_IsBool(v))
		return emit_scalar(e, cJSON_IsTrue(v) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
	return emit_scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
}

static int render_yaml(const cJSON *object, struct buf *out, struct error *err)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	size_t start = out->len;
	int r = -1;

	if (!yaml_emitter_initialize(&e))
		die("out of memory initialising the YAML emitter");
	yaml_emitter_set_output(&e, write_to_buf, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || emit(&e, &ev) < 0 ||
	    !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) || emit(&e, &ev) < 0 ||
	    yaml_value(&e, object) < 0 || !yaml_document_end_event_initialize(&ev, 1) ||
	    emit(&e, &ev) < 0 || !yaml_stream_end_event_initialize(&ev) || emit(&e, &ev) < 0 ||
	    !yaml_emitter_flush(&e)) {
		if (buf_is_full(out) || e.error == YAML_WRITER_ERROR)
			error_set(err, "output larger than the limit of %zu bytes", out->max);
		else
			error_set(err, "cannot render YAML: %s", e.problem ? e.problem : "emitter error");
		buf_truncate(out, start);
		goto done;
	}
	r = 0;
done:
	yaml_emitter_delete(&e);
	return r;
}

int render_object(const cJSON *object, enum render_format format, struct buf *out,
		  struct error *err)
{
	size_t start = out->len;

	if (format == RENDER_YAML)
		return render_yaml(object, out, err);
	if (json_value(out, object, 0) < 0 || buf_putc(out, '\n') < 0) {
		buf_truncate(out, start);
		return error_set(err, "output larger than the limit of %zu bytes", out->max);
	}
	return 0;
}

cJSON *render_make_list(const cJSON *items)
{
	cJSON *list = cJSON_CreateObject();

	json_set_string(list, "apiVersion", "v1");
	json_set(list, "items", cJSON_Duplicate(items, 1));
	json_set_string(list, "kind", "List");
	json_set_string(json_ensure_object(list, "metadata"), "resourceVersion", "");
	return list;
}

int render_list(const cJSON *items, enum render_format format, struct buf *out,
		struct error *err)
{
	_cleanup_json_ cJSON *list = render_make_list(items);

	return render_object(list, format, out, err);
}
