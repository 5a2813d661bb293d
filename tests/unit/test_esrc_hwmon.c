// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the hwmon energy source (tools/lib/energy/esrc_hwmon.c) on the
 * sysfs trees of tests/fixtures: which devices and channels become zones
 * (energy before power, GPUs left out, amd_energy's cores left to its
 * sockets, an old-style device), names and kinds, exact energy deltas, a
 * counter that goes back or jumps (-ERANGE, flagged suspect), malformed
 * and vanished files, the trapezoid integration of power exact to the µJ
 * over many reads, unique short names, and channels readable by root
 * only.
 *
 * Expected integrals are computed here with the compiler's 128-bit
 * arithmetic: floor(Σ (P0 + P1) × Δt / 2 / 10^9) µJ. Times start at T0 =
 * 1 ns (see test_esrc_powercap.c).
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

typedef unsigned __int128 u128;

#define SEC 1000000000ULL
#define T0 1ULL

/* --- discovery ------------------------------------------------------------ */

/* A zone as a test expects it; a NULL label is not checked. */
struct want_zone {
	const char *name;
	const char *label;
	__u16 kind;
	int package;
};

#define PLAT GREENAI_DOM_PLATFORM /* what most hwmon zones are */

/*
 * The zones of @s are the @n of @want, in that order, read without error,
 * with no parent and no wrap; @integrated: power sensors.
 */
static void check_zones(const struct ga_esrc *s, const struct want_zone *want,
			unsigned int n, bool integrated)
{
	unsigned int i;

	assert_int_equal(s->nr_zones, n);
	for (i = 0; i < n; i++) {
		const struct ga_zone *z = &s->zones[i];

		fix_check_zone(z, want[i].name, want[i].kind, GREENAI_SRC_HWMON,
			       want[i].package, -1);
		if (want[i].label)
			assert_string_equal(z->label, want[i].label);
		assert_int_equal(z->integrated, integrated);
		assert_true(z->range_uj == 0);
		assert_string_equal(z->error, "");
	}
}

static void energy_devices_zones_names_kinds(void **state)
{
	/*
	 * amd_energy's socket (its cores are in it), ina238's energy (not
	 * its power), ibmaem's of the old layout; not amdgpu, not k10temp
	 */
	static const struct want_zone want[] = {
		{ "hwmon-amd_energy-esocket0", "hwmon0/energy5_input",
		  GREENAI_DOM_PACKAGE, 0 },
		{ "hwmon-ina238-energy1", "hwmon3/energy1_input", PLAT, -1 },
		{ "hwmon-ibmaem-energy1", "hwmon4/energy1_input", PLAT, -1 },
	};
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_hwmon, GA_FIXTURES "/hwmon-energy");
	check_zones(&s, want, ARRAY_SIZE(want), false);
	ga_esrc_close(&s);
}

/* The real layout: class entries are symlinks into the device tree. */
static void power_devices_are_integrated(void **state)
{
	static const struct want_zone want[] = {
		{ "hwmon-acpi_power_meter-power1", "hwmon0/power1_average",
		  PLAT, -1 },
		{ "hwmon-ina2xx-power1", "hwmon1/power1_input", PLAT, -1 },
		{ "hwmon-corsairpsu-power_total", NULL, PLAT, -1 },
		{ "hwmon-corsairpsu-power_12v", NULL, PLAT, -1 },
		{ "hwmon-corsairpsu-power_5v", NULL, PLAT, -1 },
	};
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_hwmon, GA_FIXTURES "/hwmon-power");
	check_zones(&s, want, ARRAY_SIZE(want), true);
	ga_esrc_close(&s);
}

/* Without a socket channel, amd_energy's cores are what there is. */
static void amd_energy_cores_without_socket(void **state)
{
	static const struct want_zone want[] = {
		{ "hwmon-amd_energy-ecore000", NULL, GREENAI_DOM_CORE, -1 },
		{ "hwmon-amd_energy-ecore001", NULL, GREENAI_DOM_CORE, -1 },
		{ "hwmon-amd_energy-ecore002", NULL, GREENAI_DOM_CORE, -1 },
		{ "hwmon-amd_energy-ecore003", NULL, GREENAI_DOM_CORE, -1 },
		{ "hwmon-ina238-energy1", NULL, PLAT, -1 },
		{ "hwmon-ibmaem-energy1", NULL, PLAT, -1 },
	};
	char *dir = fix_copy_new("hwmon-energy");
	struct ga_esrc s;

	*state = dir;
	fix_unlink(dir, "sys/class/hwmon/hwmon0/energy5_input");
	fix_unlink(dir, "sys/class/hwmon/hwmon0/energy5_label");
	fix_open(&s, &ga_esrc_hwmon, dir);
	check_zones(&s, want, ARRAY_SIZE(want), false);
	ga_esrc_close(&s);
}

/* Same driver twice, long labels: unique, at most 31 characters. */
static void names_are_sanitised_unique_and_short(void **state)
{
	static const char *const files[][2] = {
		{ "hwmon0/name", "ina2xx\n" },
		{ "hwmon0/power1_input", "1000\n" },
		{ "hwmon1/name", "ina2xx\n" },
		{ "hwmon1/power1_input", "1000\n" },
		{ "hwmon2/name", "ina2xx\n" },
		{ "hwmon2/power1_input", "1000\n" },
		{ "hwmon7/name", "acpi_power_meter\n" },
		{ "hwmon7/power1_input", "1\n" },
		{ "hwmon7/power1_label", "Total System Power (AC input)\n" },
		{ "hwmon7/power2_input", "1\n" },
		{ "hwmon7/power2_label", "Total System Power (DC input)\n" },
		/* hwmon10 sorts after hwmon7: numbers, not strings */
		{ "hwmon10/name", "corsairpsu\n" },
		{ "hwmon10/power1_input", "1\n" },
		{ "hwmon10/power1_label", "Ünïcode/ W\n" },
	};
	static const struct want_zone want[] = {
		{ "hwmon-ina2xx-power1", NULL, PLAT, -1 },
		{ "hwmon-ina2xx-power1-2", NULL, PLAT, -1 },
		{ "hwmon-ina2xx-power1-3", NULL, PLAT, -1 },
		{ "hwmon-acpi_power_meter-total_sy", NULL, PLAT, -1 },
		{ "hwmon-acpi_power_meter-total_-2", NULL, PLAT, -1 },
		{ "hwmon-corsairpsu-__n__code__w", NULL, PLAT, -1 },
	};
	char *dir = fix_tmpdir_new(), rel[64];
	struct ga_esrc s;
	unsigned int i;

	*state = dir;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(rel, sizeof(rel), "sys/class/hwmon/%s", files[i][0]);
		fix_write(dir, rel, files[i][1]);
	}
	fix_open(&s, &ga_esrc_hwmon, dir);
	check_zones(&s, want, ARRAY_SIZE(want), true);
	for (i = 0; i < s.nr_zones; i++)
		assert_true(strlen(s.zones[i].name) <= GREENAI_NAME_LEN - 1);
	ga_esrc_close(&s);
}

static void no_hwmon_or_no_sensor_fails_with_a_reason(void **state)
{
	struct ga_esrc_conf conf = { .root = GA_FIXTURES "/cpu-topology" };
	char *dir = fix_copy_new("hwmon-power");
	struct ga_esrc s;

	*state = dir;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_hwmon, &conf), -ENOENT);
	assert_non_null(strstr(s.reason, "hwmon"));
	/* temperatures and a GPU only */
	fix_unlink(dir, "sys/class/hwmon/hwmon0");
	fix_unlink(dir, "sys/class/hwmon/hwmon1");
	fix_unlink(dir, "sys/class/hwmon/hwmon2");
	conf.root = dir;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_hwmon, &conf), -ENODEV);
	assert_non_null(strstr(s.reason, "no energy or power sensor"));
}

/* --- energy counters ------------------------------------------------------ */

/* The sensors the tests below change: two counters, two power meters. */
#define SOCKET "sys/class/hwmon/hwmon0/energy5_input"
#define INA238 "sys/class/hwmon/hwmon3/energy1_input"
#define APM "sys/class/hwmon/hwmon0/power1_average"
#define INA2XX "sys/class/hwmon/hwmon1/power1_input"

static void energy_deltas_are_exact(void **state)
{
	char *dir = fix_copy_new("hwmon-energy");
	struct ga_esrc s;

	*state = dir;
	fix_open(&s, &ga_esrc_hwmon, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, SOCKET, 98765432101ULL + 123456789);
	fix_write_u64(dir, INA238, 5000000 + 1);
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 123456789);
	assert_true(s.zones[0].power_uw == 123456789);
	assert_true(s.zones[1].energy_uj == 1);
	fix_write_u64(dir, SOCKET, 98765432101ULL + 123456789 + 11);
	assert_int_equal(ga_esrc_read(&s, T0 + 3 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 123456800);
	assert_true(s.zones[0].power_uw == 5);
	ga_esrc_close(&s);
}

/* A reset is an error for that read, never a negative delta. */
static void energy_going_back_or_jumping_is_an_error(void **state)
{
	char *dir = fix_copy_new("hwmon-energy");
	struct ga_esrc s;

	*state = dir;
	fix_open(&s, &ga_esrc_hwmon, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_write_u64(dir, SOCKET, 1000);
	fix_read_fails(&s, T0 + SEC, -ERANGE, 0, "went back");
	assert_true(s.zones[0].flags & GREENAI_F_SUSPECT);
	assert_string_equal(s.zones[1].error, "");
	assert_int_equal(s.zones[1].flags, 0);
	/* counted from the reset on */
	fix_write_u64(dir, SOCKET, 1500);
	assert_int_equal(ga_esrc_read(&s, T0 + 2 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 500);
	assert_string_equal(s.zones[0].error, "");
	/* 2^64 - 1 µJ in a second is no reading */
	fix_write(dir, SOCKET, "18446744073709551615\n");
	fix_read_fails(&s, T0 + 3 * SEC, -ERANGE, 0, "jumped");
	ga_esrc_close(&s);
}

/* Text, nothing, a sign, more than 64 bits: an error, never a number. */
static void malformed_values_are_zone_errors(void **state)
{
	char *dir = fix_copy_new("hwmon-energy");
	struct ga_esrc s;

	*state = dir;
	fix_open(&s, &ga_esrc_hwmon, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	fix_check_malformed(&s, 0, dir, SOCKET, "energy5_input", T0 + SEC);
	fix_write_u64(dir, SOCKET, 98765432101ULL + 7);
	assert_int_equal(ga_esrc_read(&s, T0 + 20 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 7);
	ga_esrc_close(&s);
}

/* --- power sensors -------------------------------------------------------- */

/* floor(Σ (P0 + P1) × Δt / 2) µJ, over odd powers and times. */
static void power_integration_is_exact(void **state)
{
	static const struct {
		__u64 dt_ns;
		__u64 p_uw;
	} steps[] = {
		{ SEC, 235000001 },
		{ 333333333, 99999999 },
		{ 7, 1 },
		{ 1, 0 },
		{ SEC / 2, 1000000000000ULL },
		{ 3, 3 },
		{ 2 * SEC + 1, 235000000 },
		{ 999999999, 17 },
		{ 5, 123456789 },
		{ 60 * SEC, 42 },
	};
	char *dir = fix_copy_new("hwmon-power");
	struct ga_esrc s;
	__u64 now = T0, prev = 235000000, uj, before;
	u128 twice = 0; /* 2 × Σ P × Δt, µW × ns */
	unsigned int i, k;

	*state = dir;
	fix_open(&s, &ga_esrc_hwmon, dir);
	assert_int_equal(ga_esrc_read(&s, now, NULL), 0);
	assert_true(s.zones[0].energy_uj == 0); /* no time before T0 */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < ARRAY_SIZE(steps); i++) {
			now += steps[i].dt_ns;
			fix_write_u64(dir, APM, steps[i].p_uw);
			before = s.zones[0].energy_uj;
			assert_int_equal(ga_esrc_read(&s, now, NULL), 0);
			twice += (u128)(prev + steps[i].p_uw) * steps[i].dt_ns;
			uj = (__u64)(twice / (2 * SEC));
			assert_true(s.zones[0].energy_uj == uj);
			assert_true(s.zones[0].energy_uj >= before);
			assert_true(s.zones[0].power_uw ==
				    (prev + steps[i].p_uw) / 2);
			prev = steps[i].p_uw;
		}
	}
	assert_string_equal(s.zones[0].error, "");
	ga_esrc_close(&s);
}

static void power_above_1_mw_or_malformed_is_an_error(void **state)
{
	static const char *const bad[] = {
		"1000000000001\n",	     "abc\n", "", "-5\n",
		"99999999999999999999999\n",
	};
	char *dir = fix_copy_new("hwmon-power");
	struct ga_esrc s;
	unsigned int i;

	*state = dir;
	fix_open(&s, &ga_esrc_hwmon, dir);
	fix_write_u64(dir, INA2XX, 4000000);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fix_write(dir, INA2XX, bad[i]);
		assert_true(ga_esrc_read(&s, T0 + (i + 1) * SEC, NULL) < 0);
		assert_true(s.zones[1].energy_uj == 0);
		assert_true(s.zones[1].error[0]);
	}
	/* integrated from the last good sample, over the whole gap */
	fix_write_u64(dir, INA2XX, 6000000);
	assert_int_equal(ga_esrc_read(&s, T0 + 10 * SEC, NULL), 0);
	assert_true(s.zones[1].energy_uj == 50000000); /* 5 W × 10 s */
	ga_esrc_close(&s);
}

/* A sensor removed between reads (hot-unplug): kept, read again. */
static void vanished_sensor_keeps_its_energy(void **state)
{
	char *dir = fix_copy_new("hwmon-power");
	struct ga_esrc s;

	*state = dir;
	fix_open(&s, &ga_esrc_hwmon, dir);
	fix_write_u64(dir, INA2XX, 2000000);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	assert_true(s.zones[1].energy_uj == 2000000);
	fix_unlink(dir, INA2XX);
	fix_read_fails(&s, T0 + 2 * SEC, -ENOENT, 1, "power1_input");
	assert_string_equal(s.zones[0].error, "");
	fix_write_u64(dir, INA2XX, 4000000);
	assert_int_equal(ga_esrc_read(&s, T0 + 3 * SEC, NULL), 0);
	/* 2 W to 4 W over the two seconds since the last good sample */
	assert_true(s.zones[1].energy_uj == 2000000 + 6000000);
	assert_string_equal(s.zones[1].error, "");
	ga_esrc_close(&s);
}

/* --- permission ----------------------------------------------------------- */

static void root_only_channels(void **state)
{
	mode_t denied = geteuid() ? 0 : 0400;
	char *dir = fix_copy_new("hwmon-energy");
	struct fix_open_result r;

	*state = dir;
	/* amd_energy's counters, as the driver has them since PLATYPUS */
	fix_chmod(dir, SOCKET, denied);
	fix_open_as_nobody(&ga_esrc_hwmon, dir, &r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.nr_zones, 2);
	assert_string_equal(r.first, "hwmon-ina238-energy1");
	assert_non_null(strstr(r.reason, "left out"));
	/* every channel: the source is not there, and says what to do */
	fix_chmod(dir, INA238, denied);
	fix_chmod(dir, "sys/class/hwmon/hwmon4/device/energy1_input", denied);
	fix_open_as_nobody(&ga_esrc_hwmon, dir, &r);
	assert_int_equal(r.err, -EACCES);
	assert_non_null(strstr(r.reason, "run as root"));
	assert_non_null(strstr(r.reason, "udev"));
	assert_non_null(strstr(r.reason, "3 energy or power channel"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIX_TEST(energy_devices_zones_names_kinds),
		FIX_TEST(power_devices_are_integrated),
		FIX_TEST(amd_energy_cores_without_socket),
		FIX_TEST(names_are_sanitised_unique_and_short),
		FIX_TEST(no_hwmon_or_no_sensor_fails_with_a_reason),
		FIX_TEST(energy_deltas_are_exact),
		FIX_TEST(energy_going_back_or_jumping_is_an_error),
		FIX_TEST(malformed_values_are_zone_errors),
		FIX_TEST(power_integration_is_exact),
		FIX_TEST(power_above_1_mw_or_malformed_is_an_error),
		FIX_TEST(vanished_sensor_keeps_its_energy),
		FIX_TEST(root_only_channels),
	};

	return cmocka_run_group_tests_name("esrc_hwmon", tests, NULL, NULL);
}
