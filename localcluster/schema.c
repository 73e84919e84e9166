/* schema.c — loading the upstream OpenAPI v2 document and the JobSet CRD,
 * compiling the definitions the served kinds reach into a small tree, and
 * checking bodies against it (unknown, duplicate and mistyped fields). */
#include "schema.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "hashmap.h"
#include "jsonutil.h"
#include "log.h"
#include "strutil.h"
#include "timeutil.h"
#include "xalloc.h"
#include "yamljson.h"

#define SWAGGER_FILE "kubernetes-1.34-swagger.json"
#define JOBSET_CRD_FILE "jobset.x-k8s.io_jobsets.yaml"
#define SCHEMA_FILE_MAX ((size_t)64 * 1024 * 1024)
#define PATH_LEN 512

enum node_type {
	NODE_ANY,
	NODE_OBJECT,
	NODE_ARRAY,
	NODE_STRING,
	NODE_INTEGER,
	NODE_NUMBER,
	NODE_BOOLEAN,
	NODE_INT_OR_STRING,
	NODE_QUANTITY, /* a string, or a number (resource.Quantity accepts both) */
};

struct node;

struct property {
	char *name;
	struct node *node;
};

struct node {
	enum node_type type;
	bool open;                /* unknown fields are allowed (and kept) */
	struct property *props;   /* sorted by name */
	size_t n_props;
	struct node *items;       /* arrays */
	struct node *additional;  /* maps: every value has this schema */
	char *go_struct;          /* "JobSpec": for type error messages */
	const char *go_type;      /* "int32", "string", ... (static) */
	struct strv enum_values;  /* CRD only: allowed string values */
	struct strv required;     /* CRD only */
	bool from_crd;
};

struct schema {
	char *dir;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t loaded_cond;
	bool loaded;
	char error[ERROR_MSG_MAX]; /* non-empty if loading failed */
	struct node *roots[RESOURCE_COUNT];
	/* Every node, for freeing. */
	struct node **all;
	size_t n_all, cap_all;
	struct hashmap by_definition; /* compiled swagger definitions */
	int64_t load_ms;
};

/* ---- compiling ---- */

static struct node *new_node(struct schema *s, enum node_type type)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	strv_init(&n->enum_values);
	strv_init(&n->required);
	if (s->n_all == s->cap_all) {
		s->cap_all = s->cap_all ? s->cap_all * 2 : 256;
		s->all = xreallocarray(s->all, s->cap_all, sizeof(*s->all));
	}
	s->all[s->n_all++] = n;
	return n;
}

static int compare_props(const void *a, const void *b)
{
	return strcmp(((const struct property *)a)->name, ((const struct property *)b)->name);
}

static const char *go_type_of(const cJSON *def)
{
	const char *type = json_get_child_string(def, "type");
	const char *format = json_get_child_string(def, "format");

	if (str_eq(type, "integer"))
		return str_eq(format, "int32") ? "int32" : "int64"; /* static: the doc is freed */
	if (str_eq(type, "number"))
		return "float64";
	if (str_eq(type, "boolean"))
		return "bool";
	if (str_eq(type, "string"))
		return "string";
	if (str_eq(type, "array"))
		return "[]interface {}";
	return "map[string]interface {}";
}

static struct node *compile(struct schema *s, const cJSON *definitions, const cJSON *def,
			    const char *struct_name, bool crd, int depth, const char *memo);

static struct node *compile_ref(struct schema *s, const cJSON *definitions, const char *ref,
				int depth)
{
	const char *name = str_has_prefix(ref, "#/definitions/") ? ref + 14 : ref;
	struct node *n = hashmap_get(&s->by_definition, name);
	const cJSON *def;
	const char *dot;

	if (n)
		return n;
	if (!strcmp(name, "io.k8s.apimachinery.pkg.util.intstr.IntOrString"))
		n = new_node(s, NODE_INT_OR_STRING);
	else if (!strcmp(name, "io.k8s.apimachinery.pkg.api.resource.Quantity"))
		n = new_node(s, NODE_QUANTITY);
	if (n) {
		hashmap_put(&s->by_definition, name, n);
		return n;
	}
	def = json_get_child(definitions, name);
	if (!def) {
		n = new_node(s, NODE_ANY);
		n->open = true;
		hashmap_put(&s->by_definition, name, n);
		return n;
	}
	dot = strrchr(name, '.');
	return compile(s, definitions, def, dot ? dot + 1 : name, false, depth, name);
}

/* Compiles one schema object. A swagger definition (memo: its name) is
 * memoised before its properties are compiled, so recursive definitions
 * terminate and shared ones are compiled once. */
static struct node *compile(struct schema *s, const cJSON *definitions, const cJSON *def,
			    const char *struct_name, bool crd, int depth, const char *memo)
{
	const char *ref = json_get_child_string(def, "$ref");
	const char *type = json_get_child_string(def, "type");
	const cJSON *props = json_get_child(def, "properties");
	const cJSON *items = json_get_child(def, "items");
	const cJSON *additional = json_get_child(def, "additionalProperties");
	const cJSON *all_of = json_get_child(def, "allOf");
	struct node *n;
	const cJSON *p;

	if (depth > 64) {
		n = new_node(s, NODE_ANY);
		n->open = true;
		return n;
	}
	if (ref)
		return compile_ref(s, definitions, ref, depth + 1);
	/* allOf with a single $ref is how the v3-style CRD and some v2
	 * definitions wrap references. */
	if (cJSON_IsArray(all_of) && cJSON_GetArraySize(all_of) == 1)
		return compile(s, definitions, cJSON_GetArrayItem(all_of, 0), struct_name, crd,
			       depth + 1, memo);
	if (json_get_bool(def, "x-kubernetes-int-or-string", false))
		n = new_node(s, NODE_INT_OR_STRING);
	else if (str_eq(type, "array"))
		n = new_node(s, NODE_ARRAY);
	else if (str_eq(type, "string"))
		n = new_node(s, NODE_STRING);
	else if (str_eq(type, "integer"))
		n = new_node(s, NODE_INTEGER);
	else if (str_eq(type, "number"))
		n = new_node(s, NODE_NUMBER);
	else if (str_eq(type, "boolean"))
		n = new_node(s, NODE_BOOLEAN);
	else if (str_eq(type, "object") || props || additional)
		n = new_node(s, NODE_OBJECT);
	else
		n = new_node(s, NODE_ANY);
	n->from_crd = crd;
	n->go_struct = xstrdup(struct_name ? struct_name : "");
	n->go_type = go_type_of(def);
	if (memo)
		hashmap_put(&s->by_definition, memo, n);
	if (n->type == NODE_OBJECT) {
		n->open = json_get_bool(def, "x-kubernetes-preserve-unknown-fields", false) ||
			  (!props && !cJSON_IsObject(additional));
		if (cJSON_IsObject(additional))
			n->additional = compile(s, definitions, additional, struct_name, crd,
						depth + 1, NULL);
		n->n_props = (size_t)cJSON_GetArraySize(props);
		n->props = xcalloc(n->n_props + 1, sizeof(*n->props));
		n->n_props = 0;
		cJSON_ArrayForEach(p, props)
		{
			n->props[n->n_props].name = xstrdup(p->string);
			n->props[n->n_props].node = compile(s, definitions, p, struct_name, crd,
							    depth + 1, NULL);
			n->n_props++;
		}
		qsort(n->props, n->n_props, sizeof(*n->props), compare_props);
	} else if (n->type == NODE_ARRAY && items) {
		n->items = compile(s, definitions, items, struct_name, crd, depth + 1, NULL);
	}
	if (crd) {
		const cJSON *v;

		cJSON_ArrayForEach(v, json_get_child(def, "enum"))
		{
			if (cJSON_IsString(v))
				strv_push(&n->enum_values, v->valuestring);
		}
		cJSON_ArrayForEach(v, json_get_child(def, "required"))
		{
			if (cJSON_IsString(v))
				strv_push(&n->required, v->valuestring);
		}
	}
	return n;
}

/* Swagger definitions compiled once each: compile() above is reached via
 * compile_ref() for them, which memoises; the wrapper here registers the
 * node before its properties are compiled. */
static struct node *compile_definition(struct schema *s, const cJSON *definitions,
				       const char *name)
{
	const cJSON *def = json_get_child(definitions, name);
	const char *dot = strrchr(name, '.');
	struct node *n = hashmap_get(&s->by_definition, name);

	if (n || !def)
		return n;
	return compile(s, definitions, def, dot ? dot + 1 : name, false, 0, name);
}

/* ---- loading ---- */

static int load_swagger(struct schema *s, struct error *err)
{
	_cleanup_free_ char *path = path_join(s->dir, SWAGGER_FILE);
	struct buf text = BUF_INIT(SCHEMA_FILE_MAX);
	_cleanup_json_ cJSON *doc = NULL;
	const cJSON *definitions;

	if (file_read_all(path, &text, err) < 0) {
		buf_release(&text);
		return -1;
	}
	doc = json_parse_bounded(text.data, text.len, SCHEMA_FILE_MAX, err);
	buf_release(&text);
	if (!doc)
		return error_prefix(err, "'%s'", path);
	definitions = json_get_child(doc, "definitions");
	for (int k = 0; k < RESOURCE_COUNT; k++)
		if (resources[k].schema_definition &&
		    !(s->roots[k] = compile_definition(s, definitions,
						       resources[k].schema_definition)))
			return error_set(err, "'%s': no definition '%s'", path,
					 resources[k].schema_definition);
	/* The CRD's metadata is ObjectMeta, as the real server checks it. */
	compile_definition(s, definitions, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
	return 0;
}

static int load_jobset_crd(struct schema *s, struct error *err)
{
	_cleanup_free_ char *path = path_join(s->dir, JOBSET_CRD_FILE);
	struct buf text = BUF_INIT(SCHEMA_FILE_MAX);
	_cleanup_json_ cJSON *crd = NULL;
	const cJSON *version, *root = NULL;
	struct node *meta;

	if (file_read_all(path, &text, err) < 0) {
		buf_release(&text);
		return -1;
	}
	crd = yaml_to_json(text.data, text.len, err);
	buf_release(&text);
	if (!crd)
		return error_prefix(err, "'%s'", path);
	cJSON_ArrayForEach(version, json_get(crd, "spec.versions"))
	{
		if (str_eq(json_get_child_string(version, "name"), "v1alpha2"))
			root = json_get(version, "schema.openAPIV3Schema");
	}
	if (!root)
		return error_set(err, "'%s': no v1alpha2 openAPIV3Schema", path);
	s->roots[RESOURCE_JOBSET] = compile(s, NULL, root, "JobSet", true, 0, NULL);
	meta = hashmap_get(&s->by_definition, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
	for (size_t i = 0; meta && i < s->roots[RESOURCE_JOBSET]->n_props; i++)
		if (!strcmp(s->roots[RESOURCE_JOBSET]->props[i].name, "metadata"))
			s->roots[RESOURCE_JOBSET]->props[i].node = meta;
	return 0;
}

static void *load_main(void *arg)
{
	struct schema *s = arg;
	struct error err = ERROR_INIT;
	int64_t start = time_mono_ms();
	int rc = load_swagger(s, &err);

	if (rc == 0)
		rc = load_jobset_crd(s, &err);
	pthread_mutex_lock(&s->lock);
	if (rc < 0) {
		str_copy(s->error, sizeof(s->error), err.msg);
		log_warn("api schema: %s", err.msg);
	}
	s->load_ms = time_mono_ms() - start;
	s->loaded = true;
	pthread_cond_broadcast(&s->loaded_cond);
	pthread_mutex_unlock(&s->lock);
	log_msg(4, "api schema loaded in %lld ms (%zu nodes)", (long long)s->load_ms, s->n_all);
	return NULL;
}

struct schema *schema_load_async(const char *dir, struct error *err)
{
	struct schema *s;
	_cleanup_free_ char *swagger = path_join(dir, SWAGGER_FILE);
	int e;

	if (access(swagger, R_OK) < 0) {
		error_set(err, "--api-schema-dir: cannot read '%s'", swagger);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->loaded_cond, NULL);
	hashmap_init(&s->by_definition);
	e = pthread_create(&s->thread, NULL, load_main, s);
	if (e) {
		error_set(err, "cannot start loading the schema: %s", strerror(e));
		hashmap_release(&s->by_definition);
		free(s->dir);
		free(s);
		return NULL;
	}
	return s;
}

bool schema_ready(struct schema *s)
{
	bool loaded;

	pthread_mutex_lock(&s->lock);
	loaded = s->loaded;
	pthread_mutex_unlock(&s->lock);
	return loaded;
}

bool schema_wait(struct schema *s)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	while (!s->loaded)
		pthread_cond_wait(&s->loaded_cond, &s->lock);
	ok = !s->error[0];
	pthread_mutex_unlock(&s->lock);
	return ok;
}

void schema_free(struct schema *s)
{
	if (!s)
		return;
	pthread_join(s->thread, NULL);
	for (size_t i = 0; i < s->n_all; i++) {
		struct node *n = s->all[i];

		for (size_t p = 0; p < n->n_props; p++)
			free(n->props[p].name);
		free(n->props);
		free(n->go_struct);
		strv_release(&n->enum_values);
		strv_release(&n->required);
		free(n);
	}
	free(s->all);
	hashmap_release(&s->by_definition);
	pthread_cond_destroy(&s->loaded_cond);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}

/* ---- checking ---- */

struct check {
	const struct resource *resource;
	bool is_patch;
	struct strv *problems;
	struct api_error *err;
	bool failed;
};

static const struct node *find_prop(const struct node *n, const char *name)
{
	size_t lo = 0, hi = n->n_props;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(n->props[mid].name, name);

		if (!c)
			return n->props[mid].node;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void join_path(char *out, const char *path, const char *key)
{
	snprintf(out, PATH_LEN, "%s%s%s", path, *path ? "." : "", key);
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	return "null";
}

static const char *crd_type_name(enum node_type t)
{
	switch (t) {
	case NODE_OBJECT: return "object";
	case NODE_ARRAY: return "array";
	case NODE_STRING: return "string";
	case NODE_INTEGER: return "integer";
	case NODE_NUMBER: return "number";
	case NODE_BOOLEAN: return "boolean";
	default: return "any";
	}
}

/* A value of the wrong JSON type: the real server's decode error. */
static void type_error(struct check *c, const struct node *n, const cJSON *v, const char *path)
{
	char value[160];

	if (c->failed)
		return;
	c->failed = true;
	if (n->from_crd) {
		char *text = json_print_compact(v);

		snprintf(value, sizeof(value), "%s", text);
		free(text);
		api_error_add_cause(c->err, "FieldValueTypeInvalid", path,
				    "Invalid value: \"%s\": %s in body must be of type %s: \"%s\"",
				    json_type_name(v), path, crd_type_name(n->type),
				    json_type_name(v));
		return;
	}
	api_error_set(c->err, 400, "BadRequest",
		      "%s in version \"%s\" cannot be handled as a %s: json: cannot unmarshal %s "
		      "into Go struct field %s.%s of type %s",
		      c->resource->kind, c->resource->version, c->resource->kind, json_type_name(v),
		      n->go_struct && *n->go_struct ? n->go_struct : c->resource->kind, path,
		      n->go_type);
}

static bool type_ok(const struct node *n, const cJSON *v)
{
	switch (n->type) {
	case NODE_ANY: return true;
	case NODE_OBJECT: return cJSON_IsObject(v);
	case NODE_ARRAY: return cJSON_IsArray(v);
	case NODE_STRING: return cJSON_IsString(v);
	case NODE_INTEGER: return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
	case NODE_NUMBER: return cJSON_IsNumber(v);
	case NODE_BOOLEAN: return cJSON_IsBool(v);
	case NODE_INT_OR_STRING:
		return cJSON_IsString(v) ||
		       (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble));
	case NODE_QUANTITY: return cJSON_IsString(v) || cJSON_IsNumber(v);
	}
	return true;
}

/* Removes earlier duplicates of each key (the last one wins, as Go's
 * decoder keeps it), reporting each. */
static void drop_duplicates(struct check *c, cJSON *obj, const char *path)
{
	size_t n = (size_t)cJSON_GetArraySize(obj);
	struct hashmap seen = HASHMAP_INIT;
	cJSON *item;

	if (n < 2)
		return;
	/* Walk from the end so the last occurrence is the one kept. */
	for (item = obj->child ? obj->child->prev : NULL; item;) {
		cJSON *prev = item == obj->child ? NULL : item->prev;

		if (hashmap_get(&seen, item->string)) {
			char field[PATH_LEN];

			join_path(field, path, item->string);
			strv_pushf(c->problems, "duplicate field \"%s\"", field);
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, item));
		} else {
			hashmap_put(&seen, item->string, item);
		}
		item = prev;
	}
	hashmap_release(&seen);
}

static void check_value(struct check *c, const struct node *n, cJSON *v, const char *path,
			int depth);

static void check_object(struct check *c, const struct node *n, cJSON *obj, const char *path,
			 int depth)
{
	cJSON *item = obj->child;

	while (item && !c->failed) {
		cJSON *next = item->next;
		const struct node *child = find_prop(n, item->string);
		char field[PATH_LEN];

		join_path(field, path, item->string);
		if (c->is_patch && item->string[0] == '$') {
			/* strategic merge patch directives */
		} else if (child) {
			check_value(c, child, item, field, depth + 1);
		} else if (n->additional) {
			check_value(c, n->additional, item, field, depth + 1);
		} else if (!n->open) {
			strv_pushf(c->problems, "unknown field \"%s\"", field);
			/* Dropped, as decoding (or CRD pruning) drops it. */
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, item));
		}
		item = next;
	}
	if (!c->is_patch && n->from_crd) {
		for (size_t i = 0; i < n->required.len && !c->failed; i++)
			if (!json_get_child(obj, n->required.items[i])) {
				char field[PATH_LEN];

				join_path(field, path, n->required.items[i]);
				api_error_add_cause(c->err, "FieldValueRequired", field,
						    "Required value");
			}
	}
}

static void check_value(struct check *c, const struct node *n, cJSON *v, const char *path,
			int depth)
{
	if (c->failed || depth > JSON_MAX_DEPTH)
		return;
	if (cJSON_IsObject(v))
		drop_duplicates(c, v, path);
	if (cJSON_IsNull(v))
		return; /* null decodes to the zero value (and deletes in a patch) */
	if (!type_ok(n, v)) {
		type_error(c, n, v, path);
		return;
	}
	if (n->type == NODE_OBJECT) {
		check_object(c, n, v, path, depth);
	} else if (n->type == NODE_ARRAY && n->items) {
		cJSON *item;
		size_t i = 0;

		cJSON_ArrayForEach(item, v)
		{
			char field[PATH_LEN];

			snprintf(field, sizeof(field), "%s[%zu]", path, i++);
			check_value(c, n->items, item, field, depth + 1);
		}
	} else if (n->type == NODE_STRING && n->enum_values.len &&
		   strv_find(&n->enum_values, v->valuestring) < 0 && !c->is_patch) {
		struct buf list = BUF_INIT(400);

		for (size_t i = 0; i < n->enum_values.len; i++)
			buf_printf(&list, "%s\"%s\"", i ? ", " : "", n->enum_values.items[i]);
		api_error_add_cause(c->err, "FieldValueNotSupported", path,
				    "Unsupported value: \"%s\": supported values: %s", v->valuestring,
				    list.data);
		buf_release(&list);
	}
}

/* Without a schema: only duplicates, at every level. */
static void check_duplicates_only(struct check *c, cJSON *v, const char *path, int depth)
{
	cJSON *item;
	size_t i = 0;

	if (depth > JSON_MAX_DEPTH)
		return;
	if (cJSON_IsObject(v))
		drop_duplicates(c, v, path);
	cJSON_ArrayForEach(item, v)
	{
		char field[PATH_LEN];

		if (cJSON_IsObject(v))
			join_path(field, path, item->string);
		else
			snprintf(field, sizeof(field), "%s[%zu]", path, i++);
		check_duplicates_only(c, item, field, depth + 1);
	}
}

int schema_check(struct schema *s, const struct resource *r, cJSON *body, bool is_patch,
		 struct strv *problems, struct api_error *err)
{
	struct check c = { r, is_patch, problems, err, false };
	const struct node *root;

	api_error_clear(err);
	if (!s || !schema_wait(s) || !(root = s->roots[r->id])) {
		check_duplicates_only(&c, body, "", 0);
		return 0;
	}
	check_value(&c, root, body, "", 0);
	if (c.failed && err->code)
		return -1;
	if (err->n_causes) {
		/* CRD schema violations: 422 like the real server's. */
		struct buf msg = BUF_INIT(ERROR_MSG_MAX - 1);
		const char *name = json_get_string(body, "metadata.name");

		buf_printf(&msg, "%s.%s \"%s\" is invalid: %s", r->kind, r->group, name ? name : "",
			   err->n_causes > 1 ? "[" : "");
		for (size_t i = 0; i < err->n_causes; i++)
			buf_printf(&msg, "%s%s: %s", i ? ", " : "", err->causes[i].field,
				   err->causes[i].message);
		if (err->n_causes > 1)
			buf_putc(&msg, ']');
		err->code = 422;
		str_copy(err->reason, sizeof(err->reason), "Invalid");
		str_copy(err->message, sizeof(err->message), msg.data);
		api_error_details(err, r->group, r->kind, name);
		buf_release(&msg);
		return -1;
	}
	return 0;
}
