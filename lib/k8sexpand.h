/* k8sexpand.h — the kubelet's $(VAR) expansion of container env values,
 * command and args, and its inverse: escaping a string so that it reaches
 * the process exactly as written.
 *
 * The kubelet replaces "$(NAME)" with NAME's value when NAME is an env
 * var defined earlier in the container, reduces "$$" to "$", and keeps
 * everything else (third_party/forked/golang/expansion): an undefined
 * "$(NAME)", a "$(" without ')', a '$' at the end, "$x". A task's scripts
 * and values ("echo $$", "$(date)") are data, so every literal the project
 * puts into a pod spec goes through k8s_escape_dollars(), which doubles
 * each '$' that begins "$$" or "$(" — the only places expansion changes
 * anything — and leaves "$HOME" as is. */
#ifndef KONDUKTOR_K8SEXPAND_H
#define KONDUKTOR_K8SEXPAND_H

#include "buf.h"

/* Newly allocated copy of s that k8s_expand() turns back into s, whatever
 * variables are defined. */
char *k8s_escape_dollars(const char *s);

/* Looks up a variable; returns NULL when it is not defined. */
typedef const char *(*k8s_lookup_fn)(const char *name, void *data);

/* Appends the expansion of s to out, as the kubelet performs it; -1 once
 * out's max is reached (the local cluster's kubelet refuses the pod).
 * `lookup` may be NULL: nothing is defined. */
int k8s_expand_append(const char *s, k8s_lookup_fn lookup, void *data, struct buf *out);

/* Newly allocated expansion of s. Results over BUF_MAX_DEFAULT (16 MiB)
 * end the process, as running out of memory does. */
char *k8s_expand(const char *s, k8s_lookup_fn lookup, void *data);

#endif
