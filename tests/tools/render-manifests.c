/* render-manifests.c — test tool: a task (or a task mapped over inputs)
 * rendered as the objects kubectl-konduktor would create, printed as one
 * kind: List in JSON or YAML, exactly as `launch --dry-run -o json|yaml`
 * prints them. Errors go to stderr as one "error: ..." line, exit code 2
 * for a bad task, config, inputs or flag (as the plugin does).
 *
 *   render-manifests [flags] TASK.yaml
 *     -o json|yaml            output format (default json)
 *     --config FILE           user config (default: $KONDUKTOR_CONFIG or ~/.konduktor/config.yaml)
 *     --jobset                the cluster serves JobSets
 *     --job-name NAME         the workload's name (default <task name>-test)
 *     -n NAMESPACE
 *     --name, --num-nodes, --cpus, --memory, --gpus, --image-id,
 *     --max-restarts, --env K=V (repeatable), --env-file FILE,
 *     --secret NAME:WHERE (repeatable)          task overrides
 *     --inputs FILE           map the task over inputs (a group)
 *     --input-mode MODE, --max-concurrent N, --retries N, --fail-fast,
 *     --cancel-running-on-fail                  group policy */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "exitcode.h"
#include "group.h"
#include "inputs.h"
#include "jsonutil.h"
#include "manifest.h"
#include "render.h"
#include "strutil.h"
#include "task.h"
#include "userconfig.h"

#define MAX_REPEATED 64

struct options {
	const char *output, *config, *job_name, *namespace, *inputs, *input_mode;
	const char *max_concurrent, *retries;
	bool jobset, fail_fast, cancel_running_on_fail;
	struct task_overrides overrides;
	const char *envs[MAX_REPEATED];
	const char *secrets[MAX_REPEATED];
	size_t n_secrets;
	const char *task_path;
};

/* Prints "error: <a><b>" and returns the usage exit code. */
static int usage_error(const char *a, const char *b)
{
	fprintf(stderr, "error: %s%s\n", a, b);
	return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct {
		const char *flag;
		size_t offset;
	} values[] = {
		{ "-o", offsetof(struct options, output) },
		{ "--config", offsetof(struct options, config) },
		{ "--job-name", offsetof(struct options, job_name) },
		{ "-n", offsetof(struct options, namespace) },
		{ "--inputs", offsetof(struct options, inputs) },
		{ "--input-mode", offsetof(struct options, input_mode) },
		{ "--max-concurrent", offsetof(struct options, max_concurrent) },
		{ "--retries", offsetof(struct options, retries) },
		{ "--name", offsetof(struct options, overrides.name) },
		{ "--num-nodes", offsetof(struct options, overrides.num_nodes) },
		{ "--cpus", offsetof(struct options, overrides.cpus) },
		{ "--memory", offsetof(struct options, overrides.memory) },
		{ "--gpus", offsetof(struct options, overrides.gpus) },
		{ "--image-id", offsetof(struct options, overrides.image_id) },
		{ "--max-restarts", offsetof(struct options, overrides.max_restarts) },
		{ "--env-file", offsetof(struct options, overrides.env_file) },
	};

	o->output = "json";
	o->overrides.envs = o->envs;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool matched = false;

		for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
			if (strcmp(arg, values[k].flag) != 0)
				continue;
			if (i + 1 >= argc)
				return usage_error(arg, " needs a value");
			*(const char **)((char *)o + values[k].offset) = argv[++i];
			matched = true;
		}
		if (matched)
			continue;
		if (strcmp(arg, "--jobset") == 0) {
			o->jobset = true;
		} else if (strcmp(arg, "--fail-fast") == 0) {
			o->fail_fast = true;
		} else if (strcmp(arg, "--cancel-running-on-fail") == 0) {
			o->cancel_running_on_fail = true;
		} else if (strcmp(arg, "--env") == 0 || strcmp(arg, "--secret") == 0) {
			if (i + 1 >= argc)
				return usage_error(arg, " needs a value");
			if (o->overrides.n_envs >= MAX_REPEATED || o->n_secrets >= MAX_REPEATED)
				return usage_error("too many flags: ", arg);
			if (arg[2] == 'e')
				o->envs[o->overrides.n_envs++] = argv[++i];
			else
				o->secrets[o->n_secrets++] = argv[++i];
		} else if (arg[0] == '-' && arg[1]) {
			return usage_error("unknown flag: ", arg);
		} else if (o->task_path) {
			return usage_error("more than one task file: ", arg);
		} else {
			o->task_path = arg;
		}
	}
	if (!o->task_path)
		return usage_error("usage: render-manifests [flags] TASK.yaml", "");
	return 0;
}

static int parse_count(const char *flag, const char *text, int64_t fallback, int64_t *ret)
{
	if (!text) {
		*ret = fallback;
		return 0;
	}
	if (str_to_int64(text, ret) < 0)
		return usage_error("invalid number for ", flag);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct task task;
	struct user_config config;
	struct error err = ERROR_INIT;
	enum render_format format;
	_cleanup_json_ cJSON *items = NULL;
	struct buf out = BUF_INIT((size_t)256 * 1024 * 1024);
	int code = EXIT_USAGE, r;

	if ((r = parse_args(argc, argv, &o)) != 0)
		return r;
	if (render_format_parse(o.output, &format, &err) < 0)
		return usage_error(err.msg, "");
	if (user_config_load(o.config, &config, &err) < 0)
		return usage_error(err.msg, "");
	for (size_t i = 0; i < o.n_secrets; i++)
		if (user_config_add_secret(&config, o.secrets[i], &err) < 0) {
			user_config_release(&config);
			return usage_error(err.msg, "");
		}
	if (task_load(o.task_path, &o.overrides, &task, &err) < 0) {
		user_config_release(&config);
		return usage_error(err.msg, "");
	}
	if (o.inputs) {
		struct input_set inputs;
		enum input_mode mode = INPUT_AUTO;
		struct group_launch g = { .task = &task, .config = &config, .group_id = "grp-0123abcd",
					  .namespace = o.namespace, .user = "tester",
					  .created_at = "2026-01-02T03:04:05Z", .inputs = &inputs };
		int fd;

		if ((o.input_mode && input_mode_parse(o.input_mode, &mode, &err) < 0) ||
		    parse_count("--max-concurrent", o.max_concurrent, GROUP_DEFAULT_MAX_CONCURRENT,
				&g.policy.max_concurrent) ||
		    parse_count("--retries", o.retries, 0, &g.policy.retries))
			goto out;
		g.policy.fail_fast = o.fail_fast;
		g.policy.cancel_running_on_fail = o.cancel_running_on_fail;
		input_set_init(&inputs, mode);
		fd = strcmp(o.inputs, "-") == 0 ? STDIN_FILENO : open(o.inputs, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			error_set(&err, "inputs '%s': cannot open", o.inputs);
			input_set_release(&inputs);
			goto out;
		}
		r = inputs_read_fd(&inputs, fd, o.inputs, &err);
		if (fd != STDIN_FILENO)
			close(fd);
		if (r == 0)
			r = group_build(&g, &items, &err);
		input_set_release(&inputs);
		if (r < 0)
			goto out;
	} else {
		char name[64];
		struct launch l = { .task = &task, .config = &config, .namespace = o.namespace,
				    .user = "tester", .created_at = "2026-01-02T03:04:05Z",
				    .jobset_available = o.jobset };

		snprintf(name, sizeof(name), "%s-test", task.name);
		l.job_name = o.job_name ? o.job_name : name;
		if (launch_build(&l, &items, &err) < 0)
			goto out;
	}
	if (render_list(items, format, &out, &err) < 0) {
		code = EXIT_ERROR;
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	code = EXIT_OK;
out:
	if (code != EXIT_OK)
		fprintf(stderr, "error: %s\n", err.msg);
	buf_release(&out);
	task_release(&task);
	user_config_release(&config);
	return code;
}
