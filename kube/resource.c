/* resource.c — resource descriptors and URL path and query building. */
#include "kube_resource.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"

const struct kube_resource kube_pods = { "", "v1", "pods", "Pod", true };
const struct kube_resource kube_services = { "", "v1", "services", "Service", true };
const struct kube_resource kube_configmaps = { "", "v1", "configmaps", "ConfigMap", true };
const struct kube_resource kube_secrets = { "", "v1", "secrets", "Secret", true };
const struct kube_resource kube_events = { "", "v1", "events", "Event", true };
const struct kube_resource kube_namespaces = { "", "v1", "namespaces", "Namespace", false };
const struct kube_resource kube_nodes = { "", "v1", "nodes", "Node", false };
const struct kube_resource kube_jobs = { "batch", "v1", "jobs", "Job", true };
const struct kube_resource kube_jobsets = { "jobset.x-k8s.io", "v1alpha2", "jobsets", "JobSet",
					    true };

static bool url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int kube_url_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char escaped[3] = { '%', hex[*p >> 4], hex[*p & 15] };

		if (url_unreserved(*p) ? buf_putc(out, (char)*p) < 0
				       : buf_append(out, escaped, sizeof(escaped)) < 0)
			return -1;
	}
	return 0;
}

int kube_query_append(struct buf *out, const char *key, const char *value)
{
	if (buf_putc(out, strchr(out->data, '?') ? '&' : '?') < 0 || kube_url_escape(out, key) < 0 ||
	    buf_putc(out, '=') < 0 || kube_url_escape(out, value) < 0)
		return -1;
	return 0;
}

int kube_query_append_int(struct buf *out, const char *key, long long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", value);
	return kube_query_append(out, key, text);
}

/* The API server rejects these as path segments (path.IsValidPathSegmentName). */
static int check_segment(const char *what, const char *s, struct error *err)
{
	if (!*s)
		return error_set(err, "%s must not be empty", what);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return error_set(err, "%s '%s' may not be '.' or '..'", what, s);
	if (strchr(s, '/') || strchr(s, '%'))
		return error_set(err, "%s '%s' may not contain '/' or '%%'", what, s);
	return 0;
}

int kube_path_append(struct buf *out, const struct kube_resource *res, const char *ns,
		     const char *name, const char *subresource, struct error *err)
{
	size_t start = out->len;

	if (!res->namespaced && ns)
		ns = NULL; /* cluster-scoped: a namespace does not apply */
	if (ns && check_segment("namespace", ns, err) < 0)
		return -1;
	if (name && check_segment("name", name, err) < 0)
		return -1;
	if (subresource && check_segment("subresource", subresource, err) < 0)
		return -1;
	if (subresource && !name)
		return error_set(err, "subresource '%s' needs an object name", subresource);
	if (res->namespaced && !ns && name)
		return error_set(err, "%s '%s': a namespace is required", res->plural, name);
	int failed = 0; /* each append returns 0 or -1 */

	if (str_is_empty(res->group))
		failed |= buf_printf(out, "/api/%s", res->version);
	else
		failed |= buf_printf(out, "/apis/%s/%s", res->group, res->version);
	if (ns)
		failed |= buf_puts(out, "/namespaces/") | kube_url_escape(out, ns);
	failed |= buf_printf(out, "/%s", res->plural);
	if (name)
		failed |= buf_putc(out, '/') | kube_url_escape(out, name);
	if (subresource)
		failed |= buf_putc(out, '/') | kube_url_escape(out, subresource);
	if (failed) {
		buf_truncate(out, start);
		return error_set(err, "request path longer than %zu bytes", out->max);
	}
	return 0;
}
