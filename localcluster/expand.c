/* expand.c — $(VAR) expansion as the kubelet performs it. */
#include "expand.h"

#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

int expand_vars(const char *input, expand_lookup_fn lookup, void *opaque, struct buf *out)
{
	const char *p = input;

	while (*p) {
		const char *dollar = strchr(p, '$');
		const char *close;

		/* A '$' at the very end is plain text. */
		if (!dollar || !dollar[1])
			return buf_puts(out, p);
		if (buf_append(out, p, (size_t)(dollar - p)) < 0)
			return -1;
		switch (dollar[1]) {
		case '$':
			if (buf_putc(out, '$') < 0)
				return -1;
			p = dollar + 2;
			break;
		case '(':
			close = strchr(dollar + 2, ')');
			if (!close) {
				/* Incomplete reference: "$(" is kept, scanning goes on after it. */
				if (buf_puts(out, "$(") < 0)
					return -1;
				p = dollar + 2;
				break;
			}
			{
				_cleanup_free_ char *name = xstrndup(dollar + 2, (size_t)(close - dollar - 2));
				const char *value = lookup(opaque, name);

				if (value ? buf_puts(out, value) < 0
					  : buf_append(out, dollar, (size_t)(close - dollar + 1)) < 0)
					return -1;
			}
			p = close + 1;
			break;
		default:
			/* Not an expression: the '$' and the next character stay. */
			if (buf_append(out, dollar, 2) < 0)
				return -1;
			p = dollar + 2;
			break;
		}
	}
	return 0;
}
