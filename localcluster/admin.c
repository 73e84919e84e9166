/* admin.c — the /debug/konduktor/ endpoints. */
#include "admin.h"

#include <string.h>

#include "cleanup.h"
#include "counters.h"
#include "faults.h"
#include "jsonutil.h"
#include "log.h"
#include "schema.h"
#include "store.h"

static enum MHD_Result respond_and_free(struct http_request *req, unsigned status, cJSON *doc)
{
	enum MHD_Result ret = http_respond_json(req, status, doc);

	cJSON_Delete(doc);
	return ret;
}

static enum MHD_Result admin_error(struct http_request *req, int code, const char *message)
{
	struct api_error err = API_ERROR_INIT;

	api_error_set(&err, code, code == 404 ? "NotFound" : code == 405 ? "MethodNotAllowed"
										 : "BadRequest",
		      "%s", message);
	return http_respond_error(req, &err);
}

static enum MHD_Result stats(struct http_request *req)
{
	struct store_stats st;
	cJSON *out = cJSON_CreateObject(), *objects = cJSON_CreateObject();

	store_get_stats(req->cluster->store, &st);
	for (int k = 0; k < RESOURCE_COUNT; k++)
		json_set_int64(objects, resources[k].plural, (int64_t)st.objects[k]);
	json_set(out, "objects", objects);
	/* API clients' watches; the runtime's own subscriptions apart. */
	json_set_int64(out, "watches", (int64_t)st.client_watches);
	json_set_int64(out, "inProcessWatches", (int64_t)(st.watches - st.client_watches));
	json_set_int64(out, "historyLength", (int64_t)st.history_len);
	json_set_int64(out, "oldestResourceVersion", (int64_t)st.oldest_rv);
	json_set_int64(out, "resourceVersion", (int64_t)store_current_rv(req->cluster->store));
	json_set(out, "schemaLoaded",
		 cJSON_CreateBool(req->cluster->schema && schema_ready(req->cluster->schema)));
	return respond_and_free(req, 200, out);
}

static enum MHD_Result faults(struct http_request *req)
{
	struct faults *f = req->cluster->faults;
	const char *m = req->method;

	if (!strcmp(m, "PUT") || !strcmp(m, "POST")) {
		struct error err = ERROR_INIT;
		_cleanup_json_ cJSON *spec =
			json_parse_bounded(req->body.data, req->body.len, HTTP_MAX_BODY, &err);

		if (!spec || faults_set_rules(f, spec, &err) < 0)
			return admin_error(req, 400, err.msg);
		log_msg(4, "faults set: %.*s", (int)req->body.len, req->body.data);
	} else if (!strcmp(m, "DELETE")) {
		_cleanup_json_ cJSON *none = cJSON_CreateObject();

		faults_set_rules(f, none, NULL);
		faults_set_paused(f, false);
	} else if (strcmp(m, "GET") != 0) {
		return admin_error(req, 405, "use GET, PUT or DELETE");
	}
	return respond_and_free(req, 200, faults_to_json(f));
}

enum MHD_Result admin_handle(struct http_request *req, const char *subpath)
{
	struct cluster *cluster = req->cluster;
	bool post = !strcmp(req->method, "POST");

	if (!strcmp(subpath, "faults"))
		return faults(req);
	if (!strcmp(subpath, "pause") || !strcmp(subpath, "unpause")) {
		if (!post)
			return admin_error(req, 405, "use POST");
		faults_set_paused(cluster->faults, !strcmp(subpath, "pause"));
		log_msg(4, "%sd", subpath);
		return respond_and_free(req, 200, faults_to_json(cluster->faults));
	}
	if (!strcmp(subpath, "drop-watches")) {
		if (!post)
			return admin_error(req, 405, "use POST");
		store_drop_client_watches(cluster->store);
		return http_respond_text(req, 200, "dropped\n");
	}
	if (!strcmp(subpath, "expire-history")) {
		if (!post)
			return admin_error(req, 405, "use POST");
		store_compact_history(cluster->store);
		return http_respond_text(req, 200, "expired\n");
	}
	if (!strcmp(subpath, "counters")) {
		if (!strcmp(req->method, "DELETE")) {
			counters_reset(cluster->counters);
			return http_respond_text(req, 200, "reset\n");
		}
		return respond_and_free(req, 200, counters_to_json(cluster->counters));
	}
	if (!strcmp(subpath, "stats"))
		return stats(req);
	return admin_error(req, 404, "no such admin endpoint");
}
