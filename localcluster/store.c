/* store.c — the object store's core: per-kind sorted tables, the uid and
 * owner indexes, reads (get/list with selectors and paging), the commit
 * of a change (resourceVersion, WAL, history, watch queues), watches and
 * subscriptions. Writes with admission live in store_write.c, the garbage
 * collector in store_gc.c. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "selector.h"
#include "store_internal.h"
#include "strutil.h"
#include "strv.h"
#include "timeutil.h"
#include "xalloc.h"

/* A client (HTTP) watch whose consumer falls this far behind is ended, as
 * the real server drops slow watchers; the client re-lists. */
#define CLIENT_WATCH_MAX_BACKLOG 100000

struct store_watch {
	struct store *s;
	struct store_watch *prev, *next; /* in s->watches, under s->lock */
	unsigned kinds;
	char *ns; /* NULL: every namespace */
	struct selector labels, fields;
	bool client;
	bool ended;         /* under s->lock */
	int event_fd;       /* readable while queue is non-empty or ended */
	struct event_ring queue; /* under s->lock */
	uint64_t position;  /* under s->lock */
};

struct store_subscription {
	struct store_watch *watch;
	store_subscriber_fn fn;
	void *ctx;
	pthread_t thread;
};

/* ---- event rings ---- */

static void ring_push(struct event_ring *r, struct queued_event ev)
{
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct queued_event *items = xreallocarray(NULL, cap, sizeof(*items));

		for (size_t i = 0; i < r->len; i++)
			items[i] = r->items[(r->head + i) % r->cap];
		free(r->items);
		r->items = items;
		r->cap = cap;
		r->head = 0;
	}
	r->items[(r->head + r->len) % r->cap] = ev;
	r->len++;
}

static struct queued_event ring_pop(struct event_ring *r)
{
	struct queued_event ev = r->items[r->head];

	r->head = (r->head + 1) % r->cap;
	r->len--;
	return ev;
}

static const struct queued_event *ring_at(const struct event_ring *r, size_t i)
{
	return &r->items[(r->head + i) % r->cap];
}

static void queued_event_release(struct queued_event *ev)
{
	store_obj_unref(ev->object);
	store_obj_unref(ev->old);
	ev->object = ev->old = NULL;
}

static void ring_release(struct event_ring *r)
{
	while (r->len) {
		struct queued_event ev = ring_pop(r);

		queued_event_release(&ev);
	}
	free(r->items);
	*r = (struct event_ring){ 0 };
}

/* ---- kind tables ---- */

static int compare_key(const char *ns, const char *name, const struct store_obj *obj)
{
	int c = strcmp(ns, obj->namespace);

	return c ? c : strcmp(name, obj->name);
}

/* Index of (ns, name) if present (*found), else where it would go. */
static size_t table_search(const struct kind_table *t, const char *ns, const char *name,
			   bool *found)
{
	size_t lo = 0, hi = t->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare_key(ns, name, t->items[mid]);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

static void table_insert(struct kind_table *t, size_t pos, struct store_obj *obj)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->items = xreallocarray(t->items, t->cap, sizeof(*t->items));
	}
	memmove(&t->items[pos + 1], &t->items[pos], (t->len - pos) * sizeof(*t->items));
	t->items[pos] = obj;
	t->len++;
}

static void table_remove(struct kind_table *t, size_t pos)
{
	memmove(&t->items[pos], &t->items[pos + 1], (t->len - pos - 1) * sizeof(*t->items));
	t->len--;
}

static const char *kind_ns(enum resource_kind kind, const char *ns)
{
	return resource_get(kind)->namespaced && ns ? ns : "";
}

struct store_obj *store_lookup_locked(struct store *s, enum resource_kind kind, const char *ns,
				      const char *name)
{
	bool found;
	size_t pos = table_search(&s->tables[kind], kind_ns(kind, ns), name, &found);

	return found ? s->tables[kind].items[pos] : NULL;
}

bool store_namespace_empty_locked(struct store *s, const char *ns)
{
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		const struct kind_table *t = &s->tables[k];
		bool found;
		size_t pos;

		if (!resource_get((enum resource_kind)k)->namespaced)
			continue;
		pos = table_search(t, ns, "", &found);
		if (pos < t->len && !strcmp(t->items[pos]->namespace, ns))
			return false;
	}
	return true;
}

/* ---- the owner index ---- */

static void dependents_free(void *value)
{
	strv_release(value);
	free(value);
}

static void dependents_add(struct store *s, const char *owner_uid, const char *dependent_uid)
{
	struct strv *deps = hashmap_get(&s->dependents, owner_uid);

	if (!deps) {
		deps = xcalloc(1, sizeof(*deps));
		hashmap_put(&s->dependents, owner_uid, deps);
	}
	if (strv_find(deps, dependent_uid) < 0)
		strv_push(deps, dependent_uid);
}

static void dependents_remove(struct store *s, const char *owner_uid, const char *dependent_uid)
{
	struct strv *deps = hashmap_get(&s->dependents, owner_uid);
	long i;

	if (!deps || (i = strv_find(deps, dependent_uid)) < 0)
		return;
	free(deps->items[i]);
	deps->items[i] = deps->items[deps->len - 1];
	deps->items[--deps->len] = NULL;
	if (!deps->len)
		dependents_free(hashmap_remove(&s->dependents, owner_uid));
}

static bool owner_listed(const struct store_obj *obj, const char *uid)
{
	for (size_t i = 0; obj && i < obj->n_owners; i++)
		if (!strcmp(obj->owners[i].uid, uid))
			return true;
	return false;
}

static void update_owner_index(struct store *s, const struct store_obj *old,
			       const struct store_obj *obj)
{
	for (size_t i = 0; old && i < old->n_owners; i++)
		if (!owner_listed(obj, old->owners[i].uid))
			dependents_remove(s, old->owners[i].uid, old->uid);
	for (size_t i = 0; obj && i < obj->n_owners; i++)
		if (!owner_listed(old, obj->owners[i].uid))
			dependents_add(s, obj->owners[i].uid, obj->uid);
}

/* ---- committing ---- */

static void notify_watches_locked(struct store *s, const struct queued_event *ev)
{
	const struct store_obj *obj = ev->object;
	struct store_watch *w, *next;

	for (w = s->watches; w; w = next) {
		next = w->next;
		if (w->ended || !(w->kinds & RESOURCE_BIT(obj->kind)))
			continue;
		if (w->ns && strcmp(w->ns, obj->namespace) != 0)
			continue;
		if (w->client && w->queue.len >= CLIENT_WATCH_MAX_BACKLOG) {
			log_warn("ending a watch that fell %d events behind",
				 CLIENT_WATCH_MAX_BACKLOG);
			w->ended = true;
			ring_release(&w->queue);
			eventfd_write(w->event_fd, 1);
			continue;
		}
		ring_push(&w->queue, (struct queued_event){ ev->type, store_obj_ref(ev->object),
							    store_obj_ref(ev->old), ev->rv });
		if (w->queue.len == 1)
			eventfd_write(w->event_fd, 1);
	}
}

static void history_push_locked(struct store *s, const struct queued_event *ev)
{
	if (s->history_max == 0) {
		s->oldest_rv = ev->rv;
		return;
	}
	if (s->history.len == s->history_max) {
		struct queued_event dropped = ring_pop(&s->history);

		s->oldest_rv = dropped.rv;
		queued_event_release(&dropped);
	}
	ring_push(&s->history, (struct queued_event){ ev->type, store_obj_ref(ev->object),
						      store_obj_ref(ev->old), ev->rv });
}

/* Applies a snapshot to the tables and indexes and (unless it comes from
 * a state dir's snapshot, which is not a change) records the event.
 * Shared by commits and replay; takes its own references. */
static void apply_locked(struct store *s, struct store_obj *old, struct store_obj *obj,
			 enum store_event_type type, bool is_change)
{
	struct kind_table *t = &s->tables[obj->kind];
	struct queued_event ev = { type, obj, type == STORE_EVENT_MODIFIED ? old : NULL,
				   obj->resource_version };
	bool found;
	size_t pos = table_search(t, obj->namespace, obj->name, &found);

	if (type == STORE_EVENT_DELETED) {
		if (found) {
			struct store_obj *gone = t->items[pos];

			table_remove(t, pos);
			if (hashmap_get(&s->by_uid, gone->uid) == gone)
				hashmap_remove(&s->by_uid, gone->uid);
			update_owner_index(s, gone, NULL);
			store_obj_unref(gone);
		}
	} else {
		if (found) {
			struct store_obj *previous = t->items[pos];

			t->items[pos] = store_obj_ref(obj);
			if (strcmp(previous->uid, obj->uid) != 0)
				hashmap_remove(&s->by_uid, previous->uid);
			update_owner_index(s, previous, obj);
			store_obj_unref(previous);
		} else {
			table_insert(t, pos, store_obj_ref(obj));
			update_owner_index(s, NULL, obj);
		}
		hashmap_put(&s->by_uid, obj->uid, obj);
	}
	if (obj->resource_version > s->rv)
		s->rv = obj->resource_version;
	if (!is_change)
		return;
	history_push_locked(s, &ev);
	notify_watches_locked(s, &ev);
}

/* Queues what the garbage collector must look at after this change. */
static void queue_gc_after_locked(struct store *s, const struct store_obj *obj,
				  enum store_event_type type)
{
	if (type == STORE_EVENT_DELETED) {
		if (hashmap_get(&s->dependents, obj->uid))
			gc_enqueue_locked(s, GC_OWNER, obj->uid);
		/* An owner deleting in the foreground may have been waiting for it. */
		for (size_t i = 0; i < obj->n_owners; i++) {
			struct store_obj *owner = hashmap_get(&s->by_uid, obj->owners[i].uid);

			if (owner && owner->terminating)
				gc_enqueue_locked(s, GC_OWNER, owner->uid);
		}
		if (obj->namespace[0]) {
			struct store_obj *ns =
				store_lookup_locked(s, RESOURCE_NAMESPACE, NULL, obj->namespace);

			if (ns && ns->terminating)
				gc_enqueue_locked(s, GC_NAMESPACE, ns->name);
		}
		return;
	}
	if (obj->terminating && (store_obj_has_finalizer(obj, "foregroundDeletion") ||
				 store_obj_has_finalizer(obj, "orphan")))
		gc_enqueue_locked(s, GC_OWNER, obj->uid);
	if (obj->kind == RESOURCE_NAMESPACE && obj->terminating)
		gc_enqueue_locked(s, GC_NAMESPACE, obj->name);
	for (size_t i = 0; i < obj->n_owners; i++)
		if (!hashmap_get(&s->by_uid, obj->owners[i].uid))
			gc_enqueue_locked(s, GC_OWNER, obj->owners[i].uid);
}

struct store_obj *store_commit_locked(struct store *s, enum resource_kind kind,
				      struct store_obj *old, cJSON *tree,
				      enum store_event_type type, struct api_error *err)
{
	char rv_text[24];
	struct store_obj *obj;

	snprintf(rv_text, sizeof(rv_text), "%" PRIu64, s->rv + 1);
	json_set_string(json_ensure_object(tree, "metadata"), "resourceVersion", rv_text);
	obj = store_obj_build(kind, tree);
	if (s->wal) {
		struct wal_record rec = { .op = type == STORE_EVENT_DELETED ? 'D' : 'P',
					  .rv = s->rv + 1,
					  .kind = kind,
					  .json = obj->json,
					  .len = obj->json_len };
		struct error werr = ERROR_INIT;

		if (wal_append(s->wal, &rec, &werr) < 0) {
			log_warn("%s", werr.msg);
			store_obj_unref(obj);
			api_error_set(err, 500, "InternalError", "Internal error occurred: %s",
				      werr.msg);
			return NULL;
		}
	}
	apply_locked(s, old, obj, type, true);
	queue_gc_after_locked(s, obj, type);
	if (s->wal && wal_wants_snapshot(s->wal))
		gc_enqueue_locked(s, GC_SNAPSHOT, "");
	return obj;
}

int store_write_snapshot(struct store *s, struct error *err)
{
	struct store_obj **objects = NULL;
	struct wal_record *records;
	size_t n = 0, cap = 0;
	uint64_t rv, keep_from;
	int ret;

	if (!s->wal)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (wal_rotate(s->wal, &keep_from, err) < 0) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	rv = s->rv;
	for (int k = 0; k < RESOURCE_COUNT; k++)
		for (size_t i = 0; i < s->tables[k].len; i++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				objects = xreallocarray(objects, cap, sizeof(*objects));
			}
			objects[n++] = store_obj_ref(s->tables[k].items[i]);
		}
	pthread_mutex_unlock(&s->lock);

	records = xcalloc(n + 1, sizeof(*records));
	for (size_t i = 0; i < n; i++)
		records[i] = (struct wal_record){ .op = 'P',
						  .rv = objects[i]->resource_version,
						  .kind = objects[i]->kind,
						  .json = objects[i]->json,
						  .len = objects[i]->json_len };
	ret = wal_write_snapshot(s->wal, rv, records, n, keep_from, err);
	for (size_t i = 0; i < n; i++)
		store_obj_unref(objects[i]);
	free(objects);
	free(records);
	return ret;
}

int store_sync(struct store *s, uint64_t rv, struct api_error *err)
{
	struct error werr = ERROR_INIT;

	if (!s->wal || wal_sync(s->wal, rv, &werr) == 0)
		return 0;
	return api_error_set(err, 500, "InternalError", "Internal error occurred: %s", werr.msg);
}

/* ---- opening and closing ---- */

static int replay_record(void *ctx, const struct wal_record *rec, struct error *err)
{
	struct store *s = ctx;
	_cleanup_json_ cJSON *tree = json_parse_bounded(rec->json, rec->len, rec->len, err);
	struct store_obj *obj, *old;

	if (!tree)
		return -1;
	obj = store_obj_build(rec->kind, tree);
	obj->resource_version = rec->rv;
	old = store_lookup_locked(s, rec->kind, obj->namespace, obj->name);
	if (rec->op == 'D')
		apply_locked(s, old, obj, STORE_EVENT_DELETED, !rec->from_snapshot);
	else
		apply_locked(s, old, obj, old ? STORE_EVENT_MODIFIED : STORE_EVENT_ADDED,
			     !rec->from_snapshot);
	store_obj_unref(obj);
	return 0;
}

/* After a replay, the collector re-checks what may have been in flight. */
static void queue_gc_after_replay_locked(struct store *s)
{
	size_t pos = 0;
	const char *uid;

	for (int k = 0; k < RESOURCE_COUNT; k++)
		for (size_t i = 0; i < s->tables[k].len; i++)
			queue_gc_after_locked(s, s->tables[k].items[i], STORE_EVENT_MODIFIED);
	while (hashmap_next(&s->dependents, &pos, &uid, NULL))
		if (!hashmap_get(&s->by_uid, uid))
			gc_enqueue_locked(s, GC_OWNER, uid);
}

static int ensure_namespace(struct store *s, const char *name, struct error *err)
{
	cJSON *ns = cJSON_CreateObject();
	struct api_error aerr = API_ERROR_INIT;

	json_set_string(ns, "apiVersion", "v1");
	json_set_string(ns, "kind", "Namespace");
	json_set_string(json_ensure_object(ns, "metadata"), "name", name);
	if (store_create(s, RESOURCE_NAMESPACE, NULL, ns, NULL, NULL, &aerr) < 0 &&
	    aerr.code != 409)
		return error_set(err, "cannot create namespace '%s': %s", name, aerr.message);
	return 0;
}

struct store *store_open(const struct store_config *config, struct error *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	static const char *const initial_namespaces[] = { "default", "kube-system", "kube-public",
							  "kube-node-lease" };

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->gc_cond, NULL);
	hashmap_init(&s->by_uid);
	hashmap_init(&s->dependents);
	hashmap_init(&s->gc_pending);
	s->history_max = config->watch_history;
	if (config->state_dir) {
		uint64_t rv = 0;

		/* Replay runs before any other thread can see the store; the
		 * lock is taken only because the helpers expect it. */
		pthread_mutex_lock(&s->lock);
		if (wal_open(config->state_dir, replay_record, s, &s->wal, &rv, err) < 0) {
			pthread_mutex_unlock(&s->lock);
			error_prefix(err, "state dir '%s'", config->state_dir);
			store_close(s);
			return NULL;
		}
		s->rv = rv;
		/* The history holds what the log replayed; anything older is gone. */
		s->oldest_rv = s->history.len ? ring_at(&s->history, 0)->rv - 1 : rv;
		queue_gc_after_replay_locked(s);
		pthread_mutex_unlock(&s->lock);
	}
	if (store_gc_start(s, err) < 0) {
		store_close(s);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(initial_namespaces); i++)
		if (ensure_namespace(s, initial_namespaces[i], err) < 0) {
			store_close(s);
			return NULL;
		}
	return s;
}

void store_shutdown(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	for (struct store_watch *w = s->watches; w; w = w->next) {
		w->ended = true;
		eventfd_write(w->event_fd, 1);
	}
	pthread_mutex_unlock(&s->lock);
	store_gc_stop(s);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_shutdown(s);
	if (s->watches)
		die("store_close: a watch is still open");
	for (int k = 0; k < RESOURCE_COUNT; k++) {
		for (size_t i = 0; i < s->tables[k].len; i++)
			store_obj_unref(s->tables[k].items[i]);
		free(s->tables[k].items);
	}
	hashmap_release_with(&s->dependents, dependents_free);
	hashmap_release(&s->by_uid);
	hashmap_release(&s->gc_pending);
	ring_release(&s->history);
	wal_close(s->wal);
	pthread_cond_destroy(&s->gc_cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint64_t store_current_rv(struct store *s)
{
	uint64_t rv;

	pthread_mutex_lock(&s->lock);
	rv = s->rv;
	pthread_mutex_unlock(&s->lock);
	return rv;
}

/* ---- reading ---- */

int store_not_found(struct api_error *err, enum resource_kind kind, const char *name)
{
	const struct resource *r = resource_get(kind);

	api_error_set(err, 404, "NotFound", "%s \"%s\" not found", r->qualified, name);
	api_error_details(err, r->group, r->plural, name);
	return -1;
}

int store_get(struct store *s, enum resource_kind kind, const char *ns, const char *name,
	      struct store_obj **ret, struct api_error *err)
{
	struct store_obj *obj;

	pthread_mutex_lock(&s->lock);
	obj = store_lookup_locked(s, kind, ns, name);
	if (obj && ret)
		*ret = store_obj_ref(obj);
	pthread_mutex_unlock(&s->lock);
	if (!obj)
		return store_not_found(err, kind, name);
	return 0;
}

int store_parse_selectors(enum resource_kind kind, const char *label_text, const char *field_text,
			  struct selector *labels, struct selector *fields, struct api_error *err)
{
	struct error perr = ERROR_INIT;

	if (label_text && selector_parse_labels(label_text, labels, &perr) < 0)
		return api_error_set(err, 400, "BadRequest", "%s", perr.msg);
	if (field_text &&
	    (selector_parse_fields(field_text, fields, &perr) < 0 ||
	     selector_check_fields(fields, resource_get(kind)->field_selectors, &perr) < 0)) {
		selector_release(labels);
		selector_release(fields);
		return api_error_set(err, 400, "BadRequest", "%s", perr.msg);
	}
	return 0;
}

/* Continue tokens are base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"ns/name"},
 * like the real server's; listing resumes after start. */
static char *encode_continue(uint64_t rv, const struct store_obj *last)
{
	_cleanup_json_ cJSON *token = cJSON_CreateObject();
	_cleanup_free_ char *start = xasprintf("%s/%s", last->namespace, last->name);
	_cleanup_free_ char *json = NULL;
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	json_set_string(token, "v", "meta.k8s.io/v1");
	json_set_int64(token, "rv", (int64_t)rv);
	json_set_string(token, "start", start);
	json = json_print_compact(token);
	base64_encode(json, strlen(json), &out);
	return buf_detach(&out, NULL);
}

static int decode_continue(const char *text, uint64_t *ret_rv, char **ret_ns, char **ret_name,
			   struct api_error *err)
{
	struct buf json = BUF_INIT(BUF_MAX_SMALL);
	_cleanup_json_ cJSON *token = NULL;
	const char *start, *slash;
	int64_t rv;

	if (base64_decode(text, strlen(text), &json, NULL) < 0 ||
	    !(token = json_parse_bounded(json.data, json.len, BUF_MAX_SMALL, NULL)) ||
	    !str_eq(json_get_string(token, "v"), "meta.k8s.io/v1") ||
	    !json_get_int64(token, "rv", &rv) || rv < 0 ||
	    !(start = json_get_string(token, "start")) || !(slash = strchr(start, '/'))) {
		buf_release(&json);
		return api_error_set(err, 400, "BadRequest",
				     "continue key is not valid: incorrect encoded start "
				     "resourceVersion (version meta.k8s.io/v1)");
	}
	buf_release(&json);
	*ret_rv = (uint64_t)rv;
	*ret_ns = xstrndup(start, (size_t)(slash - start));
	*ret_name = xstrdup(slash + 1);
	return 0;
}

int store_list(struct store *s, enum resource_kind kind, const char *ns,
	       const struct store_list_options *opts, struct store_list *ret,
	       struct api_error *err)
{
	struct selector labels = SELECTOR_INIT, fields = SELECTOR_INIT;
	struct store_list list = STORE_LIST_INIT;
	_cleanup_free_ char *after_ns = NULL, *after_name = NULL;
	uint64_t token_rv = 0;
	const struct kind_table *t;
	size_t pos, cap = 0, limit = opts ? opts->limit : 0;
	bool found, with_selectors;
	struct store_obj *last = NULL;

	if (!resource_get(kind)->namespaced || (ns && !*ns))
		ns = NULL;
	if (opts && store_parse_selectors(kind, opts->label_selector, opts->field_selector,
					  &labels, &fields, err) < 0)
		return -1;
	with_selectors = labels.len || fields.len;
	if (opts && opts->continue_token && *opts->continue_token &&
	    decode_continue(opts->continue_token, &token_rv, &after_ns, &after_name, err) < 0)
		goto fail;

	pthread_mutex_lock(&s->lock);
	if (after_ns && token_rv < s->oldest_rv) {
		pthread_mutex_unlock(&s->lock);
		api_error_set(err, 410, "Expired",
			      "The provided continue parameter is too old to display a consistent "
			      "list result. You can start a new list without the continue "
			      "parameter.");
		goto fail;
	}
	t = &s->tables[kind];
	if (after_ns) {
		pos = table_search(t, after_ns, after_name, &found);
		if (found)
			pos++;
		if (ns && strcmp(after_ns, ns) < 0)
			pos = table_search(t, ns, "", &found);
	} else {
		pos = ns ? table_search(t, ns, "", &found) : 0;
	}
	list.resource_version = after_ns ? token_rv : s->rv;
	for (; pos < t->len; pos++) {
		struct store_obj *obj = t->items[pos];

		if (ns && strcmp(obj->namespace, ns) != 0)
			break; /* past the namespace's range */
		if (!store_obj_matches(obj, NULL, &labels, &fields))
			continue;
		if (limit && list.len == limit) {
			/* A next page exists; count it unless selectors make that costly to promise. */
			list.continue_token = encode_continue(list.resource_version, last);
			if (!with_selectors) {
				size_t remaining = 0;

				for (; pos < t->len && (!ns || !strcmp(t->items[pos]->namespace, ns));
				     pos++)
					remaining++;
				list.remaining = (int64_t)remaining;
			}
			break;
		}
		if (list.len == cap) {
			cap = cap ? cap * 2 : 64;
			list.items = xreallocarray(list.items, cap, sizeof(*list.items));
		}
		list.items[list.len++] = last = store_obj_ref(obj);
	}
	pthread_mutex_unlock(&s->lock);
	selector_release(&labels);
	selector_release(&fields);
	*ret = list;
	return 0;
fail:
	selector_release(&labels);
	selector_release(&fields);
	return -1;
}

void store_list_release(struct store_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		store_obj_unref(list->items[i]);
	free(list->items);
	free(list->continue_token);
	*list = (struct store_list)STORE_LIST_INIT;
}

/* ---- watches ---- */

void store_event_release(struct store_event *ev)
{
	store_obj_unref(ev->object);
	store_obj_unref(ev->old);
	ev->object = ev->old = NULL;
}

static void watch_free(struct store_watch *w)
{
	ring_release(&w->queue);
	selector_release(&w->labels);
	selector_release(&w->fields);
	if (w->event_fd >= 0)
		close(w->event_fd);
	free(w->ns);
	free(w);
}

struct store_watch *store_watch_open(struct store *s, const struct store_watch_options *opts,
				     struct api_error *err)
{
	struct store_watch *w = xcalloc(1, sizeof(*w));
	enum resource_kind first_kind = RESOURCE_POD;

	for (int k = 0; k < RESOURCE_COUNT; k++)
		if (opts->kinds & RESOURCE_BIT(k)) {
			first_kind = (enum resource_kind)k;
			break;
		}
	w->s = s;
	w->kinds = opts->kinds & RESOURCE_ALL;
	w->ns = opts->ns && *opts->ns ? xstrdup(opts->ns) : NULL;
	w->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->event_fd < 0) {
		api_error_set(err, 500, "InternalError", "Internal error occurred: eventfd: %s",
			      strerror(errno));
		watch_free(w);
		return NULL;
	}
	if (store_parse_selectors(first_kind, opts->label_selector, opts->field_selector,
				  &w->labels, &w->fields, err) < 0) {
		watch_free(w);
		return NULL;
	}

	pthread_mutex_lock(&s->lock);
	if (s->closing) {
		pthread_mutex_unlock(&s->lock);
		api_error_set(err, 503, "ServiceUnavailable", "the server is shutting down");
		watch_free(w);
		return NULL;
	}
	if (opts->resource_version == STORE_WATCH_FROM_LIST) {
		/* Synthetic ADDED events for the current state, in list order. */
		for (int k = 0; k < RESOURCE_COUNT; k++) {
			const struct kind_table *t = &s->tables[k];

			if (!(w->kinds & RESOURCE_BIT(k)))
				continue;
			for (size_t i = 0; i < t->len; i++)
				if (!w->ns || !strcmp(t->items[i]->namespace, w->ns))
					ring_push(&w->queue,
						  (struct queued_event){ STORE_EVENT_ADDED,
									 store_obj_ref(t->items[i]),
									 NULL, s->rv });
		}
	} else if (opts->resource_version > s->rv) {
		pthread_mutex_unlock(&s->lock);
		api_error_set(err, 504, "Timeout", "Timeout: Too large resource version: %" PRIu64
						   ", current: %" PRIu64,
			      opts->resource_version, s->rv);
		api_error_add_cause(err, "ResourceVersionTooLarge", NULL,
				    "Too large resource version");
		api_error_details(err, NULL, NULL, NULL);
		err->retry_after_seconds = 1;
		watch_free(w);
		return NULL;
	} else if (opts->resource_version < s->oldest_rv) {
		uint64_t oldest = s->oldest_rv;

		pthread_mutex_unlock(&s->lock);
		api_error_set(err, 410, "Expired",
			      "too old resource version: %" PRIu64 " (%" PRIu64 ")",
			      opts->resource_version, oldest);
		watch_free(w);
		return NULL;
	} else {
		for (size_t i = 0; i < s->history.len; i++) {
			const struct queued_event *ev = ring_at(&s->history, i);

			if (ev->rv <= opts->resource_version ||
			    !(w->kinds & RESOURCE_BIT(ev->object->kind)) ||
			    (w->ns && strcmp(w->ns, ev->object->namespace) != 0))
				continue;
			ring_push(&w->queue, (struct queued_event){ ev->type,
								    store_obj_ref(ev->object),
								    store_obj_ref(ev->old), ev->rv });
		}
	}
	w->position = opts->resource_version ? opts->resource_version : s->rv;
	if (w->queue.len)
		eventfd_write(w->event_fd, 1);
	w->next = s->watches;
	if (s->watches)
		s->watches->prev = w;
	s->watches = w;
	s->n_watches++;
	pthread_mutex_unlock(&s->lock);
	return w;
}

/* What the watch's consumer sees of a queued event once selectors are
 * applied to its old and new states; false if nothing. */
static bool filter_event(const struct store_watch *w, struct queued_event *qe,
			 struct store_event *ret)
{
	bool now = store_obj_matches(qe->object, NULL, &w->labels, &w->fields);
	bool before = qe->old && store_obj_matches(qe->old, NULL, &w->labels, &w->fields);

	ret->object = qe->object;
	ret->old = qe->old;
	switch (qe->type) {
	case STORE_EVENT_ADDED:
	case STORE_EVENT_DELETED:
		ret->type = qe->type;
		return now;
	case STORE_EVENT_MODIFIED:
		if (now && before)
			ret->type = STORE_EVENT_MODIFIED;
		else if (now)
			ret->type = STORE_EVENT_ADDED;
		else if (before)
			ret->type = STORE_EVENT_DELETED;
		else
			return false;
		if (ret->type != STORE_EVENT_MODIFIED)
			ret->old = NULL;
		return true;
	}
	return false;
}

int store_watch_next(struct store_watch *w, int timeout_ms, struct store_event *ret)
{
	struct store *s = w->s;
	int64_t deadline = timeout_ms >= 0 ? time_mono_ms() + timeout_ms : -1;

	for (;;) {
		struct queued_event qe;
		eventfd_t drained;
		struct pollfd pfd = { .fd = w->event_fd, .events = POLLIN };
		int wait_ms;

		pthread_mutex_lock(&s->lock);
		if (w->ended) {
			pthread_mutex_unlock(&s->lock);
			return -1;
		}
		if (w->queue.len) {
			qe = ring_pop(&w->queue);
			if (qe.rv > w->position)
				w->position = qe.rv;
			if (!w->queue.len)
				eventfd_read(w->event_fd, &drained);
			pthread_mutex_unlock(&s->lock);
			if (filter_event(w, &qe, ret)) {
				/* The references move to *ret (old dropped if filtered out). */
				if (ret->old != qe.old)
					store_obj_unref(qe.old);
				return 1;
			}
			queued_event_release(&qe);
			continue;
		}
		eventfd_read(w->event_fd, &drained);
		pthread_mutex_unlock(&s->lock);
		if (deadline < 0) {
			wait_ms = -1;
		} else {
			int64_t left = deadline - time_mono_ms();

			if (left <= 0)
				return 0;
			wait_ms = (int)left;
		}
		if (poll(&pfd, 1, wait_ms) == 0)
			return 0;
	}
}

int store_watch_fd(const struct store_watch *w)
{
	return w->event_fd;
}

uint64_t store_watch_position(struct store_watch *w)
{
	uint64_t position;

	pthread_mutex_lock(&w->s->lock);
	/* With nothing queued, every event up to now has been seen. */
	if (!w->queue.len && w->s->rv > w->position)
		w->position = w->s->rv;
	position = w->position;
	pthread_mutex_unlock(&w->s->lock);
	return position;
}

void store_watch_close(struct store_watch *w)
{
	struct store *s;

	if (!w)
		return;
	s = w->s;
	pthread_mutex_lock(&s->lock);
	if (w->prev)
		w->prev->next = w->next;
	else
		s->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	s->n_watches--;
	pthread_mutex_unlock(&s->lock);
	watch_free(w);
}

void store_watch_set_client(struct store_watch *w)
{
	pthread_mutex_lock(&w->s->lock);
	w->client = true;
	pthread_mutex_unlock(&w->s->lock);
}

void store_drop_client_watches(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	for (struct store_watch *w = s->watches; w; w = w->next)
		if (w->client && !w->ended) {
			w->ended = true;
			ring_release(&w->queue);
			eventfd_write(w->event_fd, 1);
		}
	pthread_mutex_unlock(&s->lock);
}

void store_compact_history(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	ring_release(&s->history);
	s->oldest_rv = s->rv;
	pthread_mutex_unlock(&s->lock);
}

void store_get_stats(struct store *s, struct store_stats *ret)
{
	pthread_mutex_lock(&s->lock);
	for (int k = 0; k < RESOURCE_COUNT; k++)
		ret->objects[k] = s->tables[k].len;
	ret->watches = s->n_watches;
	ret->client_watches = 0;
	for (struct store_watch *w = s->watches; w; w = w->next)
		if (w->client)
			ret->client_watches++;
	ret->history_len = s->history.len;
	ret->oldest_rv = s->oldest_rv;
	pthread_mutex_unlock(&s->lock);
}

/* ---- subscriptions ---- */

static void *subscription_main(void *arg)
{
	struct store_subscription *sub = arg;
	struct store_event ev;

	while (store_watch_next(sub->watch, -1, &ev) == 1) {
		sub->fn(sub->ctx, &ev);
		store_event_release(&ev);
	}
	return NULL;
}

struct store_subscription *store_subscribe(struct store *s, const struct store_watch_options *opts,
					   store_subscriber_fn fn, void *ctx,
					   struct api_error *err)
{
	struct store_subscription *sub = xcalloc(1, sizeof(*sub));
	int e;

	sub->watch = store_watch_open(s, opts, err);
	if (!sub->watch) {
		free(sub);
		return NULL;
	}
	sub->fn = fn;
	sub->ctx = ctx;
	e = pthread_create(&sub->thread, NULL, subscription_main, sub);
	if (e) {
		store_watch_close(sub->watch);
		free(sub);
		api_error_set(err, 500, "InternalError", "Internal error occurred: %s", strerror(e));
		return NULL;
	}
	return sub;
}

void store_unsubscribe(struct store_subscription *sub)
{
	struct store_watch *w;

	if (!sub)
		return;
	w = sub->watch;
	pthread_mutex_lock(&w->s->lock);
	w->ended = true;
	eventfd_write(w->event_fd, 1);
	pthread_mutex_unlock(&w->s->lock);
	pthread_join(sub->thread, NULL);
	store_watch_close(w);
	free(sub);
}

/* ---- hooks ---- */

void store_set_pod_terminator(struct store *s, store_pod_terminator_fn fn, void *ctx)
{
	pthread_mutex_lock(&s->lock);
	s->pod_terminator = fn;
	s->pod_terminator_ctx = ctx;
	pthread_mutex_unlock(&s->lock);
}
