// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the power-model energy source (tools/lib/energy/esrc_model.c):
 * packages from the configuration or from the CPU topology of
 * tests/fixtures/cpu-topology, the exact energy of known busy times and
 * capacities, the carried remainder over many reads, a change in online
 * CPUs, busy time above capacity, missing activity and bad coefficients.
 *
 * Expected energies are worked out by hand in the comments, or as
 * floor(Σ (idle × elapsed + (max - idle) × busy / online) / 10^9) with
 * the compiler's 128-bit arithmetic. Times start at T0 = 1 ns (see
 * test_esrc_powercap.c): the first read only starts the interval.
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
#define W 1000000ULL /* µW */

static void open_model(struct ga_esrc *s, const char *root, __u64 idle_uw,
		       __u64 max_uw, unsigned int packages)
{
	struct ga_esrc_conf conf = {
		.root = root,
		.model_idle_uw = idle_uw,
		.model_max_uw = max_uw,
		.model_packages = packages,
	};

	fix_open_conf(s, &ga_esrc_model, &conf);
}

/* Read with the activity of @n packages. */
static int read_act(struct ga_esrc *s, __u64 now, unsigned int n,
		    const __u64 *busy, const __u64 *cap)
{
	struct ga_activity act = {
		.nr_packages = n,
		.busy_ns = busy,
		.capacity_ns = cap,
	};

	return ga_esrc_read(s, now, &act);
}

static void packages_from_the_cpu_topology(void **state)
{
	struct ga_esrc s;
	unsigned int i;

	(void)state;
	/* CPUs 0-1 in package 0, 2-3 in package 1, 4-7 offline */
	open_model(&s, GA_FIXTURES "/cpu-topology", 0, 0, 0);
	assert_int_equal(s.nr_zones, 2);
	for (i = 0; i < 2; i++) {
		const struct ga_zone *z = &s.zones[i];
		char name[16];

		snprintf(name, sizeof(name), "package-%u", i);
		fix_check_zone(z, name, GREENAI_DOM_PACKAGE, GREENAI_SRC_MODEL,
			       i, -1);
		assert_int_equal(z->flags, GREENAI_F_ESTIMATED);
		assert_true(z->range_uj == 0);
		assert_false(z->integrated);
	}
	ga_esrc_close(&s);
}

static void packages_from_the_configuration(void **state)
{
	struct ga_esrc s;

	(void)state;
	/* no topology needed where the count is given */
	open_model(&s, "/nonexistent", 5 * W, 50 * W, 3);
	assert_int_equal(s.nr_zones, 3);
	assert_string_equal(s.zones[2].name, "package-2");
	ga_esrc_close(&s);
}

static void no_topology_fails_with_a_reason(void **state)
{
	struct ga_esrc_conf conf = { .root = GA_FIXTURES "/powercap-intel" };
	struct ga_esrc s;

	(void)state;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_model, &conf), -ENOENT);
	assert_non_null(strstr(s.reason, "number of packages"));
}

static void bad_coefficients_are_refused(void **state)
{
	struct ga_esrc_conf conf = { .model_packages = 1 };
	struct ga_esrc s;

	(void)state;
	conf.model_idle_uw = 61 * W;
	conf.model_max_uw = 60 * W;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_model, &conf), -EINVAL);
	assert_non_null(strstr(s.reason, "idle at most max"));
	conf.model_idle_uw = 0;
	conf.model_max_uw = 10000ULL * W + 1; /* above 10 kW */
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_model, &conf), -EINVAL);
	conf.model_idle_uw = 1;
	conf.model_max_uw = 0;
	assert_int_equal(ga_esrc_open(&s, &ga_esrc_model, &conf), -EINVAL);
}

/*
 * idle 10 W, max 60 W, two CPUs per package, one second:
 * package 0 with one CPU busy: 10 W + 50 W × 1/2 = 35 J;
 * package 1 idle: 10 J.
 */
static void known_activity_gives_exact_energy(void **state)
{
	const __u64 busy[2] = { SEC, 0 }, cap[2] = { 2 * SEC, 2 * SEC };
	const __u64 busy2[2] = { 2 * SEC, SEC / 4 };
	struct ga_esrc s;

	(void)state;
	open_model(&s, NULL, 10 * W, 60 * W, 2);
	assert_int_equal(read_act(&s, T0, 2, busy, cap), 0);
	assert_true(s.zones[0].energy_uj == 0);
	assert_int_equal(read_act(&s, T0 + SEC, 2, busy, cap), 0);
	assert_true(s.zones[0].energy_uj == 35 * W);
	assert_true(s.zones[0].power_uw == 35 * W);
	assert_true(s.zones[1].energy_uj == 10 * W);
	/* both CPUs busy: 60 J; an eighth: 10 + 50 / 8 = 16.25 J */
	assert_int_equal(read_act(&s, T0 + 2 * SEC, 2, busy2, cap), 0);
	assert_true(s.zones[0].energy_uj == 95 * W);
	assert_true(s.zones[1].energy_uj == 10 * W + 16250000);
	assert_int_equal(s.zones[0].flags, GREENAI_F_ESTIMATED);
	assert_string_equal(s.zones[0].error, "");
	ga_esrc_close(&s);
}

/* The module's defaults: 10 W idle, 60 W full. */
static void zero_coefficients_are_the_module_defaults(void **state)
{
	const __u64 busy[1] = { 0 }, cap[1] = { 4 * SEC };
	const __u64 full[1] = { 4 * SEC };
	struct ga_esrc s;

	(void)state;
	open_model(&s, NULL, 0, 0, 1);
	assert_int_equal(read_act(&s, T0, 1, busy, cap), 0);
	assert_int_equal(read_act(&s, T0 + SEC, 1, busy, cap), 0);
	assert_true(s.zones[0].energy_uj == 10 * W);
	assert_int_equal(read_act(&s, T0 + 2 * SEC, 1, full, cap), 0);
	assert_true(s.zones[0].energy_uj == 70 * W);
	ga_esrc_close(&s);
}

/* Odd coefficients and times: the remainder is carried, never lost. */
static void remainder_is_carried_over_many_reads(void **state)
{
	const __u64 idle = 7000001, max = 13333337, online = 3;
	const __u64 den = online * SEC;
	struct ga_esrc s;
	u128 num = 0; /* Σ energy × den, µJ */
	__u64 now = T0, busy, cap, elapsed;
	unsigned int i;

	(void)state;
	open_model(&s, NULL, idle, max, 1);
	busy = 0;
	cap = 0;
	assert_int_equal(read_act(&s, now, 1, &busy, &cap), 0);
	for (i = 1; i <= 20000; i++) {
		elapsed = 1000003 + (i * 7919ULL) % 99991;
		cap = online * elapsed;
		busy = (i * 104729ULL) % (cap + 1);
		now += elapsed;
		assert_int_equal(read_act(&s, now, 1, &busy, &cap), 0);
		/* idle × online × elapsed + (max - idle) × busy, over den */
		num += (u128)idle * online * elapsed +
		       (u128)(max - idle) * busy;
		assert_true(s.zones[0].energy_uj == (__u64)(num / den));
	}
	ga_esrc_close(&s);
}

/*
 * When the online CPUs change the remainder is rescaled to the new
 * denominator, as the module does: under 1 µJ is lost at each change.
 */
static void online_cpus_changing_loses_under_a_microjoule(void **state)
{
	const __u64 idle = 3333333, max = 9999999;
	struct ga_esrc s;
	__u64 now = T0, busy = 0, cap = 0, elapsed = 333333333;
	u128 exact = 0; /* Σ energy × 6 × 10^9 (lcm of 1, 2, 3) */
	unsigned int i, online;

	(void)state;
	open_model(&s, NULL, idle, max, 1);
	assert_int_equal(read_act(&s, now, 1, &busy, &cap), 0);
	for (i = 0; i < 30; i++) {
		online = 1 + i % 3;
		cap = online * elapsed;
		busy = cap / 3 + i;
		now += elapsed;
		assert_int_equal(read_act(&s, now, 1, &busy, &cap), 0);
		exact += ((u128)idle * online * elapsed +
			  (u128)(max - idle) * busy) *
			 (6 / online);
		assert_true(s.zones[0].energy_uj <= exact / (6 * SEC));
		assert_true(s.zones[0].energy_uj + 1 >= exact / (6 * SEC));
	}
	ga_esrc_close(&s);
}

static void busy_above_capacity_is_clamped_and_flagged(void **state)
{
	const __u64 busy[1] = { 5 * SEC }, cap[1] = { 2 * SEC };
	struct ga_esrc s;

	(void)state;
	open_model(&s, NULL, 10 * W, 60 * W, 1);
	assert_int_equal(read_act(&s, T0, 1, busy, cap), 0);
	assert_int_equal(read_act(&s, T0 + SEC, 1, busy, cap), 0);
	assert_true(s.zones[0].energy_uj == 60 * W); /* never above max */
	assert_true(s.zones[0].flags & GREENAI_F_CLAMPED);
	assert_true(s.zones[0].flags & GREENAI_F_ESTIMATED);
	ga_esrc_close(&s);
}

/* A package with no CPU online uses nothing. */
static void package_without_online_cpu_uses_nothing(void **state)
{
	const __u64 busy[2] = { 0, 0 }, cap[2] = { SEC, 0 };
	struct ga_esrc s;

	(void)state;
	open_model(&s, NULL, 10 * W, 60 * W, 2);
	assert_int_equal(read_act(&s, T0, 2, busy, cap), 0);
	assert_int_equal(read_act(&s, T0 + SEC, 2, busy, cap), 0);
	assert_true(s.zones[0].energy_uj == 10 * W);
	assert_true(s.zones[1].energy_uj == 0);
	ga_esrc_close(&s);
}

static void missing_activity_is_a_zone_error(void **state)
{
	const __u64 busy[1] = { 0 }, cap[1] = { SEC };
	struct ga_esrc s;

	(void)state;
	open_model(&s, NULL, 10 * W, 60 * W, 2);
	assert_int_equal(ga_esrc_read(&s, T0, NULL), 0);
	assert_int_equal(ga_esrc_read(&s, T0 + SEC, NULL), -EINVAL);
	assert_non_null(strstr(s.zones[0].error, "no activity"));
	assert_true(s.zones[0].energy_uj == 0);
	/* activity for package 0 only */
	assert_int_equal(read_act(&s, T0 + 2 * SEC, 1, busy, cap), -EINVAL);
	assert_true(s.zones[0].energy_uj == 10 * W);
	assert_string_equal(s.zones[0].error, "");
	assert_non_null(strstr(s.zones[1].error, "no activity"));
	ga_esrc_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(packages_from_the_cpu_topology),
		cmocka_unit_test(packages_from_the_configuration),
		cmocka_unit_test(no_topology_fails_with_a_reason),
		cmocka_unit_test(bad_coefficients_are_refused),
		cmocka_unit_test(known_activity_gives_exact_energy),
		cmocka_unit_test(zero_coefficients_are_the_module_defaults),
		cmocka_unit_test(remainder_is_carried_over_many_reads),
		cmocka_unit_test(online_cpus_changing_loses_under_a_microjoule),
		cmocka_unit_test(busy_above_capacity_is_clamped_and_flagged),
		cmocka_unit_test(package_without_online_cpu_uses_nothing),
		cmocka_unit_test(missing_activity_is_a_zone_error),
	};

	return cmocka_run_group_tests_name("esrc_model", tests, NULL, NULL);
}
