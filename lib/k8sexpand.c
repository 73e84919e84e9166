/* k8sexpand.c — the kubelet's $(VAR) expansion and its escaping. */
#include "k8sexpand.h"

#include <string.h>

#include "buf.h"
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

char *k8s_expand(const char *s, k8s_lookup_fn lookup, void *data)
{
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		const char *close;

		if (s[i] != '$' || i + 1 == len) {
			buf_putc(&out, s[i]);
			continue;
		}
		if (s[i + 1] == '$') {
			buf_putc(&out, '$');
			i++;
		} else if (s[i + 1] == '(' && (close = strchr(s + i + 2, ')'))) {
			_cleanup_free_ char *name = xstrndup(s + i + 2, (size_t)(close - s - i - 2));
			const char *value = lookup ? lookup(name, data) : NULL;

			if (value ? buf_puts(&out, value) : buf_printf(&out, "$(%s)", name))
				die("expansion larger than %zu bytes", out.max);
			i = (size_t)(close - s);
		} else {
			/* "$(" without ')' or "$x": kept as written. */
			buf_putc(&out, '$');
			buf_putc(&out, s[i + 1]);
			i++;
		}
	}
	return buf_detach(&out, NULL);
}
