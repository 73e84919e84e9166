/* counters.h — request counters per verb, resource and user agent, with
 * watch streams counted apart from other requests, so that a test can
 * prove that a client made no API request beyond its watches. Read and
 * reset through the admin endpoints (which are not counted). */
#ifndef KONDUKTOR_LC_COUNTERS_H
#define KONDUKTOR_LC_COUNTERS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Distinct (verb, resource, user agent) keys kept; more are lumped
 * together under "other". */
#define COUNTERS_MAX_KEYS 512

struct counters;

struct counters *counters_new(void);
void counters_free(struct counters *c);
/* Counts one request (a watch when is_watch). */
void counters_count(struct counters *c, const char *verb, const char *resource,
		    const char *user_agent, bool is_watch);
/* {"requests": N, "watches": M, "byVerb": {...}, "byResource": {...},
 *  "byUserAgent": {...}, "items": [{"verb", "resource", "userAgent",
 *  "count", "watch"}]}; requests excludes watches. */
cJSON *counters_to_json(struct counters *c);
void counters_reset(struct counters *c);

#endif
