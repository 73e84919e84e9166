/* api.h — the Kubernetes REST API served over the store: the URL scheme
 * (/api/v1/namespaces/<ns>/<resource>/<name>/<subresource>, /apis/<group>/
 * <version>/...), discovery, health, and the verbs get, list, watch,
 * create, update, patch, delete and deletecollection with their query
 * parameters, answering like the real server. */
#ifndef KONDUKTOR_LC_API_H
#define KONDUKTOR_LC_API_H

#include "http.h"
#include "resource.h"

/* Fills req->verb, req->resource and req->is_watch (for counting and
 * fault rules) from the method and path. */
void api_classify(struct http_request *req);
/* Answers an authenticated request. */
enum MHD_Result api_handle(struct http_request *req);

/* A parsed resource URL. */
struct api_route {
	const struct resource *resource; /* NULL: not a resource URL */
	const char *ns;                  /* NULL: no namespace in the URL */
	const char *name;                /* NULL: the collection */
	const char *subresource;         /* NULL, "status", "log", "binding" */
	char buffer[1024];               /* the path's pieces, NUL-separated */
};

/* Parses a resource path; false if it is not one. */
bool api_parse_route(const char *path, struct api_route *ret);

/* The parts in other files. */
enum MHD_Result api_discovery(struct http_request *req, bool *ret_handled);
enum MHD_Result api_watch(struct http_request *req, const struct api_route *route);
enum MHD_Result api_pod_log(struct http_request *req, const struct api_route *route);

/* A query flag that is "true" or "1". */
bool api_query_true(const struct http_request *req, const char *name);

#endif
