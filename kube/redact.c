/* redact.c — removing secrets from what debug output shows. */
#include "redact.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#define REDACTED "<redacted>"
#define HTTP_LOG_PARSE_MAX ((size_t)128 * 1024 * 1024)

/* Keys whose values are secrets wherever they appear. */
static const char *const secret_keys[] = {
	"token", "password", "clientKeyData", "client-key-data", "clientCertificateData",
	"client-certificate-data", "id-token", "refresh-token", "access-token", NULL,
};

/* Replaces `item` (a member of `parent`) with the string "<redacted>",
 * keeping its key; returns the replacement. */
static cJSON *replace_member(cJSON *parent, cJSON *item)
{
	cJSON *replacement = cJSON_CreateString(REDACTED);

	if (!replacement)
		die("out of memory");
	/* The key moves to the replacement (ReplaceItemViaPointer drops it). */
	replacement->string = item->string;
	replacement->type |= item->type & cJSON_StringIsConst;
	item->string = NULL;
	cJSON_ReplaceItemViaPointer(parent, item, replacement);
	return replacement;
}

/* Replaces every value of a Secret's data/stringData map. */
static void redact_secret_data(cJSON *secret)
{
	static const char *const maps[] = { "data", "stringData" };

	for (size_t i = 0; i < 2; i++) {
		cJSON *map = cJSON_GetObjectItemCaseSensitive(secret, maps[i]);

		if (!cJSON_IsObject(map))
			continue;
		for (cJSON *item = map->child; item; item = item->next) {
			if (!cJSON_IsString(item) || strcmp(item->valuestring, REDACTED) != 0)
				item = replace_member(map, item);
		}
	}
}

static void redact_tree(cJSON *node, int depth)
{
	const char *kind;

	if (!node || depth > JSON_MAX_DEPTH)
		return;
	if (cJSON_IsObject(node)) {
		kind = json_get_child_string(node, "kind");
		if (str_eq(kind, "Secret"))
			redact_secret_data(node);
		if (str_eq(kind, "SecretList")) {
			cJSON *items = cJSON_GetObjectItemCaseSensitive(node, "items");

			for (cJSON *it = cJSON_IsArray(items) ? items->child : NULL; it; it = it->next)
				redact_secret_data(it);
		}
	}
	for (cJSON *child = node->child; child; child = child->next) {
		bool secret = false;

		for (size_t i = 0; child->string && secret_keys[i] && !secret; i++)
			secret = strcasecmp(child->string, secret_keys[i]) == 0;
		if (secret && !cJSON_IsNull(child)) {
			child = replace_member(node, child);
			continue;
		}
		redact_tree(child, depth + 1);
	}
}

char *redact_body(const char *body, size_t len)
{
	cJSON *doc;
	char *text;
	size_t text_len;

	if (len == 0)
		return xstrdup("(empty)");
	doc = json_parse_bounded(body, len, HTTP_LOG_PARSE_MAX, NULL);
	if (!doc)
		return xasprintf("(%zu bytes, not JSON: not shown)", len);
	redact_tree(doc, 0);
	text = json_print_compact(doc);
	cJSON_Delete(doc);
	text_len = strlen(text);
	if (text_len > REDACT_MAX_BODY) {
		char *cut = xasprintf("%.*s [truncated %zu chars]", (int)REDACT_MAX_BODY, text,
				      text_len - REDACT_MAX_BODY);

		free(text);
		return cut;
	}
	return text;
}

char *redact_header(const char *header)
{
	static const char *const masked[] = { "authorization:", "proxy-authorization:",
					      "impersonate-extra-", NULL };

	for (size_t i = 0; masked[i]; i++) {
		size_t n = strlen(masked[i]);

		if (strncasecmp(header, masked[i], n) == 0) {
			const char *colon = strchr(header, ':');
			size_t name_len = colon ? (size_t)(colon - header) : strlen(header);
			const char *value = colon ? colon + 1 : "";
			const char *space;

			while (*value == ' ')
				value++;
			/* Keep the scheme ("Bearer", "Basic"), mask the rest. */
			space = strchr(value, ' ');
			if (space && space - value < 16)
				return xasprintf("%.*s: %.*s %s", (int)name_len, header,
						 (int)(space - value), value, REDACTED);
			return xasprintf("%.*s: %s", (int)name_len, header, REDACTED);
		}
	}
	return xstrdup(header);
}
