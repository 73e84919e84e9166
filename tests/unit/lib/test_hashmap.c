/* test_hashmap.c — struct hashmap: put/get/remove, growth, tombstones,
 * iteration (with removal of the current entry), releasing owned values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "xalloc.h"

static void test_empty_map_finds_nothing(void **state)
{
	struct hashmap m = HASHMAP_INIT;

	assert_null(hashmap_get(&m, "a"));
	assert_null(hashmap_remove(&m, "a"));
	hashmap_release(&m);
}

static void test_put_replaces_and_returns_previous(void **state)
{
	struct hashmap m = HASHMAP_INIT;
	int a = 1, b = 2;

	assert_null(hashmap_put(&m, "k", &a));
	assert_ptr_equal(hashmap_put(&m, "k", &b), &a);
	assert_ptr_equal(hashmap_get(&m, "k"), &b);
	assert_int_equal(m.len, 1);
	hashmap_release(&m);
}

static void test_many_keys_survive_growth_and_removal(void **state)
{
	struct hashmap m = HASHMAP_INIT;
	static int values[5000];
	char key[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		values[i] = i;
		assert_null(hashmap_put(&m, key, &values[i]));
	}
	assert_int_equal(m.len, 5000);
	for (int i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "key-%d", i);
		assert_ptr_equal(hashmap_remove(&m, key), &values[i]);
	}
	assert_int_equal(m.len, 2500);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		if (i % 2)
			assert_ptr_equal(hashmap_get(&m, key), &values[i]);
		else
			assert_null(hashmap_get(&m, key));
	}
	/* Churn over tombstones must not grow the table without bound. */
	for (int round = 0; round < 20; round++)
		for (int i = 0; i < 5000; i += 2) {
			snprintf(key, sizeof(key), "key-%d", i);
			hashmap_put(&m, key, &values[i]);
			hashmap_remove(&m, key);
		}
	assert_true(m.cap <= 16384);
	hashmap_release(&m);
}

static void test_iteration_visits_each_entry_once(void **state)
{
	struct hashmap m = HASHMAP_INIT;
	int values[100] = { 0 };
	char key[16];
	size_t pos = 0, seen = 0;
	const char *k;
	void *v;

	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "%d", i);
		hashmap_put(&m, key, &values[i]);
	}
	while (hashmap_next(&m, &pos, &k, &v)) {
		(*(int *)v)++;
		seen++;
	}
	assert_int_equal(seen, 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(values[i], 1);
	hashmap_release(&m);
}

static void test_iteration_may_remove_the_current_entry(void **state)
{
	struct hashmap m = HASHMAP_INIT;
	const char *key;
	void *value;
	int values[100];
	size_t pos = 0, seen = 0;
	char name[16];

	for (int i = 0; i < 100; i++) {
		values[i] = i;
		snprintf(name, sizeof(name), "k%d", i);
		hashmap_put(&m, name, &values[i]);
	}
	while (hashmap_next(&m, &pos, &key, &value)) {
		seen++;
		if (*(int *)value % 2)
			assert_ptr_equal(hashmap_remove(&m, key), value);
	}
	assert_int_equal(seen, 100);
	assert_int_equal(m.len, 50);
	assert_non_null(hashmap_get(&m, "k2"));
	assert_null(hashmap_get(&m, "k3"));
	hashmap_release(&m);

	pos = 0; /* an empty map iterates nothing */
	assert_false(hashmap_next(&m, &pos, NULL, NULL));
}

static void test_many_entries_and_release_with_frees_values(void **state)
{
	struct hashmap m = HASHMAP_INIT;
	char key[32];

	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "default/job-%d", i);
		assert_null(hashmap_put(&m, key, xasprintf("%d", i)));
	}
	assert_int_equal(m.len, 20000);
	for (int i = 0; i < 20000; i += 997) {
		snprintf(key, sizeof(key), "default/job-%d", i);
		char *value = hashmap_get(&m, key);

		assert_non_null(value);
		assert_int_equal(strtol(value, NULL, 10), i);
	}
	hashmap_release_with(&m, free); /* leak checkers verify the values went */
	assert_int_equal(m.len, 0);
	assert_null(hashmap_get(&m, "default/job-0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_map_finds_nothing),
		cmocka_unit_test(test_put_replaces_and_returns_previous),
		cmocka_unit_test(test_many_keys_survive_growth_and_removal),
		cmocka_unit_test(test_iteration_visits_each_entry_once),
		cmocka_unit_test(test_iteration_may_remove_the_current_entry),
		cmocka_unit_test(test_many_entries_and_release_with_frees_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
