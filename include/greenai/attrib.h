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
 * - a domain's energy is split into active and idle parts, and each part is
 *   shared over the tasks in proportion to their weight (run time, or
 *   cycles) with cumulative rounding: each share is within 1 µJ of the
 *   exact quotient and Σ shares + unattributed == energy to the µJ.
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
 * enum ga_idle_mode - how a domain's energy is split into active and idle
 * @GA_IDLE_UTIL: idle = energy × (1 - busy / capacity) (the default)
 * @GA_IDLE_FIXED: idle = min(energy, idle power × elapsed)
 */
enum ga_idle_mode {
	GA_IDLE_UTIL,
	GA_IDLE_FIXED,
};

/**
 * struct ga_idle_policy - the explicit, configurable idle estimate
 * @mode: enum ga_idle_mode
 * @idle_power_uw: the domain's idle power for GA_IDLE_FIXED, µW
 */
struct ga_idle_policy {
	__u32 mode;
	__u64 idle_power_uw;
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
 * @active: shares of @active_uj
 * @idle: shares of @idle_uj
 */
struct ga_interval {
	__u64 energy_uj;
	__u64 active_uj;
	__u64 idle_uj;
	__u32 flags;
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

/* Interval: active/idle split, then shares per task */
void ga_interval_begin(struct ga_interval *iv,
		       const struct ga_idle_policy *policy, __u64 energy_uj,
		       __u64 elapsed_ns, __u64 capacity_ns, __u64 busy_ns,
		       __u64 total_weight);
void ga_interval_charge(struct ga_interval *iv, __u64 weight,
			struct greenai_energy *out);
__u64 ga_interval_unattributed(const struct ga_interval *iv);

#endif /* _GREENAI_ATTRIB_H */
