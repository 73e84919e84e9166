/* fuzz_groupresults.c — libFuzzer harness for what a follower reads back
 * from the cluster: a results ConfigMap (group_results_load) and result
 * text put on one line (json_minify_append). Loaded lines render to one
 * line each; minified JSON is the same value, on one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "groupresults.h"
#include "jsonutil.h"

#define GROUP_SIZE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_minify(const char *text, size_t len, const cJSON *value)
{
	struct buf out = BUF_INIT(6 * len + 16);
	_cleanup_json_ cJSON *again = NULL;
	_cleanup_free_ char *before = NULL, *after = NULL;

	if (json_minify_append(&out, text, len) < 0)
		abort();
	again = json_parse_bounded(out.data, out.len, out.max, NULL);
	if (!again || memchr(out.data, '\n', out.len))
		abort();
	/* The same value (compared as printed: cJSON_Compare() cannot compare
	 * objects with duplicate keys, which JSON text may have). */
	before = json_print_compact(value);
	after = json_print_compact(again);
	if (strcmp(before, after) != 0)
		abort();
	buf_release(&out);
}

static void check_load(const cJSON *configmap)
{
	struct group_results r;
	struct buf rendered = BUF_INIT(GROUP_SIZE * (GROUP_RESULT_LINE_MAX + 1));
	struct error err = ERROR_INIT;
	size_t bytes = 0, lines = 0;
	int skipped;

	group_results_init(&r, GROUP_SIZE);
	skipped = group_results_load(&r, configmap, &bytes, &err);
	if (skipped < 0 || (skipped > 0) != (err.msg[0] != '\0') || r.finished > GROUP_SIZE ||
	    r.failed > r.finished)
		abort();
	if (group_results_render(&r, true, &rendered) < 0)
		abort();
	for (size_t i = 0; i < rendered.len; i++)
		lines += rendered.data[i] == '\n';
	if (lines != r.finished)
		abort();
	group_results_release(&r);
	buf_release(&rendered);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_json_ cJSON *value = json_parse_bounded((const char *)data, size, 65536, NULL);

	if (!value)
		return 0;
	check_minify((const char *)data, size, value);
	check_load(value);
	return 0;
}
