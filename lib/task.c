/* task.c — strict parsing of Konduktor task files, flag overrides and the
 * final completeness check. */
#include "task.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "envfile.h"
#include "fileutil.h"
#include "labels.h"
#include "strutil.h"
#include "xalloc.h"
#include "yamlfields.h"
#include "yamltree.h"

/* --- names ---------------------------------------------------------------- */

static const char *const top_fields[] = { "name",      "envs", "workdir",     "num_nodes",
					  "setup",     "run",  "file_mounts", "resources",
					  NULL };
static const char *const resource_fields[] = { "cpus",   "memory",     "image_id", "accelerators",
					       "labels", "job_config", NULL };
static const char *const job_config_fields[] = { "max_restarts", "completions", NULL };

/* Fields of Konduktor's or SkyPilot's schema that this project does not
 * implement: a clear "not supported" beats "unknown field". */
static const char *const unsupported_top[] = { "event_callback", "service", "inputs", "outputs",
					       "experimental", "config", "secrets", NULL };
static const char *const unsupported_resources[] = {
	"cloud",    "disk_size",     "disk_tier",    "any_of",          "ordered",
	"region",   "zone",          "instance_type", "use_spot",       "ports",
	"job_recovery", "spot_recovery", "_cluster_config_overrides", NULL
};

static const char *const reserved_env_names[] = { "JOB_COMPLETION_INDEX", "RANK", "NODE_RANK",
						  "NUM_NODES", "MASTER_ADDR", "RESTART_ATTEMPT",
						  NULL };

bool task_env_name_is_reserved(const char *name)
{
	if (str_has_prefix(name, "KONDUKTOR_"))
		return true;
	for (size_t i = 0; reserved_env_names[i]; i++)
		if (strcmp(name, reserved_env_names[i]) == 0)
			return true;
	return false;
}

/* --- lifetime --------------------------------------------------------------- */

void task_init(struct task *task)
{
	memset(task, 0, sizeof(*task));
	task->num_nodes = 1;
	strv_init(&task->overrides);
}

void task_release(struct task *task)
{
	free(task->source);
	free(task->yaml);
	free(task->name);
	for (size_t i = 0; i < task->n_envs; i++) {
		free(task->envs[i].name);
		free(task->envs[i].value);
	}
	free(task->envs);
	free(task->workdir);
	free(task->setup);
	free(task->run);
	for (size_t i = 0; i < task->n_mounts; i++) {
		free(task->mounts[i].remote);
		free(task->mounts[i].local);
	}
	free(task->mounts);
	free(task->image_id);
	free(task->accelerator);
	for (size_t i = 0; i < task->n_labels; i++) {
		free(task->labels[i].key);
		free(task->labels[i].value);
	}
	free(task->labels);
	strv_release(&task->overrides);
	task_init(task);
}

static void replace_string(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

/* Sets (or adds) an env; value NULL keeps it "to be given". */
static void set_env(struct task *task, const char *name, const char *value)
{
	for (size_t i = 0; i < task->n_envs; i++) {
		if (strcmp(task->envs[i].name, name) == 0) {
			replace_string(&task->envs[i].value, value);
			return;
		}
	}
	task->envs = xreallocarray(task->envs, task->n_envs + 1, sizeof(*task->envs));
	task->envs[task->n_envs].name = xstrdup(name);
	task->envs[task->n_envs].value = value ? xstrdup(value) : NULL;
	task->n_envs++;
}

const char *task_env_value(const struct task *task, const char *name)
{
	for (size_t i = 0; i < task->n_envs; i++)
		if (strcmp(task->envs[i].name, name) == 0)
			return task->envs[i].value;
	return NULL;
}

int64_t task_completions(const struct task *task)
{
	return task->completions ? task->completions : task->num_nodes;
}

/* --- quantities ------------------------------------------------------------- */

int task_parse_cpus(const char *what, const char *text, int64_t *ret_millis, struct error *err)
{
	const char *p = text;
	int64_t whole = 0, millis = 0;
	int decimals = 0;
	bool any_digit = false;

	while (isdigit((unsigned char)*p)) {
		if (whole > TASK_CPUS_MAX_MILLIS / 1000)
			goto too_many;
		whole = whole * 10 + (*p++ - '0');
		any_digit = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			any_digit = true;
			if (decimals < 3) {
				millis = millis * 10 + (*p - '0');
				decimals++;
			} else if (*p != '0') {
				return error_set(err,
						 "%s: invalid value '%s': at most 3 decimal places "
						 "(Kubernetes counts CPU in thousandths, millicores)",
						 what, text);
			}
			p++;
		}
	}
	if (!any_digit || *p)
		return error_set(err,
				 "%s: invalid value '%s': give a number of vCPUs such as 2, 0.5 or "
				 "\"4.2\" (units and suffixes such as \"500m\" or \"vCPU\" are not "
				 "accepted)",
				 what, text);
	while (decimals < 3) {
		millis *= 10;
		decimals++;
	}
	millis += whole * 1000;
	if (millis == 0)
		return error_set(err, "%s: invalid value '%s': must be more than 0", what, text);
	if (millis > TASK_CPUS_MAX_MILLIS)
		goto too_many;
	*ret_millis = millis;
	return 0;
too_many:
	return error_set(err, "%s: invalid value '%s': at most %lld vCPUs", what, text,
			 (long long)(TASK_CPUS_MAX_MILLIS / 1000));
}

void task_format_cpus(int64_t millis, char out[32])
{
	if (millis % 1000 == 0)
		snprintf(out, 32, "%lld", (long long)(millis / 1000));
	else
		snprintf(out, 32, "%lldm", (long long)millis);
}

int task_parse_memory(const char *what, const char *text, int64_t *ret_gib, struct error *err)
{
	int64_t v;
	size_t digits = strspn(text, "0123456789");

	if (digits == 0 || text[digits] || str_to_int64(text, &v) < 0)
		return error_set(err,
				 "%s: invalid value '%s': give a whole number of GiB such as 16 "
				 "(units such as \"16G\" or \"16Gi\" and fractions such as 8.5 are "
				 "not accepted)",
				 what, text);
	if (v == 0)
		return error_set(err, "%s: invalid value '%s': must be at least 1 GiB", what, text);
	if (v > TASK_MEMORY_MAX_GIB)
		return error_set(err, "%s: invalid value '%s': at most %lld GiB", what, text,
				 (long long)TASK_MEMORY_MAX_GIB);
	*ret_gib = v;
	return 0;
}

static bool is_accelerator_name(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("-_.", s[i])))
			return false;
	return true;
}

int task_parse_accelerator(const char *what, const char *text, char **ret_name,
			   int64_t *ret_count, struct error *err)
{
	const char *colon = strchr(text, ':');
	size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
	int64_t count = 1;

	if (!is_accelerator_name(text, name_len) ||
	    (colon && (strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
		       str_to_int64(colon + 1, &count) < 0)))
		return error_set(err,
				 "%s: invalid value '%s': give <type> or <type>:<count> such as "
				 "H100:8, with a whole number of GPUs",
				 what, text);
	if (count < 1 || count > TASK_GPUS_MAX)
		return error_set(err, "%s: invalid value '%s': the count must be 1 to %d", what, text,
				 TASK_GPUS_MAX);
	*ret_name = xstrndup(text, name_len);
	*ret_count = count;
	return 0;
}

/* --- checks shared by file and flags ---------------------------------------- */

static int check_name(const char *what, const char *name, struct error *err)
{
	size_t len = strlen(name);
	bool ok = len > 0 && len <= TASK_NAME_MAX && islower((unsigned char)name[0]) &&
		  name[len - 1] != '-';

	for (size_t i = 0; ok && i < len; i++)
		ok = islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) ||
		     name[i] == '-';
	if (!ok)
		return error_set(err,
				 "%s: invalid value '%s': use lower-case letters, digits and '-', "
				 "starting with a letter and not ending with '-', at most %d "
				 "characters (it names Kubernetes objects and pod host names)",
				 what, name, TASK_NAME_MAX);
	return 0;
}

static int check_bounded_int(const char *what, int64_t v, int64_t min, int64_t max,
			     struct error *err)
{
	if (v < min || v > max)
		return error_set(err, "%s: %lld is out of range (%lld to %lld)", what, (long long)v,
				 (long long)min, (long long)max);
	return 0;
}

static int parse_int_text(const char *what, const char *text, int64_t *ret, struct error *err)
{
	if (str_to_int64(text, ret) < 0)
		return error_set(err, "%s: invalid value '%s': expected a whole number", what, text);
	return 0;
}

static int check_env_name(const char *what, const char *name, struct error *err)
{
	if (!str_is_env_name(name))
		return error_set(err,
				 "%s: '%s' is not a valid environment variable name (letters, "
				 "digits and '_', not starting with a digit)",
				 what, name);
	if (task_env_name_is_reserved(name))
		return error_set(err,
				 "%s: '%s' is set by konduktor in every pod and cannot be "
				 "overridden",
				 what, name);
	return 0;
}

static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int check_image(const char *what, const char *image, struct error *err)
{
	if (!*image)
		return error_set(err, "%s: must not be empty", what);
	for (const char *p = image; *p; p++)
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20 || *p == 0x7f)
			return error_set(err, "%s: invalid image '%s': an image reference has no "
					 "spaces or control characters", what, image);
	return 0;
}

/* --- the file ---------------------------------------------------------------- */

struct parser {
	struct yfields f;
	struct task *task;
};

/* The text of a scalar that is a number or a string (cpus, memory). */
static int get_number_text(struct parser *p, const char *field, const struct ynode *node,
			   const char **ret)
{
	enum yscalar_type type = node->kind == YNODE_SCALAR ? ynode_scalar_type(node) : YTYPE_NULL;

	if (node->kind != YNODE_SCALAR ||
	    (type != YTYPE_STRING && type != YTYPE_INT && type != YTYPE_FLOAT))
		return yf_fail(&p->f, node, "'%s' must be a number or a string, not %s", field,
			       ynode_describe(node));
	*ret = node->text;
	return 0;
}

static int parse_envs(struct parser *p, const struct ynode *node)
{
	struct error inner = ERROR_INIT;

	if (yf_is_null(node))
		return 0;
	if (yf_expect_kind(&p->f, "envs", node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *key = node->pairs[i].key, *value = node->pairs[i].value;

		if (check_env_name("envs", key->text, &inner) < 0)
			return yf_fail_with(&p->f, key, &inner);
		if (value->kind != YNODE_SCALAR)
			return yf_fail(&p->f, value, "'envs.%s' must be a string, not %s", key->text,
				       ynode_describe(value));
		/* Numbers and booleans are taken as written, as Konduktor does
		 * (it converts env values with str()); null means "give it with
		 * --env". */
		set_env(p->task, key->text, yf_is_null(value) ? NULL : value->text);
	}
	return 0;
}

static bool is_cloud_uri(const char *s)
{
	const char *sep = strstr(s, "://");

	if (!sep || sep == s)
		return false;
	for (const char *c = s; c < sep; c++)
		if (!isalnum((unsigned char)*c) && *c != '+' && *c != '-' && *c != '.')
			return false;
	return true;
}

static int check_remote_path(const char *what, const char *path, struct error *err)
{
	bool ok = (path[0] == '/' && path[1]) || (str_has_prefix(path, "~/") && path[2]);

	if (!ok)
		return error_set(err, "%s: '%s' must be an absolute path or start with ~/", what,
				 path);
	if (has_control_chars(path))
		return error_set(err, "%s: '%s' contains control characters", what, path);
	if (strcmp(path, "/konduktor") == 0 || str_has_prefix(path, "/konduktor/"))
		return error_set(err, "%s: '%s' is under /konduktor, which is reserved for "
				 "konduktor's own files", what, path);
	for (const char *s = path; *s; s++) {
		if (s[0] == '.' && s[1] == '.' && (s == path || s[-1] == '/') &&
		    (s[2] == '/' || s[2] == '\0'))
			return error_set(err, "%s: '%s' must not contain '..'", what, path);
	}
	return 0;
}

static int parse_file_mounts(struct parser *p, const struct ynode *node)
{
	struct task *task = p->task;
	struct error inner = ERROR_INIT;

	if (yf_is_null(node))
		return 0;
	if (yf_expect_kind(&p->f, "file_mounts", node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *key = node->pairs[i].key, *value = node->pairs[i].value;
		const char *local;
		char field[300];

		snprintf(field, sizeof(field), "file_mounts.%s", key->text);
		if (check_remote_path("file_mounts", key->text, &inner) < 0)
			return yf_fail_with(&p->f, key, &inner);
		if (value->kind == YNODE_MAPPING)
			return yf_fail(&p->f, value,
				       "'%s': storage mounts (buckets) are not supported; give a "
				       "local file or directory",
				       field);
		if (yf_string(&p->f, field, value, &local) < 0)
			return -1;
		if (!*local)
			return yf_fail(&p->f, value, "'%s' must not be empty", field);
		if (is_cloud_uri(local))
			return yf_fail(&p->f, value,
				       "'%s': cloud storage sources such as '%s' are not supported; "
				       "give a local file or directory",
				       field, local);
		task->mounts = xreallocarray(task->mounts, task->n_mounts + 1, sizeof(*task->mounts));
		task->mounts[task->n_mounts].remote = xstrdup(key->text);
		task->mounts[task->n_mounts].local = xstrdup(local);
		task->n_mounts++;
	}
	return 0;
}

static int parse_labels(struct parser *p, const struct ynode *node)
{
	struct task *task = p->task;

	if (yf_is_null(node))
		return 0;
	if (yf_expect_kind(&p->f, "resources.labels", node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *key = node->pairs[i].key, *value = node->pairs[i].value;
		const char *why = NULL, *text;
		char field[300];

		snprintf(field, sizeof(field), "resources.labels.%s", key->text);
		if (!label_key_is_valid(key->text, &why))
			return yf_fail(&p->f, key, "invalid label key '%s': %s", key->text, why);
		if (label_key_is_reserved(key->text))
			return yf_fail(&p->f, key, "label '%s' is set by konduktor or Kubernetes and "
				       "cannot be given in a task", key->text);
		if (yf_string(&p->f, field, value, &text) < 0)
			return -1;
		if (!label_value_is_valid(text, &why))
			return yf_fail(&p->f, value, "'%s': invalid value '%s': %s", field, text, why);
		task->labels = xreallocarray(task->labels, task->n_labels + 1, sizeof(*task->labels));
		task->labels[task->n_labels].key = xstrdup(key->text);
		task->labels[task->n_labels].value = xstrdup(text);
		task->n_labels++;
	}
	return 0;
}

static int parse_job_config(struct parser *p, const struct ynode *node)
{
	if (yf_is_null(node))
		return 0;
	if (yf_expect_kind(&p->f, "resources.job_config", node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *key = node->pairs[i].key, *value = node->pairs[i].value;
		int r;

		if (strcmp(key->text, "max_restarts") == 0)
			r = yf_int(&p->f, "resources.job_config.max_restarts", value, 0,
				    TASK_MAX_RESTARTS_MAX, &p->task->max_restarts);
		else if (strcmp(key->text, "completions") == 0)
			r = yf_int(&p->f, "resources.job_config.completions", value, 1,
				    TASK_COMPLETIONS_MAX, &p->task->completions);
		else
			r = yf_unknown_field(&p->f, "resources.job_config", key, job_config_fields, NULL);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int parse_resource_field(struct parser *p, const struct ynode *key,
				const struct ynode *value)
{
	struct task *task = p->task;
	struct error inner = ERROR_INIT;
	const char *text;

	if (strcmp(key->text, "cpus") == 0) {
		if (get_number_text(p, "resources.cpus", value, &text) < 0)
			return -1;
		if (task_parse_cpus("resources.cpus", text, &task->cpu_millis, &inner) < 0)
			return yf_fail_with(&p->f, value, &inner);
	} else if (strcmp(key->text, "memory") == 0) {
		if (get_number_text(p, "resources.memory", value, &text) < 0)
			return -1;
		if (task_parse_memory("resources.memory", text, &task->memory_gib, &inner) < 0)
			return yf_fail_with(&p->f, value, &inner);
	} else if (strcmp(key->text, "image_id") == 0) {
		if (yf_is_null(value))
			return 0;
		if (value->kind == YNODE_MAPPING)
			return yf_fail(&p->f, value, "'resources.image_id': a mapping of images per "
				       "region is not supported; give one image");
		if (yf_string(&p->f, "resources.image_id", value, &text) < 0)
			return -1;
		if (check_image("resources.image_id", text, &inner) < 0)
			return yf_fail_with(&p->f, value, &inner);
		replace_string(&task->image_id, text);
	} else if (strcmp(key->text, "accelerators") == 0) {
		char *name = NULL;
		int64_t count = 0;

		if (yf_is_null(value))
			return 0;
		if (value->kind == YNODE_MAPPING) {
			char spec[128];

			if (value->n_pairs != 1)
				return yf_fail(&p->f, value, "'resources.accelerators': give exactly one "
					       "accelerator type, such as H100:8");
			if (value->pairs[0].value->kind != YNODE_SCALAR ||
			    ynode_scalar_type(value->pairs[0].value) != YTYPE_INT)
				return yf_fail(&p->f, value->pairs[0].value,
					       "'resources.accelerators.%s' must be a whole number of "
					       "GPUs, not %s",
					       value->pairs[0].key->text,
					       ynode_describe(value->pairs[0].value));
			snprintf(spec, sizeof(spec), "%s:%s", value->pairs[0].key->text,
				 value->pairs[0].value->text);
			if (task_parse_accelerator("resources.accelerators", spec, &name, &count,
						   &inner) < 0)
				return yf_fail_with(&p->f, value, &inner);
		} else {
			if (value->kind == YNODE_SEQUENCE)
				return yf_fail(&p->f, value, "'resources.accelerators': a list of "
					       "candidates is not supported; give one, such as H100:8");
			if (yf_string(&p->f, "resources.accelerators", value, &text) < 0)
				return -1;
			if (task_parse_accelerator("resources.accelerators", text, &name, &count,
						   &inner) < 0)
				return yf_fail_with(&p->f, value, &inner);
		}
		free(task->accelerator);
		task->accelerator = name;
		task->accelerator_count = count;
	} else if (strcmp(key->text, "labels") == 0) {
		return parse_labels(p, value);
	} else if (strcmp(key->text, "job_config") == 0) {
		return parse_job_config(p, value);
	} else {
		return yf_unknown_field(&p->f, "resources", key, resource_fields, unsupported_resources);
	}
	return 0;
}

static int parse_top_field(struct parser *p, const struct ynode *key, const struct ynode *value)
{
	struct task *task = p->task;
	struct error inner = ERROR_INIT;
	const char *text;

	if (strcmp(key->text, "name") == 0) {
		if (yf_string(&p->f, "name", value, &text) < 0)
			return -1;
		if (check_name("name", text, &inner) < 0)
			return yf_fail_with(&p->f, value, &inner);
		replace_string(&task->name, text);
	} else if (strcmp(key->text, "envs") == 0) {
		return parse_envs(p, value);
	} else if (strcmp(key->text, "workdir") == 0) {
		if (yf_is_null(value))
			return 0;
		if (yf_string(&p->f, "workdir", value, &text) < 0)
			return -1;
		if (!*text)
			return yf_fail(&p->f, value, "'workdir' must not be empty");
		if (is_cloud_uri(text))
			return yf_fail(&p->f, value, "'workdir': '%s' is not a local directory", text);
		replace_string(&task->workdir, text);
	} else if (strcmp(key->text, "num_nodes") == 0) {
		return yf_int(&p->f, "num_nodes", value, 1, TASK_NUM_NODES_MAX, &task->num_nodes);
	} else if (strcmp(key->text, "setup") == 0 || strcmp(key->text, "run") == 0) {
		char **slot = key->text[0] == 's' ? &task->setup : &task->run;

		if (yf_is_null(value))
			return 0;
		if (yf_string(&p->f, key->text, value, &text) < 0)
			return -1;
		replace_string(slot, text);
	} else if (strcmp(key->text, "file_mounts") == 0) {
		return parse_file_mounts(p, value);
	} else if (strcmp(key->text, "resources") == 0) {
		if (yf_is_null(value))
			return 0;
		if (yf_expect_kind(&p->f, "resources", value, YNODE_MAPPING) < 0)
			return -1;
		for (size_t i = 0; i < value->n_pairs; i++)
			if (parse_resource_field(p, value->pairs[i].key, value->pairs[i].value) < 0)
				return -1;
	} else {
		return yf_unknown_field(&p->f, NULL, key, top_fields, unsupported_top);
	}
	return 0;
}

int task_parse_text(const char *source, const char *text, size_t len, struct task *ret,
		    struct error *err)
{
	struct task task;
	struct ydoc doc;
	_cleanup_free_ char *subject = xasprintf("task '%s'", source);
	struct parser p = { .f = { .subject = subject, .err = err }, .task = &task };
	int r = 0;

	task_init(&task);
	if (len > TASK_FILE_MAX)
		return error_set(err,
				 "task '%s': %zu bytes, more than the limit of %zu bytes (the task "
				 "is kept in an annotation, and Kubernetes allows 256 KiB of "
				 "annotations per object)",
				 source, len, TASK_FILE_MAX);
	if (ydoc_parse(&doc, text, len, NULL, err) < 0)
		return error_prefix(err, "task '%s'", source);
	if (!doc.root) {
		ydoc_release(&doc);
		return error_set(err, "task '%s': the file is empty", source);
	}
	if (doc.root->kind != YNODE_MAPPING) {
		r = yf_fail(&p.f, doc.root, "a task must be a mapping of fields, not %s",
			    ynode_describe(doc.root));
		ydoc_release(&doc);
		return r;
	}
	for (size_t i = 0; i < doc.root->n_pairs && r == 0; i++)
		r = parse_top_field(&p, doc.root->pairs[i].key, doc.root->pairs[i].value);
	if (r == 0 && task.completions && task.num_nodes > 1 && task.completions != task.num_nodes)
		r = yf_fail(&p.f, ynode_get(ynode_get(ynode_get(doc.root, "resources"), "job_config"),
					  "completions"),
			    "'resources.job_config.completions' must equal num_nodes (%lld) for a "
			    "multi-node task",
			    (long long)task.num_nodes);
	ydoc_release(&doc);
	if (r < 0) {
		task_release(&task);
		return -1;
	}
	task.source = xstrdup(source);
	task.yaml = xstrndup(text, len);
	task.yaml_len = len;
	*ret = task;
	return 0;
}

int task_parse_file(const char *path, struct task *ret, struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct buf text = BUF_INIT(TASK_FILE_MAX);
	struct stat st;
	int r;

	if (fd < 0)
		return error_set_code(err, errno, "task '%s': cannot open: %s", path,
				      strerror(errno));
	if (fstat(fd, &st) < 0)
		return error_set_code(err, errno, "task '%s': cannot stat: %s", path,
				      strerror(errno));
	if (S_ISDIR(st.st_mode))
		return error_set(err, "task '%s': is a directory, not a file", path);
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > TASK_FILE_MAX)
		return error_set(err,
				 "task '%s': %jd bytes, more than the limit of %zu bytes (the task "
				 "is kept in an annotation, and Kubernetes allows 256 KiB of "
				 "annotations per object)",
				 path, (intmax_t)st.st_size, TASK_FILE_MAX);
	if (fd_read_all(fd, &text, err) < 0) {
		buf_release(&text);
		return error_prefix(err, "task '%s'", path);
	}
	r = task_parse_text(path, text.data, text.len, ret, err);
	buf_release(&text);
	return r;
}

/* --- overrides --------------------------------------------------------------- */

static void note_override(struct task *task, const char *flag, const char *value)
{
	if (value)
		strv_pushf(&task->overrides, "%s=%s", flag, value);
	else
		strv_push(&task->overrides, flag);
}

static int apply_env_assignment(struct task *task, const char *what, const char *assignment,
				bool from_flag, struct error *err)
{
	const char *eq = strchr(assignment, '=');
	_cleanup_free_ char *name = xstrndup(assignment, eq ? (size_t)(eq - assignment)
							      : strlen(assignment));
	const char *value = eq ? eq + 1 : getenv(name);

	if (check_env_name(what, name, err) < 0)
		return -1;
	if (!value)
		return error_set(err, "%s: '%s' has no '=' and is not set in this environment", what,
				 name);
	set_env(task, name, value);
	if (from_flag)
		strv_pushf(&task->overrides, "--env %s", name);
	return 0;
}

int task_apply_overrides(struct task *task, const struct task_overrides *o, struct error *err)
{
	int64_t v;

	if (!o)
		return 0;
	if (o->name) {
		if (check_name("--name", o->name, err) < 0)
			return -1;
		replace_string(&task->name, o->name);
		note_override(task, "--name", o->name);
	}
	if (o->num_nodes) {
		if (parse_int_text("--num-nodes", o->num_nodes, &v, err) < 0 ||
		    check_bounded_int("--num-nodes", v, 1, TASK_NUM_NODES_MAX, err) < 0)
			return -1;
		task->num_nodes = v;
		note_override(task, "--num-nodes", o->num_nodes);
	}
	if (o->cpus) {
		if (task_parse_cpus("--cpus", o->cpus, &task->cpu_millis, err) < 0)
			return -1;
		note_override(task, "--cpus", o->cpus);
	}
	if (o->memory) {
		if (task_parse_memory("--memory", o->memory, &task->memory_gib, err) < 0)
			return -1;
		note_override(task, "--memory", o->memory);
	}
	if (o->gpus) {
		char *name = NULL;

		if (task_parse_accelerator("--gpus", o->gpus, &name, &v, err) < 0)
			return -1;
		free(task->accelerator);
		task->accelerator = name;
		task->accelerator_count = v;
		note_override(task, "--gpus", o->gpus);
	}
	if (o->image_id) {
		if (check_image("--image-id", o->image_id, err) < 0)
			return -1;
		replace_string(&task->image_id, o->image_id);
		note_override(task, "--image-id", o->image_id);
	}
	if (o->max_restarts) {
		if (parse_int_text("--max-restarts", o->max_restarts, &v, err) < 0 ||
		    check_bounded_int("--max-restarts", v, 0, TASK_MAX_RESTARTS_MAX, err) < 0)
			return -1;
		task->max_restarts = v;
		note_override(task, "--max-restarts", o->max_restarts);
	}
	if (o->env_file) {
		struct strv pairs = STRV_INIT;

		if (envfile_parse_file(o->env_file, &pairs, err) < 0)
			return -1;
		for (size_t i = 0; i < pairs.len; i++) {
			if (apply_env_assignment(task, "--env-file", pairs.items[i], false, err) < 0) {
				strv_release(&pairs);
				return error_prefix(err, "env file '%s'", o->env_file);
			}
		}
		strv_release(&pairs);
		note_override(task, "--env-file", o->env_file);
	}
	for (size_t i = 0; i < o->n_envs; i++)
		if (apply_env_assignment(task, "--env", o->envs[i], true, err) < 0)
			return -1;
	if (task->completions && task->num_nodes > 1 && task->completions != task->num_nodes)
		return error_set(err,
				 "task '%s': resources.job_config.completions (%lld) must equal "
				 "num_nodes (%lld) for a multi-node task",
				 task->source ? task->source : "-", (long long)task->completions,
				 (long long)task->num_nodes);
	return 0;
}

int task_check_complete(const struct task *task, struct error *err)
{
	const char *source = task->source ? task->source : "-";

	if (!task->name)
		return error_set(err, "task '%s': 'name' is required (in the file, or with --name)",
				 source);
	if (!task->cpu_millis)
		return error_set(err,
				 "task '%s': 'resources.cpus' is required (in the file, or with "
				 "--cpus)",
				 source);
	if (!task->memory_gib)
		return error_set(err,
				 "task '%s': 'resources.memory' is required (in the file, or with "
				 "--memory)",
				 source);
	if (!task->image_id)
		return error_set(err,
				 "task '%s': 'resources.image_id' is required (in the file, or "
				 "with --image-id)",
				 source);
	for (size_t i = 0; i < task->n_envs; i++)
		if (!task->envs[i].value)
			return error_set(err,
					 "task '%s': env '%s' has no value: give it with --env %s=VALUE",
					 source, task->envs[i].name, task->envs[i].name);
	return 0;
}

int task_load(const char *path, const struct task_overrides *overrides, struct task *ret,
	      struct error *err)
{
	struct task task;

	if (task_parse_file(path, &task, err) < 0)
		return -1;
	if (task_apply_overrides(&task, overrides, err) < 0 || task_check_complete(&task, err) < 0) {
		task_release(&task);
		return -1;
	}
	*ret = task;
	return 0;
}

char *task_annotation_text(const struct task *task)
{
	struct buf out = BUF_INIT(TASK_FILE_MAX + 1024);
	const char *prefix = "# kubectl-konduktor: overridden with";

	buf_append(&out, task->yaml ? task->yaml : "", task->yaml_len);
	if (task->overrides.len) {
		if (out.len && out.data[out.len - 1] != '\n')
			buf_putc(&out, '\n');
		buf_puts(&out, prefix);
		for (size_t i = 0; i < task->overrides.len; i++) {
			const char *item = task->overrides.items[i];

			/* A flag value with a newline would end the comment early. */
			if (strchr(item, '\n') || buf_printf(&out, " %s", item) < 0 ||
			    out.len > TASK_FILE_MAX + 1000) {
				buf_puts(&out, " ...");
				break;
			}
		}
		buf_putc(&out, '\n');
	}
	return buf_detach(&out, NULL);
}
