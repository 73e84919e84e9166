/* test_quantity.c — resource quantities as the scheduler reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "quantity.h"

static int64_t milli(const char *s)
{
	int64_t v = -12345;

	assert_int_equal(quantity_parse(s, 3, &v), 0);
	return v;
}

static int64_t units(const char *s)
{
	int64_t v = -12345;

	assert_int_equal(quantity_parse(s, 0, &v), 0);
	return v;
}

static void test_cpu_in_millicores(void **state)
{
	assert_int_equal(milli("1"), 1000);
	assert_int_equal(milli("500m"), 500);
	assert_int_equal(milli("0.5"), 500);
	assert_int_equal(milli(".25"), 250);
	assert_int_equal(milli("2."), 2000);
	assert_int_equal(milli("1.0005"), 1001); /* rounded up */
	assert_int_equal(milli("100u"), 1);      /* rounded up */
	assert_int_equal(milli("0"), 0);
	assert_int_equal(milli("+3"), 3000);
	assert_int_equal(milli("1e3"), 1000000);
	assert_int_equal(milli("1E-3"), 1);
	assert_int_equal(milli("-1m"), -1);
}

static void test_memory_in_bytes(void **state)
{
	assert_int_equal(units("1Ki"), 1024);
	assert_int_equal(units("1.5Gi"), 1610612736);
	assert_int_equal(units("128974848"), 128974848);
	assert_int_equal(units("129e6"), 129000000);
	assert_int_equal(units("129M"), 129000000);
	assert_int_equal(units("123Mi"), 128974848);
	assert_int_equal(units("1Ei"), 1152921504606846976);
	assert_int_equal(units("0.1"), 1); /* rounded up */
	assert_int_equal(units("000000000000000000000000000000000000000001k"), 1000);
}

static void test_rejects_what_is_not_a_quantity(void **state)
{
	const char *bad[] = { "", "m", "1.2.3", "1 Gi", "1gi", "1KiB", "--1", "1e", "1e+",
			      "0x10", "1.5e3.1", "abc", "1Zi" };
	int64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(quantity_parse(bad[i], 0, &v), -1);
		assert_int_equal(v, 7);
	}
	assert_int_equal(quantity_parse(NULL, 0, &v), -1);
	/* Too large for int64 milli-units. */
	assert_int_equal(quantity_parse("8Ei", 3, &v), -1);
	assert_int_equal(quantity_parse("1e30", 0, &v), -1);
	assert_int_equal(v, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_in_millicores),
		cmocka_unit_test(test_memory_in_bytes),
		cmocka_unit_test(test_rejects_what_is_not_a_quantity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
