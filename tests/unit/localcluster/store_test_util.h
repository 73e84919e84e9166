/* store_test_util.h — helpers shared by the store's unit tests: objects
 * from JSON text, and waiting (with a generous deadline) for the garbage
 * collector's asynchronous work. */
#ifndef KONDUKTOR_STORE_TEST_UTIL_H
#define KONDUKTOR_STORE_TEST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "store.h"
#include "strutil.h"
#include "xalloc.h"
#include "timeutil.h"

static inline cJSON *J(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	if (!v) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		abort();
	}
	return v;
}

static inline struct store *open_memory_store(void)
{
	struct store_config config = { .state_dir = NULL, .watch_history = 100 };
	struct error err = ERROR_INIT;
	struct store *s = store_open(&config, &err);

	if (!s) {
		fprintf(stderr, "store_open: %s\n", err.msg);
		abort();
	}
	return s;
}

#define JOB_JSON(name)                                                                       \
	"{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"" name "\"},"  \
	"\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{"     \
	"\"name\":\"main\",\"image\":\"busybox:1.36\",\"command\":[\"true\"]}]}}}}"

#define POD_JSON(name)                                                                       \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name "\"},"        \
	"\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]}}"

#define CONFIGMAP_JSON(name, labels)                                                        \
	"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" name "\","   \
	"\"labels\":" labels "},\"data\":{\"k\":\"v\"}}"

/* store_patch() with a NUL-terminated patch. */
static inline int patch_text(struct store *s, enum resource_kind kind, const char *ns,
			     const char *name, enum store_patch_type type, const char *text,
			     const struct store_write_options *opts, struct store_obj **ret,
			     struct api_error *err)
{
	return store_patch(s, kind, ns, name, type, text, strlen(text), opts, ret, err);
}

/* Waits until get() answers 404 (true) or 10 s pass (false). */
static inline bool wait_gone(struct store *s, enum resource_kind kind, const char *ns,
			     const char *name)
{
	int64_t deadline = time_mono_ms() + 10000;

	while (time_mono_ms() < deadline) {
		struct api_error err = API_ERROR_INIT;

		if (store_get(s, kind, ns, name, NULL, &err) < 0 && err.code == 404)
			return true;
		time_sleep_ms(2);
	}
	return false;
}

/* Waits until the object satisfies pred (true) or 10 s pass (false). */
static inline bool wait_for(struct store *s, enum resource_kind kind, const char *ns,
			    const char *name, bool (*pred)(const struct store_obj *))
{
	int64_t deadline = time_mono_ms() + 10000;

	while (time_mono_ms() < deadline) {
		struct store_obj *obj = NULL;
		bool ok = false;

		if (store_get(s, kind, ns, name, &obj, NULL) == 0) {
			ok = pred(obj);
			store_obj_unref(obj);
		}
		if (ok)
			return true;
		time_sleep_ms(2);
	}
	return false;
}

#endif
