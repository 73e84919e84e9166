/* test_inodes.c — inode numbers: the same path gets the same number, from
 * this table or a new one (a restarted daemon); lookups are counted and a
 * forgotten path leaves the table; the root is fixed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "inodes.h"

static void test_numbers_are_stable(void **state)
{
	struct inode_table *t = inode_table_new(), *again = inode_table_new();
	uint64_t status = inode_table_lookup(t, "train-x7k2/status");
	uint64_t logs = inode_table_lookup(t, "train-x7k2/logs");
	char *path;

	(void)state;
	assert_true(status > INODE_ROOT && logs > INODE_ROOT);
	assert_int_not_equal(status, logs);
	assert_int_equal(inode_table_lookup(t, "train-x7k2/status"), status);
	assert_int_equal(inode_table_lookup(again, "train-x7k2/status"), status);
	assert_int_equal(inode_table_number(again, "train-x7k2/logs"), logs); /* not looked up */
	assert_int_equal(inode_table_lookup(t, ""), INODE_ROOT);
	assert_int_equal(inode_table_find(t, ""), INODE_ROOT);
	path = inode_table_path(t, status);
	assert_string_equal(path, "train-x7k2/status");
	free(path);
	path = inode_table_path(t, INODE_ROOT);
	assert_string_equal(path, "");
	free(path);
	inode_table_free(t);
	inode_table_free(again);
}

static void test_lookups_are_counted(void **state)
{
	struct inode_table *t = inode_table_new();
	uint64_t ino;

	(void)state;
	assert_int_equal(inode_table_count(t), 1); /* the root */
	ino = inode_table_lookup(t, "j/status");
	inode_table_lookup(t, "j/status");
	assert_int_equal(inode_table_find(t, "j/status"), ino);
	assert_int_equal(inode_table_find(t, "j/logs"), 0);
	inode_table_forget(t, ino, 1);
	assert_int_equal(inode_table_find(t, "j/status"), ino); /* one lookup left */
	inode_table_forget(t, ino, 1);
	assert_int_equal(inode_table_find(t, "j/status"), 0);
	assert_null(inode_table_path(t, ino));
	assert_int_equal(inode_table_count(t), 1);
	/* Forgetting more than was looked up, or what is unknown, or the
	 * root, changes nothing. */
	ino = inode_table_lookup(t, "j/status");
	inode_table_forget(t, ino, 5);
	inode_table_forget(t, 12345, 1);
	inode_table_forget(t, INODE_ROOT, 1);
	assert_int_equal(inode_table_count(t), 1);
	inode_table_free(t);
}

static void test_many_paths_get_distinct_numbers(void **state)
{
	struct inode_table *t = inode_table_new();
	uint64_t *seen = calloc(20000, sizeof(*seen));

	(void)state;
	for (int i = 0; i < 20000; i++) {
		char path[64];

		snprintf(path, sizeof(path), "job-%05d/status", i);
		seen[i] = inode_table_lookup(t, path);
		assert_true(seen[i] > INODE_ROOT);
	}
	assert_int_equal(inode_table_count(t), 20001);
	for (int i = 1; i < 20000; i++)
		for (int j = i - 1; j >= 0 && j > i - 50; j--)
			assert_int_not_equal(seen[i], seen[j]);
	free(seen);
	inode_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_are_stable),
		cmocka_unit_test(test_lookups_are_counted),
		cmocka_unit_test(test_many_paths_get_distinct_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
