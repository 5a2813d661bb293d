// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the RAPL register map (include/greenai/rapl.c) and of the
 * RAPL path through the counter code on recorded reading sequences: which
 * MSRs each CPU family has and with which unit quirk, the presence rule,
 * and whole sequences of 32-bit readings (with wraps, a fixed-unit DRAM
 * counter and a gap too long to trust) turned into energy.
 *
 * Expected values are worked out independently: in the comments by hand,
 * or from the unwrapped 64-bit count with the compiler's 128-bit multiply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <cmocka.h>

#include <greenai/rapl.h>

typedef unsigned __int128 u128;

#define SKX_POWER_UNIT	0x000a0e03ULL	/* ESU 14, as Skylake-SP reports */
#define ZEN_POWER_UNIT	0x000a1003ULL	/* ESU 16, as Zen reports */

static const struct ga_rapl_reg *find_reg(const struct ga_rapl_map *map,
					  __u16 kind)
{
	unsigned int i;

	for (i = 0; i < map->nr_regs; i++)
		if (map->regs[i].kind == kind)
			return &map->regs[i];
	return NULL;
}

static void intel_client_has_five_registers_without_quirks(void **state)
{
	struct ga_rapl_map map;

	(void)state;
	/* Tiger Lake (6, 0x8c) */
	assert_int_equal(ga_rapl_map(GA_CPU_INTEL, 6, 0x8c, &map), 0);
	assert_int_equal(map.unit_msr, 0x606);
	assert_int_equal(map.nr_regs, 5);
	assert_int_equal(map.regs[0].msr, 0x611);
	assert_int_equal(map.regs[0].kind, GREENAI_DOM_PACKAGE);
	assert_int_equal(find_reg(&map, GREENAI_DOM_CORE)->msr, 0x639);
	assert_int_equal(find_reg(&map, GREENAI_DOM_UNCORE)->msr, 0x641);
	assert_int_equal(find_reg(&map, GREENAI_DOM_DRAM)->msr, 0x619);
	assert_int_equal(find_reg(&map, GREENAI_DOM_PSYS)->msr, 0x64d);
	for (unsigned int i = 0; i < map.nr_regs; i++) {
		assert_int_equal(map.regs[i].quirk, GA_RAPL_UNIT_MSR);
		/* PSys is the platform's: every CPU of every package */
		assert_int_equal(map.regs[i].scope,
				 map.regs[i].kind == GREENAI_DOM_PSYS ?
					 GA_RAPL_SCOPE_PLATFORM :
					 GA_RAPL_SCOPE_PACKAGE);
	}
}

static void intel_servers_from_haswell_ep_have_dram_in_2_16(void **state)
{
	/* HSX, BDX, BDX-DE, SKX, ICX, ICX-D, KNL, KNM */
	static const unsigned int models[] = {
		0x3f, 0x4f, 0x56, 0x55, 0x6a, 0x6c, 0x57, 0x85,
	};
	struct ga_rapl_map map;
	struct ga_unit u;

	(void)state;
	for (unsigned int i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		assert_int_equal(ga_rapl_map(GA_CPU_INTEL, 6, models[i], &map),
				 0);
		assert_int_equal(find_reg(&map, GREENAI_DOM_DRAM)->quirk,
				 GA_RAPL_UNIT_FIXED_2_16);
		assert_int_equal(find_reg(&map, GREENAI_DOM_PACKAGE)->quirk,
				 GA_RAPL_UNIT_MSR);
		assert_int_equal(find_reg(&map, GREENAI_DOM_PSYS)->quirk,
				 GA_RAPL_UNIT_MSR);
	}
	/* the MSR says 2^-14 J; DRAM counts in 2^-16 J = 15.2587890625 µJ */
	u = ga_rapl_unit(SKX_POWER_UNIT, GA_RAPL_UNIT_FIXED_2_16);
	assert_true((u128)u.num * 65536 == (u128)1000000 * u.den);
	/* Haswell client (0x3c) is not a server: DRAM from the MSR */
	assert_int_equal(ga_rapl_map(GA_CPU_INTEL, 6, 0x3c, &map), 0);
	assert_int_equal(find_reg(&map, GREENAI_DOM_DRAM)->quirk,
			 GA_RAPL_UNIT_MSR);
}

static void sapphire_and_emerald_rapids_have_psys_in_joules(void **state)
{
	static const unsigned int models[] = { 0x8f, 0xcf };
	struct ga_rapl_map map;
	struct ga_unit u;

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(ga_rapl_map(GA_CPU_INTEL, 6, models[i], &map),
				 0);
		assert_int_equal(find_reg(&map, GREENAI_DOM_PSYS)->quirk,
				 GA_RAPL_UNIT_FIXED_1J);
		assert_int_equal(find_reg(&map, GREENAI_DOM_DRAM)->quirk,
				 GA_RAPL_UNIT_MSR);
	}
	u = ga_rapl_unit(SKX_POWER_UNIT, GA_RAPL_UNIT_FIXED_1J);
	assert_true((u128)u.num == (u128)1000000 * u.den);
}

static void amd_and_hygon_have_package_and_per_core_counters(void **state)
{
	struct ga_rapl_map map;
	const struct ga_rapl_reg *core;

	(void)state;
	assert_int_equal(ga_rapl_map(GA_CPU_AMD, 0x19, 0x11, &map), 0);
	assert_int_equal(map.unit_msr, 0xc0010299);
	assert_int_equal(map.nr_regs, 2);
	assert_int_equal(map.regs[0].msr, 0xc001029b);
	assert_int_equal(map.regs[0].kind, GREENAI_DOM_PACKAGE);
	assert_int_equal(map.regs[0].scope, GA_RAPL_SCOPE_PACKAGE);
	core = find_reg(&map, GREENAI_DOM_CORE);
	assert_non_null(core);
	assert_int_equal(core->msr, 0xc001029a);
	/* read once per physical core, not per hardware thread */
	assert_int_equal(core->scope, GA_RAPL_SCOPE_CORE);
	assert_int_equal(ga_rapl_map(GA_CPU_AMD, 0x17, 0x31, &map), 0);
	assert_int_equal(ga_rapl_map(GA_CPU_HYGON, 0x18, 0x0, &map), 0);
	assert_int_equal(map.nr_regs, 2);
}

static void cpus_without_rapl_msrs_have_no_map(void **state)
{
	struct ga_rapl_map map;

	(void)state;
	/* Bulldozer (15h) predates the RAPL MSRs; so do NetBurst parts */
	assert_int_equal(ga_rapl_map(GA_CPU_AMD, 0x15, 0x02, &map), -ENODEV);
	assert_int_equal(map.nr_regs, 0);
	assert_int_equal(ga_rapl_map(GA_CPU_INTEL, 15, 0x06, &map), -ENODEV);
	assert_int_equal(ga_rapl_map(GA_CPU_OTHER, 6, 0x0f, &map), -ENODEV);
}

static void absent_when_faulting_zero_or_without_unit(void **state)
{
	(void)state;
	assert_true(ga_rapl_present(0, SKX_POWER_UNIT, 0x1234));
	/* rdmsrl_safe faulted */
	assert_false(ga_rapl_present(-EIO, SKX_POWER_UNIT, 0x1234));
	/* TCG and hypervisors: the reads succeed and return 0 */
	assert_false(ga_rapl_present(0, 0, 0));
	assert_false(ga_rapl_present(0, 0, 0x1234));
	assert_false(ga_rapl_present(0, SKX_POWER_UNIT, 0));
	/* only the 32 counter bits count */
	assert_false(ga_rapl_present(0, SKX_POWER_UNIT, 0xffff00000000ULL));
}

/*
 * A recorded sequence: readings of one 32-bit counter, the time each was
 * taken (ms since the first) and the unit register. Energy expected is
 * the unwrapped count times the unit, computed here from the readings
 * with 128-bit arithmetic, not by the code under test.
 */
struct reading {
	__u64 t_ms;
	__u32 raw;
};

static __u64 replay(const struct reading *r, unsigned int n,
		    struct ga_unit unit, __u32 *flags_out, __u64 *counts_out)
{
	struct ga_counter c;
	__u64 counts = 0, uj, sum = 0;
	__u32 flags = 0;

	assert_int_equal(ga_counter_init(&c, 32, unit, GA_RAPL_MAX_POWER_UW,
					 r[0].raw), 0);
	for (unsigned int i = 1; i < n; i++) {
		flags |= ga_counter_update(&c, r[i].raw,
					   (r[i].t_ms - r[i - 1].t_ms) *
						   1000000ULL, &uj);
		counts += (__u32)(r[i].raw - r[i - 1].raw);
		sum += uj;
	}
	assert_int_equal(sum, c.total_uj);
	*flags_out = flags;
	*counts_out = counts;
	return sum;
}

static void skx_package_and_dram_sequence_across_wraps(void **state)
{
	/* package at ~180 W in 2^-14 J: 2.95 M counts/s, read every 100 ms */
	static const struct reading pkg[] = {
		{ 0, 0xfffb0000 }, { 100, 0xffff84b0 },
		{ 200, 0x00040190 }, { 300, 0x00088dac },
		{ 400, 0x000d03e8 }, { 500, 0x00118578 },
	};
	/* its DRAM at ~30 W in 2^-16 J: 1.97 M counts/s, same instants */
	static const struct reading dram[] = {
		{ 0, 0xfffc0000 }, { 100, 0x0002c1e0 },
		{ 200, 0x0005a3c1 }, { 300, 0x00087fa0 },
		{ 400, 0x000b6042 }, { 500, 0x000e4011 },
	};
	struct ga_rapl_map map;
	__u64 uj, counts;
	__u32 flags;

	(void)state;
	assert_int_equal(ga_rapl_map(GA_CPU_INTEL, 6, 0x55, &map), 0);

	uj = replay(pkg, 6, ga_rapl_unit(SKX_POWER_UNIT,
					 find_reg(&map, GREENAI_DOM_PACKAGE)->quirk),
		    &flags, &counts);
	assert_int_equal(counts, 0x00118578ULL + 0x100000000ULL - 0xfffb0000);
	assert_true((u128)uj == (u128)counts * 1000000 / 16384);
	assert_true(flags & GREENAI_F_WRAPPED);
	assert_false(flags & GREENAI_F_SUSPECT);
	/* 1 475 960 counts × 61.035 µJ = 90.09 J in 0.5 s: 180 W */
	assert_in_range(uj, 90080000, 90090000);

	uj = replay(dram, 6, ga_rapl_unit(SKX_POWER_UNIT,
					  find_reg(&map, GREENAI_DOM_DRAM)->quirk),
		    &flags, &counts);
	assert_true((u128)uj == (u128)counts * 1000000 / 65536);
	assert_true(flags & GREENAI_F_WRAPPED);
	/* 1 196 049 counts × 15.26 µJ = 18.25 J in 0.5 s: 36.5 W, not 146 W */
	assert_in_range(uj, 18250000, 18251000);
}

static void zen_package_sequence_with_a_gap_too_long_is_suspect(void **state)
{
	/*
	 * ESU 16: the counter spans 65 536 J, 65.5 s at the 1 kW ceiling.
	 * The third reading comes 70 s after the second: a second wrap
	 * could hide in it, so the result is flagged, not trusted.
	 */
	static const struct reading seq[] = {
		{ 0, 0x10000000 }, { 1000, 0x10640000 },
		{ 71000, 0x2e000000 }, { 71100, 0x2e0a0000 },
	};
	struct ga_counter c;
	__u64 uj, counts;
	__u32 flags;

	(void)state;
	uj = replay(seq, 4, ga_rapl_unit(ZEN_POWER_UNIT, GA_RAPL_UNIT_MSR),
		    &flags, &counts);
	assert_true(flags & GREENAI_F_SUSPECT);
	assert_true((u128)uj == (u128)counts * 1000000 / 65536);

	assert_int_equal(ga_counter_init(&c, 32, ga_rapl_unit(ZEN_POWER_UNIT,
							      GA_RAPL_UNIT_MSR),
					 GA_RAPL_MAX_POWER_UW, 0), 0);
	/* 2^32 × 2^-16 J / 1 kW = 65.536 s; read at least every 32.768 s */
	assert_int_equal(c.wrap_ns, 65536000000ULL);
	assert_int_equal(ga_counter_sample_period_ns(&c), 32768000000ULL);
}

/*
 * A counter with a fine unit wraps within any interval greenai allows
 * (10 ms .. 10 s): read at its sample period, as the module's poll does,
 * it never looks suspect and loses nothing, however often it wraps.
 */
static void fine_unit_read_at_the_sample_period_keeps_every_wrap(void **state)
{
	struct ga_unit unit = ga_unit_esu(24);	/* 0.0596 µJ: 256 J range */
	struct ga_counter c;
	__u64 period, t = 0, count64 = 0x12345678, uj, sum = 0;
	__u32 flags = 0;
	int i;

	(void)state;
	assert_int_equal(ga_counter_init(&c, 32, unit, GA_RAPL_MAX_POWER_UW,
					 count64), 0);
	period = ga_counter_sample_period_ns(&c);
	assert_int_equal(period, 128000000ULL);	/* 256 J / 1 kW / 2 */
	for (i = 0; i < 200; i++) {
		/* 900 W, just under the ceiling: 1.5e10 counts/s */
		__u64 counts = (__u64)((u128)900 * period * (1ULL << 24) /
				       1000000000ULL);

		t += period;
		count64 += counts;
		flags |= ga_counter_update(&c, count64, period, &uj);
		sum += uj;
	}
	assert_true(flags & GREENAI_F_WRAPPED);
	assert_false(flags & GREENAI_F_SUSPECT);
	/* 200 × 128 ms at 900 W = 23 040 J, to the µJ of the counts */
	assert_true((u128)sum == (u128)(count64 - 0x12345678) * 1000000 >> 24);
	assert_in_range(sum, 23039000000ULL, 23041000000ULL);
	assert_int_equal(t, 25600000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intel_client_has_five_registers_without_quirks),
		cmocka_unit_test(intel_servers_from_haswell_ep_have_dram_in_2_16),
		cmocka_unit_test(sapphire_and_emerald_rapids_have_psys_in_joules),
		cmocka_unit_test(amd_and_hygon_have_package_and_per_core_counters),
		cmocka_unit_test(cpus_without_rapl_msrs_have_no_map),
		cmocka_unit_test(absent_when_faulting_zero_or_without_unit),
		cmocka_unit_test(skx_package_and_dram_sequence_across_wraps),
		cmocka_unit_test(zen_package_sequence_with_a_gap_too_long_is_suspect),
		cmocka_unit_test(fine_unit_read_at_the_sample_period_keeps_every_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
