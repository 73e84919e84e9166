/* fuzz_selector.c — label and field selector parsing and matching on
 * arbitrary text: never crashes, leaks or reads out of bounds; whatever
 * parses can be matched. The first byte picks label or field syntax. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "xalloc.h"

static const char *lookup(const void *ctx, const char *key)
{
	static const char *const labels[][2] = {
		{ "app", "web" }, { "tier", "" }, { "n", "42" }, { "example.com/x", "y" },
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i][0], key))
			return labels[i][1];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct selector sel = SELECTOR_INIT;
	char *text;
	int rc;

	if (size < 1 || size > SELECTOR_MAX_TEXT + 2)
		return 0;
	text = xstrndup((const char *)data + 1, size - 1);
	rc = data[0] & 1 ? selector_parse_fields(text, &sel, NULL)
			 : selector_parse_labels(text, &sel, NULL);
	if (rc == 0) {
		static const char *const allowed[] = { "metadata.name", "status.phase", NULL };

		(void)selector_matches(&sel, lookup, NULL);
		(void)selector_check_fields(&sel, allowed, NULL);
		selector_release(&sel);
	}
	free(text);
	return 0;
}
