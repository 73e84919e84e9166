/* inputs.h — a group's inputs (docs/groups.md): JSON lines or one JSON
 * array, read as a stream with bounded memory per input, classified by
 * Kinetic's input modes and encoded, one line per input, into chunks that
 * fit a ConfigMap, for the pod wrapper to find by JOB_COMPLETION_INDEX.
 *
 * Modes (as Kinetic's run_async_map input_mode):
 *   auto    an object whose keys are all identifiers → kwargs; an array →
 *           args; anything else → single
 *   single  the input is passed whole
 *   args    an array (required): its items are the positional parameters
 *           of `run` ($1, $2, ...)
 *   kwargs  an object with identifier keys (required): each member becomes
 *           an environment variable
 * A string reaches the task as its characters; any other JSON value as its
 * JSON text, exactly as written in the inputs file. Every input is also in
 * KONDUKTOR_INPUT (its JSON text) and in the file KONDUKTOR_INPUT_FILE.
 *
 * Encoded line (read by pod-wrapper.sh with POSIX sh, printf %b and sed):
 *   <mode> .<json> [.<field> ...]
 * mode 'j' (single, passed as its JSON text), 'a' (positional fields) or
 * 'k' (fields NAME=value); each field is '.' and the bytes with '\', space
 * and control characters written as printf %b escapes (\\ and \0ooo), so a
 * line holds no space but the separators and no newline but its end, and
 * nothing in it is ever evaluated as shell text.
 *
 * Errors are one line naming the input's line: "inputs 'x.jsonl': line 3:
 * invalid JSON at byte 5". */
#ifndef KONDUKTOR_INPUTS_H
#define KONDUKTOR_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

/* One input reaches the pod in environment variables, each of which Linux
 * limits to 128 KiB: half of that for the input leaves room to spare. */
#define INPUT_MAX_BYTES ((size_t)64 * 1024)
/* Kubernetes' limit on the completions of an Indexed Job with a per-index
 * backoff limit. */
#define INPUTS_MAX_COUNT ((size_t)100000)

enum input_mode {
	INPUT_AUTO,
	INPUT_SINGLE,
	INPUT_ARGS,
	INPUT_KWARGS,
};

int input_mode_parse(const char *name, enum input_mode *ret, struct error *err);
const char *input_mode_name(enum input_mode mode);

/* Consecutive inputs first..last, one encoded line each (with '\n'). */
struct input_chunk {
	size_t first, last;
	struct buf lines;
};

struct input_set {
	enum input_mode mode;
	size_t count;
	struct input_chunk *chunks;
	size_t n_chunks;
	size_t chunk_max; /* bytes per chunk; a ConfigMap's 1 MiB by default */
};

void input_set_init(struct input_set *set, enum input_mode mode);
void input_set_release(struct input_set *set);

/* Adds one input given as JSON text; `line` (1-based) and `name` are for
 * messages. */
int input_set_add(struct input_set *set, const char *json, size_t len, size_t line,
		  const char *name, struct error *err);

/* A streaming reader: feed it bytes in any pieces, then finish. It holds
 * at most one input at a time (plus the encoded chunks). */
struct inputs_reader {
	struct input_set *set;
	const char *name;
	int format;        /* not yet known, JSON lines, one JSON array, ... */
	size_t line;       /* current line, 1-based */
	size_t first_line; /* where a leading '[' was */
	struct buf item;   /* the input being read */
	size_t item_line;
	int depth;         /* arrays: nesting inside the outer array */
	bool in_string, escaped, opened, closed, after_comma;
	struct error *err;
};

void inputs_reader_init(struct inputs_reader *r, struct input_set *set, const char *name,
			struct error *err);
int inputs_reader_feed(struct inputs_reader *r, const char *data, size_t len);
int inputs_reader_finish(struct inputs_reader *r);
void inputs_reader_release(struct inputs_reader *r);

/* Reads a whole stream (a file descriptor, e.g. a file or stdin). An empty
 * stream is an error: a group needs at least one input. */
int inputs_read_fd(struct input_set *set, int fd, const char *name, struct error *err);
int inputs_read_buffer(struct input_set *set, const char *text, size_t len, const char *name,
		       struct error *err);

/* The JSON text of an encoded line (for inputs.jsonl and tests). */
int input_line_json(const char *line, size_t len, struct buf *out, struct error *err);

#endif
