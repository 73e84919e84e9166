/* fuzz_object.c — what the store does to a request body before it stores
 * it, on arbitrary JSON: the kind's create/update preparation, defaulting,
 * metadata and kind validation (with the body as the old object too), and
 * the duplicate-field check. The first byte picks the kind. Never crashes
 * or leaks; the result always serialises. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "apierror.h"
#include "jsonutil.h"
#include "resource.h"
#include "schema.h"
#include "validation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct resource *r;
	struct api_error err = API_ERROR_INIT;
	struct strv problems = STRV_INIT;
	cJSON *obj, *old;
	char *out;

	if (size < 1)
		return 0;
	r = resource_get((enum resource_kind)(data[0] % RESOURCE_COUNT));
	obj = json_parse_bounded((const char *)data + 1, size - 1, 1 << 20, NULL);
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return 0;
	}
	schema_check(NULL, r, obj, data[0] & 0x80, &problems, &err);
	strv_release(&problems);
	old = cJSON_Duplicate(obj, true);
	if (r->prepare)
		r->prepare(obj, NULL);
	if (r->set_defaults)
		r->set_defaults(obj);
	api_error_clear(&err);
	validate_object_meta(r, obj, NULL, &err);
	if (r->validate)
		r->validate(obj, NULL, &err);
	validation_finish(&err, r, "fuzz");
	/* And as an update of the body as it came. */
	api_error_clear(&err);
	if (r->prepare)
		r->prepare(obj, old);
	validate_object_meta(r, obj, old, &err);
	if (r->validate)
		r->validate(obj, old, &err);
	validation_finish(&err, r, "fuzz");
	out = json_print_compact(obj);
	free(out);
	cJSON_Delete(old);
	cJSON_Delete(obj);
	return 0;
}
