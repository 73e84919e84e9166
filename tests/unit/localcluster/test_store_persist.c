/* test_store_persist.c — a store with a state dir: every object and the
 * resourceVersion survive a restart, watches resume across it, snapshots
 * compact the log, a torn last record is dropped and damage elsewhere is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileutil.h"
#include "store_internal.h"
#include "store_test_util.h"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	str_copy(f->dir, sizeof(f->dir), "/tmp/konduktor-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir, NULL);
	free(f);
	return 0;
}

static struct store *open_at(const char *dir, struct error *err)
{
	struct store_config config = { .state_dir = dir, .watch_history = 1000 };

	return store_open(&config, err);
}

/* The newest wal.* file in dir. */
static char *last_segment(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *best = NULL;

	while ((e = readdir(d)))
		if (str_has_prefix(e->d_name, "wal.") && (!best || strcmp(e->d_name, best) > 0)) {
			free(best);
			best = xstrdup(e->d_name);
		}
	closedir(d);
	return best;
}

static void test_objects_and_versions_survive_a_restart(void **state)
{
	struct fixture *f = *state;
	struct error err = ERROR_INIT;
	struct store *s = open_at(f->dir, &err);
	struct store_obj *job = NULL, *again = NULL;
	uint64_t rv;

	assert_non_null(s);
	assert_int_equal(store_create(s, RESOURCE_JOB, "default", J(JOB_JSON("kept")), NULL, &job,
				      NULL),
			 0);
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"gone\"}}"), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_delete(s, RESOURCE_CONFIGMAP, "default", "gone", NULL, NULL, NULL,
				      NULL),
			 0);
	rv = store_current_rv(s);
	store_close(s);

	s = open_at(f->dir, &err);
	assert_non_null(s);
	assert_int_equal(store_current_rv(s), rv);
	assert_int_equal(store_get(s, RESOURCE_JOB, "default", "kept", &again, NULL), 0);
	assert_string_equal(again->json, job->json);
	assert_int_equal(store_get(s, RESOURCE_CONFIGMAP, "default", "gone", NULL, NULL), -1);
	/* New writes continue the sequence. */
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"new\"}}"), NULL, NULL, NULL),
			 0);
	assert_int_equal(store_current_rv(s), rv + 1);
	store_obj_unref(job);
	store_obj_unref(again);
	store_close(s);
}

static void test_watch_resumes_across_a_restart(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_at(f->dir, NULL);
	struct store_watch_options opts = { .kinds = RESOURCE_BIT(RESOURCE_CONFIGMAP) };
	struct store_watch *w;
	struct store_event ev;
	uint64_t before;

	assert_non_null(s);
	before = store_current_rv(s);
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"a\"}}"), NULL, NULL, NULL),
			 0);
	store_close(s);
	s = open_at(f->dir, NULL);
	opts.resource_version = before;
	w = store_watch_open(s, &opts, NULL);
	assert_non_null(w);
	assert_int_equal(store_watch_next(w, 1000, &ev), 1);
	assert_int_equal(ev.type, STORE_EVENT_ADDED);
	assert_string_equal(ev.object->name, "a");
	store_event_release(&ev);
	store_watch_close(w);
	store_close(s);
}

static void test_snapshot_compacts_the_log(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_at(f->dir, NULL);
	struct store_list list = STORE_LIST_INIT;
	struct error err = ERROR_INIT;
	_cleanup_free_ char *first = NULL, *after = NULL;
	uint64_t rv;

	for (int i = 0; i < 50; i++) {
		char json[64];

		snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"cm-%d\"}}", i);
		assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default", J(json), NULL, NULL,
					      NULL),
				 0);
	}
	first = last_segment(f->dir);
	assert_int_equal(store_write_snapshot(s, &err), 0);
	after = last_segment(f->dir);
	assert_string_not_equal(first, after);
	{
		_cleanup_free_ char *old = path_join(f->dir, first);

		assert_int_equal(access(old, F_OK), -1); /* replaced by the snapshot */
	}
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"late\"}}"), NULL, NULL, NULL),
			 0);
	rv = store_current_rv(s);
	store_close(s);

	s = open_at(f->dir, &err);
	assert_non_null(s);
	assert_int_equal(store_current_rv(s), rv);
	assert_int_equal(store_list(s, RESOURCE_CONFIGMAP, "default", NULL, &list, NULL), 0);
	assert_int_equal(list.len, 51);
	store_list_release(&list);
	store_close(s);
}

static void test_torn_last_record_is_dropped(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_at(f->dir, NULL);
	_cleanup_free_ char *segment = NULL, *path = NULL;
	struct error err = ERROR_INIT;
	int fd;
	uint64_t rv;

	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"whole\"}}"), NULL, NULL, NULL),
			 0);
	rv = store_current_rv(s);
	store_close(s);
	segment = last_segment(f->dir);
	path = path_join(f->dir, segment);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fd_write_all(fd, "P 999 configmaps 0000 500\n{\"kind\":", 34), 0);
	close(fd);

	s = open_at(f->dir, &err);
	assert_non_null(s);
	assert_int_equal(store_current_rv(s), rv);
	assert_int_equal(store_get(s, RESOURCE_CONFIGMAP, "default", "whole", NULL, NULL), 0);
	store_close(s);
}

static void test_damage_before_the_end_is_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_at(f->dir, NULL);
	_cleanup_free_ char *segment = NULL, *path = NULL;
	struct error err = ERROR_INIT;
	struct buf text = BUF_INIT(BUF_MAX_DEFAULT);
	char *payload;

	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"x\"}}"), NULL, NULL, NULL),
			 0);
	store_close(s);
	/* A later segment exists (each open starts one), so damage in this
	 * one cannot be a torn final write. */
	segment = last_segment(f->dir);
	s = open_at(f->dir, NULL);
	assert_int_equal(store_create(s, RESOURCE_CONFIGMAP, "default",
				      J("{\"metadata\":{\"name\":\"y\"}}"), NULL, NULL, NULL),
			 0);
	store_close(s);
	path = path_join(f->dir, segment);
	assert_int_equal(file_read_all(path, &text, NULL), 0);
	payload = strstr(text.data, "\"name\":\"x\"");
	assert_non_null(payload);
	payload[9] = 'z'; /* the checksum no longer matches */
	assert_int_equal(file_write_atomic(path, text.data, text.len, 0600, NULL), 0);
	buf_release(&text);

	assert_null(open_at(f->dir, &err));
	assert_non_null(strstr(err.msg, "damaged record at offset"));
	assert_non_null(strstr(err.msg, segment));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_objects_and_versions_survive_a_restart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watch_resumes_across_a_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_compacts_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_record_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_before_the_end_is_refused, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
