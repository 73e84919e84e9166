/* pki.c — a CA with a serving and a client certificate, via GnuTLS. */
#include "pki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "strutil.h"
#include "xalloc.h"

#define PKI_FILE_MAX ((size_t)64 * 1024)
#define TEN_YEARS ((time_t)10 * 365 * 24 * 3600)

struct keypair {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

static int gnutls_fail(struct error *err, const char *what, int code)
{
	return error_set(err, "%s: %s", what, gnutls_strerror(code));
}

static void keypair_free(struct keypair *kp)
{
	if (kp->crt)
		gnutls_x509_crt_deinit(kp->crt);
	if (kp->key)
		gnutls_x509_privkey_deinit(kp->key);
	kp->crt = NULL;
	kp->key = NULL;
}

static int write_pem(const char *path, gnutls_datum_t *pem, mode_t mode, struct error *err)
{
	int ret = file_write_atomic(path, pem->data, pem->size, mode, err);

	if (mode == 0600)
		explicit_bzero(pem->data, pem->size);
	gnutls_free(pem->data);
	return ret;
}

static int load_keypair(const char *cert_path, const char *key_path, struct keypair *kp,
			struct error *err)
{
	struct buf cert = BUF_INIT(PKI_FILE_MAX), key = BUF_INIT(PKI_FILE_MAX);
	gnutls_datum_t d;
	int r, ret = -1;

	if (file_read_all(cert_path, &cert, err) < 0 || file_read_all(key_path, &key, err) < 0)
		goto out;
	if ((r = gnutls_x509_crt_init(&kp->crt)) < 0 || (r = gnutls_x509_privkey_init(&kp->key)) < 0) {
		gnutls_fail(err, "x509 init", r);
		goto out;
	}
	d = (gnutls_datum_t){ (unsigned char *)cert.data, (unsigned)cert.len };
	if ((r = gnutls_x509_crt_import(kp->crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		error_set(err, "'%s': %s", cert_path, gnutls_strerror(r));
		goto out;
	}
	d = (gnutls_datum_t){ (unsigned char *)key.data, (unsigned)key.len };
	if ((r = gnutls_x509_privkey_import(kp->key, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		error_set(err, "'%s': %s", key_path, gnutls_strerror(r));
		goto out;
	}
	ret = 0;
out:
	buf_release(&cert);
	buf_release_secret(&key);
	if (ret < 0)
		keypair_free(kp);
	return ret;
}

enum cert_role {
	ROLE_CA,
	ROLE_SERVER,
	ROLE_CLIENT,
};

static int add_ip(gnutls_x509_crt_t crt, const char *text)
{
	unsigned char raw[16];

	if (inet_pton(AF_INET, text, raw) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, raw, 4,
							    GNUTLS_FSAN_APPEND);
	if (inet_pton(AF_INET6, text, raw) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, raw, 16,
							    GNUTLS_FSAN_APPEND);
	return 0;
}

/* Makes a key and a certificate for role, signed by ca (or itself). */
static int make_keypair(enum cert_role role, const char *cn, const char *org,
			const char *bind_address, const struct keypair *ca, struct keypair *kp,
			struct error *err)
{
	unsigned char serial[16], key_id[64];
	size_t key_id_size = sizeof(key_id);
	time_t now = time(NULL);
	int r;

	if ((r = gnutls_x509_privkey_init(&kp->key)) < 0 ||
	    (r = gnutls_x509_privkey_generate(kp->key, GNUTLS_PK_ECDSA,
					      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (r = gnutls_x509_crt_init(&kp->crt)) < 0)
		goto fail;
	if (getrandom(serial, sizeof(serial), 0) != (ssize_t)sizeof(serial)) {
		keypair_free(kp);
		return error_set(err, "getrandom: %s", strerror(errno));
	}
	serial[0] &= 0x7f; /* a positive serial */
	if ((r = gnutls_x509_crt_set_version(kp->crt, 3)) < 0 ||
	    (r = gnutls_x509_crt_set_serial(kp->crt, serial, sizeof(serial))) < 0 ||
	    (r = gnutls_x509_crt_set_activation_time(kp->crt, now - 3600)) < 0 ||
	    (r = gnutls_x509_crt_set_expiration_time(kp->crt, now + TEN_YEARS)) < 0 ||
	    (r = gnutls_x509_crt_set_key(kp->crt, kp->key)) < 0 ||
	    (r = gnutls_x509_crt_set_dn_by_oid(kp->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
					       (unsigned)strlen(cn))) < 0)
		goto fail;
	if (org && (r = gnutls_x509_crt_set_dn_by_oid(kp->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
						      org, (unsigned)strlen(org))) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_get_key_id(kp->crt, 0, key_id, &key_id_size)) < 0 ||
	    (r = gnutls_x509_crt_set_subject_key_id(kp->crt, key_id, key_id_size)) < 0)
		goto fail;
	if (role == ROLE_CA) {
		if ((r = gnutls_x509_crt_set_basic_constraints(kp->crt, 1, -1)) < 0 ||
		    (r = gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_KEY_CERT_SIGN |
								    GNUTLS_KEY_CRL_SIGN |
								    GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
		    (r = gnutls_x509_crt_sign2(kp->crt, kp->crt, kp->key, GNUTLS_DIG_SHA256, 0)) < 0)
			goto fail;
		return 0;
	}
	key_id_size = sizeof(key_id);
	if ((r = gnutls_x509_crt_set_basic_constraints(kp->crt, 0, -1)) < 0 ||
	    (r = gnutls_x509_crt_set_key_usage(kp->crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
							    GNUTLS_KEY_KEY_ENCIPHERMENT)) < 0 ||
	    (r = gnutls_x509_crt_set_key_purpose_oid(kp->crt,
						     role == ROLE_SERVER ? GNUTLS_KP_TLS_WWW_SERVER
									 : GNUTLS_KP_TLS_WWW_CLIENT,
						     0)) < 0 ||
	    (r = gnutls_x509_crt_get_subject_key_id(ca->crt, key_id, &key_id_size, NULL)) < 0 ||
	    (r = gnutls_x509_crt_set_authority_key_id(kp->crt, key_id, key_id_size)) < 0)
		goto fail;
	if (role == ROLE_SERVER &&
	    ((r = gnutls_x509_crt_set_subject_alt_name(kp->crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
						       GNUTLS_FSAN_APPEND)) < 0 ||
	     (r = add_ip(kp->crt, "127.0.0.1")) < 0 || (r = add_ip(kp->crt, "::1")) < 0 ||
	     (r = add_ip(kp->crt, bind_address)) < 0))
		goto fail;
	if ((r = gnutls_x509_crt_sign2(kp->crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0)) < 0)
		goto fail;
	return 0;
fail:
	keypair_free(kp);
	return gnutls_fail(err, "cannot make a certificate", r);
}

static int save_keypair(struct keypair *kp, const char *cert_path, const char *key_path,
			struct error *err)
{
	gnutls_datum_t pem;
	int r;

	/* The key first: a certificate without its key would be taken as done. */
	if ((r = gnutls_x509_privkey_export2(kp->key, GNUTLS_X509_FMT_PEM, &pem)) < 0)
		return gnutls_fail(err, "cannot export a key", r);
	if (write_pem(key_path, &pem, 0600, err) < 0)
		return -1;
	if ((r = gnutls_x509_crt_export2(kp->crt, GNUTLS_X509_FMT_PEM, &pem)) < 0)
		return gnutls_fail(err, "cannot export a certificate", r);
	return write_pem(cert_path, &pem, 0644, err);
}

/* True if the serving certificate loads and names the bind address. */
static bool server_cert_fits(const struct pki *p, const char *bind_address)
{
	struct keypair kp = { 0 };
	unsigned char raw[16];
	int family = strchr(bind_address, ':') ? AF_INET6 : AF_INET;
	bool fits = true;

	if (load_keypair(p->server_cert, p->server_key, &kp, NULL) < 0)
		return false;
	/* A wildcard address is reached through 127.0.0.1, which is always named. */
	if (strcmp(bind_address, "0.0.0.0") != 0 && strcmp(bind_address, "::") != 0 &&
	    inet_pton(family, bind_address, raw) == 1)
		fits = gnutls_x509_crt_check_ip(kp.crt, raw, family == AF_INET ? 4 : 16, 0);
	keypair_free(&kp);
	return fits;
}

int pki_ensure(const char *dir, const char *bind_address, struct pki *ret, struct error *err)
{
	_cleanup_free_ char *ca_key = path_join(dir, "ca.key");
	struct keypair ca = { 0 }, leaf = { 0 };
	struct pki p = { 0 };
	int ret_code = -1;

	if (mkdir_parents(dir, 0700, err) < 0)
		return -1;
	p.ca_cert = path_join(dir, "ca.crt");
	p.server_cert = path_join(dir, "server.crt");
	p.server_key = path_join(dir, "server.key");
	p.client_cert = path_join(dir, "client.crt");
	p.client_key = path_join(dir, "client.key");
	if (access(p.ca_cert, R_OK) == 0 && access(ca_key, R_OK) == 0) {
		if (load_keypair(p.ca_cert, ca_key, &ca, err) < 0)
			goto out;
	} else if (make_keypair(ROLE_CA, "konduktor-local-ca", NULL, NULL, NULL, &ca, err) < 0 ||
		   save_keypair(&ca, p.ca_cert, ca_key, err) < 0) {
		goto out;
	} else {
		/* A new CA invalidates whatever it did not sign. */
		unlink(p.server_cert);
		unlink(p.client_cert);
	}
	if (access(p.server_cert, R_OK) < 0 || access(p.server_key, R_OK) < 0 ||
	    !server_cert_fits(&p, bind_address)) {
		if (make_keypair(ROLE_SERVER, "konduktor-localcluster", NULL, bind_address, &ca,
				 &leaf, err) < 0 ||
		    save_keypair(&leaf, p.server_cert, p.server_key, err) < 0)
			goto out;
		keypair_free(&leaf);
	}
	if (access(p.client_cert, R_OK) < 0 || access(p.client_key, R_OK) < 0) {
		if (make_keypair(ROLE_CLIENT, "konduktor", "system:masters", NULL, &ca, &leaf,
				 err) < 0 ||
		    save_keypair(&leaf, p.client_cert, p.client_key, err) < 0)
			goto out;
	}
	*ret = p;
	memset(&p, 0, sizeof(p));
	ret_code = 0;
out:
	if (ret_code < 0)
		error_prefix(err, "--pki-dir '%s'", dir);
	keypair_free(&ca);
	keypair_free(&leaf);
	pki_release(&p);
	return ret_code;
}

void pki_release(struct pki *p)
{
	free(p->ca_cert);
	free(p->server_cert);
	free(p->server_key);
	free(p->client_cert);
	free(p->client_key);
	memset(p, 0, sizeof(*p));
}
