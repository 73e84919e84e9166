/* complete.c — the completion engine behind kubectl_complete-konduktor and
 * `kubectl-konduktor __complete` (see complete.h). It walks the words
 * typed so far through the command table the way main() and args_parse()
 * would read them, then offers what may come next. */
#include "complete.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "exitcode.h"
#include "fileutil.h"
#include "strutil.h"
#include "xalloc.h"

/* The flags every command takes besides its table (args_want_help()). */
static const struct opt help_option = { "help", 'h', OPT_BOOL, NULL, NULL, "show this help",
					NULL };
/* The top level's own flags (main.c). */
static const struct opt top_options[] = {
	{ "help", 'h', OPT_BOOL, NULL, NULL, "show the commands", NULL },
	{ "version", 0, OPT_BOOL, NULL, NULL, "print the version", NULL },
	OPT_END,
};

#define CLUSTER_FLAGS_MAX 16

/* What the walk over the typed words found. */
struct walk {
	const struct command *command; /* the deepest command named (NULL: top level) */
	const struct opt *pending;     /* a flag whose value is the word being completed */
	bool options_ended;            /* "--" was typed */
	bool lost;                     /* a word that is no command where one was expected */
	struct strv seen_flags;        /* long names of the flags typed so far */
	struct strv cluster_args;      /* the kubeconfig flags typed, as args_parse() takes them */
	const char *cluster_names[CLUSTER_FLAGS_MAX + 1];
};

void completion_init(struct completion *c)
{
	strv_init(&c->candidates);
	c->directive = COMPLETE_DEFAULT;
	error_clear(&c->names_error);
}

void completion_release(struct completion *c)
{
	strv_release(&c->candidates);
}

static bool command_available(const struct command *c)
{
	return c->run || c->subcommands;
}

static const struct opt *options_of(const struct command *c)
{
	if (!c)
		return top_options;
	return c->options ? c->options() : NULL;
}

/* Looks a flag up by long name (the first `len` bytes of `name`). */
static const struct opt *find_long(const struct command *c, const char *name, size_t len)
{
	const struct opt *table = options_of(c);

	if (len == strlen(help_option.long_name) && !strncmp(name, help_option.long_name, len))
		return &help_option;
	for (const struct opt *o = table; o && o->long_name; o++)
		if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct opt *find_short(const struct command *c, char letter)
{
	const struct opt *table = options_of(c);

	if (letter == help_option.short_name)
		return &help_option;
	for (const struct opt *o = table; o && o->long_name; o++)
		if (o->short_name == letter)
			return o;
	return NULL;
}

/* True if the next word is the flag's value. */
static bool takes_value(const struct opt *o)
{
	return o->type != OPT_BOOL && o->type != OPT_OPTIONAL;
}

static bool is_cluster_flag(const struct walk *w, const struct opt *o)
{
	for (size_t i = 0; w->cluster_names[i]; i++)
		if (!strcmp(w->cluster_names[i], o->long_name))
			return true;
	return false;
}

/* Records a flag and, for a kubeconfig flag, the words args_parse() needs
 * to read its value back. `value` is NULL when the value is the next word
 * (which is then not yet known: the walk passes it to note_value()). */
static void note_flag(struct walk *w, const struct opt *o, const char *value)
{
	if (strv_find(&w->seen_flags, o->long_name) < 0)
		strv_push(&w->seen_flags, o->long_name);
	if (!is_cluster_flag(w, o))
		return;
	if (value)
		strv_pushf(&w->cluster_args, "--%s=%s", o->long_name, value);
	else if (!takes_value(o))
		strv_pushf(&w->cluster_args, "--%s", o->long_name);
}

/* Reads one flag word; returns true if the next word is its value. */
static bool walk_flag(struct walk *w, const char *word, const struct opt **ret_valued)
{
	*ret_valued = NULL;
	if (str_has_prefix(word, "--")) {
		const char *name = word + 2;
		const char *eq = strchr(name, '=');
		const struct opt *o = find_long(w->command, name, eq ? (size_t)(eq - name) : strlen(name));

		if (!o)
			return false; /* unknown: assume it takes no value */
		note_flag(w, o, eq ? eq + 1 : NULL);
		if (!eq && takes_value(o)) {
			*ret_valued = o;
			return true;
		}
		return false;
	}
	/* -n NS, -nNS, -n=NS, or bundled booleans like -yd */
	for (const char *p = word + 1; *p; p++) {
		const struct opt *o = find_short(w->command, *p);

		if (!o)
			return false;
		if (!takes_value(o)) {
			note_flag(w, o, NULL);
			continue;
		}
		if (p[1]) {
			note_flag(w, o, p[1] == '=' ? p + 2 : p + 1);
			return false;
		}
		note_flag(w, o, NULL);
		*ret_valued = o;
		return true;
	}
	return false;
}

static void walk_init(struct walk *w)
{
	struct cluster_flags scratch = { 0 };
	const struct opt *table = cluster_flags_table(&scratch, true);
	size_t n = 0;

	*w = (struct walk){ .seen_flags = STRV_INIT, .cluster_args = STRV_INIT };
	for (const struct opt *o = table; o->long_name && n < CLUSTER_FLAGS_MAX; o++)
		w->cluster_names[n++] = o->long_name;
	w->cluster_names[n] = NULL;
}

static void walk_release(struct walk *w)
{
	strv_release(&w->seen_flags);
	strv_release(&w->cluster_args);
}

/* Follows words[0 .. n) (all but the word being completed). */
static void walk_words(struct walk *w, const struct command *table, int n, char **words)
{
	const struct command *choices = table; /* subcommands still to pick from */

	for (int i = 0; i < n; i++) {
		const char *word = words[i];
		const struct opt *valued;

		if (!w->options_ended && !strcmp(word, "--")) {
			w->options_ended = true;
			continue;
		}
		if (!w->options_ended && word[0] == '-' && word[1]) {
			if (walk_flag(w, word, &valued)) {
				if (i + 1 == n) {
					w->pending = valued;
					return;
				}
				i++;
				if (is_cluster_flag(w, valued))
					strv_pushf(&w->cluster_args, "--%s=%s", valued->long_name,
						   words[i]);
			}
			continue;
		}
		if (choices) {
			const struct command *c = command_find(choices, word);

			if (!c || !command_available(c)) {
				w->lost = true;
				return;
			}
			w->command = c;
			choices = c->subcommands;
			/* A command's flags are its own: forget the parent's. */
			strv_release(&w->seen_flags);
			continue;
		}
		/* A positional argument of a leaf command: nothing to track. */
	}
}

static void add_candidate(struct completion *ret, const char *prefix, const char *value,
			  const char *description)
{
	if (!str_has_prefix(value, prefix))
		return;
	if (description && *description) {
		size_t len = strcspn(description, "\n");

		strv_pushf(&ret->candidates, "%s\t%.*s", value, (int)len, description);
	} else {
		strv_push(&ret->candidates, value);
	}
}

/* "json|yaml|name" as a flag's value name lists the values it takes. */
static void add_choices(struct completion *ret, const char *prefix, const char *choices)
{
	const char *p = choices;

	while (*p) {
		size_t len = strcspn(p, "|");
		_cleanup_free_ char *choice = xstrndup(p, len);

		add_candidate(ret, prefix, choice, NULL);
		p += len;
		if (*p == '|')
			p++;
	}
}

static void complete_cluster_argument(struct walk *w, enum completion_kind kind, const char *prefix,
				      complete_names_fn list_names, struct completion *ret);

static void complete_flag_value(struct walk *w, const struct opt *o, const char *prefix,
				complete_names_fn list_names, struct completion *ret)
{
	const char *kind = o->value_name ? o->value_name : "";

	if (is_cluster_flag(w, o) && !strcmp(o->long_name, "namespace")) {
		complete_cluster_argument(w, COMPLETE_NAMESPACE, prefix, list_names, ret);
	} else if (strchr(kind, '|')) {
		add_choices(ret, prefix, kind);
		ret->directive = COMPLETE_NO_FILE;
	} else if (str_has_suffix(kind, "FILE")) {
		ret->directive = COMPLETE_DEFAULT;
	} else if (str_has_suffix(kind, "DIR")) {
		ret->directive = COMPLETE_FILTER_DIRS;
	} else {
		ret->directive = COMPLETE_NO_FILE;
	}
}

static void add_flag(struct completion *ret, const struct walk *w, const char *prefix,
		     const struct opt *o, bool with_short)
{
	char name[128];

	/* A flag already given is not offered again, unless it repeats. */
	if (o->type != OPT_STRV && strv_find(&w->seen_flags, o->long_name) >= 0)
		return;
	snprintf(name, sizeof(name), "--%s", o->long_name);
	add_candidate(ret, prefix, name, o->help);
	if (with_short && o->short_name) {
		snprintf(name, sizeof(name), "-%c", o->short_name);
		add_candidate(ret, prefix, name, o->help);
	}
}

static void complete_flag_name(const struct walk *w, const char *word, struct completion *ret)
{
	const struct opt *table = options_of(w->command);
	bool with_short = !strcmp(word, "-");

	ret->directive = COMPLETE_NO_FILE;
	if (!str_has_prefix(word, "--") && !with_short) {
		/* "-o": a whole short flag; offer it back if it exists. */
		const struct opt *o = word[2] ? NULL : find_short(w->command, word[1]);

		if (o)
			add_candidate(ret, word, word, o->help);
		return;
	}
	for (const struct opt *o = table; o && o->long_name; o++)
		add_flag(ret, w, word, o, with_short);
	if (w->command)
		add_flag(ret, w, word, &help_option, with_short);
}

static bool is_listable_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void complete_cluster_argument(struct walk *w, enum completion_kind kind, const char *prefix,
				      complete_names_fn list_names, struct completion *ret)
{
	struct cluster_flags flags = { 0 };
	const struct opt *tables[] = { cluster_flags_table(&flags, true), NULL };
	struct strv positionals = STRV_INIT;
	struct strv names = STRV_INIT;
	struct error err = ERROR_INIT;

	ret->directive = COMPLETE_NO_FILE;
	if (!list_names)
		return;
	/* Every word was checked against this very table; a bad value (say
	 * --v=x) is left unset rather than failing the completion. */
	(void)args_parse("completion", tables, (int)w->cluster_args.len,
			 strv_array(&w->cluster_args), &positionals, &err);
	strv_release(&positionals);
	if (list_names(kind, &flags, &names, &ret->names_error) < 0) {
		strv_release(&names);
		return;
	}
	strv_sort(&names);
	for (size_t i = 0; i < names.len; i++) {
		if (i && !strcmp(names.items[i], names.items[i - 1]))
			continue;
		if (is_listable_name(names.items[i]))
			add_candidate(ret, prefix, names.items[i], NULL);
	}
	strv_release(&names);
}

static void complete_argument(struct walk *w, const struct command *table, const char *word,
			      complete_names_fn list_names, struct completion *ret)
{
	const struct command *c = w->command;
	const struct command *choices = c ? c->subcommands : table;

	if (choices) {
		for (const struct command *s = choices; s->name; s++)
			if (command_available(s))
				add_candidate(ret, word, s->name, s->summary);
		ret->directive = COMPLETE_NO_FILE;
		return;
	}
	if (c->arg_choices) {
		for (const char *const *a = c->arg_choices; *a; a++)
			add_candidate(ret, word, *a, NULL);
		ret->directive = COMPLETE_NO_FILE;
		return;
	}
	switch (c->args) {
	case COMPLETE_FILE:
		ret->directive = COMPLETE_DEFAULT;
		break;
	case COMPLETE_DIR:
		ret->directive = COMPLETE_FILTER_DIRS;
		break;
	case COMPLETE_JOB:
	case COMPLETE_GROUP:
	case COMPLETE_NAMESPACE:
		complete_cluster_argument(w, c->args, word, list_names, ret);
		break;
	case COMPLETE_NONE:
		ret->directive = COMPLETE_NO_FILE;
		break;
	}
}

void complete_words(const struct command *table, int nwords, char **words,
		    complete_names_fn list_names, struct completion *ret)
{
	const char *word = nwords > 0 ? words[nwords - 1] : "";
	struct walk w;

	walk_init(&w);
	walk_words(&w, table, nwords > 0 ? nwords - 1 : 0, words);
	if (w.lost) {
		ret->directive = COMPLETE_NO_FILE;
	} else if (w.pending) {
		complete_flag_value(&w, w.pending, word, list_names, ret);
	} else if (!w.options_ended && word[0] == '-') {
		const char *eq = str_has_prefix(word, "--") ? strchr(word, '=') : NULL;
		const struct opt *o =
			eq ? find_long(w.command, word + 2, (size_t)(eq - word - 2)) : NULL;

		/* Also an optional value, which is only ever attached. */
		if (eq && o && o->type != OPT_BOOL)
			complete_flag_value(&w, o, eq + 1, list_names, ret); /* cobra: the value alone */
		else if (eq)
			ret->directive = COMPLETE_NO_FILE;
		else
			complete_flag_name(&w, word, ret);
	} else {
		complete_argument(&w, table, word, list_names, ret);
	}
	walk_release(&w);
}

void completion_print(const struct completion *c, bool with_descriptions, FILE *out)
{
	for (size_t i = 0; i < c->candidates.len; i++) {
		const char *candidate = c->candidates.items[i];
		size_t len = with_descriptions ? strlen(candidate) : strcspn(candidate, "\t");

		fprintf(out, "%.*s\n", (int)len, candidate);
	}
	fprintf(out, ":%u\n", c->directive);
}

/* cobra's BASH_COMP_DEBUG_FILE: where completion may explain itself,
 * since anything on the terminal would garble the command line. */
static void note_debug(const char *message)
{
	const char *path = getenv("BASH_COMP_DEBUG_FILE");
	_cleanup_close_ int fd = -1;
	char line[ERROR_MSG_MAX + 64];
	int len;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "kubectl-konduktor completion: %s\n", message);
	if (len > 0)
		(void)fd_write_all(fd, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}

int complete_main(int argc, char **argv, bool with_descriptions)
{
	return complete_run(commands, argc, argv, with_descriptions);
}

int complete_run(const struct command *table, int argc, char **argv, bool with_descriptions)
{
	struct completion c;

	completion_init(&c);
	complete_words(table, argc, argv, complete_cluster_names, &c);
	if (c.names_error.msg[0])
		note_debug(c.names_error.msg);
	completion_print(&c, with_descriptions, stdout);
	completion_release(&c);
	return EXIT_OK;
}
