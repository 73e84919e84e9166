/* test_watch_decoder.c — the watch-event decoder: events split at every
 * possible byte, several per read, pretty-printed or on one line, braces
 * inside strings, garbage, unknown types, an event over the size limit,
 * and taking ownership of the object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "kube_watch.h"

struct seen {
	char log[4096]; /* "TYPE name rv;" per event */
	int count;
	int stop_after;   /* return 1 after this many events (0: never) */
	cJSON *kept;      /* the last object taken */
};

static int record(enum kube_event_type type, cJSON **object, void *ctx)
{
	struct seen *s = ctx;
	const char *name = json_get_string(*object, "metadata.name");
	const char *rv = json_get_string(*object, "metadata.resourceVersion");
	size_t used = strlen(s->log);

	snprintf(s->log + used, sizeof(s->log) - used, "%s %s %s;", kube_event_type_name(type),
		 name ? name : "-", rv ? rv : "-");
	s->count++;
	cJSON_Delete(s->kept);
	s->kept = *object; /* take it */
	*object = NULL;
	return s->stop_after && s->count >= s->stop_after;
}

#define EV(type, name, rv)                                                                  \
	"{\"type\":\"" type "\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name \
	"\",\"resourceVersion\":\"" rv "\"}}}\n"

static const char stream[] = EV("ADDED", "a", "1") EV("MODIFIED", "a{}\\\"", "2")
	EV("DELETED", "b", "3") EV("BOOKMARK", "", "4");
static const char expected[] = "ADDED a 1;MODIFIED a{}\" 2;DELETED b 3;BOOKMARK  4;";

static void test_whole_stream_in_one_read(void **state)
{
	struct kube_watch_decoder d;
	struct seen s = { .count = 0 };
	struct error err = ERROR_INIT;

	kube_watch_decoder_init(&d, KUBE_WATCH_MAX_EVENT);
	assert_int_equal(kube_watch_decoder_feed(&d, stream, strlen(stream), record, &s, &err), 0);
	assert_string_equal(s.log, expected);
	assert_int_equal(d.pending.len, 0);
	cJSON_Delete(s.kept);
	kube_watch_decoder_release(&d);
}

static void test_every_split_point_and_byte_by_byte(void **state)
{
	size_t len = strlen(stream);

	for (size_t cut = 0; cut <= len; cut++) {
		struct kube_watch_decoder d;
		struct seen s = { .count = 0 };
		struct error err = ERROR_INIT;

		kube_watch_decoder_init(&d, KUBE_WATCH_MAX_EVENT);
		assert_int_equal(kube_watch_decoder_feed(&d, stream, cut, record, &s, &err), 0);
		assert_int_equal(
			kube_watch_decoder_feed(&d, stream + cut, len - cut, record, &s, &err), 0);
		assert_string_equal(s.log, expected);
		cJSON_Delete(s.kept);
		kube_watch_decoder_release(&d);
	}
	{
		struct kube_watch_decoder d;
		struct seen s = { .count = 0 };

		kube_watch_decoder_init(&d, KUBE_WATCH_MAX_EVENT);
		for (size_t i = 0; i < len; i++)
			assert_int_equal(kube_watch_decoder_feed(&d, stream + i, 1, record, &s, NULL),
					 0);
		assert_string_equal(s.log, expected);
		cJSON_Delete(s.kept);
		kube_watch_decoder_release(&d);
	}
}

static void test_pretty_printed_and_crlf_events(void **state)
{
	static const char text[] = "\r\n  {\n \"type\": \"ADDED\",\n \"object\": {\n"
				   "  \"metadata\": {\"name\": \"p\", \"resourceVersion\": \"9\"}\n"
				   " }\n}\r\n{\"type\":\"DELETED\",\"object\":{\"metadata\":"
				   "{\"name\":\"p\",\"resourceVersion\":\"10\"}}}";
	struct kube_watch_decoder d;
	struct seen s = { .count = 0 };

	kube_watch_decoder_init(&d, KUBE_WATCH_MAX_EVENT);
	assert_int_equal(kube_watch_decoder_feed(&d, text, strlen(text), record, &s, NULL), 0);
	assert_string_equal(s.log, "ADDED p 9;DELETED p 10;");
	/* The object taken by the callback is ours to keep. */
	assert_string_equal(json_get_string(s.kept, "metadata.resourceVersion"), "10");
	cJSON_Delete(s.kept);
	kube_watch_decoder_release(&d);
}

static void test_callback_can_stop(void **state)
{
	struct kube_watch_decoder d;
	struct seen s = { .stop_after = 2 };

	kube_watch_decoder_init(&d, KUBE_WATCH_MAX_EVENT);
	assert_int_equal(kube_watch_decoder_feed(&d, stream, strlen(stream), record, &s, NULL), 1);
	assert_int_equal(s.count, 2);
	cJSON_Delete(s.kept);
	kube_watch_decoder_release(&d);
}

static void expect_error(const char *text, size_t max, const char *message)
{
	struct kube_watch_decoder d;
	struct seen s = { .count = 0 };
	struct error err = ERROR_INIT;

	kube_watch_decoder_init(&d, max);
	assert_int_equal(kube_watch_decoder_feed(&d, text, strlen(text), record, &s, &err), -1);
	assert_string_equal(err.msg, message);
	assert_int_equal(err.code, KUBE_ERR_RESPONSE);
	cJSON_Delete(s.kept);
	kube_watch_decoder_release(&d);
}

static void test_malformed_streams(void **state)
{
	expect_error("{\"type\":\"ADDED\",\"object\":{\"a\":nope}}\n", KUBE_WATCH_MAX_EVENT,
		     "watch event 1: invalid JSON at byte 30");
	expect_error("garbage\n", KUBE_WATCH_MAX_EVENT,
		     "watch stream: expected an event, found byte 0x67 after event 0");
	expect_error(EV("ADDED", "a", "1") "]", KUBE_WATCH_MAX_EVENT,
		     "watch stream: expected an event, found byte 0x5d after event 1");
	expect_error("{\"type\":\"RENAMED\",\"object\":{}}", KUBE_WATCH_MAX_EVENT,
		     "watch event 1: unknown type 'RENAMED'");
	expect_error("{\"type\":\"ADDED\",\"object\":[1]}", KUBE_WATCH_MAX_EVENT,
		     "watch event 1: ADDED has no object");
	expect_error("{\"object\":{}}", KUBE_WATCH_MAX_EVENT, "watch event 1: unknown type ''");
}

static void test_size_limit(void **state)
{
	static const char event[] = EV("ADDED", "a", "1"); /* with its newline */
	size_t exact = strlen(event) - 1;
	struct kube_watch_decoder d;
	struct seen s = { .count = 0 };
	struct error err = ERROR_INIT;

	/* Exactly at the limit, even split, is fine; one byte more is not. */
	kube_watch_decoder_init(&d, exact);
	assert_int_equal(kube_watch_decoder_feed(&d, event, 10, record, &s, &err), 0);
	assert_int_equal(kube_watch_decoder_feed(&d, event + 10, exact - 10, record, &s, &err), 0);
	assert_int_equal(s.count, 1);
	kube_watch_decoder_release(&d);
	{
		char message[128];

		snprintf(message, sizeof(message),
			 "watch event 1 is longer than the limit of %zu bytes", exact - 1);
		expect_error(event, exact - 1, message);
	}
	cJSON_Delete(s.kept);
	/* An unterminated giant never grows the buffer past the limit. */
	{
		char *big = malloc(100000);

		memset(big, 'x', 100000);
		big[0] = '{';
		big[1] = '"';
		kube_watch_decoder_init(&d, 1000);
		assert_int_equal(kube_watch_decoder_feed(&d, big, 999, record, &s, &err), 0);
		assert_int_equal(kube_watch_decoder_feed(&d, big + 999, 99001, record, &s, &err), -1);
		assert_true(d.pending.len <= 1000);
		kube_watch_decoder_release(&d);
		free(big);
	}
}

static void test_error_event_is_passed_on(void **state)
{
	static const char text[] =
		"{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
		"\"message\":\"too old resource version: 1 (5)\"}}\n";
	struct kube_watch_decoder d;
	struct seen s = { .count = 0 };
	int64_t code = 0;

	kube_watch_decoder_init(&d, KUBE_WATCH_MAX_EVENT);
	assert_int_equal(kube_watch_decoder_feed(&d, text, strlen(text), record, &s, NULL), 0);
	assert_string_equal(s.log, "ERROR - -;");
	assert_true(json_get_int64(s.kept, "code", &code));
	assert_int_equal(code, 410);
	cJSON_Delete(s.kept);
	kube_watch_decoder_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_stream_in_one_read),
		cmocka_unit_test(test_every_split_point_and_byte_by_byte),
		cmocka_unit_test(test_pretty_printed_and_crlf_events),
		cmocka_unit_test(test_callback_can_stop),
		cmocka_unit_test(test_malformed_streams),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_error_event_is_passed_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
