/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * greenai attribution core: the one integer algorithm that turns energy
 * counters and run times into per-task energy, used by the kernel module
 * and by libgreenai alike (attrib.c is compiled as both).
 *
 * Pure code: integer arithmetic only, no I/O, no allocation, no locking
 * (callers serialise access to each structure), no floating point.
 *
 * Units: energy in µJ, time in ns, power in µW. A hardware count is worth
 * unit.num / unit.den µJ (RAPL: 10^6 / 2^ESU).
 *
 * The contract (docs/design.md, "The attribution contract"):
 * - a counter delta is corrected for the hardware wrap of its width, and an
 *   interval long enough to hide a second wrap is flagged GREENAI_F_SUSPECT;
 * - the sub-µJ remainder of each count-to-µJ conversion is carried to the
 *   next delta, so Σ deltas == floor(Σ counts × unit) exactly;
 * - a domain's energy is split into active and idle parts (struct
 *   ga_idle_policy); the active part is shared over the tasks in
 *   proportion to their weight (run time, or cycles), the idle part by the
 *   policy's share; cumulative rounding: each share is within 1 µJ of the
 *   exact quotient and Σ shares + node idle + unattributed == energy to
 *   the µJ.
 */
#ifndef _GREENAI_ATTRIB_H
#define _GREENAI_ATTRIB_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <linux/types.h>
#endif

#include <uapi/greenai.h>

#define GA_NSEC_PER_SEC		1000000000ULL
#define GA_UJ_PER_J		1000000ULL

/* RAPL power-unit registers: ESU (energy status unit) in bits 12:8. */
#define GA_MSR_INTEL_RAPL_POWER_UNIT	0x606
#define GA_MSR_AMD_RAPL_POWER_UNIT	0xc0010299
#define GA_RAPL_ESU_SHIFT		8
#define GA_RAPL_ESU_MASK		0x1f
#define GA_RAPL_COUNTER_BITS		32

/**
 * enum ga_rapl_quirk - where a RAPL domain takes its energy unit from
 * @GA_RAPL_UNIT_MSR: the ESU field of the power-unit MSR (the normal case)
 * @GA_RAPL_UNIT_FIXED_2_16: 2^-16 J (15.3 µJ), DRAM on Haswell-EP and the
 *	server parts after it, whatever the MSR says (Xeon E5 v3 datasheet,
 *	vol. 2; arch/x86/events/rapl.c RAPL_UNIT_QUIRK_INTEL_HSW)
 * @GA_RAPL_UNIT_FIXED_1J: 1 J, PSys on Sapphire and Emerald Rapids
 *	(arch/x86/events/rapl.c RAPL_UNIT_QUIRK_INTEL_SPR)
 */
enum ga_rapl_quirk {
	GA_RAPL_UNIT_MSR,
	GA_RAPL_UNIT_FIXED_2_16,
	GA_RAPL_UNIT_FIXED_1J,
};

/**
 * struct ga_unit - energy of one hardware count: num / den µJ
 * @num: numerator, µJ
 * @den: denominator; 0 means "no valid unit" (domain absent)
 */
struct ga_unit {
	__u64 num;
	__u64 den;
};

/**
 * struct ga_counter - a hardware energy counter extended to 64-bit µJ
 * @unit: energy of one count
 * @mask: 2^width - 1
 * @wrap_ns: shortest time in which the counter can wrap at the domain's
 *	maximum power, ns; 0 when unknown or when it cannot wrap
 * @last_raw: last reading, masked to the counter width
 * @rem: carried remainder of the last conversion, in units of 1/den µJ
 * @total_uj: energy since ga_counter_init(), µJ
 */
struct ga_counter {
	struct ga_unit unit;
	__u64 mask;
	__u64 wrap_ns;
	__u64 last_raw;
	__u64 rem;
	__u64 total_uj;
};

/**
 * struct ga_idle_policy - how one domain's idle energy is estimated and shared
 * @share: enum greenai_idle_share: who the idle part goes to
 * @basis: enum greenai_idle_basis: how the idle part is estimated
 * @idle_power_uw: the domain's idle power, µW, for every basis but
 *	GREENAI_BASIS_UTIL
 *
 * ga_idle_resolve() makes one from what the user chose and what is known
 * of the domain.
 */
struct ga_idle_policy {
	__u32 share;
	__u32 basis;
	__u64 idle_power_uw;
};

/*
 * Calibration: a domain's idle power learned from the low end of its own
 * power at low utilisation. An interval counts when its utilisation is at
 * most GA_CAL_UTIL_PPM and it lasted at least GA_CAL_MIN_NS; the estimate
 * is the least power of the last GA_CAL_BLOCKS blocks of GA_CAL_BLOCK such
 * intervals (the one being filled included), ready once one block is full.
 * The window lets it follow a machine whose idle power changes.
 */
#define GA_CAL_UTIL_PPM		100000		/* 10 % */
#define GA_CAL_MIN_NS		10000000ULL	/* 10 ms */
#define GA_CAL_BLOCK		16
#define GA_CAL_BLOCKS		8

/**
 * struct ga_idle_cal - a domain's idle power calibration
 * @block_uw: least power of each full block, µW (ring)
 * @cur_uw: least power of the block being filled, µW
 * @cur_n: intervals in the block being filled
 * @nr_blocks: full blocks in @block_uw, at most GA_CAL_BLOCKS
 * @next: where the next full block goes in @block_uw
 * @seen: intervals that counted, ever
 */
struct ga_idle_cal {
	__u64 block_uw[GA_CAL_BLOCKS];
	__u64 cur_uw;
	__u32 cur_n;
	__u32 nr_blocks;
	__u32 next;
	__u32 __pad;
	__u64 seen;
};

/**
 * struct ga_split - shares of an amount of energy in proportion to weights
 * @energy_uj: the amount to share
 * @total_weight: Σ of the weights that will be taken
 * @cum_weight: Σ of the weights taken so far (never above @total_weight)
 * @given_uj: Σ of the shares handed out so far
 */
struct ga_split {
	__u64 energy_uj;
	__u64 total_weight;
	__u64 cum_weight;
	__u64 given_uj;
};

/**
 * struct ga_interval - one domain over one accounting interval
 * @energy_uj: ΔE of the domain
 * @active_uj: the part of @energy_uj due to activity
 * @idle_uj: the rest
 * @flags: GREENAI_F_CLAMPED when busy time exceeded capacity
 * @policy: the idle policy the interval was split under
 * @active: shares of @active_uj, by weight
 * @idle: shares of @idle_uj, by weight (busy) or by run time over capacity
 */
struct ga_interval {
	__u64 energy_uj;
	__u64 active_uj;
	__u64 idle_uj;
	__u32 flags;
	struct ga_idle_policy policy;
	struct ga_split active;
	struct ga_split idle;
};

/* 64 × 64 / 64 arithmetic, exact, never overflowing. */
__u64 ga_mul_div(__u64 a, __u64 b, __u64 c);
__u64 ga_mul_div_rem(__u64 a, __u64 b, __u64 c, __u64 *rem);

/* Units */
struct ga_unit ga_unit_uj(__u64 uj_per_count);
struct ga_unit ga_unit_esu(__u32 esu);
struct ga_unit ga_rapl_unit(__u64 power_unit_msr, enum ga_rapl_quirk quirk);
bool ga_unit_valid(struct ga_unit unit);

/* Counters */
int ga_counter_init(struct ga_counter *c, __u32 width, struct ga_unit unit,
		    __u64 max_power_uw, __u64 first_raw);
__u32 ga_counter_update(struct ga_counter *c, __u64 raw, __u64 elapsed_ns,
			__u64 *delta_uj);
__u64 ga_counter_range_uj(const struct ga_counter *c);
__u64 ga_counter_sample_period_ns(const struct ga_counter *c);

/* Proportional split */
void ga_split_init(struct ga_split *s, __u64 energy_uj, __u64 total_weight);
__u64 ga_split_take(struct ga_split *s, __u64 weight);
__u64 ga_split_left(const struct ga_split *s);

/* Idle policy: names, the estimate in force, calibration */
const char *ga_idle_share_name(__u32 share);
const char *ga_idle_basis_name(__u32 basis);
int ga_idle_share_parse(const char *name, __u32 *share);
void ga_idle_resolve(struct ga_idle_policy *out, __u32 share, bool util,
		     __u64 fixed_uw, const __u64 *model_uw,
		     const struct ga_idle_cal *cal);
void ga_idle_cal_add(struct ga_idle_cal *c, __u64 energy_uj,
		     __u64 elapsed_ns, __u64 busy_ns, __u64 capacity_ns);
bool ga_idle_cal_get(const struct ga_idle_cal *c, __u64 *idle_uw);
void ga_idle_cal_seed(struct ga_idle_cal *c, __u64 idle_uw);

/* Interval: active/idle split, then shares per task */
void ga_interval_begin(struct ga_interval *iv,
		       const struct ga_idle_policy *policy, __u64 energy_uj,
		       __u64 elapsed_ns, __u64 capacity_ns, __u64 busy_ns,
		       __u64 total_weight);
void ga_interval_charge(struct ga_interval *iv, __u64 weight, __u64 run_ns,
			struct greenai_energy *out);
__u64 ga_interval_node_idle(const struct ga_interval *iv);
__u64 ga_interval_unattributed(const struct ga_interval *iv);

#endif /* _GREENAI_ATTRIB_H */
