/* validation.c — field errors and the validators of every served kind,
 * following the real server's pkg/apis/<group>/validation rules for the
 * fields this project (and kubectl, and the Python client) sends. */
#include "validation.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "quantity.h"
#include "selector.h"
#include "strutil.h"
#include "xalloc.h"

#define PATH_MAX_LEN 512

/* snprintf for field paths, which are cut (never overflow) when absurdly long. */
static void field_path(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void field_path(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

/* ---- field errors ---- */

/* A value as the real server prints it: strings quoted, others as JSON
 * (the real one prints Go values; JSON is the closest a client can read),
 * cut at a readable length. */
static void format_value(char *out, size_t size, const cJSON *value)
{
	if (cJSON_IsString(value)) {
		snprintf(out, size, "\"%s\"", value->valuestring);
	} else if (value) {
		_cleanup_free_ char *json = json_print_compact(value);

		snprintf(out, size, "%s", json);
	} else {
		snprintf(out, size, "null");
	}
	if (strlen(out) + 1 >= size && size > 4)
		memcpy(out + size - 4, "...", 4);
}

void field_required(struct api_error *err, const char *field, const char *detail)
{
	api_error_add_cause(err, "FieldValueRequired", field, "Required value%s%s",
			    detail ? ": " : "", detail ? detail : "");
}

void field_invalid(struct api_error *err, const char *field, const cJSON *value,
		   const char *detail)
{
	char text[256];

	format_value(text, sizeof(text), value);
	api_error_add_cause(err, "FieldValueInvalid", field, "Invalid value: %s%s%s", text,
			    detail ? ": " : "", detail ? detail : "");
}

void field_invalid_string(struct api_error *err, const char *field, const char *value,
			  const char *detail)
{
	cJSON *v = cJSON_CreateString(value);

	field_invalid(err, field, v, detail);
	cJSON_Delete(v);
}

void field_not_supported(struct api_error *err, const char *field, const char *value,
			 const char *const *supported)
{
	char list[256] = "";
	size_t used = 0;

	for (size_t i = 0; supported[i]; i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s\"%s\"", i ? ", " : "",
				 supported[i]);

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	api_error_add_cause(err, "FieldValueNotSupported", field,
			    "Unsupported value: \"%s\": supported values: %s", value, list);
}

void field_forbidden(struct api_error *err, const char *field, const char *detail)
{
	api_error_add_cause(err, "FieldValueForbidden", field, "Forbidden: %s", detail);
}

void field_duplicate(struct api_error *err, const char *field, const char *value)
{
	api_error_add_cause(err, "FieldValueDuplicate", field, "Duplicate value: \"%s\"", value);
}

void field_not_found(struct api_error *err, const char *field, const char *value)
{
	api_error_add_cause(err, "FieldValueNotFound", field, "Not found: \"%s\"", value);
}

void field_too_long(struct api_error *err, const char *field, size_t max)
{
	api_error_add_cause(err, "FieldValueTooLong", field, "Too long: must have at most %zu bytes",
			    max);
}

void field_immutable(struct api_error *err, const char *field, const cJSON *value)
{
	field_invalid(err, field, value, "field is immutable");
}

int validation_finish(struct api_error *err, const struct resource *r, const char *name)
{
	struct buf msg = BUF_INIT(ERROR_MSG_MAX - 1);
	size_t n;

	if (!err || !err->n_causes)
		return 0;
	n = err->n_causes;
	buf_printf(&msg, "%s%s%s \"%s\" is invalid: %s", r->kind, r->group[0] ? "." : "", r->group,
		   name ? name : "", n > 1 ? "[" : "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&msg, "%s%s%s%s", i ? ", " : "", err->causes[i].field,
			   err->causes[i].field[0] ? ": " : "", err->causes[i].message);
	if (n > 1)
		buf_putc(&msg, ']');
	err->code = 422;
	str_copy(err->reason, sizeof(err->reason), "Invalid");
	str_copy(err->message, sizeof(err->message), msg.data);
	str_copy(err->group, sizeof(err->group), r->group);
	str_copy(err->kind, sizeof(err->kind), r->kind);
	str_copy(err->name, sizeof(err->name), name ? name : "");
	buf_release(&msg);
	return -1;
}

/* ---- names ---- */

#define DNS1123_LABEL_RULE                                                                   \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
	"and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " \
	"regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1123_SUBDOMAIN_RULE                                                               \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "   \
	"'-' or '.', and must start and end with an alphanumeric character (e.g. "               \
	"'example.com', regex used for validation is "                                         \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_LABEL_RULE                                                                   \
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "    \
	"with an alphabetic character, and end with an alphanumeric character (e.g. "           \
	"'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

/* The rules are strutil's; these add the API server's messages. */
const char *dns1123_label_error(const char *name)
{
	if (strlen(name) > 63)
		return "must be no more than 63 characters";
	return str_is_dns_label(name) ? NULL : DNS1123_LABEL_RULE;
}

const char *dns1123_subdomain_error(const char *name)
{
	if (strlen(name) > 253)
		return "must be no more than 253 characters";
	return str_is_dns_subdomain(name, strlen(name)) ? NULL : DNS1123_SUBDOMAIN_RULE;
}

const char *dns1035_label_error(const char *name)
{
	if (strlen(name) > 63)
		return "must be no more than 63 characters";
	if (!(name[0] >= 'a' && name[0] <= 'z') || !str_is_dns_label(name))
		return DNS1035_LABEL_RULE;
	return NULL;
}

/* ---- small accessors ---- */

static const char *str_or(const cJSON *obj, const char *key, const char *fallback)
{
	const char *v = json_get_child_string(obj, key);

	return v ? v : fallback;
}

static bool one_of(const char *value, const char *const *allowed)
{
	for (size_t i = 0; allowed[i]; i++)
		if (!strcmp(value, allowed[i]))
			return true;
	return false;
}

static void check_enum(struct api_error *err, const cJSON *obj, const char *key,
		       const char *path, const char *const *allowed, bool required)
{
	const cJSON *v = json_get_child(obj, key);
	char field[PATH_MAX_LEN];

	field_path(field, sizeof(field), "%s.%s", path, key);
	if (!v || cJSON_IsNull(v)) {
		if (required)
			field_not_supported(err, field, "", allowed);
		return;
	}
	if (!cJSON_IsString(v) || !one_of(v->valuestring, allowed))
		field_not_supported(err, field, cJSON_IsString(v) ? v->valuestring : "", allowed);
}

/* A number at key must be a whole number >= min when present. */
static void check_min(struct api_error *err, const cJSON *obj, const char *key,
		      const char *path, int64_t min)
{
	const cJSON *v = json_get_child(obj, key);
	char field[PATH_MAX_LEN];

	if (!v || cJSON_IsNull(v))
		return;
	field_path(field, sizeof(field), "%s.%s", path, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)min) {
		char detail[80];

		if (min == 0)
			snprintf(detail, sizeof(detail), "must be greater than or equal to 0");
		else
			snprintf(detail, sizeof(detail), "must be greater than or equal to %lld",
				 (long long)min);
		field_invalid(err, field, v, detail);
	}
}

/* A list item's required name at `field`: a DNS-1123 label not yet in
 * `names`, which it joins. True when it is all three. */
static bool check_item_name(struct api_error *err, const char *field, const char *name,
			    struct strv *names)
{
	const char *why;
	bool ok = false;

	if (!name || !*name) {
		field_required(err, field, NULL);
		return false;
	}
	why = dns1123_label_error(name);
	if (why)
		field_invalid_string(err, field, name, why);
	else if (strv_find(names, name) >= 0)
		field_duplicate(err, field, name);
	else
		ok = true;
	strv_push(names, name);
	return ok;
}

/* ---- metadata ---- */

static bool is_standard_finalizer(const char *f)
{
	return !strcmp(f, "kubernetes") || !strcmp(f, "orphan") ||
	       !strcmp(f, "foregroundDeletion");
}

static void validate_string_map(struct api_error *err, const cJSON *map, const char *field,
				bool values_are_labels)
{
	const cJSON *item;
	struct error e = ERROR_INIT;
	size_t total = 0;

	if (map && !cJSON_IsObject(map) && !cJSON_IsNull(map)) {
		field_invalid(err, field, map, "must be a map of strings");
		return;
	}
	cJSON_ArrayForEach(item, map)
	{
		if (!selector_is_label_key(item->string, &e)) {
			field_invalid_string(err, field, item->string,
					     strstr(e.msg, ": ") ? strstr(e.msg, ": ") + 2 : e.msg);
			continue;
		}
		if (!cJSON_IsString(item)) {
			field_invalid(err, field, item, "must be a string");
			continue;
		}
		total += strlen(item->string) + strlen(item->valuestring);
		if (values_are_labels && !selector_is_label_value(item->valuestring, &e))
			field_invalid_string(err, field, item->valuestring,
					     "a valid label must be an empty string or consist of "
					     "alphanumeric characters, '-', '_' or '.', and must start "
					     "and end with an alphanumeric character");
	}
	if (!values_are_labels && total > 256 * 1024)
		field_too_long(err, field, 256 * 1024);
}

void validate_object_meta(const struct resource *r, const cJSON *obj, const cJSON *old,
			  struct api_error *err)
{
	const cJSON *meta = json_get_child(obj, "metadata");
	const cJSON *old_meta = json_get_child(old, "metadata");
	const char *name = json_get_child_string(meta, "name");
	const cJSON *finalizers = json_get_child(meta, "finalizers");
	const cJSON *owners = json_get_child(meta, "ownerReferences");
	const cJSON *item;
	const char *why;
	size_t i = 0, controllers = 0;

	if (!name || !*name) {
		field_required(err, "metadata.name", "name or generateName is required");
	} else {
		why = r->id == RESOURCE_NAMESPACE ? dns1123_label_error(name)
		      : r->id == RESOURCE_SERVICE ? dns1035_label_error(name)
						  : dns1123_subdomain_error(name);
		if (why)
			field_invalid_string(err, "metadata.name", name, why);
	}
	validate_string_map(err, json_get_child(meta, "labels"), "metadata.labels", true);
	validate_string_map(err, json_get_child(meta, "annotations"), "metadata.annotations",
			    false);
	cJSON_ArrayForEach(item, finalizers)
	{
		char field[64];
		struct error e = ERROR_INIT;

		field_path(field, sizeof(field), "metadata.finalizers[%zu]", i++);
		if (!cJSON_IsString(item))
			field_invalid(err, field, item, "must be a string");
		else if (!is_standard_finalizer(item->valuestring) &&
			 !selector_is_label_key(item->valuestring, &e))
			field_invalid_string(err, field, item->valuestring,
					     "name part must consist of alphanumeric characters, "
					     "'-', '_' or '.'");
		else if (!is_standard_finalizer(item->valuestring) && !strchr(item->valuestring, '/'))
			field_invalid_string(err, field, item->valuestring,
					     "name is neither a standard finalizer name nor is it "
					     "fully qualified");
	}
	i = 0;
	cJSON_ArrayForEach(item, owners)
	{
		char field[80];

		field_path(field, sizeof(field), "metadata.ownerReferences[%zu]", i++);
		if (!json_get_child_string(item, "apiVersion"))
			field_invalid_string(err, "metadata.ownerReferences.apiVersion", "",
					     "version must not be empty");
		if (!json_get_child_string(item, "kind"))
			field_invalid_string(err, "metadata.ownerReferences.kind", "",
					     "kind must not be empty");
		if (!json_get_child_string(item, "name"))
			field_invalid_string(err, "metadata.ownerReferences.name", "",
					     "name must not be empty");
		if (!json_get_child_string(item, "uid") || !*json_get_child_string(item, "uid"))
			field_invalid_string(err, "metadata.ownerReferences.uid", "",
					     "uid must not be empty");
		if (json_get_bool(item, "controller", false))
			controllers++;
	}
	if (controllers > 1)
		field_invalid(err, "metadata.ownerReferences", owners,
			      "Only one reference can have Controller set to true");

	if (old_meta && json_get_child(old_meta, "deletionTimestamp")) {
		const cJSON *old_finalizers = json_get_child(old_meta, "finalizers");

		cJSON_ArrayForEach(item, finalizers)
		{
			bool had = false;
			const cJSON *o;

			cJSON_ArrayForEach(o, old_finalizers)
			{
				if (cJSON_IsString(o) && cJSON_IsString(item) &&
				    !strcmp(o->valuestring, item->valuestring))
					had = true;
			}
			if (!had) {
				char detail[300];

				snprintf(detail, sizeof(detail),
					 "no new finalizers can be added if the object is being "
					 "deleted, found new finalizers []string{\"%s\"}",
					 cJSON_IsString(item) ? item->valuestring : "");
				field_forbidden(err, "metadata.finalizers", detail);
				break;
			}
		}
	}
}

/* ---- pods ---- */

static const char *const restart_policies[] = { "Always", "OnFailure", "Never", NULL };
static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
static const char *const message_policies[] = { "File", "FallbackToLogsOnError", NULL };
static const char *const dns_policies[] = { "ClusterFirstWithHostNet", "ClusterFirst", "Default",
					    "None", NULL };
static const char *const protocols[] = { "SCTP", "TCP", "UDP", NULL };

static bool env_name_ok(const char *name)
{
	if (!*name || isdigit((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	return true;
}

static bool field_path_supported(const char *path)
{
	static const char *const plain[] = { "metadata.name",       "metadata.namespace",
					     "metadata.uid",        "metadata.labels",
					     "metadata.annotations", "spec.nodeName",
					     "spec.serviceAccountName", "status.hostIP",
					     "status.hostIPs",      "status.podIP",
					     "status.podIPs",       NULL };

	if (one_of(path, plain))
		return true;
	return (str_has_prefix(path, "metadata.labels['") ||
		str_has_prefix(path, "metadata.annotations['")) &&
	       str_has_suffix(path, "']");
}

static void validate_env(const cJSON *env, const char *path, struct api_error *err)
{
	const cJSON *e;
	size_t i = 0;

	cJSON_ArrayForEach(e, env)
	{
		char field[PATH_MAX_LEN];
		const char *name = json_get_child_string(e, "name");
		const cJSON *from = json_get_child(e, "valueFrom");

		field_path(field, sizeof(field), "%s[%zu].name", path, i);
		if (!name || !*name)
			field_required(err, field, NULL);
		else if (!env_name_ok(name))
			field_invalid_string(err, field, name,
					     "a valid environment variable name must consist of "
					     "alphabetic characters, digits, '_', '-', or '.', and "
					     "must not start with a digit (e.g. 'my.env-name',  or "
					     "'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
					     "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')");
		if (from) {
			int sources = !!json_get_child(from, "fieldRef") +
				      !!json_get_child(from, "resourceFieldRef") +
				      !!json_get_child(from, "configMapKeyRef") +
				      !!json_get_child(from, "secretKeyRef");
			const char *fp = json_get_string(from, "fieldRef.fieldPath");

			field_path(field, sizeof(field), "%s[%zu].valueFrom", path, i);
			if (json_get_child(e, "value") &&
			    *str_or(e, "value", ""))
				field_invalid_string(err, field, "",
						     "may not be specified when `value` is not empty");
			if (sources == 0)
				field_invalid_string(err, field, "",
						     "must specify one of: `fieldRef`, "
						     "`resourceFieldRef`, `configMapKeyRef` or "
						     "`secretKeyRef`");
			else if (sources > 1)
				field_invalid_string(err, field, "",
						     "may not have more than one field specified at "
						     "a time");
			if (json_get_child(from, "fieldRef")) {
				field_path(field, sizeof(field), "%s[%zu].valueFrom.fieldRef.fieldPath",
					 path, i);
				if (!fp)
					field_required(err, field, NULL);
				else if (!field_path_supported(fp))
					field_invalid_string(err, field, fp,
							     "error converting fieldPath: field "
							     "label not supported");
			}
		}
		i++;
	}
}

static void validate_resources(const cJSON *spec, const char *path, struct api_error *err)
{
	const cJSON *requests = json_get_child(spec, "requests");
	const cJSON *limits = json_get_child(spec, "limits");
	const cJSON *q;
	char field[PATH_MAX_LEN];

	for (int pass = 0; pass < 2; pass++) {
		const cJSON *map = pass ? limits : requests;

		cJSON_ArrayForEach(q, map)
		{
			struct quantity value;

			field_path(field, sizeof(field), "%s.%s[%s]", path, pass ? "limits" : "requests",
				 q->string);
			if (cJSON_IsNumber(q))
				continue;
			if (!cJSON_IsString(q) || quantity_parse(q->valuestring, &value, NULL) < 0)
				field_invalid(err, field, q,
					      "quantities must match the regular expression "
					      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
			else if (value.milli < 0)
				field_invalid(err, field, q, "must be greater than or equal to 0");
		}
	}
	cJSON_ArrayForEach(q, requests)
	{
		const cJSON *limit = json_get_child(limits, q->string);
		struct quantity want, cap;

		if (!cJSON_IsString(q) || !cJSON_IsString(limit) ||
		    quantity_parse(q->valuestring, &want, NULL) < 0 ||
		    quantity_parse(limit->valuestring, &cap, NULL) < 0)
			continue;
		if (quantity_compare(&want, &cap) > 0) {
			char detail[160];

			field_path(field, sizeof(field), "%s.requests", path);
			snprintf(detail, sizeof(detail), "must be less than or equal to %s limit of %s",
				 q->string, limit->valuestring);
			field_invalid(err, field, q, detail);
		}
	}
}

static void validate_containers(const cJSON *containers, const char *path, const cJSON *volumes,
				bool required, struct api_error *err)
{
	const cJSON *c;
	struct strv names = STRV_INIT;
	size_t i = 0;

	if (!cJSON_IsArray(containers) || cJSON_GetArraySize(containers) == 0) {
		if (required)
			field_required(err, path, NULL);
		return;
	}
	cJSON_ArrayForEach(c, containers)
	{
		char base[PATH_MAX_LEN], field[PATH_MAX_LEN];
		const char *name = json_get_child_string(c, "name");
		const char *image = json_get_child_string(c, "image");
		const cJSON *mount;
		const cJSON *port;
		size_t m = 0, p = 0;
		struct strv mount_paths = STRV_INIT;

		field_path(base, sizeof(base), "%s[%zu]", path, i++);
		field_path(field, sizeof(field), "%s.name", base);
		check_item_name(err, field, name, &names);
		field_path(field, sizeof(field), "%s.image", base);
		if (!image || !*image)
			field_required(err, field, NULL);
		check_enum(err, c, "imagePullPolicy", base, pull_policies, false);
		check_enum(err, c, "terminationMessagePolicy", base, message_policies, false);
		field_path(field, sizeof(field), "%s.env", base);
		validate_env(json_get_child(c, "env"), field, err);
		field_path(field, sizeof(field), "%s.resources", base);
		validate_resources(json_get_child(c, "resources"), field, err);
		cJSON_ArrayForEach(mount, json_get_child(c, "volumeMounts"))
		{
			const char *vname = json_get_child_string(mount, "name");
			const char *mpath = json_get_child_string(mount, "mountPath");
			bool found = false;
			const cJSON *v;

			cJSON_ArrayForEach(v, volumes)
			{
				if (str_eq(json_get_child_string(v, "name"), vname))
					found = true;
			}
			field_path(field, sizeof(field), "%s.volumeMounts[%zu].name", base, m);
			if (!vname || !*vname)
				field_required(err, field, NULL);
			else if (!found)
				field_not_found(err, field, vname);
			field_path(field, sizeof(field), "%s.volumeMounts[%zu].mountPath", base, m);
			if (!mpath || !*mpath)
				field_required(err, field, NULL);
			else if (strv_find(&mount_paths, mpath) >= 0)
				field_invalid_string(err, field, mpath, "must be unique");
			else
				strv_push(&mount_paths, mpath);
			m++;
		}
		strv_release(&mount_paths);
		cJSON_ArrayForEach(port, json_get_child(c, "ports"))
		{
			const cJSON *number = json_get_child(port, "containerPort");
			char pbase[PATH_MAX_LEN];

			field_path(pbase, sizeof(pbase), "%s.ports[%zu]", base, p++);
			field_path(field, sizeof(field), "%s.containerPort", pbase);
			if (!number)
				field_required(err, field, NULL);
			else if (!cJSON_IsNumber(number) || number->valuedouble < 1 ||
				 number->valuedouble > 65535)
				field_invalid(err, field, number,
					      "must be between 1 and 65535, inclusive");
			check_enum(err, port, "protocol", pbase, protocols, false);
		}
	}
	strv_release(&names);
}

static void validate_volumes(const cJSON *volumes, const char *path, struct api_error *err)
{
	static const char *const sources[] = {
		"emptyDir", "configMap", "secret", "hostPath", "projected", "downwardAPI",
		"persistentVolumeClaim", "ephemeral", "nfs", "csi", "image", NULL,
	};
	const cJSON *v;
	struct strv names = STRV_INIT;
	size_t i = 0;

	cJSON_ArrayForEach(v, volumes)
	{
		char base[PATH_MAX_LEN], field[PATH_MAX_LEN];
		const char *name = json_get_child_string(v, "name");
		int count = 0;
		const char *first = NULL;

		field_path(base, sizeof(base), "%s[%zu]", path, i++);
		field_path(field, sizeof(field), "%s.name", base);
		check_item_name(err, field, name, &names);
		for (size_t s = 0; sources[s]; s++) {
			if (!json_get_child(v, sources[s]))
				continue;
			if (count++ == 0) {
				first = sources[s];
				continue;
			}
			field_path(field, sizeof(field), "%s.%s", base, sources[s]);
			field_forbidden(err, field, "may not specify more than 1 volume type");
		}
		if (!count)
			field_required(err, base, "must specify a volume type");
		if (first && !strcmp(first, "configMap")) {
			field_path(field, sizeof(field), "%s.configMap.name", base);
			if (!json_get_string(v, "configMap.name"))
				field_required(err, field, NULL);
		} else if (first && !strcmp(first, "secret")) {
			field_path(field, sizeof(field), "%s.secret.secretName", base);
			if (!json_get_string(v, "secret.secretName"))
				field_required(err, field, NULL);
		}
	}
	strv_release(&names);
}

void validate_pod_spec(const cJSON *spec, const char *path, struct api_error *err)
{
	char field[PATH_MAX_LEN];
	const cJSON *volumes = json_get_child(spec, "volumes");
	const char *hostname = json_get_child_string(spec, "hostname");
	const char *subdomain = json_get_child_string(spec, "subdomain");

	if (!cJSON_IsObject(spec)) {
		field_required(err, path, NULL);
		return;
	}
	field_path(field, sizeof(field), "%s.volumes", path);
	validate_volumes(volumes, field, err);
	field_path(field, sizeof(field), "%s.containers", path);
	validate_containers(json_get_child(spec, "containers"), field, volumes, true, err);
	field_path(field, sizeof(field), "%s.initContainers", path);
	validate_containers(json_get_child(spec, "initContainers"), field, volumes, false, err);
	check_enum(err, spec, "restartPolicy", path, restart_policies, false);
	check_enum(err, spec, "dnsPolicy", path, dns_policies, false);
	check_min(err, spec, "terminationGracePeriodSeconds", path, 0);
	check_min(err, spec, "activeDeadlineSeconds", path, 1);
	if (hostname && dns1123_label_error(hostname)) {
		field_path(field, sizeof(field), "%s.hostname", path);
		field_invalid_string(err, field, hostname, dns1123_label_error(hostname));
	}
	if (subdomain && dns1123_label_error(subdomain)) {
		field_path(field, sizeof(field), "%s.subdomain", path);
		field_invalid_string(err, field, subdomain, dns1123_label_error(subdomain));
	}
	field_path(field, sizeof(field), "%s.nodeSelector", path);
	validate_string_map(err, json_get_child(spec, "nodeSelector"), field, true);
}

/* A copy of a pod spec with the fields an update may change blanked. */
static cJSON *pod_spec_without_mutable(const cJSON *spec)
{
	cJSON *copy = cJSON_Duplicate(spec, true);
	static const char *const lists[] = { "containers", "initContainers" };
	cJSON *c;

	if (!copy)
		return cJSON_CreateNull();
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(copy, lists[l]))
			cJSON_DeleteItemFromObjectCaseSensitive(c, "image");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "activeDeadlineSeconds");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "tolerations");
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "terminationGracePeriodSeconds");
	return copy;
}

int validate_pod(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	const cJSON *spec = json_get_child(obj, "spec");

	validate_pod_spec(spec, "spec", err);
	if (old) {
		_cleanup_json_ cJSON *a = pod_spec_without_mutable(spec);
		_cleanup_json_ cJSON *b = pod_spec_without_mutable(json_get_child(old, "spec"));

		if (!cJSON_Compare(a, b, true))
			field_forbidden(
				err, "spec",
				"pod updates may not change fields other than "
				"`spec.containers[*].image`,`spec.initContainers[*].image`,"
				"`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
				"existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
				"to be set to 1 if it was previously negative)");
	}
	return 0;
}

/* ---- the other core kinds ---- */

int validate_namespace(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	return 0;
}

int validate_node(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	return 0;
}

static bool config_key_ok(const char *key)
{
	if (!*key || strlen(key) > 253 || !strcmp(key, ".") || !strcmp(key, ".."))
		return false;
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

#define CONFIG_KEY_RULE                                                                       \
	"a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "   \
	"'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "           \
	"'[-._a-zA-Z0-9]+')"

/* data and binaryData of ConfigMaps and Secrets: keys, duplicates, size. */
static void validate_key_maps(const cJSON *obj, const char *first, const char *second,
			      struct api_error *err)
{
	const cJSON *a = json_get_child(obj, first), *b = json_get_child(obj, second);
	const cJSON *item;
	size_t total = 0;

	for (int pass = 0; pass < 2; pass++) {
		const cJSON *map = pass ? b : a;
		const char *name = pass ? second : first;

		cJSON_ArrayForEach(item, map)
		{
			char field[PATH_MAX_LEN];

			field_path(field, sizeof(field), "%s[%s]", name, item->string);
			if (!config_key_ok(item->string))
				field_invalid_string(err, field, item->string, CONFIG_KEY_RULE);
			if (pass && json_get_child(a, item->string))
				field_invalid_string(err, field, item->string,
						     "duplicate of key present in data");
			if (cJSON_IsString(item))
				total += strlen(item->valuestring);
		}
	}
	if (total > 1024 * 1024)
		field_too_long(err, "", 1024 * 1024);
}

/* cJSON_Compare() calls two absent values different. */
static bool same_or_both_absent(const cJSON *a, const cJSON *b)
{
	return (!a && !b) || cJSON_Compare(a, b, true);
}

static void validate_immutable_data(const cJSON *obj, const cJSON *old, const char *first,
				    const char *second, struct api_error *err)
{
	if (!old || !json_get_bool(old, "immutable", false))
		return;
	if (!json_get_bool(obj, "immutable", false))
		field_forbidden(err, "immutable", "field is immutable when `immutable` is set");
	if (!same_or_both_absent(json_get_child(obj, first), json_get_child(old, first)))
		field_forbidden(err, first, "field is immutable when `immutable` is set");
	if (!same_or_both_absent(json_get_child(obj, second), json_get_child(old, second)))
		field_forbidden(err, second, "field is immutable when `immutable` is set");
}

int validate_configmap(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	const cJSON *item;

	validate_key_maps(obj, "data", "binaryData", err);
	cJSON_ArrayForEach(item, json_get_child(obj, "binaryData"))
	{
		if (!cJSON_IsString(item) ||
		    !base64_is_valid(item->valuestring, strlen(item->valuestring)))
			field_invalid(err, "binaryData", item, "must be base64 encoded");
	}
	validate_immutable_data(obj, old, "data", "binaryData", err);
	return 0;
}

int validate_secret(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	validate_key_maps(obj, "data", "stringData", err);
	validate_immutable_data(obj, old, "data", "stringData", err);
	if (old && !cJSON_Compare(json_get_child(obj, "type"), json_get_child(old, "type"), true))
		field_immutable(err, "type", json_get_child(obj, "type"));
	return 0;
}

int validate_service(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	static const char *const types[] = { "ClusterIP", "NodePort", "LoadBalancer",
					     "ExternalName", NULL };
	const cJSON *spec = json_get_child(obj, "spec");
	const cJSON *ports = json_get_child(spec, "ports");
	const char *cluster_ip = json_get_child_string(spec, "clusterIP");
	bool headless = str_eq(cluster_ip, "None");
	const cJSON *port;
	struct strv names = STRV_INIT;
	size_t i = 0;

	check_enum(err, spec, "type", "spec", types, false);
	if (cJSON_GetArraySize(ports) == 0 && !headless &&
	    !str_eq(json_get_child_string(spec, "type"), "ExternalName"))
		field_required(err, "spec.ports", NULL);
	cJSON_ArrayForEach(port, ports)
	{
		char base[PATH_MAX_LEN], field[PATH_MAX_LEN];
		const cJSON *number = json_get_child(port, "port");
		const char *name = json_get_child_string(port, "name");

		field_path(base, sizeof(base), "spec.ports[%zu]", i++);
		field_path(field, sizeof(field), "%s.port", base);
		if (!cJSON_IsNumber(number) || number->valuedouble < 1 || number->valuedouble > 65535)
			field_invalid(err, field, number, "must be between 1 and 65535, inclusive");
		field_path(field, sizeof(field), "%s.name", base);
		if ((!name || !*name) && cJSON_GetArraySize(ports) > 1)
			field_required(err, field, NULL);
		else if (name && *name && strv_find(&names, name) >= 0)
			field_duplicate(err, field, name);
		if (name)
			strv_push(&names, name);
		check_enum(err, port, "protocol", base, protocols, false);
	}
	strv_release(&names);
	validate_string_map(err, json_get_child(spec, "selector"), "spec.selector", true);
	if (old) {
		const cJSON *was = json_get(old, "spec.clusterIP");

		if (was && !cJSON_Compare(was, json_get(obj, "spec.clusterIP"), true))
			field_immutable(err, "spec.clusterIP", json_get(obj, "spec.clusterIP"));
	}
	return 0;
}

int validate_event(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	const char *ns = json_get_string(obj, "metadata.namespace");
	const char *involved_ns = json_get_string(obj, "involvedObject.namespace");

	if (involved_ns && *involved_ns && ns && strcmp(ns, involved_ns) != 0)
		field_invalid_string(err, "involvedObject.namespace", involved_ns,
				     "does not match event.namespace");
	return 0;
}

/* ---- batch/v1 Jobs ---- */

static bool labels_match_selector(const cJSON *selector, const cJSON *labels)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, json_get_child(selector, "matchLabels"))
	{
		const char *have = json_get_child_string(labels, item->string);

		if (!cJSON_IsString(item) || !have || strcmp(have, item->valuestring) != 0)
			return false;
	}
	cJSON_ArrayForEach(item, json_get_child(selector, "matchExpressions"))
	{
		const char *key = json_get_child_string(item, "key");
		const char *op = json_get_child_string(item, "operator");
		const char *have = key ? json_get_child_string(labels, key) : NULL;
		const cJSON *values = json_get_child(item, "values"), *v;
		bool in = false;

		cJSON_ArrayForEach(v, values)
		{
			if (have && cJSON_IsString(v) && !strcmp(v->valuestring, have))
				in = true;
		}
		if (!op || (!strcmp(op, "In") && !in) || (!strcmp(op, "NotIn") && in) ||
		    (!strcmp(op, "Exists") && !have) || (!strcmp(op, "DoesNotExist") && have))
			return false;
	}
	return true;
}

/* in_jobset: a JobSet's replicated job template, which the JobSet
 * controller completes (selector, completions) when it makes the Job. */
static void validate_job_spec(const cJSON *spec, const char *path, bool in_jobset,
			      struct api_error *err)
{
	static const char *const modes[] = { "NonIndexed", "Indexed", NULL };
	static const char *const job_restart[] = { "OnFailure", "Never", NULL };
	static const char *const replacement[] = { "TerminatingOrFailed", "Failed", NULL };
	char field[PATH_MAX_LEN], tpath[PATH_MAX_LEN];
	const cJSON *template = json_get_child(spec, "template");
	const cJSON *pod_spec = json_get_child(template, "spec");
	const char *mode = json_get_child_string(spec, "completionMode");
	const char *restart = json_get_child_string(pod_spec, "restartPolicy");
	bool indexed = str_eq(mode, "Indexed");
	int64_t completions = -1, per_index = -1, max_failed = -1;
	bool has_completions = json_get_int64(spec, "completions", &completions);
	bool has_per_index = json_get_int64(spec, "backoffLimitPerIndex", &per_index);
	bool has_max_failed = json_get_int64(spec, "maxFailedIndexes", &max_failed);

	check_min(err, spec, "parallelism", path, 0);
	check_min(err, spec, "completions", path, 0);
	check_min(err, spec, "backoffLimit", path, 0);
	check_min(err, spec, "activeDeadlineSeconds", path, 1);
	check_min(err, spec, "ttlSecondsAfterFinished", path, 0);
	check_min(err, spec, "backoffLimitPerIndex", path, 0);
	check_min(err, spec, "maxFailedIndexes", path, 0);
	check_enum(err, spec, "completionMode", path, modes, false);
	check_enum(err, spec, "podReplacementPolicy", path, replacement, false);
	if (indexed && !has_completions && !in_jobset) {
		field_path(field, sizeof(field), "%s.completions", path);
		field_required(err, field, "when completion mode is Indexed");
	}
	if (has_per_index && !indexed) {
		field_path(field, sizeof(field), "%s.backoffLimitPerIndex", path);
		field_forbidden(err, field, "requires indexed completion mode");
	}
	if (has_max_failed && !has_per_index) {
		field_path(field, sizeof(field), "%s.maxFailedIndexes", path);
		field_required(err, field, "must be specified when backoffLimitPerIndex is specified");
	}
	if (has_max_failed && has_completions && max_failed > completions) {
		field_path(field, sizeof(field), "%s.maxFailedIndexes", path);
		field_invalid(err, field, json_get_child(spec, "maxFailedIndexes"),
			      "must be less than or equal to completions");
	}
	field_path(tpath, sizeof(tpath), "%s.template", path);
	if (!cJSON_IsObject(template)) {
		field_required(err, tpath, NULL);
		return;
	}
	field_path(field, sizeof(field), "%s.template.spec", path);
	validate_pod_spec(pod_spec, field, err);
	field_path(field, sizeof(field), "%s.template.spec.restartPolicy", path);
	if (cJSON_IsObject(pod_spec) && (!restart || !one_of(restart, job_restart)))
		field_not_supported(err, field, restart ? restart : "", job_restart);
	if (!in_jobset) {
		const cJSON *selector = json_get_child(spec, "selector");
		const cJSON *labels = json_get(template, "metadata.labels");

		field_path(field, sizeof(field), "%s.selector", path);
		if (!selector)
			field_required(err, field, NULL);
		else if (!labels_match_selector(selector, labels)) {
			field_path(field, sizeof(field), "%s.template.metadata.labels", path);
			field_invalid(err, field, labels, "`selector` does not match template `labels`");
		}
	}
}

int validate_job(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	const cJSON *spec = json_get_child(obj, "spec");
	const cJSON *old_spec = json_get_child(old, "spec");
	const char *name = json_get_string(obj, "metadata.name");

	if (name && strlen(name) > 63)
		field_invalid_string(err, "metadata.name", name, "must be no more than 63 characters");
	validate_job_spec(spec, "spec", false, err);
	if (old) {
		static const char *const immutable[] = { "completionMode", "selector",
							 "podFailurePolicy", "backoffLimitPerIndex",
							 "template" };

		for (size_t i = 0; i < ARRAY_SIZE(immutable); i++) {
			const cJSON *now = json_get_child(spec, immutable[i]);
			const cJSON *was = json_get_child(old_spec, immutable[i]);
			char field[64];

			if (cJSON_Compare(now, was, true) || (!now && !was))
				continue;
			field_path(field, sizeof(field), "spec.%s", immutable[i]);
			field_immutable(err, field, now);
		}
		/* completions may change only together with parallelism on an
		 * Indexed Job (elastic Indexed Jobs). */
		if (!cJSON_Compare(json_get_child(spec, "completions"),
				   json_get_child(old_spec, "completions"), true)) {
			int64_t c = -1, p = -2;

			if (!str_eq(json_get_child_string(spec, "completionMode"), "Indexed") ||
			    !json_get_int64(spec, "completions", &c) ||
			    !json_get_int64(spec, "parallelism", &p) || c != p)
				field_immutable(err, "spec.completions",
						json_get_child(spec, "completions"));
		}
	}
	return 0;
}

/* ---- jobset.x-k8s.io/v1alpha2 JobSets ---- */

int validate_jobset(const cJSON *obj, const cJSON *old, struct api_error *err)
{
	static const char *const operators[] = { "All", "Any", NULL };
	const cJSON *spec = json_get_child(obj, "spec");
	const cJSON *rjobs = json_get_child(spec, "replicatedJobs");
	const cJSON *rjob, *target;
	const char *name = json_get_string(obj, "metadata.name");
	struct strv names = STRV_INIT;
	size_t i = 0;

	if (!cJSON_IsArray(rjobs) || cJSON_GetArraySize(rjobs) == 0)
		field_required(err, "spec.replicatedJobs", NULL);
	cJSON_ArrayForEach(rjob, rjobs)
	{
		char base[PATH_MAX_LEN], field[PATH_MAX_LEN];
		const char *rname = json_get_child_string(rjob, "name");
		const cJSON *template_spec = json_get(rjob, "template.spec");

		field_path(base, sizeof(base), "spec.replicatedJobs[%zu]", i++);
		field_path(field, sizeof(field), "%s.name", base);
		/* Pod hostnames are <jobset>-<rjob>-<job>-<pod>: a DNS label. */
		if (check_item_name(err, field, rname, &names) && name &&
		    strlen(name) + strlen(rname) + 2 > 63)
			field_invalid_string(err, field, rname,
					     "jobset name and replicated job name combined "
					     "must not exceed 62 characters");
		check_min(err, rjob, "replicas", base, 0);
		field_path(field, sizeof(field), "%s.template.spec", base);
		if (!cJSON_IsObject(template_spec))
			field_required(err, field, NULL);
		else
			validate_job_spec(template_spec, field, true, err);
	}
	check_enum(err, json_get_child(spec, "successPolicy"), "operator", "spec.successPolicy",
		   operators, false);
	cJSON_ArrayForEach(target, json_get(spec, "successPolicy.targetReplicatedJobs"))
	{
		if (cJSON_IsString(target) && strv_find(&names, target->valuestring) < 0)
			field_invalid(err, "spec.successPolicy.targetReplicatedJobs", target,
				      "must be one of the replicated job names");
	}
	check_min(err, json_get_child(spec, "failurePolicy"), "maxRestarts", "spec.failurePolicy",
		  0);
	strv_release(&names);
	if (old && !cJSON_Compare(rjobs, json_get(old, "spec.replicatedJobs"), true) &&
	    !json_get_bool(old, "spec.suspend", false))
		field_immutable(err, "spec.replicatedJobs", rjobs);
	return 0;
}
