/* store_gc.c — the garbage collector and namespace controller of the
 * local cluster, as kube-controller-manager runs them: dependents of a
 * deleted owner are deleted (Background), deleted first (Foreground, the
 * owner waiting on its foregroundDeletion finalizer) or released
 * (Orphan, the owner's orphan finalizer); a terminating namespace is
 * emptied and then removed. One thread works through a queue the commit
 * path fills; it uses the public store API like any other client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "store_internal.h"
#include "strutil.h"
#include "strv.h"
#include "xalloc.h"

static char *pending_key(enum gc_work_type type, const char *key)
{
	return xasprintf("%c:%s", "ons"[type], key);
}

void gc_enqueue_locked(struct store *s, enum gc_work_type type, const char *key)
{
	_cleanup_free_ char *pkey = pending_key(type, key);
	struct gc_work *work;

	if (hashmap_get(&s->gc_pending, pkey))
		return; /* already queued: one pass will see the latest state */
	work = xcalloc(1, sizeof(*work));
	work->type = type;
	work->key = xstrdup(key);
	hashmap_put(&s->gc_pending, pkey, work);
	if (s->gc_tail)
		s->gc_tail->next = work;
	else
		s->gc_head = work;
	s->gc_tail = work;
	pthread_cond_signal(&s->gc_cond);
}

/* ---- owner references ---- */

struct owner_edit {
	const char *dependent_uid; /* the object the edit is meant for */
	const char *owner_uid;     /* remove references to this owner (NULL: to any missing owner) */
	struct store *store;
};

static int remove_owner_refs(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct owner_edit *edit = ctx;
	cJSON *refs = (cJSON *)json_get(obj, "metadata.ownerReferences");
	bool changed = false;

	if (!str_eq(json_get_string(obj, "metadata.uid"), edit->dependent_uid))
		return 1; /* replaced by a namesake meanwhile */
	for (int i = cJSON_GetArraySize(refs) - 1; i >= 0; i--) {
		const char *uid = json_get_child_string(cJSON_GetArrayItem(refs, i), "uid");
		struct store_obj *owner = NULL;
		bool drop;

		if (edit->owner_uid) {
			drop = str_eq(uid, edit->owner_uid);
		} else {
			pthread_mutex_lock(&edit->store->lock);
			owner = uid ? hashmap_get(&edit->store->by_uid, uid) : NULL;
			pthread_mutex_unlock(&edit->store->lock);
			drop = owner == NULL;
		}
		if (drop) {
			cJSON_DeleteItemFromArray(refs, i);
			changed = true;
		}
	}
	if (!changed)
		return 1;
	if (!cJSON_GetArraySize(refs))
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
							"ownerReferences");
	return 0;
}

static int remove_finalizer(cJSON *obj, void *ctx, struct api_error *err)
{
	const struct owner_edit *edit = ctx;
	cJSON *list = (cJSON *)json_get(obj, "metadata.finalizers");
	int i = 0;
	cJSON *item;

	if (!str_eq(json_get_string(obj, "metadata.uid"), edit->dependent_uid))
		return 1;
	cJSON_ArrayForEach(item, list)
	{
		if (cJSON_IsString(item) && !strcmp(item->valuestring, edit->owner_uid))
			break;
		i++;
	}
	if (!item)
		return 1;
	cJSON_DeleteItemFromArray(list, i);
	if (!cJSON_GetArraySize(list))
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
							"finalizers");
	return 0;
}

static void edit_object(struct store *s, const struct store_obj *obj, store_mutate_fn fn,
			struct owner_edit *edit)
{
	struct api_error err = API_ERROR_INIT;

	edit->store = s;
	if (store_mutate(s, obj->kind, obj->namespace, obj->name, fn, edit, NULL, NULL, &err) < 0 &&
	    err.code != 404)
		log_warn("garbage collector: %s", err.message);
}

static bool has_other_live_owner(struct store *s, const struct store_obj *dep, const char *except)
{
	bool live = false;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < dep->n_owners && !live; i++)
		if (strcmp(dep->owners[i].uid, except) != 0 &&
		    hashmap_get(&s->by_uid, dep->owners[i].uid))
			live = true;
	pthread_mutex_unlock(&s->lock);
	return live;
}

static void delete_dependent(struct store *s, const struct store_obj *dep,
			     enum store_propagation propagation)
{
	struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;
	struct api_error err = API_ERROR_INIT;

	opts.propagation = propagation;
	opts.precondition_uid = dep->uid;
	if (store_delete(s, dep->kind, dep->namespace, dep->name, &opts, NULL, NULL, &err) < 0 &&
	    err.code != 404 && err.code != 409)
		log_warn("garbage collector: %s", err.message);
}

/* True while a dependent that blocks the owner's deletion still exists. */
static bool blocking_dependents_remain(struct store *s, const char *owner_uid)
{
	struct strv *deps;
	bool blocking = false;

	pthread_mutex_lock(&s->lock);
	deps = hashmap_get(&s->dependents, owner_uid);
	for (size_t i = 0; deps && i < deps->len && !blocking; i++) {
		const struct store_obj *dep = hashmap_get(&s->by_uid, deps->items[i]);

		for (size_t k = 0; dep && k < dep->n_owners; k++)
			if (!strcmp(dep->owners[k].uid, owner_uid) &&
			    dep->owners[k].block_owner_deletion)
				blocking = true;
	}
	pthread_mutex_unlock(&s->lock);
	return blocking;
}

static void process_owner(struct store *s, const char *owner_uid)
{
	struct strv deps = STRV_INIT;
	struct store_obj *owner;
	struct strv *indexed;
	bool foreground, orphan;

	pthread_mutex_lock(&s->lock);
	owner = store_obj_ref(hashmap_get(&s->by_uid, owner_uid));
	indexed = hashmap_get(&s->dependents, owner_uid);
	for (size_t i = 0; indexed && i < indexed->len; i++)
		strv_push(&deps, indexed->items[i]);
	pthread_mutex_unlock(&s->lock);

	foreground = owner && owner->terminating &&
		     store_obj_has_finalizer(owner, "foregroundDeletion");
	orphan = owner && owner->terminating && store_obj_has_finalizer(owner, "orphan");
	if (owner && !foreground && !orphan)
		goto out; /* alive, or terminating for reasons of its own */

	for (size_t i = 0; i < deps.len; i++) {
		struct store_obj *dep;
		struct owner_edit edit = { deps.items[i], owner_uid, s };

		pthread_mutex_lock(&s->lock);
		dep = store_obj_ref(hashmap_get(&s->by_uid, deps.items[i]));
		pthread_mutex_unlock(&s->lock);
		if (!dep)
			continue;
		if (orphan) {
			edit_object(s, dep, remove_owner_refs, &edit);
		} else if (has_other_live_owner(s, dep, owner_uid)) {
			/* Another owner keeps it: only the reference goes (dangling
			 * ones too, when the owner is gone). */
			edit.owner_uid = owner ? owner_uid : NULL;
			edit_object(s, dep, remove_owner_refs, &edit);
		} else if (!dep->terminating) {
			delete_dependent(s, dep, foreground ? STORE_PROPAGATION_FOREGROUND
							    : STORE_PROPAGATION_BACKGROUND);
		}
		store_obj_unref(dep);
	}
	if (orphan) {
		struct owner_edit edit = { owner->uid, "orphan", s };

		edit_object(s, owner, remove_finalizer, &edit);
	} else if (foreground && !blocking_dependents_remain(s, owner_uid)) {
		struct owner_edit edit = { owner->uid, "foregroundDeletion", s };

		edit_object(s, owner, remove_finalizer, &edit);
	}
out:
	store_obj_unref(owner);
	strv_release(&deps);
}

/* ---- namespaces ---- */

static void process_namespace(struct store *s, const char *name)
{
	struct store_obj *ns = NULL;
	struct api_error err = API_ERROR_INIT;

	if (store_get(s, RESOURCE_NAMESPACE, NULL, name, &ns, NULL) < 0)
		return;
	if (!ns->terminating)
		goto out;
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		struct store_list list = STORE_LIST_INIT;

		if (!resource_get((enum resource_kind)k)->namespaced)
			continue;
		if (store_list(s, (enum resource_kind)k, name, NULL, &list, NULL) < 0)
			continue;
		for (size_t i = 0; i < list.len; i++)
			if (!list.items[i]->terminating) {
				struct store_delete_options opts = STORE_DELETE_OPTIONS_INIT;

				opts.propagation = STORE_PROPAGATION_BACKGROUND;
				opts.precondition_uid = list.items[i]->uid;
				if (store_delete(s, list.items[i]->kind, name, list.items[i]->name,
						 &opts, NULL, NULL, &err) < 0 &&
				    err.code != 404 && err.code != 409)
					log_warn("namespace controller: %s", err.message);
			}
		store_list_release(&list);
	}
	pthread_mutex_lock(&s->lock);
	if (store_lookup_locked(s, RESOURCE_NAMESPACE, NULL, name) == ns &&
	    store_namespace_empty_locked(s, name)) {
		cJSON *tree = store_obj_parse(ns);
		struct store_obj *gone = store_commit_locked(s, RESOURCE_NAMESPACE, ns, tree,
							     STORE_EVENT_DELETED, &err);

		cJSON_Delete(tree);
		pthread_mutex_unlock(&s->lock);
		if (gone) {
			store_sync(s, gone->resource_version, NULL);
			store_obj_unref(gone);
		} else {
			log_warn("namespace controller: %s", err.message);
		}
	} else {
		/* Objects still terminating: their removal queues another pass. */
		pthread_mutex_unlock(&s->lock);
	}
out:
	store_obj_unref(ns);
}

/* ---- the thread ---- */

static void *gc_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct gc_work *work;
		_cleanup_free_ char *pkey = NULL;

		while (!s->gc_head && !s->closing)
			pthread_cond_wait(&s->gc_cond, &s->lock);
		if (s->closing)
			break;
		work = s->gc_head;
		s->gc_head = work->next;
		if (!s->gc_head)
			s->gc_tail = NULL;
		pkey = pending_key(work->type, work->key);
		hashmap_remove(&s->gc_pending, pkey);
		pthread_mutex_unlock(&s->lock);
		if (work->type == GC_OWNER) {
			process_owner(s, work->key);
		} else if (work->type == GC_NAMESPACE) {
			process_namespace(s, work->key);
		} else {
			struct error err = ERROR_INIT;

			if (store_write_snapshot(s, &err) < 0)
				log_warn("state dir: cannot write a snapshot: %s", err.msg);
		}
		free(work->key);
		free(work);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int store_gc_start(struct store *s, struct error *err)
{
	int e = pthread_create(&s->gc_thread, NULL, gc_main, s);

	if (e)
		return error_set(err, "cannot start the garbage collector: %s", strerror(e));
	s->gc_running = true;
	return 0;
}

void store_gc_stop(struct store *s)
{
	struct gc_work *work;

	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_cond_broadcast(&s->gc_cond);
	pthread_mutex_unlock(&s->lock);
	if (s->gc_running) {
		pthread_join(s->gc_thread, NULL);
		s->gc_running = false;
	}
	pthread_mutex_lock(&s->lock);
	while ((work = s->gc_head)) {
		_cleanup_free_ char *pkey = pending_key(work->type, work->key);

		hashmap_remove(&s->gc_pending, pkey);
		s->gc_head = work->next;
		free(work->key);
		free(work);
	}
	s->gc_tail = NULL;
	pthread_mutex_unlock(&s->lock);
}
