/* test_userconfig.c — the user config: every field, defaults, errors,
 * accelerator lookup and credential Secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileutil.h"
#include "userconfig.h"
#include "xalloc.h"

static const char full_config[] =
	"namespace: ml-team\n"
	"labels:\n"
	"  kueue.x-k8s.io/queue-name: team-queue\n"
	"pod_home: /home/jovyan\n"
	"accelerators:\n"
	"  default:\n"
	"    tolerations:\n"
	"      - key: nvidia.com/gpu\n"
	"        operator: Exists\n"
	"        effect: NoSchedule\n"
	"  H100:\n"
	"    node_selector:\n"
	"      cloud.google.com/gke-accelerator: nvidia-h100-80gb\n"
	"    tolerations:\n"
	"      - {key: dedicated, operator: Equal, value: ml, effect: NoExecute, tolerationSeconds: 60}\n"
	"  MI300X:\n"
	"    resource: amd.com/gpu\n"
	"    tolerations: []\n"
	"secrets:\n"
	"  - name: aws-credentials\n"
	"    mount: aws\n"
	"  - {name: gcloud-credentials, mount: gs}\n"
	"  - {name: team-token, mount: /etc/team}\n";

static void parse_ok(struct user_config *cfg, const char *text)
{
	struct error err = ERROR_INIT;

	if (user_config_parse_text("config.yaml", text, strlen(text), cfg, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
}

static void expect_error(const char *text, const char *message)
{
	struct user_config cfg;
	struct error err = ERROR_INIT;

	if (user_config_parse_text("config.yaml", text, strlen(text), &cfg, &err) == 0) {
		user_config_release(&cfg);
		fail_msg("accepted: %s", text);
	}
	assert_string_equal(err.msg, message);
}

static void test_every_field(void **state)
{
	struct user_config cfg;
	const struct accelerator_config *a;
	char *path;

	parse_ok(&cfg, full_config);
	assert_string_equal(cfg.namespace, "ml-team");
	assert_int_equal(cfg.n_labels, 1);
	assert_string_equal(cfg.labels[0].value, "team-queue");
	assert_string_equal(cfg.pod_home, "/home/jovyan");
	assert_int_equal(cfg.n_accelerators, 3);
	a = user_config_accelerator(&cfg, "h100");
	assert_string_equal(a->type, "H100");
	assert_null(a->resource);
	assert_int_equal(a->n_node_selector, 1);
	assert_string_equal(a->node_selector[0].key, "cloud.google.com/gke-accelerator");
	assert_true(a->has_tolerations);
	assert_int_equal(a->n_tolerations, 1);
	assert_string_equal(a->tolerations[0].operator, "Equal");
	assert_string_equal(a->tolerations[0].value, "ml");
	assert_true(a->tolerations[0].has_seconds);
	assert_int_equal(a->tolerations[0].seconds, 60);
	a = user_config_accelerator(&cfg, "A100");
	assert_string_equal(a->type, "default");
	assert_string_equal(a->tolerations[0].key, "nvidia.com/gpu");
	assert_null(a->tolerations[0].value);
	a = user_config_accelerator(&cfg, "MI300X");
	assert_string_equal(a->resource, "amd.com/gpu");
	assert_true(a->has_tolerations);
	assert_int_equal(a->n_tolerations, 0);
	assert_int_equal(cfg.n_secrets, 3);
	assert_string_equal(cfg.secrets[0].mount, "~/.aws");
	assert_string_equal(cfg.secrets[1].mount, "~/.config/gcloud");
	path = user_config_secret_path(&cfg, &cfg.secrets[0]);
	assert_string_equal(path, "/home/jovyan/.aws");
	free(path);
	path = user_config_secret_path(&cfg, &cfg.secrets[2]);
	assert_string_equal(path, "/etc/team");
	free(path);
	user_config_release(&cfg);
}

static void test_empty_and_missing(void **state)
{
	struct user_config cfg;
	struct error err = ERROR_INIT;
	char home[] = "/tmp/konduktor-home-XXXXXX";
	char *path;

	parse_ok(&cfg, "");
	assert_string_equal(cfg.pod_home, "/root");
	assert_null(user_config_accelerator(&cfg, "H100"));
	user_config_release(&cfg);

	assert_non_null(mkdtemp(home));
	setenv("HOME", home, 1);
	unsetenv("KONDUKTOR_CONFIG");
	assert_int_equal(user_config_load(NULL, &cfg, &err), 0); /* no file: empty */
	assert_null(cfg.source);
	assert_string_equal(cfg.pod_home, "/root");
	user_config_release(&cfg);

	setenv("KONDUKTOR_CONFIG", "/nonexistent/konduktor.yaml", 1);
	assert_int_equal(user_config_load(NULL, &cfg, &err), -1);
	assert_string_equal(err.msg, "config: cannot open '/nonexistent/konduktor.yaml': No such "
				     "file or directory");

	path = xasprintf("%s/konduktor.yaml", home);
	setenv("KONDUKTOR_CONFIG", path, 1);
	assert_int_equal(file_write_atomic(path, "namespace: from-env\n", 20, 0600, NULL), 0);
	assert_int_equal(user_config_load(NULL, &cfg, &err), 0);
	assert_string_equal(cfg.namespace, "from-env");
	user_config_release(&cfg);
	unsetenv("KONDUKTOR_CONFIG");
	unlink(path);
	free(path);
	rmdir(home);
}

static void test_errors(void **state)
{
	expect_error("namespce: x\n",
		     "config 'config.yaml': line 1, column 1: unknown field 'namespce' (did you mean "
		     "'namespace'?)");
	expect_error("allowed_clouds: [gs]\n",
		     "config 'config.yaml': line 1, column 1: field 'allowed_clouds' is not supported "
		     "by kubectl-konduktor: name your credential Secrets under 'secrets' (mount: aws "
		     "or gcp)");
	expect_error("namespace: Team_A\n",
		     "config 'config.yaml': line 1, column 12: 'namespace': invalid value 'Team_A': "
		     "lower-case letters, digits and '-', at most 63");
	expect_error("accelerators:\n  H100:\n    node_selectr: {}\n",
		     "config 'config.yaml': line 3, column 5: unknown field 'node_selectr' in "
		     "'accelerators.H100' (did you mean 'node_selector'?)");
	expect_error("accelerators:\n  H100:\n    tolerations:\n      - {key: a, operator: Maybe}\n",
		     "config 'config.yaml': line 4, column 28: 'accelerators.H100.tolerations[0].operator' "
		     "must be Equal or Exists, not 'Maybe'");
	expect_error("accelerators:\n  H100:\n    tolerations:\n      - {key: a, operator: Exists, value: b}\n",
		     "config 'config.yaml': line 4, column 43: 'accelerators.H100.tolerations[0].value' "
		     "must be empty when the operator is Exists");
	expect_error("accelerators:\n  H100:\n    tolerations:\n      - {key: a, effect: NoSchedule, tolerationSeconds: 5}\n",
		     "config 'config.yaml': line 4, column 57: "
		     "'accelerators.H100.tolerations[0].tolerationSeconds' needs effect NoExecute");
	expect_error("accelerators:\n  H100:\n    tolerations:\n      - {key: a, effect: Never}\n",
		     "config 'config.yaml': line 4, column 26: 'accelerators.H100.tolerations[0].effect' "
		     "must be NoSchedule, PreferNoSchedule or NoExecute, not 'Never'");
	expect_error("accelerators:\n  H100:\n    resource: gpu\n",
		     "config 'config.yaml': line 3, column 15: 'accelerators.H100.resource': invalid "
		     "resource name 'gpu': give an extended resource such as nvidia.com/gpu");
	expect_error("secrets:\n  - {name: a, mount: aws}\n  - {name: b, mount: s3}\n",
		     "config 'config.yaml': line 3, column 5: secrets[1]: two Secrets ('a' and 'b') "
		     "mounted at '~/.aws'");
	expect_error("secrets:\n  - {name: Bad_Name, mount: aws}\n",
		     "config 'config.yaml': line 2, column 12: secrets[0].name: invalid Secret name "
		     "'Bad_Name': lower-case letters, digits, '-' and '.'");
	expect_error("secrets:\n  - {name: a, mount: relative/path}\n",
		     "config 'config.yaml': line 2, column 22: secrets[0].mount: invalid mount "
		     "'relative/path': give aws, gcp, an absolute path or a path starting with ~/ "
		     "(no '..')");
	expect_error("secrets:\n  - {name: a}\n",
		     "config 'config.yaml': line 2, column 5: 'secrets[0]' needs both 'name' and "
		     "'mount'");
	expect_error("labels:\n  konduktor.io/user: x\n",
		     "config 'config.yaml': line 2, column 3: label 'konduktor.io/user' is set by "
		     "konduktor or Kubernetes and cannot be configured");
	expect_error("pod_home: home\n",
		     "config 'config.yaml': line 1, column 11: 'pod_home' must be an absolute path, "
		     "not 'home'");
	expect_error("[1]\n", "config 'config.yaml': line 1, column 1: the config must be a mapping "
			      "of fields, not a list");
}

static void test_secret_flag(void **state)
{
	struct user_config cfg;
	struct error err = ERROR_INIT;
	char *path;

	parse_ok(&cfg, "secrets:\n  - {name: aws-credentials, mount: aws}\n");
	assert_int_equal(user_config_add_secret(&cfg, "gcp-sa:gcp", &err), 0);
	assert_int_equal(user_config_add_secret(&cfg, "token:~/.token", &err), 0);
	assert_int_equal(cfg.n_secrets, 3);
	path = user_config_secret_path(&cfg, &cfg.secrets[2]);
	assert_string_equal(path, "/root/.token");
	free(path);
	assert_int_equal(user_config_add_secret(&cfg, "other:aws", &err), -1);
	assert_string_equal(err.msg, "--secret: two Secrets ('aws-credentials' and 'other') mounted "
				     "at '~/.aws'");
	assert_int_equal(user_config_add_secret(&cfg, "nocolon", &err), -1);
	assert_string_equal(err.msg, "--secret: invalid value 'nocolon': give NAME:aws, NAME:gcp or "
				     "NAME:/path/in/pod");
	assert_int_equal(user_config_add_secret(&cfg, "x:../etc", &err), -1);
	assert_int_equal(cfg.n_secrets, 3);
	user_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_empty_and_missing),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_secret_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
