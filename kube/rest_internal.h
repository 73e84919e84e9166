/* rest_internal.h — REST calls with a cancellation token, for the parts
 * of kube/ that must stop promptly (the informer). Internal to kube/. */
#ifndef KONDUKTOR_KUBE_REST_INTERNAL_H
#define KONDUKTOR_KUBE_REST_INTERNAL_H

#include "kube_client.h"

/* kube_list_all(), ending with KUBE_ERR_CANCELLED once cancel triggers. */
int rest_list_all(struct kube_client *client, const struct kube_resource *res, const char *ns,
		  const struct kube_list_opts *opts, struct kube_cancel *cancel, cJSON **ret_list,
		  struct error *err);

#endif
