/* cmd_map.c — `kubectl konduktor map TASK.yaml --inputs FILE|-`: one task
 * over many inputs as a group (docs/groups.md). Reads and checks every
 * input before anything is created, submits the group's few objects
 * (input ConfigMaps at once, then the one Indexed Job), prints the group
 * id, and with --wait follows it as `group results` does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "group.h"
#include "groupcmd.h"
#include "inputs.h"
#include "jobcmd.h"
#include "jsonutil.h"
#include "kube_bulk.h"
#include "kube_resource.h"
#include "labels.h"
#include "manifest.h"
#include "output.h"
#include "strutil.h"
#include "task.h"
#include "timeutil.h"
#include "userconfig.h"
#include "xalloc.h"

/* ConfigMaps created at once (kube_bulk's default). */
#define SUBMIT_IN_FLIGHT 16

static struct cluster_flags cluster;
static const char *inputs_flag;
static const char *input_mode_flag;
static int64_t max_concurrent_flag = GROUP_DEFAULT_MAX_CONCURRENT;
static int64_t retries_flag;
static bool fail_fast_flag;
static bool cancel_running_flag;
static bool wait_flag;
static const char *timeout_flag;
static bool as_completed_flag;
static bool return_exceptions_flag;
static const char *dry_run_flag;
static const char *output_flag;
static const char *name_flag, *cpus_flag, *memory_flag, *gpus_flag, *image_flag, *env_file_flag;
static struct strv env_flags = STRV_INIT;
static struct strv secret_flags = STRV_INIT;

static const struct opt map_own[] = {
	{ "inputs", 0, OPT_STRING, &inputs_flag, "FILE",
	  "the inputs: JSON lines or one JSON array; - reads stdin (required)", NULL },
	{ "input-mode", 0, OPT_STRING, &input_mode_flag, "auto|single|args|kwargs",
	  "how an input reaches run: environment variables (kwargs), positional parameters "
	  "(args) or $1 whole (single); auto decides per input (default auto)", NULL },
	{ "max-concurrent", 0, OPT_INT, &max_concurrent_flag, "N",
	  "inputs running at once (default 64; 0: no limit)", NULL },
	{ "retries", 0, OPT_INT, &retries_flag, "N",
	  "attempts per input beyond the first (default 0); RESTART_ATTEMPT tells which", NULL },
	{ "fail-fast", 0, OPT_BOOL, &fail_fast_flag, NULL,
	  "no new input starts once one has failed for good; running ones finish", NULL },
	{ "cancel-running-on-fail", 0, OPT_BOOL, &cancel_running_flag, NULL,
	  "with --fail-fast: running inputs are stopped too", NULL },
	{ "wait", 0, OPT_BOOL, &wait_flag, NULL,
	  "wait and print the results as JSON lines, as 'group results' does", NULL },
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "with --wait: stop waiting after this long (the group keeps running)", NULL },
	{ "as-completed", 0, OPT_BOOL, &as_completed_flag, NULL,
	  "with --wait: print each input's line as it finishes", NULL },
	{ "return-exceptions", 0, OPT_BOOL, &return_exceptions_flag, NULL,
	  "with --wait: print failed inputs' lines too, and exit 0 for them", NULL },
	{ "dry-run", 0, OPT_OPTIONAL, &dry_run_flag, "client|server",
	  "print the objects instead of creating them: client (the default) without a cluster, "
	  "server validated by the API server", NULL },
	{ "output", 'o', OPT_STRING, &output_flag, "json|yaml",
	  "with --dry-run: the format of the objects (default yaml)", NULL },
	{ "name", 0, OPT_STRING, &name_flag, "NAME", "the task's name (overrides name:)", NULL },
	{ "cpus", 0, OPT_STRING, &cpus_flag, "N", "CPUs per input (overrides resources.cpus)", NULL },
	{ "memory", 0, OPT_STRING, &memory_flag, "GIB",
	  "memory per input in GiB (overrides resources.memory)", NULL },
	{ "gpus", 0, OPT_STRING, &gpus_flag, "TYPE:N",
	  "accelerators per input, e.g. H100:1 (overrides resources.accelerators)", NULL },
	{ "image-id", 0, OPT_STRING, &image_flag, "IMAGE",
	  "the container image (overrides resources.image_id)", NULL },
	{ "env", 'e', OPT_STRV, &env_flags, "K=V",
	  "set an environment variable (K alone takes its value from here); repeatable", NULL },
	{ "env-file", 0, OPT_STRING, &env_file_flag, "FILE",
	  "environment variables from a file, as docker run --env-file", NULL },
	{ "secret", 0, OPT_STRV, &secret_flags, "NAME:WHERE",
	  "mount the Secret NAME read-only: aws, gcp, or a path; repeatable", NULL },
	OPT_END,
};

static struct opt map_table[48];

const struct opt *cmd_map_options(void)
{
	return cli_options_with_cluster(map_table, ARRAY_SIZE(map_table), map_own, &cluster, false);
}

enum dry_run { DRY_RUN_NONE, DRY_RUN_CLIENT, DRY_RUN_SERVER };

static int check_flags(enum dry_run *ret_dry_run)
{
	bool waiting_flags = timeout_flag || as_completed_flag || return_exceptions_flag;

	*ret_dry_run = !dry_run_flag ? DRY_RUN_NONE
		       : !*dry_run_flag || !strcmp(dry_run_flag, "client") ? DRY_RUN_CLIENT
		       : !strcmp(dry_run_flag, "server")                    ? DRY_RUN_SERVER
									    : (enum dry_run)-1;
	if ((int)*ret_dry_run < 0) {
		cli_error("map: --dry-run: unknown value '%s' (use client or server)", dry_run_flag);
		return EXIT_USAGE;
	}
	if (!inputs_flag) {
		cli_error("map: --inputs is required (a file of JSON lines or a JSON array, or - "
			  "for stdin)");
		return EXIT_USAGE;
	}
	if (waiting_flags && !wait_flag) {
		cli_error("map: --%s needs --wait (or follow the group with 'kubectl konduktor "
			  "group results')",
			  timeout_flag ? "timeout" : as_completed_flag ? "as-completed"
								       : "return-exceptions");
		return EXIT_USAGE;
	}
	if (*ret_dry_run && wait_flag) {
		cli_error("map: --dry-run creates nothing to wait for");
		return EXIT_USAGE;
	}
	if (output_flag && !*ret_dry_run) {
		cli_error("map: -o applies to --dry-run (map prints the group id; with --wait, "
			  "JSON lines)");
		return EXIT_USAGE;
	}
	return 0;
}

/* Reads every input; an error names the line. */
static int read_inputs(struct input_set *set, struct error *err)
{
	const char *name = strcmp(inputs_flag, "-") == 0 ? "-" : inputs_flag;
	_cleanup_close_ int fd = -1;

	if (strcmp(inputs_flag, "-") == 0)
		return inputs_read_fd(set, STDIN_FILENO, "-", err);
	fd = open(inputs_flag, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set_code(err, errno, "inputs '%s': %s", name, strerror(errno));
	return inputs_read_fd(set, fd, name, err);
}

/* What map submits: the objects, and what is checked against the cluster
 * before they are created. */
struct map_build {
	cJSON *items;
	size_t n_inputs;
	struct user_config config;
	size_t n_config_secrets; /* config's Secrets from the user config, before --secret's */
};

static void map_build_release(struct map_build *b)
{
	cJSON_Delete(b->items);
	user_config_release(&b->config);
}

/* Builds the group's objects from the flags, the task and the inputs:
 * everything that can be wrong with them is found here, before the
 * cluster is asked anything. */
static int build(const char *task_path, const char *ns, const char *id, struct map_build *ret)
{
	struct task_overrides overrides = {
		.name = name_flag, .cpus = cpus_flag, .memory = memory_flag, .gpus = gpus_flag,
		.image_id = image_flag, .env_file = env_file_flag,
		.envs = (const char *const *)env_flags.items, .n_envs = env_flags.len,
	};
	struct group_launch g = {
		.group_id = id,
		.namespace = ns,
		.policy = { .max_concurrent = max_concurrent_flag, .retries = retries_flag,
			    .fail_fast = fail_fast_flag, .cancel_running_on_fail = cancel_running_flag },
	};
	_cleanup_free_ char *user = jobcmd_local_user();
	struct input_set inputs;
	struct task task;
	struct error err = ERROR_INIT;
	enum input_mode mode = INPUT_AUTO;
	int code = EXIT_USAGE;

	task_init(&task);
	user_config_init(&ret->config);
	input_set_init(&inputs, mode);
	if (input_mode_flag && input_mode_parse(input_mode_flag, &mode, &err) < 0)
		goto out;
	inputs.mode = mode;
	if (user_config_load(NULL, &ret->config, &err) < 0)
		goto out;
	ret->n_config_secrets = ret->config.n_secrets;
	for (size_t i = 0; i < secret_flags.len; i++)
		if (user_config_add_secret(&ret->config, secret_flags.items[i], &err) < 0)
			goto out;
	if (task_load(task_path, &overrides, &task, &err) < 0)
		goto out;
	if (read_inputs(&inputs, &err) < 0)
		goto out;
	g.task = &task;
	g.config = &ret->config;
	g.user = user;
	g.inputs = &inputs;
	if (group_build(&g, &ret->items, &err) < 0)
		goto out;
	ret->n_inputs = inputs.count;
	code = EXIT_OK;
out:
	if (code != EXIT_OK)
		cli_error("map: %s", err.msg);
	task_release(&task);
	input_set_release(&inputs);
	return code;
}

/* Deletes what a failed submission created. */
static void undo(struct kcluster *kc, struct kube_bulk_item *created, size_t n)
{
	struct kube_bulk_item *del = xcalloc(n ? n : 1, sizeof(*del));
	struct kube_delete_opts opts = { .propagation_policy = "Background" };
	struct kube_bulk_opts bulk = { .max_in_flight = SUBMIT_IN_FLIGHT, .del = &opts };
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (created[i].result != 0)
			continue;
		del[k].verb = KUBE_BULK_DELETE;
		del[k].resource = created[i].resource;
		del[k].namespace = kc->namespace;
		del[k].name = json_get_string(created[i].body, "metadata.name");
		k++;
	}
	if (k)
		kube_bulk_run(kc->client, del, k, &bulk, NULL);
	kube_bulk_items_release(del, k);
	free(del);
}

/* Creates the ConfigMaps (all at once), then the Job, then makes the Job
 * their owner so that deleting it deletes them. On failure nothing is
 * left behind. With server_dry_run, the API server only validates them:
 * *ret_created (may be NULL) gets the objects as it answered. */
static int submit(struct kcluster *kc, const cJSON *items, bool server_dry_run,
		  cJSON **ret_created, struct error *err)
{
	size_t n = (size_t)cJSON_GetArraySize(items) - 1, k = 0;
	const cJSON *job = cJSON_GetArrayItem(items, (int)n), *item;
	struct kube_write_opts write = { .dry_run = server_dry_run, .field_validation = "Strict",
					 .field_manager = "kubectl-konduktor" };
	struct kube_bulk_opts bulk = { .max_in_flight = SUBMIT_IN_FLIGHT, .write = &write };
	_cleanup_free_ struct kube_bulk_item *cms = xcalloc(n ? n : 1, sizeof(*cms));
	_cleanup_free_ struct kube_bulk_item *owned = xcalloc(n ? n : 1, sizeof(*owned));
	_cleanup_json_ cJSON *created = NULL, *patches = cJSON_CreateArray();
	struct error owner_err = ERROR_INIT;
	int ret = -1;

	cJSON_ArrayForEach(item, items) {
		if (k == n)
			break;
		cms[k].verb = KUBE_BULK_CREATE;
		cms[k].resource = &kube_configmaps;
		cms[k].namespace = kc->namespace;
		cms[k].body = item;
		k++;
	}
	if (n && kube_bulk_run(kc->client, cms, n, &bulk, err) < 0) {
		if (!server_dry_run)
			undo(kc, cms, n);
		goto out;
	}
	if (kube_create(kc->client, &kube_jobs, kc->namespace, job, &write, &created, err) < 0) {
		if (!server_dry_run)
			undo(kc, cms, n);
		goto out;
	}
	ret = 0;
	if (server_dry_run) {
		if (ret_created) {
			*ret_created = cJSON_CreateArray();
			for (size_t i = 0; i < n; i++)
				cJSON_AddItemToArray(*ret_created, TAKE_PTR(cms[i].object));
			cJSON_AddItemToArray(*ret_created, TAKE_PTR(created));
		}
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *patch = cJSON_CreateObject();

		json_ensure_object(patch, "metadata");
		cJSON_AddItemToArray(patches, patch);
		if (manifest_set_owner(patch, created, &owner_err) < 0)
			break;
		owned[i].verb = KUBE_BULK_PATCH;
		owned[i].resource = &kube_configmaps;
		owned[i].namespace = kc->namespace;
		owned[i].name = json_get_string(cms[i].body, "metadata.name");
		owned[i].body = patch;
		owned[i].patch_type = KUBE_PATCH_MERGE;
	}
	if (!owner_err.msg[0] && n)
		kube_bulk_run(kc->client, owned, n, &bulk, &owner_err);
	/* The group runs either way; `group cleanup` finds its ConfigMaps by
	 * label, so a missing owner only matters to `kubectl delete job`. */
	if (owner_err.msg[0])
		fprintf(stderr, "warning: map: the group's ConfigMaps are not owned by its Job: %s\n",
			owner_err.msg);
	kube_bulk_items_release(owned, n);
out:
	kube_bulk_items_release(cms, n);
	return ret;
}

static int print_objects(const cJSON *items)
{
	struct error err = ERROR_INIT;
	enum output_format format;

	if (output_format_parse("map", output_flag ? output_flag : "yaml", "json|yaml", &format,
				&err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (output_objects(items, false, format, stdout, &err) < 0) {
		cli_error("map: %s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

int cmd_map(int argc, char **argv)
{
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct map_build b = { 0 };
	_cleanup_json_ cJSON *validated = NULL;
	char id[GROUP_ID_LEN + 1];
	struct error err = ERROR_INIT;
	struct groupcmd_results_opts wait_opts = { 0 };
	enum dry_run dry_run;
	int code;

	user_config_init(&b.config);
	if ((code = jobcmd_parse("map", cmd_map_options(), argc, argv, &args)) != 0)
		goto out;
	code = EXIT_USAGE;
	if (args.len != 1) {
		cli_error("map: %s", args.len ? "name one task file" : "name the task file (TASK.yaml)");
		goto out;
	}
	if ((code = check_flags(&dry_run)) != 0 ||
	    (code = jobcmd_deadline("map", timeout_flag, &wait_opts.deadline_ms,
				    &wait_opts.timeout_ms)) != 0)
		goto out;
	wait_opts.as_completed = as_completed_flag;
	wait_opts.return_exceptions = return_exceptions_flag;
	if (group_id_generate(id, &err) < 0) {
		cli_error("map: %s", err.msg);
		code = EXIT_ERROR;
		goto out;
	}
	/* Everything about the task and the inputs is checked first: a
	 * malformed line stops map before the cluster is asked anything. */
	if ((code = build(args.items[0], dry_run == DRY_RUN_CLIENT ? cluster.namespace : NULL, id,
			  &b)) != 0)
		goto out;
	if (dry_run == DRY_RUN_CLIENT) {
		code = print_objects(b.items);
		goto out;
	}
	if ((code = jobcmd_open("map", &cluster, &kc)) != 0 ||
	    (code = jobcmd_check_secrets("map", kc, &b.config, b.n_config_secrets)) != 0)
		goto out;
	if (submit(kc, b.items, dry_run == DRY_RUN_SERVER, &validated, &err) < 0) {
		code = jobcmd_fail("map", kc, &err);
		goto out;
	}
	if (dry_run == DRY_RUN_SERVER) {
		code = print_objects(validated);
		goto out;
	}
	if (!wait_flag) {
		printf("%s\n", id);
		fprintf(stderr, "%s: %zu input%s submitted; follow with 'kubectl konduktor group "
			"results %s'\n",
			id, b.n_inputs, b.n_inputs == 1 ? "" : "s", id);
		code = EXIT_OK;
		goto out;
	}
	fprintf(stderr, "%s: %zu input%s submitted\n", id, b.n_inputs, b.n_inputs == 1 ? "" : "s");
	code = groupcmd_results("map", kc, id, &wait_opts);
out:
	map_build_release(&b);
	kcluster_close(kc);
	strv_release(&args);
	return code;
}
