/* cmd_launch.c — `kubectl konduktor launch TASK.yaml`: a task file (and
 * the flags that override it) becomes a job — the files ConfigMap, a
 * headless Service or not, then the Job or JobSet, which owns the rest —
 * after checking the Secrets it mounts and asking for confirmation on a
 * terminal. Then, by default, rank 0's log is followed until the job ends
 * and the command exits with the outcome's code; -d returns at once,
 * --wait prints only the result; --dry-run prints the objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"
#include "joblog.h"
#include "jsonutil.h"
#include "labels.h"
#include "manifest.h"
#include "output.h"
#include "strutil.h"
#include "task.h"
#include "term.h"
#include "timeutil.h"
#include "userconfig.h"
#include "xalloc.h"

/* Attempts at a free job name when the random one is taken (409). */
#define NAME_ATTEMPTS 3
#define ANSWER_MAX 64

static struct cluster_flags cluster;
static const char *name_flag, *num_nodes_flag, *cpus_flag, *memory_flag, *gpus_flag;
static const char *image_flag, *env_file_flag, *max_restarts_flag, *timeout_flag;
static const char *dry_run_flag, *output_flag, *jobset_flag;
static struct strv env_flags = STRV_INIT, secret_flags = STRV_INIT;
static bool detach_flag, wait_flag, yes_flag;

static const struct opt own[] = {
	{ "detach", 'd', OPT_BOOL, &detach_flag, NULL,
	  "return at once, printing the job's name (do not follow it)", NULL },
	{ "wait", 0, OPT_BOOL, &wait_flag, NULL,
	  "print only the result JSON on stdout once the job ends (everything else on stderr)",
	  NULL },
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "give up waiting after this long (seconds, or e.g. 1m30s; exit code 14); the job "
	  "keeps running",
	  NULL },
	{ "yes", 'y', OPT_BOOL, &yes_flag, NULL, "do not ask for confirmation", NULL },
	{ "dry-run", 0, OPT_OPTIONAL, &dry_run_flag, "client|server",
	  "print the objects instead of creating them: client (the default) without a cluster, "
	  "server validated by the API server",
	  NULL },
	{ "output", 'o', OPT_STRING, &output_flag, "json|yaml",
	  "with --dry-run: the format (default yaml)", NULL },
	{ "jobset", 0, OPT_STRING, &jobset_flag, "auto|always|never",
	  "multi-node tasks as a JobSet: auto (if the cluster serves JobSets; with "
	  "--dry-run=client: always), always, or never (an Indexed Job and a headless Service)",
	  NULL },
	{ "name", 0, OPT_STRING, &name_flag, "NAME", "the task's name (the job's, plus a suffix)",
	  NULL },
	{ "num-nodes", 0, OPT_STRING, &num_nodes_flag, "N", "number of nodes (ranks)", NULL },
	{ "cpus", 0, OPT_STRING, &cpus_flag, "N", "vCPUs per node, e.g. 2 or 0.5", NULL },
	{ "memory", 0, OPT_STRING, &memory_flag, "GIB", "memory per node in GiB", NULL },
	{ "gpus", 0, OPT_STRING, &gpus_flag, "TYPE[:N]", "accelerators per node, e.g. H100:8",
	  NULL },
	{ "image-id", 0, OPT_STRING, &image_flag, "IMAGE", "the container image", NULL },
	{ "env", 0, OPT_STRV, &env_flags, "NAME=VALUE",
	  "an environment variable (repeatable; NAME alone: its value here)", NULL },
	{ "env-file", 0, OPT_STRING, &env_file_flag, "FILE", "environment variables from a file",
	  NULL },
	{ "max-restarts", 0, OPT_STRING, &max_restarts_flag, "N",
	  "restarts after a failure (RESTART_ATTEMPT counts them)", NULL },
	{ "secret", 0, OPT_STRV, &secret_flags, "NAME:WHERE",
	  "mount a Secret in every pod: WHERE is aws (~/.aws), gcp (~/.config/gcloud) or a path "
	  "(repeatable)",
	  NULL },
	OPT_END,
};

static struct opt table[48];

const struct opt *cmd_launch_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), own, &cluster, false);
}

enum dry_run { DRY_RUN_NONE, DRY_RUN_CLIENT, DRY_RUN_SERVER };
enum jobset_mode { JOBSET_AUTO, JOBSET_ALWAYS, JOBSET_NEVER };

struct launch_opts {
	enum dry_run dry_run;
	enum output_format format;
	enum jobset_mode jobset;
	int64_t deadline_ms;
	int64_t timeout_ms;
};

static int check_flags(struct launch_opts *o)
{
	struct error err = ERROR_INIT;

	o->dry_run = !dry_run_flag ? DRY_RUN_NONE
		     : !*dry_run_flag || !strcmp(dry_run_flag, "client") ? DRY_RUN_CLIENT
		     : !strcmp(dry_run_flag, "server")                    ? DRY_RUN_SERVER
									  : (enum dry_run)-1;
	if ((int)o->dry_run < 0) {
		cli_error("launch: --dry-run: unknown value '%s' (use client or server)",
			  dry_run_flag);
		return EXIT_USAGE;
	}
	o->jobset = !jobset_flag || !strcmp(jobset_flag, "auto") ? JOBSET_AUTO
		    : !strcmp(jobset_flag, "always")                 ? JOBSET_ALWAYS
		    : !strcmp(jobset_flag, "never")                  ? JOBSET_NEVER
								     : (enum jobset_mode)-1;
	if ((int)o->jobset < 0) {
		cli_error("launch: --jobset: unknown value '%s' (use auto, always or never)",
			  jobset_flag);
		return EXIT_USAGE;
	}
	if (output_flag && !o->dry_run) {
		cli_error("launch: -o needs --dry-run (a launch prints the job's name, its log or "
			  "its result)");
		return EXIT_USAGE;
	}
	if (output_format_parse("launch", output_flag ? output_flag : "yaml", "json|yaml",
				&o->format, &err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	if (detach_flag + wait_flag + (o->dry_run != DRY_RUN_NONE) > 1) {
		cli_error("launch: choose one of -d/--detach, --wait and --dry-run");
		return EXIT_USAGE;
	}
	if (timeout_flag && (detach_flag || o->dry_run)) {
		cli_error("launch: --timeout bounds the wait, and %s does not wait",
			  detach_flag ? "--detach" : "--dry-run");
		return EXIT_USAGE;
	}
	return jobcmd_deadline("launch", timeout_flag, &o->deadline_ms, &o->timeout_ms);
}

/* Loads the task with the flags applied, the user config and --secret. */
static int load_task(const char *path, struct task *task, struct user_config *config)
{
	struct task_overrides ov = {
		.name = name_flag,
		.num_nodes = num_nodes_flag,
		.cpus = cpus_flag,
		.memory = memory_flag,
		.gpus = gpus_flag,
		.image_id = image_flag,
		.max_restarts = max_restarts_flag,
		.env_file = env_file_flag,
		.envs = (const char *const *)env_flags.items,
		.n_envs = env_flags.len,
	};
	struct error err = ERROR_INIT;

	if (user_config_load(NULL, config, &err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < secret_flags.len; i++) {
		if (user_config_add_secret(config, secret_flags.items[i], &err) < 0) {
			cli_error("%s", err.msg);
			return EXIT_USAGE;
		}
	}
	if (task_load(path, &ov, task, &err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	return 0;
}

/* Asks on the terminal; true to go on. */
static bool confirm(const struct task *task, const char *job_name, const char *ns,
		    const struct kcluster *kc)
{
	char cpus[32], answer[ANSWER_MAX];
	const char *context = kube_client_config(kc->client)->context;

	task_format_cpus(task->cpu_millis, cpus);
	fprintf(stderr, "Launching task '%s' as job '%s' in namespace '%s'%s%s%s:\n", task->name,
		job_name, ns, *context ? " (context '" : "", context, *context ? "')" : "");
	fprintf(stderr, "  %lld node%s, %s CPU, %lld GiB memory", (long long)task->num_nodes,
		task->num_nodes == 1 ? "" : "s", cpus, (long long)task->memory_gib);
	if (task->accelerator)
		fprintf(stderr, ", %lld %s", (long long)task->accelerator_count, task->accelerator);
	fprintf(stderr, ", image %s", task->image_id);
	if (task->max_restarts)
		fprintf(stderr, ", up to %lld restarts", (long long)task->max_restarts);
	fputs("\nProceed? [Y/n] ", stderr);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	answer[strcspn(answer, "\r\n")] = '\0';
	return !*answer || !strcasecmp(answer, "y") || !strcasecmp(answer, "yes");
}

static const struct kube_resource *resource_of(const cJSON *object)
{
	const char *kind = json_get_string(object, "kind");

	if (str_eq(kind, "ConfigMap"))
		return &kube_configmaps;
	if (str_eq(kind, "Service"))
		return &kube_services;
	if (str_eq(kind, "JobSet"))
		return &kube_jobsets;
	return &kube_jobs;
}

/* Deletes what a failed launch created already (best effort). */
static void roll_back(struct kcluster *kc, const char *ns, cJSON *created)
{
	const cJSON *obj;
	struct kube_delete_opts del = { .propagation_policy = "Background" };

	cJSON_ArrayForEach(obj, created)
		kube_delete(kc->client, resource_of(obj), ns, json_get_string(obj, "metadata.name"),
			    &del, NULL, NULL);
}

/* Creates the objects in order; the workload (last) then owns the others.
 * On success *ret_workload is the created workload. */
static int create_objects(struct kcluster *kc, const char *ns, cJSON *items, bool server_dry_run,
			  cJSON **ret_created, struct error *err)
{
	_cleanup_json_ cJSON *created = cJSON_CreateArray();
	struct kube_write_opts write = { .dry_run = server_dry_run, .field_validation = "Strict",
					 .field_manager = "kubectl-konduktor" };
	const cJSON *workload;
	cJSON *item;

	cJSON_ArrayForEach(item, items) {
		cJSON *answer = NULL;

		if (kube_create(kc->client, resource_of(item), ns, item, &write, &answer, err) < 0) {
			if (!server_dry_run)
				roll_back(kc, ns, created);
			return error_prefix(err, "creating %s '%s'", json_get_string(item, "kind"),
					    json_get_string(item, "metadata.name"));
		}
		cJSON_AddItemToArray(created, answer);
	}
	workload = cJSON_GetArrayItem(created, cJSON_GetArraySize(created) - 1);
	for (int i = 0; !server_dry_run && i + 1 < cJSON_GetArraySize(created); i++) {
		cJSON *obj = cJSON_GetArrayItem(created, i);
		_cleanup_json_ cJSON *patch = cJSON_CreateObject();
		cJSON *answer = NULL;

		if (manifest_set_owner(patch, workload, err) < 0 ||
		    kube_patch(kc->client, resource_of(obj), ns, json_get_string(obj, "metadata.name"),
			       KUBE_PATCH_MERGE, patch, NULL, &answer, err) < 0) {
			const char *kind = json_get_string(obj, "kind");
			const char *name = json_get_string(obj, "metadata.name");

			error_prefix(err, "cannot make %s '%s' owned by the job (delete it with "
					  "'kubectl konduktor cleanup %s')",
				     kind, name, json_get_string(workload, "metadata.name"));
			return -1;
		}
		cJSON_ReplaceItemInArray(created, i, answer);
	}
	*ret_created = TAKE_PTR(created);
	return 0;
}

static int print_objects(const cJSON *items, enum output_format format)
{
	struct error err = ERROR_INIT;

	if (output_objects(items, false, format, stdout, &err) < 0) {
		cli_error("launch: %s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* --dry-run=client: nothing is asked of a cluster. */
static int dry_run_client(const struct task *task, const struct user_config *config,
			  const struct launch_opts *o)
{
	_cleanup_free_ char *user = jobcmd_local_user();
	_cleanup_json_ cJSON *items = NULL;
	struct error err = ERROR_INIT;
	char job_name[64];
	struct launch l = { .task = task, .config = config, .job_name = job_name,
			    .namespace = cluster.namespace, .user = user,
			    .jobset_available = o->jobset != JOBSET_NEVER };

	if (launch_job_name(task->name, job_name, &err) < 0 || launch_build(&l, &items, &err) < 0) {
		cli_error("%s", err.msg);
		return EXIT_USAGE;
	}
	return print_objects(items, o->format);
}

/* What happens once the job exists: print its name, wait for its result,
 * or follow its log to the end. */
static int after_creation(struct kcluster *kc, const cJSON *workload, const struct launch_opts *o)
{
	struct kjob job;
	struct job_final final;
	struct error err = ERROR_INIT;
	int code;

	kjob_init(&job);
	job_final_init(&final);
	final.timeout_ms = o->timeout_ms;
	job.namespace = xstrdup(kc->namespace);
	job.name = xstrdup(json_get_string(workload, "metadata.name"));
	job.resource = resource_of(workload);
	job.workload = cJSON_Duplicate(workload, true);
	if (detach_flag) {
		printf("%s\n", job.name);
		code = EXIT_OK;
		goto out;
	}
	if (wait_flag) {
		fprintf(stderr, "job '%s' launched in namespace '%s'; waiting for its result\n",
			job.name, job.namespace);
		if (job_wait_end(kc, &job, o->deadline_ms, false, &final, &err) < 0) {
			code = jobcmd_fail("launch", kc, &err);
			goto out;
		}
	} else {
		struct joblog_opts log = { .rank = 0, .follow = true, .deadline_ms = o->deadline_ms,
					   .stop_when_stuck = true };

		fprintf(stderr, "job '%s' launched in namespace '%s'; rank 0's log follows (Ctrl-C "
				"stops following, the job keeps running)\n",
			job.name, job.namespace);
		if (joblog_print(kc, &job, &log, &final, &err) < 0) {
			code = jobcmd_fail("launch", kc, &err);
			goto out;
		}
	}
	code = job_report_outcome(kc, &final);
out:
	job_final_release(&final);
	kjob_release(&job);
	return code;
}

static int launch(const struct task *task, const struct user_config *config,
		  size_t n_config_secrets, const struct launch_opts *o)
{
	struct kcluster *kc = NULL;
	_cleanup_free_ char *user = jobcmd_local_user();
	_cleanup_json_ cJSON *created = NULL;
	struct error err = ERROR_INIT;
	bool jobsets = o->jobset == JOBSET_ALWAYS;
	int code;

	/* A task whose objects cannot be built (its workdir is too large, say)
	 * is a usage error, found before a cluster is asked anything. */
	{
		_cleanup_json_ cJSON *trial = NULL;
		char job_name[64];
		struct launch l = { .task = task, .config = config, .job_name = job_name,
				    .user = user };

		if (launch_job_name(task->name, job_name, &err) < 0 ||
		    launch_build(&l, &trial, &err) < 0) {
			cli_error("%s", err.msg);
			return EXIT_USAGE;
		}
	}
	if ((code = jobcmd_open("launch", &cluster, &kc)))
		return code;
	if ((code = jobcmd_check_secrets("launch", kc, config, n_config_secrets)))
		goto out;
	if (task->num_nodes > 1 && o->jobset == JOBSET_AUTO &&
	    kcluster_jobsets_served(kc, &jobsets, &err) < 0) {
		code = jobcmd_fail("launch", kc, &err);
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		_cleanup_json_ cJSON *items = NULL;
		char job_name[64];
		struct launch l = { .task = task, .config = config, .job_name = job_name,
				    .namespace = kc->namespace, .user = user,
				    .jobset_available = jobsets };

		if (launch_job_name(task->name, job_name, &err) < 0 ||
		    launch_build(&l, &items, &err) < 0) {
			cli_error("%s", err.msg);
			code = EXIT_ERROR;
			goto out;
		}
		if (attempt == 0 && !yes_flag && o->dry_run == DRY_RUN_NONE &&
		    term_is_terminal(stdin) && !confirm(task, job_name, kc->namespace, kc)) {
			cli_error("launch: not confirmed; nothing was created");
			code = EXIT_ERROR;
			goto out;
		}
		if (create_objects(kc, kc->namespace, items, o->dry_run == DRY_RUN_SERVER, &created,
				   &err) == 0)
			break;
		if (err.code != 409 || attempt + 1 == NAME_ATTEMPTS) {
			code = jobcmd_fail("launch", kc, &err);
			goto out;
		}
	}
	if (o->dry_run == DRY_RUN_SERVER)
		code = print_objects(created, o->format);
	else
		code = after_creation(kc, cJSON_GetArrayItem(created, cJSON_GetArraySize(created) - 1),
				      o);
out:
	kcluster_close(kc);
	return code;
}

int cmd_launch(int argc, char **argv)
{
	struct strv args = STRV_INIT;
	struct launch_opts o = { 0 };
	struct task task;
	struct user_config config;
	size_t n_config_secrets;
	int code;

	task_init(&task);
	user_config_init(&config);
	if ((code = jobcmd_parse("launch", cmd_launch_options(), argc, argv, &args)))
		goto out;
	if (args.len != 1) {
		cli_error("launch: name one task file (see 'kubectl konduktor launch --help')");
		code = EXIT_USAGE;
		goto out;
	}
	if ((code = check_flags(&o)))
		goto out;
	if ((code = load_task(args.items[0], &task, &config)))
		goto out;
	/* load_task() added --secret's after the config's own. */
	n_config_secrets = config.n_secrets - secret_flags.len;
	if (o.dry_run == DRY_RUN_CLIENT)
		code = dry_run_client(&task, &config, &o);
	else
		code = launch(&task, &config, n_config_secrets, &o);
out:
	task_release(&task);
	user_config_release(&config);
	strv_release(&args);
	return code;
}
