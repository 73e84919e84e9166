/* labels.c — Kubernetes' rules for label keys and values. */
#include "labels.h"

#include <ctype.h>
#include <string.h>

#include "strutil.h"

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

bool label_key_is_valid(const char *key, const char **why)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;
	const char *reason = NULL;

	if (slash && !str_is_dns_subdomain(key, (size_t)(slash - key)))
		reason = "its prefix must be a lower-case DNS subdomain such as example.com";
	else if (strchr(name, '/'))
		reason = "it may contain at most one '/'";
	else if (!str_is_qualified_name_part(name, strlen(name)))
		reason = "its name must be 1-63 characters of letters, digits, '-', '_' or '.', "
			 "starting and ending with a letter or digit";
	if (why)
		*why = reason;
	return reason == NULL;
}

bool label_value_is_valid(const char *value, const char **why)
{
	size_t len = strlen(value);
	bool ok = len == 0 || str_is_qualified_name_part(value, len);

	if (why)
		*why = ok ? NULL
			  : "a label value must be at most 63 characters of letters, digits, '-', "
			    "'_' or '.', starting and ending with a letter or digit";
	return ok;
}

bool label_key_is_reserved(const char *key)
{
	static const char *const prefixes[] = { "konduktor.io/", "batch.kubernetes.io/",
						"jobset.sigs.k8s.io/", NULL };

	for (size_t i = 0; prefixes[i]; i++)
		if (str_has_prefix(key, prefixes[i]))
			return true;
	return strcmp(key, LABEL_MANAGED_BY) == 0 || strcmp(key, "job-name") == 0 ||
	       strcmp(key, "controller-uid") == 0;
}

void label_value_sanitize(const char *in, char out[LABEL_VALUE_MAX + 1])
{
	size_t n = 0, start = 0;

	for (; *in && n < LABEL_VALUE_MAX; in++)
		out[n++] = is_name_char(*in) ? *in : '-';
	while (n > 0 && !isalnum((unsigned char)out[n - 1]))
		n--;
	while (start < n && !isalnum((unsigned char)out[start]))
		start++;
	memmove(out, out + start, n - start);
	n -= start;
	out[n] = '\0';
	if (n == 0)
		str_copy(out, LABEL_VALUE_MAX + 1, "unknown");
}
