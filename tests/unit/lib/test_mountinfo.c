/* test_mountinfo.c — mountinfo lines (optional fields, escaped spaces,
 * malformed input) and finding this process's own root mount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mountinfo.h"

static void test_lines(void **state)
{
	struct mount_entry e;

	(void)state;
	assert_true(
		mountinfo_parse_line("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
				     "rw,errors=continue\n",
				     &e));
	assert_string_equal(e.mountpoint, "/mnt2");
	assert_string_equal(e.fstype, "ext3");
	assert_string_equal(e.source, "/dev/root");

	assert_true(mountinfo_parse_line("120 25 0:52 / /tmp/my\\040jobs ro,nosuid,nodev - "
					 "fuse.konduktor-fs konduktor ro,user_id=0,group_id=0",
					 &e));
	assert_string_equal(e.mountpoint, "/tmp/my jobs");
	assert_string_equal(e.fstype, "fuse.konduktor-fs");
	assert_string_equal(e.source, "konduktor");

	assert_false(mountinfo_parse_line("", &e));
	assert_false(
		mountinfo_parse_line("36 35 98:0 /mnt1 /mnt2 rw master:1 ext3 /dev/root rw", &e));
	assert_false(mountinfo_parse_line("36 35 98:0 /mnt1 /mnt2 rw - ext3", &e));
	/* An escaped NUL would cut a field short: refused, not truncated. */
	assert_false(mountinfo_parse_line("36 35 98:0 / /mnt\\000x rw - ext3 /dev/root rw", &e));
	assert_false(mountinfo_parse_line("36 35 98:0 / /mnt rw - \\000ext3 /dev/root rw", &e));
	assert_true(mountinfo_parse_line("36 35 98:0 / /mnt\\001 rw - ext3 /dev/root rw", &e));
	assert_string_equal(e.mountpoint, "/mnt\001");
}

static void test_finding_mounts(void **state)
{
	struct mount_entry e;
	struct error err = ERROR_INIT;

	(void)state;
	assert_int_equal(mountinfo_find("/", &e, &err), 0);
	assert_string_equal(e.mountpoint, "/");
	assert_true(strlen(e.fstype) > 0);
	assert_int_equal(mountinfo_find("/no/such/mount/point", &e, &err), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_finding_mounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
