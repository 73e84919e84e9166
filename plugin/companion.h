/* companion.h — finding the programs that come with kubectl-konduktor
 * (konduktor-localcluster, konduktor-fs): an environment variable naming
 * one, else next to this executable (also in a build tree's layout), else
 * on PATH. */
#ifndef KONDUKTOR_COMPANION_H
#define KONDUKTOR_COMPANION_H

#include "error.h"

/* The program `name`: $env_var if set, else <this program's dir>/name,
 * else <this program's dir>/../build_dir/name, else the first on PATH.
 * Newly allocated; NULL with err ("cannot find NAME next to
 * kubectl-konduktor or on PATH"). */
char *companion_find(const char *name, const char *env_var, const char *build_dir,
		     struct error *err);

#endif
