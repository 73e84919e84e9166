/* pki.h — the TLS material a self-contained local cluster needs, made
 * with GnuTLS the first time and reused after: a CA, a serving
 * certificate (127.0.0.1, ::1, localhost and the bind address) and a
 * client certificate (CN konduktor, O system:masters) for the kubeconfig.
 * The directory is 0700 and every key 0600; keys are ECDSA P-256 and the
 * certificates valid for ten years. `kubectl konduktor local up` runs the
 * server with --pki-dir. */
#ifndef KONDUKTOR_LC_PKI_H
#define KONDUKTOR_LC_PKI_H

#include "error.h"

struct pki {
	char *ca_cert;
	char *server_cert;
	char *server_key;
	char *client_cert;
	char *client_key;
};

/* Fills ret with the paths in dir, creating what is missing. A server
 * certificate that does not name bind_address is made again. */
int pki_ensure(const char *dir, const char *bind_address, struct pki *ret, struct error *err);
void pki_release(struct pki *p);

#endif
