/* cancel.c — cancellation tokens: a flag that calls poll, plus the multi
 * handles currently waiting, so a trigger wakes them at once
 * (curl_multi_wakeup is safe to call from another thread). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "client_internal.h"
#include "xalloc.h"

struct kube_cancel {
	atomic_bool triggered;
	pthread_mutex_t lock; /* guards multis */
	CURLM **multis;
	size_t len, cap;
};

struct kube_cancel *kube_cancel_new(void)
{
	struct kube_cancel *cancel = xcalloc(1, sizeof(*cancel));

	atomic_init(&cancel->triggered, false);
	pthread_mutex_init(&cancel->lock, NULL);
	return cancel;
}

void kube_cancel_trigger(struct kube_cancel *cancel)
{
	atomic_store(&cancel->triggered, true);
	pthread_mutex_lock(&cancel->lock);
	for (size_t i = 0; i < cancel->len; i++)
		curl_multi_wakeup(cancel->multis[i]);
	pthread_mutex_unlock(&cancel->lock);
}

bool kube_cancel_is_triggered(const struct kube_cancel *cancel)
{
	return cancel && atomic_load(&((struct kube_cancel *)cancel)->triggered);
}

void kube_cancel_free(struct kube_cancel *cancel)
{
	if (!cancel)
		return;
	pthread_mutex_destroy(&cancel->lock);
	free(cancel->multis);
	free(cancel);
}

void cancel_attach(struct kube_cancel *cancel, CURLM *multi)
{
	if (!cancel)
		return;
	pthread_mutex_lock(&cancel->lock);
	if (cancel->len == cancel->cap) {
		cancel->cap = cancel->cap ? cancel->cap * 2 : 4;
		cancel->multis = xreallocarray(cancel->multis, cancel->cap, sizeof(*cancel->multis));
	}
	cancel->multis[cancel->len++] = multi;
	pthread_mutex_unlock(&cancel->lock);
}

void cancel_detach(struct kube_cancel *cancel, CURLM *multi)
{
	if (!cancel)
		return;
	pthread_mutex_lock(&cancel->lock);
	for (size_t i = 0; i < cancel->len; i++) {
		if (cancel->multis[i] == multi) {
			cancel->multis[i] = cancel->multis[--cancel->len];
			break;
		}
	}
	pthread_mutex_unlock(&cancel->lock);
}
