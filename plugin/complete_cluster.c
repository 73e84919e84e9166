/* complete_cluster.c — the names shell completion offers for job, group
 * and namespace arguments, read from the cluster that the kubeconfig
 * flags on the line select: one bounded list request per kind of object,
 * by label selector, through the kube/ client. */
#include <string.h>

#include "cleanup.h"
#include "complete.h"
#include "jsonutil.h"
#include "kube_client.h"
#include "labels.h"

/* Completion runs while someone waits at a prompt: without an explicit
 * --request-timeout, give up after this long rather than kube's 30 s,
 * and do not retry. */
#define COMPLETE_REQUEST_TIMEOUT "5s"
/* One page of objects is plenty to choose from at a prompt. */
#define COMPLETE_LIST_LIMIT 500

/* Appends, once each, the value of `label` on every item of a List, or
 * each item's metadata.name when `label` is NULL. */
static void collect_names(const cJSON *list, const char *label, struct strv *ret_names)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, json_get(list, "items")) {
		const char *name =
			label ? json_get_child_string(json_get(item, "metadata.labels"), label)
			      : json_get_string(item, "metadata.name");

		if (name && *name && strv_find(ret_names, name) < 0)
			strv_push(ret_names, name);
	}
}

static int list_names(struct kube_client *client, const struct kube_resource *res,
		      const char *ns, const char *selector, const char *label,
		      struct strv *ret_names, struct error *err)
{
	const struct kube_list_opts opts = { .label_selector = selector,
					     .limit = COMPLETE_LIST_LIMIT };
	_cleanup_json_ cJSON *list = NULL;

	if (kube_list(client, res, ns, &opts, &list, err) < 0)
		return error_prefix(err, "listing %s", res->plural);
	collect_names(list, label, ret_names);
	return 0;
}

static int list_for_kind(struct kube_client *client, enum completion_kind kind, const char *ns,
			 struct strv *ret_names, struct error *err)
{
	struct error jobset_err = ERROR_INIT;

	switch (kind) {
	case COMPLETE_NAMESPACE:
		return list_names(client, &kube_namespaces, NULL, NULL, NULL, ret_names, err);
	case COMPLETE_GROUP:
		return list_names(client, &kube_jobs, ns, LABEL_KIND "=" LABEL_KIND_GROUP,
				  LABEL_GROUP_ID, ret_names, err);
	case COMPLETE_JOB:
		/* A one-node job is a Job, a multi-node one a JobSet where the
		 * cluster serves them: there, a 404 only means "no JobSets". */
		if (list_names(client, &kube_jobs, ns, LABEL_KIND "=" LABEL_KIND_JOB,
			       LABEL_JOB_NAME, ret_names, err) < 0)
			return -1;
		if (list_names(client, &kube_jobsets, ns, LABEL_KIND "=" LABEL_KIND_JOB,
			       LABEL_JOB_NAME, ret_names, &jobset_err) < 0 &&
		    jobset_err.code != 404)
			return error_set_code(err, jobset_err.code, "%s", jobset_err.msg);
		return 0;
	case COMPLETE_NONE:
	case COMPLETE_FILE:
	case COMPLETE_DIR:
		break;
	}
	return 0;
}

int complete_cluster_names(enum completion_kind kind, const struct cluster_flags *flags,
			   struct strv *ret_names, struct error *err)
{
	const struct kube_overrides overrides = {
		.kubeconfig = flags->kubeconfig,
		.context = flags->context,
		.cluster = flags->cluster,
		.user = flags->user,
		.namespace = flags->namespace,
		.server = flags->server,
		.request_timeout = flags->request_timeout ? flags->request_timeout
							  : COMPLETE_REQUEST_TIMEOUT,
	};
	const struct kube_retry_policy no_retries = { .max_attempts = 1 };
	struct kube_config *config = NULL;
	struct kube_client *client;
	int ret;

	if (kube_config_load(&overrides, &config, err) < 0)
		return -1;
	client = kube_client_new(config, err); /* owns config from here on */
	if (!client)
		return -1;
	kube_client_set_retry_policy(client, &no_retries);
	ret = list_for_kind(client, kind,
			    flags->all_namespaces ? NULL : kube_client_config(client)->namespace,
			    ret_names, err);
	kube_client_free(client);
	return ret;
}
