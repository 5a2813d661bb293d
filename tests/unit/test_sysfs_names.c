// SPDX-License-Identifier: GPL-2.0
/*
 * Numbered names in sysfs (tools/lib/energy/sysfs_names.c), as the hwmon
 * and DRM sources meet them: "energy2_input" is channel 2 of energy, not
 * "energy_input" nor "energy2_input_x"; a directory's "hwmonN" entries
 * come sorted by number, not by name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "energy/sysfs_names.h"
#include "fixture.h"

static void numbered_names(void **state)
{
	unsigned int n = 77;

	(void)state;
	assert_true(ga_sysfs_num("energy2_input", "energy", "_input", 100,
				 &n));
	assert_int_equal(n, 2);
	assert_true(ga_sysfs_num("hwmon10", "hwmon", "", 100, &n));
	assert_int_equal(n, 10);
	assert_true(ga_sysfs_num("Esocket0", "Esocket", "", 100, &n));
	assert_int_equal(n, 0);
	n = 77;
	assert_false(ga_sysfs_num("energy_input", "energy", "_input", 100, &n));
	assert_false(ga_sysfs_num("energy2_input_x", "energy", "_input", 100,
				  &n));
	assert_false(ga_sysfs_num("energy-2_input", "energy", "_input", 100,
				  &n));
	assert_false(ga_sysfs_num("power1_average", "energy", "_input", 100,
				  &n));
	assert_false(ga_sysfs_num("card0-DP-1", "card", "", 100, &n));
	/* past the bound, and past any unsigned int */
	assert_false(ga_sysfs_num("hwmon101", "hwmon", "", 100, &n));
	assert_false(ga_sysfs_num("card99999999999999999999", "card", "",
				  UINT_MAX, &n));
	assert_int_equal(n, 77);
}

static void numbered_entries_sorted(void **state)
{
	char *dir = fix_tmpdir_new();
	unsigned int *v = NULL;
	int nr;

	(void)state;
	fix_mkdirs(dir, "hwmon10");
	fix_mkdirs(dir, "hwmon2");
	fix_mkdirs(dir, "hwmon0");
	fix_mkdirs(dir, "hwmonX");
	fix_write(dir, "hwmon3-old", "");
	nr = ga_sysfs_list_num(dir, "hwmon", 100, &v);
	assert_int_equal(nr, 3);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[1], 2);
	assert_int_equal(v[2], 10);
	free(v);
	fix_rm(dir);
	assert_int_equal(ga_sysfs_list_num(dir, "hwmon", 100, &v), -ENOENT);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbered_names),
		cmocka_unit_test(numbered_entries_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
