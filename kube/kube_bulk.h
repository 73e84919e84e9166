/* kube_bulk.h — many API calls at once: create N objects, get N things,
 * delete N objects... on one curl multi handle (HTTP/2 multiplexed where
 * the server offers it), with a bounded number in flight, each request
 * retried by the usual rules, and a result per item. */
#ifndef KONDUKTOR_KUBE_BULK_H
#define KONDUKTOR_KUBE_BULK_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "kube_client.h"

enum kube_bulk_verb {
	KUBE_BULK_GET,
	KUBE_BULK_CREATE,
	KUBE_BULK_REPLACE,
	KUBE_BULK_PATCH,
	KUBE_BULK_DELETE,
};

struct kube_bulk_item {
	/* What to do (set by the caller). */
	enum kube_bulk_verb verb;
	const struct kube_resource *resource;
	const char *namespace;
	const char *name;             /* all verbs but CREATE */
	const cJSON *body;            /* CREATE and REPLACE: the object; PATCH: the patch */
	enum kube_patch_type patch_type;
	/* What happened (set by kube_bulk_run). */
	int result;                   /* 0 or -1 */
	cJSON *object;                /* the server's answer when result is 0 (may be NULL) */
	struct error err;             /* why, when result is -1 */
};

struct kube_bulk_opts {
	size_t max_in_flight;                /* default 16 */
	const struct kube_write_opts *write; /* for CREATE, REPLACE, PATCH; may be NULL */
	const struct kube_delete_opts *del;  /* for DELETE; may be NULL */
	struct kube_cancel *cancel;          /* may be NULL */
};

/* Runs every item (opts may be NULL). Returns 0 if all succeeded; else -1
 * with err saying how many failed and the first failure's message (each
 * item has its own result and error). */
int kube_bulk_run(struct kube_client *client, struct kube_bulk_item *items, size_t n,
		  const struct kube_bulk_opts *opts, struct error *err);
/* Frees the objects kube_bulk_run stored in the items. */
void kube_bulk_items_release(struct kube_bulk_item *items, size_t n);

#endif
