/* auth.h — authentication of API requests, as kube-apiserver's static
 * token file (--token-auth-file: lines `token,user,uid[,"group1,group2"]`)
 * and client certificates signed by --client-ca-file (the user is the
 * certificate's common name). Without either, every request is anonymous
 * and allowed. Tokens never reach logs or error messages. */
#ifndef KONDUKTOR_LC_AUTH_H
#define KONDUKTOR_LC_AUTH_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct auth;

/* Loads the token file (may be NULL); client_certs says whether client
 * certificates are verified (the TLS layer holds the CA). -1 with err
 * naming the file and line. */
struct auth *auth_new(const char *token_file, bool client_certs, struct error *err);
void auth_free(struct auth *a);
bool auth_required(const struct auth *a);
/* The first token of the file (for a kubeconfig the server writes), or NULL. */
const char *auth_first_token(const struct auth *a);

/* Authenticates a request: 0 with the user name in user[size] ("" when
 * anonymous and nothing is required), or -1 when credentials are missing
 * or wrong. */
int auth_check(struct auth *a, struct MHD_Connection *conn, const char *authorization,
	       char *user, size_t size);

#endif
