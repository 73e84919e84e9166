/* base64.c — RFC 4648 base64 encoding and strict decoding. */
#include "base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data;
	size_t groups = (len + 2) / 3;

	if (groups > (out->max - out->len) / 4 || buf_grow(out, groups * 4) < 0)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = len - i;
		char quad[4];

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		quad[0] = base64_alphabet[(v >> 18) & 63];
		quad[1] = base64_alphabet[(v >> 12) & 63];
		quad[2] = left > 1 ? base64_alphabet[(v >> 6) & 63] : '=';
		quad[3] = left > 2 ? base64_alphabet[v & 63] : '=';
		buf_append(out, quad, 4);
	}
	return 0;
}

static int base64_value(char c)
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
	size_t start_len = out->len, significant = 0;
	uint32_t acc = 0;
	int have = 0;     /* sextets collected for the current quad */
	int padding = 0;  /* '=' seen in the current quad */
	bool finished = false; /* a padded quad ended the data */

	for (size_t i = 0; i < len; i++)
		significant += text[i] != '\r' && text[i] != '\n';
	if (significant % 4)
		return error_set(err, "invalid base64: length %zu is not a multiple of 4", significant);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		int v;

		if (c == '\r' || c == '\n')
			continue;
		if (finished)
			goto bad;
		if (c == '=') {
			if (have < 2 || have + ++padding > 4)
				goto bad;
			if (have + padding == 4) {
				unsigned char bytes[2];
				size_t n = have == 3 ? 2 : 1;

				acc <<= 6 * padding;
				bytes[0] = (unsigned char)(acc >> 16);
				bytes[1] = (unsigned char)(acc >> 8);
				if (buf_append(out, bytes, n) < 0)
					goto full;
				finished = true;
			}
			continue;
		}
		v = base64_value(c);
		if (v < 0 || padding)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		if (++have == 4) {
			unsigned char bytes[3] = { (unsigned char)(acc >> 16), (unsigned char)(acc >> 8),
						   (unsigned char)acc };

			if (buf_append(out, bytes, 3) < 0)
				goto full;
			have = 0;
			acc = 0;
		}
		continue;
bad:
		buf_truncate(out, start_len);
		return error_set(err, "invalid base64 at byte %zu", i);
	}
	if (have != 0 && !finished) {
		buf_truncate(out, start_len);
		return error_set(err, "invalid base64: input ends in the middle of a group");
	}
	return 0;
full:
	buf_truncate(out, start_len);
	return error_set(err, "decoded data larger than the limit of %zu bytes", out->max);
}

bool base64_is_valid(const char *text, size_t len)
{
	struct buf scratch = BUF_INIT(len);
	bool ok = base64_decode(text, len, &scratch, NULL) == 0;

	buf_release(&scratch);
	return ok;
}
