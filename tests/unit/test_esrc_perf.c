// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the perf energy source (tools/lib/energy/esrc_perf.c): the power
 * PMU's sysfs description from tests/fixtures (a two-socket server, a
 * laptop with psys, an AMD part whose CCDs mirror the package counter),
 * counted through a FAKE perf_event_open()/read() pair, since the machines
 * these tests run on have no power PMU: zones, names and nesting, the
 * scale turned into an exact fraction, exact sums of deltas with the
 * remainder carried, the 64-bit wrap, a count that goes back, read
 * errors, and the permission error's advice.
 *
 * Expected energies are worked out independently: by hand in comments, or
 * as floor(counts × num / den) with the compiler's 128-bit arithmetic.
 * Times start at T0 = 1 ns (see test_esrc_powercap.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <cmocka.h>

#include "energy/esrc.h"
#include "esrc_fixture.h"
#include "energy/esrc_perf.h"

typedef unsigned __int128 u128;

#define SEC 1000000000ULL
#define T0 1ULL

/* --- FAKE power PMU ------------------------------------------------------- */

/*
 * A FAKE of the kernel's power PMU: each opened event is a real (eventfd)
 * descriptor, so the source can close() it, with a count the test sets.
 */
struct fake_event {
	int fd;
	__u32 type;
	__u64 config;
	int cpu;
	__u64 count;
	int read_err;
};

static struct fake_event fake_ev[32];
static unsigned int fake_nr;
static int fake_open_err; /* returned by every open when set */
static int fake_open_err_cpu = -1; /* ... or only for this CPU */
static __u64 fake_start_count; /* the count of a new event */

static int fake_perf_open(__u32 type, __u64 config, int cpu)
{
	struct fake_event *e;

	if (fake_open_err &&
	    (fake_open_err_cpu < 0 || fake_open_err_cpu == cpu))
		return fake_open_err;
	if (fake_nr == ARRAY_SIZE(fake_ev))
		return -EMFILE;
	e = &fake_ev[fake_nr];
	e->fd = eventfd(0, EFD_CLOEXEC);
	if (e->fd < 0)
		return -errno;
	e->type = type;
	e->config = config;
	e->cpu = cpu;
	e->count = fake_start_count;
	e->read_err = 0;
	fake_nr++;
	return e->fd;
}

static int fake_perf_read(int fd, __u64 *count)
{
	unsigned int i;

	for (i = 0; i < fake_nr; i++) {
		if (fake_ev[i].fd != fd)
			continue;
		if (fake_ev[i].read_err)
			return fake_ev[i].read_err;
		*count = fake_ev[i].count;
		return 0;
	}
	return -EBADF;
}

/* The fake event of a config on a CPU. */
static struct fake_event *fake_find(__u64 config, int cpu)
{
	unsigned int i;

	for (i = 0; i < fake_nr; i++)
		if (fake_ev[i].config == config && fake_ev[i].cpu == cpu)
			return &fake_ev[i];
	fail_msg("no event %llu on cpu %d", (unsigned long long)config, cpu);
	return NULL;
}

static int fake_setup(void **state)
{
	(void)state;
	memset(fake_ev, 0, sizeof(fake_ev));
	fake_nr = 0;
	fake_open_err = 0;
	fake_open_err_cpu = -1;
	fake_start_count = 0;
	ga_perf_event_open = fake_perf_open;
	ga_perf_event_read = fake_perf_read;
	return 0;
}

#define EVENTS "sys/bus/event_source/devices/power/events/"

/* --- discovery ------------------------------------------------------------ */

static void server_zones_one_per_event_and_package(void **state)
{
	struct ga_esrc s;
	unsigned int i;

	(void)state;
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power");
	assert_int_equal(s.nr_zones, 4);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_string_equal(s.zones[0].label, "power/energy-pkg cpu0");
	assert_int_equal(s.zones[0].kind, GREENAI_DOM_PACKAGE);
	assert_int_equal(s.zones[0].package, 0);
	assert_string_equal(s.zones[1].name, "dram-0");
	assert_int_equal(s.zones[1].kind, GREENAI_DOM_DRAM);
	assert_string_equal(s.zones[2].name, "package-1");
	assert_string_equal(s.zones[2].label, "power/energy-pkg cpu28");
	assert_int_equal(s.zones[2].package, 1);
	assert_string_equal(s.zones[3].name, "dram-1");
	for (i = 0; i < s.nr_zones; i++) {
		assert_int_equal(s.zones[i].source, GREENAI_SRC_PERF);
		assert_int_equal(s.zones[i].parent, -1);
		assert_true(s.zones[i].range_uj == 0);
		assert_string_equal(s.zones[i].error, "");
	}
	/* what was asked of perf_event_open() */
	assert_int_equal(fake_nr, 4);
	assert_int_equal(fake_find(2, 0)->type, 24);
	assert_int_equal(fake_find(3, 0)->type, 24);
	assert_int_equal(fake_find(2, 28)->type, 24);
	assert_int_equal(fake_find(3, 28)->type, 24);
	ga_esrc_close(&s);
}

static void laptop_nesting_in_package_and_psys(void **state)
{
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power-laptop");
	assert_int_equal(s.nr_zones, 4);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_string_equal(s.zones[1].name, "core-0");
	assert_int_equal(s.zones[1].kind, GREENAI_DOM_CORE);
	assert_string_equal(s.zones[2].name, "uncore-0");
	assert_int_equal(s.zones[2].kind, GREENAI_DOM_UNCORE);
	assert_string_equal(s.zones[3].name, "psys-0");
	assert_int_equal(s.zones[3].kind, GREENAI_DOM_PSYS);
	assert_int_equal(s.zones[0].parent, 3);
	assert_int_equal(s.zones[1].parent, 0);
	assert_int_equal(s.zones[2].parent, 0);
	assert_int_equal(s.zones[3].parent, -1);
	assert_int_equal(fake_find(5, 0)->type, 23);
	ga_esrc_close(&s);
}

/* cpumask 0,8: two CCDs of one package, one counter. */
static void amd_ccds_are_one_package(void **state)
{
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power-amd");
	assert_int_equal(s.nr_zones, 1);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_int_equal(fake_nr, 1);
	assert_int_equal(fake_ev[0].cpu, 0);
	ga_esrc_close(&s);
}

/* The same cpumask on Intel: two dies with counters of their own. */
static void intel_dies_are_named_by_die(void **state)
{
	char *dir = fix_copy_new("perf-power-amd");
	struct ga_esrc s;

	*state = dir;
	fix_write(dir, "proc/cpuinfo",
		  "processor\t: 0\nvendor_id\t: GenuineIntel\n");
	fix_open(&s, &ga_esrc_perf, dir);
	assert_int_equal(s.nr_zones, 2);
	assert_string_equal(s.zones[0].name, "package-0-die-0");
	assert_string_equal(s.zones[1].name, "package-0-die-1");
	assert_int_equal(s.zones[1].package, 0);
	ga_esrc_close(&s);
}

static void no_power_pmu_fails_with_a_reason(void **state)
{
	struct ga_esrc_conf conf = { .root = GA_FIXTURES "/cpu-topology" };
	struct ga_esrc s;

	(void)state;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_perf, &conf), -ENOENT);
	assert_non_null(strstr(s.reason, "no power PMU"));
}

static void permission_error_says_what_to_do(void **state)
{
	struct ga_esrc_conf conf = { .root = GA_FIXTURES "/perf-power" };
	struct ga_esrc s;

	(void)state;
	fake_open_err = -EACCES;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_perf, &conf), -EACCES);
	assert_non_null(strstr(s.reason, "energy-pkg on CPU 0"));
	assert_non_null(strstr(s.reason, "root"));
	assert_non_null(strstr(s.reason, "CAP_PERFMON"));
	assert_non_null(strstr(s.reason, "perf_event_paranoid"));
	assert_non_null(strstr(s.reason, "(it is 2)"));
	/* EPERM (a lockdown, a seccomp filter) is a permission error too */
	fake_open_err = -EPERM;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_perf, &conf), -EPERM);
	assert_non_null(strstr(s.reason, "CAP_PERFMON"));
}

/* An event a CPU cannot count leaves that zone out, not the source. */
static void event_not_on_a_cpu_is_left_out(void **state)
{
	struct ga_esrc_conf conf = { .root = GA_FIXTURES "/perf-power" };
	struct ga_esrc s;

	(void)state;
	fake_open_err = -ENODEV;
	fake_open_err_cpu = 28;
	fix_open(&s, &ga_esrc_perf, conf.root);
	assert_int_equal(s.nr_zones, 2);
	assert_string_equal(s.zones[0].name, "package-0");
	assert_string_equal(s.zones[1].name, "dram-0");
	ga_esrc_close(&s);
	/* on no CPU at all: the source is not there */
	fake_open_err_cpu = -1;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_perf, &conf), -ENODEV);
	assert_non_null(strstr(s.reason, "could be opened"));
}

/* Config, scale and unit must be understood, or the event is left out. */
static void bad_event_descriptions_are_left_out(void **state)
{
	static const char *const bad_scale[] = {
		"",	 "abc",	  "-2.3e-10", "1e",	  "0",	   "0.0e-5",
		"1.2.3", " 1e-6", "1e-6 J",   "1e-99999", "1e-40",
	};
	static const char *const bad_config[] = {
		"event=2", "event=0x", "event=0x100", "config=0x02", "",
	};
	char *dir = fix_copy_new("perf-power");
	struct ga_esrc s;
	unsigned int i;

	*state = dir;
	for (i = 0; i < ARRAY_SIZE(bad_scale); i++) {
		fake_setup(NULL);
		fix_write(dir, EVENTS "energy-ram.scale", bad_scale[i]);
		fix_open(&s, &ga_esrc_perf, dir);
		assert_int_equal(s.nr_zones, 2);
		assert_string_equal(s.zones[1].name, "package-1");
		ga_esrc_close(&s);
	}
	fix_write(dir, EVENTS "energy-ram.scale",
		  "2.3283064365386962890625e-10\n");
	for (i = 0; i < ARRAY_SIZE(bad_config); i++) {
		fake_setup(NULL);
		fix_write(dir, EVENTS "energy-ram", bad_config[i]);
		fix_open(&s, &ga_esrc_perf, dir);
		assert_int_equal(s.nr_zones, 2);
		ga_esrc_close(&s);
	}
	fix_write(dir, EVENTS "energy-ram", "event=0x03\n");
	fix_write(dir, EVENTS "energy-ram.unit", "Watts\n");
	fake_setup(NULL);
	fix_open(&s, &ga_esrc_perf, dir);
	assert_int_equal(s.nr_zones, 2);
	ga_esrc_close(&s);
	/* no .unit at all: Joules, by the scale */
	fix_unlink(dir, EVENTS "energy-ram.unit");
	fake_setup(NULL);
	fix_open(&s, &ga_esrc_perf, dir);
	assert_int_equal(s.nr_zones, 4);
	ga_esrc_close(&s);
}

/* --- counting ------------------------------------------------------------- */

/*
 * Open the server fixture with @scale for energy-pkg, move package-0's
 * count by @counts and return the µJ read.
 */
static __u64 energy_of(const char *dir, const char *scale, __u64 counts)
{
	struct fake_event *e;
	struct ga_esrc s;
	__u64 uj;

	fake_setup(NULL);
	fix_write(dir, EVENTS "energy-pkg.scale", scale);
	fix_open(&s, &ga_esrc_perf, dir);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	e = fake_find(2, 0);
	e->count += counts;
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	uj = s.zones[0].energy_uj;
	ga_esrc_close(&s);
	return uj;
}

static void scales_are_exact_fractions(void **state)
{
	char *dir = fix_copy_new("perf-power");

	*state = dir;
	/* 2^-32 J: 2^32 counts are 1 J */
	assert_true(energy_of(dir, "2.3283064365386962890625e-10",
			      1ULL << 32) == 1000000);
	/* 2^-32 J: 2^26 counts are 15625 µJ, one count less is 15624 */
	assert_true(energy_of(dir, "2.3283064365386962890625e-10",
			      1ULL << 26) == 15625);
	assert_true(energy_of(dir, "2.3283064365386962890625e-10",
			      (1ULL << 26) - 1) == 15624);
	/* 2^-16 J, Haswell-EP DRAM: 1024 counts are 15625 µJ */
	assert_true(energy_of(dir, "1.52587890625e-05", 1024) == 15625);
	/* the same with an upper-case E and trailing zeros */
	assert_true(energy_of(dir, "1.525878906250000E-05", 1024) == 15625);
	assert_true(energy_of(dir, "1e-06", 12345) == 12345);
	assert_true(energy_of(dir, "0.001", 7) == 7000);
	assert_true(energy_of(dir, "1", 3) == 3000000);
	assert_true(energy_of(dir, "1e+0", 3) == 3000000);
	assert_true(energy_of(dir, "10", 3) == 30000000);
	/* 6.103515625e-05 = 2^-14 J: 256 counts are 15625 µJ */
	assert_true(energy_of(dir, "6.103515625e-05", 256) == 15625);
}

/* Σ deltas == floor(Σ counts × 15625 / 2^26), over odd steps. */
static void sum_of_deltas_is_exact(void **state)
{
	struct fake_event *e;
	struct ga_esrc s;
	__u64 total = 0, before, step;
	unsigned int i;

	(void)state;
	fake_start_count = 123456789;
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power");
	e = fake_find(2, 0);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	for (i = 1; i <= 5000; i++) {
		step = (i * 2654435761ULL) % 429496730ULL; /* 0..0.1 J */
		e->count += step;
		total += step;
		before = s.zones[0].energy_uj;
		assert_int_equal(ga_esrc_read(&s, T0 + i * SEC / 10, NULL), 0);
		assert_true(s.zones[0].energy_uj ==
			    (__u64)(((u128)total * 15625) >> 26));
		assert_true(s.zones[0].energy_uj >= before);
	}
	assert_int_equal(s.zones[0].flags, 0);
	ga_esrc_close(&s);
}

/* The 64-bit count wraps after 2^32 J: one wrap is counted. */
static void count_wrap_at_2_64(void **state)
{
	struct fake_event *e;
	struct ga_esrc s;

	(void)state;
	fake_start_count = ~0ULL - (1ULL << 25) + 1; /* 2^25 to the top */
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power");
	e = fake_find(2, 0);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	e->count = 1ULL << 25; /* and 2^25 after it */
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	/* 2^26 counts of 2^-32 J */
	assert_true(s.zones[0].energy_uj == 15625);
	assert_true(s.zones[0].flags & GREENAI_F_WRAPPED);
	ga_esrc_close(&s);
}

static void count_going_back_is_error(void **state)
{
	struct fake_event *e;
	struct ga_esrc s;

	(void)state;
	fake_start_count = 1ULL << 40;
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power");
	e = fake_find(2, 0);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	e->count -= 5;
	fix_read_fails(&s, T0 + SEC, -ERANGE, 0, "went back");
	assert_false(s.zones[0].flags & GREENAI_F_WRAPPED);
	/* a jump of 2 kJ in a second is no reading either */
	e->count += 2000ULL << 32;
	fix_read_fails(&s, T0 + 2 * SEC, -ERANGE, 0, "jumped");
	/* on from the last count */
	e->count += 1ULL << 32;
	assert_int_equal(ga_esrc_read(&s, T0 + 3 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 1000000);
	assert_true(s.zones[0].power_uw == 1000000);
	assert_string_equal(s.zones[0].error, "");
	ga_esrc_close(&s);
}

static void read_error_keeps_energy(void **state)
{
	struct fake_event *pkg, *ram;
	struct ga_esrc s;

	(void)state;
	fix_open(&s, &ga_esrc_perf, GA_FIXTURES "/perf-power");
	pkg = fake_find(2, 0);
	ram = fake_find(3, 0);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	pkg->count += 1ULL << 32;
	ram->count += 1ULL << 32;
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), 0);
	pkg->read_err = -EIO;
	pkg->count += 1ULL << 32;
	ram->count += 1ULL << 32;
	fix_read_fails(&s, T0 + 2 * SEC, -EIO, 0, "read");
	assert_true(s.zones[1].energy_uj == 2000000);
	pkg->read_err = 0;
	assert_int_equal(ga_esrc_read(&s, T0 + 3 * SEC, NULL), 0);
	assert_true(s.zones[0].energy_uj == 2000000);
	assert_string_equal(s.zones[0].error, "");
	ga_esrc_close(&s);
}

/* Each test on a fresh fake PMU; a copy of a fixture in its state goes. */
#define PERF_TEST(f) \
	cmocka_unit_test_setup_teardown(f, fake_setup, fix_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PERF_TEST(server_zones_one_per_event_and_package),
		PERF_TEST(laptop_nesting_in_package_and_psys),
		PERF_TEST(amd_ccds_are_one_package),
		PERF_TEST(intel_dies_are_named_by_die),
		PERF_TEST(no_power_pmu_fails_with_a_reason),
		PERF_TEST(permission_error_says_what_to_do),
		PERF_TEST(event_not_on_a_cpu_is_left_out),
		PERF_TEST(bad_event_descriptions_are_left_out),
		PERF_TEST(scales_are_exact_fractions),
		PERF_TEST(sum_of_deltas_is_exact),
		PERF_TEST(count_wrap_at_2_64),
		PERF_TEST(count_going_back_is_error),
		PERF_TEST(read_error_keeps_energy),
	};

	return cmocka_run_group_tests_name("esrc_perf", tests, NULL, NULL);
}
