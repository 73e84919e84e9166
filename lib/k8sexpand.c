/* k8sexpand.c — the kubelet's $(VAR) expansion and its escaping. */
#include "k8sexpand.h"

#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

char *k8s_escape_dollars(const char *s)
{
	struct buf out = BUF_INIT(2 * strlen(s) + 1); /* every '$' at most doubled */

	/* Only "$$" and "$(" change under expansion: doubling the '$' of
	 * those keeps every other '$' (as in "$HOME") as the user wrote it. */
	for (; *s; s++) {
		if (*s == '$' && (s[1] == '$' || s[1] == '('))
			buf_putc(&out, '$');
		buf_putc(&out, *s);
	}
	return buf_detach(&out, NULL);
}

int k8s_expand_append(const char *s, k8s_lookup_fn lookup, void *data, struct buf *out)
{
	const char *p = s;

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
				const char *value = lookup ? lookup(name, data) : NULL;

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

char *k8s_expand(const char *s, k8s_lookup_fn lookup, void *data)
{
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);

	if (k8s_expand_append(s, lookup, data, &out) < 0)
		die("expansion larger than %zu bytes", out.max);
	return buf_detach(&out, NULL);
}
