/* envfile.h — environment files as `docker run --env-file` and
 * `kubectl create configmap --from-env-file` read them.
 *
 * One VAR=VALUE per line. Leading whitespace is ignored; blank lines and
 * lines starting with '#' are skipped; a UTF-8 byte order mark at the start
 * is ignored; the value is everything after the first '=', taken literally
 * (quotes are not removed, trailing spaces are kept, a CR before the LF is
 * dropped). A line that is just VAR takes VAR's value from the launching
 * process's environment and is skipped when VAR is not set there. Names
 * must be shell variable names ([A-Za-z_][A-Za-z0-9_]*), because tasks use
 * them from shell scripts. Errors name the file and the line. */
#ifndef KONDUKTOR_ENVFILE_H
#define KONDUKTOR_ENVFILE_H

#include <stddef.h>

#include "error.h"
#include "strv.h"

/* Largest env file read (values end up in the pod spec, whose object
 * Kubernetes caps at about 1.5 MiB). */
#define ENVFILE_MAX ((size_t)256 * 1024)

/* Appends "NAME=VALUE" strings to `ret` in file order. `name` is used in
 * messages ("env file 'x.env': line 3: ..."). */
int envfile_parse_text(const char *name, const char *text, size_t len, struct strv *ret,
		       struct error *err);
int envfile_parse_file(const char *path, struct strv *ret, struct error *err);

#endif
