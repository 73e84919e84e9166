/* base64.c — RFC 4648 base64 with padding. */
#include "base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data;
	size_t i;

	if (buf_grow(out, (len + 2) / 3 * 4) < 0)
		return -1;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char quad[4] = { alphabet[v >> 18], alphabet[(v >> 12) & 63],
				 alphabet[(v >> 6) & 63], alphabet[v & 63] };

		buf_append(out, quad, 4);
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
		char quad[4] = { alphabet[v >> 18], alphabet[(v >> 12) & 63],
				 i + 1 < len ? alphabet[(v >> 6) & 63] : '=', '=' };

		buf_append(out, quad, 4);
	}
	return 0;
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *text, size_t len, struct buf *out, struct error *err)
{
	if (len % 4)
		return error_set(err, "invalid base64: length %zu is not a multiple of 4", len);
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		unsigned char bytes[3];
		size_t n = 3;

		for (int k = 0; k < 4; k++) {
			v[k] = value_of(text[i + k]);
			if (v[k] < 0 && !(text[i + k] == '=' && i + 4 == len && k >= 2))
				return error_set(err, "invalid base64 at byte %zu", i + (size_t)k);
		}
		if (v[2] < 0 && v[3] >= 0)
			return error_set(err, "invalid base64 padding");
		if (v[3] < 0)
			n = v[2] < 0 ? 1 : 2;
		bytes[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		bytes[1] = (unsigned char)((v[1] & 15) << 4 | (v[2] < 0 ? 0 : v[2] >> 2));
		bytes[2] = (unsigned char)((v[2] < 0 ? 0 : (v[2] & 3) << 6) | (v[3] < 0 ? 0 : v[3]));
		if (buf_append(out, bytes, n) < 0)
			return error_set(err, "decoded data larger than the limit of %zu bytes", out->max);
	}
	return 0;
}
