/* fuzz_kubeconfig.c — libFuzzer harness for the kubeconfig parser (YAML
 * tree limits, field types, base64, names), which reads files a user or
 * an installer wrote. Any input must parse or fail cleanly, never crash,
 * leak or run away. */
#include <stddef.h>
#include <stdint.h>

#include "kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig_file *file = NULL;
	struct error err = ERROR_INIT;

	if (kubeconfig_parse((const char *)data, size, "/fuzz/config", &file, &err) == 0) {
		/* Walk what was parsed, as kube_config_load() would. */
		for (size_t i = 0; i < file->ncontexts; i++) {
			const struct kc_context *c = &file->contexts[i];

			if (c->cluster)
				(void)kubeconfig_find_cluster(file, c->cluster);
			if (c->user)
				(void)kubeconfig_find_user(file, c->user);
		}
		kubeconfig_file_free(file);
	}
	return 0;
}
