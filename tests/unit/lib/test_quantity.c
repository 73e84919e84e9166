/* test_quantity.c — resource quantities as resource.Quantity reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "quantity.h"

static void expect(const char *text, int64_t value, int64_t milli)
{
	struct quantity q;
	struct error err = ERROR_INIT;

	assert_int_equal(quantity_parse(text, &q, &err), 0);
	assert_int_equal(q.value, value);
	assert_int_equal(q.milli, milli);
}

static void test_suffixes(void **state)
{
	expect("1", 1, 1000);
	expect("500m", 1, 500);
	expect("1.5", 2, 1500); /* Value() rounds up */
	expect("250m", 1, 250);
	expect("1Ki", 1024, 1024000);
	expect("1.5Gi", 1610612736, 1610612736000);
	expect("128974848", 128974848, 128974848000);
	expect("129e6", 129000000, 129000000000);
	expect("123Mi", 128974848, 128974848000);
	expect("2k", 2000, 2000000);
	expect("100n", 1, 1); /* 0.0000001 rounds up in both */
	expect("0", 0, 0);
	expect("0.5", 1, 500);
	expect("-1", -1, -1000);
	expect("+3", 3, 3000);
	expect(".5", 1, 500);
}

static void test_huge_values_saturate(void **state)
{
	expect("9Ei", INT64_MAX, INT64_MAX);
	expect("1e100", INT64_MAX, INT64_MAX);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = { "", "m", "1.2.3", "1Zi", "1 Gi", "e3", "1e", "abc",
					   "1e+", "--1" };
	struct quantity q;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(quantity_parse(bad[i], &q, NULL), -1);
}

static void test_compare(void **state)
{
	struct quantity a, b;

	quantity_parse("500m", &a, NULL);
	quantity_parse("1", &b, NULL);
	assert_true(quantity_compare(&a, &b) < 0);
	quantity_parse("1000m", &a, NULL);
	assert_int_equal(quantity_compare(&a, &b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_huge_values_saturate),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_compare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
