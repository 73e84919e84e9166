/* fuzz_complete.c — the completion engine on arbitrary typed words and
 * arbitrary names from a cluster. Input: words separated by '\n'; after
 * an optional NUL, the names the cluster lister hands back, one per line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "xalloc.h"

#define MAX_WORDS 64

static const char *fuzz_names;
static size_t fuzz_names_len;

static int names_from_input(enum completion_kind kind, const struct cluster_flags *flags,
			    struct strv *ret_names, struct error *err)
{
	const char *p = fuzz_names, *end = fuzz_names + fuzz_names_len;

	if (!p)
		return error_set(err, "no names");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		strv_push_owned(ret_names, xstrndup(p, len));
		p += len + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t words_len = nul ? (size_t)(nul - text) : size;
	char *words_text = xstrndup(text, words_len);
	char *words[MAX_WORDS];
	int n = 0;
	struct completion c;
	char *out = NULL;
	size_t out_len = 0;
	FILE *stream;

	fuzz_names = nul ? nul + 1 : NULL;
	fuzz_names_len = nul ? size - words_len - 1 : 0;
	for (char *w = words_text; n < MAX_WORDS;) {
		char *nl = strchr(w, '\n');

		words[n++] = w;
		if (!nl)
			break;
		*nl = '\0';
		w = nl + 1;
	}
	completion_init(&c);
	complete_words(commands, n, words, names_from_input, &c);
	stream = open_memstream(&out, &out_len);
	if (stream) {
		completion_print(&c, true, stream);
		fclose(stream);
	}
	free(out);
	completion_release(&c);
	free(words_text);
	return 0;
}
