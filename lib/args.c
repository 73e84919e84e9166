/* args.c — kubectl-style option parsing and the table of kubectl's own flags. */
#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "xalloc.h"

static const struct opt *find_long(const struct opt *const *tables, const char *name, size_t len)
{
	for (size_t t = 0; tables[t]; t++)
		for (const struct opt *o = tables[t]; o->long_name; o++)
			if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
				return o;
	return NULL;
}

static const struct opt *find_short(const struct opt *const *tables, char c)
{
	for (size_t t = 0; tables[t]; t++)
		for (const struct opt *o = tables[t]; o->long_name; o++)
			if (o->short_name && o->short_name == c)
				return o;
	return NULL;
}

static int unknown_flag(const char *command, const struct opt *const *tables, const char *name,
			struct error *err)
{
	struct strv names = STRV_INIT;
	const char *guess;
	int ret;

	for (size_t t = 0; tables[t]; t++)
		for (const struct opt *o = tables[t]; o->long_name; o++)
			strv_push(&names, o->long_name);
	guess = names.len ? str_did_you_mean(name, (const char *const *)strv_array(&names)) : NULL;
	if (guess)
		ret = error_set(err, "%s: unknown flag '--%s' (did you mean '--%s'?)", command, name,
				guess);
	else
		ret = error_set(err, "%s: unknown flag '--%s'", command, name);
	strv_release(&names);
	return ret;
}

static int set_value(const char *command, const struct opt *o, const char *value,
		     struct error *err)
{
	switch (o->type) {
	case OPT_BOOL:
		if (!value || !strcmp(value, "true"))
			*(bool *)o->target = true;
		else if (!strcmp(value, "false"))
			*(bool *)o->target = false;
		else
			return error_set(err, "%s: flag '--%s' takes true or false, not '%s'", command,
					 o->long_name, value);
		break;
	case OPT_STRING:
	case OPT_OPTIONAL:
		*(const char **)o->target = value;
		break;
	case OPT_INT:
		if (str_to_int64(value, (int64_t *)o->target) < 0)
			return error_set(err, "%s: flag '--%s' needs a whole number, not '%s'",
					 command, o->long_name, value);
		break;
	case OPT_STRV:
		strv_push((struct strv *)o->target, value);
		break;
	}
	if (o->was_set)
		*o->was_set = true;
	return 0;
}

int args_parse(const char *command, const struct opt *const *tables, int argc, char **argv,
	       struct strv *positionals, struct error *err)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			for (i++; i < argc; i++)
				strv_push(positionals, argv[i]);
			break;
		}
		if (str_has_prefix(arg, "--")) {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct opt *o = find_long(tables, name, len);
			const char *value = eq ? eq + 1 : NULL;

			if (!o) {
				char *bare = xstrndup(name, len);
				int ret = unknown_flag(command, tables, bare, err);

				free(bare);
				return ret;
			}
			if (o->type == OPT_OPTIONAL && !value)
				value = "";
			if (o->type != OPT_BOOL && !value) {
				if (i + 1 >= argc)
					return error_set(err, "%s: flag '--%s' needs a value", command,
							 o->long_name);
				value = argv[++i];
			}
			if (set_value(command, o, value, err) < 0)
				return -1;
			continue;
		}
		if (arg[0] == '-' && arg[1] != '\0') {
			/* -n NS, -nNS, -n=NS, or bundled booleans like -yd */
			for (const char *p = arg + 1; *p; p++) {
				const struct opt *o = find_short(tables, *p);
				const char *value;

				if (!o)
					return error_set(err, "%s: unknown flag '-%c'", command, *p);
				if (o->type == OPT_BOOL || o->type == OPT_OPTIONAL) {
					if (set_value(command, o, o->type == OPT_BOOL ? NULL : "", err) < 0)
						return -1;
					continue;
				}
				value = p[1] == '=' ? p + 2 : p[1] ? p + 1 : NULL;
				if (!value) {
					if (i + 1 >= argc)
						return error_set(err, "%s: flag '-%c' needs a value",
								 command, *p);
					value = argv[++i];
				}
				if (set_value(command, o, value, err) < 0)
					return -1;
				break;
			}
			continue;
		}
		strv_push(positionals, arg);
	}
	return 0;
}

void args_print_options(const struct opt *table, FILE *out)
{
	for (const struct opt *o = table; o->long_name; o++) {
		char left[64], value[40] = "";

		if (o->value_name && o->type == OPT_OPTIONAL)
			snprintf(value, sizeof(value), "[=%s]", o->value_name);
		else if (o->value_name)
			snprintf(value, sizeof(value), " %s", o->value_name);
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s", o->short_name, o->long_name, value);
		else
			snprintf(left, sizeof(left), "    --%s%s", o->long_name, value);
		fprintf(out, "  %-28s %s\n", left, o->help ? o->help : "");
	}
}

const struct opt *cluster_flags_table(struct cluster_flags *flags, bool with_all_namespaces)
{
	static struct opt table[16];
	size_t n = 0;

	table[n++] = (struct opt){ "kubeconfig", 0, OPT_STRING, &flags->kubeconfig, "FILE",
				   "path to the kubeconfig file to use", NULL };
	table[n++] = (struct opt){ "context", 0, OPT_STRING, &flags->context, "NAME",
				   "the kubeconfig context to use", NULL };
	table[n++] = (struct opt){ "cluster", 0, OPT_STRING, &flags->cluster, "NAME",
				   "the kubeconfig cluster to use", NULL };
	table[n++] = (struct opt){ "user", 0, OPT_STRING, &flags->user, "NAME",
				   "the kubeconfig user to use", NULL };
	table[n++] = (struct opt){ "namespace", 'n', OPT_STRING, &flags->namespace, "NS",
				   "the namespace to use", NULL };
	table[n++] = (struct opt){ "server", 's', OPT_STRING, &flags->server, "URL",
				   "the address of the API server", NULL };
	table[n++] = (struct opt){ "request-timeout", 0, OPT_STRING, &flags->request_timeout,
				   "DURATION", "time limit for one API request (e.g. 30s; 0 = none)",
				   NULL };
	table[n++] = (struct opt){ "v", 'v', OPT_INT, &flags->verbosity, "N",
				   "log verbosity (4 debug, 6 requests, 8 bodies)", NULL };
	if (with_all_namespaces)
		table[n++] = (struct opt){ "all-namespaces", 'A', OPT_BOOL, &flags->all_namespaces,
					   NULL, "act on every namespace", NULL };
	table[n] = (struct opt)OPT_END;
	return table;
}
