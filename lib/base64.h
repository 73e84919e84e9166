/* base64.h — RFC 4648 base64 (standard alphabet, with padding), as
 * Kubernetes uses for Secret data, ConfigMap binaryData and kubeconfig
 * *-data fields. */
#ifndef KONDUKTOR_BASE64_H
#define KONDUKTOR_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Appends the encoding of data[len] to out; -1 if out's max is reached. */
int base64_encode(const void *data, size_t len, struct buf *out);
/* Appends the decoded bytes to out. As Go's StdEncoding (which the API
 * server and kubectl use): padding is required, CR and LF anywhere are
 * skipped, any other character outside the alphabet is an error naming its
 * byte offset. On error nothing is appended. */
int base64_decode(const char *text, size_t len, struct buf *out, struct error *err);
/* True if text is well-formed base64 (what a Secret's data values must be). */
bool base64_is_valid(const char *text, size_t len);

#endif
