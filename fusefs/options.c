/* options.c — parsing konduktor-fs's command line (see options.h). */
#include "options.h"

#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "xalloc.h"

void fs_options_init(struct fs_options *o)
{
	memset(o, 0, sizeof(*o));
	strv_init(&o->mount_options);
}

void fs_options_release(struct fs_options *o)
{
	strv_release(&o->mount_options);
	free(o->mountpoint);
	o->mountpoint = NULL;
}

static struct opt own_flags[5];

const struct opt *fs_options_table(struct fs_options *o)
{
	own_flags[0] = (struct opt){ "foreground", 'f', OPT_BOOL, &o->foreground, NULL,
				     "stay in the foreground instead of returning once mounted",
				     NULL };
	own_flags[1] = (struct opt){ "options", 'o', OPT_STRV, &o->mount_options, "OPT[,OPT]",
				     "mount options: allow_other (let other users read the "
				     "tree), allow_root",
				     NULL };
	own_flags[2] = (struct opt){ "log-file", 0, OPT_STRING, &o->log_file, "FILE",
				     "where the daemon writes its log (default: nowhere once in "
				     "the background, stderr with -f)",
				     NULL };
	own_flags[3] = (struct opt){ "help", 'h', OPT_BOOL, &o->help, NULL, "show this help", NULL };
	own_flags[4] = (struct opt)OPT_END;
	return own_flags;
}

/* Splits "a,b" values of -o and checks each. */
static int check_mount_options(struct fs_options *o, struct error *err)
{
	for (size_t i = 0; i < o->mount_options.len; i++) {
		const char *p = o->mount_options.items[i];

		while (*p) {
			size_t len = strcspn(p, ",");

			if (len == strlen("allow_other") && !strncmp(p, "allow_other", len))
				o->allow_other = true;
			else if (len == strlen("allow_root") && !strncmp(p, "allow_root", len))
				o->allow_root = true;
			else if (len)
				return error_set(err,
						 "unsupported mount option '%.*s' (konduktor-fs "
						 "takes allow_other and allow_root)",
						 (int)len, p);
			p += len + (p[len] == ',');
		}
	}
	if (o->allow_other && o->allow_root)
		return error_set(err, "mount options 'allow_other' and 'allow_root' exclude each other");
	return 0;
}

int fs_options_parse(struct fs_options *o, int argc, char **argv, struct error *err)
{
	const struct opt *tables[] = { cluster_flags_table(&o->cluster, true), fs_options_table(o),
				       NULL };
	struct strv positionals = STRV_INIT;
	int rc = -1;

	if (args_parse("konduktor-fs", tables, argc - 1, argv + 1, &positionals, err) < 0)
		goto out;
	if (o->help) {
		rc = 0;
		goto out;
	}
	if (check_mount_options(o, err) < 0)
		goto out;
	if (positionals.len == 0) {
		error_set(err, "no mount point given");
		goto out;
	}
	if (positionals.len > 1) {
		error_set(err, "one mount point only, not %zu ('%s', '%s'...)", positionals.len,
			  positionals.items[0], positionals.items[1]);
		goto out;
	}
	o->mountpoint = xstrdup(positionals.items[0]);
	rc = 0;
out:
	strv_release(&positionals);
	return rc;
}

void fs_options_usage(FILE *out)
{
	struct fs_options scratch;

	fs_options_init(&scratch);
	fputs("konduktor-fs - jobs and groups as a live, read-only directory tree\n"
	      "\n"
	      "Usage:\n"
	      "  konduktor-fs [flags] MOUNTPOINT\n"
	      "\n"
	      "Shows the jobs and groups that kubectl konduktor launched, in the\n"
	      "namespace of the current context (-n another, -A all of them), as files:\n"
	      "  <job>/status, result.json, error, logs, task.yaml, ranks/<i>/\n"
	      "  grp-xxxxxxxx/status, results.jsonl, inputs.jsonl, <index>/\n"
	      "Reading them makes no API request (logs stream from the API server);\n"
	      "changes appear within a second. The tree is read-only.\n"
	      "\n"
	      "It needs the cluster to start: once the tree is mounted it returns and\n"
	      "keeps serving in the background (-f: in the foreground). Stop it with\n"
	      "`kubectl konduktor umount MOUNTPOINT` (or fusermount3 -u MOUNTPOINT),\n"
	      "SIGINT or SIGTERM. docs/filesystem.md describes every file.\n"
	      "\n"
	      "Examples:\n"
	      "  konduktor-fs ~/jobs && cat ~/jobs/train-x7k2/result.json\n"
	      "  konduktor-fs -A --context prod /mnt/konduktor\n"
	      "  konduktor-fs -f --log-file /tmp/konduktor-fs.log ~/jobs\n"
	      "\n"
	      "Flags:\n",
	      out);
	args_print_options(fs_options_table(&scratch), out);
	args_print_options(cluster_flags_table(&scratch.cluster, true), out);
	fs_options_release(&scratch);
}
