/* output.h — printing as kubectl prints: the `-o json|yaml|name|wide`
 * formats and the default table (upper-case headers, columns three spaces
 * apart, the last one unpadded, `<none>` for an empty cell, AGE as
 * kubectl's human durations), with colour on chosen cells when the
 * caller's colour decision (term.h) says so. */
#ifndef KONDUKTOR_OUTPUT_H
#define KONDUKTOR_OUTPUT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "error.h"
#include "strv.h"
#include "term.h"

enum output_format {
	OUTPUT_TABLE, /* no -o: the table */
	OUTPUT_WIDE,
	OUTPUT_JSON,
	OUTPUT_YAML,
	OUTPUT_NAME,
};

/* Parses -o's value. `offered` lists the formats a command takes, as its
 * flag's value name says ("json|yaml|name|wide"); NULL text is the table.
 * -1 with err ("<command>: unknown output format 'x' (use json, yaml, …)"). */
int output_format_parse(const char *command, const char *text, const char *offered,
			enum output_format *ret, struct error *err);

/* A table of text cells, printed with aligned columns. */
struct table {
	size_t n_columns;
	size_t n_rows;       /* not counting the header */
	struct strv cells;   /* the header, then each row, row-major */
	enum term_style *styles; /* per cell; STYLE_RESET: none */
	size_t styles_cap;
};

/* `headers` ends with NULL; at least one. */
void table_init(struct table *t, const char *const *headers);
void table_release(struct table *t);
/* Adds a row of exactly n_columns cells (NULL or "" print as <none>). */
void table_add_row(struct table *t, const char *const *cells);
/* Colours one cell of the last row added. */
void table_style_cell(struct table *t, size_t column, enum term_style style);
/* Writes the table; escape sequences only when `color`. Widths count
 * characters (UTF-8), not bytes, so accents do not skew the columns. */
void table_print(const struct table *t, bool color, FILE *out);

/* The AGE of an object created at `timestamp` (RFC 3339), as of `now`:
 * "45s", "3m20s", … or "<unknown>". */
void output_age(const char *timestamp, time_t now, char out[32]);

/* Prints objects as kubectl -o json|yaml does: `single` prints items[0]
 * alone, otherwise every item in one `kind: List`. -1 with err when the
 * output would exceed OUTPUT_MAX. */
#define OUTPUT_MAX ((size_t)256 * 1024 * 1024)
int output_objects(const cJSON *items, bool single, enum output_format format, FILE *out,
		   struct error *err);

#endif
