/* runtime.c — the node and the controllers, configured and started
 * together (see runtime.h). */
#include "runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "jobcontroller.h"
#include "jobsetcontroller.h"
#include "jobsync.h"
#include "kubelet.h"
#include "quantity.h"
#include "scheduler.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"

const char *const runtime_options[] = {
	"--node-name", "--node-cpu", "--node-memory", "--node-gpus", "--node-max-pods",
	"--node-labels", "--node-taints", "--fail-image-pattern", "--restart-backoff",
	"--restart-backoff-max", "--job-backoff", "--job-backoff-max", "--shutdown-grace",
	"--controllers", "--data-dir", NULL,
};

const char runtime_options_help[] =
	"      --node-name NAME            the name of the cluster's node (default local)\n"
	"      --node-cpu QUANTITY         allocatable CPU, e.g. 4 or 3500m (default: the\n"
	"                                  host's CPUs)\n"
	"      --node-memory QUANTITY      allocatable memory, e.g. 16Gi (default: the\n"
	"                                  host's memory)\n"
	"      --node-gpus N               allocatable nvidia.com/gpu (default 0)\n"
	"      --node-max-pods N           pods the node takes at most (default 110)\n"
	"      --node-labels K=V,...       more labels for the node\n"
	"      --node-taints K[=V]:EFFECT,...\n"
	"                                  taints of the node; EFFECT is NoSchedule,\n"
	"                                  PreferNoSchedule or NoExecute\n"
	"      --fail-image-pattern GLOB   images matching GLOB never pull: their\n"
	"                                  containers show ErrImagePull, then\n"
	"                                  ImagePullBackOff (to test that path)\n"
	"      --restart-backoff DURATION  first back-off before a container restarts or\n"
	"                                  an image pull is retried (default 10s)\n"
	"      --restart-backoff-max DURATION\n"
	"                                  longest such back-off (default 5m)\n"
	"      --job-backoff DURATION      first delay before a Job replaces a failed pod\n"
	"                                  (default 10s)\n"
	"      --job-backoff-max DURATION  longest such delay (default 10m)\n"
	"      --shutdown-grace DURATION   grace running pods get when the cluster stops,\n"
	"                                  before SIGKILL (default 10s)\n"
	"      --controllers LIST          what runs: kubelet, scheduler, job, jobset,\n"
	"                                  all or none, comma-separated (default all)\n"
	"      --data-dir DIR              where pods' volumes live (default DIR/data of\n"
	"                                  --state-dir, else a temporary directory)\n";

/* Calls fn for each non-empty comma-separated item of value (modified
 * copy); stops at the first failure. */
static int for_each_item(const char *value, int (*fn)(char *item, void *ctx, struct error *err),
			 void *ctx, struct error *err)
{
	_cleanup_free_ char *copy = xstrdup(value);
	char *p = copy;

	while (*p) {
		char *end = strchrnul(p, ',');
		bool last = !*end;

		*end = '\0';
		if (*p && fn(p, ctx, err) < 0)
			return -1;
		p = last ? end : end + 1;
	}
	return 0;
}

static int64_t host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (int64_t)pages * size : (int64_t)8 << 30;
}

void runtime_config_init(struct runtime_config *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*c = (struct runtime_config){
		.node_name = xstrdup("local"),
		.cpu_milli = (cpus > 0 ? cpus : 1) * 1000,
		.memory_bytes = host_memory(),
		.max_pods = 110,
		.node_labels = cJSON_CreateObject(),
		.node_taints = cJSON_CreateArray(),
		.restart_backoff_ms = 10000,
		.restart_backoff_max_ms = 300000,
		.job_backoff_ms = 10000,
		.job_backoff_max_ms = 600000,
		.shutdown_grace_ms = 10000,
		.components = RUNTIME_ALL,
	};
}

void runtime_config_release(struct runtime_config *c)
{
	free(c->node_name);
	free(c->fail_image_pattern);
	free(c->data_dir);
	free(c->logs_dir);
	cJSON_Delete(c->node_labels);
	cJSON_Delete(c->node_taints);
	*c = (struct runtime_config){ 0 };
}

bool runtime_config_has_option(const char *option)
{
	for (size_t i = 0; runtime_options[i]; i++)
		if (!strcmp(runtime_options[i], option))
			return true;
	return false;
}

static int parse_quantity(const char *option, const char *value, bool milli, int64_t *ret,
			  struct error *err)
{
	struct quantity q;

	if (quantity_parse(value, &q, NULL) < 0 || q.milli < 0)
		return error_set(err, "%s: '%s' is not a resource quantity", option, value);
	*ret = milli ? q.milli : q.value;
	return 0;
}

static int parse_count(const char *option, const char *value, int64_t *ret, struct error *err)
{
	if (str_to_int64(value, ret) < 0 || *ret < 0)
		return error_set(err, "%s: '%s' is not a whole number", option, value);
	return 0;
}

static int parse_duration(const char *option, const char *value, int64_t *ret, struct error *err)
{
	if (time_parse_duration_ms(value, ret) < 0)
		return error_set(err, "%s: '%s' is not a duration like 10s or 500ms", option, value);
	return 0;
}

/* "k=v" into the labels object. */
static int add_label(char *item, void *ctx, struct error *err)
{
	cJSON *labels = ctx;
	char *eq = strchr(item, '=');

	if (!eq || eq == item)
		return error_set(err, "--node-labels: '%s' is not key=value", item);
	*eq = '\0';
	cJSON_DeleteItemFromObjectCaseSensitive(labels, item);
	cJSON_AddStringToObject(labels, item, eq + 1);
	return 0;
}

/* "key[=value]:Effect" into the taints array. */
static int add_taint(char *item, void *ctx, struct error *err)
{
	cJSON *taints = ctx, *taint;
	char *colon = strrchr(item, ':'), *eq;

	if (!colon || colon == item)
		return error_set(err, "--node-taints: '%s' is not key[=value]:effect", item);
	*colon = '\0';
	if (strcmp(colon + 1, "NoSchedule") && strcmp(colon + 1, "PreferNoSchedule") &&
	    strcmp(colon + 1, "NoExecute"))
		return error_set(err, "--node-taints: unknown effect '%s' (NoSchedule, "
				      "PreferNoSchedule or NoExecute)", colon + 1);
	taint = cJSON_CreateObject();
	eq = strchr(item, '=');
	if (eq)
		*eq = '\0';
	cJSON_AddStringToObject(taint, "key", item);
	if (eq)
		cJSON_AddStringToObject(taint, "value", eq + 1);
	cJSON_AddStringToObject(taint, "effect", colon + 1);
	cJSON_AddItemToArray(taints, taint);
	return 0;
}

static int add_component(char *item, void *ctx, struct error *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "kubelet", RUNTIME_KUBELET }, { "scheduler", RUNTIME_SCHEDULER },
		{ "job", RUNTIME_JOB_CONTROLLER }, { "jobset", RUNTIME_JOBSET_CONTROLLER },
		{ "all", RUNTIME_ALL }, { "none", 0 },
	};
	unsigned *bits = ctx;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(item, names[i].name)) {
			*bits |= names[i].bit;
			return 0;
		}
	}
	return error_set(err, "--controllers: unknown component '%s' (kubelet, scheduler, job, "
			      "jobset, all, none)", item);
}

int runtime_config_set(struct runtime_config *c, const char *option, const char *value,
		       struct error *err)
{
	if (!strcmp(option, "--node-name")) {
		if (!str_is_dns_label(value))
			return error_set(err, "--node-name: '%s' is not a DNS label", value);
		free(c->node_name);
		c->node_name = xstrdup(value);
		return 0;
	}
	if (!strcmp(option, "--node-cpu"))
		return parse_quantity(option, value, true, &c->cpu_milli, err);
	if (!strcmp(option, "--node-memory"))
		return parse_quantity(option, value, false, &c->memory_bytes, err);
	if (!strcmp(option, "--node-gpus"))
		return parse_count(option, value, &c->gpus, err);
	if (!strcmp(option, "--node-max-pods"))
		return parse_count(option, value, &c->max_pods, err);
	if (!strcmp(option, "--node-labels"))
		return for_each_item(value, add_label, c->node_labels, err);
	if (!strcmp(option, "--node-taints"))
		return for_each_item(value, add_taint, c->node_taints, err);
	if (!strcmp(option, "--fail-image-pattern")) {
		free(c->fail_image_pattern);
		c->fail_image_pattern = xstrdup(value);
		return 0;
	}
	if (!strcmp(option, "--restart-backoff"))
		return parse_duration(option, value, &c->restart_backoff_ms, err);
	if (!strcmp(option, "--restart-backoff-max"))
		return parse_duration(option, value, &c->restart_backoff_max_ms, err);
	if (!strcmp(option, "--job-backoff"))
		return parse_duration(option, value, &c->job_backoff_ms, err);
	if (!strcmp(option, "--job-backoff-max"))
		return parse_duration(option, value, &c->job_backoff_max_ms, err);
	if (!strcmp(option, "--shutdown-grace"))
		return parse_duration(option, value, &c->shutdown_grace_ms, err);
	if (!strcmp(option, "--controllers")) {
		unsigned bits = 0;

		if (for_each_item(value, add_component, &bits, err) < 0)
			return -1;
		c->components = bits;
		return 0;
	}
	if (!strcmp(option, "--data-dir")) {
		free(c->data_dir);
		c->data_dir = xstrdup(value);
		return 0;
	}
	return error_set(err, "unknown option '%s'", option);
}

struct runtime {
	struct runtime_config config; /* strings owned */
	char *temp_dir;               /* removed at stop */
	struct kubelet *kubelet;
	struct scheduler *scheduler;
	struct jobcontroller *jobs;
	struct jobsetcontroller *jobsets;
};

struct runtime *runtime_new(const struct runtime_config *config, struct error *err)
{
	struct runtime *rt = xcalloc(1, sizeof(*rt));
	struct kubelet_config kc;

	if (!config->logs_dir) {
		free(rt);
		error_set(err, "the runtime needs a logs directory");
		return NULL;
	}
	rt->config = *config;
	rt->config.node_name = xstrdup(config->node_name);
	rt->config.fail_image_pattern = config->fail_image_pattern ? xstrdup(config->fail_image_pattern) : NULL;
	rt->config.logs_dir = xstrdup(config->logs_dir);
	rt->config.node_labels = cJSON_Duplicate(config->node_labels, true);
	rt->config.node_taints = cJSON_Duplicate(config->node_taints, true);
	if (config->data_dir) {
		rt->config.data_dir = xstrdup(config->data_dir);
	} else {
		char tmpl[] = "/tmp/konduktor-localcluster-XXXXXX";

		if (!mkdtemp(tmpl)) {
			error_set_code(err, errno, "cannot create a data directory in /tmp: %s",
				       strerror(errno));
			runtime_stop(rt);
			return NULL;
		}
		rt->temp_dir = xstrdup(tmpl);
		rt->config.data_dir = xstrdup(tmpl);
	}
	if (mkdir_parents(rt->config.data_dir, 0700, err) < 0) {
		runtime_stop(rt);
		return NULL;
	}
	if (rt->config.components & RUNTIME_KUBELET) {
		kc = (struct kubelet_config){
			.node_name = rt->config.node_name,
			.data_dir = rt->config.data_dir,
			.logs_dir = rt->config.logs_dir,
			.fail_image_pattern = rt->config.fail_image_pattern,
			.backoff_ms = rt->config.restart_backoff_ms,
			.backoff_max_ms = rt->config.restart_backoff_max_ms,
			.cpu_milli = rt->config.cpu_milli,
			.memory_bytes = rt->config.memory_bytes,
			.gpus = rt->config.gpus,
			.max_pods = rt->config.max_pods,
			.node_labels = rt->config.node_labels,
			.node_taints = rt->config.node_taints,
		};
		rt->kubelet = kubelet_new(&kc, err);
		if (!rt->kubelet) {
			runtime_stop(rt);
			return NULL;
		}
	}
	return rt;
}

int runtime_start(struct runtime *rt, struct store *store, struct error *err)
{
	struct job_sync_config jc = JOB_SYNC_CONFIG_DEFAULT;

	jc.pod_failure_backoff_ms = rt->config.job_backoff_ms;
	jc.pod_failure_backoff_max_ms = rt->config.job_backoff_max_ms;
	if (rt->kubelet && kubelet_start(rt->kubelet, store, err) < 0)
		return -1;
	if ((rt->config.components & RUNTIME_SCHEDULER) &&
	    !(rt->scheduler = scheduler_start(store, rt->config.node_name, err)))
		return -1;
	if ((rt->config.components & RUNTIME_JOB_CONTROLLER) &&
	    !(rt->jobs = jobcontroller_start(store, &jc, err)))
		return -1;
	if ((rt->config.components & RUNTIME_JOBSET_CONTROLLER) &&
	    !(rt->jobsets = jobsetcontroller_start(store, err)))
		return -1;
	return 0;
}

void runtime_stop(struct runtime *rt)
{
	if (!rt)
		return;
	/* Controllers first, so that nothing replaces the pods being stopped. */
	jobsetcontroller_stop(rt->jobsets);
	jobcontroller_stop(rt->jobs);
	scheduler_stop(rt->scheduler);
	kubelet_stop(rt->kubelet, rt->config.shutdown_grace_ms);
	if (rt->temp_dir)
		remove_tree(rt->temp_dir, NULL);
	free(rt->temp_dir);
	free(rt->config.node_name);
	free(rt->config.fail_image_pattern);
	free(rt->config.data_dir);
	free(rt->config.logs_dir);
	cJSON_Delete(rt->config.node_labels);
	cJSON_Delete(rt->config.node_taints);
	free(rt);
}
