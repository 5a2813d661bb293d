// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the powercap energy source (tools/lib/energy/esrc_powercap.c) on
 * the sysfs trees of tests/fixtures: zone discovery, names, kinds and
 * nesting (a desktop with the MMIO mirror, a laptop with psys in the real
 * symlinked layout, AMD parts whose dies mirror one counter, an Intel
 * multi-die socket), exact deltas, the wrap at max_energy_range_uj, a
 * counter that goes back, malformed and vanished files, and the
 * root-only energy_uj.
 *
 * Tests that move counters copy a fixture to a temporary directory and
 * rewrite its files between reads. Times start at T0 = 1 ns, before the
 * CLOCK_MONOTONIC stamp the source takes at open, so the first read's
 * elapsed time is unknown and every later one is what the test says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "energy/esrc.h"
#include "esrc_fixture.h"

#define SEC 1000000000ULL
#define T0 1ULL
#define INTEL_RANGE 262143328850ULL
#define AMD_RANGE 65532610987ULL
#define DRAM_SRV_RANGE 65712999613ULL

static int zone_index(const struct ga_esrc *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_zones; i++)
		if (!strcmp(s->zones[i].name, name))
			return i;
	fail_msg("no zone %s", name);
	return -1;
}

#define PKG "sys/class/powercap/intel-rapl:0/energy_uj"
#define CORE "sys/class/powercap/intel-rapl:0:0/energy_uj"
#define UNCORE "sys/class/powercap/intel-rapl:0:1/energy_uj"
#define DRAM "sys/class/powercap/intel-rapl:0:2/energy_uj"
#define PSYS "sys/class/powercap/intel-rapl:1/energy_uj"

/* --- discovery ------------------------------------------------------------ */

static void desktop_zones_names_kinds_and_mmio_mirror(void **state)
{
	struct ga_esrc s;
	const struct ga_zone *z;

	(void)state;
	fix_open(&s, &ga_esrc_powercap, GA_FIXTURES "/powercap-intel");
	/* intel-rapl-mmio:0 is the same package counter: not reported */
	assert_int_equal(s.nr_zones, 4);
	z = &s.zones[0];
	assert_string_equal(z->name, "package-0");
	assert_string_equal(z->label, "intel-rapl:0");
	assert_int_equal(z->kind, GREENAI_DOM_PACKAGE);
	assert_int_equal(z->source, GREENAI_SRC_POWERCAP);
	assert_int_equal(z->package, 0);
	assert_int_equal(z->parent, -1);
	assert_true(z->range_uj == INTEL_RANGE);
	assert_false(z->integrated);
	assert_string_equal(z->error, "");
	assert_string_equal(s.zones[1].name, "core-0");
	assert_int_equal(s.zones[1].kind, GREENAI_DOM_CORE);
	assert_int_equal(s.zones[1].parent, 0);
	assert_string_equal(s.zones[2].name, "uncore-0");
	assert_int_equal(s.zones[2].kind, GREENAI_DOM_UNCORE);
	assert_int_equal(s.zones[2].parent, 0);
	/* DRAM is beside the package, not in it */
	assert_string_equal(s.zones[3].name, "dram-0");
	assert_string_equal(s.zones[3].label, "intel-rapl:0:2");
	assert_int_equal(s.zones[3].kind, GREENAI_DOM_DRAM);
	assert_int_equal(s.zones[3].parent, -1);
	ga_esrc_close(&s);
}

/* The real layout: class entries are symlinks, subzones nested dirs. */
static void laptop_psys_contains_package_and_dram(void **state)
{
	struct ga_esrc s;
	int psys;

	(void)state;
	fix_open(&s, &ga_esrc_powercap, GA_FIXTURES "/powercap-psys");
	assert_int_equal(s.nr_zones, 5);
	psys = zone_index(&s, "psys-0");
	assert_int_equal(s.zones[psys].kind, GREENAI_DOM_PSYS);
	assert_string_equal(s.zones[psys].label, "intel-rapl:1");
	assert_int_equal(s.zones[psys].parent, -1);
	assert_int_equal(s.zones[zone_index(&s, "package-0")].parent, psys);
	assert_int_equal(s.zones[zone_index(&s, "dram-0")].parent, psys);
	assert_int_equal(s.zones[zone_index(&s, "core-0")].parent,
			 zone_index(&s, "package-0"));
	assert_int_equal(s.zones[zone_index(&s, "uncore-0")].parent,
			 zone_index(&s, "package-0"));
	ga_esrc_close(&s);
}

/* Each CCD taken for a die: four zones, two counters. */
static void amd_dies_of_one_counter_are_one_zone(void **state)
{
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_powercap, GA_FIXTURES "/powercap-amd-multidie");
	/* the nested "core" zones (one core each) are left out too */
	assert_int_equal(s.nr_zones, 2);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_string_equal(s.zones[0].label, "intel-rapl:0");
	assert_int_equal(s.zones[0].package, 0);
	assert_true(s.zones[0].range_uj == AMD_RANGE);
	assert_string_equal(s.zones[1].name, "package-1");
	assert_string_equal(s.zones[1].label, "intel-rapl:2");
	assert_int_equal(s.zones[1].package, 1);
	assert_int_equal(s.zones[0].parent, -1);
	assert_int_equal(s.zones[1].parent, -1);
	ga_esrc_close(&s);
}

/* Intel's dies have counters of their own: every one is reported. */
static void intel_dies_are_zones_of_their_own(void **state)
{
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_powercap, GA_FIXTURES "/powercap-intel-multidie");
	assert_int_equal(s.nr_zones, 4);
	assert_string_equal(s.zones[0].name, "package-0-die-0");
	assert_string_equal(s.zones[1].name, "dram-0-die-0");
	assert_true(s.zones[1].range_uj == DRAM_SRV_RANGE);
	assert_int_equal(s.zones[1].parent, -1);
	assert_string_equal(s.zones[2].name, "package-0-die-1");
	assert_string_equal(s.zones[3].name, "dram-0-die-1");
	assert_string_equal(s.zones[3].label, "intel-rapl:1:0");
	ga_esrc_close(&s);
}

/* The desktop's tree on an AMD machine: its core zone is one core. */
static void amd_core_subzone_is_left_out(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write(dir, "proc/cpuinfo",
		  "processor\t: 0\nvendor_id\t: AuthenticAMD\n");
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(s.nr_zones, 3);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_string_equal(s.zones[1].name, "uncore-0");
	assert_string_equal(s.zones[2].name, "dram-0");
	ga_esrc_close(&s);
}

static void no_class_or_no_zone_fails_with_a_reason(void **state)
{
	struct ga_esrc_conf conf = { .root = GA_FIXTURES "/cpu-topology" };
	char *dir = fix_copy_new("powercap-intel"), path[FIX_PATH_MAX];
	struct ga_esrc s;

	*state = dir;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_powercap, &conf), -ENOENT);
	assert_non_null(strstr(s.reason, "powercap"));
	/* a class with a control type and no zone */
	fix_path(path, dir, "sys/class/powercap");
	assert_int_equal(fix_rm(path), 0);
	fix_mkdirs(path, "intel-rapl");
	conf.root = dir;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_powercap, &conf), -ENODEV);
	assert_non_null(strstr(s.reason, "intel_rapl_msr"));
}

/* A zone without a usable range cannot undo a wrap: left out. */
static void zone_without_range_is_left_out(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write(dir, "sys/class/powercap/intel-rapl:0:1/max_energy_range_uj",
		  "lots\n");
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(s.nr_zones, 3);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_string_equal(s.zones[1].name, "core-0");
	assert_string_equal(s.zones[2].name, "dram-0");
	assert_int_equal(s.zones[1].parent, 0);
	ga_esrc_close(&s);
}

/* --- counting ------------------------------------------------------------- */

static void deltas_are_exact(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	assert_true(s.zones[0].energy_uj == 0);

	fix_write_u64(dir, PKG, 52734881231ULL + 25000001);
	fix_write_u64(dir, CORE, 31120075622ULL + 17);
	fix_write_u64(dir, DRAM, 7031298828ULL + 1000000);
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 25000001);
	assert_true(s.zones[0].power_uw == 25000001); /* over one second */
	assert_true(s.zones[1].energy_uj == 17);
	assert_true(s.zones[2].energy_uj == 0);
	assert_true(s.zones[3].energy_uj == 1000000);

	fix_write_u64(dir, PKG, 52734881231ULL + 25000001 + 3);
	assert_int_equal(ga_esrc_read(&s, T0 + 3 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 25000004);
	assert_true(s.zones[0].power_uw == 1); /* 3 µJ in 2 s */
	assert_int_equal(s.zones[0].flags, 0);
	ga_esrc_close(&s);
}

/* range - 1000 -> 500: one wrap, 1500 µJ. */
static void wrap_at_max_energy_range(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write_u64(dir, PKG, INTEL_RANGE - 1000);
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, PKG, 500);
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 1500);
	assert_true(s.zones[0].flags & GREENAI_F_WRAPPED);
	assert_false(s.zones[0].flags & GREENAI_F_SUSPECT);
	/* and on from there: a read without a wrap is not flagged one */
	fix_write_u64(dir, PKG, 700);
	assert_int_equal(ga_esrc_read(&s, T0 + 2 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 1700);
	assert_false(s.zones[0].flags & GREENAI_F_WRAPPED);
	assert_true(s.zones[0].flags_seen & GREENAI_F_WRAPPED);
	/* the wrap exactly at the top: range -> 0 */
	fix_write_u64(dir, PKG, INTEL_RANGE);
	assert_int_equal(ga_esrc_read(&s, T0 + 3 * SEC, NULL), 0);
	fix_write_u64(dir, PKG, 0);
	assert_int_equal(ga_esrc_read(&s, T0 + 4 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 1700 + INTEL_RANGE - 700);
	/* a second wrap is flagged in its own read, again */
	assert_true(s.zones[0].flags & GREENAI_F_WRAPPED);
	ga_esrc_close(&s);
}

/* A gap as long as the range takes at 1 kW may hide a second wrap. */
static void long_gap_is_flagged_suspect(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;
	__u64 wrap_ns = INTEL_RANGE; /* range µJ at 10^9 µW: 262 s */

	*state = dir;
	fix_write_u64(dir, PKG, 1000);
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, PKG, 2000);
	assert_int_equal(ga_esrc_read(&s, T0 + wrap_ns - 1, NULL), 0);
	assert_int_equal(s.zones[0].flags, 0);
	fix_write_u64(dir, PKG, 3000);
	assert_int_equal(ga_esrc_read(&s, T0 + 2 * wrap_ns - 1, NULL), 0);
	assert_true(s.zones[0].flags & GREENAI_F_SUSPECT);
	assert_true(s.zones[0].energy_uj == 2000);
	ga_esrc_close(&s);
}

/* 200 kJ -> 100 kJ in a second is no wrap (that would be 162 kJ). */
static void counter_going_back_is_an_error(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write_u64(dir, PKG, 200000000000ULL);
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, PKG, 100000000000ULL);
	fix_read_fails(&s, T0 + SEC, -ERANGE, 0, "went back");
	assert_false(s.zones[0].flags & GREENAI_F_WRAPPED);
	/* the other zones were read */
	assert_string_equal(s.zones[1].error, "");
	/* counting goes on from the new value */
	fix_write_u64(dir, PKG, 100000005000ULL);
	assert_int_equal(ga_esrc_read(&s, T0 + 2 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 5000);
	assert_string_equal(s.zones[0].error, "");
	ga_esrc_close(&s);
}

static void reading_above_the_range_is_an_error(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write_u64(dir, PKG, 1000);
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, PKG, INTEL_RANGE + 1);
	fix_read_fails(&s, T0 + SEC, -ERANGE, 0, "max_energy_range_uj");
	fix_write_u64(dir, PKG, 1500);
	assert_int_equal(ga_esrc_read(&s, T0 + 2 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 500);
	ga_esrc_close(&s);
}

/* Text, nothing, a sign, more than 64 bits: an error, never a number. */
static void malformed_values_are_zone_errors(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write_u64(dir, PKG, 1000);
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_check_malformed(&s, 0, dir, PKG, "energy_uj", T0 + SEC);
	fix_write_u64(dir, PKG, 1000 + 42);
	assert_int_equal(ga_esrc_read(&s, T0 + 20 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 42);
	assert_string_equal(s.zones[0].error, "");
	ga_esrc_close(&s);
}

/* A zone removed between reads (hot-unplug, module unload). */
static void vanished_zone_keeps_its_energy(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct ga_esrc s;

	*state = dir;
	fix_write_u64(dir, CORE, 100);
	fix_open(&s, &ga_esrc_powercap, dir);
	fix_write_u64(dir, CORE, 400);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	assert_true(s.zones[1].energy_uj == 300);
	fix_unlink(dir, CORE);
	fix_write_u64(dir, PKG, 52734881231ULL + 10);
	fix_read_fails(&s, T0 + SEC, -ENOENT, 1, "energy_uj");
	assert_true(s.zones[0].energy_uj == 10);
	/* back again: counted from its last good reading */
	fix_write_u64(dir, CORE, 450);
	assert_int_equal(ga_esrc_read(&s, T0 + 2 * SEC, NULL), 0);
	assert_true(s.zones[1].energy_uj == 350);
	assert_string_equal(s.zones[1].error, "");
	ga_esrc_close(&s);
}

/* No energy twice: the zones without a parent add up to psys alone. */
static void laptop_roots_add_up_to_psys(void **state)
{
	char *dir = fix_copy_new("powercap-psys");
	struct ga_esrc s;
	__u64 roots = 0;
	unsigned int i;

	*state = dir;
	fix_open(&s, &ga_esrc_powercap, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, PKG, 18446744 + 9000000);
	fix_write_u64(dir, CORE, 9013671 + 6000000);
	fix_write_u64(dir, DRAM, 1250305 + 1000000);
	fix_write_u64(dir, PSYS, 40215087 + 15000000);
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	for (i = 0; i < s.nr_zones; i++)
		if (s.zones[i].parent < 0)
			roots += s.zones[i].energy_uj;
	assert_true(roots == 15000000);
	ga_esrc_close(&s);
}

/* --- permission ----------------------------------------------------------- */

static void root_only_energy_uj_fails_with_advice(void **state)
{
	char *dir = fix_copy_new("powercap-intel");
	struct fix_open_result r;

	*state = dir;
	/* as the kernel has it since CVE-2020-8694 */
	fix_chmod(dir, PKG, geteuid() ? 0 : 0400);
	fix_open_as_nobody(&ga_esrc_powercap, dir, &r);
	assert_int_equal(r.err, -EACCES);
	assert_non_null(strstr(r.reason, "intel-rapl:0/energy_uj"));
	assert_non_null(strstr(r.reason, "run as root"));
	assert_non_null(strstr(r.reason, "udev"));
	assert_non_null(strstr(r.reason, "chmod"));
	/* readable again: the same user opens it */
	fix_chmod(dir, PKG, 0444);
	fix_open_as_nobody(&ga_esrc_powercap, dir, &r);
	assert_int_equal(r.err, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIX_TEST(desktop_zones_names_kinds_and_mmio_mirror),
		FIX_TEST(laptop_psys_contains_package_and_dram),
		FIX_TEST(amd_dies_of_one_counter_are_one_zone),
		FIX_TEST(intel_dies_are_zones_of_their_own),
		FIX_TEST(amd_core_subzone_is_left_out),
		FIX_TEST(no_class_or_no_zone_fails_with_a_reason),
		FIX_TEST(zone_without_range_is_left_out),
		FIX_TEST(deltas_are_exact),
		FIX_TEST(wrap_at_max_energy_range),
		FIX_TEST(long_gap_is_flagged_suspect),
		FIX_TEST(counter_going_back_is_an_error),
		FIX_TEST(reading_above_the_range_is_an_error),
		FIX_TEST(malformed_values_are_zone_errors),
		FIX_TEST(vanished_zone_keeps_its_energy),
		FIX_TEST(laptop_roots_add_up_to_psys),
		FIX_TEST(root_only_energy_uj_fails_with_advice),
	};

	return cmocka_run_group_tests_name("esrc_powercap", tests, NULL, NULL);
}
