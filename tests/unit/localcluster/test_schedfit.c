/* test_schedfit.c — the scheduler's filters and messages for one node:
 * resources (requests, limits as requests, init containers, pod count),
 * taints and tolerations, nodeSelector and node affinity, cordoning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "schedfit.h"

#define NODE "{\"metadata\":{\"name\":\"local\",\"labels\":{\"kubernetes.io/hostname\":\"local\",\"zone\":\"a\",\"rank\":\"5\"}}," \
	     "\"spec\":{%s},\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"4Gi\",\"nvidia.com/gpu\":\"1\",\"pods\":\"3\"}}}"

static cJSON *node_with(const char *spec)
{
	char text[1024];

	snprintf(text, sizeof(text), NODE, spec);
	return cJSON_Parse(text);
}

static bool fit(const cJSON *node, const char *pod_spec, const struct resource_list *used, char *msg,
		size_t size)
{
	cJSON *spec = cJSON_Parse(pod_spec);
	struct buf m = BUF_INIT(BUF_MAX_SMALL);
	bool ok;

	assert_non_null(spec);
	ok = sched_fit(node, spec, used, &m);
	snprintf(msg, size, "%s", m.data);
	buf_release(&m);
	cJSON_Delete(spec);
	return ok;
}

static void test_requests(void **state)
{
	cJSON *spec = cJSON_Parse("{\"initContainers\":[{\"resources\":{\"requests\":{\"cpu\":\"1500m\"}}}],"
				  "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}},"
				  "{\"resources\":{\"limits\":{\"cpu\":\"250m\",\"nvidia.com/gpu\":1}}}],"
				  "\"overhead\":{\"memory\":\"1Mi\"}}");
	struct resource_list r;

	pod_requests(spec, &r);
	assert_int_equal(resource_list_get(&r, "cpu"), 1500); /* the init container is larger */
	assert_int_equal(resource_list_get(&r, "memory"), (int64_t)(1024 + 1) * 1024 * 1024 * 1000);
	assert_int_equal(resource_list_get(&r, "nvidia.com/gpu"), 1000);
	assert_int_equal(resource_list_get(&r, "pods"), 1000);
	cJSON_Delete(spec);
}

static void test_insufficient_resources(void **state)
{
	cJSON *node = node_with("");
	struct resource_list used = { .len = 0 };
	char msg[512];

	assert_true(fit(node, "{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}", &used, msg, sizeof(msg)));
	assert_false(fit(node, "{\"containers\":[{\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"2\"}}}]}", &used, msg,
			 sizeof(msg)));
	assert_string_equal(msg, "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes "
				 "are available: 1 No preemption victims found for incoming pod.");
	resource_list_add(&used, "cpu", 1500);
	resource_list_add(&used, "pods", 2000);
	assert_false(fit(node, "{\"containers\":[{\"resources\":{\"requests\":{\"memory\":\"5Gi\",\"cpu\":\"1\"}}}]}",
			 &used, msg, sizeof(msg)));
	assert_string_equal(msg, "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: "
				 "0/1 nodes are available: 1 No preemption victims found for incoming pod.");
	resource_list_add(&used, "pods", 1000);
	assert_false(fit(node, "{\"containers\":[{}]}", &used, msg, sizeof(msg)));
	assert_string_equal(msg, "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: "
				 "1 No preemption victims found for incoming pod.");
	assert_false(fit(node, "{\"containers\":[{\"resources\":{\"requests\":{\"example.com/fpga\":1}}}]}",
			 &(struct resource_list){ .len = 0 }, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "1 Insufficient example.com/fpga."));
	cJSON_Delete(node);
}

static void test_taints_and_tolerations(void **state)
{
	cJSON *node = node_with("\"taints\":[{\"key\":\"gpu\",\"value\":\"yes\",\"effect\":\"NoSchedule\"},"
				"{\"key\":\"soft\",\"effect\":\"PreferNoSchedule\"}]");
	struct resource_list used = { .len = 0 };
	char msg[512];

	assert_false(fit(node, "{\"containers\":[{}]}", &used, msg, sizeof(msg)));
	assert_string_equal(msg, "0/1 nodes are available: 1 node(s) had untolerated taint {gpu: yes}. preemption: "
				 "0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
	assert_true(fit(node, "{\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Equal\",\"value\":\"yes\"}]}", &used,
			msg, sizeof(msg)));
	assert_true(fit(node, "{\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}",
			&used, msg, sizeof(msg)));
	assert_false(fit(node, "{\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Equal\",\"value\":\"no\"}]}", &used,
			 msg, sizeof(msg)));
	assert_false(fit(node, "{\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}]}",
			 &used, msg, sizeof(msg)));
	assert_true(fit(node, "{\"tolerations\":[{\"operator\":\"Exists\"}]}", &used, msg, sizeof(msg)));
	cJSON_Delete(node);
}

static void test_selector_affinity_and_cordon(void **state)
{
	cJSON *node = node_with("");
	cJSON *cordoned = node_with("\"unschedulable\":true");
	struct resource_list used = { .len = 0 };
	char msg[512];

	assert_true(fit(node, "{\"nodeSelector\":{\"zone\":\"a\"}}", &used, msg, sizeof(msg)));
	assert_false(fit(node, "{\"nodeSelector\":{\"zone\":\"b\"}}", &used, msg, sizeof(msg)));
	assert_string_equal(msg, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
				 "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
	assert_true(fit(node, "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
			      "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"x\"]}]},"
			      "{\"matchExpressions\":[{\"key\":\"rank\",\"operator\":\"Gt\",\"values\":[\"3\"]},"
			      "{\"key\":\"gone\",\"operator\":\"DoesNotExist\"}]}]}}}}",
			&used, msg, sizeof(msg)));
	assert_false(fit(node, "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
			       "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"rank\",\"operator\":\"Lt\",\"values\":[\"3\"]}]}]}}}}",
			 &used, msg, sizeof(msg)));
	assert_false(fit(cordoned, "{}", &used, msg, sizeof(msg)));
	assert_string_equal(msg, "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are "
				 "available: 1 Preemption is not helpful for scheduling.");
	assert_false(fit(NULL, "{}", &used, msg, sizeof(msg)));
	assert_string_equal(msg, "no nodes available to schedule pods");
	cJSON_Delete(node);
	cJSON_Delete(cordoned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_insufficient_resources),
		cmocka_unit_test(test_taints_and_tolerations),
		cmocka_unit_test(test_selector_affinity_and_cordon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
