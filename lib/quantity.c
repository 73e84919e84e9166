/* quantity.c — exact parsing of Kubernetes resource quantities.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource):
 *   quantity ::= [+-] number suffix
 *   number   ::= digits | digits "." digits | digits "." | "." digits
 *   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E)
 *              | ("e" | "E") [+-] digits
 * The value is digits * 10^e10 * 2^e2, computed in 128-bit integers so
 * that "0.1" or "1.5Gi" are exact. */
#include "quantity.h"

#include <stdbool.h>
#include <string.h>

#define MAX_DIGITS 36 /* 10^36 < 2^127: more significant digits cannot be exact */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads the suffix at s into a power of ten and a power of two. */
static int parse_suffix(const char *s, int *e10, int *e2)
{
	static const struct {
		const char *name;
		int e10, e2;
	} suffixes[] = {
		{ "Ki", 0, 10 }, { "Mi", 0, 20 }, { "Gi", 0, 30 }, { "Ti", 0, 40 },
		{ "Pi", 0, 50 }, { "Ei", 0, 60 }, { "n", -9, 0 },  { "u", -6, 0 },
		{ "m", -3, 0 },  { "", 0, 0 },    { "k", 3, 0 },   { "M", 6, 0 },
		{ "G", 9, 0 },   { "T", 12, 0 },  { "P", 15, 0 },  { "E", 18, 0 },
	};

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (!strcmp(s, suffixes[i].name)) {
			*e10 = suffixes[i].e10;
			*e2 = suffixes[i].e2;
			return 0;
		}
	}
	if (*s == 'e' || *s == 'E') {
		int sign = 1, v = 0;

		s++;
		if (*s == '+' || *s == '-')
			sign = *s++ == '-' ? -1 : 1;
		if (!is_digit(*s))
			return -1;
		for (; is_digit(*s); s++) {
			v = v * 10 + (*s - '0');
			if (v > 1000)
				return -1;
		}
		if (*s)
			return -1;
		*e10 = sign * v;
		*e2 = 0;
		return 0;
	}
	return -1;
}

int quantity_parse(const char *s, int scale, int64_t *ret)
{
	unsigned __int128 mantissa = 0, limit = (unsigned __int128)INT64_MAX;
	int digits = 0, frac = 0, e10, e2;
	bool negative = false, any = false, seen_dot = false;
	const char *p = s;

	if (!s)
		return -1;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	for (;; p++) {
		if (is_digit(*p)) {
			any = true;
			if (mantissa == 0 && *p == '0') {
				/* leading zeros carry no precision */
			} else if (++digits > MAX_DIGITS) {
				return -1;
			}
			mantissa = mantissa * 10 + (unsigned)(*p - '0');
			if (seen_dot)
				frac++;
		} else if (*p == '.' && !seen_dot) {
			seen_dot = true;
		} else {
			break;
		}
	}
	if (!any || parse_suffix(p, &e10, &e2) < 0)
		return -1;
	e10 += scale - frac;
	for (; e2 > 0; e2--) {
		if (mantissa > limit * 1000)
			return -1; /* far too large whatever the power of ten */
		mantissa <<= 1;
	}
	for (; e10 > 0; e10--) {
		if (mantissa > limit)
			return -1;
		mantissa *= 10;
	}
	if (e10 < 0) {
		unsigned __int128 divisor = 1;
		bool rest = false;

		for (; e10 < 0; e10++) {
			if (divisor > limit * 10) {
				/* So small it rounds to 0 or 1. */
				rest = mantissa != 0;
				mantissa = 0;
				break;
			}
			divisor *= 10;
		}
		if (mantissa) {
			rest = mantissa % divisor != 0;
			mantissa /= divisor;
		}
		/* Ceil, towards positive infinity, as Quantity's rounding. */
		if (rest && !negative)
			mantissa++;
	}
	if (mantissa > limit)
		return -1;
	*ret = negative ? -(int64_t)mantissa : (int64_t)mantissa;
	return 0;
}
