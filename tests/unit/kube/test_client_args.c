/* test_client_args.c — calls whose arguments are wrong fail at once with
 * KUBE_ERR_INVALID and a message, before any request is made (the client
 * points at a closed port: anything sent would fail differently). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "kube_bulk.h"
#include "kube_client.h"
#include "kube_informer.h"

static struct kube_client *offline_client(void)
{
	struct kube_overrides ov = { .server = "https://127.0.0.1:1",
				     .kubeconfig = "/dev/null" };
	struct kube_config *config = NULL;
	struct error err = ERROR_INIT;
	struct kube_client *client;

	assert_int_equal(kube_config_load(&ov, &config, &err), 0);
	client = kube_client_new(config, &err);
	assert_non_null(client);
	return client;
}

static void expect_invalid(int rc, const struct error *err, const char *message)
{
	assert_int_equal(rc, -1);
	assert_string_equal(err->msg, message);
	assert_int_equal(err->code, KUBE_ERR_INVALID);
}

static void test_rest_argument_checks(void **state)
{
	struct kube_client *client = offline_client();
	struct error err = ERROR_INIT;
	cJSON *array = cJSON_CreateArray(), *object = cJSON_CreateObject();
	cJSON *obj = cJSON_CreateObject();

	json_set_string(json_ensure_object(obj, "metadata"), "namespace", "other");
	expect_invalid(kube_create(client, &kube_configmaps, "default", array, NULL, NULL, &err),
		       &err, "create: the object must be a JSON object");
	expect_invalid(kube_create(client, &kube_configmaps, "default", obj, NULL, NULL, &err), &err,
		       "the namespace of the object (other) does not match the namespace of the "
		       "request (default)");
	expect_invalid(kube_replace(client, &kube_configmaps, "default", "x", array, NULL, NULL,
				    &err),
		       &err, "replace: the object must be a JSON object");
	expect_invalid(kube_patch(client, &kube_jobs, "default", "j", KUBE_PATCH_JSON, object, NULL,
				  NULL, &err),
		       &err, "a JSON patch must be an array of operations");
	expect_invalid(kube_get(client, &kube_pods, NULL, "p", NULL, &err), &err,
		       "pods 'p': a namespace is required");
	expect_invalid(kube_request_json(client, "GET", "version", NULL, NULL, NULL, &err), &err,
		       "request path 'version' must start with '/'");
	cJSON_Delete(array);
	cJSON_Delete(object);
	cJSON_Delete(obj);
	kube_client_free(client);
}

static void test_bulk_items_checked_before_sending(void **state)
{
	struct kube_client *client = offline_client();
	struct kube_bulk_item items[3] = {
		{ .verb = KUBE_BULK_GET, .resource = &kube_pods, .namespace = "default" },
		{ .verb = KUBE_BULK_CREATE, .resource = &kube_pods, .namespace = "default" },
		{ .verb = KUBE_BULK_DELETE, .resource = NULL, .name = "x" },
	};
	struct error err = ERROR_INIT;

	assert_int_equal(kube_bulk_run(client, items, 3, NULL, &err), -1);
	assert_string_equal(err.msg, "3 of 3 requests failed; the first: a bulk item needs a "
				     "resource and a name");
	assert_string_equal(items[1].err.msg, "a bulk POST needs a body");
	assert_int_equal(items[2].err.code, KUBE_ERR_INVALID);
	kube_bulk_items_release(items, 3);
	/* Nothing to do is not an error. */
	assert_int_equal(kube_bulk_run(client, NULL, 0, NULL, &err), 0);
	kube_client_free(client);
}

static void test_informer_needs_a_callback_and_cancel_is_immediate(void **state)
{
	struct kube_client *client = offline_client();
	struct kube_informer_opts opts = { .resource = &kube_pods };
	struct kube_cancel *cancel = kube_cancel_new();
	struct error err = ERROR_INIT;
	struct buf out = BUF_INIT(1024);

	assert_null(kube_informer_start(client, &opts, &err));
	assert_string_equal(err.msg, "an informer needs a resource and on_event");
	/* A call given an already triggered cancel does not even connect. */
	kube_cancel_trigger(cancel);
	assert_true(kube_cancel_is_triggered(cancel));
	assert_int_equal(kube_pod_logs_stream(client, "default", "p", NULL, NULL, NULL, cancel,
					      &err),
			 -1);
	assert_int_equal(err.code, KUBE_ERR_CANCELLED);
	kube_cancel_free(cancel);
	/* A full buffer asks for nothing. */
	out.max = 0;
	assert_int_equal(kube_pod_logs(client, "default", "p", NULL, &out, &err), 0);
	kube_client_free(client);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest_argument_checks),
		cmocka_unit_test(test_bulk_items_checked_before_sending),
		cmocka_unit_test(test_informer_needs_a_callback_and_cancel_is_immediate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
