/* groupview.h — the files of a group (docs/filesystem.md), from its
 * Indexed Job, its pods and its ConfigMaps (the inputs, and the results
 * recorded by followers, lib/groupresults.h):
 *
 *   status         the group's state word, its reason line (if any), then
 *                  "PENDING n", "RUNNING n", "SUCCEEDED n", "FAILED n"
 *   results.jsonl  one line per finished input, in input order, as
 *                  `kubectl konduktor group results --return-exceptions`
 *                  prints them (lib/groupresults.h: recorded lines first,
 *                  the rest from the inputs' pods)
 *   inputs.jsonl   the inputs, one JSON value per line, in input order
 *   task.yaml      the task as launched
 *   <index>/       one directory per input, named with leading zeros so
 *                  that `ls` lists them in input order: status, result.json
 *                  or error, logs, input.json, task.yaml
 *
 * Pure: built from cJSON (trimmed or whole) and a clock. */
#ifndef KONDUKTOR_FUSEFS_GROUPVIEW_H
#define KONDUKTOR_FUSEFS_GROUPVIEW_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "view.h"

/* `pods` and `configmaps` are JSON arrays (or NULL); `task` may be NULL. */
struct view *group_view_build(const cJSON *job, const cJSON *pods, const cJSON *configmaps,
			      struct blob *task, int64_t now_ms);

/* The name of input `index`'s directory in a group of `size` inputs
 * ("07" of 10..99 inputs); out holds at least 24 bytes. */
void group_index_name(size_t index, size_t size, char *out, size_t out_size);

#endif
