/* cmd_status.c — `kubectl konduktor status [JOB…]` and `list`: jobs and
 * their state with a reason, as a kubectl-like table or as JobStatus
 * documents (-o json|yaml), found by name or by label selector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"
#include "jsonutil.h"
#include "labels.h"
#include "output.h"
#include "strutil.h"
#include "term.h"
#include "xalloc.h"

#define FORMATS "json|yaml|name|wide"

static struct cluster_flags cluster;
static const char *output_flag;
static const char *selector_flag;
static const char *color_flag;

static const struct opt status_own[] = {
	{ "output", 'o', OPT_STRING, &output_flag, FORMATS,
	  "output format: json or yaml (JobStatus documents), name, or wide (more columns)",
	  NULL },
	COLOR_FLAG(&color_flag),
	OPT_END,
};

static const struct opt list_own[] = {
	{ "output", 'o', OPT_STRING, &output_flag, FORMATS,
	  "output format: json or yaml (JobStatus documents), name, or wide (more columns)",
	  NULL },
	{ "selector", 'l', OPT_STRING, &selector_flag, "SELECTOR",
	  "only jobs whose labels match, e.g. -l team=research,kueue.x-k8s.io/queue-name=q",
	  NULL },
	COLOR_FLAG(&color_flag),
	OPT_END,
};

static struct opt status_table[32];
static struct opt list_table[32];

const struct opt *cmd_status_options(void)
{
	return cli_options_with_cluster(status_table, ARRAY_SIZE(status_table), status_own, &cluster,
					true);
}

const struct opt *cmd_list_options(void)
{
	return cli_options_with_cluster(list_table, ARRAY_SIZE(list_table), list_own, &cluster,
					true);
}

/* One row: a job and its status. */
struct row {
	const struct kjob *job;
	struct job_status status;
};

static const char *annotation(const struct kjob *job, const char *key)
{
	return json_get_child_string(json_get(job->workload, "metadata.annotations"), key);
}

static void print_table(const struct row *rows, size_t n, enum output_format format,
			bool with_message, bool with_namespace, bool color)
{
	const char *headers[16];
	size_t h = 0;
	struct table t;
	time_t now = time(NULL);
	bool wide = format == OUTPUT_WIDE;

	if (with_namespace)
		headers[h++] = "NAMESPACE";
	headers[h++] = "NAME";
	headers[h++] = "STATE";
	headers[h++] = "REASON";
	if (wide || !with_message) {
		headers[h++] = "NODES";
		headers[h++] = "RESTARTS";
	}
	if (wide) {
		headers[h++] = "KIND";
		headers[h++] = "TASK";
		headers[h++] = "OUTCOME";
	}
	headers[h++] = "AGE";
	if (wide || with_message)
		headers[h++] = "MESSAGE";
	headers[h] = NULL;
	table_init(&t, headers);
	for (size_t i = 0; i < n; i++) {
		const struct kjob *job = rows[i].job;
		const struct job_status *st = &rows[i].status;
		const char *cells[16];
		char age[32], restarts[24];
		size_t c = 0, state_column;

		output_age(json_get_string(job->workload, "metadata.creationTimestamp"), now, age);
		snprintf(restarts, sizeof(restarts), "%d", st->restarts);
		if (with_namespace)
			cells[c++] = job->namespace;
		cells[c++] = job->name;
		state_column = c;
		cells[c++] = job_state_name(st->state);
		cells[c++] = status_reason_name(st->reason);
		if (wide || !with_message) {
			cells[c++] = job->workload ? annotation(job, ANNOTATION_NUM_NODES) : NULL;
			cells[c++] = job->workload ? restarts : NULL;
		}
		if (wide) {
			cells[c++] = json_get_string(job->workload, "kind");
			cells[c++] = json_get_child_string(json_get(job->workload, "metadata.labels"),
							   LABEL_TASK_NAME);
			cells[c++] = annotation(job, ANNOTATION_OUTCOME);
		}
		cells[c++] = job->workload ? age : NULL;
		if (wide || with_message)
			cells[c++] = st->message;
		table_add_row(&t, cells);
		table_style_cell(&t, state_column, job_state_style(st->state));
		if (st->stuck)
			table_style_cell(&t, state_column + 1, STYLE_RED);
	}
	table_print(&t, color, stdout);
	table_release(&t);
}

static int print_rows(const struct row *rows, size_t n, enum output_format format,
		      bool single, bool with_message, bool with_namespace, bool color)
{
	struct error err = ERROR_INIT;
	cJSON *docs;
	int r;

	switch (format) {
	case OUTPUT_TABLE:
	case OUTPUT_WIDE:
		print_table(rows, n, format, with_message, with_namespace, color);
		return 0;
	case OUTPUT_NAME:
		for (size_t i = 0; i < n; i++)
			if (rows[i].job->workload)
				printf("%s\n", rows[i].job->name);
		return 0;
	case OUTPUT_JSON:
	case OUTPUT_YAML:
		break;
	}
	docs = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const struct kjob *job = rows[i].job;

		cJSON_AddItemToArray(docs, job_status_to_json(job->workload, job->name,
							      job->namespace, &rows[i].status));
	}
	r = output_objects(docs, single, format, stdout, &err);
	cJSON_Delete(docs);
	if (r < 0)
		cli_error("%s", err.msg);
	return r;
}

static void release_rows(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		job_status_release(&rows[i].status);
	free(rows);
}

/* Shared by status and list: the options are parsed already. */
static int show(const char *command, struct kcluster *kc, const struct strv *names,
		enum output_format format, bool color)
{
	struct kjob *jobs = NULL;
	size_t n = 0, missing = 0;
	struct row *rows;
	struct error err = ERROR_INIT;
	int code = EXIT_OK;
	bool by_name = names->len > 0;

	if (by_name) {
		jobs = xcalloc(names->len, sizeof(*jobs));
		for (n = 0; n < names->len; n++) {
			kjob_init(&jobs[n]);
			if (kcluster_job_get(kc, NULL, names->items[n], KJOB_WITH_EVENTS, &jobs[n],
					     &err) < 0) {
				code = jobcmd_fail(command, kc, &err);
				n++;
				goto out;
			}
		}
	} else if (kcluster_job_list(kc, kcluster_list_namespace(kc), LABEL_KIND_JOB, selector_flag,
				     &jobs, &n, &err) < 0) {
		return jobcmd_fail(command, kc, &err);
	}
	rows = xcalloc(n + 1, sizeof(*rows));
	for (size_t i = 0; i < n; i++) {
		rows[i].job = &jobs[i];
		if (kjob_status(&jobs[i], &rows[i].status, &err) < 0) {
			release_rows(rows, i);
			code = jobcmd_fail(command, kc, &err);
			goto out;
		}
		if (!jobs[i].workload)
			missing++;
	}
	if (!n && (format == OUTPUT_TABLE || format == OUTPUT_WIDE)) {
		if (kc->all_namespaces)
			fputs("No jobs found.\n", stderr);
		else
			fprintf(stderr, "No jobs found in %s namespace.\n", kc->namespace);
	} else if (print_rows(rows, n, format, by_name && n == 1, !strcmp(command, "status"),
			      kc->all_namespaces, color) < 0) {
		code = EXIT_ERROR;
	}
	release_rows(rows, n);
	if (missing && code == EXIT_OK) {
		for (size_t i = 0; i < n; i++)
			if (!jobs[i].workload && format == OUTPUT_NAME)
				jobcmd_not_found(&jobs[i]);
		code = EXIT_NOT_FOUND;
	}
out:
	kjob_list_free(jobs, n);
	return code;
}

static int run(const char *command, const struct opt *table, bool takes_names, int argc,
	       char **argv)
{
	struct strv names = STRV_INIT;
	struct kcluster *kc = NULL;
	struct error err = ERROR_INIT;
	enum output_format format;
	enum color_mode mode;
	int code;

	if ((code = jobcmd_parse(command, table, argc, argv, &names)) != 0)
		goto out;
	code = EXIT_USAGE;
	if (output_format_parse(command, output_flag, FORMATS, &format, &err) < 0 ||
	    color_mode_parse(color_flag, &mode, &err) < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (!takes_names && names.len) {
		cli_error("%s: unexpected argument '%s' (to show some jobs, use 'kubectl konduktor "
			  "status JOB...')",
			  command, names.items[0]);
		goto out;
	}
	if (names.len && cluster.all_namespaces) {
		cli_error("%s: a job cannot be found by name across all namespaces; drop -A or name "
			  "its namespace with -n",
			  command);
		goto out;
	}
	if ((code = jobcmd_open(command, &cluster, &kc)) != 0)
		goto out;
	code = show(command, kc, &names, format, color_enabled(mode, stdout));
out:
	kcluster_close(kc);
	strv_release(&names);
	return code;
}

int cmd_status(int argc, char **argv)
{
	return run("status", cmd_status_options(), true, argc, argv);
}

int cmd_list(int argc, char **argv)
{
	return run("list", cmd_list_options(), false, argc, argv);
}
