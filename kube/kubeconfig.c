/* kubeconfig.c — parses one kubeconfig file (YAML or JSON) into named
 * clusters, users and contexts, resolving relative paths against the file's
 * directory as client-go does. Unknown fields are ignored (as kubectl);
 * wrong types, bad base64 and duplicate names are errors with a position. */
#include "kubeconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "fileutil.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"
#include "yamltree.h"

#define EXEC_EXTENSION_NAME "client.authentication.k8s.io/exec"

/* Far above any real kubeconfig, low enough to refuse hostile ones. */
static const struct ylimits kubeconfig_limits = { .max_depth = 64, .max_nodes = 100000 };

/* YAML null (absent, "", "~", "null") reads as "not set", as kubectl does. */
static bool kc_is_null(const struct ynode *v)
{
	return v->kind == YNODE_SCALAR && ynode_scalar_type(v) == YTYPE_NULL;
}

/* A YAML boolean (true/false, yes/no, on/off): 0 and *ret, or -1. */
static int kc_bool_value(const struct ynode *v, bool *ret)
{
	static const char *const truths[] = { "true", "True", "TRUE", "yes", "Yes",
					      "YES",  "on",   "On",   "ON" };

	if (v->kind != YNODE_SCALAR || ynode_scalar_type(v) != YTYPE_BOOL)
		return -1;
	*ret = false;
	for (size_t i = 0; i < ARRAY_SIZE(truths); i++)
		if (!strcmp(v->text, truths[i]))
			*ret = true;
	return 0;
}

/* A subtree as JSON, the way sigs.k8s.io/yaml converts it. Aliases are
 * shared nodes; the parser's node limit counts their expansion, so the
 * walk is bounded. */
static cJSON *kc_to_json(const struct ynode *n)
{
	cJSON *out = NULL;
	int64_t integer;
	double number;
	bool truth;

	switch (n->kind) {
	case YNODE_SCALAR:
		switch (ynode_scalar_type(n)) {
		case YTYPE_NULL:
			out = cJSON_CreateNull();
			break;
		case YTYPE_BOOL:
			kc_bool_value(n, &truth);
			out = cJSON_CreateBool(truth);
			break;
		case YTYPE_INT:
			out = ynode_to_int64(n, &integer) == 0 ? cJSON_CreateNumber((double)integer)
							       : cJSON_CreateString(n->text);
			break;
		case YTYPE_FLOAT:
			out = str_to_double(n->text, &number) == 0 ? cJSON_CreateNumber(number)
								   : cJSON_CreateString(n->text);
			break;
		default:
			out = cJSON_CreateString(n->text);
			break;
		}
		break;
	case YNODE_MAPPING:
		out = cJSON_CreateObject();
		for (size_t i = 0; out && i < n->n_pairs; i++)
			cJSON_AddItemToObject(out, n->pairs[i].key->text,
					      kc_to_json(n->pairs[i].value));
		break;
	case YNODE_SEQUENCE:
		out = cJSON_CreateArray();
		for (size_t i = 0; out && i < n->n_items; i++)
			cJSON_AddItemToArray(out, kc_to_json(n->items[i]));
		break;
	}
	if (!out)
		die("out of memory building JSON");
	return out;
}

/* Everything a field reader needs to report a position. */
struct kc_reader {
	const char *path;
	const char *base_dir;
	struct error *err;
};

static int kc_error(const struct kc_reader *r, const struct ynode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int kc_error(const struct kc_reader *r, const struct ynode *at, const char *fmt, ...)
{
	char what[ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return error_set(r->err, "kubeconfig '%s': line %zu, column %zu: %s", r->path, at->line,
			 at->column, what);
}

/* A string field: any scalar (YAML null reads as absent). */
static int kc_string(const struct kc_reader *r, const struct ynode *map, const char *key,
		     char **ret)
{
	const struct ynode *v = ynode_get(map, key);

	if (!v || kc_is_null(v))
		return 0;
	if (v->kind != YNODE_SCALAR)
		return kc_error(r, v, "'%s' must be a string", key);
	free(*ret);
	*ret = xstrdup(v->text);
	return 0;
}

static int kc_bool(const struct kc_reader *r, const struct ynode *map, const char *key,
		   bool *ret)
{
	const struct ynode *v = ynode_get(map, key);

	if (!v || kc_is_null(v))
		return 0;
	if (kc_bool_value(v, ret) < 0)
		return kc_error(r, v, "'%s' must be true or false", key);
	return 0;
}

/* A []byte field: base64 in the file, decoded here. */
static int kc_data(const struct kc_reader *r, const struct ynode *map, const char *key,
		   struct buf *ret)
{
	const struct ynode *v = ynode_get(map, key);
	struct error why = ERROR_INIT;

	if (!v || kc_is_null(v))
		return 0;
	if (v->kind != YNODE_SCALAR)
		return kc_error(r, v, "'%s' must be a base64 string", key);
	buf_release(ret);
	buf_init(ret, KUBECONFIG_MAX_DATA_BYTES);
	if (base64_decode(v->text, v->len, ret, &why) < 0)
		return kc_error(r, v, "'%s': %s", key, why.msg);
	return 0;
}

static int kc_string_list(const struct kc_reader *r, const struct ynode *map, const char *key,
			  struct strv *ret)
{
	const struct ynode *v = ynode_get(map, key);

	if (!v || kc_is_null(v))
		return 0;
	if (v->kind != YNODE_SEQUENCE)
		return kc_error(r, v, "'%s' must be a list of strings", key);
	for (size_t i = 0; i < v->n_items; i++) {
		if (v->items[i]->kind != YNODE_SCALAR)
			return kc_error(r, v->items[i], "'%s' must be a list of strings", key);
		strv_push(ret, v->items[i]->text);
	}
	return 0;
}

/* A path field, made absolute against the kubeconfig's directory. */
static int kc_path(const struct kc_reader *r, const struct ynode *map, const char *key,
		   char **ret)
{
	_cleanup_free_ char *raw = NULL;

	if (kc_string(r, map, key, &raw) < 0)
		return -1;
	if (raw && *raw) {
		free(*ret);
		*ret = kube_path_resolve(r->base_dir, raw);
	}
	return 0;
}

static const struct ynode *kc_map(const struct kc_reader *r, const struct ynode *parent,
				  const char *key, int *ret)
{
	const struct ynode *v = ynode_get(parent, key);

	*ret = 0;
	if (!v || kc_is_null(v))
		return NULL;
	if (v->kind != YNODE_MAPPING) {
		*ret = kc_error(r, v, "'%s' must be a mapping", key);
		return NULL;
	}
	return v;
}

char *kube_path_resolve(const char *base, const char *rel)
{
	_cleanup_free_ char *joined = rel[0] == '/' ? xstrdup(rel) : path_join(base, rel);
	struct strv parts = STRV_INIT;
	struct buf out = BUF_INIT(PATH_MAX * 4);
	bool absolute = joined[0] == '/';
	char *p = joined;

	/* filepath.Clean: drop "." and empty segments, fold "..". */
	while (*p) {
		char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (parts.len && strcmp(parts.items[parts.len - 1], "..") != 0) {
				free(parts.items[--parts.len]);
				parts.items[parts.len] = NULL;
			} else if (!absolute) {
				strv_push(&parts, "..");
			}
		} else {
			strv_push_owned(&parts, xstrndup(p, n));
		}
		p += n + (slash ? 1 : 0);
	}
	if (absolute)
		buf_putc(&out, '/');
	for (size_t i = 0; i < parts.len; i++) {
		if (i)
			buf_putc(&out, '/');
		buf_puts(&out, parts.items[i]);
	}
	if (out.len == 0)
		buf_putc(&out, '.');
	strv_release(&parts);
	return buf_detach(&out, NULL);
}

void kube_exec_config_free(struct kube_exec_config *exec)
{
	if (!exec)
		return;
	free(exec->command);
	strv_release(&exec->args);
	strv_release(&exec->env);
	free(exec->api_version);
	free(exec->install_hint);
	cJSON_Delete(exec->cluster_config);
	free(exec);
}

static char *strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct kube_exec_config *kube_exec_config_dup(const struct kube_exec_config *exec)
{
	struct kube_exec_config *copy;

	if (!exec)
		return NULL;
	copy = xcalloc(1, sizeof(*copy));
	copy->command = strdup_or_null(exec->command);
	for (size_t i = 0; i < exec->args.len; i++)
		strv_push(&copy->args, exec->args.items[i]);
	for (size_t i = 0; i < exec->env.len; i++)
		strv_push(&copy->env, exec->env.items[i]);
	copy->api_version = strdup_or_null(exec->api_version);
	copy->install_hint = strdup_or_null(exec->install_hint);
	copy->provide_cluster_info = exec->provide_cluster_info;
	copy->interactive_mode = exec->interactive_mode;
	if (exec->cluster_config) {
		copy->cluster_config = cJSON_Duplicate(exec->cluster_config, true);
		if (!copy->cluster_config)
			die("out of memory copying JSON");
	}
	return copy;
}

static int kc_read_exec(const struct kc_reader *r, const struct ynode *node,
			struct kube_exec_config **ret, bool *ret_mode_missing)
{
	struct kube_exec_config *exec = xcalloc(1, sizeof(*exec));
	const struct ynode *env = ynode_get(node, "env");
	_cleanup_free_ char *mode = NULL;

	*ret = exec; /* owned by the user from here, freed with it on error */
	if (kc_string(r, node, "command", &exec->command) < 0 ||
	    kc_string_list(r, node, "args", &exec->args) < 0 ||
	    kc_string(r, node, "apiVersion", &exec->api_version) < 0 ||
	    kc_string(r, node, "installHint", &exec->install_hint) < 0 ||
	    kc_bool(r, node, "provideClusterInfo", &exec->provide_cluster_info) < 0 ||
	    kc_string(r, node, "interactiveMode", &mode) < 0)
		return -1;
	/* Only a command with a path separator is relative to the file. */
	if (exec->command && strchr(exec->command, '/') && exec->command[0] != '/') {
		char *resolved = kube_path_resolve(r->base_dir, exec->command);

		free(exec->command);
		exec->command = resolved;
	}
	if (env && !kc_is_null(env)) {
		if (env->kind != YNODE_SEQUENCE)
			return kc_error(r, env, "'env' must be a list of {name, value}");
		for (size_t i = 0; i < env->n_items; i++) {
			const struct ynode *item = env->items[i];
			_cleanup_free_ char *name = NULL, *value = NULL;

			if (item->kind != YNODE_MAPPING)
				return kc_error(r, item, "'env' must be a list of {name, value}");
			if (kc_string(r, item, "name", &name) < 0 ||
			    kc_string(r, item, "value", &value) < 0)
				return -1;
			/* An empty name is reported by validation, as kubectl does. */
			strv_pushf(&exec->env, "%s=%s", name ? name : "", value ? value : "");
		}
	}
	/* v1beta1 defaults to IfAvailable; v1 requires the field, which
	 * validation reports (as kubectl) only when the user is used. */
	if (!mode || !*mode) {
		exec->interactive_mode = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE;
		*ret_mode_missing =
			!str_eq(exec->api_version, "client.authentication.k8s.io/v1beta1");
	} else if (!strcmp(mode, "Never")) {
		exec->interactive_mode = KUBE_EXEC_INTERACTIVE_NEVER;
	} else if (!strcmp(mode, "IfAvailable")) {
		exec->interactive_mode = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE;
	} else if (!strcmp(mode, "Always")) {
		exec->interactive_mode = KUBE_EXEC_INTERACTIVE_ALWAYS;
	} else {
		return kc_error(r, ynode_get(node, "interactiveMode"),
				"invalid interactiveMode '%s' (Never, IfAvailable or Always)", mode);
	}
	return 0;
}

static void kc_cluster_release(struct kc_cluster *c)
{
	free(c->name);
	free(c->server);
	free(c->certificate_authority);
	buf_release(&c->certificate_authority_data);
	free(c->tls_server_name);
	free(c->proxy_url);
	cJSON_Delete(c->exec_extension);
}

static void kc_user_release(struct kc_user *u)
{
	free(u->name);
	str_free_secret(u->token);
	free(u->token_file);
	free(u->client_certificate);
	buf_release(&u->client_certificate_data);
	free(u->client_key);
	buf_release_secret(&u->client_key_data);
	free(u->username);
	str_free_secret(u->password);
	free(u->impersonate);
	free(u->impersonate_uid);
	strv_release(&u->impersonate_groups);
	free(u->auth_provider);
	kube_exec_config_free(u->exec);
}

static void kc_context_release(struct kc_context *c)
{
	free(c->name);
	free(c->cluster);
	free(c->user);
	free(c->namespace);
}

void kubeconfig_file_free(struct kubeconfig_file *file)
{
	if (!file)
		return;
	for (size_t i = 0; i < file->nclusters; i++)
		kc_cluster_release(&file->clusters[i]);
	for (size_t i = 0; i < file->nusers; i++)
		kc_user_release(&file->users[i]);
	for (size_t i = 0; i < file->ncontexts; i++)
		kc_context_release(&file->contexts[i]);
	free(file->clusters);
	free(file->users);
	free(file->contexts);
	free(file->path);
	free(file->current_context);
	free(file);
}

static int kc_read_cluster(const struct kc_reader *r, const struct ynode *node,
			   struct kc_cluster *c)
{
	const struct ynode *ext;

	if (kc_string(r, node, "server", &c->server) < 0 ||
	    kc_path(r, node, "certificate-authority", &c->certificate_authority) < 0 ||
	    kc_data(r, node, "certificate-authority-data", &c->certificate_authority_data) < 0 ||
	    kc_bool(r, node, "insecure-skip-tls-verify", &c->insecure_skip_tls_verify) < 0 ||
	    kc_string(r, node, "tls-server-name", &c->tls_server_name) < 0 ||
	    kc_string(r, node, "proxy-url", &c->proxy_url) < 0 ||
	    kc_bool(r, node, "disable-compression", &c->disable_compression) < 0)
		return -1;
	ext = ynode_get(node, "extensions");
	if (ext && !kc_is_null(ext)) {
		if (ext->kind != YNODE_SEQUENCE)
			return kc_error(r, ext, "'extensions' must be a list of {name, extension}");
		for (size_t i = 0; i < ext->n_items; i++) {
			const struct ynode *item = ext->items[i];
			const struct ynode *name = ynode_get(item, "name");
			const struct ynode *value = ynode_get(item, "extension");

			if (item->kind != YNODE_MAPPING)
				return kc_error(r, item,
						"'extensions' must be a list of {name, extension}");
			if (name && name->kind == YNODE_SCALAR && value &&
			    !strcmp(name->text, EXEC_EXTENSION_NAME)) {
				cJSON_Delete(c->exec_extension);
				c->exec_extension = kc_to_json(value);
			}
		}
	}
	return 0;
}

static int kc_read_user(const struct kc_reader *r, const struct ynode *node, struct kc_user *u)
{
	const struct ynode *exec, *provider;
	int ret;

	if (kc_string(r, node, "token", &u->token) < 0 ||
	    kc_path(r, node, "tokenFile", &u->token_file) < 0 ||
	    kc_path(r, node, "client-certificate", &u->client_certificate) < 0 ||
	    kc_data(r, node, "client-certificate-data", &u->client_certificate_data) < 0 ||
	    kc_path(r, node, "client-key", &u->client_key) < 0 ||
	    kc_data(r, node, "client-key-data", &u->client_key_data) < 0 ||
	    kc_string(r, node, "username", &u->username) < 0 ||
	    kc_string(r, node, "password", &u->password) < 0 ||
	    kc_string(r, node, "as", &u->impersonate) < 0 ||
	    kc_string(r, node, "as-uid", &u->impersonate_uid) < 0 ||
	    kc_string_list(r, node, "as-groups", &u->impersonate_groups) < 0)
		return -1;
	u->has_impersonate_extra = ynode_get(node, "as-user-extra") &&
				   !kc_is_null(ynode_get(node, "as-user-extra"));
	provider = kc_map(r, node, "auth-provider", &ret);
	if (ret < 0)
		return -1;
	if (provider && kc_string(r, provider, "name", &u->auth_provider) < 0)
		return -1;
	if (provider && !u->auth_provider)
		u->auth_provider = xstrdup("");
	exec = kc_map(r, node, "exec", &ret);
	if (ret < 0)
		return -1;
	if (exec && kc_read_exec(r, exec, &u->exec, &u->exec_interactive_mode_missing) < 0)
		return -1;
	return 0;
}

static int kc_read_context(const struct kc_reader *r, const struct ynode *node,
			   struct kc_context *c)
{
	if (kc_string(r, node, "cluster", &c->cluster) < 0 ||
	    kc_string(r, node, "user", &c->user) < 0 ||
	    kc_string(r, node, "namespace", &c->namespace) < 0)
		return -1;
	return 0;
}

/* The named list `key` ("clusters") of {name, <inner>: {...}} items. Each
 * item is read into slot i by `read`; names must be unique in the file. */
static int kc_read_named_list(const struct kc_reader *r, const struct ynode *root,
			      const char *key, const char *inner, void **items, size_t *count,
			      size_t item_size, char **(*name_of)(void *item),
			      int (*read)(const struct kc_reader *, const struct ynode *, void *))
{
	const struct ynode *list = ynode_get(root, key);

	if (!list || kc_is_null(list))
		return 0;
	if (list->kind != YNODE_SEQUENCE)
		return kc_error(r, list, "'%s' must be a list", key);
	*items = xcalloc(list->n_items ? list->n_items : 1, item_size);
	for (size_t i = 0; i < list->n_items; i++) {
		const struct ynode *entry = list->items[i];
		void *item = (char *)*items + i * item_size;
		char **name = name_of(item);
		const struct ynode *body;
		int ret;

		*count = i + 1; /* so that a failure frees what was read */
		if (entry->kind != YNODE_MAPPING)
			return kc_error(r, entry, "'%s' entries must be mappings", key);
		if (kc_string(r, entry, "name", name) < 0)
			return -1;
		if (!*name)
			*name = xstrdup("");
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(*name_of((char *)*items + j * item_size), *name))
				return kc_error(r, entry, "duplicate name \"%s\" in '%s'", *name, key);
		}
		body = kc_map(r, entry, inner, &ret);
		if (ret < 0)
			return -1;
		if (body && read(r, body, item) < 0)
			return -1;
	}
	return 0;
}

static char **cluster_name(void *item)
{
	return &((struct kc_cluster *)item)->name;
}

static char **user_name(void *item)
{
	return &((struct kc_user *)item)->name;
}

static char **context_name(void *item)
{
	return &((struct kc_context *)item)->name;
}

static int read_cluster(const struct kc_reader *r, const struct ynode *n, void *item)
{
	return kc_read_cluster(r, n, item);
}

static int read_user(const struct kc_reader *r, const struct ynode *n, void *item)
{
	return kc_read_user(r, n, item);
}

static int read_context(const struct kc_reader *r, const struct ynode *n, void *item)
{
	return kc_read_context(r, n, item);
}

static char *absolute_path(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return kube_path_resolve("/", path);
	return kube_path_resolve(cwd, path);
}

int kubeconfig_parse(const char *text, size_t len, const char *path,
		     struct kubeconfig_file **ret_file, struct error *err)
{
	struct kubeconfig_file *file;
	struct ydoc doc = YDOC_INIT;
	const struct ynode *root;
	struct error why = ERROR_INIT;
	_cleanup_free_ char *base_dir = NULL;
	struct kc_reader r = { .path = path, .err = err };
	int ret = -1;

	if (len > KUBECONFIG_MAX_BYTES)
		return error_set(err, "kubeconfig '%s': larger than the limit of %zu bytes", path,
				 KUBECONFIG_MAX_BYTES);
	if (memchr(text, '\0', len))
		return error_set(err, "kubeconfig '%s': contains a NUL byte (not a text file)", path);
	if (ydoc_parse(&doc, text, len, &kubeconfig_limits, &why) < 0)
		return error_set(err, "kubeconfig '%s': %s", path, why.msg);
	root = doc.root;
	file = xcalloc(1, sizeof(*file));
	file->path = absolute_path(path);
	base_dir = path_dirname(file->path);
	r.base_dir = base_dir;
	if (!root || kc_is_null(root)) {
		ret = 0; /* an empty file defines nothing */
		goto out;
	}
	if (root->kind != YNODE_MAPPING) {
		kc_error(&r, root, "the document must be a mapping");
		goto out;
	}
	if (kc_string(&r, root, "current-context", &file->current_context) < 0 ||
	    kc_read_named_list(&r, root, "clusters", "cluster", (void **)&file->clusters,
			       &file->nclusters, sizeof(*file->clusters), cluster_name,
			       read_cluster) < 0 ||
	    kc_read_named_list(&r, root, "users", "user", (void **)&file->users, &file->nusers,
			       sizeof(*file->users), user_name, read_user) < 0 ||
	    kc_read_named_list(&r, root, "contexts", "context", (void **)&file->contexts,
			       &file->ncontexts, sizeof(*file->contexts), context_name,
			       read_context) < 0)
		goto out;
	ret = 0;
out:
	ydoc_release(&doc);
	if (ret < 0) {
		kubeconfig_file_free(file);
		return -1;
	}
	*ret_file = file;
	return 0;
}

int kubeconfig_read(const char *path, struct kubeconfig_file **ret_file, struct error *err)
{
	struct buf text = BUF_INIT(KUBECONFIG_MAX_BYTES);
	int ret;

	if (file_read_all(path, &text, err) < 0) {
		int code = err ? err->code : 0;

		buf_release(&text);
		if (code == EFBIG)
			return error_set_code(err, EFBIG,
					      "kubeconfig '%s': larger than the limit of %zu bytes",
					      path, KUBECONFIG_MAX_BYTES);
		return error_set_code(err, code, "kubeconfig '%s': %s", path, strerror(code));
	}
	ret = kubeconfig_parse(text.data, text.len, path, ret_file, err);
	/* The text may hold tokens and keys. */
	buf_release_secret(&text);
	return ret;
}

const struct kc_cluster *kubeconfig_find_cluster(const struct kubeconfig_file *file,
						 const char *name)
{
	for (size_t i = 0; i < file->nclusters; i++)
		if (!strcmp(file->clusters[i].name, name))
			return &file->clusters[i];
	return NULL;
}

const struct kc_user *kubeconfig_find_user(const struct kubeconfig_file *file, const char *name)
{
	for (size_t i = 0; i < file->nusers; i++)
		if (!strcmp(file->users[i].name, name))
			return &file->users[i];
	return NULL;
}

const struct kc_context *kubeconfig_find_context(const struct kubeconfig_file *file,
						 const char *name)
{
	for (size_t i = 0; i < file->ncontexts; i++)
		if (!strcmp(file->contexts[i].name, name))
			return &file->contexts[i];
	return NULL;
}
