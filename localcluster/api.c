/* api.c — routing of Kubernetes API URLs and the object verbs (get, list,
 * create, update, patch, delete, deletecollection, pods/binding). Watch,
 * logs and discovery have files of their own. */
#include "api.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "protobuf.h"
#include "schema.h"
#include "store.h"
#include "strutil.h"
#include "table.h"
#include "xalloc.h"

/* Lists are assembled from stored text; this bounds one response. */
#define LIST_MAX_BYTES ((size_t)2 * 1024 * 1024 * 1024)

bool api_query_true(const struct http_request *req, const char *name)
{
	/* Go's strconv.ParseBool, which the real server uses (the Python
	 * client sends "True"). */
	static const char *const truths[] = { "1", "t", "T", "TRUE", "true", "True" };
	const char *v = http_query(req, name);

	for (size_t i = 0; v && i < ARRAY_SIZE(truths); i++)
		if (!strcmp(v, truths[i]))
			return true;
	return false;
}

/* ---- routing ---- */

/* Splits path into at most max segments (in ret->buffer). */
static size_t split_path(const char *path, struct api_route *route, const char **segs,
			 size_t max)
{
	size_t n = 0, len = strlen(path);
	char *p;

	if (len >= sizeof(route->buffer))
		return 0;
	memcpy(route->buffer, path, len + 1);
	p = route->buffer;
	while (*p) {
		while (*p == '/')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return max + 1; /* too many segments */
		segs[n++] = p;
		while (*p && *p != '/')
			p++;
	}
	return n;
}

bool api_parse_route(const char *path, struct api_route *route)
{
	const char *segs[10];
	size_t n, i;
	const char *group, *version;
	const struct resource *r;

	memset(route, 0, offsetof(struct api_route, buffer));
	n = split_path(path, route, segs, 9);
	if (n < 3 || n > 9)
		return false;
	if (!strcmp(segs[0], "api")) {
		group = "";
		version = segs[1];
		i = 2;
	} else if (!strcmp(segs[0], "apis") && n >= 4) {
		group = segs[1];
		version = segs[2];
		i = 3;
	} else {
		return false;
	}
	/* namespaces/<ns>/<plural>[/<name>[/<sub>]] */
	if (n - i >= 3 && !strcmp(segs[i], "namespaces") &&
	    (r = resource_find(group, version, segs[i + 2])) && r->namespaced) {
		route->resource = r;
		route->ns = segs[i + 1];
		i += 3;
	} else if ((r = resource_find(group, version, segs[i]))) {
		route->resource = r;
		i += 1;
	} else {
		return false;
	}
	if (i < n)
		route->name = segs[i++];
	if (i < n)
		route->subresource = segs[i++];
	return i == n;
}

static const char *subresource_known(const struct api_route *route)
{
	const char *sub = route->subresource;
	const struct resource *r = route->resource;

	if (!sub)
		return "";
	if (!strcmp(sub, "status") && r->has_status)
		return "status";
	if (r->id == RESOURCE_POD && (!strcmp(sub, "log") || !strcmp(sub, "binding")))
		return sub;
	return NULL;
}

void api_classify(struct http_request *req)
{
	struct api_route route;
	const char *m = req->method;
	bool collection;

	if (!api_parse_route(req->path, &route) || !subresource_known(&route)) {
		size_t i;

		for (i = 0; m[i] && i + 1 < sizeof(req->verb); i++)
			req->verb[i] = (char)tolower((unsigned char)m[i]);
		req->verb[i] = '\0';
		str_copy(req->resource, sizeof(req->resource), req->path);
		return;
	}
	collection = !route.name;
	if (!strcmp(m, "GET"))
		str_copy(req->verb, sizeof(req->verb),
			 api_query_true(req, "watch") ? "watch" : collection ? "list" : "get");
	else if (!strcmp(m, "POST"))
		str_copy(req->verb, sizeof(req->verb), "create");
	else if (!strcmp(m, "PUT"))
		str_copy(req->verb, sizeof(req->verb), "update");
	else if (!strcmp(m, "PATCH"))
		str_copy(req->verb, sizeof(req->verb), "patch");
	else if (!strcmp(m, "DELETE"))
		str_copy(req->verb, sizeof(req->verb), collection ? "deletecollection" : "delete");
	else
		str_copy(req->verb, sizeof(req->verb), "unknown");
	req->is_watch = !strcmp(req->verb, "watch");
	if (route.subresource)
		snprintf(req->resource, sizeof(req->resource), "%s/%s", route.resource->plural,
			 route.subresource);
	else
		str_copy(req->resource, sizeof(req->resource), route.resource->plural);
}

/* ---- helpers ---- */

static enum MHD_Result not_found_path(struct http_request *req)
{
	struct api_error err = API_ERROR_INIT;

	api_error_set(&err, 404, "NotFound", "the server could not find the requested resource");
	return http_respond_error(req, &err);
}

static enum MHD_Result method_not_allowed(struct http_request *req)
{
	struct api_error err = API_ERROR_INIT;

	api_error_set(&err, 405, "MethodNotAllowed",
		      "the server does not allow this method on the requested resource");
	return http_respond_error(req, &err);
}

static enum MHD_Result bad_request(struct http_request *req, const char *message)
{
	struct api_error err = API_ERROR_INIT;

	api_error_set(&err, 400, "BadRequest", "%s", message);
	return http_respond_error(req, &err);
}

static void unref_object(void *obj)
{
	store_obj_unref(obj);
}

/* Answers with the stored text itself: no copy, the snapshot is released
 * once the response is sent. Takes the caller's reference. */
static enum MHD_Result respond_object(struct http_request *req, unsigned status,
				      struct store_obj *obj)
{
	return http_respond_shared(req, status, obj->json, obj->json_len, unref_object, obj);
}

/* Answers 200 with the JSON text in out, taking its bytes. */
static enum MHD_Result respond_json_buf(struct http_request *req, struct buf *out)
{
	size_t len;
	char *body = buf_detach(out, &len);

	return http_respond(req, 200, "application/json", body, len);
}

static int parse_dry_run(struct http_request *req, bool *ret, struct api_error *err)
{
	const char *v = http_query(req, "dryRun");

	*ret = false;
	if (!v || !*v)
		return 0;
	if (strcmp(v, "All") != 0)
		return api_error_set(err, 400, "BadRequest", "Invalid dryRun value: %s", v);
	*ret = true;
	return 0;
}

/* The body as JSON (with the real server's message for garbage). A
 * protobuf body (kubectl's typed commands) is decoded for the kinds
 * protobuf.h describes; other encodings get 415. r is NULL where any
 * kind may come (a binding). */
static cJSON *parse_body(struct http_request *req, const struct resource *r,
			 struct api_error *err)
{
	const char *type = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct error perr = ERROR_INIT;
	cJSON *body;

	if (type && r && str_has_prefix(type, PROTOBUF_CONTENT_TYPE) && protobuf_supported(r)) {
		body = protobuf_decode(r, req->body.data, req->body.len, &perr);
		if (!body)
			api_error_set(err, 400, "BadRequest", "%s", perr.msg);
		return body;
	}
	if (type && *type && !str_has_prefix(type, "application/json") &&
	    !str_has_prefix(type, "*/*")) {
		api_error_set(err, 415, "UnsupportedMediaType",
			      "the body of the request was in an unknown format - accepted media "
			      "types include: application/json, application/yaml%s",
			      r && protobuf_supported(r) ? ", " PROTOBUF_CONTENT_TYPE : "");
		return NULL;
	}
	body = json_parse_bounded(req->body.data, req->body.len, HTTP_MAX_BODY, &perr);
	if (!body) {
		api_error_set(err, 400, "BadRequest", "couldn't get version/kind; json parse error: %s",
			      perr.msg);
		return NULL;
	}
	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		api_error_set(err, 400, "BadRequest",
			      "couldn't get version/kind; json parse error: json: cannot unmarshal "
			      "array into Go value of type struct { APIVersion string "
			      "\"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
			      "\"json:\\\"kind,omitempty\\\"\" }");
		return NULL;
	}
	return body;
}

/* A body of another kind than the URL's is refused, as the real server
 * does; a missing apiVersion/kind takes the URL's. */
static int check_body_kind(const struct resource *r, const cJSON *body, struct api_error *err)
{
	const char *api_version = json_get_child_string(body, "apiVersion");
	const char *kind = json_get_child_string(body, "kind");

	if (api_version && *api_version && strcmp(api_version, r->api_version) != 0)
		return api_error_set(err, 400, "BadRequest",
				     "the API version in the data (%s) does not match the expected "
				     "API version (%s)",
				     api_version, r->api_version);
	if (kind && *kind && strcmp(kind, r->kind) != 0)
		return api_error_set(err, 400, "BadRequest",
				     "the kind in the data (%s) does not match the expected kind (%s)",
				     kind, r->kind);
	return 0;
}

/* fieldValidation: Strict fails on unknown or duplicate fields, Warn
 * (the default) answers with Warning headers, Ignore says nothing. */
static int validate_fields(struct http_request *req, const struct resource *r, cJSON *body,
			   bool is_patch, bool *ret_pruned, struct api_error *err)
{
	const char *mode = http_query(req, "fieldValidation");
	struct strv problems = STRV_INIT;
	struct api_error type_err = API_ERROR_INIT;
	enum schema_mode m;
	int ret = 0;

	if (!mode || !*mode || !strcmp(mode, "Warn"))
		m = SCHEMA_WARN;
	else if (!strcmp(mode, "Strict"))
		m = SCHEMA_STRICT;
	else if (!strcmp(mode, "Ignore"))
		m = SCHEMA_IGNORE;
	else
		return api_error_set(err, 400, "BadRequest",
				     "fieldValidation must be one of Ignore, Warn, or Strict, not "
				     "\"%s\"",
				     mode);
	if (schema_check(req->cluster->schema, r, body, is_patch, &problems, &type_err) < 0) {
		*err = type_err;
		strv_release(&problems);
		return -1;
	}
	if (ret_pruned)
		*ret_pruned = problems.len > 0;
	if (problems.len && m == SCHEMA_STRICT) {
		struct buf msg = BUF_INIT(ERROR_MSG_MAX - 64);

		for (size_t i = 0; i < problems.len; i++)
			buf_printf(&msg, "%s%s", i ? ", " : "", problems.items[i]);
		api_error_set(err, 400, "BadRequest", "%s in version \"%s\" cannot be handled as a "
						      "%s: strict decoding error: %s",
			      r->kind, r->version, r->kind, msg.data);
		buf_release(&msg);
		ret = -1;
	} else if (problems.len && m == SCHEMA_WARN) {
		for (size_t i = 0; i < problems.len; i++)
			strv_push(&req->warnings, problems.items[i]);
	}
	strv_release(&problems);
	return ret;
}

/* ---- get and list ---- */

/* Answers with a Table of items when the client asked for one (kubectl
 * get); false if it did not. */
static bool want_table(struct http_request *req, enum table_include *ret_include,
		       struct api_error *err)
{
	if (!table_requested(http_header(req, MHD_HTTP_HEADER_ACCEPT)))
		return false;
	if (table_parse_include(http_query(req, "includeObject"), ret_include) < 0) {
		api_error_set(err, 400, "BadRequest", "includeObject: must be None, Metadata or Object");
		*ret_include = TABLE_INCLUDE_METADATA;
	}
	return true;
}

static enum MHD_Result respond_table(struct http_request *req, const struct resource *r,
				     struct store_obj *const *items, size_t n,
				     const struct store_list *list, enum table_include include)
{
	struct buf out = BUF_INIT(LIST_MAX_BYTES);

	if (table_render(&out, r, items, n, list ? list->resource_version : 0,
			 list ? list->continue_token : NULL, list ? list->remaining : -1, include,
			 time(NULL)) < 0) {
		struct api_error err = API_ERROR_INIT;

		buf_release(&out);
		api_error_set(&err, 500, "InternalError", "Internal error occurred: table too large");
		return http_respond_error(req, &err);
	}
	return respond_json_buf(req, &out);
}

static enum MHD_Result handle_get(struct http_request *req, const struct api_route *route)
{
	struct api_error err = API_ERROR_INIT;
	struct store_obj *obj = NULL;
	enum table_include include;

	if (store_get(req->cluster->store, route->resource->id, route->ns, route->name, &obj,
		      &err) < 0)
		return http_respond_error(req, &err);
	if (want_table(req, &include, &err)) {
		enum MHD_Result ret = err.code ? http_respond_error(req, &err)
					       : respond_table(req, route->resource, &obj, 1, NULL,
							       include);

		store_obj_unref(obj);
		return ret;
	}
	return respond_object(req, 200, obj);
}

static int parse_limit(struct http_request *req, size_t *ret, struct api_error *err)
{
	const char *v = http_query(req, "limit");
	int64_t limit = 0;

	*ret = 0;
	if (!v || !*v)
		return 0;
	if (str_to_int64(v, &limit) < 0 || limit < 0)
		return api_error_set(err, 400, "BadRequest", "limit: must be a non-negative integer");
	*ret = (size_t)limit;
	return 0;
}

static enum MHD_Result handle_list(struct http_request *req, const struct api_route *route)
{
	const struct resource *r = route->resource;
	struct store_list_options opts = { 0 };
	struct store_list list = STORE_LIST_INIT;
	struct api_error err = API_ERROR_INIT;
	struct buf out = BUF_INIT(LIST_MAX_BYTES);
	size_t total = 256;

	enum table_include include;

	opts.label_selector = http_query(req, "labelSelector");
	opts.field_selector = http_query(req, "fieldSelector");
	opts.continue_token = http_query(req, "continue");
	if (parse_limit(req, &opts.limit, &err) < 0 ||
	    store_list(req->cluster->store, r->id, route->ns, &opts, &list, &err) < 0)
		return http_respond_error(req, &err);
	if (want_table(req, &include, &err)) {
		enum MHD_Result ret = err.code ? http_respond_error(req, &err)
					       : respond_table(req, r, list.items, list.len, &list,
							       include);

		store_list_release(&list);
		return ret;
	}
	for (size_t i = 0; i < list.len; i++)
		total += list.items[i]->json_len + 1;
	if (buf_grow(&out, total + 512) < 0) {
		store_list_release(&list);
		api_error_set(&err, 500, "InternalError", "Internal error occurred: list too large");
		return http_respond_error(req, &err);
	}
	buf_printf(&out,
		   "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%" PRIu64
		   "\"",
		   r->list_kind, r->api_version, list.resource_version);
	if (list.continue_token)
		buf_printf(&out, ",\"continue\":\"%s\"", list.continue_token);
	if (list.continue_token && list.remaining >= 0)
		buf_printf(&out, ",\"remainingItemCount\":%" PRId64, list.remaining);
	buf_puts(&out, "},\"items\":[");
	for (size_t i = 0; i < list.len; i++) {
		if (i)
			buf_putc(&out, ',');
		buf_append(&out, list.items[i]->json, list.items[i]->json_len);
	}
	buf_puts(&out, "]}");
	store_list_release(&list);
	return respond_json_buf(req, &out);
}

/* ---- create, update, patch ---- */

/* A create's or update's body: dryRun read into opts, then the object
 * parsed, its kind checked and its fields validated. NULL (err set) if
 * any of that fails. */
static cJSON *parse_write_body(struct http_request *req, const struct resource *r,
			       struct store_write_options *opts, struct api_error *err)
{
	cJSON *body;

	if (parse_dry_run(req, &opts->dry_run, err) < 0 || !(body = parse_body(req, r, err)))
		return NULL;
	if (check_body_kind(r, body, err) < 0 || validate_fields(req, r, body, false, NULL, err) < 0) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

static enum MHD_Result handle_create(struct http_request *req, const struct api_route *route)
{
	const struct resource *r = route->resource;
	struct api_error err = API_ERROR_INIT;
	struct store_write_options opts = { 0 };
	struct store_obj *obj = NULL;
	cJSON *body;

	if (!(body = parse_write_body(req, r, &opts, &err)))
		return http_respond_error(req, &err);
	if (store_create(req->cluster->store, r->id, route->ns, body, &opts, &obj, &err) < 0)
		return http_respond_error(req, &err);
	return respond_object(req, 201, obj);
}

static enum MHD_Result handle_update(struct http_request *req, const struct api_route *route)
{
	const struct resource *r = route->resource;
	struct api_error err = API_ERROR_INIT;
	struct store_write_options opts = { .status = route->subresource != NULL };
	struct store_obj *obj = NULL;
	cJSON *body;

	if (!(body = parse_write_body(req, r, &opts, &err)))
		return http_respond_error(req, &err);
	if (store_update(req->cluster->store, r->id, route->ns, route->name, body, &opts, &obj,
			 &err) < 0)
		return http_respond_error(req, &err);
	return respond_object(req, 200, obj);
}

static enum MHD_Result handle_patch(struct http_request *req, const struct api_route *route)
{
	const struct resource *r = route->resource;
	const char *type = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct api_error err = API_ERROR_INIT;
	struct store_write_options opts = { .status = route->subresource != NULL };
	struct store_obj *obj = NULL;
	enum store_patch_type patch_type;
	_cleanup_json_ cJSON *doc = NULL;

	if (type && str_has_prefix(type, "application/merge-patch+json")) {
		patch_type = STORE_PATCH_MERGE;
	} else if (type && str_has_prefix(type, "application/json-patch+json")) {
		patch_type = STORE_PATCH_JSON;
	} else if (type && str_has_prefix(type, "application/strategic-merge-patch+json")) {
		patch_type = STORE_PATCH_STRATEGIC;
	} else {
		api_error_set(&err, 415, "UnsupportedMediaType",
			      "the body of the request was in an unknown format - accepted media "
			      "types include: application/json-patch+json, "
			      "application/merge-patch+json, application/strategic-merge-patch+json");
		return http_respond_error(req, &err);
	}
	if (parse_dry_run(req, &opts.dry_run, &err) < 0)
		return http_respond_error(req, &err);
	if (patch_type != STORE_PATCH_JSON) {
		struct error perr = ERROR_INIT;
		bool pruned = false;

		doc = json_parse_bounded(req->body.data, req->body.len, HTTP_MAX_BODY, &perr);
		if (doc && validate_fields(req, r, doc, true, &pruned, &err) < 0)
			return http_respond_error(req, &err);
		if (doc && pruned) {
			/* Fields were dropped from the patch: apply what is left. */
			_cleanup_free_ char *rest = json_print_compact(doc);

			if (store_patch(req->cluster->store, r->id, route->ns, route->name,
					patch_type, rest, strlen(rest), &opts, &obj, &err) < 0)
				return http_respond_error(req, &err);
			return respond_object(req, 200, obj);
		}
	}
	if (store_patch(req->cluster->store, r->id, route->ns, route->name, patch_type,
			req->body.data, req->body.len, &opts, &obj, &err) < 0)
		return http_respond_error(req, &err);
	return respond_object(req, 200, obj);
}

/* ---- delete ---- */

static int parse_propagation(const char *text, enum store_propagation *ret,
			     struct api_error *err)
{
	if (!strcmp(text, "Background"))
		*ret = STORE_PROPAGATION_BACKGROUND;
	else if (!strcmp(text, "Foreground"))
		*ret = STORE_PROPAGATION_FOREGROUND;
	else if (!strcmp(text, "Orphan"))
		*ret = STORE_PROPAGATION_ORPHAN;
	else
		return api_error_set(err, 400, "BadRequest",
				     "propagationPolicy: Unsupported value: \"%s\": supported values: "
				     "\"Foreground\", \"Background\", \"Orphan\"",
				     text);
	return 0;
}

/* DeleteOptions from the body (if any) and the query, as the real server
 * merges them. Strings in opts point into *ret_body or the query. */
static int parse_delete_options(struct http_request *req, struct store_delete_options *opts,
				cJSON **ret_body, struct api_error *err)
{
	const char *v;
	int64_t grace;
	cJSON *body = NULL;

	*opts = (struct store_delete_options)STORE_DELETE_OPTIONS_INIT;
	*ret_body = NULL;
	if (req->body.len) {
		struct error perr = ERROR_INIT;
		const cJSON *dry;

		body = json_parse_bounded(req->body.data, req->body.len, HTTP_MAX_BODY, &perr);
		if (!body || !cJSON_IsObject(body)) {
			cJSON_Delete(body);
			return api_error_set(err, 400, "BadRequest", "invalid DeleteOptions: %s",
					     perr.msg[0] ? perr.msg : "not an object");
		}
		*ret_body = body;
		if ((v = json_get_child_string(body, "propagationPolicy")) &&
		    parse_propagation(v, &opts->propagation, err) < 0)
			return -1;
		if (json_get_int64(body, "gracePeriodSeconds", &grace))
			opts->grace_period_seconds = grace < 0 ? 0 : grace;
		if (cJSON_IsBool(json_get_child(body, "orphanDependents")))
			opts->propagation = json_get_bool(body, "orphanDependents", false)
						    ? STORE_PROPAGATION_ORPHAN
						    : STORE_PROPAGATION_BACKGROUND;
		opts->precondition_uid = json_get_string(body, "preconditions.uid");
		opts->precondition_rv = json_get_string(body, "preconditions.resourceVersion");
		dry = json_get_child(body, "dryRun");
		if (cJSON_IsArray(dry) && cJSON_GetArraySize(dry) > 0) {
			const cJSON *first = cJSON_GetArrayItem(dry, 0);

			if (!cJSON_IsString(first) || strcmp(first->valuestring, "All") != 0)
				return api_error_set(err, 400, "BadRequest", "Invalid dryRun value");
			opts->dry_run = true;
		}
	}
	if ((v = http_query(req, "propagationPolicy")) && parse_propagation(v, &opts->propagation,
									     err) < 0)
		return -1;
	if ((v = http_query(req, "gracePeriodSeconds"))) {
		if (str_to_int64(v, &grace) < 0)
			return api_error_set(err, 400, "BadRequest",
					     "gracePeriodSeconds: must be an integer");
		opts->grace_period_seconds = grace < 0 ? 0 : grace;
	}
	if ((v = http_query(req, "orphanDependents")))
		opts->propagation = !strcmp(v, "true") ? STORE_PROPAGATION_ORPHAN
						       : STORE_PROPAGATION_BACKGROUND;
	if (http_query(req, "dryRun")) {
		bool dry;

		if (parse_dry_run(req, &dry, err) < 0)
			return -1;
		opts->dry_run = dry;
	}
	return 0;
}

static void warn_job_orphaning(struct http_request *req, const struct resource *r,
			       const struct store_delete_options *opts)
{
	if (r->id == RESOURCE_JOB && opts->propagation == STORE_PROPAGATION_DEFAULT)
		strv_push(&req->warnings,
			  "child pods are preserved by default when jobs are deleted; set "
			  "propagationPolicy=Background to remove them or set "
			  "propagationPolicy=Orphan to suppress this warning");
}

static enum MHD_Result handle_delete(struct http_request *req, const struct api_route *route)
{
	const struct resource *r = route->resource;
	struct store_delete_options opts;
	struct api_error err = API_ERROR_INIT;
	_cleanup_json_ cJSON *body = NULL;
	struct store_obj *obj = NULL;
	bool deleted = false;

	if (parse_delete_options(req, &opts, &body, &err) < 0)
		return http_respond_error(req, &err);
	warn_job_orphaning(req, r, &opts);
	if (store_delete(req->cluster->store, r->id, route->ns, route->name, &opts, &obj, &deleted,
			 &err) < 0)
		return http_respond_error(req, &err);
	return respond_object(req, deleted || opts.dry_run ? 200 : 202, obj);
}

static enum MHD_Result handle_delete_collection(struct http_request *req,
						const struct api_route *route)
{
	const struct resource *r = route->resource;
	struct store_delete_options opts;
	struct store_list_options lopts = { 0 };
	struct store_list list = STORE_LIST_INIT;
	struct api_error err = API_ERROR_INIT;
	_cleanup_json_ cJSON *body = NULL;
	struct buf out = BUF_INIT(LIST_MAX_BYTES);
	size_t n = 0;

	if (parse_delete_options(req, &opts, &body, &err) < 0)
		return http_respond_error(req, &err);
	lopts.label_selector = http_query(req, "labelSelector");
	lopts.field_selector = http_query(req, "fieldSelector");
	if (store_list(req->cluster->store, r->id, route->ns, &lopts, &list, &err) < 0)
		return http_respond_error(req, &err);
	warn_job_orphaning(req, r, &opts);
	buf_printf(&out, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{},\"items\":[",
		   r->list_kind, r->api_version);
	for (size_t i = 0; i < list.len; i++) {
		struct store_obj *obj = NULL;
		struct store_delete_options one = opts;

		one.precondition_uid = list.items[i]->uid;
		if (store_delete(req->cluster->store, r->id, list.items[i]->namespace,
				 list.items[i]->name, &one, &obj, NULL, NULL) < 0)
			continue; /* gone meanwhile */
		if (n++)
			buf_putc(&out, ',');
		buf_append(&out, obj->json, obj->json_len);
		store_obj_unref(obj);
	}
	buf_puts(&out, "]}");
	store_list_release(&list);
	return respond_json_buf(req, &out);
}

/* ---- pods/binding ---- */

static enum MHD_Result handle_binding(struct http_request *req, const struct api_route *route)
{
	struct api_error err = API_ERROR_INIT;
	_cleanup_json_ cJSON *body = parse_body(req, NULL, &err);
	const char *node;
	cJSON *status;

	if (!body)
		return http_respond_error(req, &err);
	node = json_get_string(body, "target.name");
	if (!node || !*node) {
		api_error_set(&err, 422, "Invalid",
			      "Binding.core \"%s\" is invalid: target.name: Required value",
			      route->name);
		return http_respond_error(req, &err);
	}
	if (store_bind_pod(req->cluster->store, route->ns, route->name, node, NULL, &err) < 0)
		return http_respond_error(req, &err);
	status = cJSON_CreateObject();
	json_set_string(status, "kind", "Status");
	json_set_string(status, "apiVersion", "v1");
	json_set(status, "metadata", cJSON_CreateObject());
	json_set_string(status, "status", "Success");
	json_set_int64(status, "code", 201);
	{
		enum MHD_Result ret = http_respond_json(req, 201, status);

		cJSON_Delete(status);
		return ret;
	}
}

/* ---- dispatch ---- */

enum MHD_Result api_handle(struct http_request *req)
{
	const char *m = req->method;
	struct api_route route;
	bool handled = false;
	enum MHD_Result ret = api_discovery(req, &handled);
	const char *sub;

	if (handled)
		return ret;
	if (!api_parse_route(req->path, &route) || !(sub = subresource_known(&route)))
		return not_found_path(req);
	if (route.resource->namespaced && route.name && !route.ns)
		return not_found_path(req); /* /api/v1/pods/<name> */
	if (!strcmp(sub, "log"))
		return !strcmp(m, "GET") ? api_pod_log(req, &route) : method_not_allowed(req);
	if (!strcmp(sub, "binding"))
		return !strcmp(m, "POST") ? handle_binding(req, &route) : method_not_allowed(req);
	if (!route.name) {
		if (!strcmp(m, "GET"))
			return api_query_true(req, "watch") ? api_watch(req, &route)
							    : handle_list(req, &route);
		if (!strcmp(m, "POST")) {
			if (route.resource->namespaced && !route.ns)
				return method_not_allowed(req);
			return handle_create(req, &route);
		}
		if (!strcmp(m, "DELETE"))
			return handle_delete_collection(req, &route);
		return method_not_allowed(req);
	}
	if (!strcmp(m, "GET")) {
		if (api_query_true(req, "watch"))
			return bad_request(req, "watch of a single object: use a fieldSelector of "
						"metadata.name on the collection");
		return handle_get(req, &route);
	}
	if (!strcmp(m, "PUT"))
		return handle_update(req, &route);
	if (!strcmp(m, "PATCH"))
		return handle_patch(req, &route);
	if (!strcmp(m, "DELETE") && !route.subresource)
		return handle_delete(req, &route);
	return method_not_allowed(req);
}
