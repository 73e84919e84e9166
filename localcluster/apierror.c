/* apierror.c — API errors and their `Status` bodies. */
#include "apierror.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "strutil.h"

int api_error_set(struct api_error *err, int code, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	api_error_clear(err);
	err->code = code;
	str_copy(err->reason, sizeof(err->reason), reason);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

void api_error_details(struct api_error *err, const char *group, const char *kind,
		       const char *name)
{
	if (!err)
		return;
	str_copy(err->group, sizeof(err->group), group ? group : "");
	str_copy(err->kind, sizeof(err->kind), kind ? kind : "");
	str_copy(err->name, sizeof(err->name), name ? name : "");
}

void api_error_add_cause(struct api_error *err, const char *reason, const char *field,
			 const char *fmt, ...)
{
	struct api_cause *cause;
	va_list ap;

	if (!err || err->n_causes >= API_ERROR_MAX_CAUSES)
		return;
	cause = &err->causes[err->n_causes++];
	str_copy(cause->reason, sizeof(cause->reason), reason ? reason : "");
	str_copy(cause->field, sizeof(cause->field), field ? field : "");
	va_start(ap, fmt);
	vsnprintf(cause->message, sizeof(cause->message), fmt, ap);
	va_end(ap);
}

void api_error_clear(struct api_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->reason[0] = err->message[0] = '\0';
	err->group[0] = err->kind[0] = err->name[0] = '\0';
	err->n_causes = 0;
	err->retry_after_seconds = 0;
}

int api_error_from_error(struct api_error *err, int code, const struct error *from)
{
	return api_error_set(err, code, code >= 500 ? "InternalError" : "BadRequest", "%s",
			     from->msg);
}

cJSON *api_error_to_status(const struct api_error *err)
{
	cJSON *status = cJSON_CreateObject();
	cJSON *details = cJSON_CreateObject();

	json_set_string(status, "kind", "Status");
	json_set_string(status, "apiVersion", "v1");
	json_set(status, "metadata", cJSON_CreateObject());
	json_set_string(status, "status", "Failure");
	json_set_string(status, "message", err->message);
	if (err->reason[0])
		json_set_string(status, "reason", err->reason);
	if (err->name[0])
		json_set_string(details, "name", err->name);
	if (err->group[0])
		json_set_string(details, "group", err->group);
	if (err->kind[0])
		json_set_string(details, "kind", err->kind);
	if (err->n_causes) {
		cJSON *causes = cJSON_CreateArray();

		for (size_t i = 0; i < err->n_causes; i++) {
			cJSON *cause = cJSON_CreateObject();

			if (err->causes[i].reason[0])
				json_set_string(cause, "reason", err->causes[i].reason);
			json_set_string(cause, "message", err->causes[i].message);
			if (err->causes[i].field[0])
				json_set_string(cause, "field", err->causes[i].field);
			cJSON_AddItemToArray(causes, cause);
		}
		json_set(details, "causes", causes);
	}
	if (err->retry_after_seconds > 0)
		json_set_int64(details, "retryAfterSeconds", err->retry_after_seconds);
	if (cJSON_GetArraySize(details) > 0)
		json_set(status, "details", details);
	else
		cJSON_Delete(details);
	json_set_int64(status, "code", err->code);
	return status;
}
