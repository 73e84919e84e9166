/* result.c — decoding termination messages into result outcomes. */
#include "result.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "labels.h"
#include "manifest.h"
#include "status.h"
#include "strutil.h"
#include "xalloc.h"

/* The kubelet's own cap on a log tail it puts in a message. */
#define LOG_TAIL_MAX 4096

static const struct {
	enum result_outcome outcome;
	const char *name;
	int exit_code;
} outcomes[] = {
	{ RESULT_OK, "Result", EXIT_OK },
	{ RESULT_JOB_FAILED, "JobFailed", EXIT_JOB_FAILED },
	{ RESULT_TOO_LARGE, "ResultTooLarge", EXIT_RESULT_TOO_LARGE },
	{ RESULT_MALFORMED, "MalformedResult", EXIT_MALFORMED_RESULT },
	{ RESULT_NONE, "NoResultReported", EXIT_NO_RESULT },
	{ RESULT_TIMEOUT, "Timeout", EXIT_TIMEOUT },
	{ RESULT_SKIPPED, "Skipped", EXIT_JOB_FAILED },
	{ RESULT_CANCELLED, "Cancelled", EXIT_CANCELLED },
};

const char *result_outcome_name(enum result_outcome outcome)
{
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (outcomes[i].outcome == outcome)
			return outcomes[i].name;
	return "Unknown";
}

int result_exit_code(enum result_outcome outcome)
{
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (outcomes[i].outcome == outcome)
			return outcomes[i].exit_code;
	return EXIT_ERROR;
}

int result_outcome_parse(const char *name, enum result_outcome *ret)
{
	for (size_t i = 0; name && i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		if (strcmp(outcomes[i].name, name) == 0) {
			*ret = outcomes[i].outcome;
			return 0;
		}
	}
	return -1;
}

void result_init(struct result *result)
{
	memset(result, 0, sizeof(*result));
	result->exit_code = -1;
}

void result_release(struct result *result)
{
	free(result->json);
	free(result->reason);
	free(result->log_tail);
	result_init(result);
}

static void set_reason(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_reason(struct result *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory formatting a reason");
	va_end(ap);
	/* One line: a reason never carries a newline, whatever it quotes. */
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	free(r->reason);
	r->reason = s;
}

/* The last non-empty line of a text, for a one-line reason. */
static char *last_line(const char *text)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	if (end - start > 200)
		start = end - 200;
	return xstrndup(start, (size_t)(end - start));
}

/* "#konduktor/v1 <kind> <detail>": fills kind and detail; false if the
 * message is not one of ours. */
static bool parse_marker(const char *message, char *kind, size_t kind_size, const char **detail)
{
	size_t prefix = strlen(RESULT_MARKER), n;
	const char *p;

	if (strncmp(message, RESULT_MARKER " ", prefix + 1) != 0)
		return false;
	p = message + prefix + 1;
	n = strcspn(p, " ");
	if (n == 0 || n >= kind_size)
		return false;
	memcpy(kind, p, n);
	kind[n] = '\0';
	*detail = p[n] ? p + n + 1 : "";
	return true;
}

static void decode_failure(const char *message, int exit_code, const char *reason,
			   struct result *r)
{
	char kind[32];
	const char *detail;

	r->outcome = RESULT_JOB_FAILED;
	if (parse_marker(message, kind, sizeof(kind), &detail)) {
		if (strcmp(kind, "skipped") == 0) {
			r->outcome = RESULT_SKIPPED;
			set_reason(r, "skipped: %s", detail);
		} else if (strcmp(kind, "error") == 0) {
			set_reason(r, "konduktor could not start the task: %s", detail);
		} else {
			set_reason(r, "exited with code %d (%s)", exit_code, reason ? reason : "Error");
		}
		return;
	}
	if (*message)
		r->log_tail = xstrndup(message, LOG_TAIL_MAX);
	if (reason && strcmp(reason, "OOMKilled") == 0)
		set_reason(r, "killed for using more memory than its limit (OOMKilled, exit code %d)",
			   exit_code);
	else if (exit_code > 128 && exit_code < 160)
		set_reason(r, "killed by signal %d (exit code %d%s%s)", exit_code - 128, exit_code,
			   reason ? ", " : "", reason ? reason : "");
	else if (*message) {
		_cleanup_free_ char *line = last_line(message);

		set_reason(r, "exited with code %d: %s", exit_code, line);
	} else {
		set_reason(r, "exited with code %d", exit_code);
	}
}

void result_decode(const char *message, int exit_code, const char *reason, struct result *r)
{
	char kind[32];
	const char *detail;
	struct error err = ERROR_INIT;
	cJSON *parsed;
	size_t len;

	result_release(r);
	r->exit_code = exit_code;
	message = message ? message : "";
	len = strlen(message);
	if (exit_code != 0) {
		decode_failure(message, exit_code, reason, r);
		return;
	}
	if (len == 0) {
		r->outcome = RESULT_NONE;
		set_reason(r, "the task succeeded without reporting anything");
		return;
	}
	if (message[0] == '#') {
		if (!parse_marker(message, kind, sizeof(kind), &detail)) {
			r->outcome = RESULT_MALFORMED;
			set_reason(r, "unrecognised termination message (%.40s)", message);
		} else if (strcmp(kind, "no-result") == 0) {
			r->outcome = RESULT_NONE;
			set_reason(r, "the task succeeded without writing $KONDUKTOR_OUTPUT_DIR/result.json");
		} else if (strcmp(kind, "too-large") == 0) {
			uint64_t size = 0;

			r->outcome = RESULT_TOO_LARGE;
			if (str_to_uint64(detail, &size) == 0)
				r->size = (size_t)size;
			set_reason(r, "result.json has %s bytes, more than the %d a termination message "
				   "can carry", *detail ? detail : "too many", RESULT_MAX);
		} else if (strcmp(kind, "malformed") == 0) {
			r->outcome = RESULT_MALFORMED;
			if (strcmp(detail, "empty") == 0)
				set_reason(r, "result.json is empty");
			else if (strcmp(detail, "not-a-regular-file") == 0)
				set_reason(r, "result.json is not a regular file");
			else
				set_reason(r, "result.json is not JSON (it begins with '#')");
		} else {
			r->outcome = RESULT_MALFORMED;
			set_reason(r, "unrecognised termination message marker '%s'", kind);
		}
		return;
	}
	parsed = json_parse_bounded(message, len, RESULT_MAX, &err);
	if (!parsed) {
		r->outcome = RESULT_MALFORMED;
		set_reason(r, "result.json is not valid JSON: %s", err.msg);
		return;
	}
	cJSON_Delete(parsed);
	r->outcome = RESULT_OK;
	r->json = xstrndup(message, len);
	set_reason(r, "the task reported a result");
}

static const cJSON *reporting_container(const cJSON *pod)
{
	const cJSON *statuses = json_get(pod, "status.containerStatuses"), *c;

	cJSON_ArrayForEach(c, statuses)
		if (str_eq(json_get_string(c, "name"), MANIFEST_CONTAINER_NAME))
			return c;
	return cJSON_IsArray(statuses) ? statuses->child : NULL;
}

int result_from_pod(const cJSON *pod, struct result *ret, struct error *err)
{
	const cJSON *container = reporting_container(pod);
	const cJSON *terminated = json_get(container, "state.terminated");
	int64_t exit_code = -1;

	if (!terminated)
		return error_set(err, "pod '%s' has not terminated",
				 json_get_string(pod, "metadata.name") ? json_get_string(pod, "metadata.name")
								       : "?");
	json_get_int64(terminated, "exitCode", &exit_code);
	result_decode(json_get_string(terminated, "message"), (int)exit_code,
		      json_get_string(terminated, "reason"), ret);
	return 0;
}

void result_set_timeout(struct result *ret, long seconds)
{
	result_release(ret);
	ret->outcome = RESULT_TIMEOUT;
	set_reason(ret, "no result within %ld seconds", seconds);
}

void result_set(struct result *ret, enum result_outcome outcome, int exit_code, const char *reason)
{
	result_release(ret);
	ret->outcome = outcome;
	ret->exit_code = exit_code;
	set_reason(ret, "%s", reason);
}

cJSON *result_annotations_patch(const struct result *result)
{
	cJSON *patch = cJSON_CreateObject();
	cJSON *annotations = json_ensure_object(patch, "metadata.annotations");
	cJSON *record = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL;

	json_set_string(record, "outcome", result_outcome_name(result->outcome));
	json_set_int64(record, "exitCode", result->exit_code);
	json_set_string(record, "reason", result->reason ? result->reason : "");
	if (result->json)
		json_set_string(record, "result", result->json);
	if (result->log_tail)
		json_set_string(record, "logTail", result->log_tail);
	if (result->size)
		json_set_int64(record, "size", (int64_t)result->size);
	text = json_print_compact(record);
	cJSON_Delete(record);
	json_set_string(annotations, ANNOTATION_OUTCOME, result_outcome_name(result->outcome));
	json_set_string(annotations, ANNOTATION_RESULT, text);
	return patch;
}

int result_from_annotations(const cJSON *workload, struct result *ret)
{
	const cJSON *annotations = json_get(workload, "metadata.annotations");
	const char *text = json_get_child_string(annotations, ANNOTATION_RESULT);
	_cleanup_json_ cJSON *record = NULL;
	enum result_outcome outcome;
	int64_t v;

	if (!text)
		return 1;
	record = json_parse_bounded(text, strlen(text), 64 * 1024, NULL);
	if (!record || result_outcome_parse(json_get_string(record, "outcome"), &outcome) < 0)
		return 1;
	result_release(ret);
	ret->outcome = outcome;
	if (json_get_int64(record, "exitCode", &v))
		ret->exit_code = (int)v;
	if (json_get_int64(record, "size", &v))
		ret->size = (size_t)v;
	if (json_get_string(record, "result"))
		ret->json = xstrdup(json_get_string(record, "result"));
	if (json_get_string(record, "logTail"))
		ret->log_tail = xstrdup(json_get_string(record, "logTail"));
	ret->reason = xstrdup(json_get_string(record, "reason") ? json_get_string(record, "reason") : "");
	return 0;
}

size_t result_failing_index(const struct job_status *st)
{
	for (size_t i = 0; i < st->n_indexes; i++) {
		const struct index_status *is = &st->indexes[i];

		if (is->state == JOB_FAILED && is->pod && is->reason != REASON_CANCELLED &&
		    is->reason != REASON_SKIPPED)
			return i;
	}
	return SIZE_MAX;
}

static void set_failed(struct result *r, int exit_code, const char *reason)
{
	result_release(r);
	r->outcome = RESULT_JOB_FAILED;
	r->exit_code = exit_code;
	r->reason = xstrdup(reason);
}

/* The reporting container has terminated: its message is final. */
static bool pod_terminated(const cJSON *pod)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(pod, "status.containerStatuses"))
		if (json_get(c, "state.terminated"))
			return true;
	return false;
}

enum job_result_state result_from_job(const cJSON *workload, const struct job_status *st,
				      bool settled, struct result *ret)
{
	size_t failing;

	if (workload && result_from_annotations(workload, ret) == 0)
		return JOB_RESULT_DECIDED;
	if (st->state == JOB_SUCCEEDED) {
		const cJSON *rank0 = st->n_indexes ? st->indexes[0].pod : NULL;

		if (rank0 && pod_terminated(rank0) && result_from_pod(rank0, ret, NULL) == 0)
			return JOB_RESULT_DECIDED;
		if (!settled)
			return JOB_RESULT_PODS_BEHIND;
		set_failed(ret, -1,
			   "the job succeeded, but rank 0's pod is gone and no result was recorded");
		return JOB_RESULT_DECIDED;
	}
	if (st->state != JOB_FAILED)
		return JOB_RESULT_PENDING;
	if (st->reason == REASON_CANCELLED)
		return JOB_RESULT_CANCELLED;
	failing = result_failing_index(st);
	if (failing != SIZE_MAX && pod_terminated(st->indexes[failing].pod)) {
		struct result decoded;

		result_init(&decoded);
		if (result_from_pod(st->indexes[failing].pod, &decoded, NULL) == 0 &&
		    decoded.outcome == RESULT_JOB_FAILED) {
			result_release(ret);
			*ret = decoded;
			if (st->n_indexes > 1) {
				char *prefixed = xasprintf("rank %zu %s", failing, ret->reason);

				free(ret->reason);
				ret->reason = prefixed;
			}
			return JOB_RESULT_DECIDED;
		}
		result_release(&decoded);
	} else if (!settled) {
		return JOB_RESULT_PODS_BEHIND;
	}
	set_failed(ret, failing != SIZE_MAX ? st->indexes[failing].exit_code : -1,
		   *st->message ? st->message : "the job failed");
	return JOB_RESULT_DECIDED;
}
