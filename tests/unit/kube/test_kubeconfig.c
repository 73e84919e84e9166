/* test_kubeconfig.c — kubectl's configuration rules as a table of cases:
 * which files are read and how they merge, each override, namespace
 * precedence, relative paths, *-data vs file forms, invalid combinations
 * with kubectl's messages, the in-cluster fallback and --request-timeout.
 *
 * Every case runs in a fresh temporary directory "$D" holding its files;
 * "$D" in paths, KUBECONFIG and expectations is replaced by that directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cleanup.h"
#include "fileutil.h"
#include "kube_config.h"
#include "kubeconfig.h"
#include "strutil.h"
#include "xalloc.h"

struct file_spec {
	const char *name; /* relative to $D; parent directories are created */
	const char *text;
};

struct expect {
	const char *error; /* the whole message; NULL: success expected */
	const char *context, *cluster, *user, *namespace, *server;
	enum kube_namespace_source namespace_source;
	const char *token, *token_file, *ca_file, *ca_data;
	const char *client_certificate_file, *client_certificate_data;
	const char *client_key_file, *client_key_data;
	const char *username, *password, *tls_server_name, *proxy_url;
	const char *exec_command;
	enum kube_exec_interactive exec_interactive;
	bool insecure, in_cluster;
	int64_t timeout_ms; /* 0: expect the default */
};

struct config_case {
	const char *name;
	struct file_spec files[5];
	const char *kubeconfig_env;   /* KUBECONFIG; NULL: unset */
	const char *home;             /* HOME; NULL: $D/home */
	bool in_cluster_env;          /* KUBERNETES_SERVICE_HOST/PORT set */
	const char *pod_namespace;    /* POD_NAMESPACE */
	struct kube_overrides ov;     /* .kubeconfig may use $D */
	struct expect want;
};

/* base64: Q0EtUEVN = "CA-PEM", Q0VSVA== = "CERT", S0VZ = "KEY" */
#define CLUSTERS_A                                                                                \
	"clusters:\n"                                                                             \
	"- name: prod\n"                                                                          \
	"  cluster:\n"                                                                            \
	"    server: https://prod.example:6443\n"                                                 \
	"    certificate-authority-data: Q0EtUEVN\n"                                              \
	"- name: dev\n"                                                                           \
	"  cluster:\n"                                                                            \
	"    server: https://dev.example:6443/\n"                                                 \
	"    tls-server-name: kubernetes.dev\n"                                                   \
	"    proxy-url: http://proxy.example:3128\n"
#define USERS_A                                                                                   \
	"users:\n"                                                                                \
	"- name: alice\n"                                                                         \
	"  user:\n"                                                                               \
	"    token: alice-token\n"                                                                \
	"- name: bob\n"                                                                           \
	"  user:\n"                                                                               \
	"    client-certificate-data: Q0VSVA==\n"                                                 \
	"    client-key-data: S0VZ\n"
#define CONTEXTS_A                                                                                \
	"contexts:\n"                                                                             \
	"- name: prod-alice\n"                                                                    \
	"  context: {cluster: prod, user: alice, namespace: team-a}\n"                            \
	"- name: dev-bob\n"                                                                       \
	"  context: {cluster: dev, user: bob}\n"
#define CONFIG_A "apiVersion: v1\nkind: Config\ncurrent-context: prod-alice\n" CLUSTERS_A USERS_A CONTEXTS_A

static const struct config_case config_cases[] = {
	{
		.name = "--kubeconfig: current-context, its namespace, token and CA data",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .context = "prod-alice", .cluster = "prod", .user = "alice",
			  .namespace = "team-a", .namespace_source = KUBE_NAMESPACE_CONTEXT,
			  .server = "https://prod.example:6443", .token = "alice-token",
			  .ca_data = "CA-PEM", .ca_file = "" },
	},
	{
		.name = "--kubeconfig is exclusive: KUBECONFIG's files are not read",
		.files = { { "a.yaml", CONFIG_A },
			   { "b.yaml", "current-context: other\ncontexts:\n- name: other\n"
				       "  context: {cluster: prod}\n" } },
		.kubeconfig_env = "$D/b.yaml",
		.ov = { .kubeconfig = "$D/a.yaml", .context = "other" },
		.want = { .error = "context \"other\" does not exist" },
	},
	{
		.name = "--kubeconfig naming a missing file is an error",
		.ov = { .kubeconfig = "$D/nope.yaml" },
		.want = { .error = "stat $D/nope.yaml: no such file or directory" },
	},
	{
		.name = "KUBECONFIG: first file to set current-context and each name wins",
		.files = { { "first.yaml",
			     "clusters:\n- name: prod\n  cluster: {server: 'https://first:1'}\n"
			     "contexts:\n- name: prod-alice\n  context: {cluster: prod, user: alice}\n" },
			   { "second.yaml", CONFIG_A } },
		.kubeconfig_env = "$D/first.yaml:$D/second.yaml",
		.want = { .context = "prod-alice", .cluster = "prod", .user = "alice",
			  .namespace = "default", .namespace_source = KUBE_NAMESPACE_DEFAULT,
			  .server = "https://first:1", .token = "alice-token" },
	},
	{
		.name = "KUBECONFIG: the earlier file's current-context beats a later one",
		.files = { { "first.yaml", "current-context: dev-bob\n" },
			   { "second.yaml", CONFIG_A } },
		.kubeconfig_env = "$D/first.yaml:$D/second.yaml",
		.want = { .context = "dev-bob", .cluster = "dev", .user = "bob",
			  .namespace = "default", .server = "https://dev.example:6443",
			  .client_certificate_data = "CERT", .client_key_data = "KEY",
			  .tls_server_name = "kubernetes.dev", .proxy_url = "http://proxy.example:3128" },
	},
	{
		.name = "KUBECONFIG: missing files, empty entries and repeats are skipped",
		.files = { { "a.yaml", CONFIG_A } },
		.kubeconfig_env = "$D/missing.yaml::$D/a.yaml:$D/a.yaml:$D/also-missing",
		.want = { .context = "prod-alice", .server = "https://prod.example:6443",
			  .namespace = "team-a", .namespace_source = KUBE_NAMESPACE_CONTEXT },
	},
	{
		.name = "KUBECONFIG unset: ~/.kube/config",
		.files = { { "home/.kube/config", CONFIG_A } },
		.want = { .context = "prod-alice", .server = "https://prod.example:6443" },
	},
	{
		.name = "--context picks another context",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .context = "dev-bob" },
		.want = { .context = "dev-bob", .cluster = "dev", .user = "bob",
			  .namespace = "default", .server = "https://dev.example:6443" },
	},
	{
		.name = "--cluster and --user replace the context's",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .cluster = "dev", .user = "bob" },
		.want = { .context = "prod-alice", .cluster = "dev", .user = "bob",
			  .namespace = "team-a", .namespace_source = KUBE_NAMESPACE_CONTEXT,
			  .server = "https://dev.example:6443", .client_certificate_data = "CERT",
			  .token = "" },
	},
	{
		.name = "--server replaces the server and drops tls-server-name",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .context = "dev-bob",
			.server = "https://127.0.0.1:9443" },
		.want = { .server = "https://127.0.0.1:9443", .tls_server_name = "" },
	},
	{
		.name = "-n beats the context's namespace",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .namespace = "elsewhere" },
		.want = { .namespace = "elsewhere", .namespace_source = KUBE_NAMESPACE_OVERRIDE },
	},
	{
		.name = "unknown --context / --user / --cluster",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .context = "nope" },
		.want = { .error = "context \"nope\" does not exist" },
	},
	{
		.name = "unknown --user",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .user = "mallory" },
		.want = { .error = "auth info \"mallory\" does not exist" },
	},
	{
		.name = "unknown --cluster",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .cluster = "moon" },
		.want = { .error = "cluster \"moon\" does not exist" },
	},
	{
		.name = "current-context naming a missing context",
		.files = { { "a.yaml", "current-context: ghost\n" CLUSTERS_A } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: [context was not found for specified "
				   "context: ghost, cluster has no server defined]" },
	},
	{
		.name = "relative paths resolve against the file that names them",
		.files = { { "sub/dir/config",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster:\n    server: https://k:6443\n"
			     "    certificate-authority: ../certs/./ca.pem\n"
			     "users:\n- name: u\n  user:\n    client-certificate: u.crt\n"
			     "    client-key: /dev/./null\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" },
			   { "sub/certs/ca.pem", "pem" },
			   { "sub/dir/u.crt", "crt" },
			   { "kc-other", "" } },
		.kubeconfig_env = "$D/sub/dir/config",
		.want = { .ca_file = "$D/sub/certs/ca.pem", .client_certificate_file = "$D/sub/dir/u.crt",
			  .client_key_file = "/dev/null" },
	},
	{
		.name = "tokenFile and an exec command with a '/' are relative to the file",
		.files = { { "k/config",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k:6443', "
			     "insecure-skip-tls-verify: true}\n"
			     "users:\n- name: u\n  user:\n    tokenFile: tok\n"
			     "    exec: {command: ./bin/plugin, apiVersion: "
			     "client.authentication.k8s.io/v1beta1}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" },
			   { "k/tok", "file-token\n" } },
		.ov = { .kubeconfig = "$D/k/config" },
		.want = { .token_file = "$D/k/tok", .token = "", .exec_command = "$D/k/bin/plugin",
			  .exec_interactive = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE, .insecure = true },
	},
	{
		.name = "an exec command without '/' is looked up on PATH",
		.files = { { "k/config",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k:6443'}\n"
			     "users:\n- name: u\n  user:\n"
			     "    exec: {command: aws, apiVersion: client.authentication.k8s.io/v1, "
			     "interactiveMode: Never, args: [eks, get-token]}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/k/config" },
		.want = { .exec_command = "aws", .exec_interactive = KUBE_EXEC_INTERACTIVE_NEVER },
	},
	{
		.name = "a missing tokenFile fails the load, as kubectl",
		.files = { { "k/config",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k:6443'}\n"
			     "users:\n- name: u\n  user: {tokenFile: gone}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/k/config" },
		.want = { .error = "open $D/k/gone: no such file or directory" },
	},
	{
		.name = "certificate-authority and -data together",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k', "
			     "certificate-authority: ca.pem, certificate-authority-data: Q0EtUEVN}\n"
			     "contexts:\n- name: c\n  context: {cluster: k}\n" },
			   { "ca.pem", "x" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: certificate-authority-data and "
				   "certificate-authority are both specified for k; "
				   "certificate-authority-data will override" },
	},
	{
		.name = "an unreadable certificate-authority file",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k', "
			     "certificate-authority: nope.pem}\n"
			     "contexts:\n- name: c\n  context: {cluster: k}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: unable to read certificate-authority "
				   "$D/nope.pem for k due to open $D/nope.pem: no such file or "
				   "directory" },
	},
	{
		.name = "client-certificate file and data together, and no key",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k'}\n"
			     "users:\n- name: u\n  user: {client-certificate: c.crt, "
			     "client-certificate-data: Q0VSVA==}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" },
			   { "c.crt", "x" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: [client-cert-data and client-cert are "
				   "both specified for u; client-cert-data will override, "
				   "client-key-data or client-key must be specified for u to use the "
				   "clientCert authentication method]" },
	},
	{
		.name = "two authentication methods in one user",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k'}\n"
			     "users:\n- name: alice\n  user: {token: t, username: a, password: p}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: alice}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: more than one authentication method "
				   "found for alice; found [token basicAuth], only one is allowed" },
	},
	{
		.name = "exec v1 without interactiveMode",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k'}\n"
			     "users:\n- name: u\n  user:\n    exec: {command: p, apiVersion: "
			     "client.authentication.k8s.io/v1}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: interactiveMode must be specified for u "
				   "to use exec authentication plugin" },
	},
	{
		.name = "exec without command or apiVersion, env without name",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k'}\n"
			     "users:\n- name: u\n  user:\n    exec: {interactiveMode: Never, env: "
			     "[{value: x}]}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: [command must be specified for u to use "
				   "exec authentication plugin, apiVersion must be specified for u to "
				   "use exec authentication plugin, env variable name must be specified "
				   "for u to use exec authentication plugin]" },
	},
	{
		.name = "insecure-skip-tls-verify with a CA",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k', "
			     "insecure-skip-tls-verify: true, certificate-authority-data: Q0EtUEVN}\n"
			     "contexts:\n- name: c\n  context: {cluster: k}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: specifying a root certificates file with "
				   "the insecure flag is not allowed" },
	},
	{
		.name = "a cluster without a server",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {tls-server-name: x}\n"
			     "contexts:\n- name: c\n  context: {cluster: k}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: no server found for cluster \"k\"" },
	},
	{
		.name = "impersonation groups without a user",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k'}\n"
			     "users:\n- name: u\n  user: {token: t, as-groups: [g]}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: requesting uid, groups or user-extra for u "
				   "without impersonating a user" },
	},
	{
		.name = "an unsupported auth-provider",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'https://k'}\n"
			     "users:\n- name: u\n  user: {auth-provider: {name: gcp}}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .error = "invalid configuration: the auth-provider 'gcp' of user u is not "
				   "supported: use an exec credential plugin instead" },
	},
	{
		.name = "YAML syntax errors carry a position",
		.files = { { "bad.yaml", "clusters:\n- name: x\n  cluster: [\n" } },
		.ov = { .kubeconfig = "$D/bad.yaml" },
		.want = { .error = "kubeconfig '$D/bad.yaml': line 4, column 1: did not find "
				   "expected node content while parsing a flow node" },
	},
	{
		.name = "a wrong type carries a position",
		.files = { { "bad.yaml", "clusters:\n- name: x\n  cluster:\n"
					 "    insecure-skip-tls-verify: maybe\n" } },
		.ov = { .kubeconfig = "$D/bad.yaml" },
		.want = { .error = "kubeconfig '$D/bad.yaml': line 4, column 31: "
				   "'insecure-skip-tls-verify' must be true or false" },
	},
	{
		.name = "bad base64 in a -data field",
		.files = { { "bad.yaml", "users:\n- name: u\n  user: {client-key-data: '!!!!'}\n" } },
		.ov = { .kubeconfig = "$D/bad.yaml" },
		.want = { .error = "kubeconfig '$D/bad.yaml': line 3, column 27: 'client-key-data': "
				   "invalid base64 at byte 0" },
	},
	{
		.name = "a name defined twice in one file",
		.files = { { "bad.yaml", "clusters:\n- name: x\n  cluster: {server: a}\n"
					 "- name: x\n  cluster: {server: b}\n" } },
		.ov = { .kubeconfig = "$D/bad.yaml" },
		.want = { .error = "kubeconfig '$D/bad.yaml': line 4, column 3: duplicate name \"x\" "
				   "in 'clusters'" },
	},
	{
		.name = "a broken file in KUBECONFIG is an error, not skipped",
		.files = { { "bad.yaml", "clusters: 7\n" }, { "a.yaml", CONFIG_A } },
		.kubeconfig_env = "$D/a.yaml:$D/bad.yaml",
		.want = { .error = "kubeconfig '$D/bad.yaml': line 1, column 11: 'clusters' must be "
				   "a list" },
	},
	{
		.name = "a JSON kubeconfig",
		.files = { { "a.json",
			     "{\"current-context\":\"c\",\"clusters\":[{\"name\":\"k\",\"cluster\":"
			     "{\"server\":\"https://json:1\"}}],\"contexts\":[{\"name\":\"c\","
			     "\"context\":{\"cluster\":\"k\",\"namespace\":\"j\"}}]}" } },
		.ov = { .kubeconfig = "$D/a.json" },
		.want = { .server = "https://json:1", .namespace = "j",
			  .namespace_source = KUBE_NAMESPACE_CONTEXT },
	},
	{
		.name = "plain HTTP: no credentials are sent, as kubectl",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'http://k:8080'}\n"
			     "users:\n- name: u\n  user: {token: secret}\n"
			     "contexts:\n- name: c\n  context: {cluster: k, user: u}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml" },
		.want = { .server = "http://k:8080", .token = "" },
	},
	{
		.name = "a server without a scheme is https when TLS settings exist",
		.files = { { "a.yaml",
			     "current-context: c\n"
			     "clusters:\n- name: k\n  cluster: {server: 'k:6443', "
			     "certificate-authority-data: Q0EtUEVN}\n"
			     "contexts:\n- name: c\n  context: {cluster: k}\n" } },
		.ov = { .kubeconfig = "$D/a.yaml", .request_timeout = "1m30s" },
		.want = { .server = "https://k:6443", .timeout_ms = 90000 },
	},
	{
		.name = "in-cluster: no kubeconfig, service host and token present",
		.in_cluster_env = true,
		.files = { { "sa/token", "sa-token\n" }, { "sa/ca.crt", "ca" },
			   { "sa/namespace", "  jobs\n" } },
		.want = { .in_cluster = true, .server = "https://10.0.0.1:443",
			  .namespace = "jobs", .namespace_source = KUBE_NAMESPACE_CONTEXT,
			  .token_file = "$D/sa/token", .ca_file = "$D/sa/ca.crt", .context = "" },
	},
	{
		.name = "in-cluster: POD_NAMESPACE, then -n and --server",
		.in_cluster_env = true,
		.pod_namespace = "from-env",
		.files = { { "sa/token", "sa-token\n" }, { "sa/namespace", "jobs\n" } },
		.ov = { .namespace = "flag", .server = "https://override:1" },
		.want = { .in_cluster = true, .server = "https://override:1", .namespace = "flag",
			  .namespace_source = KUBE_NAMESPACE_OVERRIDE, .ca_file = "" },
	},
	{
		.name = "in-cluster: POD_NAMESPACE beats the namespace file",
		.in_cluster_env = true,
		.pod_namespace = "from-env",
		.files = { { "sa/token", "sa-token\n" }, { "sa/namespace", "jobs\n" } },
		.want = { .in_cluster = true, .namespace = "from-env",
			  .namespace_source = KUBE_NAMESPACE_CONTEXT },
	},
	{
		.name = "a usable kubeconfig wins over in-cluster",
		.in_cluster_env = true,
		.files = { { "sa/token", "t" }, { "home/.kube/config", CONFIG_A } },
		.want = { .in_cluster = false, .server = "https://prod.example:6443" },
	},
	{
		.name = "no configuration anywhere",
		.files = { { "sa/token", "t" } }, /* the service env is missing */
		.want = { .error = "invalid configuration: no configuration has been provided (set "
				   "KUBECONFIG, use --kubeconfig or --server, or create "
				   "~/.kube/config)" },
	},
	{
		.name = "--server alone, without files",
		.ov = { .server = "https://only-flag:6443" },
		.want = { .server = "https://only-flag:6443", .namespace = "default", .context = "" },
	},
	{
		.name = "an invalid --request-timeout",
		.files = { { "a.yaml", CONFIG_A } },
		.ov = { .kubeconfig = "$D/a.yaml", .request_timeout = "soon" },
		.want = { .error = "invalid request timeout 'soon': it must be a single integer in "
				   "seconds, or an integer followed by a time unit (e.g. 1s | 2m | 3h)" },
	},
};

static char test_dir[256];

/* Replaces every "$D" with the case's directory; NULL stays NULL. */
static char *expand(const char *s)
{
	struct buf out = BUF_INIT(BUF_MAX_SMALL);

	if (!s)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (p[0] == '$' && p[1] == 'D') {
			buf_puts(&out, test_dir);
			p++;
		} else {
			buf_putc(&out, *p);
		}
	}
	return buf_detach(&out, NULL);
}

static void write_file(const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", test_dir, rel);
	_cleanup_free_ char *dir = path_dirname(path);

	assert_int_equal(mkdir_parents(dir, 0700, NULL), 0);
	assert_int_equal(file_write_atomic(path, text, strlen(text), 0600, NULL), 0);
}

static void setenv_or_unset(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static void check_string(const char *case_name, const char *field, const char *want,
			  const char *got)
{
	_cleanup_free_ char *expanded = expand(want);

	if (!want)
		return;
	if (!str_eq(expanded, got)) {
		print_error("case '%s': %s: want '%s', got '%s'\n", case_name, field, expanded,
			    got ? got : "(null)");
		fail();
	}
}

static void check_buf(const char *case_name, const char *field, const char *want,
		       const struct buf *got)
{
	if (!want)
		return;
	if (got->len != strlen(want) || memcmp(got->data, want, got->len) != 0) {
		print_error("case '%s': %s: want '%s', got %zu bytes\n", case_name, field, want,
			    got->len);
		fail();
	}
}

static void check_int(const char *case_name, const char *field, long long want, long long got)
{
	if (want != got) {
		print_error("case '%s': %s: want %lld, got %lld\n", case_name, field, want, got);
		fail();
	}
}

static void run_case(const struct config_case *c)
{
	_cleanup_free_ char *home = NULL, *env = NULL, *kubeconfig = NULL;
	_cleanup_free_ char *sa = NULL, *want_error = NULL;
	struct kube_overrides ov = c->ov;
	struct kube_config *config = NULL;
	struct error err = ERROR_INIT;
	int ret;

	snprintf(test_dir, sizeof(test_dir), "/tmp/test_kubeconfig.XXXXXX");
	assert_non_null(mkdtemp(test_dir));
	for (size_t i = 0; i < ARRAY_SIZE(c->files) && c->files[i].name; i++)
		write_file(c->files[i].name, c->files[i].text);
	home = c->home ? expand(c->home) : xasprintf("%s/home", test_dir);
	env = expand(c->kubeconfig_env);
	sa = xasprintf("%s/sa", test_dir);
	setenv("HOME", home, 1);
	setenv_or_unset("KUBECONFIG", env);
	setenv("KONDUKTOR_SERVICEACCOUNT_DIR", sa, 1);
	setenv_or_unset("KUBERNETES_SERVICE_HOST", c->in_cluster_env ? "10.0.0.1" : NULL);
	setenv_or_unset("KUBERNETES_SERVICE_PORT", c->in_cluster_env ? "443" : NULL);
	setenv_or_unset("POD_NAMESPACE", c->pod_namespace);
	kubeconfig = expand(ov.kubeconfig);
	ov.kubeconfig = kubeconfig;

	ret = kube_config_load(&ov, &config, &err);
	if (c->want.error) {
		want_error = expand(c->want.error);
		if (ret != -1 || strcmp(err.msg, want_error) != 0) {
			print_error("case '%s':\n  want error '%s'\n  got %d '%s'\n", c->name,
				    want_error, ret, err.msg);
			fail();
		}
		assert_null(config);
	} else {
		if (ret != 0) {
			print_error("case '%s': unexpected error '%s'\n", c->name, err.msg);
			fail();
		}
		check_string(c->name, "context", c->want.context, config->context);
		check_string(c->name, "cluster", c->want.cluster, config->cluster_name);
		check_string(c->name, "user", c->want.user, config->user_name);
		check_string(c->name, "namespace", c->want.namespace, config->namespace);
		check_string(c->name, "server", c->want.server, config->server);
		check_string(c->name, "token", c->want.token, config->token);
		check_string(c->name, "token_file", c->want.token_file, config->token_file);
		check_string(c->name, "ca_file", c->want.ca_file, config->ca_file);
		check_buf(c->name, "ca_data", c->want.ca_data, &config->ca_data);
		check_string(c->name, "client_certificate_file", c->want.client_certificate_file,
			      config->client_certificate_file);
		check_buf(c->name, "client_certificate_data", c->want.client_certificate_data,
			   &config->client_certificate_data);
		check_string(c->name, "client_key_file", c->want.client_key_file,
			      config->client_key_file);
		check_buf(c->name, "client_key_data", c->want.client_key_data,
			   &config->client_key_data);
		check_string(c->name, "username", c->want.username, config->username);
		check_string(c->name, "password", c->want.password, config->password);
		check_string(c->name, "tls_server_name", c->want.tls_server_name,
			      config->tls_server_name);
		check_string(c->name, "proxy_url", c->want.proxy_url, config->proxy_url);
		if (c->want.namespace)
			check_int(c->name, "namespace_source", c->want.namespace_source,
				  config->namespace_source);
		if (c->want.exec_command) {
			check_int(c->name, "has exec", 1, config->exec != NULL);
			check_string(c->name, "exec.command", c->want.exec_command,
				     config->exec->command);
			check_int(c->name, "exec.interactive_mode", c->want.exec_interactive,
				  config->exec->interactive_mode);
		}
		check_int(c->name, "insecure", c->want.insecure, config->insecure_skip_tls_verify);
		check_int(c->name, "in_cluster", c->want.in_cluster, config->in_cluster);
		check_int(c->name, "request_timeout_ms",
			  c->want.timeout_ms ? c->want.timeout_ms : KUBE_DEFAULT_REQUEST_TIMEOUT_MS,
			  config->request_timeout_ms);
	}
	kube_config_free(config);
	assert_int_equal(remove_tree(test_dir, NULL), 0);
}

static void test_config_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_cases); i++)
		run_case(&config_cases[i]);
}

static void test_exec_details_are_read(void **state)
{
	static const char text[] =
		"users:\n- name: u\n  user:\n    exec:\n      command: /bin/plugin\n"
		"      args: [a, 'b c']\n      env: [{name: A, value: '1'}, {name: B, value: ''}]\n"
		"      apiVersion: client.authentication.k8s.io/v1\n"
		"      interactiveMode: Always\n      provideClusterInfo: true\n"
		"      installHint: 'install it\n\n        please'\n"
		"clusters:\n- name: k\n  cluster:\n    server: https://k\n    extensions:\n"
		"    - name: client.authentication.k8s.io/exec\n      extension: {audience: x, n: 3}\n"
		"    - name: other\n      extension: {ignored: true}\n";
	struct kubeconfig_file *file = NULL;
	struct error err = ERROR_INIT;
	const struct kc_user *u;
	const struct kc_cluster *k;
	_cleanup_free_ char *ext = NULL;

	assert_int_equal(kubeconfig_parse(text, strlen(text), "/x/config", &file, &err), 0);
	u = kubeconfig_find_user(file, "u");
	assert_non_null(u);
	assert_non_null(u->exec);
	assert_string_equal(u->exec->command, "/bin/plugin");
	assert_int_equal(u->exec->args.len, 2);
	assert_string_equal(u->exec->args.items[1], "b c");
	assert_int_equal(u->exec->env.len, 2);
	assert_string_equal(u->exec->env.items[0], "A=1");
	assert_string_equal(u->exec->env.items[1], "B=");
	assert_int_equal(u->exec->interactive_mode, KUBE_EXEC_INTERACTIVE_ALWAYS);
	assert_true(u->exec->provide_cluster_info);
	assert_string_equal(u->exec->install_hint, "install it\nplease");
	k = kubeconfig_find_cluster(file, "k");
	assert_non_null(k);
	ext = cJSON_PrintUnformatted(k->exec_extension);
	assert_string_equal(ext, "{\"audience\":\"x\",\"n\":3}");
	kubeconfig_file_free(file);
}

static void test_hostile_yaml_is_bounded(void **state)
{
	struct buf deep = BUF_INIT(BUF_MAX_DEFAULT);
	struct kubeconfig_file *file = NULL;
	struct error err = ERROR_INIT;
	static const char laughs[] =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";

	for (int i = 0; i < 200; i++)
		buf_puts(&deep, "[");
	assert_int_equal(kubeconfig_parse(deep.data, deep.len, "/deep", &file, &err), -1);
	assert_string_equal(err.msg,
			    "kubeconfig '/deep': line 1, column 65: nested deeper than 64 levels");
	assert_int_equal(kubeconfig_parse(laughs, strlen(laughs), "/laughs", &file, &err), -1);
	assert_string_equal(err.msg, "kubeconfig '/laughs': line 4, column 4: document too large: "
				     "more than 100000 nodes (counting aliases)");
	assert_int_equal(kubeconfig_parse("a: *nope\n", 9, "/alias", &file, &err), -1);
	assert_string_equal(err.msg,
			    "kubeconfig '/alias': line 1, column 4: unknown anchor '*nope'");
	assert_int_equal(kubeconfig_parse("a: 1\na: 2\n", 10, "/dup", &file, &err), -1);
	assert_string_equal(err.msg, "kubeconfig '/dup': line 2, column 1: duplicate key 'a' "
				     "(first given at line 1, column 1)");
	assert_int_equal(kubeconfig_parse("a\0b", 3, "/nul", &file, &err), -1);
	assert_string_equal(err.msg, "kubeconfig '/nul': contains a NUL byte (not a text file)");
	assert_int_equal(kubeconfig_parse("- 1\n", 4, "/seq", &file, &err), -1);
	assert_string_equal(err.msg,
			    "kubeconfig '/seq': line 1, column 1: the document must be a mapping");
	buf_release(&deep);
}

static void test_aliases_within_budget_work(void **state)
{
	static const char text[] =
		"current-context: c\n"
		"clusters:\n- name: k\n  cluster: &k {server: 'https://k:1'}\n"
		"- name: k2\n  cluster: *k\n"
		"contexts:\n- name: c\n  context: {cluster: k2}\n";
	struct kubeconfig_file *file = NULL;

	static const char anchored_key[] = "a:\n  &k key: v\ncurrent-context: *k\n";

	assert_int_equal(kubeconfig_parse(text, strlen(text), "/a", &file, NULL), 0);
	assert_string_equal(kubeconfig_find_cluster(file, "k2")->server, "https://k:1");
	kubeconfig_file_free(file);
	/* An anchor on a mapping key (found by the fuzzer: a use after free). */
	assert_int_equal(kubeconfig_parse(anchored_key, strlen(anchored_key), "/k", &file, NULL),
			 0);
	assert_string_equal(file->current_context, "key");
	kubeconfig_file_free(file);
}

static void test_path_resolution(void **state)
{
	static const char *const cases[][3] = {
		{ "/a/b", "c", "/a/b/c" },     { "/a/b", "../c", "/a/c" },
		{ "/a/b", "./c/./d", "/a/b/c/d" }, { "/a/b", "/x//y/../z", "/x/z" },
		{ "/", "../../x", "/x" },      { "/a", "c/", "/a/c" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *got = kube_path_resolve(cases[i][0], cases[i][1]);

		assert_string_equal(got, cases[i][2]);
	}
}

static void test_request_timeout_forms(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
	} good[] = {
		{ "0", 0 },	    { "30", 30000 },	 { "30s", 30000 },   { "1m30s", 90000 },
		{ "500ms", 500 },   { "1h", 3600000 },	 { "1.5s", 1500 },   { "1us", 1 },
	};
	static const char *const bad[] = { "-1", "-1s", "abc", "30x", "", "1m 30s" };
	struct error err = ERROR_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int64_t ms = -1;

		assert_int_equal(kube_parse_request_timeout(good[i].text, &ms, &err), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int64_t ms = 7;

		assert_int_equal(kube_parse_request_timeout(bad[i], &ms, &err), -1);
		assert_int_equal(ms, 7);
		assert_true(str_has_prefix(err.msg, "invalid request timeout '"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_cases),
		cmocka_unit_test(test_exec_details_are_read),
		cmocka_unit_test(test_hostile_yaml_is_bounded),
		cmocka_unit_test(test_aliases_within_budget_work),
		cmocka_unit_test(test_path_resolution),
		cmocka_unit_test(test_request_timeout_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
