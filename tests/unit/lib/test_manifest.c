/* test_manifest.c — the objects of a launch: Job, JobSet, Service,
 * ConfigMap; resources, placement, labels, Secrets and the 1 MiB limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileutil.h"
#include "jsonutil.h"
#include "labels.h"
#include "manifest.h"
#include "strutil.h"
#include "task.h"
#include "userconfig.h"
#include "xalloc.h"

static cJSON *build_with(const char *yaml, const char *config_yaml, bool jobset,
			 struct error *err)
{
	struct task task;
	struct user_config cfg;
	cJSON *items = NULL;
	struct launch l = { .task = &task, .config = &cfg, .job_name = "train-x7k2",
			    .namespace = "ml", .user = "jane@example.com",
			    .created_at = "2026-01-02T03:04:05Z", .jobset_available = jobset };

	if (task_parse_text("t.yaml", yaml, strlen(yaml), &task, err) < 0)
		fail_msg("%s", err->msg);
	if (user_config_parse_text("c.yaml", config_yaml, strlen(config_yaml), &cfg, err) < 0)
		fail_msg("%s", err->msg);
	if (launch_build(&l, &items, err) < 0)
		items = NULL;
	task_release(&task);
	user_config_release(&cfg);
	return items;
}

static cJSON *build(const char *yaml, const char *config_yaml, bool jobset)
{
	struct error err = ERROR_INIT;
	cJSON *items = build_with(yaml, config_yaml, jobset, &err);

	if (!items)
		fail_msg("%s", err.msg);
	return items;
}

static const cJSON *find_kind(const cJSON *items, const char *kind)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, items)
		if (str_eq(json_get_string(item, "kind"), kind))
			return item;
	return NULL;
}

static const cJSON *env_var(const cJSON *container, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, json_get(container, "env"))
		if (str_eq(json_get_string(e, "name"), name))
			return e;
	return NULL;
}

static int64_t get_int(const cJSON *obj, const char *path)
{
	int64_t v = -12345;

	json_get_int64(obj, path, &v);
	return v;
}

#define BASE "name: train\nrun: python train.py\n"

static void test_single_node_job(void **state)
{
	cJSON *items = build(BASE "resources:\n  cpus: 0.5\n  memory: 16\n  image_id: python:3.12\n"
				  "  labels: {kueue.x-k8s.io/queue-name: user-queue, team: a}\n"
				  "  job_config: {max_restarts: 3}\n",
			     "labels: {team: from-config, cost-center: x1}\n", false);
	const cJSON *job = find_kind(items, "Job"), *spec = json_get(job, "spec");
	const cJSON *pod = json_get(spec, "template.spec");
	const cJSON *c = cJSON_GetArrayItem(json_get(pod, "containers"), 0);
	const cJSON *labels = json_get(job, "metadata.labels");

	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(json_get_string(job, "apiVersion"), "batch/v1");
	assert_string_equal(json_get_string(job, "metadata.name"), "train-x7k2");
	assert_string_equal(json_get_string(job, "metadata.namespace"), "ml");
	assert_string_equal(json_get_child_string(labels, LABEL_MANAGED_BY), "kubectl-konduktor");
	assert_string_equal(json_get_child_string(labels, LABEL_JOB_NAME), "train-x7k2");
	assert_string_equal(json_get_child_string(labels, LABEL_TASK_NAME), "train");
	assert_string_equal(json_get_child_string(labels, LABEL_USER), "jane-example.com");
	assert_string_equal(json_get_child_string(labels, LABEL_KIND), "job");
	assert_string_equal(json_get_child_string(labels, KUEUE_QUEUE_NAME_LABEL), "user-queue");
	assert_string_equal(json_get_child_string(labels, "team"), "a"); /* the task wins */
	assert_string_equal(json_get_child_string(labels, "cost-center"), "x1");
	assert_true(cJSON_Compare(labels, json_get(spec, "template.metadata.labels"), 1));
	assert_string_equal(json_get_child_string(json_get(job, "metadata.annotations"),
						  ANNOTATION_CREATED_AT),
			    "2026-01-02T03:04:05Z");
	assert_non_null(strstr(json_get_child_string(json_get(job, "metadata.annotations"),
						     ANNOTATION_TASK),
			       "run: python train.py\n"));
	assert_string_equal(json_get_string(spec, "completionMode"), "Indexed");
	assert_int_equal(get_int(spec, "completions"), 1);
	assert_int_equal(get_int(spec, "parallelism"), 1);
	assert_int_equal(get_int(spec, "backoffLimitPerIndex"), 3);
	assert_int_equal(get_int(spec, "maxFailedIndexes"), 0);
	assert_int_equal(get_int(spec, "backoffLimit"), 2147483647);
	assert_string_equal(json_get_string(cJSON_GetArrayItem(json_get(spec, "podFailurePolicy.rules"), 0),
					    "action"),
			    "FailIndex");
	assert_string_equal(json_get_string(pod, "restartPolicy"), "Never");
	assert_false(json_get_bool(pod, "enableServiceLinks", true));
	assert_null(json_get(pod, "subdomain"));
	assert_string_equal(json_get_string(c, "name"), "task");
	assert_string_equal(json_get_string(c, "image"), "python:3.12");
	assert_string_equal(json_get_string(c, "terminationMessagePolicy"), "FallbackToLogsOnError");
	assert_string_equal(json_get_string(c, "terminationMessagePath"), "/dev/termination-log");
	assert_string_equal(cJSON_GetArrayItem(json_get(c, "command"), 0)->valuestring, "/bin/sh");
	assert_string_equal(json_get_string(c, "resources.requests.cpu"), "500m");
	assert_string_equal(json_get_string(c, "resources.limits.memory"), "16Gi");
	assert_null(json_get(c, "resources.limits.nvidia\\.com/gpu"));
	assert_string_equal(json_get_string(env_var(c, "KONDUKTOR_OUTPUT_DIR"), "value"),
			    "/konduktor/output");
	assert_string_equal(json_get_string(env_var(c, "KONDUKTOR_RUN"), "value"), "python train.py");
	assert_string_equal(json_get_string(env_var(c, "RANK"), "value"), "0");
	assert_string_equal(json_get_string(env_var(c, "MASTER_ADDR"), "value"), "localhost");
	assert_string_equal(json_get_string(env_var(c, "RESTART_ATTEMPT"), "valueFrom.fieldRef.fieldPath"),
			    "metadata.annotations['batch.kubernetes.io/job-index-failure-count']");
	assert_string_equal(json_get_string(env_var(c, "JOB_COMPLETION_INDEX"),
					    "valueFrom.fieldRef.fieldPath"),
			    "metadata.annotations['batch.kubernetes.io/job-completion-index']");
	assert_null(json_get(pod, "tolerations"));
	cJSON_Delete(items);
}

static void test_multi_node_job_with_headless_service(void **state)
{
	cJSON *items = build(BASE "num_nodes: 4\nresources: {cpus: 8, memory: 64, image_id: x}\n", "",
			     false);
	const cJSON *svc = find_kind(items, "Service"), *job = find_kind(items, "Job");
	const cJSON *pod = json_get(job, "spec.template.spec");
	const cJSON *c = cJSON_GetArrayItem(json_get(pod, "containers"), 0);

	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_ptr_equal(cJSON_GetArrayItem(items, 0), svc); /* created before the Job */
	assert_string_equal(json_get_string(svc, "spec.clusterIP"), "None");
	assert_true(json_get_bool(svc, "spec.publishNotReadyAddresses", false));
	assert_string_equal(json_get_child_string(json_get(svc, "spec.selector"), LABEL_JOB_NAME),
			    "train-x7k2");
	assert_string_equal(json_get_string(pod, "subdomain"), "train-x7k2");
	assert_int_equal(get_int(job, "spec.completions"), 4);
	assert_int_equal(get_int(job, "spec.parallelism"), 4);
	assert_string_equal(json_get_string(env_var(c, "RANK"), "valueFrom.fieldRef.fieldPath"),
			    "metadata.annotations['batch.kubernetes.io/job-completion-index']");
	assert_string_equal(json_get_string(env_var(c, "NUM_NODES"), "value"), "4");
	assert_string_equal(json_get_string(env_var(c, "MASTER_ADDR"), "value"),
			    "train-x7k2-0.train-x7k2");
	cJSON_Delete(items);
}

static void test_multi_node_jobset(void **state)
{
	cJSON *items = build(BASE "num_nodes: 2\nresources: {cpus: 8, memory: 64, image_id: x,\n"
				  "  job_config: {max_restarts: 5}}\n",
			     "", true);
	const cJSON *js = find_kind(items, "JobSet");
	const cJSON *rjob = cJSON_GetArrayItem(json_get(js, "spec.replicatedJobs"), 0);
	const cJSON *jspec = json_get(rjob, "template.spec");
	const cJSON *c = cJSON_GetArrayItem(json_get(jspec, "template.spec.containers"), 0);

	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(json_get_string(js, "apiVersion"), "jobset.x-k8s.io/v1alpha2");
	assert_int_equal(get_int(js, "spec.failurePolicy.maxRestarts"), 5);
	assert_true(json_get_bool(js, "spec.network.enableDNSHostnames", false));
	assert_string_equal(json_get_string(rjob, "name"), "workers");
	assert_int_equal(get_int(rjob, "replicas"), 1);
	assert_int_equal(get_int(jspec, "completions"), 2);
	assert_int_equal(get_int(jspec, "parallelism"), 2);
	assert_int_equal(get_int(jspec, "backoffLimit"), 0);
	assert_null(json_get(jspec, "template.spec.subdomain"));
	assert_string_equal(json_get_string(env_var(c, "MASTER_ADDR"), "value"),
			    "train-x7k2-workers-0-0.train-x7k2");
	assert_string_equal(json_get_string(env_var(c, "RESTART_ATTEMPT"), "valueFrom.fieldRef.fieldPath"),
			    "metadata.labels['jobset.sigs.k8s.io/restart-attempt']");
	cJSON_Delete(items);
}

static void test_single_node_completions(void **state)
{
	cJSON *items = build(BASE "resources: {cpus: 1, memory: 1, image_id: x, job_config: "
				  "{completions: 3}}\n",
			     "", true);
	const cJSON *job = find_kind(items, "Job");

	assert_int_equal(get_int(job, "spec.completions"), 3);
	assert_int_equal(get_int(job, "spec.parallelism"), 1);
	cJSON_Delete(items);
}

static void test_gpu_placement(void **state)
{
	static const char config[] =
		"accelerators:\n"
		"  H100:\n"
		"    node_selector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}\n"
		"    tolerations: [{key: dedicated, operator: Equal, value: ml, effect: NoSchedule}]\n"
		"  MI300X: {resource: amd.com/gpu}\n";
	cJSON *items = build(BASE "resources: {cpus: 1, memory: 1, image_id: x, accelerators: h100:8}\n",
			     config, false);
	const cJSON *pod = json_get(find_kind(items, "Job"), "spec.template.spec");
	const cJSON *c = cJSON_GetArrayItem(json_get(pod, "containers"), 0);
	const cJSON *tol = cJSON_GetArrayItem(json_get(pod, "tolerations"), 0);

	assert_string_equal(json_get_child_string(json_get(c, "resources.limits"), "nvidia.com/gpu"), "8");
	assert_string_equal(json_get_child_string(json_get(c, "resources.requests"), "nvidia.com/gpu"), "8");
	assert_string_equal(json_get_child_string(json_get(pod, "nodeSelector"),
						  "cloud.google.com/gke-accelerator"),
			    "nvidia-h100-80gb");
	assert_int_equal(cJSON_GetArraySize(json_get(pod, "tolerations")), 1);
	assert_string_equal(json_get_string(tol, "key"), "dedicated");
	assert_string_equal(json_get_string(tol, "value"), "ml");
	cJSON_Delete(items);

	items = build(BASE "resources: {cpus: 1, memory: 1, image_id: x, accelerators: A100:2}\n", config,
		      false);
	pod = json_get(find_kind(items, "Job"), "spec.template.spec");
	tol = cJSON_GetArrayItem(json_get(pod, "tolerations"), 0);
	assert_null(json_get(pod, "nodeSelector"));
	assert_string_equal(json_get_string(tol, "key"), "nvidia.com/gpu");
	assert_string_equal(json_get_string(tol, "operator"), "Exists");
	assert_string_equal(json_get_string(tol, "effect"), "NoSchedule");
	cJSON_Delete(items);

	items = build(BASE "resources: {cpus: 1, memory: 1, image_id: x, accelerators: MI300X:1}\n", config,
		      false);
	c = cJSON_GetArrayItem(json_get(find_kind(items, "Job"), "spec.template.spec.containers"), 0);
	assert_string_equal(json_get_child_string(json_get(c, "resources.limits"), "amd.com/gpu"), "1");
	cJSON_Delete(items);
}

static void test_secrets_are_mounted_read_only(void **state)
{
	cJSON *items = build(BASE "resources: {cpus: 1, memory: 1, image_id: x}\n",
			     "pod_home: /home/me\nsecrets:\n  - {name: aws-creds, mount: aws}\n"
			     "  - {name: tok, mount: /etc/tok}\n",
			     false);
	const cJSON *pod = json_get(find_kind(items, "Job"), "spec.template.spec");
	const cJSON *c = cJSON_GetArrayItem(json_get(pod, "containers"), 0);
	const cJSON *m, *v;
	int found = 0;

	cJSON_ArrayForEach(v, json_get(pod, "volumes")) {
		if (!json_get(v, "secret"))
			continue;
		assert_int_equal(get_int(v, "secret.defaultMode"), 0400);
		found++;
	}
	assert_int_equal(found, 2);
	found = 0;
	cJSON_ArrayForEach(m, json_get(c, "volumeMounts")) {
		const char *path = json_get_string(m, "mountPath");

		if (!strcmp(path, "/home/me/.aws") || !strcmp(path, "/etc/tok")) {
			assert_true(json_get_bool(m, "readOnly", false));
			found++;
		}
	}
	assert_int_equal(found, 2);
	cJSON_Delete(items);
	{
		struct error err = ERROR_INIT;

		assert_null(build_with(BASE "resources: {cpus: 1, memory: 1, image_id: x}\n",
				       "secrets: [{name: s, mount: /konduktor/s}]\n", false, &err));
		assert_string_equal(err.msg, "Secret 's': cannot be mounted at '/konduktor/s': /konduktor "
					     "is reserved for konduktor's own files");
	}
}

static char *make_workdir(size_t file_size)
{
	char *dir = xstrdup("/tmp/konduktor-wd-XXXXXX"), *path;
	char *data = xcalloc(file_size ? file_size : 1, 1);

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/blob.bin", dir);
	assert_int_equal(file_write_atomic(path, data, file_size, 0644, NULL), 0);
	free(path);
	free(data);
	return dir;
}

static void test_files_configmap_and_the_exact_limit(void **state)
{
	/* One file of 1047040 bytes: 512 (header) + 1047040 (2045 blocks) +
	 * 1024 (end marker) = 1048576 bytes, exactly the limit. */
	char *dir = make_workdir(1047040), *yaml;
	cJSON *items;
	const cJSON *cm;
	struct error err = ERROR_INIT;

	yaml = xasprintf(BASE "workdir: %s\nresources: {cpus: 1, memory: 1, image_id: x}\n", dir);
	items = build(yaml, "", false);
	cm = cJSON_GetArrayItem(items, 0);
	assert_string_equal(json_get_string(cm, "kind"), "ConfigMap");
	assert_string_equal(json_get_string(cm, "metadata.name"), "train-x7k2-files");
	assert_true(json_get_bool(cm, "immutable", false));
	assert_string_equal(json_get_child_string(json_get(cm, "metadata.labels"), LABEL_COMPONENT),
			    "files");
	assert_int_equal(strlen(json_get_child_string(json_get(cm, "binaryData"), "workdir.tar")),
			 1048576 / 3 * 4 + 4);
	assert_string_equal(json_get_string(env_var(cJSON_GetArrayItem(json_get(find_kind(items, "Job"),
										 "spec.template.spec.containers"),
							       0),
						   "KONDUKTOR_FILES_DIR"),
					    "value"),
			    "/konduktor/files");
	cJSON_Delete(items);
	free(yaml);
	remove_tree(dir, NULL);
	free(dir);

	dir = make_workdir(1047041);
	yaml = xasprintf(BASE "workdir: %s\nresources: {cpus: 1, memory: 1, image_id: x}\n", dir);
	assert_null(build_with(yaml, "", false, &err));
	assert_string_equal(err.msg,
			    "workdir and file_mounts: 1.0 MiB (1049088 bytes) as tar archives, more than "
			    "the 1.0 MiB (1048576 bytes) a ConfigMap can hold (Kubernetes' limit on a "
			    "ConfigMap's data): exclude files with .konduktorignore, or put large files "
			    "in the image or fetch them in setup");
	free(yaml);
	remove_tree(dir, NULL);
	free(dir);
}

static void test_file_mounts_in_the_configmap(void **state)
{
	char *dir = make_workdir(10), *yaml, *file;
	cJSON *items;
	const cJSON *cm;

	file = xasprintf("%s/blob.bin", dir);
	yaml = xasprintf(BASE "file_mounts:\n  /data/in: %s\n  ~/blob: %s\n"
			      "resources: {cpus: 1, memory: 1, image_id: x}\n",
			 dir, file);
	items = build(yaml, "", false);
	cm = cJSON_GetArrayItem(items, 0);
	assert_string_equal(json_get_child_string(json_get(cm, "data"), "mount-0.path"), "/data/in");
	assert_string_equal(json_get_child_string(json_get(cm, "data"), "mount-0.kind"), "dir");
	assert_string_equal(json_get_child_string(json_get(cm, "data"), "mount-1.path"), "~/blob");
	assert_string_equal(json_get_child_string(json_get(cm, "data"), "mount-1.kind"), "file");
	assert_non_null(json_get_child(json_get(cm, "binaryData"), "mount-1.tar"));
	assert_null(json_get_child(json_get(cm, "binaryData"), "workdir.tar"));
	cJSON_Delete(items);
	free(yaml);
	free(file);
	remove_tree(dir, NULL);
	free(dir);
}

static void test_escaping_in_env(void **state)
{
	cJSON *items = build("name: t\nenvs: {A: \"$(B) $$\"}\nrun: echo $(date) $$ $HOME\n"
			     "resources: {cpus: 1, memory: 1, image_id: x}\n",
			     "", false);
	const cJSON *c = cJSON_GetArrayItem(json_get(find_kind(items, "Job"),
						     "spec.template.spec.containers"),
					    0);

	assert_string_equal(json_get_string(env_var(c, "A"), "value"), "$$(B) $$$");
	assert_string_equal(json_get_string(env_var(c, "KONDUKTOR_RUN"), "value"),
			    "echo $$(date) $$$ $HOME");
	cJSON_Delete(items);
}

static void test_names_and_owners(void **state)
{
	char name[64];
	struct error err = ERROR_INIT;
	cJSON *obj = cJSON_CreateObject();
	cJSON *owner = cJSON_Parse("{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":"
				   "{\"name\":\"j\",\"uid\":\"123-abc\"}}");
	const cJSON *ref;

	assert_int_equal(launch_job_name("sweep-trial-0", name, &err), 0);
	assert_int_equal(strlen(name), strlen("sweep-trial-0") + 5);
	assert_true(strncmp(name, "sweep-trial-0-", 14) == 0);
	assert_true(str_is_dns_label(name));
	assert_int_equal(manifest_set_owner(obj, owner, &err), 0);
	ref = cJSON_GetArrayItem(json_get(obj, "metadata.ownerReferences"), 0);
	assert_string_equal(json_get_string(ref, "uid"), "123-abc");
	assert_string_equal(json_get_string(ref, "kind"), "Job");
	assert_int_equal(manifest_set_owner(obj, obj, &err), -1);
	cJSON_Delete(obj);
	cJSON_Delete(owner);
}

static void test_incomplete_task_refused(void **state)
{
	struct error err = ERROR_INIT;

	assert_null(build_with("name: t\nresources: {cpus: 1, memory: 1}\n", "", false, &err));
	assert_string_equal(err.msg, "task 't.yaml': 'resources.image_id' is required (in the file, or "
				     "with --image-id)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_node_job),
		cmocka_unit_test(test_multi_node_job_with_headless_service),
		cmocka_unit_test(test_multi_node_jobset),
		cmocka_unit_test(test_single_node_completions),
		cmocka_unit_test(test_gpu_placement),
		cmocka_unit_test(test_secrets_are_mounted_read_only),
		cmocka_unit_test(test_files_configmap_and_the_exact_limit),
		cmocka_unit_test(test_file_mounts_in_the_configmap),
		cmocka_unit_test(test_escaping_in_env),
		cmocka_unit_test(test_names_and_owners),
		cmocka_unit_test(test_incomplete_task_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
