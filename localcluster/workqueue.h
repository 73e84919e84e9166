/* workqueue.h — a keyed work queue with one worker thread, as client-go's
 * workqueue: a key added many times before it is processed is processed
 * once; a key added while it is being processed is processed again
 * afterwards (never twice at the same time); keys may be added after a
 * delay (the earliest requested time wins). The controllers and the
 * kubelet queue object keys ("namespace/name") here. */
#ifndef KONDUKTOR_LC_WORKQUEUE_H
#define KONDUKTOR_LC_WORKQUEUE_H

#include <stdint.h>

struct workqueue;

/* Processes one key, on the queue's worker thread. */
typedef void (*workqueue_fn)(void *ctx, const char *key);

/* Starts the worker thread. Never NULL. */
struct workqueue *workqueue_new(const char *name, workqueue_fn fn, void *ctx);
/* Queues key now. Safe from any thread, including the worker; a no-op
 * once the queue is stopping. */
void workqueue_add(struct workqueue *q, const char *key);
/* Queues key in delay_ms (at once if <= 0). */
void workqueue_add_after(struct workqueue *q, const char *key, int64_t delay_ms);
/* Stops the worker after the key it is processing and frees the queue
 * with what was still queued. Not from the worker itself. NULL is allowed. */
void workqueue_free(struct workqueue *q);

#endif
