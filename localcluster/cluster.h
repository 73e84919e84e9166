/* cluster.h — the running cluster: its configuration (the command line)
 * and the parts every component reaches — store, log directory, schema,
 * faults, counters. main.c builds one; the HTTP handlers and the
 * in-process runtime (kubelet, scheduler, controllers) receive it. */
#ifndef KONDUKTOR_LC_CLUSTER_H
#define KONDUKTOR_LC_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strv.h"

struct store;
struct schema;
struct faults;
struct counters;
struct auth;

struct cluster_config {
	const char *bind_address;  /* "127.0.0.1" */
	int port;                  /* 0: any free port */
	const char *tls_cert_file; /* with tls_key_file: serve HTTPS */
	const char *tls_key_file;
	const char *client_ca_file; /* verify client certificates against it */
	const char *token_file;     /* static bearer tokens: token,user,uid[,"groups"] */
	const char *pki_dir;        /* certificates made and kept there (pki.h) */
	const char *state_dir;      /* NULL: in memory */
	const char *api_schema_dir; /* NULL: no schema validation */
	const char *ready_file;     /* written once serving */
	const char *kubeconfig_out; /* written once serving */
	const char *node_name;      /* "local" */
	size_t watch_history;
	int64_t bookmark_interval_seconds; /* between BOOKMARK watch events */
	size_t max_connections;
	int64_t verbosity;
};

struct cluster {
	const struct cluster_config *config;
	struct store *store;
	char *logs_dir;        /* see podlog.h */
	bool logs_dir_is_temp; /* removed at exit */
	struct schema *schema; /* NULL without --api-schema-dir */
	struct faults *faults;
	struct counters *counters;
	struct auth *auth;
	char *url;             /* "https://127.0.0.1:6443", once serving */
	/* Readable when the cluster shuts down: long-running requests (watch,
	 * log follow) poll it to end promptly. */
	int shutdown_fd;
};

#endif
