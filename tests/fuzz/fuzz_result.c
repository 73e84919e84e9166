/* fuzz_result.c — libFuzzer harness for the result decoder: any
 * termination message, exit code and reason, and any pod JSON, decode to
 * exactly one outcome with a one-line reason, and a recorded result reads
 * back the same. Crashes, leaks and broken invariants abort. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "result.h"
#include "xalloc.h"

static void check(const struct result *r)
{
	struct result back;
	cJSON *patch, *job;

	if (!r->reason || strchr(r->reason, '\n'))
		abort();
	if ((r->outcome == RESULT_OK) != (r->json != NULL))
		abort();
	if (r->outcome == RESULT_OK) {
		cJSON *v = json_parse_bounded(r->json, strlen(r->json), RESULT_MAX, NULL);

		if (!v)
			abort();
		cJSON_Delete(v);
	}
	patch = result_annotations_patch(r);
	job = cJSON_CreateObject();
	json_set(job, "metadata", cJSON_Duplicate(json_get(patch, "metadata"), 1));
	result_init(&back);
	if (result_from_annotations(job, &back) != 0 || back.outcome != r->outcome ||
	    back.exit_code != r->exit_code || strcmp(back.reason, r->reason) != 0 ||
	    (r->json && strcmp(back.json, r->json) != 0))
		abort();
	result_release(&back);
	cJSON_Delete(job);
	cJSON_Delete(patch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int exit_codes[] = { 0, 1, 2, 121, 122, 137, 143, 255 };
	static const char *const reasons[] = { NULL, "Completed", "Error", "OOMKilled" };
	struct result r;
	char *message;

	if (size < 1)
		return 0;
	message = xstrndup((const char *)data + 1, size - 1);
	result_init(&r);
	result_decode(message, exit_codes[data[0] & 7], reasons[(data[0] >> 3) & 3], &r);
	check(&r);
	if (message[0] == '{') {
		cJSON *pod = json_parse_bounded(message, strlen(message), 1 << 20, NULL);

		if (pod && result_from_pod(pod, &r, NULL) == 0)
			check(&r);
		cJSON_Delete(pod);
	}
	result_release(&r);
	free(message);
	return 0;
}
