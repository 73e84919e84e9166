/* test_strmap.c — the string-keyed hash map: put/get/replace/remove,
 * growth past many resizes, and removal while iterating. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "xalloc.h"

static void test_put_get_replace_remove(void **state)
{
	struct strmap map = STRMAP_INIT;
	int a = 1, b = 2;

	assert_null(strmap_get(&map, "x"));
	assert_null(strmap_remove(&map, "x"));
	assert_null(strmap_put(&map, "ns/x", &a));
	assert_ptr_equal(strmap_get(&map, "ns/x"), &a);
	assert_true(strmap_contains(&map, "ns/x"));
	assert_ptr_equal(strmap_put(&map, "ns/x", &b), &a);
	assert_int_equal(map.len, 1);
	assert_ptr_equal(strmap_remove(&map, "ns/x"), &b);
	assert_false(strmap_contains(&map, "ns/x"));
	assert_int_equal(map.len, 0);
	strmap_release(&map, NULL);
}

static void test_many_entries_and_release_frees_values(void **state)
{
	struct strmap map = STRMAP_INIT;
	char key[32];

	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "default/job-%d", i);
		assert_null(strmap_put(&map, key, xasprintf("%d", i)));
	}
	assert_int_equal(map.len, 20000);
	for (int i = 0; i < 20000; i += 997) {
		snprintf(key, sizeof(key), "default/job-%d", i);
		char *value = strmap_get(&map, key);

		assert_non_null(value);
		assert_int_equal(strtol(value, NULL, 10), i);
	}
	strmap_release(&map, free); /* leak checkers verify the values went */
	assert_int_equal(map.len, 0);
}

static void test_iterate_and_remove(void **state)
{
	struct strmap map = STRMAP_INIT;
	struct strmap_iter it;
	const char *key;
	void *value;
	int seen = 0, values[100];
	char name[16];

	for (int i = 0; i < 100; i++) {
		values[i] = i;
		snprintf(name, sizeof(name), "k%d", i);
		strmap_put(&map, name, &values[i]);
	}
	strmap_iter_init(&it, &map);
	while (strmap_iter_next(&it, &key, &value)) {
		seen++;
		if (*(int *)value % 2)
			assert_ptr_equal(strmap_iter_remove(&it), value);
	}
	assert_int_equal(seen, 100);
	assert_int_equal(map.len, 50);
	assert_true(strmap_contains(&map, "k2"));
	assert_false(strmap_contains(&map, "k3"));
	strmap_release(&map, NULL);

	strmap_iter_init(&it, &map); /* an empty map iterates nothing */
	assert_false(strmap_iter_next(&it, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace_remove),
		cmocka_unit_test(test_many_entries_and_release_frees_values),
		cmocka_unit_test(test_iterate_and_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
