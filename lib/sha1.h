/* sha1.h — SHA-1 (FIPS 180-4) of a byte string, for identifiers other
 * systems derive with it (the JobSet job-key label). Not for security. */
#ifndef KONDUKTOR_SHA1_H
#define KONDUKTOR_SHA1_H

#include <stddef.h>

#define SHA1_DIGEST_SIZE 20
#define SHA1_HEX_SIZE 41 /* 40 hex digits and the terminator */

void sha1_digest(const void *data, size_t len, unsigned char out[SHA1_DIGEST_SIZE]);
/* Lower-case hex of the digest, as Go's hex.EncodeToString writes it. */
void sha1_hex(const void *data, size_t len, char out[SHA1_HEX_SIZE]);

#endif
