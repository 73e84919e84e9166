/* quantity.h — Kubernetes resource quantities ("500m", "1.5Gi", "2e3",
 * "128974848"): parsing with the API's grammar, into whole units and
 * thousandths, rounded up as resource.Quantity's Value()/MilliValue() do
 * and saturating at INT64_MAX. */
#ifndef KONDUKTOR_QUANTITY_H
#define KONDUKTOR_QUANTITY_H

#include <stdint.h>

#include "error.h"

struct quantity {
	int64_t value; /* ceil(q): bytes for memory, cores for cpu */
	int64_t milli; /* ceil(q * 1000): millicores for cpu */
};

/* Parses one quantity; -1 with err ("quantities must match the regular
 * expression ...") when malformed. */
int quantity_parse(const char *text, struct quantity *ret, struct error *err);
/* Compares two quantities by their milli values (then values); <0, 0, >0. */
int quantity_compare(const struct quantity *a, const struct quantity *b);

#endif
