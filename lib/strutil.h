/* strutil.h — bounded, checked string helpers used instead of strcpy,
 * strtok, atoi and friends (which the project does not use). */
#ifndef KONDUKTOR_STRUTIL_H
#define KONDUKTOR_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies src into dst[size], always terminating; -1 if it was truncated. */
int str_copy(char *dst, size_t size, const char *src);
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* free() for secrets: zeroes s first, so it does not linger in freed
 * memory. NULL is fine. */
void str_free_secret(char *s);
/* NULL-safe equality. */
bool str_eq(const char *a, const char *b);
bool str_is_empty(const char *s);

/* Whole-string integer parsing: no leading/trailing junk, no overflow;
 * returns 0 and sets *ret, or -1 leaving *ret untouched. */
int str_to_int64(const char *s, int64_t *ret);
int str_to_int(const char *s, int *ret);
int str_to_uint64(const char *s, uint64_t *ret);
int str_to_double(const char *s, double *ret);

/* Levenshtein distance (bounded input lengths: strings longer than 256
 * bytes compare as far apart). */
size_t str_edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if it is close enough to be a likely
 * typo, else NULL. `candidates` ends with NULL. */
const char *str_did_you_mean(const char *word, const char *const *candidates);

/* True for a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*). */
bool str_is_env_name(const char *s);
/* True for a DNS-1123 label (lower-case alphanumerics and '-', <= 63). */
bool str_is_dns_label(const char *s);

/* True for the name part of a Kubernetes qualified name (a label or
 * annotation key after its optional "prefix/"), which is also the form of
 * a non-empty label value: [A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?, at
 * most 63 bytes; s[0..len) need not end there. */
bool str_is_qualified_name_part(const char *s, size_t len);

/* True for a DNS-1123 subdomain (dot-separated DNS labels, <= 253), the
 * rule for most Kubernetes object names; s[0..len) need not end there. */
bool str_is_dns_subdomain(const char *s, size_t len);

/* True if text[0..len) is valid UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF); NUL bytes count as valid. */
bool str_is_utf8(const char *text, size_t len);

#endif
