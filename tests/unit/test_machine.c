// SPDX-License-Identifier: GPL-2.0
/*
 * The machine a run ran on (tools/lib/base/machine.c), from fixture trees:
 * the CPU model, the online CPUs, MemTotal, and a cloud machine known by
 * its DMI strings; what is missing is unknown, never guessed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <greenai/machine.h>

#include "fixture.h"

static void bare_metal(void **state)
{
	struct ga_machine m;

	fix_write(*state, "proc/cpuinfo",
		  "processor\t: 0\nvendor_id\t: GenuineIntel\n"
		  "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n\n"
		  "processor\t: 1\n"
		  "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n");
	fix_write(*state, "sys/devices/system/cpu/online", "0-37,40-41\n");
	fix_write(*state, "proc/meminfo",
		  "MemTotal:       196608000 kB\nMemFree:         1000 kB\n");
	fix_write(*state, "sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
	fix_write(*state, "sys/class/dmi/id/product_name", "PowerEdge R740\n");
	ga_machine_read(*state, &m);
	assert_string_equal(m.cpu_model,
			    "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
	assert_int_equal(m.nr_cpus, 40);
	assert_int_equal(m.ram_total_kb, 196608000);
	assert_int_equal(m.on_cloud, GA_CLOUD_NO);
}

static void clouds_by_dmi(void **state)
{
	static const struct {
		const char *vendor, *product, *tag;
		enum ga_cloud cloud;
	} cases[] = {
		{ "Amazon EC2", "m5.large", "", GA_CLOUD_YES },
		{ "Google", "Google Compute Engine", "", GA_CLOUD_YES },
		{ "Microsoft Corporation", "Virtual Machine", "", GA_CLOUD_YES },
		{ "Microsoft Corporation", "Surface Laptop 5", "", GA_CLOUD_NO },
		{ "QEMU", "Standard PC (i440FX + PIIX, 1996)", "OracleCloud.com",
		  GA_CLOUD_YES },
		{ "OpenStack Foundation", "OpenStack Nova", "", GA_CLOUD_YES },
		{ "Red Hat", "OpenStack Compute", "", GA_CLOUD_YES },
		{ "Hetzner", "vServer", "", GA_CLOUD_YES },
		{ "QEMU", "Standard PC (Q35 + ICH9, 2009)", "", GA_CLOUD_NO },
		{ "LENOVO", "20XW0026GE", "", GA_CLOUD_NO },
	};
	char dir[FIX_PATH_MAX];
	struct ga_machine m;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fix_tmpdir(dir);
		fix_writef(dir, "sys/class/dmi/id/sys_vendor", "%s\n",
			   cases[i].vendor);
		fix_writef(dir, "sys/class/dmi/id/product_name", "%s\n",
			   cases[i].product);
		fix_writef(dir, "sys/class/dmi/id/chassis_asset_tag", "%s\n",
			   cases[i].tag);
		ga_machine_read(dir, &m);
		if (m.on_cloud != cases[i].cloud)
			fail_msg("%s / %s / %s: on_cloud %d", cases[i].vendor,
				 cases[i].product, cases[i].tag, m.on_cloud);
		assert_int_equal(fix_rm(dir), 0);
	}
}

/* No file at all: nothing known, and no cloud claimed either way. */
static void nothing_known(void **state)
{
	struct ga_machine m;

	ga_machine_read(*state, &m);
	assert_string_equal(m.cpu_model, "");
	assert_int_equal(m.nr_cpus, 0);
	assert_int_equal(m.ram_total_kb, 0);
	assert_int_equal(m.on_cloud, GA_CLOUD_UNKNOWN);
}

static int setup(void **state)
{
	*state = fix_tmpdir_new();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bare_metal, setup,
						fix_teardown),
		cmocka_unit_test(clouds_by_dmi),
		cmocka_unit_test_setup_teardown(nothing_known, setup,
						fix_teardown),
	};

	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
