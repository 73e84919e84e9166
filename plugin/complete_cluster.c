/* complete_cluster.c — the names shell completion offers for job, group
 * and namespace arguments, read from the cluster that the kubeconfig
 * flags on the line select, through kcluster.h (the namespace as every
 * command resolves it; one bounded, label-selected list per kind of
 * object). */
#include "cleanup.h"
#include "complete.h"
#include "jsonutil.h"
#include "kcluster.h"
#include "labels.h"

/* Completion runs while someone waits at a prompt: without an explicit
 * --request-timeout, give up after this long rather than kube's 30 s,
 * and do not retry. */
#define COMPLETE_REQUEST_TIMEOUT "5s"
/* One page of objects is plenty to choose from at a prompt. */
#define COMPLETE_LIST_LIMIT 500

static int list_namespaces(struct kcluster *kc, struct strv *ret_names, struct error *err)
{
	const struct kube_list_opts opts = { .limit = COMPLETE_LIST_LIMIT };
	_cleanup_json_ cJSON *list = NULL;
	const cJSON *item;

	if (kube_list(kc->client, &kube_namespaces, NULL, &opts, &list, err) < 0)
		return error_prefix(err, "listing namespaces");
	cJSON_ArrayForEach(item, json_get(list, "items")) {
		const char *name = json_get_string(item, "metadata.name");

		if (name && *name)
			strv_push(ret_names, name);
	}
	return 0;
}

int complete_cluster_names(enum completion_kind kind, const struct cluster_flags *flags,
			   struct strv *ret_names, struct error *err)
{
	const struct kube_retry_policy no_retries = { .max_attempts = 1 };
	struct cluster_flags quick = *flags;
	struct kcluster *kc = NULL;
	int ret = 0;

	if (kind != COMPLETE_JOB && kind != COMPLETE_GROUP && kind != COMPLETE_NAMESPACE)
		return 0;
	if (!quick.request_timeout)
		quick.request_timeout = COMPLETE_REQUEST_TIMEOUT;
	quick.verbosity = 0; /* nothing may reach the terminal */
	if (kcluster_open(&quick, &kc, err) < 0)
		return -1;
	kube_client_set_retry_policy(kc->client, &no_retries);
	if (kind == COMPLETE_NAMESPACE)
		ret = list_namespaces(kc, ret_names, err);
	else
		ret = kcluster_job_names(kc, kcluster_list_namespace(kc),
					 kind == COMPLETE_GROUP ? LABEL_KIND_GROUP : LABEL_KIND_JOB,
					 COMPLETE_LIST_LIMIT, ret_names, err);
	kcluster_close(kc);
	return ret;
}
