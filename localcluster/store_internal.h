/* store_internal.h — what the store's source files (store.c,
 * store_obj.c, store_write.c, store_gc.c) share; not for other callers. */
#ifndef KONDUKTOR_LC_STORE_INTERNAL_H
#define KONDUKTOR_LC_STORE_INTERNAL_H

#include <pthread.h>

#include "hashmap.h"
#include "store.h"
#include "wal.h"

/* Builds a snapshot from a complete object tree (metadata.resourceVersion
 * already set): serialises it and copies the indexed fields. */
struct store_obj *store_obj_build(enum resource_kind kind, const cJSON *tree);
/* The value of a selectable field ("" when the object has none). */
const char *store_obj_field(const struct store_obj *obj, const char *key);
/* True if obj is in ns (NULL/"" = any) and matches both selectors. */
struct selector;
bool store_obj_matches(const struct store_obj *obj, const char *ns,
		       const struct selector *labels, const struct selector *fields);

/* Objects of one kind, sorted by (namespace, name). */
struct kind_table {
	struct store_obj **items;
	size_t len, cap;
};

/* An event as queued on watches and kept in the history. */
struct queued_event {
	enum store_event_type type;
	struct store_obj *object;
	struct store_obj *old;
	uint64_t rv; /* the event's version (the list's, for initial ADDED events) */
};

struct event_ring {
	struct queued_event *items;
	size_t cap, head, len; /* oldest at head */
};

/* Work for the garbage collector thread. */
enum gc_work_type {
	GC_OWNER,     /* process the dependents of an owner uid */
	GC_NAMESPACE, /* empty a terminating namespace, then remove it */
	GC_SNAPSHOT,  /* compact the state dir's log into a snapshot */
};

struct gc_work {
	enum gc_work_type type;
	char *key; /* the owner's uid, or the namespace's name */
	struct gc_work *next;
};


struct store {
	pthread_mutex_t lock;
	uint64_t rv;
	struct kind_table tables[RESOURCE_COUNT];
	struct hashmap by_uid;     /* uid -> current struct store_obj * */
	struct hashmap dependents; /* owner uid -> struct strv * of dependent uids */

	struct event_ring history;
	size_t history_max;
	uint64_t oldest_rv; /* watches may resume from versions >= this */

	struct store_watch *watches; /* doubly linked */
	size_t n_watches;

	struct wal *wal; /* NULL in memory */

	store_pod_terminator_fn pod_terminator;
	void *pod_terminator_ctx;

	/* Garbage collector: a FIFO of work, its thread and its wake-up. */
	pthread_t gc_thread;
	bool gc_running;
	bool closing;
	pthread_cond_t gc_cond;
	struct gc_work *gc_head, *gc_tail;
	struct hashmap gc_pending; /* "<type>:<key>" of queued work, to queue each once */
};

/* Locked helpers (caller holds s->lock). */
struct store_obj *store_lookup_locked(struct store *s, enum resource_kind kind, const char *ns,
				      const char *name);
void gc_enqueue_locked(struct store *s, enum gc_work_type type, const char *key);

/* Commits a change under the lock: `tree` is the new state (NULL for a
 * removal of `old`, whose final state is then final_tree). Assigns the next
 * resourceVersion, builds the snapshot, updates the indexes, appends to the
 * WAL and queues the event. Returns the new snapshot (a reference for the
 * caller). */
struct store_obj *store_commit_locked(struct store *s, enum resource_kind kind,
				      struct store_obj *old, cJSON *tree,
				      enum store_event_type type, struct api_error *err);
/* Makes the write at version rv durable (no-op in memory); call unlocked. */
int store_sync(struct store *s, uint64_t rv, struct api_error *err);
/* 404 in the real server's words: `jobs.batch "x" not found`. */
int store_not_found(struct api_error *err, enum resource_kind kind, const char *name);
/* Parses selector texts (either may be NULL) for kind; 400 on errors. */
int store_parse_selectors(enum resource_kind kind, const char *label_text, const char *field_text,
			  struct selector *labels, struct selector *fields, struct api_error *err);

/* True if no object of any namespaced kind is in namespace ns. */
bool store_namespace_empty_locked(struct store *s, const char *ns);

/* Writes a snapshot of every object to the state dir and drops the log
 * segments it replaces (no-op in memory). Writers are blocked only while
 * the objects are collected, not while the file is written. */
int store_write_snapshot(struct store *s, struct error *err);

/* The garbage collector (store_gc.c). */
int store_gc_start(struct store *s, struct error *err);
void store_gc_stop(struct store *s);

/* A random RFC 4122 version 4 UUID (store_write.c). */
void store_new_uid(char out[37]);

#endif
