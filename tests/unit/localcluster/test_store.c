/* test_store.c — the object store's reads and writes: server-set metadata,
 * defaulting and validation messages, conflicts, the status subresource,
 * patches, mutate, selectors and paging, binding and events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "cleanup.h"
#include "store_test_util.h"

static int setup(void **state)
{
	*state = open_memory_store();
	return 0;
}

static int teardown(void **state)
{
	store_close(*state);
	return 0;
}

static struct store_obj *create_ok(struct store *s, enum resource_kind kind, const char *ns,
				   const char *json)
{
	struct store_obj *obj = NULL;
	struct api_error err = API_ERROR_INIT;
	int rc = store_create(s, kind, ns, J(json), NULL, &obj, &err);

	if (rc < 0)
		fprintf(stderr, "create failed: %d %s\n", err.code, err.message);
	assert_int_equal(rc, 0);
	return obj;
}

static void test_initial_namespaces_exist(void **state)
{
	struct store *s = *state;

	assert_int_equal(store_get(s, RESOURCE_NAMESPACE, NULL, "default", NULL, NULL), 0);
	assert_int_equal(store_get(s, RESOURCE_NAMESPACE, NULL, "kube-system", NULL, NULL), 0);
}

static void test_create_sets_server_metadata(void **state)
{
	struct store *s = *state;
	uint64_t before = store_current_rv(s);
	struct store_obj *job = create_ok(s, RESOURCE_JOB, "default", JOB_JSON("pi"));
	_cleanup_json_ cJSON *tree = store_obj_parse(job);

	assert_int_equal(job->resource_version, before + 1);
	assert_string_equal(job->namespace, "default");
	assert_string_equal(job->name, "pi");
	assert_int_equal(strlen(job->uid), 36);
	assert_string_equal(json_get_string(tree, "metadata.uid"), job->uid);
	assert_non_null(json_get_string(tree, "metadata.creationTimestamp"));
	assert_string_equal(json_get_string(tree, "kind"), "Job");
	/* The text starts like the real server's. */
	assert_true(!strncmp(job->json, "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\"",
			     47));
	{
		int64_t generation = 0;

		assert_true(json_get_int64(tree, "metadata.generation", &generation));
		assert_int_equal(generation, 1);
	}
	store_obj_unref(job);
}

static void test_job_defaults_like_the_real_server(void **state)
{
	struct store *s = *state;
	struct store_obj *job = create_ok(s, RESOURCE_JOB, "default", JOB_JSON("defaults"));
	_cleanup_json_ cJSON *t = store_obj_parse(job);
	int64_t v;

	assert_true(json_get_int64(t, "spec.completions", &v) && v == 1);
	assert_true(json_get_int64(t, "spec.parallelism", &v) && v == 1);
	assert_true(json_get_int64(t, "spec.backoffLimit", &v) && v == 6);
	assert_string_equal(json_get_string(t, "spec.completionMode"), "NonIndexed");
	assert_string_equal(json_get_string(t, "spec.podReplacementPolicy"), "TerminatingOrFailed");
	assert_false(json_get_bool(t, "spec.suspend", true));
	assert_string_equal(json_get_child_string(json_get(t, "spec.selector.matchLabels"),
						  "batch.kubernetes.io/controller-uid"),
			    job->uid);
	assert_string_equal(json_get_child_string(json_get(t, "spec.template.metadata.labels"),
						  "batch.kubernetes.io/job-name"),
			    "defaults");
	{
		const cJSON *c = cJSON_GetArrayItem(json_get(t, "spec.template.spec.containers"), 0);

		assert_string_equal(json_get_string(c, "terminationMessagePath"),
				    "/dev/termination-log");
		assert_string_equal(json_get_string(c, "terminationMessagePolicy"), "File");
		assert_string_equal(json_get_string(c, "imagePullPolicy"), "IfNotPresent");
	}
	assert_non_null(json_get(t, "status"));
	assert_int_equal(cJSON_GetArraySize(json_get(t, "status")), 0);
	store_obj_unref(job);
}

static void test_pod_defaults_and_status(void **state)
{
	struct store *s = *state;
	struct store_obj *pod = create_ok(s, RESOURCE_POD, "default", POD_JSON("p"));
	_cleanup_json_ cJSON *t = store_obj_parse(pod);
	const cJSON *c = cJSON_GetArrayItem(json_get(t, "spec.containers"), 0);

	assert_string_equal(json_get_string(t, "status.phase"), "Pending");
	assert_string_equal(json_get_string(t, "status.qosClass"), "BestEffort");
	assert_string_equal(json_get_string(t, "spec.restartPolicy"), "Always");
	assert_string_equal(json_get_string(t, "spec.serviceAccountName"), "default");
	assert_string_equal(json_get_string(c, "imagePullPolicy"), "Always");
	assert_int_equal(cJSON_GetArraySize(json_get(t, "spec.tolerations")), 2);
	store_obj_unref(pod);
}

static void test_generate_name(void **state)
{
	struct store *s = *state;
	struct store_obj *a = create_ok(s, RESOURCE_CONFIGMAP, "default",
					"{\"metadata\":{\"generateName\":\"run-\"}}");
	struct store_obj *b = create_ok(s, RESOURCE_CONFIGMAP, "default",
					"{\"metadata\":{\"generateName\":\"run-\"}}");

	assert_true(str_has_prefix(a->name, "run-"));
	assert_int_equal(strlen(a->name), 9);
	assert_string_not_equal(a->name, b->name);
	store_obj_unref(a);
	store_obj_unref(b);
}

static void test_errors_are_worded_like_the_real_server(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;

	assert_int_equal(store_get(s, RESOURCE_JOB, "default", "nope", NULL, &err), -1);
	assert_int_equal(err.code, 404);
	assert_string_equal(err.reason, "NotFound");
	assert_string_equal(err.message, "jobs.batch \"nope\" not found");
	assert_string_equal(err.kind, "jobs");
	assert_string_equal(err.group, "batch");

	store_obj_unref(create_ok(s, RESOURCE_JOB, "default", JOB_JSON("twice")));
	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(JOB_JSON("twice")), NULL, NULL,
				      &err),
			 -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "AlreadyExists");
	assert_string_equal(err.message, "jobs.batch \"twice\" already exists");

	assert_int_equal(store_create(s, RESOURCE_JOB, "missing", J(JOB_JSON("x")), NULL, NULL,
				      &err),
			 -1);
	assert_int_equal(err.code, 404);
	assert_string_equal(err.message, "namespaces \"missing\" not found");

	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"}}"),
				      NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message, "the namespace of the provided object does not match the "
					 "namespace sent on the request");
}

static void test_job_without_restart_policy_is_invalid(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;
	const char *job = "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"template\":{\"spec\":{"
			  "\"containers\":[{\"name\":\"main\",\"image\":\"x\"}]}}}}";

	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(job), NULL, NULL, &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.reason, "Invalid");
	assert_string_equal(err.message,
			    "Job.batch \"bad\" is invalid: spec.template.spec.restartPolicy: "
			    "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
	assert_int_equal(err.n_causes, 1);
	assert_string_equal(err.causes[0].reason, "FieldValueNotSupported");
	assert_string_equal(err.causes[0].field, "spec.template.spec.restartPolicy");
	assert_string_equal(err.kind, "Job");
}

static void test_several_causes_are_listed(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;
	const char *job = "{\"metadata\":{\"name\":\"bad2\"},\"spec\":{\"completionMode\":"
			  "\"Indexed\",\"parallelism\":2,\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
			  "\"containers\":[{\"name\":\"Main\"}]}}}}";

	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(job), NULL, NULL, &err), -1);
	assert_int_equal(err.code, 422);
	assert_int_equal(err.n_causes, 3);
	assert_non_null(strstr(err.message, "is invalid: [spec.completions: Required value: when "
					    "completion mode is Indexed, "));
	assert_non_null(strstr(err.message, "spec.template.spec.containers[0].name: Invalid value: "
					    "\"Main\": a lowercase RFC 1123 label"));
	assert_non_null(strstr(err.message, "spec.template.spec.containers[0].image: Required value]"));
}

static void test_update_conflict_and_unconditional(void **state)
{
	struct store *s = *state;
	struct store_obj *cm = create_ok(s, RESOURCE_CONFIGMAP, "default", CONFIGMAP_JSON("c", "{}"));
	struct store_obj *updated = NULL;
	struct api_error err = API_ERROR_INIT;
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"%llu\"},\"data\":{\"k\":\"2\"}}",
		 (unsigned long long)cm->resource_version);
	assert_int_equal(store_update(s, RESOURCE_CONFIGMAP, "default", "c", J(body), NULL, &updated,
				      &err),
			 0);
	assert_true(updated->resource_version > cm->resource_version);
	assert_string_equal(updated->uid, cm->uid);
	/* The same (now stale) resourceVersion again: 409. */
	assert_int_equal(store_update(s, RESOURCE_CONFIGMAP, "default", "c", J(body), NULL, NULL,
				      &err),
			 -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "Conflict");
	assert_string_equal(err.message,
			    "Operation cannot be fulfilled on configmaps \"c\": the object has been "
			    "modified; please apply your changes to the latest version and try again");
	/* Without a resourceVersion the update is unconditional. */
	store_obj_unref(updated);
	assert_int_equal(store_update(s, RESOURCE_CONFIGMAP, "default", "c",
				      J("{\"data\":{\"k\":\"3\"}}"), NULL, &updated, &err),
			 0);
	assert_non_null(strstr(updated->json, "\"k\":\"3\""));
	/* A name that disagrees with the URL is refused. */
	assert_int_equal(store_update(s, RESOURCE_CONFIGMAP, "default", "c",
				      J("{\"metadata\":{\"name\":\"d\"}}"), NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 400);
	store_obj_unref(updated);
	store_obj_unref(cm);
}

static void test_noop_update_keeps_resource_version(void **state)
{
	struct store *s = *state;
	struct store_obj *cm = create_ok(s, RESOURCE_CONFIGMAP, "default", CONFIGMAP_JSON("n", "{}"));
	struct store_obj *same = NULL;
	uint64_t rv = store_current_rv(s);

	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "n", STORE_PATCH_MERGE,
				     "{\"data\":{\"k\":\"v\"}}", NULL, &same, NULL),
			 0);
	assert_int_equal(same->resource_version, cm->resource_version);
	assert_int_equal(store_current_rv(s), rv);
	store_obj_unref(same);
	store_obj_unref(cm);
}

static void test_status_subresource(void **state)
{
	struct store *s = *state;
	struct store_obj *job = create_ok(s, RESOURCE_JOB, "default", JOB_JSON("st"));
	struct store_write_options status = { .status = true };
	struct store_obj *after = NULL;
	_cleanup_json_ cJSON *t = NULL;
	int64_t v;

	/* A status write changes status only... */
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "st", STORE_PATCH_MERGE,
				     "{\"spec\":{\"parallelism\":5},\"status\":{\"active\":1}}",
				     &status, &after, NULL),
			 0);
	t = store_obj_parse(after);
	assert_true(json_get_int64(t, "status.active", &v) && v == 1);
	assert_true(json_get_int64(t, "spec.parallelism", &v) && v == 1);
	assert_true(json_get_int64(t, "metadata.generation", &v) && v == 1);
	store_obj_unref(after);
	cJSON_Delete(t);
	/* ...and a main write everything but status, counting generation up. */
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "st", STORE_PATCH_MERGE,
				     "{\"spec\":{\"parallelism\":5},\"status\":{\"active\":7}}",
				     NULL, &after, NULL),
			 0);
	t = store_obj_parse(after);
	assert_true(json_get_int64(t, "status.active", &v) && v == 1);
	assert_true(json_get_int64(t, "spec.parallelism", &v) && v == 5);
	assert_true(json_get_int64(t, "metadata.generation", &v) && v == 2);
	store_obj_unref(after);
	store_obj_unref(job);
}

static void test_job_template_is_immutable(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;
	const char *patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\","
			    "\"image\":\"other\"}]}}}}";

	store_obj_unref(create_ok(s, RESOURCE_JOB, "default", JOB_JSON("imm")));
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "imm", STORE_PATCH_STRATEGIC, patch,
				     NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_true(str_has_prefix(err.message,
				   "Job.batch \"imm\" is invalid: spec.template: Invalid value: "));
	assert_true(str_has_suffix(err.message, ": field is immutable"));
}

/* The real server's other immutable Job fields: completionMode always;
 * completions unless an Indexed Job changes it together with parallelism
 * (elastic Indexed Jobs). parallelism itself may change. */
static void test_job_completion_mode_and_completions_are_immutable(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;
	const char *indexed = "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":"
			      "\"elastic\"},\"spec\":{\"completionMode\":\"Indexed\",\"completions\":2,"
			      "\"parallelism\":2,\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
			      "\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}}}";
	struct store_obj *obj = NULL;

	store_obj_unref(create_ok(s, RESOURCE_JOB, "default", JOB_JSON("fixed")));
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "fixed", STORE_PATCH_MERGE,
				    "{\"spec\":{\"completionMode\":\"Indexed\"}}", NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.message, "Job.batch \"fixed\" is invalid: spec.completionMode: "
					 "Invalid value: \"Indexed\": field is immutable");
	api_error_clear(&err);
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "fixed", STORE_PATCH_MERGE,
				    "{\"spec\":{\"completions\":3,\"parallelism\":3}}", NULL, NULL,
				    &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.message, "Job.batch \"fixed\" is invalid: spec.completions: "
					 "Invalid value: 3: field is immutable");
	api_error_clear(&err);
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "fixed", STORE_PATCH_MERGE,
				    "{\"spec\":{\"parallelism\":4}}", NULL, &obj, &err),
			 0);
	assert_non_null(strstr(obj->json, "\"parallelism\":4,"));
	store_obj_unref(obj);

	store_obj_unref(create_ok(s, RESOURCE_JOB, "default", indexed));
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "elastic", STORE_PATCH_MERGE,
				    "{\"spec\":{\"completions\":5,\"parallelism\":5}}", NULL, &obj,
				    &err),
			 0);
	assert_non_null(strstr(obj->json, "\"completions\":5,"));
	store_obj_unref(obj);
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "elastic", STORE_PATCH_MERGE,
				    "{\"spec\":{\"completions\":6}}", NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.message, "Job.batch \"elastic\" is invalid: spec.completions: "
					 "Invalid value: 6: field is immutable");
	api_error_clear(&err);
}

/* In-process callers may pass no error: an invalid write is refused all
 * the same, on create and on update. */
static void test_invalid_writes_fail_without_an_error_to_fill(void **state)
{
	struct store *s = *state;
	const char *job = "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"template\":{\"spec\":{"
			  "\"containers\":[{\"name\":\"main\",\"image\":\"x\"}]}}}}";
	const char *patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\","
			    "\"image\":\"other\"}]}}}}";

	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(job), NULL, NULL, NULL), -1);
	store_obj_unref(create_ok(s, RESOURCE_JOB, "default", JOB_JSON("imm2")));
	assert_int_equal(patch_text(s, RESOURCE_JOB, "default", "imm2", STORE_PATCH_STRATEGIC, patch,
				     NULL, NULL, NULL),
			 -1);
}

/* An immutable ConfigMap keeps its data, but its metadata may change (an
 * owner reference added after the owner was created), with or without
 * `data` or `binaryData`. */
static void test_immutable_configmap_metadata_may_change(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;
	struct store_obj *after = NULL;

	store_obj_unref(create_ok(s, RESOURCE_CONFIGMAP, "default",
				  "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
				  "{\"name\":\"files\"},\"immutable\":true,\"binaryData\":"
				  "{\"a.tar\":\"AAEC\"}}"));
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "files", STORE_PATCH_MERGE,
				    "{\"metadata\":{\"labels\":{\"owned\":\"yes\"}}}", NULL, &after,
				    &err),
			 0);
	store_obj_unref(after);
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "files", STORE_PATCH_MERGE,
				    "{\"binaryData\":{\"a.tar\":\"AAED\"}}", NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_non_null(strstr(err.message, "binaryData: Forbidden: field is immutable"));
}

static void test_strategic_patch_merges_containers_by_name(void **state)
{
	struct store *s = *state;
	struct store_obj *after = NULL;
	const char *patch = "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"main\"}],"
			    "\"containers\":[{\"name\":\"main\",\"image\":\"busybox:2\"}]}}";
	_cleanup_json_ cJSON *t = NULL;
	const cJSON *c;

	store_obj_unref(create_ok(s, RESOURCE_POD, "default", POD_JSON("smp")));
	assert_int_equal(patch_text(s, RESOURCE_POD, "default", "smp", STORE_PATCH_STRATEGIC,
				     patch, NULL, &after, NULL),
			 0);
	t = store_obj_parse(after);
	c = cJSON_GetArrayItem(json_get(t, "spec.containers"), 0);
	assert_int_equal(cJSON_GetArraySize(json_get(t, "spec.containers")), 1);
	assert_string_equal(json_get_string(c, "image"), "busybox:2");
	/* Fields the patch did not name survive the merge. */
	assert_string_equal(json_get_string(c, "terminationMessagePath"), "/dev/termination-log");
	store_obj_unref(after);
}

static int add_label(cJSON *obj, void *ctx, struct api_error *err)
{
	int *calls = ctx;

	(*calls)++;
	json_set_string(json_ensure_object(obj, "metadata.labels"), "touched", "yes");
	return 0;
}

static int no_change(cJSON *obj, void *ctx, struct api_error *err)
{
	return 1;
}

static void test_mutate(void **state)
{
	struct store *s = *state;
	struct store_obj *cm = create_ok(s, RESOURCE_CONFIGMAP, "default", CONFIGMAP_JSON("m", "{}"));
	struct store_obj *after = NULL;
	int calls = 0;

	assert_int_equal(store_mutate(s, RESOURCE_CONFIGMAP, "default", "m", add_label, &calls,
				      NULL, &after, NULL),
			 0);
	assert_int_equal(calls, 1);
	assert_string_equal(store_obj_label(after, "touched"), "yes");
	store_obj_unref(after);
	assert_int_equal(store_mutate(s, RESOURCE_CONFIGMAP, "default", "m", no_change, NULL, NULL,
				      &after, NULL),
			 0);
	assert_true(after->resource_version > cm->resource_version);
	store_obj_unref(after);
	store_obj_unref(cm);
}

static void test_list_selectors_and_paging(void **state)
{
	struct store *s = *state;
	struct store_list list = STORE_LIST_INIT;
	struct store_list_options opts = { 0 };
	struct api_error err = API_ERROR_INIT;
	char json[256];
	_cleanup_free_ char *token = NULL;

	for (int i = 0; i < 10; i++) {
		snprintf(json, sizeof(json),
			 "{\"metadata\":{\"name\":\"cm-%d\",\"labels\":{\"app\":\"%s\",\"i\":\"%d\"}}}",
			 i, i % 2 ? "odd" : "even", i);
		store_obj_unref(create_ok(s, RESOURCE_CONFIGMAP, "default", json));
	}
	store_obj_unref(create_ok(s, RESOURCE_CONFIGMAP, "kube-system", CONFIGMAP_JSON("z", "{}")));

	opts.label_selector = "app=odd,i notin (1,3)";
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", &opts, &list, &err), 0);
	assert_int_equal(list.len, 3);
	assert_string_equal(list.items[0]->name, "cm-5");
	assert_int_equal(list.resource_version, store_current_rv(s));
	store_list_release(&list);

	opts.label_selector = "i>7";
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, NULL, &opts, &list, &err), 0);
	assert_int_equal(list.len, 2);
	store_list_release(&list);

	opts.label_selector = NULL;
	opts.field_selector = "metadata.namespace=kube-system";
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, NULL, &opts, &list, &err), 0);
	assert_int_equal(list.len, 1);
	assert_string_equal(list.items[0]->name, "z");
	store_list_release(&list);

	opts.field_selector = "spec.foo=1";
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, NULL, &opts, &list, &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message, "field label not supported: spec.foo");

	opts.field_selector = NULL;
	opts.label_selector = "app in (odd";
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, NULL, &opts, &list, &err), -1);
	assert_int_equal(err.code, 400);

	/* Pages of 4 over the 10 in default: 4, 4, 2. */
	opts.label_selector = NULL;
	opts.limit = 4;
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", &opts, &list, &err), 0);
	assert_int_equal(list.len, 4);
	assert_int_equal(list.remaining, 6);
	assert_non_null(list.continue_token);
	token = xstrdup(list.continue_token);
	store_list_release(&list);
	opts.continue_token = token;
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", &opts, &list, &err), 0);
	assert_int_equal(list.len, 4);
	assert_string_equal(list.items[0]->name, "cm-4");
	free(token);
	token = xstrdup(list.continue_token);
	store_list_release(&list);
	opts.continue_token = token;
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", &opts, &list, &err), 0);
	assert_int_equal(list.len, 2);
	assert_null(list.continue_token);
	store_list_release(&list);

	opts.continue_token = "not-a-token";
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", &opts, &list, &err), -1);
	assert_int_equal(err.code, 400);
}

static void test_pod_field_selectors(void **state)
{
	struct store *s = *state;
	struct store_list list = STORE_LIST_INIT;
	struct store_list_options opts = { .field_selector = "spec.nodeName=" };

	store_obj_unref(create_ok(s, RESOURCE_POD, "default", POD_JSON("unbound")));
	store_obj_unref(create_ok(s, RESOURCE_POD, "default", POD_JSON("bound")));
	assert_int_equal(store_bind_pod(s, "default", "bound", "local", NULL, NULL), 0);
	assert_int_equal(store_list(s, RESOURCE_POD, "default", &opts, &list, NULL), 0);
	assert_int_equal(list.len, 1);
	assert_string_equal(list.items[0]->name, "unbound");
	store_list_release(&list);
	opts.field_selector = "spec.nodeName=local,status.phase=Pending";
	assert_int_equal(store_list(s, RESOURCE_POD, "default", &opts, &list, NULL), 0);
	assert_int_equal(list.len, 1);
	assert_string_equal(list.items[0]->name, "bound");
	store_list_release(&list);
}

static void test_bind_pod(void **state)
{
	struct store *s = *state;
	struct store_obj *pod = NULL;
	struct api_error err = API_ERROR_INIT;
	_cleanup_json_ cJSON *t = NULL;
	const cJSON *condition;

	store_obj_unref(create_ok(s, RESOURCE_POD, "default", POD_JSON("b")));
	assert_int_equal(store_bind_pod(s, "default", "b", "local", &pod, &err), 0);
	t = store_obj_parse(pod);
	assert_string_equal(json_get_string(t, "spec.nodeName"), "local");
	condition = cJSON_GetArrayItem(json_get(t, "status.conditions"), 0);
	assert_string_equal(json_get_string(condition, "type"), "PodScheduled");
	assert_string_equal(json_get_string(condition, "status"), "True");
	assert_int_equal(store_bind_pod(s, "default", "b", "other", NULL, &err), -1);
	assert_int_equal(err.code, 409);
	/* A user may not change nodeName with an update. */
	assert_int_equal(patch_text(s, RESOURCE_POD, "default", "b", STORE_PATCH_MERGE,
				     "{\"spec\":{\"nodeName\":\"x\"}}", NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_non_null(strstr(err.message, "spec: Forbidden: pod updates may not change fields"));
	store_obj_unref(pod);
}

static void test_dry_run_stores_nothing(void **state)
{
	struct store *s = *state;
	struct store_write_options dry = { .dry_run = true };
	struct store_obj *preview = NULL;
	uint64_t rv = store_current_rv(s);

	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(JOB_JSON("dry")), &dry,
				      &preview, NULL),
			 0);
	assert_string_equal(preview->name, "dry");
	assert_int_equal(store_current_rv(s), rv);
	assert_int_equal(store_get(s, RESOURCE_JOB, "default", "dry", NULL, NULL), -1);
	store_obj_unref(preview);
}

static void test_events_are_counted_up(void **state)
{
	struct store *s = *state;
	struct store_obj *pod = create_ok(s, RESOURCE_POD, "default", POD_JSON("ev"));
	struct store_list list = STORE_LIST_INIT;
	struct store_list_options opts = { .field_selector = "involvedObject.name=ev" };
	_cleanup_json_ cJSON *e = NULL;
	int64_t count = 0;

	for (int i = 0; i < 3; i++)
		assert_int_equal(store_record_event(s, pod, NULL, "Warning", "FailedScheduling",
						    "default-scheduler", "0/%d nodes are available", 1),
				 0);
	assert_int_equal(store_record_event(s, pod, NULL, "Normal", "Scheduled",
					    "default-scheduler", "assigned"),
			 0);
	assert_int_equal(store_list(s, RESOURCE_EVENT, "default", &opts, &list, NULL), 0);
	assert_int_equal(list.len, 2);
	for (size_t i = 0; i < list.len; i++) {
		cJSON *t = store_obj_parse(list.items[i]);

		if (str_eq(json_get_string(t, "reason"), "FailedScheduling")) {
			e = t;
		} else {
			cJSON_Delete(t);
		}
	}
	assert_non_null(e);
	assert_true(json_get_int64(e, "count", &count));
	assert_int_equal(count, 3);
	assert_string_equal(json_get_string(e, "message"), "0/1 nodes are available");
	assert_string_equal(json_get_string(e, "involvedObject.kind"), "Pod");
	assert_string_equal(json_get_string(e, "involvedObject.uid"), pod->uid);
	assert_string_equal(json_get_string(e, "source.component"), "default-scheduler");
	store_list_release(&list);
	store_obj_unref(pod);
}

/* Many threads updating one object unconditionally: none is lost. */
struct race_ctx {
	struct store *s;
	int failures;
};

static int increment(cJSON *obj, void *ctx, struct api_error *err)
{
	cJSON *data = json_ensure_object(obj, "data");
	int64_t n = 0;
	const char *text = json_get_child_string(data, "n");
	char buf[24];

	if (text)
		str_to_int64(text, &n);
	snprintf(buf, sizeof(buf), "%lld", (long long)(n + 1));
	json_set_string(data, "n", buf);
	return 0;
}

static void *race_main(void *arg)
{
	struct race_ctx *ctx = arg;

	for (int i = 0; i < 100; i++) {
		struct api_error err = API_ERROR_INIT;

		if (store_mutate(ctx->s, RESOURCE_CONFIGMAP, "default", "counter", increment, NULL,
				 NULL, NULL, &err) < 0) {
			fprintf(stderr, "mutate: %s\n", err.message);
			__atomic_add_fetch(&ctx->failures, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void test_concurrent_mutations_are_not_lost(void **state)
{
	struct store *s = *state;
	struct race_ctx ctx = { s, 0 };
	pthread_t threads[4];
	struct store_obj *cm = NULL;
	_cleanup_json_ cJSON *t = NULL;

	store_obj_unref(create_ok(s, RESOURCE_CONFIGMAP, "default", "{\"metadata\":{\"name\":"
								    "\"counter\"},\"data\":{}}"));
	for (int i = 0; i < 4; i++)
		pthread_create(&threads[i], NULL, race_main, &ctx);
	for (int i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(ctx.failures, 0);
	assert_int_equal(store_get(s, RESOURCE_CONFIGMAP, "default", "counter", &cm, NULL), 0);
	t = store_obj_parse(cm);
	assert_string_equal(json_get_string(t, "data.n"), "400");
	store_obj_unref(cm);
}

static void test_secret_string_data_and_validation(void **state)
{
	struct store *s = *state;
	struct store_obj *secret = create_ok(
		s, RESOURCE_SECRET, "default",
		"{\"metadata\":{\"name\":\"sec\"},\"stringData\":{\"password\":\"hunter2\"}}");
	_cleanup_json_ cJSON *t = store_obj_parse(secret);
	struct api_error err = API_ERROR_INIT;

	assert_string_equal(json_get_string(t, "data.password"), "aHVudGVyMg==");
	assert_null(json_get(t, "stringData"));
	assert_string_equal(json_get_string(t, "type"), "Opaque");
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"bad\"},\"data\":{\"a b\":\"x\"}}"),
				      NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_non_null(strstr(err.message, "data[a b]: Invalid value: \"a b\": a valid config key"));
	store_obj_unref(secret);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_namespaces_exist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_sets_server_metadata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_defaults_like_the_real_server, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pod_defaults_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generate_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_are_worded_like_the_real_server, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_job_without_restart_policy_is_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_several_causes_are_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_conflict_and_unconditional, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_noop_update_keeps_resource_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_subresource, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_writes_fail_without_an_error_to_fill,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_template_is_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_completion_mode_and_completions_are_immutable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_immutable_configmap_metadata_may_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_strategic_patch_merges_containers_by_name,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_selectors_and_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pod_field_selectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_pod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_are_counted_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_mutations_are_not_lost, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_secret_string_data_and_validation, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
