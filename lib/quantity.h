/* quantity.h — Kubernetes resource quantities ("500m", "2", "1.5Gi",
 * "1e3") read exactly, as resource.Quantity does, into integers a
 * scheduler can add up: CPU in millicores, memory in bytes. */
#ifndef KONDUKTOR_QUANTITY_H
#define KONDUKTOR_QUANTITY_H

#include <stdint.h>

/* Parses `s` and returns ceil(value * 10^scale) in *ret — scale 3 gives
 * milli-units (MilliValue()), scale 0 whole units (Value()), both rounded
 * up as Kubernetes rounds. Returns 0, or -1 for a string that is not a
 * quantity or a value that does not fit in int64; *ret is untouched then. */
int quantity_parse(const char *s, int scale, int64_t *ret);

#endif
