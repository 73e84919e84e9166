/* test_store_delete.c — deletion: finalizers, the garbage collector's
 * Background/Foreground/Orphan propagation (and batch/v1 Jobs orphaning
 * by default), dangling owner references, preconditions and namespaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

/* A ConfigMap owned by `owner` (blockOwnerDeletion as given). */
static void create_dependent(struct store *s, const char *name, const struct store_obj *owner,
			     bool block)
{
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"metadata\":{\"name\":\"%s\",\"ownerReferences\":[{\"apiVersion\":\"%s\","
		 "\"kind\":\"%s\",\"name\":\"%s\",\"uid\":\"%s\",\"controller\":true,"
		 "\"blockOwnerDeletion\":%s}]}}",
		 name, resource_get(owner->kind)->api_version, resource_get(owner->kind)->kind,
		 owner->name, owner->uid, block ? "true" : "false");
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default", J(json), NULL, NULL, NULL),
			 0);
}

static struct store_obj *create_owner(struct store *s, const char *name)
{
	char json[256];
	struct store_obj *owner = NULL;

	snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\"}}", name);
	assert_int_equal(store_create(s, RESOURCE_SECRET, "default", J(json), NULL, &owner, NULL),
			 0);
	return owner;
}

static bool has_no_owners(const struct store_obj *obj)
{
	return obj->n_owners == 0;
}

static void test_background_deletes_dependents(void **state)
{
	struct store *s = *state;
	struct store_obj *owner = create_owner(s, "owner");
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	bool deleted = false;

	create_dependent(s, "dep-1", owner, false);
	create_dependent(s, "dep-2", owner, true);
	opts.propagation = STORE_PROPAGATION_BACKGROUND;
	assert_int_equal(store_delete(s, RESOURCE_SECRET, "default", "owner", &opts, NULL, &deleted,
				      NULL),
			 0);
	assert_true(deleted);
	assert_true(wait_gone(s, RESOURCE_CONFIGMAP, "default", "dep-1"));
	assert_true(wait_gone(s, RESOURCE_CONFIGMAP, "default", "dep-2"));
	store_obj_unref(owner);
}

static void test_orphan_keeps_dependents(void **state)
{
	struct store *s = *state;
	struct store_obj *owner = create_owner(s, "owner");
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	struct store_obj *terminating = NULL;
	bool deleted = true;

	create_dependent(s, "kept", owner, true);
	opts.propagation = STORE_PROPAGATION_ORPHAN;
	assert_int_equal(store_delete(s, RESOURCE_SECRET, "default", "owner", &opts, &terminating,
				      &deleted, NULL),
			 0);
	assert_false(deleted);
	assert_true(store_obj_has_finalizer(terminating, "orphan"));
	assert_true(wait_gone(s, RESOURCE_SECRET, "default", "owner"));
	assert_true(wait_for(s, RESOURCE_CONFIGMAP, "default", "kept", has_no_owners));
	store_obj_unref(terminating);
	store_obj_unref(owner);
}

static bool job_is_gone_or_orphaning(const struct store_obj *obj)
{
	return obj->terminating;
}

static void test_jobs_orphan_their_pods_by_default(void **state)
{
	struct store *s = *state;
	struct store_obj *job = NULL;

	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(JOB_JSON("j")), NULL, &job, NULL),
			 0);
	create_dependent(s, "pod-like", job, true);
	assert_int_equal(store_delete(s, RESOURCE_JOB, "default", "j", NULL, NULL, NULL, NULL), 0);
	(void)job_is_gone_or_orphaning;
	assert_true(wait_gone(s, RESOURCE_JOB, "default", "j"));
	assert_true(wait_for(s, RESOURCE_CONFIGMAP, "default", "pod-like", has_no_owners));
	store_obj_unref(job);
}

static void test_foreground_waits_for_blocking_dependents(void **state)
{
	struct store *s = *state;
	struct store_obj *owner = create_owner(s, "owner");
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	struct store_obj *terminating = NULL;
	bool deleted = true;

	create_dependent(s, "blocker", owner, true);
	/* The dependent holds a finalizer of its own, so it lingers. */
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "blocker", STORE_PATCH_MERGE,
				     "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}",
				     NULL, NULL, NULL),
			 0);
	opts.propagation = STORE_PROPAGATION_FOREGROUND;
	assert_int_equal(store_delete(s, RESOURCE_SECRET, "default", "owner", &opts, &terminating,
				      &deleted, NULL),
			 0);
	assert_false(deleted);
	assert_true(store_obj_has_finalizer(terminating, "foregroundDeletion"));
	store_obj_unref(terminating);
	/* The dependent gets its deletionTimestamp; the owner waits. */
	assert_true(wait_for(s, RESOURCE_CONFIGMAP, "default", "blocker", job_is_gone_or_orphaning));
	assert_int_equal(store_get(s, RESOURCE_SECRET, "default", "owner", NULL, NULL), 0);
	/* Releasing the dependent's finalizer lets both go. */
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "blocker", STORE_PATCH_JSON,
				     "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]",
				     NULL, NULL, NULL),
			 0);
	assert_true(wait_gone(s, RESOURCE_CONFIGMAP, "default", "blocker"));
	assert_true(wait_gone(s, RESOURCE_SECRET, "default", "owner"));
	store_obj_unref(owner);
}

static void test_dangling_owner_reference_is_collected(void **state)
{
	struct store *s = *state;

	assert_int_equal(
		store_create(s, RESOURCE_CONFIGMAP, "default",
			     J("{\"metadata\":{\"name\":\"orphaned\",\"ownerReferences\":[{"
			       "\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"name\":\"ghost\","
			       "\"uid\":\"00000000-0000-4000-8000-000000000000\"}]}}"),
			     NULL, NULL, NULL),
		0);
	assert_true(wait_gone(s, RESOURCE_CONFIGMAP, "default", "orphaned"));
}

static void test_finalizers_hold_deletion(void **state)
{
	struct store *s = *state;
	struct store_obj *obj = NULL;
	struct api_error err = API_ERROR_INIT;
	bool deleted = true;

	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"held\",\"finalizers\":["
					"\"example.com/a\"]}}"),
				      NULL, NULL, NULL),
			 0);
	assert_int_equal(store_delete(s, RESOURCE_CONFIGMAP, "default", "held", NULL, &obj, &deleted,
				      NULL),
			 0);
	assert_false(deleted);
	assert_true(obj->terminating);
	store_obj_unref(obj);
	/* No new finalizers while terminating. */
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "held", STORE_PATCH_MERGE,
				     "{\"metadata\":{\"finalizers\":[\"example.com/a\","
				     "\"example.com/b\"]}}", NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 422);
	assert_non_null(strstr(err.message, "metadata.finalizers: Forbidden: no new finalizers"));
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "default", "held", STORE_PATCH_MERGE,
				     "{\"metadata\":{\"finalizers\":null}}", NULL, NULL, NULL),
			 0);
	assert_int_equal(store_get(s, RESOURCE_CONFIGMAP, "default", "held", NULL, &err), -1);
	assert_int_equal(err.code, 404);
}

static void test_delete_preconditions(void **state)
{
	struct store *s = *state;
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	struct api_error err = API_ERROR_INIT;

	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"pre\"}}"), NULL, NULL, NULL),
			 0);
	opts.precondition_uid = "not-the-uid";
	assert_int_equal(store_delete(s, RESOURCE_CONFIGMAP, "default", "pre", &opts, NULL, NULL,
				      &err),
			 -1);
	assert_int_equal(err.code, 409);
	assert_true(str_has_prefix(err.message, "Operation cannot be fulfilled on configmaps "
						"\"pre\": Precondition failed: UID in precondition: "
						"not-the-uid, UID in object meta: "));
	assert_int_equal(store_delete(s, RESOURCE_CONFIGMAP, "default", "nope", NULL, NULL, NULL,
				      &err),
			 -1);
	assert_int_equal(err.code, 404);
}

static void test_namespace_deletion_empties_it(void **state)
{
	struct store *s = *state;
	struct store_obj *ns = NULL;
	struct api_error err = API_ERROR_INIT;
	_cleanup_json_ cJSON *t = NULL;

	assert_int_equal(store_create(s, RESOURCE_NAMESPACE, NULL,
				      J("{\"metadata\":{\"name\":\"team\"}}"), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_create(s, RESOURCE_JOB, "team", J(JOB_JSON("j")), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "team",
				      J("{\"metadata\":{\"name\":\"c\"}}"), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_delete(s, RESOURCE_NAMESPACE, NULL, "team", NULL, &ns, NULL, NULL), 0);
	t = store_obj_parse(ns);
	assert_string_equal(json_get_string(t, "status.phase"), "Terminating");
	store_obj_unref(ns);
	assert_true(wait_gone(s, RESOURCE_NAMESPACE, NULL, "team"));
	assert_int_equal(store_get(s, RESOURCE_JOB, "team", "j", NULL, NULL), -1);
	assert_int_equal(store_get(s, RESOURCE_CONFIGMAP, "team", "c", NULL, NULL), -1);

	assert_int_equal(store_delete(s, RESOURCE_NAMESPACE, NULL, "default", NULL, NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 403);
	assert_string_equal(err.message,
			    "namespaces \"default\" is forbidden: this namespace may not be deleted");
}

static void test_terminating_namespace_refuses_new_objects(void **state)
{
	struct store *s = *state;
	struct api_error err = API_ERROR_INIT;

	assert_int_equal(store_create(s, RESOURCE_NAMESPACE, NULL,
				      J("{\"metadata\":{\"name\":\"closing\"}}"), NULL, NULL, NULL),
			 0);
	/* A lingering object keeps the namespace terminating. */
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "closing",
				      J("{\"metadata\":{\"name\":\"c\",\"finalizers\":["
					"\"example.com/x\"]}}"),
				      NULL, NULL, NULL),
			 0);
	assert_int_equal(store_delete(s, RESOURCE_NAMESPACE, NULL, "closing", NULL, NULL, NULL, NULL),
			 0);
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "closing",
				      J("{\"metadata\":{\"name\":\"new\"}}"), NULL, NULL, &err),
			 -1);
	assert_int_equal(err.code, 403);
	assert_string_equal(err.message, "configmaps \"new\" is forbidden: unable to create new "
					 "content in namespace closing because it is being "
					 "terminated");
	assert_int_equal(patch_text(s, RESOURCE_CONFIGMAP, "closing", "c", STORE_PATCH_MERGE,
				     "{\"metadata\":{\"finalizers\":null}}", NULL, NULL, NULL),
			 0);
	assert_true(wait_gone(s, RESOURCE_NAMESPACE, NULL, "closing"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_background_deletes_dependents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_keeps_dependents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_orphan_their_pods_by_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreground_waits_for_blocking_dependents,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling_owner_reference_is_collected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finalizers_hold_deletion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_preconditions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namespace_deletion_empties_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminating_namespace_refuses_new_objects,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
