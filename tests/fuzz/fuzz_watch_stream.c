/* fuzz_watch_stream.c — libFuzzer harness for the watch-event decoder,
 * which reads whatever an API server (or anything in between) sends. The
 * first byte chooses how the rest is cut into reads, so events split at
 * arbitrary points are exercised; a small event limit makes the over-long
 * path reachable. Any input must decode or fail cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "kube_watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int take_some(enum kube_event_type type, cJSON **object, void *ctx)
{
	unsigned *events = ctx;

	/* Keep every other object, to exercise both ownership paths. */
	if (++*events % 2 == 0) {
		cJSON_Delete(*object);
		*object = NULL;
	}
	return type == KUBE_EVENT_ERROR; /* an ERROR event stops, as kube_watch does */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kube_watch_decoder d;
	struct error err = ERROR_INIT;
	unsigned events = 0;
	size_t chunk, offset = 1;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 17 + 1;
	kube_watch_decoder_init(&d, 4096);
	while (offset < size) {
		size_t n = size - offset < chunk ? size - offset : chunk;

		if (kube_watch_decoder_feed(&d, (const char *)data + offset, n, take_some, &events,
					    &err) != 0)
			break;
		offset += n;
	}
	kube_watch_decoder_release(&d);
	return 0;
}
