/* fuzz_inputs.c — libFuzzer harness for the group inputs reader: any bytes,
 * in any input mode, read whole or fed in pieces, give the same inputs or
 * the same one-line error, and every encoded line decodes back to JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "jsonutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_set whole, pieces;
	struct inputs_reader r;
	struct error e1 = ERROR_INIT, e2 = ERROR_INIT;
	enum input_mode mode;
	size_t step;
	int a, b = 0;

	if (size < 2)
		return 0;
	mode = (enum input_mode)(data[0] & 3);
	step = (size_t)(data[1] % 16) + 1;
	data += 2;
	size -= 2;
	input_set_init(&whole, mode);
	whole.chunk_max = 4096;
	a = inputs_read_buffer(&whole, (const char *)data, size, "in", &e1);
	input_set_init(&pieces, mode);
	pieces.chunk_max = 4096;
	inputs_reader_init(&r, &pieces, "in", &e2);
	for (size_t i = 0; i < size && b == 0; i += step)
		b = inputs_reader_feed(&r, (const char *)data + i, size - i < step ? size - i : step);
	if (b == 0)
		b = inputs_reader_finish(&r);
	inputs_reader_release(&r);
	if (a != b || strcmp(e1.msg, e2.msg) != 0 || whole.count != pieces.count)
		abort();
	if (a < 0 && (strchr(e1.msg, '\n') || strncmp(e1.msg, "inputs 'in'", 11) != 0))
		abort();
	for (size_t c = 0; a == 0 && c < whole.n_chunks; c++) {
		const char *p = whole.chunks[c].lines.data;

		if (strcmp(p, pieces.chunks[c].lines.data) != 0)
			abort();
		while (*p) {
			const char *nl = strchr(p, '\n');
			struct buf json = BUF_INIT(1 << 20);
			cJSON *v;

			if (!nl || input_line_json(p, (size_t)(nl - p), &json, NULL) < 0)
				abort();
			v = json_parse_bounded(json.data, json.len, json.max, NULL);
			if (!v)
				abort();
			cJSON_Delete(v);
			buf_release(&json);
			p = nl + 1;
		}
	}
	input_set_release(&whole);
	input_set_release(&pieces);
	return 0;
}
