/* counters.c — request counting for the admin endpoints. */
#include "counters.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

struct counter {
	char *verb, *resource, *user_agent;
	bool watch;
	uint64_t count;
};

struct counters {
	pthread_mutex_t lock;
	struct hashmap by_key; /* "verb\tresource\tagent\tw" -> struct counter * */
	uint64_t requests, watches;
};

struct counters *counters_new(void)
{
	struct counters *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	hashmap_init(&c->by_key);
	return c;
}

static void counter_free(void *value)
{
	struct counter *k = value;

	free(k->verb);
	free(k->resource);
	free(k->user_agent);
	free(k);
}

static void clear_locked(struct counters *c)
{
	hashmap_release_with(&c->by_key, counter_free);
	c->requests = c->watches = 0;
}

void counters_free(struct counters *c)
{
	if (!c)
		return;
	clear_locked(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void counters_count(struct counters *c, const char *verb, const char *resource,
		    const char *user_agent, bool is_watch)
{
	char *key;
	struct counter *k;

	pthread_mutex_lock(&c->lock);
	if (is_watch)
		c->watches++;
	else
		c->requests++;
	key = xasprintf("%s\t%s\t%s\t%d", verb, resource, user_agent, is_watch);
	k = hashmap_get(&c->by_key, key);
	if (!k && c->by_key.len >= COUNTERS_MAX_KEYS) {
		free(key);
		key = xasprintf("other\tother\tother\t%d", is_watch);
		k = hashmap_get(&c->by_key, key);
		verb = resource = user_agent = "other";
	}
	if (!k) {
		k = xcalloc(1, sizeof(*k));
		k->verb = xstrdup(verb);
		k->resource = xstrdup(resource);
		k->user_agent = xstrdup(user_agent);
		k->watch = is_watch;
		hashmap_put(&c->by_key, key, k);
	}
	k->count++;
	free(key);
	pthread_mutex_unlock(&c->lock);
}

static void add_to(cJSON *map, const char *key, uint64_t n)
{
	cJSON *existing = cJSON_GetObjectItemCaseSensitive(map, key);

	if (existing)
		cJSON_SetNumberValue(existing, existing->valuedouble + (double)n);
	else
		json_set_int64(map, key, (int64_t)n);
}

cJSON *counters_to_json(struct counters *c)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *by_verb = cJSON_CreateObject(), *by_resource = cJSON_CreateObject();
	cJSON *by_agent = cJSON_CreateObject(), *items = cJSON_CreateArray();
	size_t pos = 0;
	void *value;

	pthread_mutex_lock(&c->lock);
	json_set_int64(out, "requests", (int64_t)c->requests);
	json_set_int64(out, "watches", (int64_t)c->watches);
	while (hashmap_next(&c->by_key, &pos, NULL, &value)) {
		const struct counter *k = value;
		cJSON *item = cJSON_CreateObject();

		add_to(by_verb, k->verb, k->count);
		add_to(by_resource, k->resource, k->count);
		add_to(by_agent, k->user_agent, k->count);
		json_set_string(item, "verb", k->verb);
		json_set_string(item, "resource", k->resource);
		json_set_string(item, "userAgent", k->user_agent);
		json_set(item, "watch", cJSON_CreateBool(k->watch));
		json_set_int64(item, "count", (int64_t)k->count);
		cJSON_AddItemToArray(items, item);
	}
	pthread_mutex_unlock(&c->lock);
	json_set(out, "byVerb", by_verb);
	json_set(out, "byResource", by_resource);
	json_set(out, "byUserAgent", by_agent);
	json_set(out, "items", items);
	return out;
}

void counters_reset(struct counters *c)
{
	pthread_mutex_lock(&c->lock);
	clear_locked(c);
	pthread_mutex_unlock(&c->lock);
}
