/* test_patch.c — JSON merge patch (RFC 7386 examples), JSON patch (RFC 6902
 * operations and failures) and strategic merge patch directives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "patch.h"

enum kind { MERGE, JSONP, STRATEGIC };

/* Applies patch to doc; returns the compact result (caller frees) or NULL
 * with the error in err. */
static char *apply(enum kind kind, const char *doc, const char *patch, struct error *err)
{
	cJSON *d = cJSON_Parse(doc), *p = cJSON_Parse(patch), *r;
	char *out = NULL;

	assert_non_null(d);
	assert_non_null(p);
	r = kind == MERGE ? patch_apply_merge(d, p, err)
	    : kind == JSONP ? patch_apply_json(d, p, err)
			    : patch_apply_strategic(d, p, err);
	if (r) {
		out = json_print_compact(r);
		cJSON_Delete(r);
	}
	cJSON_Delete(p);
	return out;
}

static void expect(enum kind kind, const char *doc, const char *patch, const char *want)
{
	struct error err = ERROR_INIT;
	char *got = apply(kind, doc, patch, &err);

	if (!got)
		fail_msg("patch failed: %s", err.msg);
	assert_string_equal(got, want);
	free(got);
}

static void expect_failure(enum kind kind, const char *doc, const char *patch, const char *msg)
{
	struct error err = ERROR_INIT;
	char *got = apply(kind, doc, patch, &err);

	assert_null(got);
	assert_string_equal(err.msg, msg);
}

static void test_merge_patch_rfc7386(void **state)
{
	expect(MERGE, "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	expect(MERGE, "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
	expect(MERGE, "{\"a\":\"b\"}", "{\"a\":null}", "{}");
	expect(MERGE, "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
	expect(MERGE, "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
	expect(MERGE, "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
	expect(MERGE, "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
}

static void test_json_patch_operations(void **state)
{
	expect(JSONP, "{\"a\":[1,2],\"b\":{\"c\":1}}",
	       "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":3},"
	       "{\"op\":\"add\",\"path\":\"/a/0\",\"value\":0},"
	       "{\"op\":\"move\",\"from\":\"/b/c\",\"path\":\"/d\"},"
	       "{\"op\":\"copy\",\"from\":\"/d\",\"path\":\"/e\"},"
	       "{\"op\":\"remove\",\"path\":\"/a/1\"},"
	       "{\"op\":\"replace\",\"path\":\"/b\",\"value\":\"x\"},"
	       "{\"op\":\"test\",\"path\":\"/e\",\"value\":1}]",
	       "{\"a\":[0,2,3],\"b\":\"x\",\"d\":1,\"e\":1}");
	/* Inserting in the middle (libcjson's own insert refuses it). */
	expect(JSONP, "{\"a\":[1,2,3]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":9}]",
	       "{\"a\":[1,2,9,3]}");
	expect(JSONP, "{\"a/b\":1,\"m~n\":2}",
	       "[{\"op\":\"replace\",\"path\":\"/a~1b\",\"value\":3},"
	       "{\"op\":\"remove\",\"path\":\"/m~0n\"}]",
	       "{\"a/b\":3}");
	/* A member moved into an array loses its name. */
	expect(JSONP, "{\"a\":[1,2],\"b\":{\"c\":1}}",
	       "[{\"op\":\"move\",\"from\":\"/b/c\",\"path\":\"/a/1\"}]",
	       "{\"a\":[1,1,2],\"b\":{}}");
	expect(JSONP, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[true]}]",
	       "[true]");
}

static void test_json_patch_failures(void **state)
{
	expect_failure(JSONP, "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
		       "testing value /a failed: test failed");
	expect_failure(JSONP, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]",
		       "replace operation does not apply: doc is missing key: /b");
	expect_failure(JSONP, "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":2}]",
		       "add operation does not apply: doc is missing path: \"/a/5\"");
	expect_failure(JSONP, "{}", "[{\"op\":\"jump\",\"path\":\"/a\"}]", "Unexpected kind: jump");
	expect_failure(JSONP, "{\"a\":{}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b\"}]",
		       "move operation does not apply: cannot move into a child");
	expect_failure(JSONP, "{}", "{\"op\":\"add\"}",
		       "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
	expect_failure(JSONP, "{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]",
		       "invalid JSON pointer 'a'");
}

static void test_strategic_merge_by_key(void **state)
{
	const char *pod = "{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"env\":[{\"name\":\"A\","
			  "\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]},{\"name\":\"b\","
			  "\"image\":\"y\"}],\"finalizers\":[\"f\"]}";

	expect(STRATEGIC, pod,
	       "{\"containers\":[{\"name\":\"a\",\"image\":\"z\",\"env\":[{\"name\":\"B\","
	       "\"$patch\":\"delete\"},{\"name\":\"C\",\"value\":\"3\"}]}]}",
	       "{\"containers\":[{\"name\":\"a\",\"image\":\"z\",\"env\":[{\"name\":\"A\","
	       "\"value\":\"1\"},{\"name\":\"C\",\"value\":\"3\"}]},{\"name\":\"b\",\"image\":"
	       "\"y\"}],\"finalizers\":[\"f\"]}");
	/* $setElementOrder and a primitive list with the merge strategy. */
	expect(STRATEGIC, pod,
	       "{\"$setElementOrder/containers\":[{\"name\":\"b\"},{\"name\":\"a\"}],"
	       "\"containers\":[{\"name\":\"b\",\"image\":\"w\"}],\"finalizers\":[\"g\"]}",
	       "{\"containers\":[{\"name\":\"b\",\"image\":\"w\"},{\"name\":\"a\",\"image\":\"x\","
	       "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}],"
	       "\"finalizers\":[\"f\",\"g\"]}");
	expect(STRATEGIC, pod, "{\"$deleteFromPrimitiveList/finalizers\":[\"f\"],\"containers\":"
			       "[{\"$patch\":\"replace\"},{\"name\":\"c\",\"image\":\"q\"}]}",
	       "{\"containers\":[{\"name\":\"c\",\"image\":\"q\"}],\"finalizers\":[]}");
	expect(STRATEGIC, "{\"a\":{\"b\":1,\"c\":2}}", "{\"a\":{\"$patch\":\"replace\",\"d\":3}}",
	       "{\"a\":{\"d\":3}}");
	expect(STRATEGIC, "{\"a\":{\"b\":1,\"c\":2},\"z\":1}",
	       "{\"a\":{\"$retainKeys\":[\"b\"],\"b\":5}}", "{\"a\":{\"b\":5},\"z\":1}");
	/* Lists without a merge key are replaced. */
	expect(STRATEGIC, "{\"args\":[\"a\",\"b\"]}", "{\"args\":[\"c\"]}", "{\"args\":[\"c\"]}");
	expect_failure(STRATEGIC, pod, "{\"containers\":[{\"image\":\"nameless\"}]}",
		       "map: item does not contain declared merge key: name");
	expect_failure(STRATEGIC, "{}", "[1]",
		       "json: cannot unmarshal array into Go value of type map[string]interface {}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_patch_rfc7386),
		cmocka_unit_test(test_json_patch_operations),
		cmocka_unit_test(test_json_patch_failures),
		cmocka_unit_test(test_strategic_merge_by_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
