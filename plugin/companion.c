/* companion.c — finding konduktor-localcluster and konduktor-fs (see
 * companion.h). */
#include "companion.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "xalloc.h"

static char *executable_at(char *candidate)
{
	if (access(candidate, X_OK) == 0)
		return candidate;
	free(candidate);
	return NULL;
}

char *companion_find(const char *name, const char *env_var, const char *build_dir,
		     struct error *err)
{
	const char *env = getenv(env_var);
	const char *path = getenv("PATH");
	char self[PATH_MAX];
	char *found;
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		_cleanup_free_ char *dir = NULL;

		self[n] = '\0';
		dir = path_dirname(self);
		if ((found = executable_at(xasprintf("%s/%s", dir, name))) ||
		    (found = executable_at(xasprintf("%s/../%s/%s", dir, build_dir, name))))
			return found;
	}
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		if (len && (found = executable_at(xasprintf("%.*s/%s", (int)len, path, name))))
			return found;
		path += len + (colon ? 1 : 0);
	}
	error_set(err, "cannot find %s next to kubectl-konduktor or on PATH", name);
	return NULL;
}
