/* cache.c — jobs and groups in memory: trimmed objects as text, queued
 * for one refresher thread that publishes their views (see cache.h).
 *
 * Locks: `lock` (read/write) guards the maps, every entry's texts and the
 * listings; `queue_lock` guards the queue and each entry's `queued` flag;
 * when both are held, `lock` is taken first. Only the refresher writes an
 * entry's view or frees an entry, so it reads them without `lock`. */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "groupview.h"
#include "hashmap.h"
#include "jobview.h"
#include "jsonutil.h"
#include "labels.h"
#include "strutil.h"
#include "timeutil.h"
#include "trim.h"
#include "xalloc.h"

struct entry;

/* A pod or ConfigMap of a job or group. */
struct member {
	char *name;
	struct entry *owner;
	size_t slot; /* its index in the owner's list */
	char *text;  /* trimmed, compact JSON */
};

struct member_list {
	struct member **items;
	size_t len, cap;
};

enum member_kind {
	MEMBER_POD,
	MEMBER_CONFIGMAP,
	MEMBER_KINDS,
};

struct ns_record {
	struct blob *name;
	struct hashmap entries;               /* name -> struct entry */
	struct hashmap members[MEMBER_KINDS]; /* object name -> struct member */
	size_t shown;                         /* entries with a view */
	struct fs_listing *listing;
	bool listing_stale;
};

struct entry {
	char *name;
	struct ns_record *ns;
	char *workload;    /* trimmed, compact JSON; NULL when there is none */
	struct blob *task; /* the task as launched, or NULL */
	struct member_list members[MEMBER_KINDS];
	struct view *view; /* published (NULL: not shown) */
	bool queued;       /* in the queue, or deferred */
	struct entry *next_queued;
	int64_t not_before_ms; /* (monotonic) its next rebuild, when paced */
};

struct fs_cache {
	char *namespace; /* the one namespace shown, or NULL for all */
	pthread_rwlock_t lock;
	struct hashmap namespaces; /* name -> struct ns_record */
	struct fs_listing *root;   /* all namespaces: those with something shown */
	bool root_stale;

	pthread_mutex_t queue_lock;
	pthread_cond_t queue_cond;
	struct entry *queue_head, *queue_tail;
	size_t queued;
	bool interrupted;
	/* Entries whose rebuild was paced (see PACE_*), each with its time. */
	struct entry *deferred;
	size_t n_deferred;
	struct fs_cache_pacing pacing;
};

/* A job's view costs microseconds to rebuild; a big group's, with tens of
 * thousands of inputs, much more. An entry whose rebuild took longer than
 * 5 ms waits 4 times as long (at most 800 ms) before the next one, so that
 * the refresher spends at most about a fifth of a CPU on it and its
 * changes still show within a second. */
#define FS_CACHE_PACING_DEFAULT { .min_cost_ms = 5, .factor = 4, .max_ms = 800 }

/* --- listings --------------------------------------------------------------- */

static struct fs_listing *listing_new(size_t capacity, int64_t now_ms)
{
	struct fs_listing *l = xcalloc(1, sizeof(*l));

	atomic_init(&l->refs, 1);
	l->names = capacity ? xcalloc(capacity, sizeof(*l->names)) : NULL;
	l->mtime_ms = now_ms;
	return l;
}

static struct fs_listing *listing_ref(struct fs_listing *l)
{
	if (l)
		atomic_fetch_add_explicit(&l->refs, 1, memory_order_relaxed);
	return l;
}

void fs_listing_unref(struct fs_listing *l)
{
	if (!l || atomic_fetch_sub_explicit(&l->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < l->len; i++)
		free(l->names[i]);
	free(l->names);
	free(l);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing_sort(struct fs_listing *l)
{
	if (l->len > 1)
		qsort(l->names, l->len, sizeof(*l->names), compare_strings);
}

/* --- records ---------------------------------------------------------------- */

struct fs_cache *fs_cache_new(const char *namespace)
{
	struct fs_cache *c = xcalloc(1, sizeof(*c));

	c->namespace = namespace ? xstrdup(namespace) : NULL;
	pthread_rwlock_init(&c->lock, NULL);
	hashmap_init(&c->namespaces);
	pthread_mutex_init(&c->queue_lock, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&c->queue_cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	c->root = listing_new(0, time_real_ms());
	c->pacing = (struct fs_cache_pacing)FS_CACHE_PACING_DEFAULT;
	return c;
}

void fs_cache_set_pacing(struct fs_cache *c, const struct fs_cache_pacing *pacing)
{
	c->pacing = *pacing;
}

static void member_free(struct member *m)
{
	free(m->name);
	free(m->text);
	free(m);
}

static size_t entry_members(const struct entry *e)
{
	size_t n = 0;

	for (int k = 0; k < MEMBER_KINDS; k++)
		n += e->members[k].len;
	return n;
}

static void entry_free(struct entry *e)
{
	for (int k = 0; k < MEMBER_KINDS; k++) {
		for (size_t i = 0; i < e->members[k].len; i++)
			member_free(e->members[k].items[i]);
		free(e->members[k].items);
	}
	free(e->name);
	free(e->workload);
	blob_unref(e->task);
	view_unref(e->view);
	free(e);
}

static void ns_record_free(struct ns_record *ns)
{
	size_t pos = 0;
	void *value;

	while (hashmap_next(&ns->entries, &pos, NULL, &value))
		entry_free(value);
	hashmap_release(&ns->entries);
	for (int k = 0; k < MEMBER_KINDS; k++)
		hashmap_release(&ns->members[k]); /* the members went with their entries */
	fs_listing_unref(ns->listing);
	blob_unref(ns->name);
	free(ns);
}

void fs_cache_free(struct fs_cache *c)
{
	size_t pos = 0;
	void *value;

	if (!c)
		return;
	while (hashmap_next(&c->namespaces, &pos, NULL, &value))
		ns_record_free(value);
	hashmap_release(&c->namespaces);
	fs_listing_unref(c->root);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->queue_lock);
	pthread_cond_destroy(&c->queue_cond);
	free(c->namespace);
	free(c);
}

/* Under the write lock. NULL for a namespace the mount does not show. */
static struct ns_record *ns_record_get(struct fs_cache *c, const char *name)
{
	struct ns_record *ns;

	if (!name || (c->namespace && strcmp(name, c->namespace) != 0))
		return NULL;
	ns = hashmap_get(&c->namespaces, name);
	if (!ns) {
		ns = xcalloc(1, sizeof(*ns));
		ns->name = blob_from_string(name);
		hashmap_init(&ns->entries);
		for (int k = 0; k < MEMBER_KINDS; k++)
			hashmap_init(&ns->members[k]);
		ns->listing = listing_new(0, time_real_ms());
		hashmap_put(&c->namespaces, name, ns);
	}
	return ns;
}

static struct entry *entry_get(struct ns_record *ns, const char *name)
{
	struct entry *e = hashmap_get(&ns->entries, name);

	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->name = xstrdup(name);
		e->ns = ns;
		hashmap_put(&ns->entries, name, e);
	}
	return e;
}

/* Under the write lock: the refresher will rebuild this entry. */
static void entry_queue(struct fs_cache *c, struct entry *e)
{
	pthread_mutex_lock(&c->queue_lock);
	if (!e->queued) {
		e->queued = true;
		e->next_queued = NULL;
		if (c->queue_tail)
			c->queue_tail->next_queued = e;
		else
			c->queue_head = e;
		c->queue_tail = e;
		c->queued++;
		pthread_cond_signal(&c->queue_cond);
	}
	pthread_mutex_unlock(&c->queue_lock);
}

static char *compact_text(cJSON *trimmed)
{
	char *text = json_print_compact(trimmed);

	cJSON_Delete(trimmed);
	return text;
}

/* --- feeding ------------------------------------------------------------------ */

void fs_cache_workload(struct fs_cache *c, const cJSON *workload, bool deleted)
{
	const char *name = json_get_string(workload, "metadata.name");
	const char *task = json_get_child_string(json_get(workload, "metadata.annotations"),
						 ANNOTATION_TASK);
	struct ns_record *ns;
	struct entry *e;
	char *text = NULL;

	if (!name)
		return;
	if (!deleted)
		text = compact_text(trim_workload(workload));
	pthread_rwlock_wrlock(&c->lock);
	ns = ns_record_get(c, json_get_string(workload, "metadata.namespace"));
	if (!ns || (deleted && !hashmap_get(&ns->entries, name))) {
		pthread_rwlock_unlock(&c->lock);
		free(text);
		return;
	}
	e = entry_get(ns, name);
	free(e->workload);
	e->workload = text;
	if (deleted || !task) {
		blob_unref(e->task);
		e->task = NULL;
	} else if (!e->task || strcmp(e->task->data, task) != 0) {
		blob_unref(e->task);
		e->task = blob_from_string(task);
	}
	entry_queue(c, e);
	pthread_rwlock_unlock(&c->lock);
}

/* The job or group a pod or ConfigMap belongs to. */
static const char *member_owner(const cJSON *object)
{
	const cJSON *labels = json_get(object, "metadata.labels");
	const char *group = json_get_child_string(labels, LABEL_GROUP_ID);

	return group ? group : json_get_child_string(labels, LABEL_JOB_NAME);
}

static void member_detach(struct member *m, enum member_kind kind)
{
	struct member_list *list = &m->owner->members[kind];

	list->items[m->slot] = list->items[--list->len];
	list->items[m->slot]->slot = m->slot;
}

static void member_attach(struct entry *e, enum member_kind kind, struct member *m)
{
	struct member_list *list = &e->members[kind];

	if (list->len == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 2;
		list->items = xreallocarray(list->items, list->cap, sizeof(*list->items));
	}
	m->owner = e;
	m->slot = list->len;
	list->items[list->len++] = m;
}

static void member_event(struct fs_cache *c, enum member_kind kind, const cJSON *object,
			 bool deleted)
{
	const char *name = json_get_string(object, "metadata.name");
	const char *owner = member_owner(object);
	struct ns_record *ns;
	struct member *m;
	char *text = NULL;

	if (!name)
		return;
	if (!deleted) {
		if (!owner)
			return;
		text = compact_text(kind == MEMBER_POD ? trim_pod(object) : trim_configmap(object));
	}
	pthread_rwlock_wrlock(&c->lock);
	ns = ns_record_get(c, json_get_string(object, "metadata.namespace"));
	m = ns ? hashmap_get(&ns->members[kind], name) : NULL;
	if (deleted) {
		if (m) {
			hashmap_remove(&ns->members[kind], name);
			member_detach(m, kind);
			entry_queue(c, m->owner);
			member_free(m);
		}
	} else if (ns) {
		struct entry *e = entry_get(ns, owner);

		if (!m) {
			m = xcalloc(1, sizeof(*m));
			m->name = xstrdup(name);
			hashmap_put(&ns->members[kind], name, m);
			member_attach(e, kind, m);
		} else if (m->owner != e) {
			/* Labels do not change, but a new object may reuse a name. */
			entry_queue(c, m->owner);
			member_detach(m, kind);
			member_attach(e, kind, m);
		}
		free(m->text);
		m->text = TAKE_PTR(text);
		entry_queue(c, e);
	}
	pthread_rwlock_unlock(&c->lock);
	free(text);
}

void fs_cache_pod(struct fs_cache *c, const cJSON *pod, bool deleted)
{
	member_event(c, MEMBER_POD, pod, deleted);
}

void fs_cache_configmap(struct fs_cache *c, const cJSON *configmap, bool deleted)
{
	member_event(c, MEMBER_CONFIGMAP, configmap, deleted);
}

/* --- refreshing ------------------------------------------------------------- */

/* Under queue_lock: when the first deferred entry is due (monotonic), or
 * INT64_MAX. */
static int64_t earliest_deferred(const struct fs_cache *c)
{
	int64_t earliest = INT64_MAX;

	for (const struct entry *e = c->deferred; e; e = e->next_queued)
		if (e->not_before_ms < earliest)
			earliest = e->not_before_ms;
	return earliest;
}

bool fs_cache_wait(struct fs_cache *c, int64_t timeout_ms)
{
	int64_t now = time_mono_ms(), until_ms;
	struct timespec until;
	bool ready;

	pthread_mutex_lock(&c->queue_lock);
	until_ms = now + timeout_ms;
	if (earliest_deferred(c) < until_ms)
		until_ms = earliest_deferred(c);
	if (until_ms < now)
		until_ms = now;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (until_ms - now) / 1000;
	until.tv_nsec += ((until_ms - now) % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (!c->queue_head && !c->interrupted &&
	       pthread_cond_timedwait(&c->queue_cond, &c->queue_lock, &until) == 0)
		;
	c->interrupted = false;
	ready = c->queue_head != NULL || earliest_deferred(c) <= time_mono_ms();
	pthread_mutex_unlock(&c->queue_lock);
	return ready;
}

void fs_cache_interrupt(struct fs_cache *c)
{
	pthread_mutex_lock(&c->queue_lock);
	c->interrupted = true;
	pthread_cond_broadcast(&c->queue_cond);
	pthread_mutex_unlock(&c->queue_lock);
}

static cJSON *parse_text(const char *text)
{
	return text ? cJSON_Parse(text) : NULL;
}

/* What a view is built from, copied out under the read lock. */
struct entry_objects {
	cJSON *workload;
	cJSON *members[MEMBER_KINDS]; /* arrays */
	struct blob *task;
};

static void entry_objects_read(const struct entry *e, struct entry_objects *ret)
{
	ret->workload = parse_text(e->workload);
	for (int k = 0; k < MEMBER_KINDS; k++) {
		ret->members[k] = cJSON_CreateArray();
		for (size_t i = 0; i < e->members[k].len; i++) {
			cJSON *object = parse_text(e->members[k].items[i]->text);

			if (object)
				cJSON_AddItemToArray(ret->members[k], object);
		}
	}
	ret->task = blob_ref(e->task);
}

static void entry_objects_release(struct entry_objects *o)
{
	cJSON_Delete(o->workload);
	for (int k = 0; k < MEMBER_KINDS; k++)
		cJSON_Delete(o->members[k]);
	blob_unref(o->task);
}

static struct view *build_view(const struct entry_objects *o, int64_t now_ms)
{
	const char *kind = json_get_child_string(json_get(o->workload, "metadata.labels"),
						 LABEL_KIND);

	if (str_eq(kind, LABEL_KIND_GROUP))
		return group_view_build(o->workload, o->members[MEMBER_POD],
					o->members[MEMBER_CONFIGMAP], o->task, now_ms);
	return job_view_build(o->workload, o->members[MEMBER_POD], o->task, now_ms);
}

static char *entry_path(const struct fs_cache *c, const struct entry *e)
{
	return c->namespace ? xstrdup(e->name) : xasprintf("%s/%s", e->ns->name->data, e->name);
}

/* Under the write lock: frees an entry nothing refers to any more; true
 * if it did. */
static bool entry_forget_if_gone(struct fs_cache *c, struct entry *e)
{
	bool queued;

	pthread_mutex_lock(&c->queue_lock);
	queued = e->queued;
	pthread_mutex_unlock(&c->queue_lock);
	if (queued || e->workload || entry_members(e) || e->view)
		return false;
	hashmap_remove(&e->ns->entries, e->name);
	entry_free(e);
	return true;
}

/* An entry that took long to rebuild is rebuilt again no sooner than
 * not_before_ms; if it was queued meanwhile, it waits with the deferred. */
static void pace(struct fs_cache *c, struct entry *e, int64_t not_before_ms)
{
	pthread_mutex_lock(&c->queue_lock);
	e->not_before_ms = not_before_ms;
	pthread_mutex_unlock(&c->queue_lock);
}

/* Rebuilds one entry; false if that freed it (nothing is left of it). */
static bool refresh_entry(struct fs_cache *c, struct entry *e, int64_t now_ms,
			  view_change_fn fn, void *ctx)
{
	bool freed;
	struct entry_objects objects;
	struct view *fresh = NULL, *old = e->view;
	_cleanup_free_ char *path = entry_path(c, e);
	struct ns_record *ns = e->ns;

	pthread_rwlock_rdlock(&c->lock);
	entry_objects_read(e, &objects);
	pthread_rwlock_unlock(&c->lock);
	if (objects.workload) {
		fresh = build_view(&objects, now_ms);
		fresh->ns = blob_ref(ns->name);
	}
	view_inherit(fresh, old, path, fn, ctx);
	entry_objects_release(&objects);

	pthread_rwlock_wrlock(&c->lock);
	e->view = fresh;
	if (!old != !fresh) {
		ns->listing_stale = true;
		if (fresh && ns->shown++ == 0)
			c->root_stale = true;
		if (!fresh && --ns->shown == 0)
			c->root_stale = true;
	}
	freed = entry_forget_if_gone(c, e);
	pthread_rwlock_unlock(&c->lock);
	view_unref(old);
	return !freed;
}

/* Under the write lock. */
static void rebuild_ns_listing(struct ns_record *ns, int64_t now_ms)
{
	struct fs_listing *l = listing_new(ns->shown, now_ms);
	size_t pos = 0;
	const char *name;
	void *value;

	while (hashmap_next(&ns->entries, &pos, &name, &value))
		if (((struct entry *)value)->view && l->len < ns->shown)
			l->names[l->len++] = xstrdup(name);
	listing_sort(l);
	fs_listing_unref(ns->listing);
	ns->listing = l;
	ns->listing_stale = false;
}

/* Under the write lock: the namespaces that show something. */
static void rebuild_root_listing(struct fs_cache *c, int64_t now_ms, view_change_fn fn, void *ctx)
{
	struct fs_listing *old = c->root, *l = listing_new(c->namespaces.len, now_ms);
	size_t pos = 0, i = 0, j = 0;
	const char *name;
	void *value;

	while (hashmap_next(&c->namespaces, &pos, &name, &value))
		if (((struct ns_record *)value)->shown)
			l->names[l->len++] = xstrdup(name);
	listing_sort(l);
	/* Namespace directories that appeared or went. */
	while (i < l->len || j < old->len) {
		int cmp = i == l->len ? 1 : j == old->len ? -1 : strcmp(l->names[i], old->names[j]);

		if (cmp < 0 && fn)
			fn(VIEW_ADDED, l->names[i], ctx);
		if (cmp > 0 && fn)
			fn(VIEW_REMOVED, old->names[j], ctx);
		i += cmp <= 0;
		j += cmp >= 0;
	}
	c->root = l;
	c->root_stale = false;
	fs_listing_unref(old);
}

size_t fs_cache_refresh(struct fs_cache *c, int64_t now_ms, view_change_fn fn, void *ctx)
{
	_cleanup_free_ struct entry **batch = NULL;
	struct entry *still_deferred = NULL, *next;
	size_t n = 0, kept = 0, pos = 0;
	int64_t mono = time_mono_ms();
	void *value;

	/* The batch is copied out: an entry queued again while it is being
	 * rebuilt goes into the next batch through its next_queued link. */
	pthread_mutex_lock(&c->queue_lock);
	if (c->queued + c->n_deferred)
		batch = xcalloc(c->queued + c->n_deferred, sizeof(*batch));
	for (struct entry *e = c->deferred; e; e = next) {
		next = e->next_queued;
		if (e->not_before_ms <= mono) {
			e->queued = false;
			batch[n++] = e;
		} else {
			e->next_queued = still_deferred;
			still_deferred = e;
			kept++;
		}
	}
	c->deferred = still_deferred;
	c->n_deferred = kept;
	for (struct entry *e = c->queue_head; e; e = next) {
		next = e->next_queued;
		if (e->not_before_ms > mono) {
			/* Rebuilt too recently: later, and once. */
			e->next_queued = c->deferred;
			c->deferred = e;
			c->n_deferred++;
			continue;
		}
		e->queued = false;
		batch[n++] = e;
	}
	c->queue_head = c->queue_tail = NULL;
	c->queued = 0;
	pthread_mutex_unlock(&c->queue_lock);
	if (!n)
		return 0;

	/* Entries are freed only here (each by its own refresh), so the
	 * batch stays valid. */
	for (size_t i = 0; i < n; i++) {
		int64_t started = time_mono_ms(), cost;

		if (!refresh_entry(c, batch[i], now_ms, fn, ctx))
			continue; /* freed */
		cost = time_mono_ms() - started;
		if (cost >= c->pacing.min_cost_ms) {
			int64_t wait = (cost > 1 ? cost : 1) * c->pacing.factor;

			pace(c, batch[i], started + cost + (wait < c->pacing.max_ms ? wait
										   : c->pacing.max_ms));
		}
	}
	pthread_rwlock_wrlock(&c->lock);
	while (hashmap_next(&c->namespaces, &pos, NULL, &value))
		if (((struct ns_record *)value)->listing_stale)
			rebuild_ns_listing(value, now_ms);
	if (!c->namespace && c->root_stale)
		rebuild_root_listing(c, now_ms, fn, ctx);
	pthread_rwlock_unlock(&c->lock);
	return n;
}

/* --- reading ---------------------------------------------------------------- */

/* The first component of *path (moved past it) into out; false if empty
 * or too long. */
static bool next_component(const char **path, char *out, size_t size)
{
	const char *p = *path, *slash = strchr(p, '/');
	size_t len = slash ? (size_t)(slash - p) : strlen(p);

	if (len == 0 || len >= size)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	*path = p + len + (slash ? 1 : 0);
	return true;
}

int fs_cache_resolve(struct fs_cache *c, const char *path, struct fs_node *ret)
{
	char part[256];
	struct ns_record *ns;
	struct entry *e;
	int rc = -1;

	memset(ret, 0, sizeof(*ret));
	pthread_rwlock_rdlock(&c->lock);
	if (c->namespace) {
		ns = hashmap_get(&c->namespaces, c->namespace);
		if (!*path) {
			ret->listing = listing_ref(ns ? ns->listing : c->root);
			rc = 0;
			goto out;
		}
	} else {
		if (!*path) {
			ret->listing = listing_ref(c->root);
			rc = 0;
			goto out;
		}
		if (!next_component(&path, part, sizeof(part)))
			goto out;
		ns = hashmap_get(&c->namespaces, part);
		if (!ns || !ns->shown)
			goto out;
		if (!*path) {
			ret->listing = listing_ref(ns->listing);
			rc = 0;
			goto out;
		}
	}
	if (!ns || !next_component(&path, part, sizeof(part)))
		goto out;
	e = hashmap_get(&ns->entries, part);
	if (!e || !e->view)
		goto out;
	ret->vnode = view_walk(e->view, path);
	if (ret->vnode) {
		ret->view = view_ref(e->view);
		rc = 0;
	}
out:
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

void fs_node_release(struct fs_node *node)
{
	fs_listing_unref(node->listing);
	view_unref(node->view);
	memset(node, 0, sizeof(*node));
}

void fs_cache_stats(struct fs_cache *c, struct fs_cache_stats *ret)
{
	size_t pos = 0;
	void *value;

	memset(ret, 0, sizeof(*ret));
	pthread_rwlock_rdlock(&c->lock);
	while (hashmap_next(&c->namespaces, &pos, NULL, &value)) {
		struct ns_record *ns = value;
		size_t epos = 0;
		void *ev;

		ret->shown += ns->shown;
		ret->pods += ns->members[MEMBER_POD].len;
		ret->configmaps += ns->members[MEMBER_CONFIGMAP].len;
		while (hashmap_next(&ns->entries, &epos, NULL, &ev)) {
			struct entry *e = ev;

			ret->entries++;
			ret->text_bytes += e->workload ? strlen(e->workload) : 0;
			for (int k = 0; k < MEMBER_KINDS; k++)
				for (size_t i = 0; i < e->members[k].len; i++)
					ret->text_bytes += strlen(e->members[k].items[i]->text);
		}
	}
	pthread_rwlock_unlock(&c->lock);
	pthread_mutex_lock(&c->queue_lock);
	ret->queued = c->queued + c->n_deferred;
	pthread_mutex_unlock(&c->queue_lock);
}
