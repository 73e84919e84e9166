/* faults.h — fault injection, switched at run time through the admin
 * endpoints (admin.c) and never applied to them: answer a share of the
 * API requests (optionally of one verb and/or resource) with 409 (a
 * create finds its name taken; an update, a conflict), 429 + Retry-After
 * or 500, and pause the server (connections are accepted, no request is
 * answered and no watch event sent until unpaused). Dropping watches and
 * expiring history act on the store directly.
 *
 * A share is applied deterministically: with share p, request number n
 * (counting the requests a rule matches) fails exactly when
 * floor(n*p) > floor((n-1)*p), so p = 0.5 fails every second request and
 * tests need no luck. */
#ifndef KONDUKTOR_LC_FAULTS_H
#define KONDUKTOR_LC_FAULTS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "error.h"

#define FAULTS_MAX_RULES 16

struct faults;

struct faults *faults_new(void);
void faults_free(struct faults *f);

/* Replaces the error rules with those of spec:
 *   {"errors": [{"status": 429, "share": 0.5, "verb": "list",
 *                "resource": "jobs", "retryAfterSeconds": 1}]}
 * (status 409, 429 or 500; share in (0, 1], default 1; verb/resource optional).
 * -1 with err naming the bad field. */
int faults_set_rules(struct faults *f, const cJSON *spec, struct error *err);
/* {"errors": [... with "matched" and "injected" counts], "paused": bool} */
cJSON *faults_to_json(struct faults *f);

/* For one API request: 0 if it proceeds, else the status to answer with
 * (and *ret_retry_after for 429). */
unsigned faults_check(struct faults *f, const char *verb, const char *resource,
		      int *ret_retry_after);

void faults_set_paused(struct faults *f, bool paused);
bool faults_is_paused(struct faults *f);
/* Blocks while paused. Returns false if the server is shutting down. */
bool faults_wait_unpaused(struct faults *f);
/* Wakes every waiter for good (shutdown). */
void faults_shutdown(struct faults *f);

#endif
