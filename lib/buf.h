/* buf.h — the project's one growable byte buffer (git's strbuf with curl's
 * dynbuf limit): every buffer has a maximum size fixed at init, so data from
 * the network or a user's file can never grow it without bound.
 *
 * Invariants: `data` is never NULL after buf_init() and is always
 * NUL-terminated at data[len]; buf_detach() is the only way to take
 * ownership of the bytes. */
#ifndef KONDUKTOR_BUF_H
#define KONDUKTOR_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap; /* 0 while data points at the shared empty string */
	size_t max; /* the most bytes len may reach */
};

/* Common limits, named so that call sites say what they mean. */
#define BUF_MAX_SMALL ((size_t)64 * 1024)
#define BUF_MAX_DEFAULT ((size_t)16 * 1024 * 1024)

extern char buf_empty_[1];
#define BUF_INIT(maxsize) { .data = buf_empty_, .len = 0, .cap = 0, .max = (maxsize) }

void buf_init(struct buf *b, size_t max);
/* Frees the bytes and leaves an empty buffer with the same max. */
void buf_release(struct buf *b);
/* buf_release() for secrets (tokens, keys, files holding them): zeroes the
 * whole allocation first, so the bytes do not linger in freed memory. */
void buf_release_secret(struct buf *b);
/* Empties the buffer, keeping its allocation. */
void buf_reset(struct buf *b);

/* Each append returns 0, or -1 (the buffer unchanged) when the result
 * would exceed `max`. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Ensures room for `extra` more bytes (plus the terminator); -1 past max. */
int buf_grow(struct buf *b, size_t extra);
/* Removes the first n bytes (n > len removes everything). */
void buf_consume(struct buf *b, size_t n);
/* Shortens to len bytes (no-op if already shorter). */
void buf_truncate(struct buf *b, size_t len);
/* Removes trailing spaces, tabs, CR and LF. */
void buf_rtrim(struct buf *b);
bool buf_is_full(const struct buf *b);

/* Hands the bytes to the caller (free() them) and leaves an empty buffer;
 * never returns NULL. `ret_len` may be NULL. */
char *buf_detach(struct buf *b, size_t *ret_len);

#endif
