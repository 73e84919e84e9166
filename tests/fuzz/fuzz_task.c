/* fuzz_task.c — libFuzzer harness for the strict YAML parsers: task files
 * (first byte even) and the user config (odd). Any input either parses or
 * fails with one line of error; a parsed complete task (without local
 * files) builds its objects, whose YAML rendering parses again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonutil.h"
#include "manifest.h"
#include "render.h"
#include "task.h"
#include "userconfig.h"
#include "yamltree.h"

static void check_error(const struct error *err, const char *prefix)
{
	if (!err->msg[0] || strchr(err->msg, '\n') || strncmp(err->msg, prefix, strlen(prefix)) != 0)
		abort();
}

static void build_and_render(const struct task *task)
{
	struct launch l = { .task = task, .job_name = "fuzz-abcd", .user = "fuzz",
			    .created_at = "2026-01-01T00:00:00Z", .jobset_available = task->num_nodes > 1 };
	struct buf out = BUF_INIT(BUF_MAX_DEFAULT);
	struct ydoc doc;
	cJSON *items = NULL;

	if (task->workdir || task->n_mounts || task_check_complete(task, NULL) < 0)
		return;
	if (launch_build(&l, &items, NULL) < 0)
		return;
	if (render_list(items, RENDER_YAML, &out, NULL) < 0)
		abort();
	if (ydoc_parse(&doc, out.data, out.len, &(struct ylimits){ .max_depth = 64, .max_nodes = 1000000 },
		       NULL) < 0)
		abort();
	ydoc_release(&doc);
	cJSON_Delete(items);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = ERROR_INIT;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct user_config cfg;

		if (user_config_parse_text("config.yaml", (const char *)data + 1, size - 1, &cfg, &err) < 0) {
			check_error(&err, "config 'config.yaml': ");
			return 0;
		}
		user_config_release(&cfg);
	} else {
		struct task task;
		char *note;

		if (task_parse_text("task.yaml", (const char *)data + 1, size - 1, &task, &err) < 0) {
			check_error(&err, "task 'task.yaml'");
			return 0;
		}
		note = task_annotation_text(&task);
		if (strlen(note) < task.yaml_len)
			abort();
		free(note);
		build_and_render(&task);
		task_release(&task);
	}
	return 0;
}
