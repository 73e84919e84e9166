/* manifest.c — building the Kubernetes objects of a launched task. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "k8sexpand.h"
#include "labels.h"
#include "pack.h"
#include "pod_wrapper_sh.h"
#include "randutil.h"
#include "result.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

/* --- small builders ------------------------------------------------------- */

static cJSON *string_array(const char *const *items, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
	return a;
}

cJSON *manifest_metadata(const char *name, const char *namespace, const cJSON *labels,
			 const cJSON *annotations)
{
	cJSON *m = cJSON_CreateObject();

	json_set_string(m, "name", name);
	if (namespace)
		json_set_string(m, "namespace", namespace);
	if (labels && labels->child)
		json_set(m, "labels", cJSON_Duplicate(labels, 1));
	if (annotations && annotations->child)
		json_set(m, "annotations", cJSON_Duplicate(annotations, 1));
	return m;
}

static cJSON *new_object(const char *api_version, const char *kind, cJSON *metadata)
{
	cJSON *o = cJSON_CreateObject();

	json_set_string(o, "apiVersion", api_version);
	json_set_string(o, "kind", kind);
	json_set(o, "metadata", metadata);
	return o;
}

cJSON *manifest_common_labels(const char *kind, const char *job_name, const char *group_id,
			      const char *task_name, const char *user, const char *component)
{
	cJSON *labels = cJSON_CreateObject();
	char user_value[LABEL_VALUE_MAX + 1];

	label_value_sanitize(user ? user : "unknown", user_value);
	json_set_string(labels, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE);
	json_set_string(labels, LABEL_KIND, kind);
	if (job_name)
		json_set_string(labels, LABEL_JOB_NAME, job_name);
	if (group_id)
		json_set_string(labels, LABEL_GROUP_ID, group_id);
	if (task_name)
		json_set_string(labels, LABEL_TASK_NAME, task_name);
	json_set_string(labels, LABEL_USER, user_value);
	if (component)
		json_set_string(labels, LABEL_COMPONENT, component);
	return labels;
}

cJSON *manifest_workload_labels(const struct task *task, const struct user_config *config,
				const cJSON *common)
{
	cJSON *labels = cJSON_Duplicate(common, 1);

	for (size_t i = 0; config && i < config->n_labels; i++)
		json_set_string(labels, config->labels[i].key, config->labels[i].value);
	for (size_t i = 0; i < task->n_labels; i++)
		json_set_string(labels, task->labels[i].key, task->labels[i].value);
	return labels;
}

static void add_env(cJSON *env, const char *name, const char *value)
{
	cJSON *var = cJSON_CreateObject();
	_cleanup_free_ char *escaped = k8s_escape_dollars(value);

	json_set_string(var, "name", name);
	json_set_string(var, "value", escaped);
	cJSON_AddItemToArray(env, var);
}

static void add_env_field(cJSON *env, const char *name, const char *field_path)
{
	cJSON *var = cJSON_CreateObject();

	json_set_string(var, "name", name);
	json_set_string(json_ensure_object(var, "valueFrom.fieldRef"), "fieldPath", field_path);
	cJSON_AddItemToArray(env, var);
}

static void add_mount(cJSON *mounts, const char *name, const char *path, bool read_only)
{
	cJSON *m = cJSON_CreateObject();

	json_set_string(m, "name", name);
	json_set_string(m, "mountPath", path);
	if (read_only)
		json_set(m, "readOnly", cJSON_CreateTrue());
	cJSON_AddItemToArray(mounts, m);
}

static cJSON *volume(cJSON *volumes, const char *name)
{
	cJSON *v = cJSON_CreateObject();

	json_set_string(v, "name", name);
	cJSON_AddItemToArray(volumes, v);
	return v;
}

cJSON *manifest_pod_failure_policy(void)
{
	cJSON *policy = cJSON_CreateObject(), *rules = cJSON_CreateArray();
	cJSON *fail = cJSON_CreateObject(), *ignore = cJSON_CreateObject();
	cJSON *codes = cJSON_CreateObject(), *values = cJSON_CreateArray();
	cJSON *conditions = cJSON_CreateArray(), *disruption = cJSON_CreateObject();

	/* The wrapper's own failures and fail-fast skips would fail again. */
	json_set_string(fail, "action", "FailIndex");
	json_set_string(codes, "containerName", MANIFEST_CONTAINER_NAME);
	json_set_string(codes, "operator", "In");
	cJSON_AddItemToArray(values, cJSON_CreateNumber(RESULT_WRAPPER_ERROR_EXIT));
	cJSON_AddItemToArray(values, cJSON_CreateNumber(RESULT_SKIPPED_EXIT));
	json_set(codes, "values", values);
	json_set(fail, "onExitCodes", codes);
	/* Preemption, eviction and node drains do not use up a restart. */
	json_set_string(ignore, "action", "Ignore");
	json_set_string(disruption, "type", "DisruptionTarget");
	json_set_string(disruption, "status", "True");
	cJSON_AddItemToArray(conditions, disruption);
	json_set(ignore, "onPodConditions", conditions);
	cJSON_AddItemToArray(rules, fail);
	cJSON_AddItemToArray(rules, ignore);
	json_set(policy, "rules", rules);
	return policy;
}

/* --- the pod ----------------------------------------------------------------- */

static void add_resources(cJSON *container, const struct task *task,
			  const struct accelerator_config *accel)
{
	cJSON *resources = json_ensure_object(container, "resources");
	char cpu[32], memory[32], gpus[32];

	task_format_cpus(task->cpu_millis, cpu);
	snprintf(memory, sizeof(memory), "%lldGi", (long long)task->memory_gib);
	for (int pass = 0; pass < 2; pass++) {
		cJSON *r = json_ensure_object(resources, pass ? "limits" : "requests");

		json_set_string(r, "cpu", cpu);
		json_set_string(r, "memory", memory);
		if (task->accelerator) {
			snprintf(gpus, sizeof(gpus), "%lld", (long long)task->accelerator_count);
			json_set_string(r, accel && accel->resource ? accel->resource
								  : USER_CONFIG_DEFAULT_GPU_RESOURCE,
					gpus);
		}
	}
}

static void add_placement(cJSON *spec, const struct task *task,
			  const struct accelerator_config *accel)
{
	cJSON *tolerations;

	if (!task->accelerator)
		return;
	if (accel && accel->n_node_selector) {
		cJSON *selector = json_ensure_object(spec, "nodeSelector");

		for (size_t i = 0; i < accel->n_node_selector; i++)
			json_set_string(selector, accel->node_selector[i].key,
					accel->node_selector[i].value);
	}
	tolerations = cJSON_CreateArray();
	if (!accel || !accel->has_tolerations) {
		cJSON *t = cJSON_CreateObject();

		json_set_string(t, "key", USER_CONFIG_DEFAULT_GPU_RESOURCE);
		json_set_string(t, "operator", "Exists");
		json_set_string(t, "effect", "NoSchedule");
		cJSON_AddItemToArray(tolerations, t);
	} else {
		for (size_t i = 0; i < accel->n_tolerations; i++) {
			const struct toleration *tol = &accel->tolerations[i];
			cJSON *t = cJSON_CreateObject();

			if (tol->key)
				json_set_string(t, "key", tol->key);
			json_set_string(t, "operator", tol->operator);
			if (tol->value)
				json_set_string(t, "value", tol->value);
			if (tol->effect)
				json_set_string(t, "effect", tol->effect);
			if (tol->has_seconds)
				json_set_int64(t, "tolerationSeconds", tol->seconds);
			cJSON_AddItemToArray(tolerations, t);
		}
	}
	if (tolerations->child)
		json_set(spec, "tolerations", tolerations);
	else
		cJSON_Delete(tolerations);
}

static int add_secret_mounts(const struct pod_params *p, cJSON *mounts, cJSON *volumes,
			     struct error *err)
{
	for (size_t i = 0; p->config && i < p->config->n_secrets; i++) {
		const struct secret_mount *s = &p->config->secrets[i];
		_cleanup_free_ char *path = user_config_secret_path(p->config, s);
		_cleanup_free_ char *name = xasprintf("konduktor-secret-%zu", i);
		cJSON *v;

		if (strcmp(path, "/konduktor") == 0 || str_has_prefix(path, "/konduktor/"))
			return error_set(err, "Secret '%s': cannot be mounted at '%s': /konduktor is "
					 "reserved for konduktor's own files", s->name, path);
		v = volume(volumes, name);
		json_set_string(json_ensure_object(v, "secret"), "secretName", s->name);
		/* Owner-only: credentials are never world-readable. */
		json_set_int64(json_ensure_object(v, "secret"), "defaultMode", 0400);
		add_mount(mounts, name, path, true);
	}
	return 0;
}

cJSON *manifest_pod_template(const struct pod_params *p, struct error *err)
{
	const struct task *task = p->task;
	const struct accelerator_config *accel =
		task->accelerator && p->config ? user_config_accelerator(p->config, task->accelerator)
					       : NULL;
	_cleanup_free_ char *wrapper = k8s_escape_dollars(pod_wrapper_sh);
	_cleanup_json_ cJSON *tmpl = cJSON_CreateObject();
	cJSON *spec;
	cJSON *container = cJSON_CreateObject(), *containers = cJSON_CreateArray();
	cJSON *env = cJSON_CreateArray(), *mounts = cJSON_CreateArray();
	cJSON *volumes = cJSON_CreateArray();
	const char *command[] = { "/bin/sh", "-c", wrapper, "konduktor-wrapper" };
	char number[32];

	if (p->labels)
		json_set(json_ensure_object(tmpl, "metadata"), "labels", cJSON_Duplicate(p->labels, 1));

	spec = json_ensure_object(tmpl, "spec");
	json_set_string(container, "name", MANIFEST_CONTAINER_NAME);
	json_set_string(container, "image", task->image_id);
	json_set(container, "command", string_array(command, 4));

	add_env(env, "KONDUKTOR_JOB_NAME", p->workload_name);
	add_env(env, "KONDUKTOR_OUTPUT_DIR", POD_OUTPUT_DIR);
	add_env(env, "KONDUKTOR_WORK_DIR", POD_WORK_DIR);
	add_env(env, "KONDUKTOR_TERMINATION_LOG", POD_TERMINATION_LOG);
	if (p->files_configmap)
		add_env(env, "KONDUKTOR_FILES_DIR", POD_FILES_DIR);
	if (task->setup)
		add_env(env, "KONDUKTOR_SETUP", task->setup);
	if (task->run)
		add_env(env, "KONDUKTOR_RUN", task->run);
	add_env_field(env, "JOB_COMPLETION_INDEX",
		      "metadata.annotations['" K8S_COMPLETION_INDEX "']");
	if (p->multi_node) {
		add_env_field(env, "RANK", "metadata.annotations['" K8S_COMPLETION_INDEX "']");
		add_env_field(env, "NODE_RANK", "metadata.annotations['" K8S_COMPLETION_INDEX "']");
	} else {
		add_env(env, "RANK", "0");
		add_env(env, "NODE_RANK", "0");
	}
	snprintf(number, sizeof(number), "%lld", (long long)task->num_nodes);
	add_env(env, "NUM_NODES", number);
	add_env(env, "MASTER_ADDR", p->master_addr ? p->master_addr : "localhost");
	if (p->restart_from_jobset)
		add_env_field(env, "RESTART_ATTEMPT",
			      "metadata.labels['" JOBSET_RESTART_ATTEMPT_LABEL "']");
	else
		add_env_field(env, "RESTART_ATTEMPT",
			      "metadata.annotations['" K8S_INDEX_FAILURE_COUNT "']");
	if (p->group_id) {
		add_env(env, "KONDUKTOR_GROUP_ID", p->group_id);
		add_env(env, "KONDUKTOR_INPUTS_DIR", POD_INPUTS_DIR);
		add_env(env, "KONDUKTOR_INPUT_FILE", POD_INPUT_FILE);
		if (p->control_configmap)
			add_env(env, "KONDUKTOR_CONTROL_DIR", POD_CONTROL_DIR);
	}
	for (size_t i = 0; i < task->n_envs; i++)
		add_env(env, task->envs[i].name, task->envs[i].value ? task->envs[i].value : "");
	json_set(container, "env", env);
	add_resources(container, task, accel);

	json_ensure_object(volume(volumes, "konduktor-output"), "emptyDir");
	add_mount(mounts, "konduktor-output", POD_OUTPUT_DIR, false);
	json_ensure_object(volume(volumes, "konduktor-work"), "emptyDir");
	add_mount(mounts, "konduktor-work", POD_WORK_DIR, false);
	if (p->files_configmap) {
		cJSON *cm = json_ensure_object(volume(volumes, "konduktor-files"), "configMap");

		json_set_string(cm, "name", p->files_configmap);
		json_set_int64(cm, "defaultMode", 0444);
		add_mount(mounts, "konduktor-files", POD_FILES_DIR, true);
	}
	if (p->group_id) {
		cJSON *projected = json_ensure_object(volume(volumes, "konduktor-inputs"), "projected");
		cJSON *sources = cJSON_CreateArray();

		for (size_t i = 0; i < p->n_input_configmaps; i++) {
			cJSON *source = cJSON_CreateObject();

			json_set_string(json_ensure_object(source, "configMap"), "name",
					p->input_configmaps[i]);
			cJSON_AddItemToArray(sources, source);
		}
		json_set(projected, "sources", sources);
		json_set_int64(projected, "defaultMode", 0444);
		add_mount(mounts, "konduktor-inputs", POD_INPUTS_DIR, true);
		json_ensure_object(volume(volumes, "konduktor-input"), "emptyDir");
		add_mount(mounts, "konduktor-input", POD_INPUT_DIR, false);
		if (p->control_configmap) {
			cJSON *cm = json_ensure_object(volume(volumes, "konduktor-control"),
						       "configMap");

			json_set_string(cm, "name", p->control_configmap);
			json_set_int64(cm, "defaultMode", 0444);
			add_mount(mounts, "konduktor-control", POD_CONTROL_DIR, true);
		}
	}
	if (add_secret_mounts(p, mounts, volumes, err) < 0) {
		cJSON_Delete(container);
		cJSON_Delete(containers);
		cJSON_Delete(mounts);
		cJSON_Delete(volumes);
		return NULL;
	}
	json_set(container, "volumeMounts", mounts);
	json_set_string(container, "terminationMessagePath", POD_TERMINATION_LOG);
	json_set_string(container, "terminationMessagePolicy", "FallbackToLogsOnError");
	cJSON_AddItemToArray(containers, container);

	json_set_string(spec, "restartPolicy", "Never");
	if (p->subdomain)
		json_set_string(spec, "subdomain", p->subdomain);
	/* Service links would add an env var per Service in the namespace. */
	json_set(spec, "enableServiceLinks", cJSON_CreateFalse());
	json_set(spec, "containers", containers);
	json_set(spec, "volumes", volumes);
	add_placement(spec, task, accel);
	return TAKE_PTR(tmpl);
}

/* --- files ------------------------------------------------------------------ */

struct shipped {
	const char *key;  /* "workdir.tar", "mount-0.tar", ... */
	struct buf archive;
	struct tar_sink sink;
	char *path;       /* mounts: the pod path */
	bool is_dir;
};

static void format_size(size_t bytes, char out[32])
{
	if (bytes >= 1024 * 1024)
		snprintf(out, 32, "%.1f MiB", (double)bytes / (1024 * 1024));
	else
		snprintf(out, 32, "%.1f KiB", (double)bytes / 1024);
}

static const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int manifest_files_configmap(const struct task *task, const char *name, const char *namespace,
			     const cJSON *labels, cJSON **ret, struct error *err)
{
	size_t n = (task->workdir ? 1 : 0) + task->n_mounts, total = 0;
	_cleanup_free_ struct shipped *items = NULL;
	_cleanup_free_ char **keys = NULL;
	cJSON *cm = NULL, *data, *binary;
	char size[32], limit[32];
	int r = -1;

	*ret = NULL;
	if (n == 0)
		return 0;
	items = xcalloc(n, sizeof(*items));
	keys = xcalloc(n, sizeof(*keys));
	for (size_t i = 0; i < n; i++) {
		struct shipped *s = &items[i];
		bool is_workdir = task->workdir && i == 0;
		size_t m = is_workdir ? 0 : i - (task->workdir ? 1 : 0);
		const char *local = is_workdir ? task->workdir : task->mounts[m].local;
		_cleanup_free_ char *resolved = path_expand_home(local);

		buf_init(&s->archive, MANIFEST_CONFIGMAP_MAX);
		tar_sink_init(&s->sink, &s->archive);
		if (is_workdir) {
			keys[i] = xstrdup("workdir.tar");
			s->is_dir = true;
			if (pack_directory(&s->sink, resolved, err) < 0) {
				error_prefix(err, "workdir '%s'", local);
				goto out;
			}
		} else {
			keys[i] = xasprintf("mount-%zu.tar", m);
			s->path = task->mounts[m].remote;
			if (pack_path(&s->sink, resolved, path_basename(s->path), &s->is_dir, err) < 0) {
				error_prefix(err, "file_mounts '%s' ('%s')", s->path, local);
				goto out;
			}
			total += strlen(s->path) + strlen(s->is_dir ? "dir" : "file");
		}
		total += s->sink.total;
	}
	format_size(total, size);
	format_size(MANIFEST_CONFIGMAP_MAX, limit);
	if (total > MANIFEST_CONFIGMAP_MAX) {
		bool counted_all = true;

		for (size_t i = 0; i < n; i++)
			counted_all = counted_all && items[i].sink.total < PACK_COUNT_MAX;
		error_set(err,
			  "workdir and file_mounts: %s%s (%zu bytes) as tar archives, more than the "
			  "%s (%zu bytes) a ConfigMap can hold (Kubernetes' limit on a ConfigMap's "
			  "data): exclude files with .konduktorignore, or put large files in the "
			  "image or fetch them in setup",
			  counted_all ? "" : "more than ", size, total, limit,
			  MANIFEST_CONFIGMAP_MAX);
		goto out;
	}
	cm = new_object("v1", "ConfigMap", manifest_metadata(name, namespace, labels, NULL));
	data = cJSON_CreateObject();
	binary = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++) {
		struct shipped *s = &items[i];
		struct buf encoded = BUF_INIT(2 * MANIFEST_CONFIGMAP_MAX);

		base64_encode(s->archive.data, s->archive.len, &encoded);
		json_set_string(binary, keys[i], encoded.data);
		buf_release(&encoded);
		if (s->path) {
			size_t m = i - (task->workdir ? 1 : 0);
			_cleanup_free_ char *path_key = xasprintf("mount-%zu.path", m);
			_cleanup_free_ char *kind_key = xasprintf("mount-%zu.kind", m);

			json_set_string(data, path_key, s->path);
			json_set_string(data, kind_key, s->is_dir ? "dir" : "file");
		}
	}
	if (data->child)
		json_set(cm, "data", data);
	else
		cJSON_Delete(data);
	json_set(cm, "binaryData", binary);
	json_set(cm, "immutable", cJSON_CreateTrue());
	*ret = cm;
	r = 0;
out:
	for (size_t i = 0; i < n; i++) {
		buf_release(&items[i].archive);
		free(keys[i]);
	}
	return r;
}

/* --- the workload ---------------------------------------------------------- */

int launch_job_name(const char *task_name, char out[64], struct error *err)
{
	char suffix[5];

	if (random_alnum(suffix, 4, err) < 0)
		return -1;
	if (snprintf(out, 64, "%s-%s", task_name, suffix) >= 64)
		return error_set(err, "task name '%s' is too long for a job name", task_name);
	return 0;
}

static cJSON *workload_annotations(const struct launch *l)
{
	cJSON *a = cJSON_CreateObject();
	_cleanup_free_ char *text = task_annotation_text(l->task);
	char now[RFC3339_MAX], nodes[32];

	if (!l->created_at)
		time_format_rfc3339(time(NULL), now);
	json_set_string(a, ANNOTATION_TASK, text);
	json_set_string(a, ANNOTATION_CREATED_AT, l->created_at ? l->created_at : now);
	snprintf(nodes, sizeof(nodes), "%lld", (long long)l->task->num_nodes);
	json_set_string(a, ANNOTATION_NUM_NODES, nodes);
	return a;
}

static cJSON *job_spec(int64_t completions, int64_t parallelism, int64_t max_restarts,
		       cJSON *pod_template)
{
	cJSON *spec = cJSON_CreateObject();

	json_set_string(spec, "completionMode", "Indexed");
	json_set_int64(spec, "completions", completions);
	json_set_int64(spec, "parallelism", parallelism);
	/* Restarts are counted per index; the Job-wide limit must then not
	 * stop it first (the API server defaults it to this when unset). */
	json_set_int64(spec, "backoffLimit", 2147483647);
	json_set_int64(spec, "backoffLimitPerIndex", max_restarts);
	json_set(spec, "podFailurePolicy", manifest_pod_failure_policy());
	json_set(spec, "template", pod_template);
	return spec;
}

int launch_build(const struct launch *l, cJSON **ret_items, struct error *err)
{
	const struct task *task = l->task;
	bool multi = task->num_nodes > 1;
	bool jobset = multi && l->jobset_available;
	_cleanup_json_ cJSON *items = cJSON_CreateArray();
	_cleanup_json_ cJSON *common = NULL, *workload_labels = NULL, *annotations = NULL;
	_cleanup_free_ char *files_name = xasprintf("%s-files", l->job_name);
	_cleanup_free_ char *master = NULL;
	cJSON *files = NULL, *pod, *workload;
	struct pod_params p = { .task = task, .config = l->config, .workload_name = l->job_name,
				.multi_node = multi, .restart_from_jobset = jobset };

	if (task_check_complete(task, err) < 0)
		return -1;
	if (!str_is_dns_label(l->job_name) || strlen(l->job_name) > TASK_NAME_MAX + 5)
		return error_set(err, "invalid job name '%s'", l->job_name);

	common = manifest_common_labels(LABEL_KIND_JOB, l->job_name, NULL, task->name, l->user,
					NULL);
	{
		_cleanup_json_ cJSON *files_labels = cJSON_Duplicate(common, 1);

		json_set_string(files_labels, LABEL_COMPONENT, LABEL_COMPONENT_FILES);
		if (manifest_files_configmap(task, files_name, l->namespace, files_labels, &files,
					     err) < 0)
			return -1;
	}
	if (files) {
		cJSON_AddItemToArray(items, files);
		p.files_configmap = files_name;
	}
	if (multi && !jobset) {
		_cleanup_json_ cJSON *svc_labels = cJSON_Duplicate(common, 1);
		cJSON *svc, *spec;

		json_set_string(svc_labels, LABEL_COMPONENT, LABEL_COMPONENT_SERVICE);
		svc = new_object("v1", "Service",
				 manifest_metadata(l->job_name, l->namespace, svc_labels, NULL));
		spec = json_ensure_object(svc, "spec");
		json_set_string(spec, "clusterIP", "None");
		json_set_string(json_ensure_object(spec, "selector"), LABEL_JOB_NAME, l->job_name);
		/* Ranks must find each other before they are ready. */
		json_set(spec, "publishNotReadyAddresses", cJSON_CreateTrue());
		cJSON_AddItemToArray(items, svc);
		master = xasprintf("%s-0.%s", l->job_name, l->job_name);
		p.subdomain = l->job_name;
	} else if (jobset) {
		master = xasprintf("%s-%s-0-0.%s", l->job_name, MANIFEST_REPLICATED_JOB, l->job_name);
	}
	p.master_addr = master;

	json_set_string(common, LABEL_COMPONENT, LABEL_COMPONENT_WORKLOAD);
	workload_labels = manifest_workload_labels(task, l->config, common);
	p.labels = workload_labels;
	pod = manifest_pod_template(&p, err);
	if (!pod)
		return -1;
	annotations = workload_annotations(l);
	if (jobset) {
		cJSON *spec, *rjob, *rjobs = cJSON_CreateArray(), *tmpl;

		workload = new_object("jobset.x-k8s.io/v1alpha2", "JobSet",
				      manifest_metadata(l->job_name, l->namespace, workload_labels,
							annotations));
		spec = json_ensure_object(workload, "spec");
		json_set_int64(json_ensure_object(spec, "failurePolicy"), "maxRestarts",
			       task->max_restarts);
		json_set(json_ensure_object(spec, "network"), "enableDNSHostnames",
			 cJSON_CreateTrue());
		rjob = cJSON_CreateObject();
		json_set_string(rjob, "name", MANIFEST_REPLICATED_JOB);
		json_set_int64(rjob, "replicas", 1);
		tmpl = json_ensure_object(rjob, "template");
		json_set(json_ensure_object(tmpl, "metadata"), "labels",
			 cJSON_Duplicate(workload_labels, 1));
		{
			cJSON *js = cJSON_CreateObject();

			json_set_string(js, "completionMode", "Indexed");
			json_set_int64(js, "completions", task->num_nodes);
			json_set_int64(js, "parallelism", task->num_nodes);
			/* Any failed pod fails the child Job; the JobSet restarts all. */
			json_set_int64(js, "backoffLimit", 0);
			json_set(js, "template", pod);
			json_set(tmpl, "spec", js);
		}
		cJSON_AddItemToArray(rjobs, rjob);
		json_set(spec, "replicatedJobs", rjobs);
	} else {
		int64_t completions = task_completions(task);

		workload = new_object("batch/v1", "Job",
				      manifest_metadata(l->job_name, l->namespace, workload_labels,
							annotations));
		json_set(workload, "spec",
			 job_spec(completions, multi ? task->num_nodes : 1, task->max_restarts,
				  pod));
		/* One index failing for good fails the whole job. */
		json_set_int64(json_ensure_object(workload, "spec"), "maxFailedIndexes", 0);
	}
	cJSON_AddItemToArray(items, workload);
	*ret_items = TAKE_PTR(items);
	return 0;
}

int manifest_set_owner(cJSON *object, const cJSON *owner, struct error *err)
{
	const char *uid = json_get_string(owner, "metadata.uid");
	const char *name = json_get_string(owner, "metadata.name");
	const char *api = json_get_string(owner, "apiVersion");
	const char *kind = json_get_string(owner, "kind");
	cJSON *refs, *ref;

	if (!uid || !name || !api || !kind)
		return error_set(err, "owner has no apiVersion, kind, name and uid");
	ref = cJSON_CreateObject();
	json_set_string(ref, "apiVersion", api);
	json_set_string(ref, "kind", kind);
	json_set_string(ref, "name", name);
	json_set_string(ref, "uid", uid);
	refs = cJSON_CreateArray();
	cJSON_AddItemToArray(refs, ref);
	json_set(json_ensure_object(object, "metadata"), "ownerReferences", refs);
	return 0;
}
