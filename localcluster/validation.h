/* validation.h — object validation as the real API server does it for
 * the kinds served here: field errors worded like k8s.io/apimachinery's
 * field.Error ("spec.template.spec.restartPolicy: Unsupported value:
 * \"Always\": supported values: \"OnFailure\", \"Never\""), collected as
 * causes of one 422 Invalid error, plus the per-kind validators that
 * resource.c plugs into the store. */
#ifndef KONDUKTOR_LC_VALIDATION_H
#define KONDUKTOR_LC_VALIDATION_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "apierror.h"
#include "resource.h"

/* Each adds one cause to err (field paths like "spec.containers[0].name"). */
void field_required(struct api_error *err, const char *field, const char *detail);
void field_invalid(struct api_error *err, const char *field, const cJSON *value,
		   const char *detail);
void field_invalid_string(struct api_error *err, const char *field, const char *value,
			  const char *detail);
void field_not_supported(struct api_error *err, const char *field, const char *value,
			 const char *const *supported);
void field_forbidden(struct api_error *err, const char *field, const char *detail);
void field_duplicate(struct api_error *err, const char *field, const char *value);
void field_not_found(struct api_error *err, const char *field, const char *value);
void field_too_long(struct api_error *err, const char *field, size_t max);
/* "field is immutable" for value (the new one), as update validation says. */
void field_immutable(struct api_error *err, const char *field, const cJSON *value);

/* After validators ran: 0 if err holds no causes, else fills err as
 * 422 Invalid `Kind.group "name" is invalid: ...` and returns -1. */
int validation_finish(struct api_error *err, const struct resource *r, const char *name);

/* Generic rules every object obeys (name syntax, labels, annotations,
 * finalizers, owner references; immutable metadata on update). */
void validate_object_meta(const struct resource *r, const cJSON *obj, const cJSON *old,
			  struct api_error *err);

/* Name syntax checks; each returns NULL if valid, else the reason. */
const char *dns1123_subdomain_error(const char *name);
const char *dns1123_label_error(const char *name);
const char *dns1035_label_error(const char *name);

/* Per-kind validators (resource.h's validate hook). */
int validate_namespace(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_node(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_pod(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_configmap(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_secret(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_service(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_event(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_job(const cJSON *obj, const cJSON *old, struct api_error *err);
int validate_jobset(const cJSON *obj, const cJSON *old, struct api_error *err);

/* Pod spec rules shared by Pods, Jobs' templates and JobSets' templates;
 * path is "spec" or "spec.template.spec". */
void validate_pod_spec(const cJSON *spec, const char *path, struct api_error *err);

#endif
