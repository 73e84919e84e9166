/* fuzz_patch.c — JSON merge, JSON and strategic merge patches applied to
 * arbitrary documents: input is <type byte><document>\0<patch>. Never
 * crashes or leaks, and a result is always a serialisable document. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	const char *nul;
	cJSON *doc, *patch, *result;

	if (size < 2)
		return 0;
	nul = memchr(text, '\0', size - 1);
	if (!nul)
		return 0;
	doc = json_parse_bounded(text, (size_t)(nul - text), 1 << 20, NULL);
	patch = json_parse_bounded(nul + 1, size - 1 - (size_t)(nul - text) - 1, 1 << 20, NULL);
	if (!doc || !patch) {
		cJSON_Delete(doc);
		cJSON_Delete(patch);
		return 0;
	}
	switch (data[0] % 3) {
	case 0: result = patch_apply_merge(doc, patch, NULL); break;
	case 1: result = patch_apply_json(doc, patch, NULL); break;
	default: result = patch_apply_strategic(doc, patch, NULL); break;
	}
	if (result) {
		char *out = json_print_compact(result);

		free(out);
		cJSON_Delete(result);
	}
	cJSON_Delete(patch);
	return 0;
}
