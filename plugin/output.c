/* output.c — kubectl's output formats and table printer (see output.h). */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "render.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

#define COLUMN_GAP 3

static const struct {
	const char *name;
	enum output_format format;
} formats[] = {
	{ "wide", OUTPUT_WIDE },
	{ "json", OUTPUT_JSON },
	{ "yaml", OUTPUT_YAML },
	{ "name", OUTPUT_NAME },
};

/* True if `name` is one of the '|'-separated words of `offered`. */
static bool offered_has(const char *offered, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = offered; p && *p;) {
		size_t word = strcspn(p, "|");

		if (word == len && !strncmp(p, name, len))
			return true;
		p += word;
		if (*p == '|')
			p++;
	}
	return false;
}

int output_format_parse(const char *command, const char *text, const char *offered,
			enum output_format *ret, struct error *err)
{
	struct buf choices = BUF_INIT(256);

	if (!text) {
		*ret = OUTPUT_TABLE;
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!offered_has(offered, formats[i].name))
			continue;
		if (!strcmp(text, formats[i].name)) {
			*ret = formats[i].format;
			return 0;
		}
	}
	for (const char *p = offered; p && *p;) {
		size_t word = strcspn(p, "|");

		buf_printf(&choices, "%s%.*s", choices.len ? ", " : "", (int)word, p);
		p += word;
		if (*p == '|')
			p++;
	}
	error_set(err, "%s: unknown output format '%s' (use %s)", command, text, choices.data);
	buf_release(&choices);
	return -1;
}

void table_init(struct table *t, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	strv_init(&t->cells);
	for (size_t i = 0; headers[i]; i++) {
		strv_push(&t->cells, headers[i]);
		t->n_columns++;
	}
	t->styles_cap = t->n_columns;
	t->styles = xcalloc(t->styles_cap, sizeof(*t->styles));
}

void table_release(struct table *t)
{
	strv_release(&t->cells);
	free(t->styles);
	memset(t, 0, sizeof(*t));
}

void table_add_row(struct table *t, const char *const *cells)
{
	size_t need = (t->n_rows + 2) * t->n_columns;

	for (size_t i = 0; i < t->n_columns; i++)
		strv_push(&t->cells, cells[i] && *cells[i] ? cells[i] : "<none>");
	if (need > t->styles_cap) {
		size_t cap = t->styles_cap * 2 > need ? t->styles_cap * 2 : need;

		t->styles = xreallocarray(t->styles, cap, sizeof(*t->styles));
		memset(t->styles + t->styles_cap, 0, (cap - t->styles_cap) * sizeof(*t->styles));
		t->styles_cap = cap;
	}
	t->n_rows++;
}

void table_style_cell(struct table *t, size_t column, enum term_style style)
{
	if (t->n_rows && column < t->n_columns)
		t->styles[t->n_rows * t->n_columns + column] = style;
}

/* Characters, counting each UTF-8 sequence once. */
static size_t display_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void table_print(const struct table *t, bool color, FILE *out)
{
	size_t *widths = xcalloc(t->n_columns, sizeof(*widths));

	for (size_t r = 0; r <= t->n_rows; r++)
		for (size_t c = 0; c < t->n_columns; c++) {
			size_t w = display_width(t->cells.items[r * t->n_columns + c]);

			if (w > widths[c])
				widths[c] = w;
		}
	for (size_t r = 0; r <= t->n_rows; r++) {
		for (size_t c = 0; c < t->n_columns; c++) {
			const char *cell = t->cells.items[r * t->n_columns + c];
			enum term_style style = t->styles[r * t->n_columns + c];
			bool last = c + 1 == t->n_columns;

			if (style != STYLE_RESET)
				fputs(term_style(color, style), out);
			fputs(cell, out);
			if (style != STYLE_RESET)
				fputs(term_style(color, STYLE_RESET), out);
			if (!last) {
				size_t pad = widths[c] - display_width(cell) + COLUMN_GAP;

				fprintf(out, "%*s", (int)pad, "");
			}
		}
		fputc('\n', out);
	}
	free(widths);
}

void output_age(const char *timestamp, time_t now, char out[32])
{
	time_t t;

	if (!timestamp || time_parse_rfc3339(timestamp, &t) < 0) {
		str_copy(out, 32, "<unknown>");
		return;
	}
	time_human_duration((int64_t)(now - t), out, 32);
}

int output_objects(const cJSON *items, bool single, enum output_format format, FILE *out,
		   struct error *err)
{
	struct buf text = BUF_INIT(OUTPUT_MAX);
	enum render_format rf = format == OUTPUT_YAML ? RENDER_YAML : RENDER_JSON;
	int r;

	if (format != OUTPUT_JSON && format != OUTPUT_YAML)
		return error_set(err, "objects print only as json or yaml");
	if (single && cJSON_GetArraySize(items) == 1)
		r = render_object(cJSON_GetArrayItem(items, 0), rf, &text, err);
	else
		r = render_list(items, rf, &text, err);
	if (r == 0)
		fwrite(text.data, 1, text.len, out);
	buf_release(&text);
	return r;
}
