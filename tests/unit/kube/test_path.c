/* test_path.c — API paths for core and grouped, namespaced and
 * cluster-scoped resources with subresources, escaping of names and query
 * values, and the names that are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kube_resource.h"

static void expect_path(const struct kube_resource *res, const char *ns, const char *name,
			const char *sub, const char *want)
{
	struct buf out = BUF_INIT(4096);
	struct error err = ERROR_INIT;

	assert_int_equal(kube_path_append(&out, res, ns, name, sub, &err), 0);
	assert_string_equal(out.data, want);
	buf_release(&out);
}

static void test_paths(void **state)
{
	expect_path(&kube_pods, "default", NULL, NULL, "/api/v1/namespaces/default/pods");
	expect_path(&kube_pods, NULL, NULL, NULL, "/api/v1/pods"); /* all namespaces */
	expect_path(&kube_pods, "ns", "p", "log", "/api/v1/namespaces/ns/pods/p/log");
	expect_path(&kube_jobs, "ns", "j", "status", "/apis/batch/v1/namespaces/ns/jobs/j/status");
	expect_path(&kube_jobsets, "ns", NULL, NULL,
		    "/apis/jobset.x-k8s.io/v1alpha2/namespaces/ns/jobsets");
	/* Cluster-scoped: a namespace does not apply. */
	expect_path(&kube_nodes, "ignored", "n1", NULL, "/api/v1/nodes/n1");
	expect_path(&kube_namespaces, NULL, "default", NULL, "/api/v1/namespaces/default");
	/* Escaping: anything but unreserved characters. */
	expect_path(&kube_configmaps, "a b", "x:y@z", NULL,
		    "/api/v1/namespaces/a%20b/configmaps/x%3Ay%40z");
}

static void test_refused_names(void **state)
{
	static const struct {
		const char *ns, *name, *sub, *message;
	} cases[] = {
		{ "ns", "a/b", NULL, "name 'a/b' may not contain '/' or '%'" },
		{ "ns", "..", NULL, "name '..' may not be '.' or '..'" },
		{ "ns", "", NULL, "name must not be empty" },
		{ "n/s", "x", NULL, "namespace 'n/s' may not contain '/' or '%'" },
		{ "ns", "x", "a/b", "subresource 'a/b' may not contain '/' or '%'" },
		{ "ns", NULL, "status", "subresource 'status' needs an object name" },
		{ NULL, "x", NULL, "pods 'x': a namespace is required" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT(4096);
		struct error err = ERROR_INIT;

		assert_int_equal(kube_path_append(&out, &kube_pods, cases[i].ns, cases[i].name,
						  cases[i].sub, &err),
				 -1);
		assert_string_equal(err.msg, cases[i].message);
		assert_int_equal(out.len, 0);
		buf_release(&out);
	}
}

static void test_path_limit(void **state)
{
	struct buf out = BUF_INIT(20);
	struct error err = ERROR_INIT;

	assert_int_equal(kube_path_append(&out, &kube_pods, "a-long-namespace", "p", NULL, &err),
			 -1);
	assert_string_equal(err.msg, "request path longer than 20 bytes");
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void test_query_escaping(void **state)
{
	struct buf out = BUF_INIT(4096);

	buf_puts(&out, "/api/v1/pods");
	kube_query_append(&out, "labelSelector", "app in (a,b),tier!=db");
	kube_query_append(&out, "fieldSelector", "status.phase=Running");
	kube_query_append_int(&out, "limit", 500);
	kube_query_append(&out, "continue", "eyJ2Ijo+/=");
	assert_string_equal(out.data,
			    "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb"
			    "&fieldSelector=status.phase%3DRunning&limit=500"
			    "&continue=eyJ2Ijo%2B%2F%3D");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_refused_names),
		cmocka_unit_test(test_path_limit),
		cmocka_unit_test(test_query_escaping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
