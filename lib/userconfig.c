/* userconfig.c — strict parsing of the user config file. */
#include "userconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "labels.h"
#include "strutil.h"
#include "xalloc.h"
#include "yamlfields.h"

static const char *const top_fields[] = { "namespace", "labels", "pod_home", "accelerators",
					  "secrets", NULL };
static const char *const unsupported_top[] = { "allowed_clouds", "kubernetes", NULL };
static const char *const accelerator_fields[] = { "resource", "node_selector", "tolerations",
						  NULL };
static const char *const toleration_fields[] = { "key", "operator", "value", "effect",
						 "tolerationSeconds", NULL };
static const char *const secret_fields[] = { "name", "mount", NULL };

void user_config_init(struct user_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

static void kv_free(struct kv *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].key);
		free(items[i].value);
	}
	free(items);
}

void user_config_release(struct user_config *cfg)
{
	free(cfg->source);
	free(cfg->namespace);
	kv_free(cfg->labels, cfg->n_labels);
	free(cfg->pod_home);
	for (size_t i = 0; i < cfg->n_accelerators; i++) {
		struct accelerator_config *a = &cfg->accelerators[i];

		free(a->type);
		free(a->resource);
		kv_free(a->node_selector, a->n_node_selector);
		for (size_t j = 0; j < a->n_tolerations; j++) {
			free(a->tolerations[j].key);
			free(a->tolerations[j].operator);
			free(a->tolerations[j].value);
			free(a->tolerations[j].effect);
		}
		free(a->tolerations);
	}
	free(cfg->accelerators);
	for (size_t i = 0; i < cfg->n_secrets; i++) {
		free(cfg->secrets[i].name);
		free(cfg->secrets[i].mount);
	}
	free(cfg->secrets);
	user_config_init(cfg);
}

/* --- shared checks ------------------------------------------------------- */

/* Resolves the short names of the clouds Konduktor knows. */
static const char *cloud_mount(const char *where)
{
	if (!strcmp(where, "aws") || !strcmp(where, "s3"))
		return "~/.aws";
	if (!strcmp(where, "gcp") || !strcmp(where, "gs") || !strcmp(where, "gcloud"))
		return "~/.config/gcloud";
	return NULL;
}

static int check_mount_path(const char *what, const char *path, struct error *err)
{
	bool ok = (path[0] == '/' && path[1]) || (str_has_prefix(path, "~/") && path[2]);

	for (const char *s = path; ok && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f ||
		    (s[0] == '.' && s[1] == '.' && (s == path || s[-1] == '/') &&
		     (s[2] == '/' || !s[2])))
			ok = false;
	if (!ok)
		return error_set(err,
				 "%s: invalid mount '%s': give aws, gcp, an absolute path or a path "
				 "starting with ~/ (no '..')",
				 what, path);
	return 0;
}

static int check_secret_name(const char *what, const char *name, struct error *err)
{
	if (!str_is_dns_subdomain(name, strlen(name)))
		return error_set(err,
				 "%s: invalid Secret name '%s': lower-case letters, digits, '-' and "
				 "'.'",
				 what, name);
	return 0;
}

static void add_secret(struct user_config *cfg, const char *name, const char *mount)
{
	const char *cloud = cloud_mount(mount);

	cfg->secrets = xreallocarray(cfg->secrets, cfg->n_secrets + 1, sizeof(*cfg->secrets));
	cfg->secrets[cfg->n_secrets].name = xstrdup(name);
	cfg->secrets[cfg->n_secrets].mount = xstrdup(cloud ? cloud : mount);
	cfg->n_secrets++;
}

static int check_secret_unique(const struct user_config *cfg, const char *what, const char *name,
			       const char *mount, struct error *err)
{
	const char *resolved = cloud_mount(mount) ? cloud_mount(mount) : mount;

	for (size_t i = 0; i < cfg->n_secrets; i++) {
		if (strcmp(cfg->secrets[i].mount, resolved) == 0)
			return error_set(err, "%s: two Secrets ('%s' and '%s') mounted at '%s'",
					 what, cfg->secrets[i].name, name, resolved);
	}
	return 0;
}

int user_config_add_secret(struct user_config *cfg, const char *spec, struct error *err)
{
	const char *colon = strchr(spec, ':');
	_cleanup_free_ char *name = NULL;
	const char *where;

	if (!colon)
		return error_set(err,
				 "--secret: invalid value '%s': give NAME:aws, NAME:gcp or "
				 "NAME:/path/in/pod",
				 spec);
	name = xstrndup(spec, (size_t)(colon - spec));
	where = colon + 1;
	if (check_secret_name("--secret", name, err) < 0)
		return -1;
	if (!cloud_mount(where) && check_mount_path("--secret", where, err) < 0)
		return -1;
	if (check_secret_unique(cfg, "--secret", name, where, err) < 0)
		return -1;
	add_secret(cfg, name, where);
	return 0;
}

char *user_config_secret_path(const struct user_config *cfg, const struct secret_mount *secret)
{
	const char *home = cfg->pod_home ? cfg->pod_home : USER_CONFIG_DEFAULT_HOME;

	if (str_has_prefix(secret->mount, "~/"))
		return xasprintf("%s%s%s", home, home[strlen(home) - 1] == '/' ? "" : "/",
				 secret->mount + 2);
	return xstrdup(secret->mount);
}

const struct accelerator_config *user_config_accelerator(const struct user_config *cfg,
							 const char *type)
{
	const struct accelerator_config *fallback = NULL;

	for (size_t i = 0; i < cfg->n_accelerators; i++) {
		if (type && strcasecmp(cfg->accelerators[i].type, type) == 0)
			return &cfg->accelerators[i];
		if (strcmp(cfg->accelerators[i].type, "default") == 0)
			fallback = &cfg->accelerators[i];
	}
	return fallback;
}

/* --- the file ------------------------------------------------------------- */

static int parse_string_map(const struct yfields *f, const char *field, const struct ynode *node,
			    struct kv **ret, size_t *ret_n)
{
	if (yf_is_null(node))
		return 0;
	if (yf_expect_kind(f, field, node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *key = node->pairs[i].key, *value = node->pairs[i].value;
		char path[320];
		const char *why, *text;

		snprintf(path, sizeof(path), "%s.%s", field, key->text);
		if (!label_key_is_valid(key->text, &why))
			return yf_fail(f, key, "invalid label key '%s': %s", key->text, why);
		if (yf_string(f, path, value, &text) < 0)
			return -1;
		if (!label_value_is_valid(text, &why))
			return yf_fail(f, value, "'%s': invalid value '%s': %s", path, text, why);
		*ret = xreallocarray(*ret, *ret_n + 1, sizeof(**ret));
		(*ret)[*ret_n].key = xstrdup(key->text);
		(*ret)[*ret_n].value = xstrdup(text);
		(*ret_n)++;
	}
	return 0;
}

static int parse_toleration(const struct yfields *f, const char *field, const struct ynode *node,
			    struct toleration *t)
{
	const struct ynode *op_node = ynode_get(node, "operator");
	const char *text, *why;

	if (yf_expect_kind(f, field, node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *key = node->pairs[i].key, *value = node->pairs[i].value;
		char path[320];

		snprintf(path, sizeof(path), "%s.%s", field, key->text);
		if (strcmp(key->text, "tolerationSeconds") == 0) {
			if (yf_int(f, path, value, INT64_MIN, INT64_MAX, &t->seconds) < 0)
				return -1;
			t->has_seconds = true;
			continue;
		}
		if (!strcmp(key->text, "key") || !strcmp(key->text, "operator") ||
		    !strcmp(key->text, "value") || !strcmp(key->text, "effect")) {
			char **slot = !strcmp(key->text, "key")	       ? &t->key
				      : !strcmp(key->text, "operator") ? &t->operator
				      : !strcmp(key->text, "value")    ? &t->value
								       : &t->effect;

			if (yf_string(f, path, value, &text) < 0)
				return -1;
			free(*slot);
			*slot = *text ? xstrdup(text) : NULL;
			continue;
		}
		return yf_unknown_field(f, field, key, toleration_fields, NULL);
	}
	if (!t->operator)
		t->operator = xstrdup("Equal");
	if (strcmp(t->operator, "Equal") != 0 && strcmp(t->operator, "Exists") != 0)
		return yf_fail(f, op_node, "'%s.operator' must be Equal or Exists, not '%s'", field,
			       t->operator);
	if (t->key && !label_key_is_valid(t->key, &why))
		return yf_fail(f, ynode_get(node, "key"), "'%s.key': invalid key '%s': %s", field,
			       t->key, why);
	if (!t->key && strcmp(t->operator, "Exists") != 0)
		return yf_fail(f, node, "'%s': a toleration without a key needs operator Exists",
			       field);
	if (t->value && strcmp(t->operator, "Exists") == 0)
		return yf_fail(f, ynode_get(node, "value"),
			       "'%s.value' must be empty when the operator is Exists", field);
	if (t->value && !label_value_is_valid(t->value, &why))
		return yf_fail(f, ynode_get(node, "value"), "'%s.value': invalid value '%s': %s",
			       field, t->value, why);
	if (t->effect && strcmp(t->effect, "NoSchedule") != 0 &&
	    strcmp(t->effect, "PreferNoSchedule") != 0 && strcmp(t->effect, "NoExecute") != 0)
		return yf_fail(f, ynode_get(node, "effect"),
			       "'%s.effect' must be NoSchedule, PreferNoSchedule or NoExecute, not "
			       "'%s'",
			       field, t->effect);
	if (t->has_seconds && (!t->effect || strcmp(t->effect, "NoExecute") != 0))
		return yf_fail(f, ynode_get(node, "tolerationSeconds"),
			       "'%s.tolerationSeconds' needs effect NoExecute", field);
	return 0;
}

static int parse_accelerator(const struct yfields *f, const struct ynode *key,
			     const struct ynode *node, struct accelerator_config *a)
{
	_cleanup_free_ char *field = xasprintf("accelerators.%s", key->text);

	a->type = xstrdup(key->text);
	if (yf_is_null(node))
		return 0;
	if (yf_expect_kind(f, field, node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
		char path[320];
		const char *text, *why;

		snprintf(path, sizeof(path), "%s.%s", field, k->text);
		if (strcmp(k->text, "resource") == 0) {
			if (yf_string(f, path, v, &text) < 0)
				return -1;
			if (!strchr(text, '/') || !label_key_is_valid(text, &why))
				return yf_fail(f, v,
					       "'%s': invalid resource name '%s': give an extended "
					       "resource such as nvidia.com/gpu",
					       path, text);
			free(a->resource);
			a->resource = xstrdup(text);
		} else if (strcmp(k->text, "node_selector") == 0) {
			if (parse_string_map(f, path, v, &a->node_selector, &a->n_node_selector) < 0)
				return -1;
		} else if (strcmp(k->text, "tolerations") == 0) {
			a->has_tolerations = true;
			if (yf_is_null(v))
				continue;
			if (yf_expect_kind(f, path, v, YNODE_SEQUENCE) < 0)
				return -1;
			a->tolerations = xcalloc(v->n_items ? v->n_items : 1, sizeof(*a->tolerations));
			for (size_t j = 0; j < v->n_items; j++) {
				_cleanup_free_ char *item = xasprintf("%s[%zu]", path, j);

				a->n_tolerations++;
				if (parse_toleration(f, item, v->items[j], &a->tolerations[j]) < 0)
					return -1;
			}
		} else {
			return yf_unknown_field(f, field, k, accelerator_fields, NULL);
		}
	}
	return 0;
}

static int parse_secret(const struct yfields *f, struct user_config *cfg, size_t index,
			const struct ynode *node)
{
	char field[64];
	const char *name = NULL, *mount = NULL;
	struct error inner = ERROR_INIT;

	snprintf(field, sizeof(field), "secrets[%zu]", index);
	if (yf_expect_kind(f, field, node, YNODE_MAPPING) < 0)
		return -1;
	for (size_t i = 0; i < node->n_pairs; i++) {
		const struct ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
		char path[96];

		snprintf(path, sizeof(path), "%s.%s", field, k->text);
		if (strcmp(k->text, "name") == 0) {
			if (yf_string(f, path, v, &name) < 0)
				return -1;
			if (check_secret_name(path, name, &inner) < 0)
				return yf_fail_with(f, v, &inner);
		} else if (strcmp(k->text, "mount") == 0) {
			if (yf_string(f, path, v, &mount) < 0)
				return -1;
			if (!cloud_mount(mount) && check_mount_path(path, mount, &inner) < 0)
				return yf_fail_with(f, v, &inner);
		} else {
			return yf_unknown_field(f, field, k, secret_fields, NULL);
		}
	}
	if (!name || !mount)
		return yf_fail(f, node, "'%s' needs both 'name' and 'mount'", field);
	if (check_secret_unique(cfg, field, name, mount, &inner) < 0)
		return yf_fail_with(f, node, &inner);
	add_secret(cfg, name, mount);
	return 0;
}

static int parse_top(const struct yfields *f, struct user_config *cfg, const struct ynode *key,
		     const struct ynode *value)
{
	const char *text;

	if (strcmp(key->text, "namespace") == 0) {
		if (yf_string(f, "namespace", value, &text) < 0)
			return -1;
		if (!str_is_dns_label(text))
			return yf_fail(f, value,
				       "'namespace': invalid value '%s': lower-case letters, digits "
				       "and '-', at most 63",
				       text);
		free(cfg->namespace);
		cfg->namespace = xstrdup(text);
	} else if (strcmp(key->text, "labels") == 0) {
		if (parse_string_map(f, "labels", value, &cfg->labels, &cfg->n_labels) < 0)
			return -1;
		for (size_t i = 0; i < cfg->n_labels; i++)
			if (label_key_is_reserved(cfg->labels[i].key))
				return yf_fail(f, value, "label '%s' is set by konduktor or Kubernetes "
					       "and cannot be configured", cfg->labels[i].key);
	} else if (strcmp(key->text, "pod_home") == 0) {
		if (yf_string(f, "pod_home", value, &text) < 0)
			return -1;
		if (text[0] != '/')
			return yf_fail(f, value, "'pod_home' must be an absolute path, not '%s'", text);
		free(cfg->pod_home);
		cfg->pod_home = xstrdup(text);
	} else if (strcmp(key->text, "accelerators") == 0) {
		if (yf_is_null(value))
			return 0;
		if (yf_expect_kind(f, "accelerators", value, YNODE_MAPPING) < 0)
			return -1;
		cfg->accelerators = xcalloc(value->n_pairs ? value->n_pairs : 1,
					    sizeof(*cfg->accelerators));
		for (size_t i = 0; i < value->n_pairs; i++) {
			cfg->n_accelerators++;
			if (parse_accelerator(f, value->pairs[i].key, value->pairs[i].value,
					      &cfg->accelerators[i]) < 0)
				return -1;
		}
	} else if (strcmp(key->text, "secrets") == 0) {
		if (yf_is_null(value))
			return 0;
		if (yf_expect_kind(f, "secrets", value, YNODE_SEQUENCE) < 0)
			return -1;
		for (size_t i = 0; i < value->n_items; i++)
			if (parse_secret(f, cfg, i, value->items[i]) < 0)
				return -1;
	} else {
		if (strcmp(key->text, "allowed_clouds") == 0)
			return yf_fail(f, key, "field 'allowed_clouds' is not supported by "
				       "kubectl-konduktor: name your credential Secrets under "
				       "'secrets' (mount: aws or gcp)");
		return yf_unknown_field(f, NULL, key, top_fields, unsupported_top);
	}
	return 0;
}

int user_config_parse_text(const char *source, const char *text, size_t len,
			   struct user_config *ret, struct error *err)
{
	_cleanup_free_ char *subject = xasprintf("config '%s'", source);
	struct yfields f = { .subject = subject, .err = err };
	struct user_config cfg;
	struct ydoc doc;
	int r = 0;

	user_config_init(&cfg);
	if (len > USER_CONFIG_MAX)
		return error_set(err, "config '%s': %zu bytes, more than the limit of %zu bytes",
				 source, len, USER_CONFIG_MAX);
	if (ydoc_parse(&doc, text, len, NULL, err) < 0)
		return error_prefix(err, "config '%s'", source);
	if (doc.root && doc.root->kind != YNODE_MAPPING)
		r = yf_fail(&f, doc.root, "the config must be a mapping of fields, not %s",
			    ynode_describe(doc.root));
	for (size_t i = 0; doc.root && r == 0 && i < doc.root->n_pairs; i++)
		r = parse_top(&f, &cfg, doc.root->pairs[i].key, doc.root->pairs[i].value);
	ydoc_release(&doc);
	if (r < 0) {
		user_config_release(&cfg);
		return -1;
	}
	cfg.source = xstrdup(source);
	if (!cfg.pod_home)
		cfg.pod_home = xstrdup(USER_CONFIG_DEFAULT_HOME);
	*ret = cfg;
	return 0;
}

int user_config_load(const char *path, struct user_config *ret, struct error *err)
{
	const char *env = getenv(USER_CONFIG_ENV);
	bool must_exist = path || (env && *env);
	const char *shown = path ? path : (env && *env) ? env : USER_CONFIG_DEFAULT_PATH;
	_cleanup_free_ char *resolved = path_expand_home(shown);
	struct buf text = BUF_INIT(USER_CONFIG_MAX);
	struct stat st;
	int r;

	if (stat(resolved, &st) < 0 && errno == ENOENT && !must_exist) {
		user_config_init(ret);
		ret->pod_home = xstrdup(USER_CONFIG_DEFAULT_HOME);
		return 0;
	}
	if (file_read_all(resolved, &text, err) < 0) {
		buf_release(&text);
		return error_prefix(err, "config");
	}
	r = user_config_parse_text(shown, text.data, text.len, ret, err);
	buf_release(&text);
	return r;
}
