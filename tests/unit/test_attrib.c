// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the attribution core (include/greenai/attrib.c): 128-bit
 * arithmetic, RAPL units, counter wrap and carry, suspect intervals, the
 * active/idle split and exact conservation over random intervals.
 *
 * Reference values are computed here independently of the code under test:
 * products with the compiler's 128-bit multiply (never its division), and
 * expected energies worked out by hand in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <cmocka.h>

#include <greenai/attrib.h>

typedef unsigned __int128 u128;

#define U64_MAX_ (~0ULL)
#define INTEL_POWER_UNIT 0x000a0e03ULL	/* ESU 14: 61.04 µJ */
#define AMD_POWER_UNIT 0x000a1003ULL	/* ESU 16: 15.26 µJ */

/* xorshift64*: reproducible pseudo-random numbers for the property tests. */
static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static __u64 rng_below(__u64 n)
{
	return n ? rng() % n : 0;
}

/* A random value of a random magnitude: small, medium and near 2^64. */
static __u64 rng_any(void)
{
	unsigned int bits = rng_below(65);

	return bits == 64 ? rng() : rng() & ((1ULL << bits) - 1);
}

static void mul_div_exact_small(void **state)
{
	__u64 rem;

	(void)state;
	assert_int_equal(ga_mul_div(10, 3, 4), 7);
	assert_int_equal(ga_mul_div_rem(10, 3, 4, &rem), 7);
	assert_int_equal(rem, 2);
	assert_int_equal(ga_mul_div(0, 123, 7), 0);
	assert_int_equal(ga_mul_div(1000000, 512, 16384), 31250);
}

static void mul_div_near_2_64_does_not_overflow(void **state)
{
	__u64 rem;

	(void)state;
	/* (2^64-1)^2 / (2^64-1) = 2^64-1, the product needs 128 bits */
	assert_true(ga_mul_div_rem(U64_MAX_, U64_MAX_, U64_MAX_, &rem) ==
		    U64_MAX_);
	assert_int_equal(rem, 0);
	/* 2^63 * 6 / 4 = 3 * 2^62 */
	assert_true(ga_mul_div(1ULL << 63, 6, 4) == 3ULL << 62);
	/* (2^50 + 12345) × 10^6 / 2^14: a 70-bit product of RAPL counts */
	assert_true(ga_mul_div_rem((1ULL << 50) + 12345, 1000000, 1ULL << 14,
				   &rem) ==
		    (__u64)(((u128)((1ULL << 50) + 12345) * 1000000) >> 14));
	assert_true(rem == (((1ULL << 50) + 12345) * 1000000 & 0x3fff));
	/* 2^40 energy split at 2^63 / (2^64 - 1) of the weight */
	assert_true(ga_mul_div(1ULL << 40, 1ULL << 63, U64_MAX_) ==
		    (1ULL << 39));
}

static void mul_div_saturates_when_quotient_does_not_fit(void **state)
{
	__u64 rem = 99;

	(void)state;
	assert_true(ga_mul_div_rem(1ULL << 63, 4, 2, &rem) == U64_MAX_);
	assert_int_equal(rem, 0);
	assert_true(ga_mul_div(5, 7, 0) == U64_MAX_);
}

/* q × c + r == a × b and r < c, over random operands of all sizes. */
static void mul_div_random_identity(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		__u64 a = rng_any(), b = rng_any(), c = rng_any() | 1, q, r;
		u128 prod = (u128)a * b;

		q = ga_mul_div_rem(a, b, c, &r);
		if ((prod >> 64) >= c) {
			assert_true(q == U64_MAX_);
			continue;
		}
		assert_true(r < c);
		assert_true((u128)q * c + r == prod);
	}
}

static void rapl_units_from_msr_and_quirks(void **state)
{
	struct ga_unit u;

	(void)state;
	u = ga_rapl_unit(INTEL_POWER_UNIT, GA_RAPL_UNIT_MSR);
	assert_int_equal(u.num, 1000000);
	assert_int_equal(u.den, 1 << 14);
	u = ga_rapl_unit(AMD_POWER_UNIT, GA_RAPL_UNIT_MSR);
	assert_int_equal(u.den, 1 << 16);
	u = ga_rapl_unit(INTEL_POWER_UNIT, GA_RAPL_UNIT_FIXED_2_16);
	assert_int_equal(u.den, 1 << 16);
	u = ga_rapl_unit(INTEL_POWER_UNIT, GA_RAPL_UNIT_FIXED_1J);
	assert_int_equal(u.num, 1000000);
	assert_int_equal(u.den, 1);
	/* TCG and hypervisors: the MSR reads 0, the domain is absent */
	u = ga_rapl_unit(0, GA_RAPL_UNIT_MSR);
	assert_false(ga_unit_valid(u));
	assert_false(ga_unit_valid(ga_unit_esu(32)));
	assert_true(ga_unit_valid(ga_unit_uj(1)));
}

static void counter_rejects_bad_width_and_unit(void **state)
{
	struct ga_counter c;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 0, ga_unit_esu(14), 0, 0),
			 -EINVAL);
	assert_int_equal(ga_counter_init(&c, 65, ga_unit_esu(14), 0, 0),
			 -EINVAL);
	assert_int_equal(ga_counter_init(&c, 32, ga_rapl_unit(0, 0), 0, 0),
			 -EINVAL);
}

/* 0xffffff00 -> 0x00000100 is 0x200 counts across the 2^32 wrap. */
static void counter_wraps_at_2_32_unit_2_14(void **state)
{
	struct ga_counter c;
	__u64 uj;
	__u32 flags;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 32, ga_unit_esu(14), 0,
					 0xffffff00), 0);
	flags = ga_counter_update(&c, 0x100, 1000000, &uj);
	assert_true(flags & GREENAI_F_WRAPPED);
	assert_false(flags & GREENAI_F_SUSPECT);
	assert_int_equal(uj, 31250);	/* 512 × 10^6 / 16384 */
	flags = ga_counter_update(&c, 0x300, 1000000, &uj);
	assert_false(flags & GREENAI_F_WRAPPED);
	assert_int_equal(uj, 31250);
	assert_int_equal(c.total_uj, 62500);
	/* bits above the width are ignored */
	flags = ga_counter_update(&c, 0xabcd00000500ULL, 1000000, &uj);
	assert_int_equal(uj, 31250);
}

/* 2^-16 J: 512 counts are 7812.5 µJ; the half is carried, not dropped. */
static void counter_wraps_at_2_32_unit_2_16_and_carries(void **state)
{
	struct ga_counter c;
	__u64 uj;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 32, ga_unit_esu(16), 0,
					 0xffffff00), 0);
	assert_true(ga_counter_update(&c, 0x100, 1000, &uj) &
		    GREENAI_F_WRAPPED);
	assert_int_equal(uj, 7812);
	ga_counter_update(&c, 0x300, 1000, &uj);
	assert_int_equal(uj, 7813);
	assert_int_equal(c.total_uj, 15625);	/* 1024 × 10^6 / 65536 */
}

/* Σ deltas == floor(Σ counts × unit) over many random readings. */
static void counter_carry_is_exact_over_many_readings(void **state)
{
	struct ga_counter c;
	__u64 raw = 0x12345678, counts = 0, uj, sum = 0;
	int i;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 32, ga_unit_esu(16), 0, raw), 0);
	for (i = 0; i < 100000; i++) {
		__u64 step = rng_below(1ULL << 31);

		raw = (raw + step) & 0xffffffff;
		counts += step;
		ga_counter_update(&c, raw, 1000, &uj);
		sum += uj;
	}
	assert_true(sum == (__u64)(((u128)counts * 1000000) >> 16));
	assert_true(sum == c.total_uj);
}

/*
 * 2^32 counts of 2^-14 J are 262144 J; at 200 W the counter wraps in
 * 1310.72 s at the soonest. A longer interval may hide a second wrap.
 */
static void counter_flags_interval_that_can_hide_a_wrap(void **state)
{
	struct ga_counter c;
	__u64 uj;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 32, ga_unit_esu(14), 200000000,
					 0), 0);
	assert_int_equal(ga_counter_range_uj(&c), 262144000000ULL);
	assert_int_equal(c.wrap_ns, 1310720000000ULL);
	assert_int_equal(ga_counter_sample_period_ns(&c), 655360000000ULL);
	assert_false(ga_counter_update(&c, 1000, 1000ULL * 1000000000,
				       &uj) & GREENAI_F_SUSPECT);
	assert_true(ga_counter_update(&c, 2000, 1400ULL * 1000000000,
				      &uj) & GREENAI_F_SUSPECT);
	/* unknown maximum power: never flagged, no sampling bound */
	assert_int_equal(ga_counter_init(&c, 32, ga_unit_esu(14), 0, 0), 0);
	assert_int_equal(ga_counter_sample_period_ns(&c), 0);
	assert_false(ga_counter_update(&c, 1, ~0ULL, &uj) & GREENAI_F_SUSPECT);
}

static void counter_64_bit_uj_never_wraps(void **state)
{
	struct ga_counter c;
	__u64 uj;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 64, ga_unit_uj(1), 1000000000,
					 ~0ULL - 5), 0);
	assert_int_equal(ga_counter_range_uj(&c), 0);
	assert_int_equal(ga_counter_update(&c, 4, 1000, &uj),
			 GREENAI_F_WRAPPED);
	assert_int_equal(uj, 10);
}

/* Today's split, kept as the "busy" policy: idle by utilisation, by weight */
static const struct ga_idle_policy busy_util = {
	GREENAI_IDLE_BUSY, GREENAI_BASIS_UTIL, 0
};

static void split_one_task_gets_everything(void **state)
{
	struct ga_interval iv;
	struct greenai_energy e;

	(void)state;
	/* 2 CPUs × 100 ms, the task ran 50 ms: utilisation 1/4 */
	ga_interval_begin(&iv, &busy_util, 1000003, 100000000, 200000000,
			  50000000, 50000000);
	assert_int_equal(iv.active_uj, 250000);	/* floor(1000003 / 4) */
	assert_int_equal(iv.idle_uj, 750003);
	ga_interval_charge(&iv, 50000000, 50000000, &e);
	assert_int_equal(e.active_uj, 250000);
	assert_int_equal(e.idle_uj, 750003);
	assert_int_equal(ga_interval_unattributed(&iv), 0);
	assert_int_equal(ga_interval_node_idle(&iv), 0);
}

static void split_many_tasks_shares_in_proportion(void **state)
{
	static const __u64 w[] = { 1, 2, 3, 4 };
	struct ga_interval iv;
	struct greenai_energy e[4];
	__u64 act = 0, idle = 0;
	int i;

	(void)state;
	/* fully busy: everything is active, shares 1:2:3:4 of 1000 µJ */
	ga_interval_begin(&iv, &busy_util, 1000, 10, 10, 10, 10);
	for (i = 0; i < 4; i++) {
		ga_interval_charge(&iv, w[i], w[i], &e[i]);
		act += e[i].active_uj;
		idle += e[i].idle_uj;
	}
	assert_int_equal(e[0].active_uj, 100);
	assert_int_equal(e[1].active_uj, 200);
	assert_int_equal(e[2].active_uj, 300);
	assert_int_equal(e[3].active_uj, 400);
	assert_int_equal(act, 1000);
	assert_int_equal(idle, 0);

	/* 10 µJ over three equal tasks: 3, 3, 4 with the carry, never 9 */
	ga_interval_begin(&iv, &busy_util, 10, 3, 3, 3, 3);
	ga_interval_charge(&iv, 1, 1, &e[0]);
	ga_interval_charge(&iv, 1, 1, &e[1]);
	ga_interval_charge(&iv, 1, 1, &e[2]);
	assert_int_equal(e[0].active_uj, 3);
	assert_int_equal(e[1].active_uj, 3);
	assert_int_equal(e[2].active_uj, 4);
}

static void split_zero_busy_time_leaves_all_with_the_node(void **state)
{
	struct ga_interval iv;
	struct greenai_energy e;

	(void)state;
	/* tasks were seen but none ran: all idle, the node's */
	ga_interval_begin(&iv, &busy_util, 5000, 100, 200, 0, 0);
	ga_interval_charge(&iv, 0, 0, &e);
	assert_int_equal(e.active_uj, 0);
	assert_int_equal(e.idle_uj, 0);
	assert_int_equal(ga_interval_node_idle(&iv), 5000);
	assert_int_equal(ga_interval_unattributed(&iv), 0);
}

static void split_fixed_idle_power(void **state)
{
	struct ga_idle_policy fixed = {
		GREENAI_IDLE_BUSY, GREENAI_BASIS_FIXED, 20000000
	};
	struct ga_interval iv;
	struct greenai_energy a, b;

	(void)state;
	/* fixed idle power 20 W over 1 s: 20 J idle, 5 J active */
	ga_interval_begin(&iv, &fixed, 25000000, 1000000000, 4000000000ULL,
			  300000000, 300000000);
	assert_int_equal(iv.idle_uj, 20000000);
	assert_int_equal(iv.active_uj, 5000000);
	ga_interval_charge(&iv, 100000000, 100000000, &a);
	ga_interval_charge(&iv, 200000000, 200000000, &b);
	assert_int_equal(a.idle_uj + b.idle_uj, 20000000);
	assert_int_equal(a.active_uj, 1666666);	/* floor(5 J / 3) */
	assert_int_equal(b.active_uj, 3333334);	/* the carry lands here */
	assert_int_equal(ga_interval_unattributed(&iv), 0);

	/* idle power above what was measured: idle is capped at the energy */
	ga_interval_begin(&iv, &fixed, 1000, 1000000000, 1000000000, 0, 0);
	assert_int_equal(iv.idle_uj, 1000);
	assert_int_equal(iv.active_uj, 0);

	/* below it, with nobody running: active, but nobody to take it */
	ga_interval_begin(&iv, &fixed, 30000000, 1000000000, 1000000000, 0, 0);
	assert_int_equal(ga_interval_node_idle(&iv), 20000000);
	assert_int_equal(ga_interval_unattributed(&iv), 10000000);
}

/*
 * The default: a task's idle share is its run time over the capacity,
 * whatever else ran. 10 W idle, 2 CPUs, 500 ms: 1 ms of work gets
 * 5 J × 1 ms / 1 s = 5 mJ of idle, with 1 ms of neighbours or 99.
 */
static void split_capacity_share_does_not_depend_on_neighbours(void **state)
{
	struct ga_idle_policy cap = {
		GREENAI_IDLE_CAPACITY, GREENAI_BASIS_FIXED, 10000000
	};
	struct ga_idle_policy busy = cap;
	static const __u64 neighbours_ms[] = { 1, 99 };
	struct greenai_energy me, them;
	struct ga_interval iv;
	__u64 busy_idle[2];
	int i;

	(void)state;
	busy.share = GREENAI_IDLE_BUSY;
	for (i = 0; i < 2; i++) {
		__u64 n = neighbours_ms[i] * 1000000, b = 1000000 + n;
		/* 10 W idle, and 15 W per busy CPU: energy of the interval */
		__u64 energy = 5000000 + b * 15 / 1000;

		ga_interval_begin(&iv, &cap, energy, 500000000, 1000000000, b,
				  b);
		ga_interval_charge(&iv, 1000000, 1000000, &me);
		ga_interval_charge(&iv, n, n, &them);
		assert_int_equal(me.active_uj, 15000);	/* 15 W × 1 ms */
		assert_int_equal(me.idle_uj, 5000);	/* 5 J × 1/1000 */
		assert_int_equal(me.active_uj + me.idle_uj + them.active_uj +
				 them.idle_uj + ga_interval_node_idle(&iv) +
				 ga_interval_unattributed(&iv), energy);
		assert_int_equal(ga_interval_node_idle(&iv),
				 5000000 - 5000 - them.idle_uj);

		ga_interval_begin(&iv, &busy, energy, 500000000, 1000000000, b,
				  b);
		ga_interval_charge(&iv, 1000000, 1000000, &me);
		ga_interval_charge(&iv, n, n, &them);
		busy_idle[i] = me.idle_uj;
	}
	/* by busy time, the same millisecond got 2.5 J, then 50 mJ */
	assert_int_equal(busy_idle[0], 2500000);
	assert_int_equal(busy_idle[1], 50000);
}

static void split_none_gives_active_only(void **state)
{
	struct ga_idle_policy none = {
		GREENAI_IDLE_NONE, GREENAI_BASIS_FIXED, 10000000
	};
	struct ga_interval iv;
	struct greenai_energy e;

	(void)state;
	ga_interval_begin(&iv, &none, 3000000, 100000000, 200000000, 100000000,
			  100000000);
	ga_interval_charge(&iv, 100000000, 100000000, &e);
	assert_int_equal(e.active_uj, 2000000);
	assert_int_equal(e.idle_uj, 0);
	assert_int_equal(ga_interval_node_idle(&iv), 1000000);
}

/* The weight shares active energy; run time alone shares capacity's idle. */
static void split_capacity_idle_goes_by_run_time_not_weight(void **state)
{
	struct ga_idle_policy cap = {
		GREENAI_IDLE_CAPACITY, GREENAI_BASIS_FIXED, 1000000
	};
	struct ga_interval iv;
	struct greenai_energy a, b;

	(void)state;
	/* 1 CPU, 1 s, 1 W idle, 5 J: two tasks of 0.5 s, cycles 3:1 */
	ga_interval_begin(&iv, &cap, 5000000, 1000000000, 1000000000,
			  1000000000, 4000);
	ga_interval_charge(&iv, 3000, 500000000, &a);
	ga_interval_charge(&iv, 1000, 500000000, &b);
	assert_int_equal(a.active_uj, 3000000);
	assert_int_equal(b.active_uj, 1000000);
	assert_int_equal(a.idle_uj, 500000);
	assert_int_equal(b.idle_uj, 500000);
}

static void idle_names_and_parse(void **state)
{
	__u32 share = 99;

	(void)state;
	assert_string_equal(ga_idle_share_name(GREENAI_IDLE_CAPACITY),
			    "capacity");
	assert_string_equal(ga_idle_share_name(GREENAI_IDLE_BUSY), "busy");
	assert_string_equal(ga_idle_share_name(GREENAI_IDLE_NONE), "none");
	assert_string_equal(ga_idle_share_name(3), "?");
	assert_string_equal(ga_idle_basis_name(GREENAI_BASIS_CALIBRATED),
			    "calibrated");
	assert_string_equal(ga_idle_basis_name(GREENAI_BASIS_UTIL),
			    "utilisation");
	assert_string_equal(ga_idle_basis_name(4), "?");
	assert_int_equal(ga_idle_share_parse("none", &share), 0);
	assert_int_equal(share, GREENAI_IDLE_NONE);
	assert_int_equal(ga_idle_share_parse("Busy", &share), -EINVAL);
	assert_int_equal(ga_idle_share_parse("", &share), -EINVAL);
	assert_int_equal(share, GREENAI_IDLE_NONE);
}

/* 100 ms intervals of a domain at @util_ppm, @uw: into the calibration */
static void cal_feed(struct ga_idle_cal *c, int n, __u64 util_ppm, __u64 uw)
{
	while (n--)
		ga_idle_cal_add(c, uw / 10, 100000000, util_ppm * 200,
				200000000);
}

static void calibration_learns_the_low_end_at_low_utilisation(void **state)
{
	struct ga_idle_cal c = { 0 };
	__u64 uw = 0;

	(void)state;
	assert_false(ga_idle_cal_get(&c, &uw));
	/* busy intervals teach nothing, however low their power */
	cal_feed(&c, 100, 500000, 1000000);
	assert_false(ga_idle_cal_get(&c, &uw));
	/* too short an interval: nothing either */
	ga_idle_cal_add(&c, 1, 1000000, 0, 2000000);
	assert_int_equal(c.seen, 0);
	/* 15 quiet ones: not yet a block */
	cal_feed(&c, 15, 20000, 12000000);
	assert_false(ga_idle_cal_get(&c, &uw));
	cal_feed(&c, 1, 50000, 11000000);
	assert_true(ga_idle_cal_get(&c, &uw));
	assert_int_equal(uw, 11000000);
	/* a lower one in the block being filled counts at once */
	cal_feed(&c, 1, 0, 10000000);
	assert_true(ga_idle_cal_get(&c, &uw));
	assert_int_equal(uw, 10000000);
	/* after eight more blocks above it, the window has moved on */
	cal_feed(&c, 15 + GA_CAL_BLOCKS * GA_CAL_BLOCK, 0, 13000000);
	assert_true(ga_idle_cal_get(&c, &uw));
	assert_int_equal(uw, 13000000);
}

static void resolve_takes_the_first_estimate_that_applies(void **state)
{
	const __u64 model = 9000000, zero = 0;
	struct ga_idle_cal c = { 0 };
	struct ga_idle_policy p;

	(void)state;
	ga_idle_resolve(&p, GREENAI_IDLE_CAPACITY, false, 0, NULL, &c);
	assert_int_equal(p.basis, GREENAI_BASIS_UTIL);
	assert_int_equal(p.idle_power_uw, 0);
	cal_feed(&c, GA_CAL_BLOCK, 0, 7000000);
	ga_idle_resolve(&p, GREENAI_IDLE_NONE, false, 0, NULL, &c);
	assert_int_equal(p.share, GREENAI_IDLE_NONE);
	assert_int_equal(p.basis, GREENAI_BASIS_CALIBRATED);
	assert_int_equal(p.idle_power_uw, 7000000);
	ga_idle_resolve(&p, GREENAI_IDLE_CAPACITY, false, 0, &model, &c);
	assert_int_equal(p.basis, GREENAI_BASIS_MODEL);
	assert_int_equal(p.idle_power_uw, 9000000);
	/* a model that idles at 0 W is still the model's figure */
	ga_idle_resolve(&p, GREENAI_IDLE_CAPACITY, false, 0, &zero, &c);
	assert_int_equal(p.basis, GREENAI_BASIS_MODEL);
	assert_int_equal(p.idle_power_uw, 0);
	ga_idle_resolve(&p, GREENAI_IDLE_CAPACITY, false, 5000000, &model,
			&c);
	assert_int_equal(p.basis, GREENAI_BASIS_FIXED);
	assert_int_equal(p.idle_power_uw, 5000000);
	ga_idle_resolve(&p, GREENAI_IDLE_BUSY, true, 5000000, &model, &c);
	assert_int_equal(p.basis, GREENAI_BASIS_UTIL);
}

static void split_busy_above_capacity_is_clamped_and_flagged(void **state)
{
	struct ga_interval iv;

	(void)state;
	ga_interval_begin(&iv, &busy_util, 1000, 100, 100, 150, 150);
	assert_true(iv.flags & GREENAI_F_CLAMPED);
	assert_int_equal(iv.active_uj, 1000);
	assert_int_equal(iv.idle_uj, 0);
}

static void split_weights_above_total_are_clamped(void **state)
{
	struct ga_split s;

	(void)state;
	ga_split_init(&s, 100, 10);
	assert_int_equal(ga_split_take(&s, 7), 70);
	assert_int_equal(ga_split_take(&s, 7), 30);
	assert_int_equal(ga_split_take(&s, 7), 0);
	assert_int_equal(ga_split_left(&s), 0);
}

/*
 * 10^6 random intervals with random task sets, every share and basis:
 * the shares, the node's idle and the unattributed add up to the domain's
 * energy to the µJ, every share is within 1 µJ of its exact value, and
 * active + idle == energy.
 */
static void conservation_over_a_million_random_intervals(void **state)
{
	struct greenai_energy e;
	struct ga_interval iv;
	__u64 w[64], run[64];
	int i, t;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		unsigned int nr_tasks = rng_below(65), nr_cpus = 1 + rng_below(256);
		__u64 energy = rng_below(2) ? rng_below(1ULL << 40) : rng_any();
		__u64 elapsed = 1 + rng_below(10000000000ULL);
		__u64 capacity = elapsed * nr_cpus, total = 0, busy = 0;
		__u64 act = 0, idle = 0, unattr, node, idle_total;
		bool cycles = rng_below(2);
		struct ga_idle_policy pol = {
			.share = rng_below(3),
			.basis = rng_below(4),
			.idle_power_uw = rng_below(500000000),
		};

		for (t = 0; t < (int)nr_tasks; t++) {
			run[t] = rng_below(4) ? rng_below(elapsed) : 0;
			/* cycles: any weight, though none without run time */
			w[t] = cycles && run[t] ? rng_below(1ULL << 40) : run[t];
			total += w[t];
			busy += run[t];
		}
		ga_interval_begin(&iv, &pol, energy, elapsed, capacity, busy,
				  total);
		assert_true(iv.active_uj + iv.idle_uj == energy);
		idle_total = pol.share == GREENAI_IDLE_BUSY ? total :
			     pol.share == GREENAI_IDLE_NONE ? 0 : capacity;
		for (t = 0; t < (int)nr_tasks; t++) {
			__u64 iw = pol.share == GREENAI_IDLE_BUSY ? w[t] : run[t];
			u128 exact_a = (u128)iv.active_uj * w[t];
			u128 exact_i = (u128)iv.idle_uj * iw;

			ga_interval_charge(&iv, w[t], run[t], &e);
			if (!total)
				assert_true(e.active_uj == 0);
			else {
				/* |share × total - energy × weight| < total */
				assert_true((u128)(e.active_uj + 1) * total >
					    exact_a);
				assert_true((u128)e.active_uj * total <
					    exact_a + total);
			}
			if (!idle_total)
				assert_true(e.idle_uj == 0);
			else if (busy <= capacity) {
				assert_true((u128)(e.idle_uj + 1) * idle_total >
					    exact_i);
				assert_true((u128)e.idle_uj * idle_total <
					    exact_i + idle_total);
			}
			act += e.active_uj;
			idle += e.idle_uj;
		}
		unattr = ga_interval_unattributed(&iv);
		node = ga_interval_node_idle(&iv);
		assert_true(act + idle + unattr + node == energy);
		assert_true(unattr == (total ? 0 : iv.active_uj));
		if (pol.share == GREENAI_IDLE_BUSY && total)
			assert_true(node == 0);
		if (pol.share == GREENAI_IDLE_NONE)
			assert_true(node == iv.idle_uj);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mul_div_exact_small),
		cmocka_unit_test(mul_div_near_2_64_does_not_overflow),
		cmocka_unit_test(mul_div_saturates_when_quotient_does_not_fit),
		cmocka_unit_test(mul_div_random_identity),
		cmocka_unit_test(rapl_units_from_msr_and_quirks),
		cmocka_unit_test(counter_rejects_bad_width_and_unit),
		cmocka_unit_test(counter_wraps_at_2_32_unit_2_14),
		cmocka_unit_test(counter_wraps_at_2_32_unit_2_16_and_carries),
		cmocka_unit_test(counter_carry_is_exact_over_many_readings),
		cmocka_unit_test(counter_flags_interval_that_can_hide_a_wrap),
		cmocka_unit_test(counter_64_bit_uj_never_wraps),
		cmocka_unit_test(split_one_task_gets_everything),
		cmocka_unit_test(split_many_tasks_shares_in_proportion),
		cmocka_unit_test(split_zero_busy_time_leaves_all_with_the_node),
		cmocka_unit_test(split_fixed_idle_power),
		cmocka_unit_test(split_capacity_share_does_not_depend_on_neighbours),
		cmocka_unit_test(split_none_gives_active_only),
		cmocka_unit_test(split_capacity_idle_goes_by_run_time_not_weight),
		cmocka_unit_test(idle_names_and_parse),
		cmocka_unit_test(calibration_learns_the_low_end_at_low_utilisation),
		cmocka_unit_test(resolve_takes_the_first_estimate_that_applies),
		cmocka_unit_test(split_busy_above_capacity_is_clamped_and_flagged),
		cmocka_unit_test(split_weights_above_total_are_clamped),
		cmocka_unit_test(conservation_over_a_million_random_intervals),
	};

	return cmocka_run_group_tests_name("attrib", tests, NULL, NULL);
}
