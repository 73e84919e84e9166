/* auth.c — bearer tokens and client certificates. */
#include "auth.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileutil.h"
#include "strutil.h"
#include "strv.h"
#include "xalloc.h"

#define TOKEN_FILE_MAX ((size_t)1024 * 1024)

struct auth {
	struct strv tokens; /* parallel to users */
	struct strv users;
	bool client_certs;
};

static int parse_token_line(struct auth *a, const char *path, size_t lineno, char *line,
			    struct error *err)
{
	char *comma1 = strchr(line, ','), *comma2;

	if (!comma1 || comma1 == line)
		return error_set(err, "'%s': line %zu: expected token,user,uid", path, lineno);
	*comma1 = '\0';
	comma2 = strchr(comma1 + 1, ',');
	if (!comma2 || comma2 == comma1 + 1)
		return error_set(err, "'%s': line %zu: expected token,user,uid", path, lineno);
	*comma2 = '\0';
	strv_push(&a->tokens, line);
	strv_push(&a->users, comma1 + 1);
	return 0;
}

struct auth *auth_new(const char *token_file, bool client_certs, struct error *err)
{
	struct auth *a = xcalloc(1, sizeof(*a));

	a->client_certs = client_certs;
	if (token_file) {
		struct buf text = BUF_INIT(TOKEN_FILE_MAX);
		char *line, *next;
		size_t lineno = 0;

		if (file_read_all(token_file, &text, err) < 0) {
			buf_release(&text);
			auth_free(a);
			return NULL;
		}
		for (line = text.data; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			lineno++;
			line[strcspn(line, "\r")] = '\0';
			if (!*line || *line == '#')
				continue;
			if (parse_token_line(a, token_file, lineno, line, err) < 0) {
				buf_release_secret(&text);
				auth_free(a);
				return NULL;
			}
		}
		buf_release_secret(&text);
		if (!a->tokens.len) {
			error_set(err, "'%s': no tokens", token_file);
			auth_free(a);
			return NULL;
		}
	}
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->tokens.len; i++)
		explicit_bzero(a->tokens.items[i], strlen(a->tokens.items[i]));
	strv_release(&a->tokens);
	strv_release(&a->users);
	free(a);
}

bool auth_required(const struct auth *a)
{
	return a->tokens.len || a->client_certs;
}

const char *auth_first_token(const struct auth *a)
{
	return a->tokens.len ? a->tokens.items[0] : NULL;
}

/* Compares without an early exit, so timing says nothing about a token. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = (unsigned char)(la != lb);

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0;
}

/* The verified client certificate's common name, if there is one. */
static int certificate_user(struct MHD_Connection *conn, char *user, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t session;
	const gnutls_datum_t *certs;
	unsigned n = 0, status = 0;
	gnutls_x509_crt_t crt;
	size_t len = size;
	int ret = -1;

	if (!info || !info->tls_session)
		return -1;
	session = (gnutls_session_t)info->tls_session;
	certs = gnutls_certificate_get_peers(session, &n);
	if (!certs || !n || gnutls_certificate_verify_peers2(session, &status) < 0 || status)
		return -1;
	if (gnutls_x509_crt_init(&crt) < 0)
		return -1;
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, user, &len) == 0)
		ret = 0;
	gnutls_x509_crt_deinit(crt);
	return ret;
}

int auth_check(struct auth *a, struct MHD_Connection *conn, const char *authorization,
	       char *user, size_t size)
{
	user[0] = '\0';
	if (a->client_certs && certificate_user(conn, user, size) == 0)
		return 0;
	if (authorization && a->tokens.len && str_has_prefix(authorization, "Bearer ")) {
		const char *token = authorization + 7;
		long found = -1;

		for (size_t i = 0; i < a->tokens.len; i++)
			if (same_secret(token, a->tokens.items[i]))
				found = (long)i;
		if (found >= 0) {
			str_copy(user, size, a->users.items[found]);
			return 0;
		}
	}
	user[0] = '\0';
	return auth_required(a) ? -1 : 0;
}
