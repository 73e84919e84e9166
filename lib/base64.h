/* base64.h — RFC 4648 base64 (standard alphabet, with padding), as
 * Kubernetes uses for Secret data, kubeconfig certificates and list
 * continue tokens. */
#ifndef KONDUKTOR_BASE64_H
#define KONDUKTOR_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appends the encoding of data to out; -1 if out's max is reached. */
int base64_encode(struct buf *out, const void *data, size_t len);
/* Appends the decoded bytes to out; -1 on malformed input (bad
 * characters, bad padding, bad length) or if out's max is reached. */
int base64_decode(struct buf *out, const char *text, size_t len);
/* True if text is well-formed base64 (what a Secret's data values must be). */
bool base64_is_valid(const char *text, size_t len);

#endif
