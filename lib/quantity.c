/* quantity.c — Kubernetes resource quantity parsing. */
#include "quantity.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define QUANTITY_RULE                                                                        \
	"quantities must match the regular expression "                                      \
	"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/* Enough digits for any quantity a real server accepts; more is refused. */
#define MAX_DIGITS 36

static int64_t saturate(__int128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

/* ceil(mantissa * 10^exp10 * 2^exp2), saturating. */
static int64_t scale(__int128 mantissa, int exp10, int exp2)
{
	const __int128 limit = (__int128)INT64_MAX * 1000;
	__int128 v = mantissa;
	bool negative = v < 0;

	if (negative)
		v = -v;
	for (; exp2 > 0; exp2--) {
		if (v > limit)
			return negative ? INT64_MIN : INT64_MAX;
		v *= 2;
	}
	for (; exp10 > 0; exp10--) {
		if (v > limit)
			return negative ? INT64_MIN : INT64_MAX;
		v *= 10;
	}
	if (exp10 < 0) {
		__int128 divisor = 1;
		bool truncated;

		for (; exp10 < 0 && divisor <= limit; exp10++)
			divisor *= 10;
		if (exp10 < 0)
			return 0 + (v != 0 && !negative); /* vanishingly small: rounds to 1 or 0 */
		truncated = v % divisor != 0;
		v /= divisor;
		/* Rounding up means away from zero for positives, toward zero otherwise. */
		if (truncated && !negative)
			v++;
	}
	return saturate(negative ? -v : v);
}

int quantity_parse(const char *text, struct quantity *ret, struct error *err)
{
	const char *p = text;
	__int128 mantissa = 0;
	int digits = 0, fraction_digits = 0, exp10 = 0, exp2 = 0;
	bool negative = false, seen_dot = false, seen_digit = false;

	if (!text || !*text)
		return error_set(err, "%s", QUANTITY_RULE);
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (*p == '.') {
			if (seen_dot)
				return error_set(err, "%s", QUANTITY_RULE);
			seen_dot = true;
			continue;
		}
		seen_digit = true;
		if (digits == 0 && *p == '0' && !seen_dot)
			continue; /* leading zeros carry nothing */
		if (++digits > MAX_DIGITS)
			return error_set(err, "%s", QUANTITY_RULE);
		mantissa = mantissa * 10 + (*p - '0');
		if (seen_dot)
			fraction_digits++;
	}
	if (!seen_digit)
		return error_set(err, "%s", QUANTITY_RULE);
	if (!strcmp(p, "")) {
	} else if (!strcmp(p, "Ki")) {
		exp2 = 10;
	} else if (!strcmp(p, "Mi")) {
		exp2 = 20;
	} else if (!strcmp(p, "Gi")) {
		exp2 = 30;
	} else if (!strcmp(p, "Ti")) {
		exp2 = 40;
	} else if (!strcmp(p, "Pi")) {
		exp2 = 50;
	} else if (!strcmp(p, "Ei")) {
		exp2 = 60;
	} else if (!strcmp(p, "n")) {
		exp10 = -9;
	} else if (!strcmp(p, "u")) {
		exp10 = -6;
	} else if (!strcmp(p, "m")) {
		exp10 = -3;
	} else if (!strcmp(p, "k")) {
		exp10 = 3;
	} else if (!strcmp(p, "M")) {
		exp10 = 6;
	} else if (!strcmp(p, "G")) {
		exp10 = 9;
	} else if (!strcmp(p, "T")) {
		exp10 = 12;
	} else if (!strcmp(p, "P")) {
		exp10 = 15;
	} else if (!strcmp(p, "E")) {
		exp10 = 18;
	} else if ((*p == 'e' || *p == 'E') && p[1]) {
		const char *q = p + 1;
		bool exp_negative = false;
		int e = 0;

		if (*q == '+' || *q == '-')
			exp_negative = *q++ == '-';
		if (!*q)
			return error_set(err, "%s", QUANTITY_RULE);
		for (; *q; q++) {
			if (!isdigit((unsigned char)*q) || e > 1000)
				return error_set(err, "%s", QUANTITY_RULE);
			e = e * 10 + (*q - '0');
		}
		exp10 = exp_negative ? -e : e;
	} else {
		return error_set(err, "unable to parse quantity's suffix");
	}
	if (negative)
		mantissa = -mantissa;
	ret->value = scale(mantissa, exp10 - fraction_digits, exp2);
	ret->milli = scale(mantissa, exp10 - fraction_digits + 3, exp2);
	return 0;
}

int quantity_compare(const struct quantity *a, const struct quantity *b)
{
	if (a->milli != b->milli)
		return a->milli < b->milli ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return 0;
}
