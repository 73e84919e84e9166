/* rest_internal.h — REST calls with a cancellation token, for the parts
 * of kube/ that must stop promptly (the informer). Internal to kube/. */
#ifndef KONDUKTOR_KUBE_REST_INTERNAL_H
#define KONDUKTOR_KUBE_REST_INTERNAL_H

#include "kube_client.h"

/* kube_list_all(), ending with KUBE_ERR_CANCELLED once cancel triggers. */
int rest_list_all(struct kube_client *client, const struct kube_resource *res, const char *ns,
		  const struct kube_list_opts *opts, struct kube_cancel *cancel, cJSON **ret_list,
		  struct error *err);

/* Every page of a list, one at a time: on_page may take what it wants
 * out of the page (which is freed after it returns) and returns non-zero
 * to stop; on_restart (may be NULL) is told when an expired continue
 * token (410) makes the list start again from the first page. */
int rest_list_walk(struct kube_client *client, const struct kube_resource *res, const char *ns,
		   const struct kube_list_opts *opts, int (*on_page)(cJSON *page, void *ctx),
		   void (*on_restart)(void *ctx), void *ctx, struct kube_cancel *cancel,
		   struct error *err);

#endif
