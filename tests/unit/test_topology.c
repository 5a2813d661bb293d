// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU topology libgreenai reads (tools/lib/base/topology.c), on a copy of
 * tests/fixtures/cpu-topology: 8 possible CPUs, 0-3 online in packages
 * 0, 0, 1, 1, and 4-7 offline with no topology directory. CPUs that come
 * online later get their package read then; one in a package the machine
 * had no CPU of at open stays in package 0, whose domains exist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "base/topology.h"

#define CPU_DIR "sys/devices/system/cpu"

static void packages_and_online_at_open(void **state)
{
	static const int pkg[8] = { 0, 0, 1, 1, 0, 0, 0, 0 };
	static const unsigned char online[8] = { 1, 1, 1, 1, 0, 0, 0, 0 };
	struct ga_topology t;

	assert_int_equal(ga_topology_read(&t, *state, 8), 0);
	assert_int_equal(t.nr_packages, 2);
	assert_memory_equal(t.package, pkg, sizeof(pkg));
	assert_memory_equal(t.online, online, sizeof(online));
	ga_topology_free(&t);
}

static void cpu_coming_online_gets_its_package(void **state)
{
	const char *dir = *state;
	struct ga_topology t;

	assert_int_equal(ga_topology_read(&t, dir, 8), 0);
	/* CPU 5 comes up in package 1, CPU 6 in package 3 (none at open) */
	fix_write(dir, CPU_DIR "/cpu5/topology/physical_package_id", "1\n");
	fix_write(dir, CPU_DIR "/cpu6/topology/physical_package_id", "3\n");
	fix_write(dir, CPU_DIR "/online", "0-3,5-6\n");
	assert_int_equal(ga_topology_online(&t, dir), 0);
	assert_true(t.online[5] && t.online[6]);
	assert_int_equal(t.package[5], 1);
	assert_int_equal(t.package[6], 0);
	assert_int_equal(t.nr_packages, 2);
	/* CPU 2 goes down and comes back: its package is read again */
	fix_write(dir, CPU_DIR "/online", "0-1,3,5-6\n");
	assert_int_equal(ga_topology_online(&t, dir), 0);
	assert_false(t.online[2]);
	fix_write(dir, CPU_DIR "/cpu2/topology/physical_package_id", "0\n");
	fix_write(dir, CPU_DIR "/online", "0-3,5-6\n");
	assert_int_equal(ga_topology_online(&t, dir), 0);
	assert_int_equal(t.package[2], 0);
	ga_topology_free(&t);
}

static void unreadable_online_list_means_all_online(void **state)
{
	const char *dir = *state;
	struct ga_topology t;
	unsigned int cpu;

	assert_int_equal(ga_topology_read(&t, dir, 8), 0);
	fix_write(dir, CPU_DIR "/online", "0-3,banana\n");
	assert_int_equal(ga_topology_online(&t, dir), -EINVAL);
	for (cpu = 0; cpu < 8; cpu++)
		assert_true(t.online[cpu]);
	/* offline CPUs with no topology now count as package 0 */
	assert_int_equal(t.package[7], 0);
	ga_topology_free(&t);
}

static int setup(void **state)
{
	*state = fix_copy_new("cpu-topology");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(packages_and_online_at_open,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(cpu_coming_online_gets_its_package,
						setup, fix_teardown),
		cmocka_unit_test_setup_teardown(unreadable_online_list_means_all_online,
						setup, fix_teardown),
	};

	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
