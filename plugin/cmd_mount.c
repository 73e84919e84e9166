/* cmd_mount.c — `kubectl konduktor mount DIR` and `umount DIR`: the
 * filesystem of jobs and groups (docs/filesystem.md). `mount` runs
 * konduktor-fs with the same flags (it returns once the tree is mounted,
 * the daemon staying in the background); `umount` lazily unmounts a
 * konduktor-fs mount, also one whose daemon has died. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "companion.h"
#include "exitcode.h"
#include "fileutil.h"
#include "mountinfo.h"
#include "strutil.h"
#include "xalloc.h"

#define FS_PROGRAM "konduktor-fs"
#define FS_TYPE "fuse.konduktor-fs"

/* ---- mount's flags: konduktor-fs's (fusefs/options.c, which parses
 * them; tests/integration/test_fusefs_mount.py checks that the two
 * agree) ---- */

static struct cluster_flags cluster;
static bool foreground_flag;
static struct strv mount_options_flag;
static const char *log_file_flag;

static const struct opt own[] = {
	{ "foreground", 'f', OPT_BOOL, &foreground_flag, NULL,
	  "stay in the foreground instead of returning once mounted", NULL },
	{ "options", 'o', OPT_STRV, &mount_options_flag, "OPT[,OPT]",
	  "mount options: allow_other (let other users read the tree), allow_root", NULL },
	{ "log-file", 0, OPT_STRING, &log_file_flag, "FILE",
	  "where the daemon writes its log (default: nowhere once in the background, stderr "
	  "with -f)",
	  NULL },
	OPT_END,
};

static struct opt table[24];

const struct opt *cmd_mount_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), own, &cluster, true);
}

int cmd_mount(int argc, char **argv)
{
	const struct opt *tables[] = { cmd_mount_options(), NULL };
	struct strv positionals = STRV_INIT;
	struct error err = ERROR_INIT;
	_cleanup_free_ char *program = NULL;
	char **fs_argv;

	if (args_parse("mount", tables, argc - 1, argv + 1, &positionals, &err) < 0) {
		cli_error("%s", err.msg);
		strv_release(&positionals);
		strv_release(&mount_options_flag);
		return EXIT_USAGE;
	}
	strv_release(&mount_options_flag);
	if (positionals.len != 1) {
		strv_release(&positionals);
		cli_error("mount: name the directory to mount on (see 'kubectl konduktor mount "
			  "--help')");
		return EXIT_USAGE;
	}
	strv_release(&positionals);
	program = companion_find(FS_PROGRAM, "KONDUKTOR_FS", "fusefs", &err);
	if (!program) {
		cli_error("mount: %s", err.msg);
		return EXIT_ERROR;
	}
	/* konduktor-fs takes the same words: argv[0] becomes its name. */
	fs_argv = xcalloc((size_t)argc + 1, sizeof(*fs_argv));
	fs_argv[0] = FS_PROGRAM;
	for (int i = 1; i < argc; i++)
		fs_argv[i] = argv[i];
	fflush(NULL);
	execv(program, fs_argv);
	cli_error("mount: cannot run %s: %s", program, strerror(errno));
	free(fs_argv);
	return EXIT_ERROR;
}

/* ---- umount ---- */

/* The absolute, clean form of dir without touching it (a dead FUSE mount
 * answers every access with ENOTCONN). */
static char *absolute_path(const char *dir)
{
	char cwd[PATH_MAX];
	_cleanup_free_ char *joined = NULL;

	if (dir[0] == '/')
		return path_clean(dir);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	joined = path_join(cwd, dir);
	return path_clean(joined);
}

/* fusermount3 -u -z, or (root without it) a lazy umount2(). */
static int lazy_unmount(const char *path, struct error *err)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return error_set(err, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", "-z", "--", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_set(err, "cannot wait for fusermount3: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		if (geteuid() == 0 && umount2(path, MNT_DETACH) == 0)
			return 0;
		return error_set(err, "fusermount3 is missing (install the fuse3 package)");
	}
	return error_set(err, "fusermount3 could not unmount '%s' (see its message above)", path);
}

int cmd_umount(int argc, char **argv)
{
	const struct opt *tables[] = { NULL };
	struct strv positionals = STRV_INIT;
	struct error err = ERROR_INIT;
	_cleanup_free_ char *path = NULL;
	struct mount_entry *mounted = NULL;
	int code = EXIT_ERROR, found;

	if (args_parse("umount", tables, argc - 1, argv + 1, &positionals, &err) < 0) {
		cli_error("%s", err.msg);
		code = EXIT_USAGE;
		goto out;
	}
	if (positionals.len != 1) {
		cli_error("umount: name the directory to unmount (see 'kubectl konduktor umount "
			  "--help')");
		code = EXIT_USAGE;
		goto out;
	}
	path = absolute_path(positionals.items[0]);
	if (!path) {
		cli_error("umount: cannot find the working directory: %s", strerror(errno));
		goto out;
	}
	mounted = xmalloc(sizeof(*mounted));
	found = mountinfo_find(path, mounted, &err);
	if (found < 0) {
		cli_error("umount: %s", err.msg);
		goto out;
	}
	if (found > 0) {
		cli_error("umount: nothing is mounted on '%s'", positionals.items[0]);
		goto out;
	}
	if (strcmp(mounted->fstype, FS_TYPE) != 0) {
		cli_error("umount: '%s' is a %s mount, not konduktor-fs: leaving it alone",
			  positionals.items[0], mounted->fstype);
		goto out;
	}
	if (lazy_unmount(path, &err) < 0) {
		cli_error("umount: %s", err.msg);
		goto out;
	}
	code = EXIT_OK;
out:
	free(mounted);
	strv_release(&positionals);
	return code;
}
