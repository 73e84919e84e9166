/* inputs.c — reading, classifying and encoding a group's inputs. */
#include "inputs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "manifest.h"
#include "strutil.h"
#include "task.h"
#include "xalloc.h"

enum { FORMAT_UNKNOWN, FORMAT_LINES, FORMAT_ARRAY, FORMAT_FIRST_LINE, FORMAT_FIRST_LINE_DONE };

int input_mode_parse(const char *name, enum input_mode *ret, struct error *err)
{
	static const char *const names[] = { "auto", "single", "args", "kwargs" };

	for (size_t i = 0; name && i < 4; i++) {
		if (strcmp(name, names[i]) == 0) {
			*ret = (enum input_mode)i;
			return 0;
		}
	}
	return error_set(err, "--input-mode: invalid value '%s' (use auto, single, args or kwargs)",
			 name ? name : "");
}

const char *input_mode_name(enum input_mode mode)
{
	static const char *const names[] = { "auto", "single", "args", "kwargs" };

	return (unsigned)mode < 4 ? names[mode] : "auto";
}

void input_set_init(struct input_set *set, enum input_mode mode)
{
	memset(set, 0, sizeof(*set));
	set->mode = mode;
	set->chunk_max = MANIFEST_CONFIGMAP_MAX;
}

void input_set_release(struct input_set *set)
{
	for (size_t i = 0; i < set->n_chunks; i++)
		buf_release(&set->chunks[i].lines);
	free(set->chunks);
	input_set_init(set, set->mode);
}

/* --- JSON text spans ----------------------------------------------------------- */

static size_t skip_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && strchr(" \t\r\n", s[pos]))
		pos++;
	return pos;
}

/* The end of the (valid) JSON value starting at pos. */
static size_t value_end(const char *s, size_t len, size_t pos)
{
	int depth = 0;
	bool in_string = false;

	for (size_t i = pos; i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"') {
				in_string = false;
				if (depth == 0)
					return i + 1;
			}
			continue;
		}
		if (c == '"')
			in_string = true;
		else if (c == '[' || c == '{')
			depth++;
		else if (c == ']' || c == '}') {
			if (--depth == 0)
				return i + 1;
			if (depth < 0)
				return i;
		} else if (depth == 0 && (c == ',' || strchr(" \t\r\n", c)))
			return i;
	}
	return len;
}

/* What RFC 8259 forbids and cJSON lets through: control characters other
 * than whitespace between tokens, any control character inside a string,
 * and (our rule) the escape \u0000, which no process can receive. NULL if
 * the text is fine. */
static const char *json_text_problem(const char *s, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!in_string) {
			if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
				return "a control character outside a string";
			in_string = c == '"';
			continue;
		}
		if (c < 0x20)
			return "a control character inside a string (write it as an escape such as \\n)";
		if (c == '"')
			in_string = false;
		else if (c == '\\') {
			if (i + 5 < len && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0)
				return "a string holds a NUL character (\\u0000), which no process can "
				       "receive";
			i++;
		}
	}
	return NULL;
}

/* --- encoding ---------------------------------------------------------------- */

static void escape_bytes(struct buf *out, const char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)bytes[i];

		if (c == '\\')
			buf_puts(out, "\\\\");
		else if (c <= ' ' || c == 0x7f)
			buf_printf(out, "\\0%03o", c);
		else
			buf_putc(out, (char)c);
	}
}

static void encode_field(struct buf *out, const char *bytes, size_t len)
{
	buf_puts(out, " .");
	escape_bytes(out, bytes, len);
}

/* A member value or item: a string as its characters, else its JSON text. */
static void encode_value(struct buf *out, const cJSON *value, const char *text, size_t len)
{
	if (cJSON_IsString(value))
		encode_field(out, value->valuestring, strlen(value->valuestring));
	else
		encode_field(out, text, len);
}

static bool is_python_keyword(const char *s)
{
	static const char *const keywords[] = {
		"False", "None",   "True",    "and",    "as",       "assert", "async",
		"await", "break",  "class",   "continue", "def",    "del",    "elif",
		"else",  "except", "finally", "for",    "from",     "global", "if",
		"import", "in",    "is",      "lambda", "nonlocal", "not",    "or",
		"pass",  "raise",  "return",  "try",    "while",    "with",   "yield",
		NULL,
	};

	for (size_t i = 0; keywords[i]; i++)
		if (strcmp(s, keywords[i]) == 0)
			return true;
	return false;
}

/* Kinetic's auto rule: every key is a (non-keyword) identifier. */
static bool keys_are_identifiers(const cJSON *object)
{
	const cJSON *member;

	cJSON_ArrayForEach(member, object)
		if (!str_is_env_name(member->string) || is_python_keyword(member->string))
			return false;
	return true;
}

static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "null";
}

static int encode_input(enum input_mode mode, const cJSON *value, const char *text, size_t len,
			struct buf *out, struct error *err)
{
	enum input_mode effective = mode;

	if (mode == INPUT_AUTO) {
		if (cJSON_IsObject(value) && keys_are_identifiers(value))
			effective = INPUT_KWARGS;
		else if (cJSON_IsArray(value))
			effective = INPUT_ARGS;
		else
			effective = INPUT_SINGLE;
	}
	if (effective == INPUT_ARGS && !cJSON_IsArray(value))
		return error_set(err, "--input-mode args needs a JSON array, not %s", json_kind(value));
	if (effective == INPUT_KWARGS && !cJSON_IsObject(value))
		return error_set(err, "--input-mode kwargs needs a JSON object, not %s",
				 json_kind(value));

	if (effective == INPUT_SINGLE) {
		buf_putc(out, cJSON_IsString(value) ? 'a' : 'j');
		encode_field(out, text, len);
		if (cJSON_IsString(value))
			encode_value(out, value, text, len);
	} else if (effective == INPUT_ARGS) {
		const cJSON *item = value->child;
		size_t pos = skip_ws(text, len, 1);

		buf_putc(out, 'a');
		encode_field(out, text, len);
		for (; item; item = item->next) {
			size_t end = value_end(text, len, pos);

			encode_value(out, item, text + pos, end - pos);
			pos = skip_ws(text, len, end);
			pos = skip_ws(text, len, pos + 1); /* the ',' */
		}
	} else {
		const cJSON *member = value->child;
		size_t pos = skip_ws(text, len, 1);

		buf_putc(out, 'k');
		encode_field(out, text, len);
		for (; member; member = member->next) {
			size_t value_start, end;

			if (!str_is_env_name(member->string))
				return error_set(err, "key '%s' is not a valid environment variable name "
						 "(letters, digits and '_', not starting with a digit)",
						 member->string);
			if (task_env_name_is_reserved(member->string))
				return error_set(err, "key '%s' would replace a variable konduktor sets; "
						 "rename it or use --input-mode single", member->string);
			for (const cJSON *other = value->child; other != member; other = other->next)
				if (strcmp(other->string, member->string) == 0)
					return error_set(err, "duplicate key '%s'", member->string);
			pos = value_end(text, len, pos);           /* past the key */
			pos = skip_ws(text, len, pos);
			value_start = skip_ws(text, len, pos + 1); /* past the ':' */
			end = value_end(text, len, value_start);
			/* " .NAME=" then the value's escaped bytes. */
			buf_printf(out, " .%s=", member->string);
			if (cJSON_IsString(member))
				escape_bytes(out, member->valuestring, strlen(member->valuestring));
			else
				escape_bytes(out, text + value_start, end - value_start);
			pos = skip_ws(text, len, end);
			pos = skip_ws(text, len, pos + 1); /* the ',' */
		}
	}
	buf_putc(out, '\n');
	return 0;
}

static int input_error(struct error *err, const char *name, size_t line)
{
	return error_prefix(err, "inputs '%s': line %zu", name, line);
}

int input_set_add(struct input_set *set, const char *json, size_t len, size_t line,
		  const char *name, struct error *err)
{
	_cleanup_json_ cJSON *value = NULL;
	/* Escaping turns a byte into at most 5, and a value may appear twice
	 * (its JSON text and its fields). */
	struct buf encoded = BUF_INIT(10 * INPUT_MAX_BYTES + 64);
	struct input_chunk *chunk;
	size_t start = 0;

	while (start < len && strchr(" \t\r\n", json[start]))
		start++;
	while (len > start && strchr(" \t\r\n", json[len - 1]))
		len--;
	json += start;
	len -= start;
	if (set->count >= INPUTS_MAX_COUNT) {
		error_set(err, "more than %zu inputs (Kubernetes' limit for one Indexed Job with "
			  "per-index retries)", INPUTS_MAX_COUNT);
		return input_error(err, name, line);
	}
	if (len > INPUT_MAX_BYTES) {
		error_set(err, "an input of %zu bytes, more than the limit of %zu", len,
			  INPUT_MAX_BYTES);
		return input_error(err, name, line);
	}
	if (!str_is_utf8(json, len)) {
		error_set(err, "not valid UTF-8 text");
		return input_error(err, name, line);
	}
	if (json_text_problem(json, len)) {
		error_set(err, "%s", json_text_problem(json, len));
		return input_error(err, name, line);
	}
	value = json_parse_bounded(json, len, INPUT_MAX_BYTES, err);
	if (!value)
		return input_error(err, name, line);
	if (encode_input(set->mode, value, json, len, &encoded, err) < 0) {
		buf_release(&encoded);
		return input_error(err, name, line);
	}
	if (encoded.len > set->chunk_max) {
		error_set(err, "an input of %zu bytes once encoded, more than a ConfigMap holds",
			  encoded.len);
		buf_release(&encoded);
		return input_error(err, name, line);
	}
	chunk = set->n_chunks ? &set->chunks[set->n_chunks - 1] : NULL;
	if (!chunk || chunk->lines.len + encoded.len > set->chunk_max) {
		set->chunks = xreallocarray(set->chunks, set->n_chunks + 1, sizeof(*set->chunks));
		chunk = &set->chunks[set->n_chunks++];
		chunk->first = set->count;
		buf_init(&chunk->lines, set->chunk_max);
	}
	buf_append(&chunk->lines, encoded.data, encoded.len);
	chunk->last = set->count;
	set->count++;
	buf_release(&encoded);
	return 0;
}

/* --- the streaming reader ------------------------------------------------------ */

void inputs_reader_init(struct inputs_reader *r, struct input_set *set, const char *name,
			struct error *err)
{
	memset(r, 0, sizeof(*r));
	r->set = set;
	r->name = name;
	r->line = 1;
	r->err = err;
	/* The first line of a file starting with '[' is held whole to tell a
	 * JSON array from JSON lines of arrays; any input fits. */
	buf_init(&r->item, INPUT_MAX_BYTES + 1);
}

void inputs_reader_release(struct inputs_reader *r)
{
	buf_release(&r->item);
}

static int reader_fail(struct inputs_reader *r, size_t line, const char *what)
{
	error_set(r->err, "%s", what);
	return input_error(r->err, r->name, line);
}

static int take_item(struct inputs_reader *r)
{
	int ret = input_set_add(r->set, r->item.data, r->item.len, r->item_line, r->name, r->err);

	buf_reset(&r->item);
	return ret;
}

static int append_item(struct inputs_reader *r, char c)
{
	if (r->item.len == 0)
		r->item_line = r->line;
	if (buf_putc(&r->item, c) < 0) {
		char what[96];

		snprintf(what, sizeof(what), "an input longer than the limit of %zu bytes",
			 INPUT_MAX_BYTES);
		return reader_fail(r, r->item_line, what);
	}
	return 0;
}

static int feed_lines(struct inputs_reader *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			bool blank = true;

			for (size_t k = 0; k < r->item.len && blank; k++)
				blank = strchr(" \t\r", r->item.data[k]) != NULL;
			if (blank)
				buf_reset(&r->item);
			else if (take_item(r) < 0)
				return -1;
			r->line++;
			continue;
		}
		if (append_item(r, data[i]) < 0)
			return -1;
	}
	return 0;
}

static int feed_array(struct inputs_reader *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '\n')
			r->line++;
		if (r->closed) {
			if (!isspace((unsigned char)c))
				return reader_fail(r, r->line, "unexpected data after the array's ']'");
			continue;
		}
		if (!r->opened) {
			if (isspace((unsigned char)c))
				continue;
			if (c != '[')
				return reader_fail(r, r->line, "expected '[' to start the array");
			r->opened = true;
			continue;
		}
		if (r->in_string) {
			if (append_item(r, c) < 0)
				return -1;
			if (r->escaped)
				r->escaped = false;
			else if (c == '\\')
				r->escaped = true;
			else if (c == '"')
				r->in_string = false;
			continue;
		}
		if (r->depth == 0) {
			if (isspace((unsigned char)c) && !r->item.len)
				continue;
			if (c == ',' || c == ']') {
				if (!r->item.len) {
					if (c == ']' && !r->after_comma) {
						r->closed = true; /* [] */
						continue;
					}
					return reader_fail(r, r->line, "an empty element in the array (two "
								      "commas, or a comma before ']')");
				}
				if (take_item(r) < 0)
					return -1;
				r->after_comma = c == ',';
				r->closed = c == ']';
				continue;
			}
		}
		if (append_item(r, c) < 0)
			return -1;
		if (c == '"')
			r->in_string = true;
		else if (c == '[' || c == '{')
			r->depth++;
		else if ((c == ']' || c == '}') && r->depth > 0)
			r->depth--;
	}
	return 0;
}

/* Array format after all: the held first line is fed to the array parser. */
static int replay_as_array(struct inputs_reader *r)
{
	size_t len;
	_cleanup_free_ char *held = buf_detach(&r->item, &len);

	r->format = FORMAT_ARRAY;
	r->line = r->first_line;
	return feed_array(r, held, len);
}

static bool is_complete_json(const char *text, size_t len)
{
	cJSON *v = json_parse_bounded(text, len, INPUT_MAX_BYTES, NULL);

	cJSON_Delete(v);
	return v != NULL;
}

int inputs_reader_feed(struct inputs_reader *r, const char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char c = data[i];

		switch (r->format) {
		case FORMAT_UNKNOWN:
			if (isspace((unsigned char)c)) {
				r->line += c == '\n';
				i++;
			} else if (c == '[') {
				r->format = FORMAT_FIRST_LINE;
				r->first_line = r->line;
			} else {
				r->format = FORMAT_LINES;
			}
			break;
		case FORMAT_FIRST_LINE:
			if (c == '\n') {
				if (!is_complete_json(r->item.data, r->item.len)) {
					if (replay_as_array(r) < 0)
						return -1;
					break;
				}
				r->format = FORMAT_FIRST_LINE_DONE;
				r->line++;
				i++;
			} else if (buf_putc(&r->item, c) < 0) {
				/* Longer than any one input: it must be an array. */
				if (replay_as_array(r) < 0)
					return -1;
			} else {
				if (r->item.len == 1)
					r->item_line = r->line;
				i++;
			}
			break;
		case FORMAT_FIRST_LINE_DONE:
			if (isspace((unsigned char)c)) {
				r->line += c == '\n';
				i++;
				break;
			}
			/* More follows: JSON lines, the first of which was an array. */
			r->format = FORMAT_LINES;
			if (take_item(r) < 0)
				return -1;
			break;
		case FORMAT_LINES:
			return feed_lines(r, data + i, len - i);
		case FORMAT_ARRAY:
			return feed_array(r, data + i, len - i);
		}
	}
	return 0;
}

int inputs_reader_finish(struct inputs_reader *r)
{
	if (r->format == FORMAT_FIRST_LINE || r->format == FORMAT_FIRST_LINE_DONE) {
		if (replay_as_array(r) < 0)
			return -1;
	}
	if (r->format == FORMAT_LINES && r->item.len && feed_lines(r, "\n", 1) < 0)
		return -1;
	if (r->format == FORMAT_ARRAY && !r->closed)
		return reader_fail(r, r->line, "the array is not closed (no ']' at the end)");
	if (r->set->count == 0) {
		error_set(r->err, "inputs '%s': no inputs", r->name);
		return -1;
	}
	return 0;
}

int inputs_read_buffer(struct input_set *set, const char *text, size_t len, const char *name,
		       struct error *err)
{
	struct inputs_reader r;
	int ret;

	inputs_reader_init(&r, set, name, err);
	ret = inputs_reader_feed(&r, text, len);
	if (ret == 0)
		ret = inputs_reader_finish(&r);
	inputs_reader_release(&r);
	return ret;
}

int inputs_read_fd(struct input_set *set, int fd, const char *name, struct error *err)
{
	struct inputs_reader r;
	char chunk[65536];
	int ret = 0;

	inputs_reader_init(&r, set, name, err);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_set_code(err, errno, "inputs '%s': cannot read: %s", name,
					     strerror(errno));
			break;
		}
		if (n == 0) {
			ret = inputs_reader_finish(&r);
			break;
		}
		if (inputs_reader_feed(&r, chunk, (size_t)n) < 0) {
			ret = -1;
			break;
		}
	}
	inputs_reader_release(&r);
	return ret;
}

/* --- decoding a line -------------------------------------------------------------- */

int input_line_json(const char *line, size_t len, struct buf *out, struct error *err)
{
	size_t i = 0;

	if (len < 4 || !strchr("jak", line[0]) || line[1] != ' ' || line[2] != '.')
		return error_set(err, "not an encoded input line");
	for (i = 3; i < len && line[i] != ' ' && line[i] != '\n'; i++) {
		if (line[i] != '\\') {
			buf_putc(out, line[i]);
			continue;
		}
		if (i + 1 < len && line[i + 1] == '\\') {
			buf_putc(out, '\\');
			i++;
		} else if (i + 4 < len && line[i + 1] == '0') {
			int v = (line[i + 2] - '0') * 64 + (line[i + 3] - '0') * 8 + (line[i + 4] - '0');

			buf_putc(out, (char)v);
			i += 4;
		} else {
			return error_set(err, "invalid escape in an encoded input line");
		}
	}
	return 0;
}
