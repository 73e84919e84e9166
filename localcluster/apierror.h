/* apierror.h — an API error as the Kubernetes API server reports it: an
 * HTTP code, a StatusReason, a message shaped like the real server's
 * (`jobs.batch "x" not found`) and the details a client reads (kind,
 * group, name, field causes, retry-after). Every store and handler
 * function fills one; the HTTP layer turns it into a `Status` body. */
#ifndef KONDUKTOR_LC_APIERROR_H
#define KONDUKTOR_LC_APIERROR_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "error.h"

#define API_ERROR_MAX_CAUSES 16

struct api_cause {
	char reason[48];  /* FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, ... */
	char field[256];  /* "spec.template.spec.restartPolicy" */
	char message[512]; /* "Required value: ..." */
};

struct api_error {
	int code;            /* HTTP status: 400, 404, 409, 410, 422, ... */
	char reason[40];     /* NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ... */
	char message[ERROR_MSG_MAX];
	/* Status.details; empty strings are left out of the body. */
	char group[64];
	char kind[64];       /* the resource ("jobs") or, for Invalid, the kind ("Job") */
	char name[256];
	struct api_cause causes[API_ERROR_MAX_CAUSES];
	size_t n_causes;
	int retry_after_seconds; /* > 0: details.retryAfterSeconds and a Retry-After header */
};

#define API_ERROR_INIT { .code = 0 }

/* Sets code, reason and message and clears the details; returns -1 so that
 * callers can `return api_error_set(...)`. A NULL err is allowed. */
int api_error_set(struct api_error *err, int code, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void api_error_details(struct api_error *err, const char *group, const char *kind,
		       const char *name);
/* Appends a cause (silently dropped past API_ERROR_MAX_CAUSES). */
void api_error_add_cause(struct api_error *err, const char *reason, const char *field,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void api_error_clear(struct api_error *err);
/* Copies a plain struct error as 400 BadRequest (or 500 InternalError). */
int api_error_from_error(struct api_error *err, int code, const struct error *from);

/* The `Status` object for err (kind Status, status Failure, ...). */
cJSON *api_error_to_status(const struct api_error *err);

#endif
