/* cmd_group.c — `kubectl konduktor group list|status|results|cancel|cleanup`:
 * finding groups, their state per input, their results as JSON lines
 * (also what `map --wait` prints), stopping them and deleting everything
 * they created (docs/groups.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "groupcmd.h"
#include "groupfollow.h"
#include "indexset.h"
#include "jobcmd.h"
#include "jsonutil.h"
#include "kube_resource.h"
#include "labels.h"
#include "output.h"
#include "progress.h"
#include "strutil.h"
#include "term.h"
#include "timeutil.h"
#include "xalloc.h"

#define LIST_FORMATS "json|yaml|name|wide"
#define STATUS_FORMATS "json|yaml|wide"
/* The progress line is redrawn at most this often. */
#define PROGRESS_INTERVAL_MS 200

static struct cluster_flags cluster;
static const char *output_flag;
static const char *color_flag;
static const char *timeout_flag;
static bool as_completed_flag;
static bool return_exceptions_flag;

static const struct opt list_own[] = {
	{ "output", 'o', OPT_STRING, &output_flag, LIST_FORMATS,
	  "output format: json or yaml (GroupStatus documents without inputs), name, or wide",
	  NULL },
	COLOR_FLAG(&color_flag),
	OPT_END,
};

static const struct opt status_own[] = {
	{ "output", 'o', OPT_STRING, &output_flag, STATUS_FORMATS,
	  "output format: wide (a row per input), json or yaml (a GroupStatus document)", NULL },
	COLOR_FLAG(&color_flag),
	OPT_END,
};

static const struct opt results_own[] = {
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "stop waiting after this long (seconds, or 1m30s); unfinished inputs are Timeout", NULL },
	{ "as-completed", 0, OPT_BOOL, &as_completed_flag, NULL,
	  "print each input's line as it finishes, not in input order", NULL },
	{ "return-exceptions", 0, OPT_BOOL, &return_exceptions_flag, NULL,
	  "print failed inputs' lines too (\"error\": outcome, reason), and exit 0 for them", NULL },
	OPT_END,
};

/* How long cancel waits for the pods to stop unless --timeout says (as
 * `cancel` does for a job). */
#define CANCEL_DEFAULT_TIMEOUT "60s"

static const struct opt cancel_own[] = {
	{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
	  "how long to wait for the pods to stop (default 60s; exit code 14 after)", NULL },
	OPT_END,
};

static const struct opt no_own[] = { OPT_END };

static struct opt list_table[32], status_table[32], results_table[32], cancel_table[32];
static struct opt plain_table[32];
static struct opt all_table[40];

static const struct opt *cmd_group_list_options(void)
{
	return cli_options_with_cluster(list_table, ARRAY_SIZE(list_table), list_own, &cluster, true);
}

static const struct opt *cmd_group_status_options(void)
{
	return cli_options_with_cluster(status_table, ARRAY_SIZE(status_table), status_own, &cluster,
					false);
}

static const struct opt *cmd_group_results_options(void)
{
	return cli_options_with_cluster(results_table, ARRAY_SIZE(results_table), results_own,
					&cluster, false);
}

static const struct opt *cmd_group_cancel_options(void)
{
	return cli_options_with_cluster(cancel_table, ARRAY_SIZE(cancel_table), cancel_own, &cluster,
					false);
}

static const struct opt *cmd_group_plain_options(void)
{
	return cli_options_with_cluster(plain_table, ARRAY_SIZE(plain_table), no_own, &cluster, false);
}

/* `group --help` lists every subcommand's flags once. */
const struct opt *cmd_group_options(void)
{
	static const struct opt own[] = {
		{ "output", 'o', OPT_STRING, &output_flag, LIST_FORMATS,
		  "list, status: output format", NULL },
		{ "timeout", 0, OPT_STRING, &timeout_flag, "DURATION",
		  "results, cancel: stop waiting after this long", NULL },
		{ "as-completed", 0, OPT_BOOL, &as_completed_flag, NULL, "results: in completion order",
		  NULL },
		{ "return-exceptions", 0, OPT_BOOL, &return_exceptions_flag, NULL,
		  "results: failed inputs' lines too", NULL },
		COLOR_FLAG(&color_flag),
		OPT_END,
	};

	return cli_options_with_cluster(all_table, ARRAY_SIZE(all_table), own, &cluster, true);
}

/* --- results ---------------------------------------------------------------------- */

struct printer {
	bool return_exceptions;
	bool progress;      /* a progress line is on stderr */
	int64_t drawn_ms;   /* when it was last drawn */
	bool write_failed;
};

static int print_line(size_t index, const char *line, bool ok, void *ctx)
{
	struct printer *p = ctx;

	(void)index;
	if (!ok && !p->return_exceptions)
		return 0;
	if (p->progress) {
		progress_clear(stderr);
		p->drawn_ms = 0;
	}
	if (printf("%s\n", line) < 0)
		p->write_failed = true;
	return 0;
}

static void print_warnings(struct group_follower *f, struct printer *p)
{
	struct strv warnings = STRV_INIT;

	group_follow_take_warnings(f, &warnings);
	for (size_t k = 0; k < warnings.len; k++) {
		if (p->progress)
			progress_clear(stderr);
		fprintf(stderr, "warning: %s\n", warnings.items[k]);
		p->drawn_ms = 0;
	}
	strv_release(&warnings);
}

static void draw_progress(struct group_follower *f, const struct progress *pr, struct printer *p,
			  const char *id)
{
	struct progress_counts counts;
	char line[PROGRESS_LINE_MAX];
	int64_t now = time_mono_ms();

	if (!p->progress || (p->drawn_ms && now - p->drawn_ms < PROGRESS_INTERVAL_MS))
		return;
	group_follow_counts(f, &counts);
	progress_format(pr, id, &counts, now, line);
	progress_show(stderr, line);
	p->drawn_ms = now;
}

/* The summary: "2 of 50 inputs failed (1 JobFailed, 1 Skipped)", and
 * "3 of 50 inputs did not finish within 30s" after a timeout; "" when
 * every input has a result. */
static void describe_failures(const struct group_results *r, int64_t timeout_ms, struct buf *out)
{
	static const enum result_outcome outcomes[] = {
		RESULT_JOB_FAILED, RESULT_TOO_LARGE, RESULT_MALFORMED, RESULT_NONE,
		RESULT_SKIPPED,    RESULT_CANCELLED,
	};
	size_t counts[ARRAY_SIZE(outcomes)] = { 0 }, timed_out = 0;
	bool first = true;

	for (size_t i = 0; i < r->size; i++) {
		_cleanup_json_ cJSON *line = NULL;
		enum result_outcome outcome;

		if (!r->lines[i] || r->ok[i])
			continue;
		line = json_parse_bounded(r->lines[i], strlen(r->lines[i]), GROUP_RESULT_LINE_MAX, NULL);
		if (result_outcome_parse(json_get_string(line, "error.outcome"), &outcome) < 0)
			continue;
		timed_out += outcome == RESULT_TIMEOUT;
		for (size_t k = 0; k < ARRAY_SIZE(outcomes); k++)
			counts[k] += outcomes[k] == outcome;
	}
	if (r->failed > timed_out) {
		buf_printf(out, "%zu of %zu input%s failed", r->failed - timed_out, r->size,
			   r->size == 1 ? "" : "s");
		for (size_t k = 0; k < ARRAY_SIZE(outcomes); k++) {
			if (!counts[k])
				continue;
			buf_printf(out, "%s%zu %s", first ? " (" : ", ", counts[k],
				   result_outcome_name(outcomes[k]));
			first = false;
		}
		buf_puts(out, first ? "" : ")");
		buf_puts(out, timed_out ? "; " : "");
	}
	if (timed_out) {
		char duration[PROGRESS_DURATION_MAX];

		progress_format_duration(timeout_ms / 1000, duration);
		buf_printf(out, "%zu of %zu input%s did not finish within %s", timed_out, r->size,
			   r->size == 1 ? "" : "s", duration);
	}
}

int groupcmd_results(const char *command, struct kcluster *kc, const char *id,
		     const struct groupcmd_results_opts *opts)
{
	struct group_follow_opts follow = { .watch = true, .act = true };
	struct group_follower *f = NULL;
	struct printer p = { .return_exceptions = opts->return_exceptions,
			     .progress = term_is_terminal(stderr) };
	enum group_order order = opts->as_completed ? GROUP_ORDER_COMPLETION : GROUP_ORDER_INPUT;
	struct progress pr;
	struct error err = ERROR_INIT;
	struct group_results *results;
	bool timed_out = false, cancelled;
	int code = EXIT_OK;

	if (group_follow_start(kc->client, kc->namespace, id, &follow, &f, &err) < 0)
		return jobcmd_fail(command, kc, &err);
	results = group_follow_results(f);
	progress_start(&pr, results->finished, time_mono_ms());
	for (;;) {
		print_warnings(f, &p);
		group_results_emit(results, order, print_line, &p);
		fflush(stdout);
		if (group_follow_finished(f))
			break;
		if (opts->deadline_ms >= 0 && time_mono_ms() >= opts->deadline_ms) {
			timed_out = true;
			break;
		}
		draw_progress(f, &pr, &p, id);
		group_follow_wait(f, opts->deadline_ms);
		if (group_follow_refresh(f, &err) < 0) {
			if (p.progress)
				progress_clear(stderr);
			code = jobcmd_fail(command, kc, &err);
			goto out;
		}
	}
	if (timed_out) {
		group_follow_time_out(f, (long)(opts->timeout_ms / 1000));
		group_results_emit(results, order, print_line, &p);
	}
	group_follow_flush(f);
	print_warnings(f, &p);
	if (p.progress)
		progress_clear(stderr);
	fflush(stdout);
	if (p.write_failed || ferror(stdout)) {
		cli_error("%s: cannot write the results to stdout", command);
		code = EXIT_ERROR;
		goto out;
	}
	cancelled = status_is_cancelled(group_follow_job(f));
	if (results->failed) {
		struct buf summary = BUF_INIT(512);

		describe_failures(results, opts->timeout_ms, &summary);
		fprintf(stderr, "%s: %s%s\n", id, summary.data, cancelled ? "; the group was cancelled" : "");
		buf_release(&summary);
	}
	if (timed_out)
		code = EXIT_TIMEOUT;
	else if (results->failed && !opts->return_exceptions)
		code = cancelled ? EXIT_CANCELLED : EXIT_GROUP_FAILURES;
out:
	group_follow_free(f);
	return code;
}

/* --- parsing ------------------------------------------------------------------------- */

static int one_group(const char *command, const struct strv *args)
{
	if (args->len == 1)
		return 0;
	cli_error("group %s: %s", command,
		  args->len ? "name one group" : "name the group (grp-… as map printed it)");
	return EXIT_USAGE;
}

/* --- list ------------------------------------------------------------------------------ */

/* A group as its Job alone says (no pods): for list. */
struct group_row {
	const cJSON *job;
	struct group_info info;
	struct job_status status;
	int64_t succeeded, failed, active;
};

static void policy_json(cJSON *doc, const struct group_info *info)
{
	cJSON *policy = json_ensure_object(doc, "policy");

	json_set_int64(policy, "maxConcurrent", info->policy.max_concurrent);
	json_set_int64(policy, "retries", info->policy.retries);
	json_set(policy, "failFast", cJSON_CreateBool(info->policy.fail_fast));
	json_set(policy, "cancelRunningOnFail", cJSON_CreateBool(info->policy.cancel_running_on_fail));
}

/* The head of a GroupStatus document (docs/groups.md). */
static cJSON *group_doc(const cJSON *job, const struct group_info *info, enum job_state state,
			const struct job_status *status)
{
	cJSON *doc = cJSON_CreateObject(), *meta;

	json_set_string(doc, "apiVersion", "konduktor.io/v1");
	json_set_string(doc, "kind", "GroupStatus");
	meta = json_ensure_object(doc, "metadata");
	json_set_string(meta, "name", info->id);
	json_set_string(meta, "namespace", json_get_string(job, "metadata.namespace"));
	if (json_get_string(job, "metadata.creationTimestamp"))
		json_set_string(meta, "creationTimestamp", json_get_string(job, "metadata.creationTimestamp"));
	json_set_string(doc, "task", info->task_name);
	json_set_int64(doc, "size", (int64_t)info->size);
	json_set_string(doc, "inputMode", input_mode_name(info->mode));
	policy_json(doc, info);
	json_set_string(doc, "state", job_state_name(state));
	if (status->reason != REASON_NONE)
		json_set_string(doc, "reason", status_reason_name(status->reason));
	if (status->message[0])
		json_set_string(doc, "message", status->message);
	if (status_is_cancelled(job))
		json_set_string(doc, "cancelledAt",
				json_get_child_string(json_get(job, "metadata.annotations"),
						      ANNOTATION_CANCELLED_AT));
	return doc;
}

static int64_t index_count(const cJSON *job, const char *path, size_t size)
{
	struct index_set set = INDEX_SET_INIT;
	const char *text = json_get_string(job, path);
	int64_t n;

	index_set_parse_lenient(&set, text ? text : "", (int64_t)size);
	n = index_set_count(&set);
	index_set_release(&set);
	return n;
}

static int list_groups(struct kcluster *kc, enum output_format format, bool color)
{
	_cleanup_json_ cJSON *list = NULL, *docs = cJSON_CreateArray();
	_cleanup_free_ char *selector = xasprintf("%s=%s,%s=%s", LABEL_KIND, LABEL_KIND_GROUP,
						  LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE);
	struct kube_list_opts opts = { .label_selector = selector };
	struct error err = ERROR_INIT;
	struct group_row *rows;
	const cJSON *job;
	size_t n = 0;
	struct table t;
	time_t now = time(NULL);
	int code = EXIT_OK;

	if (kube_list_all(kc->client, &kube_jobs, kcluster_list_namespace(kc), &opts, &list, &err) < 0)
		return jobcmd_fail("group list", kc, &err);
	rows = xcalloc((size_t)cJSON_GetArraySize(json_get(list, "items")) + 1, sizeof(*rows));
	cJSON_ArrayForEach(job, json_get(list, "items")) {
		struct group_row *r = &rows[n];

		if (group_info_from_job(job, &r->info, NULL) < 0)
			continue; /* not one of ours after all */
		job_status_init(&r->status);
		if (job_status_compute(job, NULL, NULL, &r->status, NULL) < 0)
			continue;
		r->job = job;
		r->succeeded = index_count(job, "status.completedIndexes", r->info.size);
		r->failed = index_count(job, "status.failedIndexes", r->info.size);
		json_get_int64(job, "status.active", &r->active);
		n++;
	}
	if (format == OUTPUT_JSON || format == OUTPUT_YAML) {
		for (size_t i = 0; i < n; i++) {
			cJSON *doc = group_doc(rows[i].job, &rows[i].info, rows[i].status.state,
					       &rows[i].status);
			cJSON *counts = json_ensure_object(doc, "counts");

			json_set_int64(counts, "succeeded", rows[i].succeeded);
			json_set_int64(counts, "failed", rows[i].failed);
			json_set_int64(counts, "active", rows[i].active);
			cJSON_AddItemToArray(docs, doc);
		}
		if (output_objects(docs, false, format, stdout, &err) < 0) {
			cli_error("group list: %s", err.msg);
			code = EXIT_ERROR;
		}
	} else if (format == OUTPUT_NAME) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", rows[i].info.id);
	} else if (!n) {
		if (kc->all_namespaces)
			fputs("No groups found.\n", stderr);
		else
			fprintf(stderr, "No groups found in %s namespace.\n", kc->namespace);
	} else {
		const char *headers[16];
		size_t h = 0;
		bool wide = format == OUTPUT_WIDE;

		if (kc->all_namespaces)
			headers[h++] = "NAMESPACE";
		headers[h++] = "GROUP";
		headers[h++] = "TASK";
		headers[h++] = "STATE";
		headers[h++] = "INPUTS";
		headers[h++] = "SUCCEEDED";
		headers[h++] = "FAILED";
		headers[h++] = "ACTIVE";
		if (wide) {
			headers[h++] = "MAX-CONCURRENT";
			headers[h++] = "RETRIES";
			headers[h++] = "FAIL-FAST";
			headers[h++] = "INPUT-MODE";
		}
		headers[h++] = "AGE";
		headers[h] = NULL;
		table_init(&t, headers);
		for (size_t i = 0; i < n; i++) {
			const struct group_row *r = &rows[i];
			char size[24], ok[24], failed[24], active[24], conc[24], retries[24], age[32];
			const char *cells[16];
			size_t c = 0, state_column;

			snprintf(size, sizeof(size), "%zu", r->info.size);
			snprintf(ok, sizeof(ok), "%lld", (long long)r->succeeded);
			snprintf(failed, sizeof(failed), "%lld", (long long)r->failed);
			snprintf(active, sizeof(active), "%lld", (long long)r->active);
			snprintf(conc, sizeof(conc), "%lld", (long long)r->info.policy.max_concurrent);
			snprintf(retries, sizeof(retries), "%lld", (long long)r->info.policy.retries);
			output_age(json_get_string(r->job, "metadata.creationTimestamp"), now, age);
			if (kc->all_namespaces)
				cells[c++] = json_get_string(r->job, "metadata.namespace");
			cells[c++] = r->info.id;
			cells[c++] = r->info.task_name;
			state_column = c;
			cells[c++] = job_state_name(r->status.state);
			cells[c++] = size;
			cells[c++] = ok;
			cells[c++] = failed;
			cells[c++] = active;
			if (wide) {
				cells[c++] = conc;
				cells[c++] = retries;
				cells[c++] = !r->info.policy.fail_fast ? "no"
					     : r->info.policy.cancel_running_on_fail ? "cancel-running"
										    : "yes";
				cells[c++] = input_mode_name(r->info.mode);
			}
			cells[c++] = age;
			table_add_row(&t, cells);
			table_style_cell(&t, state_column, job_state_style(r->status.state));
		}
		table_print(&t, color, stdout);
		table_release(&t);
	}
	for (size_t i = 0; i < n; i++)
		job_status_release(&rows[i].status);
	free(rows);
	return code;
}

/* --- status ---------------------------------------------------------------------------- */

/* An input as `group status` shows it: SUCCEEDED when it has a result,
 * FAILED when its line is an error, else the state its pods say. */
struct input_view {
	enum job_state state;
	int attempts;
	char outcome[32]; /* finished inputs: "Result" or the error's outcome */
	char reason[STATUS_MESSAGE_MAX];
};

static void view_input(struct group_follower *f, size_t i, struct input_view *v)
{
	struct group_results *r = group_follow_results(f);
	const struct index_status *is = &group_follow_status(f)->indexes[i];
	_cleanup_json_ cJSON *line = NULL;
	int64_t attempts = 0;

	memset(v, 0, sizeof(*v));
	v->state = is->state;
	v->attempts = is->attempts;
	if (is->message)
		str_copy(v->reason, sizeof(v->reason), is->message);
	else if (is->reason != REASON_NONE)
		str_copy(v->reason, sizeof(v->reason), status_reason_name(is->reason));
	if (!group_results_has(r, i))
		return;
	line = json_parse_bounded(r->lines[i], strlen(r->lines[i]), GROUP_RESULT_LINE_MAX, NULL);
	v->state = r->ok[i] ? JOB_SUCCEEDED : JOB_FAILED;
	if (json_get_int64(line, "attempts", &attempts))
		v->attempts = (int)attempts;
	str_copy(v->outcome, sizeof(v->outcome),
		 r->ok[i] ? result_outcome_name(RESULT_OK)
			  : (json_get_string(line, "error.outcome") ? json_get_string(line, "error.outcome")
								    : ""));
	str_copy(v->reason, sizeof(v->reason),
		 json_get_string(line, "error.reason") ? json_get_string(line, "error.reason") : "");
}

/* The group's state as the inputs make it: once it has ended, FAILED if
 * any input failed; before, RUNNING once an input started. */
static enum job_state group_state(struct group_follower *f, const size_t counts[JOB_STATE_COUNT])
{
	enum job_state state = group_follow_status(f)->state;

	if (state == JOB_SUCCEEDED && counts[JOB_FAILED])
		return JOB_FAILED;
	return state;
}

static int show_status(struct kcluster *kc, const char *id, enum output_format format, bool color)
{
	struct group_follow_opts follow = { .watch = false, .act = true };
	struct group_follower *f = NULL;
	struct error err = ERROR_INIT;
	const struct group_info *info;
	const struct job_status *st;
	size_t counts[JOB_STATE_COUNT] = { 0 };
	struct input_view v;
	enum job_state state;
	int code = EXIT_OK;

	if (group_follow_start(kc->client, kc->namespace, id, &follow, &f, &err) < 0)
		return jobcmd_fail("group status", kc, &err);
	group_follow_flush(f);
	{
		struct printer p = { 0 };

		print_warnings(f, &p);
	}
	info = group_follow_info(f);
	st = group_follow_status(f);
	for (size_t i = 0; i < info->size; i++) {
		view_input(f, i, &v);
		counts[v.state]++;
	}
	state = group_state(f, counts);
	if (format == OUTPUT_JSON || format == OUTPUT_YAML) {
		_cleanup_json_ cJSON *docs = cJSON_CreateArray();
		cJSON *doc = group_doc(group_follow_job(f), info, state, st), *inputs, *c;

		c = json_ensure_object(doc, "counts");
		for (int s = 0; s < JOB_STATE_COUNT - 1; s++)
			json_set_int64(c, job_state_name((enum job_state)s), (int64_t)counts[s]);
		inputs = cJSON_CreateArray();
		for (size_t i = 0; i < info->size; i++) {
			cJSON *in = cJSON_CreateObject();

			view_input(f, i, &v);
			json_set_int64(in, "index", (int64_t)i);
			json_set_string(in, "state", job_state_name(v.state));
			if (v.attempts)
				json_set_int64(in, "attempts", v.attempts);
			if (v.outcome[0])
				json_set_string(in, "outcome", v.outcome);
			if (v.reason[0])
				json_set_string(in, "reason", v.reason);
			cJSON_AddItemToArray(inputs, in);
		}
		json_set(doc, "inputs", inputs);
		cJSON_AddItemToArray(docs, doc);
		if (output_objects(docs, true, format, stdout, &err) < 0) {
			cli_error("group status: %s", err.msg);
			code = EXIT_ERROR;
		}
	} else {
		static const char *const headers[] = { "GROUP",   "TASK",    "STATE",   "INPUTS",
						       "SUCCEEDED", "FAILED", "RUNNING", "PENDING",
						       "AGE",     "MESSAGE", NULL };
		char size[24], n[JOB_STATE_COUNT][24], age[32];
		const char *cells[ARRAY_SIZE(headers)];
		struct table t;

		snprintf(size, sizeof(size), "%zu", info->size);
		for (int s = 0; s < JOB_STATE_COUNT; s++)
			snprintf(n[s], sizeof(n[s]), "%zu", counts[s]);
		output_age(json_get_string(group_follow_job(f), "metadata.creationTimestamp"),
			   time(NULL), age);
		cells[0] = info->id;
		cells[1] = info->task_name;
		cells[2] = job_state_name(state);
		cells[3] = size;
		cells[4] = n[JOB_SUCCEEDED];
		cells[5] = n[JOB_FAILED];
		cells[6] = n[JOB_RUNNING];
		cells[7] = n[JOB_PENDING];
		cells[8] = age;
		cells[9] = st->message;
		table_init(&t, headers);
		table_add_row(&t, cells);
		table_style_cell(&t, 2, job_state_style(state));
		table_print(&t, color, stdout);
		table_release(&t);
		if (format == OUTPUT_WIDE) {
			static const char *const input_headers[] = { "INPUT", "STATE", "ATTEMPTS",
								     "OUTCOME", "REASON", NULL };

			putchar('\n');
			table_init(&t, input_headers);
			for (size_t i = 0; i < info->size; i++) {
				char index[24], attempts[24];
				const char *row[5];

				view_input(f, i, &v);
				snprintf(index, sizeof(index), "%zu", i);
				snprintf(attempts, sizeof(attempts), "%d", v.attempts);
				row[0] = index;
				row[1] = job_state_name(v.state);
				row[2] = attempts;
				row[3] = v.outcome[0] ? v.outcome : NULL;
				row[4] = v.reason;
				table_add_row(&t, row);
				table_style_cell(&t, 1, job_state_style(v.state));
			}
			table_print(&t, color, stdout);
			table_release(&t);
		}
	}
	group_follow_free(f);
	return code;
}

/* --- cancel and cleanup ----------------------------------------------------------------- */

/* Watches until no pod of the group runs: 1 done, 0 deadline, -1 error. */
static int wait_pods_stopped(struct kcluster *kc, const char *id, int64_t deadline_ms,
			     struct error *err)
{
	struct group_follow_opts follow = { .watch = true, .act = false };
	struct group_follower *f = NULL;
	int r = 1;

	if (group_follow_start(kc->client, kc->namespace, id, &follow, &f, err) < 0)
		return -1;
	while (group_follow_active_pods(f) > 0) {
		if (deadline_ms >= 0 && time_mono_ms() >= deadline_ms) {
			r = 0;
			break;
		}
		group_follow_wait(f, deadline_ms);
	}
	group_follow_free(f);
	return r;
}

static int cancel_group(struct kcluster *kc, const char *id, int64_t deadline_ms)
{
	_cleanup_json_ cJSON *job = NULL, *patch = NULL;
	struct error err = ERROR_INIT;
	struct group_info info;
	struct job_status st;
	char now[RFC3339_MAX];
	enum job_state state;
	int r;

	if (kube_get(kc->client, &kube_jobs, kc->namespace, id, &job, &err) < 0 && err.code != 404)
		return jobcmd_fail("group cancel", kc, &err);
	if (!job || group_info_from_job(job, &info, NULL) < 0) {
		error_set_code(&err, 404, "group '%s' not found in namespace '%s'", id, kc->namespace);
		return jobcmd_fail("group cancel", kc, &err);
	}
	job_status_init(&st);
	if (job_status_compute(job, NULL, NULL, &st, &err) < 0)
		return jobcmd_fail("group cancel", kc, &err);
	state = st.state;
	job_status_release(&st);
	if (!status_is_cancelled(job) && (state == JOB_SUCCEEDED || state == JOB_FAILED)) {
		printf("group '%s' has already ended (%s); nothing to cancel\n", id,
		       job_state_name(state));
		return EXIT_OK;
	}
	if (!status_is_cancelled(job)) {
		time_format_rfc3339(time(NULL), now);
		patch = status_cancel_patch(now);
		if (kube_patch(kc->client, &kube_jobs, kc->namespace, id, KUBE_PATCH_MERGE, patch,
			       NULL, NULL, &err) < 0)
			return jobcmd_fail("group cancel", kc, &err);
	}
	r = wait_pods_stopped(kc, id, deadline_ms, &err);
	if (r < 0)
		return jobcmd_fail("group cancel", kc, &err);
	if (r == 0) {
		cli_error("group cancel: group '%s' is cancelled, but its pods were still stopping "
			  "when --timeout passed",
			  id);
		return EXIT_TIMEOUT;
	}
	printf("group '%s' cancelled\n", id);
	return EXIT_OK;
}

static int cleanup_group(struct kcluster *kc, const char *id)
{
	struct kube_delete_opts del = { .propagation_policy = "Background" };
	_cleanup_free_ char *selector = xasprintf("%s=%s", LABEL_GROUP_ID, id);
	struct error err = ERROR_INIT;
	size_t configmaps = 0, pods = 0;
	bool job = true;

	if (!group_id_is_valid(id)) {
		cli_error("group cleanup: '%s' is not a group id (grp- and 8 hex digits)", id);
		return EXIT_USAGE;
	}
	if (kube_delete(kc->client, &kube_jobs, kc->namespace, id, &del, NULL, &err) < 0) {
		if (err.code != 404)
			return jobcmd_fail("group cleanup", kc, &err);
		job = false;
		error_clear(&err);
	}
	/* Inputs, files, the fail-fast switch and the results; and pods the
	 * Job's deletion would leave behind if it was orphaned. */
	if (kcluster_delete_labelled(kc, &kube_configmaps, kc->namespace, selector, &configmaps,
				     &err) < 0 ||
	    kcluster_delete_labelled(kc, &kube_pods, kc->namespace, selector, &pods, &err) < 0)
		return jobcmd_fail("group cleanup", kc, &err);
	if (job)
		printf("group '%s' deleted, with everything it created\n", id);
	else if (configmaps + pods)
		printf("group '%s' did not exist; deleted %zu object%s it left behind\n", id,
		       configmaps + pods, configmaps + pods == 1 ? "" : "s");
	else
		printf("group '%s' does not exist in namespace '%s'; nothing to clean up\n", id,
		       kc->namespace);
	return EXIT_OK;
}

/* --- dispatch ---------------------------------------------------------------------------- */

/* argv[0] is the subcommand's name. */
static int run_sub(const char *name, int argc, char **argv)
{
	const struct command *sub = command_find(group_subcommands, name);
	char command[32];
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct error err = ERROR_INIT;
	enum output_format format = OUTPUT_TABLE;
	enum color_mode mode;
	int code;

	snprintf(command, sizeof(command), "group %s", sub->name);
	if ((code = jobcmd_parse(command, sub->options(), argc, argv, &args)) != 0)
		goto out;
	code = EXIT_USAGE;
	if (color_mode_parse(color_flag, &mode, &err) < 0 ||
	    (!strcmp(sub->name, "list") &&
	     output_format_parse(command, output_flag, LIST_FORMATS, &format, &err) < 0) ||
	    (!strcmp(sub->name, "status") &&
	     output_format_parse(command, output_flag, STATUS_FORMATS, &format, &err) < 0)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (!strcmp(sub->name, "list")) {
		if (args.len) {
			cli_error("group list: unexpected argument '%s'", args.items[0]);
			goto out;
		}
	} else if ((code = one_group(sub->name, &args)) != 0) {
		goto out;
	}
	if ((code = jobcmd_open(command, &cluster, &kc)) != 0)
		goto out;
	if (!strcmp(sub->name, "list")) {
		code = list_groups(kc, format, color_enabled(mode, stdout));
	} else if (!strcmp(sub->name, "status")) {
		code = show_status(kc, args.items[0], format, color_enabled(mode, stdout));
	} else if (!strcmp(sub->name, "results")) {
		struct groupcmd_results_opts o = { .as_completed = as_completed_flag,
						   .return_exceptions = return_exceptions_flag };

		if ((code = jobcmd_deadline(command, timeout_flag, &o.deadline_ms, &o.timeout_ms)) != 0)
			goto out;
		code = groupcmd_results(command, kc, args.items[0], &o);
	} else if (!strcmp(sub->name, "cancel")) {
		int64_t deadline;

		if ((code = jobcmd_deadline(command, timeout_flag ? timeout_flag : CANCEL_DEFAULT_TIMEOUT,
					    &deadline, NULL)) != 0)
			goto out;
		code = cancel_group(kc, args.items[0], deadline);
	} else {
		code = cleanup_group(kc, args.items[0]);
	}
out:
	kcluster_close(kc);
	strv_release(&args);
	return code;
}

int cmd_group(int argc, char **argv)
{
	const struct command *sub;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		command_print_help(command_find(commands, "group"), NULL, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = command_find(group_subcommands, argv[1]);
	if (!sub) {
		cli_error("group: unknown command '%s' (use list, status, results, cancel or cleanup)",
			  argv[1]);
		return EXIT_USAGE;
	}
	if (args_want_help(argc - 2, argv + 2)) {
		command_print_help(sub, "group", stdout);
		return EXIT_OK;
	}
	return sub->run(argc - 1, argv + 1);
}

static int cmd_group_list(int argc, char **argv)
{
	return run_sub("list", argc, argv);
}

static int cmd_group_status(int argc, char **argv)
{
	return run_sub("status", argc, argv);
}

static int cmd_group_results(int argc, char **argv)
{
	return run_sub("results", argc, argv);
}

static int cmd_group_cancel(int argc, char **argv)
{
	return run_sub("cancel", argc, argv);
}

static int cmd_group_cleanup(int argc, char **argv)
{
	return run_sub("cleanup", argc, argv);
}

const struct command group_subcommands[] = {
	{
		.name = "list",
		.run = cmd_group_list,
		.summary = "list groups with their counts per state, from their Jobs",
		.usage = "list [-A] [-o json|yaml|name|wide]",
		.help = "One row per group in the namespace (every namespace with -A): its task,\n"
			"state and inputs succeeded, failed and active as its Job counts them\n"
			"(group status also counts results that are malformed as failed).\n\n"
			"Examples:\n  kubectl konduktor group list\n"
			"  kubectl konduktor group list -A -o wide\n"
			"  kubectl konduktor group list -o name\n",
		.options = cmd_group_list_options,
	},
	{
		.name = "status",
		.run = cmd_group_status,
		.summary = "show a group's counts per state; -o wide adds a row per input",
		.usage = "status GROUP [-o wide|json|yaml]",
		.help = "The group's state and how many inputs succeeded, failed, run and wait.\n"
			"-o wide adds one row per input: its state, attempts, outcome and\n"
			"reason. -o json|yaml prints a GroupStatus document with every input.\n"
			"Like every follower, it records finished inputs' results in the\n"
			"group and applies --fail-fast's stop (docs/groups.md).\n\n"
			"Examples:\n  kubectl konduktor group status grp-1a2b3c4d\n"
			"  kubectl konduktor group status grp-1a2b3c4d -o wide\n"
			"  kubectl konduktor group status grp-1a2b3c4d -o json | jq .counts\n",
		.options = cmd_group_status_options,
		.args = COMPLETE_GROUP,
	},
	{
		.name = "results",
		.run = cmd_group_results,
		.summary = "print a group's results as JSON lines, waiting for them",
		.usage = "results GROUP [--timeout DURATION] [--as-completed] [--return-exceptions]",
		.help = "Waits for the group's inputs and prints one JSON line per input, in\n"
			"input order, each as soon as it and every input before it have finished\n"
			"(with --as-completed: as each finishes):\n"
			"  {\"index\":0,\"attempts\":1,\"result\":{\"val_loss\":0.42}}\n"
			"Failed inputs are left out unless --return-exceptions prints them as\n"
			"  {\"index\":3,\"attempts\":3,\"error\":{\"outcome\":\"JobFailed\",\"reason\":\"...\",\n"
			"   \"exitCode\":1}}   (one line)\n"
			"and a summary such as \"grp-1a2b3c4d: 2 of 50 inputs failed\" goes to stderr.\n"
			"It works from any machine with the kubeconfig, at any time: results are\n"
			"recorded in the group as they come, so they outlive the pods. While it\n"
			"waits it enforces --fail-fast (docs/groups.md), and on a terminal shows\n"
			"a progress line on stderr; piped, stdout holds nothing but results.\n\n"
			GROUPCMD_RESULTS_HELP_EXIT
			"\nExamples:\n  kubectl konduktor group results grp-1a2b3c4d\n"
			"  kubectl konduktor group results grp-1a2b3c4d --as-completed | jq -c .result\n"
			"  kubectl konduktor group results grp-1a2b3c4d --return-exceptions --timeout 10m\n",
		.options = cmd_group_results_options,
		.args = COMPLETE_GROUP,
	},
	{
		.name = "cancel",
		.run = cmd_group_cancel,
		.summary = "stop a group: no more inputs start, running ones are stopped",
		.usage = "cancel GROUP [--timeout DURATION]",
		.help = "Suspends the group's Job and marks it cancelled in one patch: its running\n"
			"inputs are stopped (SIGTERM, which the pod wrapper passes to the task,\n"
			"then SIGKILL after the grace period) and no other input starts; then waits,\n"
			"by watching, until none of its pods runs (--timeout, default 60s; exit\n"
			"code 14 after). Finished inputs keep their results; the others are\n"
			"Cancelled. A group that has ended is left as it is; cancelling a\n"
			"cancelled group is not an error.\n\n"
			"Examples:\n  kubectl konduktor group cancel grp-1a2b3c4d\n",
		.options = cmd_group_cancel_options,
		.args = COMPLETE_GROUP,
	},
	{
		.name = "cleanup",
		.run = cmd_group_cleanup,
		.summary = "delete a group and everything it created, results included",
		.usage = "cleanup GROUP",
		.help = "Deletes the group's Job, its pods and its ConfigMaps (inputs, files,\n"
			"the fail-fast switch and the recorded results). Cleaning up a group that\n"
			"does not exist says so and succeeds.\n\n"
			"Examples:\n  kubectl konduktor group cleanup grp-1a2b3c4d\n",
		.options = cmd_group_plain_options,
		.args = COMPLETE_GROUP,
	},
	{ .name = NULL },
};
