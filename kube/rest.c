/* rest.c — the REST verbs of kube_client.h on top of the engine: building
 * paths and queries, encoding bodies, decoding answers, walking list
 * pages, and the pod log subresource. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "engine.h"
#include "jsonutil.h"
#include "kube_client.h"
#include "rest_internal.h"
#include "strutil.h"
#include "xalloc.h"

#define DEFAULT_PAGE_SIZE 500
#define MAX_LIST_RESTARTS 2

static bool is_idempotent(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "PUT") || !strcmp(method, "DELETE") ||
	       !strcmp(method, "HEAD");
}

/* Runs one JSON request whose path the caller appended to r->path. */
static int run_json(struct kube_client *client, struct http_request *r, const cJSON *body,
		    const char *content_type, struct kube_cancel *cancel, cJSON **ret,
		    struct error *err)
{
	_cleanup_free_ char *text = body ? json_print_compact(body) : NULL;
	cJSON *doc = NULL;
	int rc;

	r->idempotent = is_idempotent(r->method);
	if (text) {
		r->body = text;
		r->body_len = strlen(text);
		r->content_type = content_type ? content_type : "application/json";
	}
	rc = http_perform_one(client, r, cancel, err);
	if (rc == 0 && ret) {
		rc = http_response_json(r, &doc, err);
		if (rc == 0)
			*ret = doc;
	}
	return rc;
}

static int path_error(struct error *err)
{
	if (err)
		err->code = KUBE_ERR_INVALID;
	return -1;
}

static int object_call(struct kube_client *client, const char *method,
		       const struct kube_resource *res, const char *ns, const char *name,
		       const char *subresource, const cJSON *body, const char *content_type,
		       const struct kube_write_opts *opts, cJSON **ret, struct error *err)
{
	struct http_request r;
	int rc;

	http_request_init(&r, method);
	if (kube_path_append(&r.path, res, ns, name, subresource, err) < 0) {
		http_request_release(&r);
		return path_error(err);
	}
	if (opts) {
		if (opts->dry_run)
			kube_query_append(&r.path, "dryRun", "All");
		if (opts->field_validation)
			kube_query_append(&r.path, "fieldValidation", opts->field_validation);
		if (opts->field_manager)
			kube_query_append(&r.path, "fieldManager", opts->field_manager);
	}
	rc = run_json(client, &r, body, content_type, NULL, ret, err);
	http_request_release(&r);
	return rc;
}

int kube_get(struct kube_client *client, const struct kube_resource *res, const char *ns,
	     const char *name, cJSON **ret_object, struct error *err)
{
	return object_call(client, "GET", res, ns, name, NULL, NULL, NULL, NULL, ret_object, err);
}

int kube_get_status(struct kube_client *client, const struct kube_resource *res, const char *ns,
		    const char *name, cJSON **ret_object, struct error *err)
{
	return object_call(client, "GET", res, ns, name, "status", NULL, NULL, NULL, ret_object,
			   err);
}

static void append_list_query(struct buf *path, const struct kube_list_opts *opts,
			      const char *continue_token)
{
	if (!opts)
		return;
	if (!str_is_empty(opts->label_selector))
		kube_query_append(path, "labelSelector", opts->label_selector);
	if (!str_is_empty(opts->field_selector))
		kube_query_append(path, "fieldSelector", opts->field_selector);
	if (opts->limit > 0)
		kube_query_append_int(path, "limit", opts->limit);
	if (!str_is_empty(continue_token))
		kube_query_append(path, "continue", continue_token);
	else if (!str_is_empty(opts->resource_version))
		kube_query_append(path, "resourceVersion", opts->resource_version);
}

static int list_page(struct kube_client *client, const struct kube_resource *res,
		     const char *ns, const struct kube_list_opts *opts, const char *continue_token,
		     struct kube_cancel *cancel, cJSON **ret, struct error *err)
{
	struct http_request r;
	cJSON *list = NULL;
	int rc;

	http_request_init(&r, "GET");
	if (kube_path_append(&r.path, res, ns, NULL, NULL, err) < 0) {
		http_request_release(&r);
		return path_error(err);
	}
	append_list_query(&r.path, opts, continue_token);
	rc = run_json(client, &r, NULL, NULL, cancel, &list, err);
	http_request_release(&r);
	if (rc < 0)
		return -1;
	if (!cJSON_IsObject(list) || !cJSON_IsArray(json_get(list, "items"))) {
		cJSON_Delete(list);
		return error_set_code(err, KUBE_ERR_RESPONSE, "listing %s: the answer has no items",
				      res->plural);
	}
	*ret = list;
	return 0;
}

int kube_list(struct kube_client *client, const struct kube_resource *res, const char *ns,
	      const struct kube_list_opts *opts, cJSON **ret_list, struct error *err)
{
	return list_page(client, res, ns, opts, opts ? opts->continue_token : NULL, NULL, ret_list,
			 err);
}

/* Receives each page; may take its items (the page is freed afterwards). */
typedef int (*page_consumer_fn)(cJSON *page, void *ctx);

/* Walks the pages; `on_restart` (may be NULL) is told when an expired
 * continue token makes the walk start again from the first page. */
static int walk_pages(struct kube_client *client, const struct kube_resource *res,
		      const char *ns, const struct kube_list_opts *opts, page_consumer_fn on_page,
		      void (*on_restart)(void *ctx), void *ctx, struct kube_cancel *cancel,
		      struct error *err)
{
	_cleanup_free_ char *token = opts && opts->continue_token ? xstrdup(opts->continue_token)
								  : NULL;
	int restarts = 0;

	for (;;) {
		cJSON *page = NULL;
		const char *next;
		int stop;

		if (list_page(client, res, ns, opts, token, cancel, &page, err) < 0) {
			if (err && err->code == 410 && token && restarts < MAX_LIST_RESTARTS) {
				restarts++;
				free(token);
				token = NULL;
				if (on_restart)
					on_restart(ctx);
				continue;
			}
			return -1;
		}
		next = json_get_string(page, "metadata.continue");
		free(token);
		token = !str_is_empty(next) ? xstrdup(next) : NULL;
		stop = on_page(page, ctx);
		if (stop) {
			free(token);
			token = NULL;
		}
		cJSON_Delete(page);
		if (!token)
			return 0;
	}
}

struct public_pages {
	kube_page_fn on_page;
	void *ctx;
};

static int lend_page(cJSON *page, void *ctx)
{
	struct public_pages *pages = ctx;

	return pages->on_page(page, pages->ctx);
}

int kube_list_pages(struct kube_client *client, const struct kube_resource *res, const char *ns,
		    const struct kube_list_opts *opts, kube_page_fn on_page, void *ctx,
		    struct error *err)
{
	struct public_pages pages = { on_page, ctx };

	return walk_pages(client, res, ns, opts, lend_page, NULL, &pages, NULL, err);
}

/* Moves the page's items into the merged list (no copies: a relist of
 * thousands of objects should not double its memory). */
static int merge_page(cJSON *page, void *ctx)
{
	cJSON **merged = ctx;
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items");
	cJSON *metadata = cJSON_DetachItemFromObjectCaseSensitive(page, "metadata");
	cJSON *into;

	if (!*merged) {
		if (metadata)
			cJSON_AddItemToObject(page, "metadata", metadata);
		*merged = cJSON_Duplicate(page, false); /* the top level only */
		if (!*merged)
			die("out of memory copying JSON");
		for (cJSON *child = page->child; child;) {
			cJSON *next = child->next;

			cJSON_AddItemToObject(*merged, child->string,
					      cJSON_DetachItemViaPointer(page, child));
			child = next;
		}
		return 0;
	}
	/* resourceVersion (and continue) from the latest page. */
	if (metadata)
		json_set(*merged, "metadata", metadata);
	into = cJSON_GetObjectItemCaseSensitive(*merged, "items");
	while (cJSON_IsArray(items) && items->child)
		cJSON_AddItemToArray(into, cJSON_DetachItemViaPointer(items, items->child));
	return 0;
}

static void merge_restart(void *ctx)
{
	cJSON **merged = ctx;

	cJSON_Delete(*merged);
	*merged = NULL;
}

int rest_list_all(struct kube_client *client, const struct kube_resource *res, const char *ns,
		  const struct kube_list_opts *opts, struct kube_cancel *cancel, cJSON **ret_list,
		  struct error *err)
{
	struct kube_list_opts paged = opts ? *opts : (struct kube_list_opts){ 0 };
	cJSON *merged = NULL;

	if (paged.limit <= 0)
		paged.limit = DEFAULT_PAGE_SIZE;
	if (walk_pages(client, res, ns, &paged, merge_page, merge_restart, &merged, cancel, err) <
	    0) {
		cJSON_Delete(merged);
		return -1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(json_ensure_object(merged, "metadata"), "continue");
	*ret_list = merged;
	return 0;
}

int rest_list_walk(struct kube_client *client, const struct kube_resource *res, const char *ns,
		   const struct kube_list_opts *opts, int (*on_page)(cJSON *page, void *ctx),
		   void (*on_restart)(void *ctx), void *ctx, struct kube_cancel *cancel,
		   struct error *err)
{
	struct kube_list_opts paged = opts ? *opts : (struct kube_list_opts){ 0 };

	if (paged.limit <= 0)
		paged.limit = DEFAULT_PAGE_SIZE;
	return walk_pages(client, res, ns, &paged, on_page, on_restart, ctx, cancel, err);
}

int kube_list_all(struct kube_client *client, const struct kube_resource *res, const char *ns,
		  const struct kube_list_opts *opts, cJSON **ret_list, struct error *err)
{
	return rest_list_all(client, res, ns, opts, NULL, ret_list, err);
}

static int check_object(const cJSON *object, const char *what, struct error *err)
{
	if (!cJSON_IsObject(object))
		return error_set_code(err, KUBE_ERR_INVALID, "%s: the object must be a JSON object",
				      what);
	return 0;
}

int kube_create(struct kube_client *client, const struct kube_resource *res, const char *ns,
		const cJSON *object, const struct kube_write_opts *opts, cJSON **ret_object,
		struct error *err)
{
	const char *object_ns = json_get_string(object, "metadata.namespace");

	if (check_object(object, "create", err) < 0)
		return -1;
	if (res->namespaced && ns && object_ns && strcmp(ns, object_ns) != 0)
		return error_set_code(err, KUBE_ERR_INVALID,
				      "the namespace of the object (%s) does not match the "
				      "namespace of the request (%s)",
				      object_ns, ns);
	return object_call(client, "POST", res, ns, NULL, NULL, object, NULL, opts, ret_object,
			   err);
}

int kube_replace(struct kube_client *client, const struct kube_resource *res, const char *ns,
		 const char *name, const cJSON *object, const struct kube_write_opts *opts,
		 cJSON **ret_object, struct error *err)
{
	if (check_object(object, "replace", err) < 0)
		return -1;
	return object_call(client, "PUT", res, ns, name, NULL, object, NULL, opts, ret_object,
			   err);
}

static const char *patch_content_type(enum kube_patch_type type)
{
	switch (type) {
	case KUBE_PATCH_JSON:
		return "application/json-patch+json";
	case KUBE_PATCH_STRATEGIC:
		return "application/strategic-merge-patch+json";
	case KUBE_PATCH_MERGE:
	default:
		return "application/merge-patch+json";
	}
}

static int patch_call(struct kube_client *client, const struct kube_resource *res,
		      const char *ns, const char *name, const char *subresource,
		      enum kube_patch_type type, const cJSON *patch,
		      const struct kube_write_opts *opts, cJSON **ret_object, struct error *err)
{
	if (type == KUBE_PATCH_JSON ? !cJSON_IsArray(patch) : !cJSON_IsObject(patch))
		return error_set_code(err, KUBE_ERR_INVALID,
				      type == KUBE_PATCH_JSON
					      ? "a JSON patch must be an array of operations"
					      : "a merge patch must be a JSON object");
	return object_call(client, "PATCH", res, ns, name, subresource, patch,
			   patch_content_type(type), opts, ret_object, err);
}

int kube_patch(struct kube_client *client, const struct kube_resource *res, const char *ns,
	       const char *name, enum kube_patch_type type, const cJSON *patch,
	       const struct kube_write_opts *opts, cJSON **ret_object, struct error *err)
{
	return patch_call(client, res, ns, name, NULL, type, patch, opts, ret_object, err);
}

int kube_patch_status(struct kube_client *client, const struct kube_resource *res,
		      const char *ns, const char *name, enum kube_patch_type type,
		      const cJSON *patch, const struct kube_write_opts *opts, cJSON **ret_object,
		      struct error *err)
{
	return patch_call(client, res, ns, name, "status", type, patch, opts, ret_object, err);
}

int kube_delete(struct kube_client *client, const struct kube_resource *res, const char *ns,
		const char *name, const struct kube_delete_opts *opts, cJSON **ret_object,
		struct error *err)
{
	_cleanup_json_ cJSON *body = cJSON_CreateObject();
	struct kube_write_opts write = { 0 };

	json_set_string(body, "kind", "DeleteOptions");
	json_set_string(body, "apiVersion", "v1");
	if (opts) {
		if (opts->propagation_policy)
			json_set_string(body, "propagationPolicy", opts->propagation_policy);
		if (opts->set_grace_period)
			json_set_int64(body, "gracePeriodSeconds", opts->grace_period_seconds);
		if (opts->precondition_uid)
			json_set_string(json_ensure_object(body, "preconditions"), "uid",
					opts->precondition_uid);
		write.dry_run = opts->dry_run;
	}
	return object_call(client, "DELETE", res, ns, name, NULL, body, NULL, &write, ret_object,
			   err);
}

/* --- pod logs ----------------------------------------------------------- */

static int log_request_init(struct http_request *r, const char *ns, const char *pod,
			    const struct kube_log_opts *opts, int64_t limit_bytes,
			    struct error *err)
{
	http_request_init(r, "GET");
	r->idempotent = true;
	if (kube_path_append(&r->path, &kube_pods, ns, pod, "log", err) < 0)
		return path_error(err);
	if (!opts)
		return 0;
	if (opts->container)
		kube_query_append(&r->path, "container", opts->container);
	if (opts->follow)
		kube_query_append(&r->path, "follow", "true");
	if (opts->previous)
		kube_query_append(&r->path, "previous", "true");
	if (opts->timestamps)
		kube_query_append(&r->path, "timestamps", "true");
	if (opts->set_tail_lines)
		kube_query_append_int(&r->path, "tailLines", opts->tail_lines);
	if (opts->since_seconds > 0)
		kube_query_append_int(&r->path, "sinceSeconds", opts->since_seconds);
	if (limit_bytes > 0)
		kube_query_append_int(&r->path, "limitBytes", limit_bytes);
	return 0;
}

struct log_sink {
	struct buf *out;
};

static int append_log(const char *data, size_t len, void *ctx)
{
	struct log_sink *sink = ctx;
	size_t room = sink->out->max - sink->out->len;

	/* The server honours limitBytes; this guards one that does not. */
	buf_append(sink->out, data, len < room ? len : room);
	return len < room ? 0 : 1;
}

int kube_pod_logs(struct kube_client *client, const char *ns, const char *pod,
		  const struct kube_log_opts *opts, struct buf *out, struct error *err)
{
	struct kube_log_opts one_shot = opts ? *opts : (struct kube_log_opts){ 0 };
	struct http_request r;
	struct log_sink sink = { out };
	int64_t room = (int64_t)(out->max - out->len);
	int rc;

	one_shot.follow = false;
	if (room <= 0)
		return 0;
	if (log_request_init(&r, ns, pod, &one_shot,
			     one_shot.limit_bytes > 0 && one_shot.limit_bytes < room
				     ? one_shot.limit_bytes
				     : room,
			     err) < 0) {
		http_request_release(&r);
		return -1;
	}
	r.stream = true;
	r.on_data = append_log;
	r.on_data_ctx = &sink;
	rc = http_perform_one(client, &r, NULL, err);
	http_request_release(&r);
	return rc;
}

int kube_pod_logs_stream(struct kube_client *client, const char *ns, const char *pod,
			 const struct kube_log_opts *opts, kube_data_fn on_data, void *ctx,
			 struct kube_cancel *cancel, struct error *err)
{
	struct http_request r;
	int rc;

	if (log_request_init(&r, ns, pod, opts, opts ? opts->limit_bytes : 0, err) < 0) {
		http_request_release(&r);
		return -1;
	}
	r.stream = true;
	r.on_data = on_data;
	r.on_data_ctx = ctx;
	rc = http_perform_one(client, &r, cancel, err);
	http_request_release(&r);
	return rc;
}

/* --- anything else ------------------------------------------------------ */

int kube_request_json(struct kube_client *client, const char *method, const char *path,
		      const cJSON *body, const char *content_type, cJSON **ret_object,
		      struct error *err)
{
	struct http_request r;
	int rc;

	if (path[0] != '/')
		return error_set_code(err, KUBE_ERR_INVALID, "request path '%s' must start with '/'",
				      path);
	http_request_init(&r, method);
	if (buf_puts(&r.path, path) < 0) {
		http_request_release(&r);
		return error_set_code(err, KUBE_ERR_INVALID, "request path longer than %zu bytes",
				      r.path.max);
	}
	if (ret_object)
		*ret_object = NULL;
	rc = run_json(client, &r, body, content_type, NULL, ret_object, err);
	http_request_release(&r);
	return rc;
}

int kube_resource_served(struct kube_client *client, const struct kube_resource *res,
			 bool *ret_served, struct error *err)
{
	_cleanup_free_ char *path = str_is_empty(res->group)
					    ? xasprintf("/api/%s", res->version)
					    : xasprintf("/apis/%s/%s", res->group, res->version);
	_cleanup_json_ cJSON *list = NULL;
	const cJSON *resources;
	struct error why = ERROR_INIT;

	if (kube_request_json(client, "GET", path, NULL, NULL, &list, &why) < 0) {
		if (why.code == 404) {
			*ret_served = false;
			return 0;
		}
		if (err)
			*err = why;
		return -1;
	}
	resources = json_get(list, "resources");
	*ret_served = false;
	for (const cJSON *r = cJSON_IsArray(resources) ? resources->child : NULL; r; r = r->next)
		if (str_eq(json_get_string(r, "name"), res->plural))
			*ret_served = true;
	return 0;
}
