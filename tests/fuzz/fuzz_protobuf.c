/* fuzz_protobuf.c — protobuf request bodies of every kind from arbitrary
 * bytes (the first byte picks the kind): never crashes or leaks; what
 * decodes serialises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonutil.h"
#include "protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct resource *r;
	cJSON *obj;

	if (size < 1)
		return 0;
	r = resource_get((enum resource_kind)(data[0] % RESOURCE_COUNT));
	obj = protobuf_decode(r, (const char *)data + 1, size - 1, NULL);
	if (obj) {
		free(json_print_compact(obj));
		cJSON_Delete(obj);
	}
	return 0;
}
