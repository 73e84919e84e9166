/* store.h — the local cluster's object store: every API object lives here,
 * and both the HTTP layer and the in-process actors (kubelet, scheduler,
 * Job and JobSet controllers) read, write and watch objects through this
 * API with the same semantics as the real API server.
 *
 * OBJECTS. An object is an immutable, reference-counted snapshot
 * (struct store_obj): its JSON text (serialised once, at write time) and
 * the fields the store indexes. Every write makes a new snapshot; a
 * snapshot you hold never changes. Take a reference with store_obj_ref()
 * to keep one beyond the call that gave it to you; drop it with
 * store_obj_unref(). To change an object, parse it (store_obj_parse()),
 * edit the cJSON tree and write it back, or use store_mutate().
 *
 * RESOURCE VERSIONS. A single cluster-wide counter: every committed write
 * (create, update, status update, patch, delete, finalization) takes the
 * next integer, and each write produces exactly one watch event carrying
 * that version. Versions survive restarts of a cluster with a state dir.
 *
 * WRITES go through the same admission chain for everyone: the kind's
 * prepare/set_defaults/validate hooks (resource.h), namespace existence,
 * name uniqueness, immutable fields, resourceVersion preconditions (409
 * Conflict), finalizers and graceful deletion. In-process actors are
 * trusted only in that they skip authentication, fault injection and
 * field (schema) validation, which belong to the HTTP layer.
 *
 * Write functions that take a cJSON *obj take ownership of it, also on
 * failure. Functions returning an object through `ret` give the caller
 * one reference (release with store_obj_unref()); `ret` may be NULL.
 * Every function returns 0 on success or -1 with `err` (which may be
 * NULL) filled like the real server's Status: err->code 404 NotFound,
 * 409 AlreadyExists/Conflict, 422 Invalid, 403 Forbidden, 410 Expired...
 *
 * THREADING. Every function may be called from any thread, concurrently.
 * The store has one internal mutex; it is never held while calling out
 * (resource hooks, mutate functions, subscriber callbacks, the pod
 * terminator) and never while writing to a socket or a file other than
 * the write-ahead log. So any callback documented below may itself call
 * any store function — including writes — without deadlocking. The only
 * thing a callback must not do is wait for its own subscription to stop
 * (store_unsubscribe() from inside its callback).
 *
 * CONSISTENCY. A write is visible to every reader as soon as it returns;
 * with a state dir it is also on disk (fsync) before it returns. Watch
 * events arrive in resourceVersion order on each watch; a watch opened
 * with resource_version = list->resource_version sees every change after
 * that list, with no gap and no duplicate. */
#ifndef KONDUKTOR_LC_STORE_H
#define KONDUKTOR_LC_STORE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apierror.h"
#include "error.h"
#include "resource.h"

struct store;

/* ---- objects ---- */

struct store_label {
	const char *key;
	const char *value;
};

struct store_owner_ref {
	const char *uid;
	const char *kind;
	const char *name;
	bool controller;
	bool block_owner_deletion;
};

/* An immutable snapshot of one object. All fields are read-only. */
struct store_obj {
	enum resource_kind kind;
	const char *namespace; /* "" for cluster-scoped kinds */
	const char *name;
	const char *uid;
	uint64_t resource_version;
	const char *json; /* the whole object, compact JSON, NUL-terminated */
	size_t json_len;
	/* Indexed copies of what selectors, GC and finalization read. */
	const struct store_label *labels; /* sorted by key */
	size_t n_labels;
	const struct store_owner_ref *owners;
	size_t n_owners;
	const char *const *finalizers; /* metadata.finalizers */
	size_t n_finalizers;
	bool terminating; /* metadata.deletionTimestamp is set */
	/* Internal to the store. */
	int refs_;
	size_t n_fields_;
	const struct store_label *fields_; /* selectable fields (field selectors) */
};

struct store_obj *store_obj_ref(struct store_obj *obj);
/* Drops a reference; NULL is allowed. */
void store_obj_unref(struct store_obj *obj);
/* A fresh cJSON tree of the object; the caller owns it. Never NULL. */
cJSON *store_obj_parse(const struct store_obj *obj);
/* The value of a label, or NULL. */
const char *store_obj_label(const struct store_obj *obj, const char *key);
bool store_obj_has_finalizer(const struct store_obj *obj, const char *finalizer);
/* The object's controller owner reference (controller: true), or NULL. */
const struct store_owner_ref *store_obj_controller(const struct store_obj *obj);

/* ---- opening ---- */

struct store_config {
	const char *state_dir;  /* NULL: everything in memory */
	size_t watch_history;   /* events kept for watches that resume from a version */
};

#define STORE_DEFAULT_WATCH_HISTORY 10000

/* Opens the store; with a state dir, loads every object from it (creating
 * the directory if needed). Creates the namespaces default, kube-system,
 * kube-public and kube-node-lease when absent. Starts the garbage
 * collector thread. */
struct store *store_open(const struct store_config *config, struct error *err);
/* Ends the wait of every watch and subscription (next() returns -1 from
 * now on; new watches fail with 503) and stops the garbage collector, so
 * that the threads using them can finish. Objects stay readable and
 * writable. Called by store_close() if not before. */
void store_shutdown(struct store *s);
/* Frees the store. Every watch must have been closed and every
 * subscription unsubscribed, and no other call may be in progress or
 * follow. Objects still referenced by the caller stay valid until
 * unreferenced. */
void store_close(struct store *s);

/* The resourceVersion of the latest committed write. */
uint64_t store_current_rv(struct store *s);

/* ---- reading ---- */

/* ns is ignored (may be NULL) for cluster-scoped kinds. 404 if absent. */
int store_get(struct store *s, enum resource_kind kind, const char *ns, const char *name,
	      struct store_obj **ret, struct api_error *err);

struct store_list_options {
	const char *label_selector; /* NULL or "" for everything */
	const char *field_selector; /* keys per resource.h field_selectors */
	size_t limit;               /* 0: no limit */
	const char *continue_token; /* from a previous page */
};

struct store_list {
	struct store_obj **items; /* one reference each, sorted by namespace then name */
	size_t len;
	uint64_t resource_version; /* the store's version when the list was taken */
	char *continue_token;      /* NULL on the last page */
	int64_t remaining;         /* remainingItemCount, or -1 when unknown */
};

#define STORE_LIST_INIT { .items = NULL, .len = 0, .resource_version = 0, \
			  .continue_token = NULL, .remaining = -1 }

/* Lists one kind, in one namespace (ns NULL or "" = all namespaces).
 * opts may be NULL. 400 BadRequest for a malformed selector or token;
 * 410 Expired for a continue token older than the watch history. */
int store_list(struct store *s, enum resource_kind kind, const char *ns,
	       const struct store_list_options *opts, struct store_list *ret,
	       struct api_error *err);
void store_list_release(struct store_list *list);

/* ---- writing ---- */

struct store_write_options {
	bool dry_run; /* everything but the commit: the answer is what would be stored */
	bool status;  /* write the status subresource: only .status changes */
};

/* Creates obj (metadata.name, or metadata.generateName + 5 random
 * characters). For namespaced kinds ns must be given; a namespace in the
 * body must agree. opts may be NULL. 409 AlreadyExists, 404 when the
 * namespace does not exist, 403 when it is terminating. */
int store_create(struct store *s, enum resource_kind kind, const char *ns, cJSON *obj,
		 const struct store_write_options *opts, struct store_obj **ret,
		 struct api_error *err);

/* Replaces the object named `name` by obj (PUT). When obj carries
 * metadata.resourceVersion it must be the current one (else 409
 * Conflict); without one the update is unconditional. Without
 * opts->status, obj's status is ignored for kinds with a status
 * subresource; with it, only obj's status is taken. */
int store_update(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		 cJSON *obj, const struct store_write_options *opts, struct store_obj **ret,
		 struct api_error *err);

enum store_patch_type {
	STORE_PATCH_MERGE,     /* application/merge-patch+json (RFC 7386) */
	STORE_PATCH_JSON,      /* application/json-patch+json (RFC 6902) */
	STORE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
};

/* Applies a patch to the current object and writes the result, retrying
 * when another writer got in between (as the real server does). A patch
 * that sets metadata.resourceVersion is a precondition (409 Conflict). */
int store_patch(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		enum store_patch_type type, const char *patch, size_t patch_len,
		const struct store_write_options *opts, struct store_obj **ret,
		struct api_error *err);

/* Read-modify-write for in-process actors: calls fn on a fresh parse of
 * the current object (without metadata.resourceVersion: setting one makes
 * it a precondition), then writes it unless fn returns 1 ("no change");
 * if another writer committed in between, fn is called again on the new
 * version (so fn may run more than once and must not keep state from a
 * previous call). fn returns 0 (write), 1 (leave as is: `ret` gets the
 * current object) or -1 (fail with its err). fn runs on the calling
 * thread with no store lock held, so it may read the store, but it should
 * not write the same object (it would only cause a retry). */
typedef int (*store_mutate_fn)(cJSON *obj, void *ctx, struct api_error *err);
int store_mutate(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		 store_mutate_fn fn, void *ctx, const struct store_write_options *opts,
		 struct store_obj **ret, struct api_error *err);

/* Binds a pending pod to a node as the scheduler does through the
 * pods/binding subresource: sets spec.nodeName and the PodScheduled=True
 * condition in one write. 409 if it is already bound or terminating. */
int store_bind_pod(struct store *s, const char *ns, const char *name, const char *node,
		   struct store_obj **ret, struct api_error *err);

enum store_propagation {
	STORE_PROPAGATION_DEFAULT,    /* the kind's default: Orphan for batch/v1 Jobs, else Background */
	STORE_PROPAGATION_BACKGROUND, /* delete now; the garbage collector deletes dependents */
	STORE_PROPAGATION_FOREGROUND, /* delete dependents first (finalizer foregroundDeletion) */
	STORE_PROPAGATION_ORPHAN,     /* remove the owner reference from dependents (finalizer orphan) */
};

#define STORE_GRACE_DEFAULT (-1)

struct store_delete_options {
	int64_t grace_period_seconds; /* STORE_GRACE_DEFAULT: the pod's terminationGracePeriodSeconds */
	enum store_propagation propagation;
	const char *precondition_uid; /* NULL or the uid the object must have (409) */
	const char *precondition_rv;  /* NULL or the resourceVersion it must have (409) */
	bool dry_run;
};

#define STORE_DELETE_OPTIONS_INIT { .grace_period_seconds = STORE_GRACE_DEFAULT, \
				    .propagation = STORE_PROPAGATION_DEFAULT }

/* Deletes an object, or starts to: an object with finalizers (including
 * those a Foreground/Orphan deletion adds) gets metadata.deletionTimestamp
 * and stays until they are removed; a pod bound to a node, not yet
 * Succeeded/Failed, with a grace period > 0, gets deletionTimestamp and
 * deletionGracePeriodSeconds and the pod terminator (below) is called; the
 * terminator then deletes it again with grace 0 once its processes are
 * gone. Without a terminator registered, pods are deleted at once.
 * *ret_deleted (may be NULL) says whether the object is gone now; `ret`
 * gets the deleted or now-terminating object. opts may be NULL. A delete
 * of an object already terminating only shortens its grace period. */
int store_delete(struct store *s, enum resource_kind kind, const char *ns, const char *name,
		 const struct store_delete_options *opts, struct store_obj **ret,
		 bool *ret_deleted, struct api_error *err);

/* Records a core/v1 Event about `involved` (as kubectl describe shows it):
 * type "Normal" or "Warning", reason "FailedScheduling", the component
 * ("default-scheduler", "kubelet", "job-controller"), field_path NULL or
 * e.g. "spec.containers{main}". An identical event (same object, reason,
 * message, type, component and field path) is counted up (count,
 * lastTimestamp) instead of repeated, as the real event recorder does. */
int store_record_event(struct store *s, const struct store_obj *involved, const char *field_path,
		       const char *type, const char *reason, const char *component,
		       const char *message_fmt, ...) __attribute__((format(printf, 7, 8)));

/* ---- watching ---- */

enum store_event_type {
	STORE_EVENT_ADDED,
	STORE_EVENT_MODIFIED,
	STORE_EVENT_DELETED,
};

struct store_event {
	enum store_event_type type;
	struct store_obj *object; /* the new state; for DELETED the final state */
	struct store_obj *old;    /* the previous state for MODIFIED, else NULL */
};

/* Drops the event's references. */
void store_event_release(struct store_event *ev);

#define STORE_WATCH_FROM_LIST 0 /* see resource_version below */

struct store_watch_options {
	unsigned kinds;             /* RESOURCE_BIT()s of the kinds to watch */
	const char *ns;             /* NULL or "": every namespace */
	const char *label_selector; /* NULL: everything */
	const char *field_selector;
	/* STORE_WATCH_FROM_LIST (0): first an ADDED event for every current
	 * object that matches (like a list), then every change. N > 0: every
	 * change after version N (410 Expired if N is older than the history;
	 * 504 if N is in the future). */
	uint64_t resource_version;
};

struct store_watch;

/* Opens a watch. Selectors apply to each event's old and new states as the
 * real server does: an object that starts to match arrives as ADDED, one
 * that stops matching as DELETED. */
struct store_watch *store_watch_open(struct store *s, const struct store_watch_options *opts,
				     struct api_error *err);
/* Waits up to timeout_ms (-1: forever, 0: poll) for the next event.
 * Returns 1 with *ret filled (release it with store_event_release()),
 * 0 on timeout, or -1 when the watch has ended (the store is closing, or
 * the watch was dropped): the caller then closes it. Only one thread may
 * call next() on a given watch at a time. */
int store_watch_next(struct store_watch *w, int timeout_ms, struct store_event *ret);
/* A descriptor that is readable while events are queued (or the watch has
 * ended), for callers that poll() several sources. Owned by the watch. */
int store_watch_fd(const struct store_watch *w);
/* The resourceVersion up to which this watch has delivered every event
 * (what a BOOKMARK event reports). */
uint64_t store_watch_position(struct store_watch *w);
/* Closes the watch and drops the events still queued. NULL is allowed. */
void store_watch_close(struct store_watch *w);

/* A watch served by a thread the store starts: fn is called once per
 * event, in resourceVersion order, on that thread, with no store lock
 * held, and may call any store function (writes included; its own writes
 * come back to it as later events). ev and its objects are valid during
 * the call; take references to keep them. The options are those of
 * store_watch_open() (resource_version 0 replays current objects as
 * ADDED first, like an informer's initial list). */
typedef void (*store_subscriber_fn)(void *ctx, const struct store_event *ev);
struct store_subscription;
struct store_subscription *store_subscribe(struct store *s, const struct store_watch_options *opts,
					   store_subscriber_fn fn, void *ctx,
					   struct api_error *err);
/* Stops the thread after the event it may be delivering and waits for it.
 * Must not be called from inside fn. NULL is allowed. */
void store_unsubscribe(struct store_subscription *sub);

/* ---- hooks for the runtime ---- */

/* Called when a pod starts graceful termination (see store_delete()) and
 * again whenever a later delete shortens its grace period; pod is the
 * terminating pod (deletionTimestamp set). Called on the deleting thread
 * (an HTTP request's, or the garbage collector's) after the store lock is
 * released: it must return promptly (hand the work to the kubelet's own
 * thread) and it may call store functions. The terminator stops the
 * pod's processes (SIGTERM, SIGKILL after grace_seconds) and then calls
 * store_delete() with grace_period_seconds 0 to remove the pod. */
typedef void (*store_pod_terminator_fn)(void *ctx, const struct store_obj *pod,
					int64_t grace_seconds);
/* Registers the terminator (NULL unregisters). Set it before serving. */
void store_set_pod_terminator(struct store *s, store_pod_terminator_fn fn, void *ctx);

/* ---- for the HTTP layer and fault injection ---- */

/* Marks a watch as opened for an API client: these are the ones
 * store_drop_client_watches() ends (in-process watches never are). */
void store_watch_set_client(struct store_watch *w);
/* Ends every client watch now (their next() returns -1). */
void store_drop_client_watches(struct store *s);
/* Forgets the watch history: a watch or continue token from any version
 * before now gets 410 Expired. */
void store_compact_history(struct store *s);
/* Counts for /debug and the benchmark. */
struct store_stats {
	size_t objects[RESOURCE_COUNT];
	size_t watches;        /* every open watch, in-process ones included */
	size_t client_watches; /* those opened for API clients */
	size_t history_len;
	uint64_t oldest_rv; /* the oldest version a watch may resume from */
};
void store_get_stats(struct store *s, struct store_stats *ret);

#endif
