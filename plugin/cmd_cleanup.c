/* cmd_cleanup.c — `kubectl konduktor cleanup JOB`: deletes the job's Job
 * or JobSet with Background propagation, so the garbage collector takes
 * what it owns (pods, the files ConfigMap, the headless Service), and
 * deletes any of those a broken launch left without an owner. Running it
 * again is harmless. */
#include <stdio.h>

#include "cleanup.h"
#include "cli.h"
#include "exitcode.h"
#include "jobcmd.h"
#include "jsonutil.h"
#include "labels.h"
#include "xalloc.h"

static struct cluster_flags cluster;

static struct opt table[24];

const struct opt *cmd_cleanup_options(void)
{
	return cli_options_with_cluster(table, ARRAY_SIZE(table), NULL, &cluster, false);
}

/* Deletes the objects of `res` labelled with the job's name; the count
 * deleted is added to *ret_n. */
static int delete_labelled(struct kcluster *kc, const struct kube_resource *res, const char *ns,
			   const char *name, size_t *ret_n, struct error *err)
{
	_cleanup_free_ char *selector = xasprintf(LABEL_MANAGED_BY "=" LABEL_MANAGED_BY_VALUE
						  "," LABEL_JOB_NAME "=%s", name);
	size_t n = 0;

	if (kcluster_delete_labelled(kc, res, ns, selector, &n, err) < 0)
		return -1;
	*ret_n += n;
	return 0;
}

int cmd_cleanup(int argc, char **argv)
{
	struct strv args = STRV_INIT;
	struct kcluster *kc = NULL;
	struct kjob job;
	struct error err = ERROR_INIT;
	struct kube_delete_opts del = { .propagation_policy = "Background" };
	size_t leftovers = 0;
	int code;

	kjob_init(&job);
	if ((code = jobcmd_parse("cleanup", cmd_cleanup_options(), argc, argv, &args)) ||
	    (code = jobcmd_one_job("cleanup", &args)) ||
	    (code = jobcmd_open("cleanup", &cluster, &kc)))
		goto out;
	if (kcluster_job_get(kc, NULL, args.items[0], 0, &job, &err) < 0) {
		code = jobcmd_fail("cleanup", kc, &err);
		goto out;
	}
	if (job.workload && kube_delete(kc->client, job.resource, job.namespace, job.name, &del,
					NULL, &err) < 0 &&
	    err.code != 404) {
		code = jobcmd_fail("cleanup", kc, &err);
		goto out;
	}
	if (delete_labelled(kc, &kube_configmaps, job.namespace, job.name, &leftovers, &err) < 0 ||
	    delete_labelled(kc, &kube_services, job.namespace, job.name, &leftovers, &err) < 0) {
		code = jobcmd_fail("cleanup", kc, &err);
		goto out;
	}
	if (job.workload)
		printf("job '%s' deleted, with everything it created\n", job.name);
	else if (leftovers)
		printf("job '%s' did not exist; deleted %zu object%s its launch left behind\n",
		       job.name, leftovers, leftovers == 1 ? "" : "s");
	else
		printf("job '%s' does not exist in namespace '%s'; nothing to clean up\n", job.name,
		       job.namespace);
out:
	kjob_release(&job);
	kcluster_close(kc);
	strv_release(&args);
	return code;
}
