/* faults.c — run-time fault injection state. */
#include "faults.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

struct fault_rule {
	unsigned status;
	double share;
	char verb[24];
	char resource[96];
	int retry_after_seconds;
	uint64_t matched;
	uint64_t injected;
};

struct faults {
	pthread_mutex_t lock;
	pthread_cond_t unpaused;
	struct fault_rule rules[FAULTS_MAX_RULES];
	size_t n_rules;
	bool paused;
	bool shutting_down;
};

struct faults *faults_new(void)
{
	struct faults *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->unpaused, NULL);
	return f;
}

void faults_free(struct faults *f)
{
	if (!f)
		return;
	pthread_cond_destroy(&f->unpaused);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static int parse_rule(const cJSON *item, size_t index, struct fault_rule *rule,
		      struct error *err)
{
	int64_t status = 0, retry = 1;
	const cJSON *share = json_get_child(item, "share");
	const char *verb = json_get_child_string(item, "verb");
	const char *resource = json_get_child_string(item, "resource");

	if (!cJSON_IsObject(item))
		return error_set(err, "errors[%zu]: must be an object", index);
	if (!json_get_int64(item, "status", &status) ||
	    (status != 409 && status != 429 && status != 500))
		return error_set(err, "errors[%zu].status: must be 409, 429 or 500", index);
	rule->status = (unsigned)status;
	rule->share = 1.0;
	if (share && (!cJSON_IsNumber(share) || !(share->valuedouble > 0) ||
		      share->valuedouble > 1))
		return error_set(err, "errors[%zu].share: must be a number in (0, 1]", index);
	if (share)
		rule->share = share->valuedouble;
	if (json_get_child(item, "retryAfterSeconds") &&
	    (!json_get_int64(item, "retryAfterSeconds", &retry) || retry < 0 || retry > 3600))
		return error_set(err, "errors[%zu].retryAfterSeconds: must be 0 to 3600", index);
	rule->retry_after_seconds = (int)retry;
	if (verb && str_copy(rule->verb, sizeof(rule->verb), verb) < 0)
		return error_set(err, "errors[%zu].verb: too long", index);
	if (resource && str_copy(rule->resource, sizeof(rule->resource), resource) < 0)
		return error_set(err, "errors[%zu].resource: too long", index);
	return 0;
}

int faults_set_rules(struct faults *f, const cJSON *spec, struct error *err)
{
	const cJSON *errors = json_get_child(spec, "errors");
	struct fault_rule rules[FAULTS_MAX_RULES] = { 0 };
	size_t n = 0;
	const cJSON *item;

	if (!cJSON_IsObject(spec) || (errors && !cJSON_IsArray(errors)))
		return error_set(err, "expected {\"errors\": [...]}");
	if (cJSON_GetArraySize(errors) > FAULTS_MAX_RULES)
		return error_set(err, "errors: at most %d rules", FAULTS_MAX_RULES);
	cJSON_ArrayForEach(item, errors)
	{
		if (parse_rule(item, n, &rules[n], err) < 0)
			return -1;
		n++;
	}
	pthread_mutex_lock(&f->lock);
	memcpy(f->rules, rules, sizeof(rules));
	f->n_rules = n;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

cJSON *faults_to_json(struct faults *f)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *errors = cJSON_CreateArray();

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n_rules; i++) {
		const struct fault_rule *r = &f->rules[i];
		cJSON *rule = cJSON_CreateObject();

		json_set_int64(rule, "status", r->status);
		json_set(rule, "share", cJSON_CreateNumber(r->share));
		if (r->verb[0])
			json_set_string(rule, "verb", r->verb);
		if (r->resource[0])
			json_set_string(rule, "resource", r->resource);
		json_set_int64(rule, "retryAfterSeconds", r->retry_after_seconds);
		json_set_int64(rule, "matched", (int64_t)r->matched);
		json_set_int64(rule, "injected", (int64_t)r->injected);
		cJSON_AddItemToArray(errors, rule);
	}
	json_set(out, "errors", errors);
	json_set(out, "paused", cJSON_CreateBool(f->paused));
	pthread_mutex_unlock(&f->lock);
	return out;
}

unsigned faults_check(struct faults *f, const char *verb, const char *resource,
		      int *ret_retry_after)
{
	unsigned status = 0;

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n_rules && !status; i++) {
		struct fault_rule *r = &f->rules[i];
		uint64_t n;

		if ((r->verb[0] && strcmp(r->verb, verb) != 0) ||
		    (r->resource[0] && strcmp(r->resource, resource) != 0))
			continue;
		n = ++r->matched;
		if (floor((double)n * r->share) > floor((double)(n - 1) * r->share)) {
			r->injected++;
			status = r->status;
			*ret_retry_after = r->retry_after_seconds;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return status;
}

void faults_set_paused(struct faults *f, bool paused)
{
	pthread_mutex_lock(&f->lock);
	f->paused = paused;
	if (!paused)
		pthread_cond_broadcast(&f->unpaused);
	pthread_mutex_unlock(&f->lock);
}

bool faults_is_paused(struct faults *f)
{
	bool paused;

	pthread_mutex_lock(&f->lock);
	paused = f->paused;
	pthread_mutex_unlock(&f->lock);
	return paused;
}

bool faults_wait_unpaused(struct faults *f)
{
	bool running;

	pthread_mutex_lock(&f->lock);
	while (f->paused && !f->shutting_down)
		pthread_cond_wait(&f->unpaused, &f->lock);
	running = !f->shutting_down;
	pthread_mutex_unlock(&f->lock);
	return running;
}

void faults_shutdown(struct faults *f)
{
	pthread_mutex_lock(&f->lock);
	f->shutting_down = true;
	pthread_cond_broadcast(&f->unpaused);
	pthread_mutex_unlock(&f->lock);
}
