/* sync_test_util.h — helpers shared by the Job and JobSet reconcilers'
 * unit tests (test_jobsync.c, test_jobsetsync.c): the time they sync at,
 * objects from JSON text, and the Events a sync asked for. Include after
 * <cmocka.h>. */
#ifndef KONDUKTOR_SYNC_TEST_UTIL_H
#define KONDUKTOR_SYNC_TEST_UTIL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "k8sobj.h"

static inline int64_t now_ms(void)
{
	return (int64_t)time(NULL) * 1000;
}

static inline cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	if (!j)
		fail_msg("bad test JSON: %s", text);
	return j;
}

static inline void free_objects(cJSON **objects, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(objects[i]);
}

/* An event with this reason (and this message, unless NULL) was asked for. */
static inline bool events_include(const struct k8s_event *events, size_t n_events,
				  const char *reason, const char *message)
{
	for (size_t i = 0; i < n_events; i++)
		if (!strcmp(events[i].reason, reason) &&
		    (!message || !strcmp(events[i].message, message)))
			return true;
	return false;
}

/* For either sync result: both hold `events` and `n_events`. */
#define has_event(result, reason, message) \
	events_include((result)->events, (result)->n_events, (reason), (message))

#endif
