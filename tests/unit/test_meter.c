// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the energy meters (tools/lib/energy/meter.c) that the hwmon, DRM
 * and NVML sources read their sensors through: power integrated exactly
 * over many readings, the remainder carried, readings whose time is not
 * after the last, implausible power, counters summed, a counter going
 * backwards or jumping, the first reading at open, energy near 2^64 µJ,
 * and the energy limit.
 *
 * Expected integrals are computed here with the compiler's 128-bit
 * arithmetic: floor(Σ (P0 + P1) × Δt / (2 × 10^9)) µJ.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "energy/meter.h"

typedef unsigned __int128 u128;

#define SEC 1000000000ULL
#define MAX_UW 1000000000000ULL /* 1 MW */

static void new_meter(struct ga_meter *m, struct ga_zone *z,
		      enum ga_meter_kind kind)
{
	ga_meter_init(m, kind, MAX_UW);
	memset(z, 0, sizeof(*z));
}

/* floor(Σ (P0 + P1) × Δt / 2) µJ after every one of many readings. */
static void power_integration_is_exact_over_many_reads(void **state)
{
	uint64_t rng = 0x243f6a8885a308d3ULL;
	__u64 now = 5 * SEC, prev, p, dt;
	u128 twice = 0; /* 2 × Σ P × Δt, µW × ns */
	struct ga_meter m;
	struct ga_zone z;
	int i;

	(void)state;
	new_meter(&m, &z, GA_METER_POWER);
	prev = 123456789;
	assert_int_equal(ga_meter_start(&m, prev, now), 0);
	for (i = 0; i < 100000; i++) {
		/* up to 1 MW, often tiny; from 1 ns to about 2 minutes */
		p = fix_rng(&rng) % (i % 3 ? 1000000 : MAX_UW + 1);
		dt = 1 + fix_rng(&rng) % (i % 5 ? 1000 : 137 * SEC);
		now += dt;
		assert_int_equal(ga_meter_read(&m, &z, p, now), 0);
		twice += (u128)(prev + p) * dt;
		assert_true(z.energy_uj == (__u64)(twice / (2 * SEC)));
		assert_true(z.power_uw == (prev + p) / 2);
		prev = p;
	}
	assert_string_equal(z.error, "");
	assert_int_equal(z.flags, 0);
}

/* 7 mW × 142857 ns is 0.999999 µJ: nothing a read, 999 µJ in 1000. */
static void power_remainder_is_carried(void **state)
{
	struct ga_meter m;
	struct ga_zone z;
	__u64 now = SEC;
	int i;

	(void)state;
	new_meter(&m, &z, GA_METER_POWER);
	assert_int_equal(ga_meter_read(&m, &z, 7000, now), 0);
	assert_true(z.power_uw == 7000);
	for (i = 0; i < 1000; i++) {
		now += 142857;
		assert_int_equal(ga_meter_read(&m, &z, 7000, now), 0);
		assert_true(z.energy_uj == (i + 1) * 999999ULL / 1000000);
	}
	assert_true(z.energy_uj == 999);
}

/* A reading not after the last integrates nothing and replaces it. */
static void power_read_at_the_same_time_replaces(void **state)
{
	struct ga_meter m;
	struct ga_zone z;

	(void)state;
	new_meter(&m, &z, GA_METER_POWER);
	assert_int_equal(ga_meter_start(&m, 1000000, 10 * SEC), 0);
	assert_int_equal(ga_meter_read(&m, &z, 3000000, 10 * SEC), 0);
	assert_true(z.energy_uj == 0);
	assert_true(z.power_uw == 3000000);
	assert_int_equal(ga_meter_read(&m, &z, 5000000, 9 * SEC), 0);
	assert_true(z.energy_uj == 0);
	/* from 5 W at 9 s: 5 W to 7 W over 2 s */
	assert_int_equal(ga_meter_read(&m, &z, 7000000, 11 * SEC), 0);
	assert_true(z.energy_uj == 12000000);
	assert_true(z.power_uw == 6000000);
}

/* Above the maximum: refused, kept out; the gap is integrated after. */
static void power_above_the_maximum_is_an_error(void **state)
{
	struct ga_meter m;
	struct ga_zone z;

	(void)state;
	new_meter(&m, &z, GA_METER_POWER);
	assert_int_equal(ga_meter_start(&m, MAX_UW + 1, SEC), -ERANGE);
	assert_false(m.have_ref);
	assert_int_equal(ga_meter_read(&m, &z, MAX_UW + 1, SEC), -ERANGE);
	assert_non_null(strstr(z.error, "implausible"));
	/* the maximum itself is a reading */
	assert_int_equal(ga_meter_read(&m, &z, MAX_UW, 2 * SEC), 0);
	assert_int_equal(ga_meter_read(&m, &z, 2000000, 3 * SEC), 0);
	assert_true(z.energy_uj == (MAX_UW + 2000000) / 2);
	assert_int_equal(ga_meter_read(&m, &z, ~0ULL, 4 * SEC), -ERANGE);
	assert_true(z.energy_uj == (MAX_UW + 2000000) / 2);
	/* 2 W from the last good reading, at 3 s, to 4 W at 5 s */
	assert_int_equal(ga_meter_read(&m, &z, 4000000, 5 * SEC), 0);
	assert_true(z.energy_uj == (MAX_UW + 2000000) / 2 + 6000000);
	assert_int_equal(z.flags, 0);
}

static void counter_steps_are_summed(void **state)
{
	struct ga_meter m;
	struct ga_zone z;

	(void)state;
	new_meter(&m, &z, GA_METER_COUNTER);
	/* the first reading is the reference, whatever its value */
	assert_int_equal(ga_meter_start(&m, 98765432101ULL, SEC), 0);
	assert_int_equal(ga_meter_read(&m, &z, 98765432101ULL + 250, 2 * SEC),
			 0);
	assert_true(z.energy_uj == 250);
	assert_true(z.power_uw == 250);
	/* a read not after the last: the step counts, the power is kept */
	assert_int_equal(ga_meter_read(&m, &z, 98765432101ULL + 300, 2 * SEC),
			 0);
	assert_true(z.energy_uj == 300);
	assert_true(z.power_uw == 250);
	assert_int_equal(ga_meter_read(&m, &z, 98765432101ULL + 1300, 6 * SEC),
			 0);
	assert_true(z.energy_uj == 1300);
	assert_true(z.power_uw == 250);
	assert_string_equal(z.error, "");
	assert_int_equal(z.flags, 0);
}

/* A reset: an error, flagged; counting resumes from the new value. */
static void counter_going_backwards_is_an_error(void **state)
{
	struct ga_meter m;
	struct ga_zone z;

	(void)state;
	new_meter(&m, &z, GA_METER_COUNTER);
	assert_int_equal(ga_meter_read(&m, &z, 5000, SEC), 0);
	assert_true(z.energy_uj == 0);
	assert_int_equal(ga_meter_read(&m, &z, 6000, 2 * SEC), 0);
	assert_int_equal(ga_meter_read(&m, &z, 5999, 3 * SEC), -ERANGE);
	assert_non_null(strstr(z.error, "went backwards"));
	assert_non_null(strstr(z.error, "6000 to 5999"));
	assert_true(z.flags & GREENAI_F_SUSPECT);
	assert_true(z.energy_uj == 1000);
	z.error[0] = '\0';
	assert_int_equal(ga_meter_read(&m, &z, 6499, 4 * SEC), 0);
	assert_true(z.energy_uj == 1500);
	assert_true(z.power_uw == 500);
}

/* More than the maximum power over the time, or over a second. */
static void counter_jumping_is_an_error(void **state)
{
	struct ga_meter m;
	struct ga_zone z;
	__u64 v = 1000;

	(void)state;
	new_meter(&m, &z, GA_METER_COUNTER);
	assert_int_equal(ga_meter_start(&m, v, SEC), 0);
	/* at most 1 MW × 1 s in half a second */
	v += MAX_UW;
	assert_int_equal(ga_meter_read(&m, &z, v, SEC + SEC / 2), 0);
	v += MAX_UW + 1;
	assert_int_equal(ga_meter_read(&m, &z, v, 2 * SEC), -ERANGE);
	assert_non_null(strstr(z.error, "jumped"));
	assert_true(z.flags & GREENAI_F_SUSPECT);
	assert_true(z.energy_uj == MAX_UW);
	/* the jump is the new reference; 10 s allow 10 MJ */
	v += 10 * MAX_UW;
	assert_int_equal(ga_meter_read(&m, &z, v, 12 * SEC), 0);
	assert_true(z.energy_uj == 11 * MAX_UW);
	assert_true(z.power_uw == MAX_UW);
	/* a time not after the last: a second's worth at most */
	v += MAX_UW + 1;
	assert_int_equal(ga_meter_read(&m, &z, v, 12 * SEC), -ERANGE);
	assert_true(z.energy_uj == 11 * MAX_UW);
}

/* Energy never wraps: a step past 2^64 µJ is an error. */
static void energy_past_2_64_is_an_error(void **state)
{
	struct ga_meter m;
	struct ga_zone z;

	(void)state;
	new_meter(&m, &z, GA_METER_COUNTER);
	z.energy_uj = UINT64_MAX - 10;
	assert_int_equal(ga_meter_read(&m, &z, 0, SEC), 0);
	assert_int_equal(ga_meter_read(&m, &z, 10, 2 * SEC), 0);
	assert_true(z.energy_uj == UINT64_MAX);
	assert_int_equal(ga_meter_read(&m, &z, 11, 3 * SEC), -ERANGE);
	assert_true(z.energy_uj == UINT64_MAX);

	new_meter(&m, &z, GA_METER_POWER);
	z.energy_uj = UINT64_MAX - 10;
	assert_int_equal(ga_meter_read(&m, &z, 1000000, SEC), 0);
	assert_int_equal(ga_meter_read(&m, &z, 1000000, SEC + 10000), 0);
	assert_true(z.energy_uj == UINT64_MAX);
	assert_int_equal(ga_meter_read(&m, &z, 1000000, 2 * SEC), -ERANGE);
	assert_non_null(strstr(z.error, "too long"));
	assert_true(z.energy_uj == UINT64_MAX);
}

static void energy_limit(void **state)
{
	(void)state;
	/* a second at least, also when the time is unknown */
	assert_true(ga_energy_limit_uj(1000000, 0) == 1000000);
	assert_true(ga_energy_limit_uj(1000000, SEC / 2) == 1000000);
	assert_true(ga_energy_limit_uj(1000000, 3 * SEC + 1) == 3000000);
	assert_true(ga_energy_limit_uj(MAX_UW, 3600 * SEC) == 3600 * MAX_UW);
	assert_true(ga_energy_limit_uj(UINT64_MAX, 2 * SEC) == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(power_integration_is_exact_over_many_reads),
		cmocka_unit_test(power_remainder_is_carried),
		cmocka_unit_test(power_read_at_the_same_time_replaces),
		cmocka_unit_test(power_above_the_maximum_is_an_error),
		cmocka_unit_test(counter_steps_are_summed),
		cmocka_unit_test(counter_going_backwards_is_an_error),
		cmocka_unit_test(counter_jumping_is_an_error),
		cmocka_unit_test(energy_past_2_64_is_an_error),
		cmocka_unit_test(energy_limit),
	};

	return cmocka_run_group_tests_name("meter", tests, NULL, NULL);
}
