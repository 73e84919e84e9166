/* test_protobuf.c — protobuf request bodies: a ConfigMap built byte by
 * byte as kubectl's typed client writes it, zero values left out, binary
 * data to base64, and refusals (other kinds, envelope, truncation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonutil.h"
#include "protobuf.h"

/* Minimal encoder for the test's messages. */
static void varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		buf_putc(b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_putc(b, (char)v);
}

static void bytes_field(struct buf *b, int number, const void *data, size_t len)
{
	varint(b, (uint64_t)number << 3 | 2);
	varint(b, len);
	buf_append(b, data, len);
}

static void string_field(struct buf *b, int number, const char *s)
{
	bytes_field(b, number, s, strlen(s));
}

static void map_entry(struct buf *b, int number, const char *key, const void *value, size_t len)
{
	struct buf entry = BUF_INIT(1024);

	string_field(&entry, 1, key);
	bytes_field(&entry, 2, value, len);
	bytes_field(b, number, entry.data, entry.len);
	buf_release(&entry);
}

static void envelope(struct buf *out, const char *api_version, const char *kind,
		     const struct buf *raw)
{
	struct buf type_meta = BUF_INIT(256);

	buf_append(out, "k8s\0", 4);
	string_field(&type_meta, 1, api_version);
	string_field(&type_meta, 2, kind);
	bytes_field(out, 1, type_meta.data, type_meta.len);
	bytes_field(out, 2, raw->data, raw->len);
	string_field(out, 4, PROTOBUF_CONTENT_TYPE);
	buf_release(&type_meta);
}

static void test_configmap(void **state)
{
	struct buf meta = BUF_INIT(1024), cm = BUF_INIT(4096), body = BUF_INIT(8192);
	struct error err = ERROR_INIT;
	cJSON *obj;
	char *json;

	string_field(&meta, 1, "cfg");
	string_field(&meta, 2, ""); /* empty generateName: left out */
	string_field(&meta, 3, "team");
	map_entry(&meta, 11, "app", "web", 3);
	string_field(&meta, 14, "example.com/keep");
	bytes_field(&cm, 1, meta.data, meta.len);
	map_entry(&cm, 2, "a", "b", 1);
	map_entry(&cm, 3, "bin", "\xff\x00", 2);
	varint(&cm, 4 << 3 | 0); /* immutable: false, left out */
	varint(&cm, 0);
	varint(&cm, 99 << 3 | 0); /* an unknown field is skipped */
	varint(&cm, 7);
	envelope(&body, "v1", "ConfigMap", &cm);

	obj = protobuf_decode(resource_get(RESOURCE_CONFIGMAP), body.data, body.len, &err);
	if (!obj)
		fail_msg("%s", err.msg);
	json = json_print_compact(obj);
	assert_string_equal(json, "{\"metadata\":{\"name\":\"cfg\",\"namespace\":\"team\","
				  "\"labels\":{\"app\":\"web\"},\"finalizers\":[\"example.com/keep\"]},"
				  "\"data\":{\"a\":\"b\"},\"binaryData\":{\"bin\":\"/wA=\"},"
				  "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}");
	free(json);
	cJSON_Delete(obj);
	buf_release(&meta);
	buf_release(&cm);
	buf_release(&body);
}

static void test_refusals(void **state)
{
	struct buf raw = BUF_INIT(64), body = BUF_INIT(256);
	struct error err = ERROR_INIT;

	assert_false(protobuf_supported(resource_get(RESOURCE_JOB)));
	assert_null(protobuf_decode(resource_get(RESOURCE_JOB), "k8s\0", 4, &err));
	assert_string_equal(err.msg, "Job bodies must be JSON");
	assert_null(protobuf_decode(resource_get(RESOURCE_SECRET), "{}", 2, &err));
	assert_string_equal(err.msg, "protobuf body without the k8s envelope");
	string_field(&raw, 3, "Opaque");
	envelope(&body, "v1", "ConfigMap", &raw);
	assert_null(protobuf_decode(resource_get(RESOURCE_SECRET), body.data, body.len, &err));
	assert_true(strstr(err.msg, "does not match the expected kind (Secret)") != NULL);
	/* Cut short: a length running past the end. */
	assert_null(protobuf_decode(resource_get(RESOURCE_CONFIGMAP), body.data, body.len - 5,
				    &err));
	assert_true(strncmp(err.msg, "malformed protobuf body", 23) == 0);
	buf_release(&raw);
	buf_release(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configmap),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
