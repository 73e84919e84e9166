/* base64.h — standard base64 (RFC 4648, with padding), as Kubernetes uses
 * it for Secret data and ConfigMap binaryData. */
#ifndef KONDUKTOR_BASE64_H
#define KONDUKTOR_BASE64_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Appends the encoding of data[0..len) to out; -1 if out is full. */
int base64_encode(const void *data, size_t len, struct buf *out);
/* Appends the decoded bytes to out; -1 with err on invalid input or a
 * full buffer. Whitespace is not allowed. */
int base64_decode(const char *text, size_t len, struct buf *out, struct error *err);

#endif
