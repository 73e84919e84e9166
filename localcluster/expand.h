/* expand.h — Kubernetes $(VAR) expansion of a container's command, args
 * and env values, exactly as the kubelet does it
 * (third_party/forked/golang/expansion): "$(NAME)" becomes the variable's
 * value when it is defined and stays "$(NAME)" when not, "$$" is an
 * escaped "$", and any other "$" is kept as it is. */
#ifndef KONDUKTOR_EXPAND_H
#define KONDUKTOR_EXPAND_H

#include "buf.h"

/* Returns the value of `name`, or NULL if it is not defined. */
typedef const char *(*expand_lookup_fn)(void *opaque, const char *name);

/* Appends the expansion of `input` to out; -1 if out's limit is reached. */
int expand_vars(const char *input, expand_lookup_fn lookup, void *opaque, struct buf *out);

#endif
