/* randutil.c — random identifiers from getrandom(2). */
#include "randutil.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int random_bytes(void *buf, size_t len, struct error *err)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set_code(err, errno, "cannot read random bytes: %s",
					      strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int random_hex(char *out, size_t nbytes, struct error *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[64];

	if (nbytes > sizeof(bytes))
		return error_set(err, "random_hex: at most %zu bytes", sizeof(bytes));
	if (random_bytes(bytes, nbytes, err) < 0)
		return -1;
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

int random_alnum(char *out, size_t n, struct error *err)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t filled = 0;

	while (filled < n) {
		unsigned char bytes[32];

		if (random_bytes(bytes, sizeof(bytes), err) < 0)
			return -1;
		/* 252 = 7 * 36: rejecting larger bytes keeps every letter equally likely. */
		for (size_t i = 0; i < sizeof(bytes) && filled < n; i++)
			if (bytes[i] < 252)
				out[filled++] = alphabet[bytes[i] % 36];
	}
	out[n] = '\0';
	return 0;
}
