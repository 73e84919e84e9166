/* test_view.c — views: building, sorted lookup and walking, and what
 * replacing one view by another reports (the paths the kernel must
 * forget) and keeps (contents shared, modification times of unchanged
 * files and directories). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "xalloc.h"

struct changes {
	char lines[32][96];
	size_t n;
};

static void record(enum view_change change, const char *path, void *ctx)
{
	struct changes *c = ctx;
	static const char *const names[] = { "added", "removed", "changed" };

	assert_true(c->n < 32);
	snprintf(c->lines[c->n++], sizeof(c->lines[0]), "%s %s", names[change], path);
}

static bool has(const struct changes *c, const char *line)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->lines[i], line) == 0)
			return true;
	return false;
}

/* job/ with status, logs (pod), ranks/0/status and, if `done`, result.json. */
static struct view *job(const char *status, const char *pod, bool done, int64_t now)
{
	struct view *v = view_new(4, now);
	struct vnode *ranks, *rank;

	vnode_add_text(&v->root, "status", status, now);
	vnode_add_logs(&v->root, "logs", pod ? blob_from_string(pod) : NULL, done, now);
	if (done)
		vnode_add_text(&v->root, "result.json", "{\"x\": 1}\n", now);
	ranks = vnode_add_dir(&v->root, "ranks", 1, now);
	rank = vnode_add_dir(ranks, "0", 1, now);
	vnode_add_text(rank, "status", status, now);
	view_seal(v);
	return v;
}

static void test_building_and_walking(void **state)
{
	struct view *v = job("RUNNING\n", "p-0", false, 100);
	const struct vnode *n;

	(void)state;
	/* Sorted: logs, ranks, status. */
	assert_string_equal(v->root.dir.items[0].name, "logs");
	assert_string_equal(v->root.dir.items[2].name, "status");
	n = view_walk(v, "ranks/0/status");
	assert_non_null(n);
	assert_int_equal(n->type, VNODE_FILE);
	assert_string_equal(n->content->data, "RUNNING\n");
	assert_ptr_equal(view_walk(v, ""), &v->root);
	assert_null(view_walk(v, "ranks/1"));
	assert_null(view_walk(v, "status/x"));
	assert_null(view_walk(v, "ranks//0"));
	assert_null(view_walk(v, "a-name-that-is-far-too-long-for-a-vnode"));
	assert_int_equal(vnode_subdirs(&v->root), 1);
	assert_string_equal(vnode_child(&v->root, "logs")->pod->data, "p-0");
	view_unref(v);
}

static void test_replacing_reports_changes_and_keeps_times(void **state)
{
	struct view *old = job("RUNNING\n", "p-0", false, 100);
	struct view *same = job("RUNNING\n", "p-0", false, 200);
	struct view *done = job("SUCCEEDED\n", "p-0", true, 300);
	struct changes c = { .n = 0 };

	(void)state;
	assert_int_equal(view_inherit(same, old, "j", record, &c), 0);
	assert_int_equal(vnode_child(&same->root, "status")->mtime_ms, 100);
	assert_int_equal(same->root.mtime_ms, 100);
	/* Unchanged content is shared, not copied. */
	assert_ptr_equal(vnode_child(&same->root, "status")->content,
			 vnode_child(&old->root, "status")->content);

	assert_int_equal(view_inherit(done, same, "ns/j", record, &c), 5);
	assert_true(has(&c, "changed ns/j"));            /* result.json appeared */
	assert_true(has(&c, "added ns/j/result.json"));
	assert_true(has(&c, "changed ns/j/status"));
	assert_true(has(&c, "changed ns/j/logs"));       /* now complete */
	assert_true(has(&c, "changed ns/j/ranks/0/status"));
	assert_int_equal(vnode_child(&done->root, "status")->mtime_ms, 300);
	assert_int_equal(view_walk(done, "ranks")->mtime_ms, 100); /* same entries */
	assert_int_equal(done->root.mtime_ms, 300);

	c.n = 0;
	assert_int_equal(view_inherit(NULL, done, "j", record, &c), 1);
	assert_true(has(&c, "removed j"));
	assert_int_equal(view_inherit(old, NULL, "j", record, &c), 1);
	assert_true(has(&c, "added j"));
	view_unref(old);
	view_unref(same);
	view_unref(done);
}

static void test_a_file_becoming_a_directory(void **state)
{
	struct view *a = view_new(1, 1), *b = view_new(1, 2);
	struct changes c = { .n = 0 };

	(void)state;
	vnode_add_text(&a->root, "x", "1", 1);
	vnode_add_dir(&b->root, "x", 0, 2);
	view_seal(a);
	view_seal(b);
	assert_int_equal(view_inherit(b, a, "j", record, &c), 3);
	assert_true(has(&c, "removed j/x"));
	assert_true(has(&c, "added j/x"));
	assert_true(has(&c, "changed j")); /* its entries differ in kind */
	view_unref(a);
	view_unref(b);
}

static void test_blobs(void **state)
{
	struct blob *a = blob_from_string("abc"), *b = blob_new("abcd", 3);

	(void)state;
	assert_true(blob_equal(a, b));
	assert_true(blob_equal(NULL, NULL));
	assert_false(blob_equal(a, NULL));
	assert_int_equal(b->data[3], '\0');
	assert_ptr_equal(blob_ref(a), a);
	blob_unref(a);
	blob_unref(a);
	blob_unref(b);
	blob_unref(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_building_and_walking),
		cmocka_unit_test(test_replacing_reports_changes_and_keeps_times),
		cmocka_unit_test(test_a_file_becoming_a_directory),
		cmocka_unit_test(test_blobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
