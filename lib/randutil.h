/* randutil.h — random identifiers from the kernel's generator (getrandom),
 * for names that must not collide across machines: group ids, job name
 * suffixes. Never seeded, never predictable. */
#ifndef KONDUKTOR_RANDUTIL_H
#define KONDUKTOR_RANDUTIL_H

#include <stddef.h>

#include "error.h"

/* Fills buf with len random bytes; -1 (err set) if the kernel refuses. */
int random_bytes(void *buf, size_t len, struct error *err);
/* Writes 2*nbytes lower-case hex digits and a NUL into out. */
int random_hex(char *out, size_t nbytes, struct error *err);
/* Writes n characters uniformly drawn from [a-z0-9] and a NUL into out. */
int random_alnum(char *out, size_t n, struct error *err);

#endif
