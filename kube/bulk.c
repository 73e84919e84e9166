/* bulk.c — kube_bulk_run(): each item becomes one engine request; the
 * engine runs them together with at most max_in_flight at a time. */
#include "kube_bulk.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "jsonutil.h"
#include "xalloc.h"

#define DEFAULT_MAX_IN_FLIGHT 16

static const char *verb_method(enum kube_bulk_verb verb)
{
	switch (verb) {
	case KUBE_BULK_CREATE: return "POST";
	case KUBE_BULK_REPLACE: return "PUT";
	case KUBE_BULK_PATCH: return "PATCH";
	case KUBE_BULK_DELETE: return "DELETE";
	case KUBE_BULK_GET:
	default: return "GET";
	}
}

static const char *patch_content_type(enum kube_patch_type type)
{
	return type == KUBE_PATCH_JSON	    ? "application/json-patch+json"
	       : type == KUBE_PATCH_STRATEGIC ? "application/strategic-merge-patch+json"
					      : "application/merge-patch+json";
}

static cJSON *delete_options(const struct kube_delete_opts *opts)
{
	cJSON *body = cJSON_CreateObject();

	json_set_string(body, "kind", "DeleteOptions");
	json_set_string(body, "apiVersion", "v1");
	if (opts && opts->propagation_policy)
		json_set_string(body, "propagationPolicy", opts->propagation_policy);
	if (opts && opts->set_grace_period)
		json_set_int64(body, "gracePeriodSeconds", opts->grace_period_seconds);
	if (opts && opts->precondition_uid)
		json_set_string(json_ensure_object(body, "preconditions"), "uid",
				opts->precondition_uid);
	return body;
}

/* Prepares item i's request; its body text is kept in *ret_text. */
static int prepare(struct http_request *r, struct kube_bulk_item *item,
		   const struct kube_bulk_opts *opts, char **ret_text, struct error *err)
{
	const struct kube_write_opts *write = opts ? opts->write : NULL;
	bool needs_name = item->verb != KUBE_BULK_CREATE;
	cJSON *delete_body = NULL;

	http_request_init(r, verb_method(item->verb));
	r->idempotent = item->verb == KUBE_BULK_GET || item->verb == KUBE_BULK_REPLACE ||
			item->verb == KUBE_BULK_DELETE;
	if (!item->resource || (needs_name && !item->name))
		return error_set_code(err, KUBE_ERR_INVALID, "a bulk item needs a resource%s",
				      needs_name ? " and a name" : "");
	if (kube_path_append(&r->path, item->resource, item->namespace,
			     needs_name ? item->name : NULL, NULL, err) < 0) {
		if (err)
			err->code = KUBE_ERR_INVALID;
		return -1;
	}
	if (item->verb != KUBE_BULK_GET && item->verb != KUBE_BULK_DELETE && write) {
		if (write->dry_run)
			kube_query_append(&r->path, "dryRun", "All");
		if (write->field_validation)
			kube_query_append(&r->path, "fieldValidation", write->field_validation);
		if (write->field_manager)
			kube_query_append(&r->path, "fieldManager", write->field_manager);
	}
	if (item->verb == KUBE_BULK_DELETE && opts && opts->del && opts->del->dry_run)
		kube_query_append(&r->path, "dryRun", "All");
	switch (item->verb) {
	case KUBE_BULK_CREATE:
	case KUBE_BULK_REPLACE:
	case KUBE_BULK_PATCH:
		if (!item->body)
			return error_set_code(err, KUBE_ERR_INVALID, "a bulk %s needs a body",
					      r->method);
		*ret_text = json_print_compact(item->body);
		r->content_type = item->verb == KUBE_BULK_PATCH
					  ? patch_content_type(item->patch_type)
					  : "application/json";
		break;
	case KUBE_BULK_DELETE:
		delete_body = delete_options(opts ? opts->del : NULL);
		*ret_text = json_print_compact(delete_body);
		cJSON_Delete(delete_body);
		r->content_type = "application/json";
		break;
	case KUBE_BULK_GET:
		break;
	}
	if (*ret_text) {
		r->body = *ret_text;
		r->body_len = strlen(*ret_text);
	}
	return 0;
}

int kube_bulk_run(struct kube_client *client, struct kube_bulk_item *items, size_t n,
		  const struct kube_bulk_opts *opts, struct error *err)
{
	struct http_request *reqs = xcalloc(n ? n : 1, sizeof(*reqs));
	struct http_request **ready = xcalloc(n ? n : 1, sizeof(*ready));
	char **bodies = xcalloc(n ? n : 1, sizeof(*bodies));
	size_t nready = 0, failed = 0;
	const struct error *first = NULL;
	size_t max_in_flight = opts && opts->max_in_flight ? opts->max_in_flight
							   : DEFAULT_MAX_IN_FLIGHT;

	for (size_t i = 0; i < n; i++) {
		items[i].result = 0;
		items[i].object = NULL;
		error_clear(&items[i].err);
		if (prepare(&reqs[i], &items[i], opts, &bodies[i], &items[i].err) < 0)
			items[i].result = -1; /* never sent */
		else
			ready[nready++] = &reqs[i];
	}
	http_perform(client, ready, nready, max_in_flight, opts ? opts->cancel : NULL);
	for (size_t i = 0; i < n; i++) {
		struct kube_bulk_item *item = &items[i];

		if (item->result == 0 && reqs[i].result < 0) {
			item->result = -1;
			item->err = reqs[i].err;
		} else if (item->result == 0 &&
			   http_response_json(&reqs[i], &item->object, &item->err) < 0) {
			item->result = -1;
		}
		if (item->result < 0) {
			failed++;
			if (!first)
				first = &item->err;
		}
		http_request_release(&reqs[i]);
		free(bodies[i]);
	}
	free(reqs);
	free(ready);
	free(bodies);
	if (failed)
		return error_set_code(err, first->code, "%zu of %zu requests failed; the first: %s",
				      failed, n, first->msg);
	return 0;
}

void kube_bulk_items_release(struct kube_bulk_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(items[i].object);
		items[i].object = NULL;
	}
}
