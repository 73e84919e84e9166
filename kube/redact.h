/* redact.h — what debug output (-v=6..9) may show of a request or a
 * response: bodies with Secret data, tokens, keys and passwords replaced,
 * headers with credentials masked. Internal to kube/. */
#ifndef KONDUKTOR_KUBE_REDACT_H
#define KONDUKTOR_KUBE_REDACT_H

#include <stddef.h>

#define REDACT_MAX_BODY 10240 /* kubectl -v=8 also cuts bodies here */

/* A printable, redacted rendering of a body for the log (newly allocated):
 * JSON with secrets replaced by "<redacted>", cut after REDACT_MAX_BODY
 * characters; anything that is not JSON is described, never shown. */
char *redact_body(const char *body, size_t len);
/* A header line safe to log: Authorization and Impersonate-Extra values
 * masked. Newly allocated. */
char *redact_header(const char *header);

#endif
