/* base64.c — RFC 4648 base64 encoding and strict decoding. */
#include "base64.h"

#include <stdint.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char quad[4];

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = alphabet[(v >> 18) & 63];
		quad[1] = alphabet[(v >> 12) & 63];
		quad[2] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? alphabet[v & 63] : '=';
		if (buf_append(out, quad, 4) < 0)
			return -1;
	}
	return 0;
}

static int sextet(char c)
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

/* Decodes into out, or only validates when out is NULL. */
static int decode(struct buf *out, const char *text, size_t len)
{
	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int s[4], pad = 0;
		unsigned char bytes[3];
		uint32_t v;

		for (int k = 0; k < 4; k++) {
			char c = text[i + k];

			if (c == '=' && i + 4 == len && k >= 2) {
				s[k] = 0;
				pad++;
				continue;
			}
			if (pad || (s[k] = sextet(c)) < 0)
				return -1; /* data after padding, or a bad character */
		}
		v = (uint32_t)s[0] << 18 | (uint32_t)s[1] << 12 | (uint32_t)s[2] << 6 | (uint32_t)s[3];
		bytes[0] = (unsigned char)(v >> 16);
		bytes[1] = (unsigned char)(v >> 8);
		bytes[2] = (unsigned char)v;
		if (out && buf_append(out, bytes, (size_t)(3 - pad)) < 0)
			return -1;
	}
	return 0;
}

int base64_decode(struct buf *out, const char *text, size_t len)
{
	return decode(out, text, len);
}

bool base64_is_valid(const char *text, size_t len)
{
	return decode(NULL, text, len) == 0;
}
