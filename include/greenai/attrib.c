// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * greenai attribution core, compiled into greenai.ko and into libgreenai.
 * See attrib.h for the contract, units and locking (none: callers own
 * their structures).
 *
 * The only difference between the two builds is the primitive that divides
 * a 128-bit product by a 64-bit divisor: mul_u64_u64_div_u64() in the
 * kernel (exact on x86-64, where it is mulq/divq), unsigned __int128 in
 * userspace. Both return floor(a × b / c); everything else is shared.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#include <greenai/attrib.h>

#define GA_U64_MAX	(~0ULL)

#ifdef __KERNEL__
#ifndef CONFIG_X86_64
#error "greenai needs the exact x86-64 mul_u64_u64_div_u64()"
#endif
static __u64 ga_div64(__u64 a, __u64 c)
{
	return div64_u64(a, c);
}

static __u64 ga_div128(__u64 a, __u64 b, __u64 c)
{
	return mul_u64_u64_div_u64(a, b, c);
}
#else
static __u64 ga_div64(__u64 a, __u64 c)
{
	return a / c;
}

static __u64 ga_div128(__u64 a, __u64 b, __u64 c)
{
	return (__u64)(((__uint128_t)a * b) / c);
}
#endif

/* The 128-bit product a × b as hi:lo, with 32-bit halves only. */
static void ga_mul_64x64(__u64 a, __u64 b, __u64 *hi, __u64 *lo)
{
	__u64 a_lo = (__u32)a, a_hi = a >> 32;
	__u64 b_lo = (__u32)b, b_hi = b >> 32;
	__u64 p0 = a_lo * b_lo, p1 = a_lo * b_hi;
	__u64 p2 = a_hi * b_lo, p3 = a_hi * b_hi;
	__u64 mid = (p0 >> 32) + (__u32)p1 + (__u32)p2;

	*lo = (mid << 32) | (__u32)p0;
	*hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

/**
 * ga_mul_div_rem() - floor(a × b / c) and its remainder, without overflow
 * @a: first factor
 * @b: second factor
 * @c: divisor
 * @rem: set to (a × b) mod c
 *
 * The product is formed in 128 bits. Return: the quotient, or U64_MAX (and
 * @rem 0) when @c is 0 or the quotient does not fit in 64 bits.
 */
__u64 ga_mul_div_rem(__u64 a, __u64 b, __u64 c, __u64 *rem)
{
	__u64 hi, lo, q;

	*rem = 0;
	if (!c)
		return GA_U64_MAX;
	ga_mul_64x64(a, b, &hi, &lo);
	if (hi >= c)
		return GA_U64_MAX;
	q = hi ? ga_div128(a, b, c) : ga_div64(lo, c);
	/* The remainder is below c: the low 64 bits of lo - q × c hold it. */
	*rem = lo - q * c;
	return q;
}

/**
 * ga_mul_div() - floor(a × b / c) without overflow
 * @a: first factor
 * @b: second factor
 * @c: divisor
 *
 * Return: the quotient, or U64_MAX when @c is 0 or it does not fit.
 */
__u64 ga_mul_div(__u64 a, __u64 b, __u64 c)
{
	__u64 rem;

	return ga_mul_div_rem(a, b, c, &rem);
}

/**
 * ga_unit_uj() - a unit of a whole number of µJ per count
 * @uj_per_count: µJ per count (1 for powercap and hwmon energy_uj files)
 *
 * Return: the unit.
 */
struct ga_unit ga_unit_uj(__u64 uj_per_count)
{
	struct ga_unit unit = { .num = uj_per_count, .den = 1 };

	return unit;
}

/**
 * ga_unit_esu() - the unit 2^-esu J
 * @esu: energy status unit exponent, 0..31
 *
 * Return: 10^6 / 2^@esu µJ per count, or an invalid unit if @esu > 31.
 */
struct ga_unit ga_unit_esu(__u32 esu)
{
	struct ga_unit unit = { 0, 0 };

	if (esu <= GA_RAPL_ESU_MASK) {
		unit.num = GA_UJ_PER_J;
		unit.den = 1ULL << esu;
	}
	return unit;
}

/**
 * ga_rapl_unit() - energy unit of a RAPL domain
 * @power_unit_msr: value of MSR_RAPL_POWER_UNIT (Intel 0x606) or
 *	MSR_AMD_RAPL_POWER_UNIT (0xc0010299); both keep the ESU in bits 12:8
 * @quirk: a fixed unit that overrides the MSR for this domain
 *
 * A register that reads 0 means there is no RAPL (TCG and many hypervisors
 * let the read succeed and return 0).
 *
 * Return: the unit, invalid (den 0) when the register reads 0.
 */
struct ga_unit ga_rapl_unit(__u64 power_unit_msr, enum ga_rapl_quirk quirk)
{
	struct ga_unit none = { 0, 0 };

	if (!power_unit_msr)
		return none;
	switch (quirk) {
	case GA_RAPL_UNIT_FIXED_2_16:
		return ga_unit_esu(16);
	case GA_RAPL_UNIT_FIXED_1J:
		return ga_unit_esu(0);
	case GA_RAPL_UNIT_MSR:
		break;
	}
	return ga_unit_esu((power_unit_msr >> GA_RAPL_ESU_SHIFT) &
			   GA_RAPL_ESU_MASK);
}

/**
 * ga_unit_valid() - whether a unit can convert counts
 * @unit: the unit
 *
 * Return: true when both its numerator and denominator are non-zero.
 */
bool ga_unit_valid(struct ga_unit unit)
{
	return unit.num && unit.den;
}

/**
 * ga_counter_range_uj() - energy after which the counter wraps
 * @c: the counter
 *
 * Return: µJ, or 0 for a 64-bit counter (which never wraps in practice).
 */
__u64 ga_counter_range_uj(const struct ga_counter *c)
{
	if (c->mask == GA_U64_MAX)
		return 0;
	return ga_mul_div(c->mask + 1, c->unit.num, c->unit.den);
}

/**
 * ga_counter_init() - start following a hardware energy counter
 * @c: the counter state
 * @width: bits the hardware counter has (32 for RAPL), 1..64
 * @unit: energy of one count
 * @max_power_uw: highest power the domain can draw, µW; it sets the
 *	shortest wrap time, past which an interval is flagged suspect
 *	(0: unknown, never flagged)
 * @first_raw: the counter's value now
 *
 * Return: 0, or -EINVAL for a bad width or an invalid unit.
 */
int ga_counter_init(struct ga_counter *c, __u32 width, struct ga_unit unit,
		    __u64 max_power_uw, __u64 first_raw)
{
	__u64 range;

	if (!width || width > 64 || !ga_unit_valid(unit))
		return -EINVAL;
	c->unit = unit;
	c->mask = width == 64 ? GA_U64_MAX : (1ULL << width) - 1;
	c->last_raw = first_raw & c->mask;
	c->rem = 0;
	c->total_uj = 0;
	c->wrap_ns = 0;
	range = ga_counter_range_uj(c);
	if (range && max_power_uw)
		c->wrap_ns = ga_mul_div(range, GA_NSEC_PER_SEC, max_power_uw);
	return 0;
}

/**
 * ga_counter_update() - take a new reading
 * @c: the counter state
 * @raw: the counter's value now (bits above the width are ignored)
 * @elapsed_ns: time since the previous reading, ns
 * @delta_uj: set to the energy since the previous reading, µJ
 *
 * The delta is taken modulo 2^width, so one wrap comes out right. If
 * @elapsed_ns is as long as the shortest time in which the counter can
 * wrap, a second wrap may be hidden: the result is flagged, never guessed.
 *
 * Return: GREENAI_F_WRAPPED and GREENAI_F_SUSPECT as they apply.
 */
__u32 ga_counter_update(struct ga_counter *c, __u64 raw, __u64 elapsed_ns,
			__u64 *delta_uj)
{
	__u64 now = raw & c->mask;
	__u64 counts = (now - c->last_raw) & c->mask;
	__u64 uj, rem;
	__u32 flags = 0;

	if (now < c->last_raw)
		flags |= GREENAI_F_WRAPPED;
	if (c->wrap_ns && elapsed_ns >= c->wrap_ns)
		flags |= GREENAI_F_SUSPECT;

	uj = ga_mul_div_rem(counts, c->unit.num, c->unit.den, &rem);
	/* Both remainders are below den: the sum wraps only if den > 2^63. */
	rem += c->rem;
	if (rem >= c->unit.den || rem < c->rem) {
		rem -= c->unit.den;
		uj++;
	}
	c->rem = rem;
	c->last_raw = now;
	c->total_uj += uj;
	*delta_uj = uj;
	return flags;
}

/**
 * ga_counter_sample_period_ns() - how often to read the counter
 * @c: the counter
 *
 * Return: half the shortest wrap time, ns, or 0 when there is no bound.
 */
__u64 ga_counter_sample_period_ns(const struct ga_counter *c)
{
	return c->wrap_ns / 2;
}

/**
 * ga_split_init() - prepare to share energy over weights
 * @s: the split
 * @energy_uj: the energy to share, µJ
 * @total_weight: Σ of the weights that will be passed to ga_split_take()
 */
void ga_split_init(struct ga_split *s, __u64 energy_uj, __u64 total_weight)
{
	s->energy_uj = energy_uj;
	s->total_weight = total_weight;
	s->cum_weight = 0;
	s->given_uj = 0;
}

/**
 * ga_split_take() - the share of the next weight
 * @s: the split
 * @weight: this taker's weight
 *
 * Cumulative rounding: the shares handed out so far always add up to
 * floor(energy × Σ weights taken / total), so the remainder of each
 * division is carried to the next taker and, once every weight has been
 * taken, the shares add up to the energy exactly. Weights beyond the total
 * are clamped to it.
 *
 * Return: the share, µJ.
 */
__u64 ga_split_take(struct ga_split *s, __u64 weight)
{
	__u64 left = s->total_weight - s->cum_weight;
	__u64 target, share;

	if (!s->total_weight)
		return 0;
	if (weight > left)
		weight = left;
	s->cum_weight += weight;
	if (s->cum_weight == s->total_weight)
		target = s->energy_uj;
	else
		target = ga_mul_div(s->energy_uj, s->cum_weight,
				    s->total_weight);
	share = target - s->given_uj;
	s->given_uj = target;
	return share;
}

/**
 * ga_split_left() - energy not yet handed out
 * @s: the split
 *
 * Return: µJ.
 */
__u64 ga_split_left(const struct ga_split *s)
{
	return s->energy_uj - s->given_uj;
}

static const char *const ga_share_names[] = {
	[GREENAI_IDLE_CAPACITY] = "capacity",
	[GREENAI_IDLE_BUSY] = "busy",
	[GREENAI_IDLE_NONE] = "none",
};

static const char *const ga_basis_names[] = {
	[GREENAI_BASIS_UTIL] = "utilisation",
	[GREENAI_BASIS_FIXED] = "fixed",
	[GREENAI_BASIS_CALIBRATED] = "calibrated",
	[GREENAI_BASIS_MODEL] = "model",
};

/**
 * ga_idle_share_name() - an idle share's name, as users give it
 * @share: enum greenai_idle_share
 *
 * Return: "capacity", "busy", "none", or "?" when unknown.
 */
const char *ga_idle_share_name(__u32 share)
{
	if (share >= ARRAY_SIZE(ga_share_names))
		return "?";
	return ga_share_names[share];
}

/**
 * ga_idle_basis_name() - an idle basis's name
 * @basis: enum greenai_idle_basis
 *
 * Return: "utilisation", "fixed", "calibrated", "model", or "?".
 */
const char *ga_idle_basis_name(__u32 basis)
{
	if (basis >= ARRAY_SIZE(ga_basis_names))
		return "?";
	return ga_basis_names[basis];
}

/**
 * ga_idle_share_parse() - an idle share from its name
 * @name: "capacity", "busy" or "none"
 * @share: set to the enum greenai_idle_share; unchanged on error
 *
 * Return: 0, or -EINVAL.
 */
int ga_idle_share_parse(const char *name, __u32 *share)
{
	__u32 i;

	for (i = 0; i < ARRAY_SIZE(ga_share_names); i++) {
		if (!strcmp(name, ga_share_names[i])) {
			*share = i;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * ga_idle_resolve() - the idle policy in force for one domain
 * @out: the policy
 * @share: enum greenai_idle_share, as the user chose
 * @util: estimate idle by the utilisation ratio, whatever else is known
 * @fixed_uw: an idle power the user gave for the domain, µW; 0: none
 * @model_uw: the power model's idle power when the domain is the model's
 *	estimate, µW (0 W too); NULL otherwise
 * @cal: the domain's calibration, or NULL
 *
 * The idle estimate is, first that applies: the utilisation ratio when
 * asked for; the user's figure; the model's own idle power (exact for an
 * estimated domain); the calibrated idle power once learned; else the
 * utilisation ratio.
 */
void ga_idle_resolve(struct ga_idle_policy *out, __u32 share, bool util,
		     __u64 fixed_uw, const __u64 *model_uw,
		     const struct ga_idle_cal *cal)
{
	__u64 uw = 0;

	out->share = share;
	out->idle_power_uw = 0;
	out->basis = GREENAI_BASIS_UTIL;
	if (util)
		return;
	if (fixed_uw) {
		out->basis = GREENAI_BASIS_FIXED;
		out->idle_power_uw = fixed_uw;
	} else if (model_uw) {
		out->basis = GREENAI_BASIS_MODEL;
		out->idle_power_uw = *model_uw;
	} else if (cal && ga_idle_cal_get(cal, &uw)) {
		out->basis = GREENAI_BASIS_CALIBRATED;
		out->idle_power_uw = uw;
	}
}

/**
 * ga_idle_cal_add() - learn from one interval of a domain
 * @c: the domain's calibration (zeroed to start)
 * @energy_uj: the domain's energy in the interval, µJ
 * @elapsed_ns: the interval's length, ns
 * @busy_ns: run time on the domain's CPUs, ns
 * @capacity_ns: the CPU time they had, ns
 *
 * Only quiet intervals count (struct ga_idle_cal); callers leave out
 * intervals whose energy is in doubt (GREENAI_F_SUSPECT).
 */
void ga_idle_cal_add(struct ga_idle_cal *c, __u64 energy_uj,
		     __u64 elapsed_ns, __u64 busy_ns, __u64 capacity_ns)
{
	__u64 uw;

	if (elapsed_ns < GA_CAL_MIN_NS || !capacity_ns)
		return;
	if (ga_mul_div(busy_ns, 1000000, capacity_ns) > GA_CAL_UTIL_PPM)
		return;
	uw = ga_mul_div(energy_uj, GA_NSEC_PER_SEC, elapsed_ns);
	if (!c->cur_n || uw < c->cur_uw)
		c->cur_uw = uw;
	c->seen++;
	if (++c->cur_n < GA_CAL_BLOCK)
		return;
	c->block_uw[c->next] = c->cur_uw;
	c->next = (c->next + 1) % GA_CAL_BLOCKS;
	if (c->nr_blocks < GA_CAL_BLOCKS)
		c->nr_blocks++;
	c->cur_n = 0;
}

/**
 * ga_idle_cal_get() - the calibrated idle power
 * @c: the domain's calibration
 * @idle_uw: set to the idle power, µW, when learned
 *
 * Return: whether one block of quiet intervals has been seen.
 */
bool ga_idle_cal_get(const struct ga_idle_cal *c, __u64 *idle_uw)
{
	__u64 uw;
	__u32 i;

	if (!c->nr_blocks)
		return false;
	uw = c->cur_n ? c->cur_uw : c->block_uw[0];
	for (i = 0; i < c->nr_blocks; i++)
		if (c->block_uw[i] < uw)
			uw = c->block_uw[i];
	*idle_uw = uw;
	return true;
}

/**
 * ga_idle_cal_seed() - start a calibration from a figure learned before
 * @c: the domain's calibration, zeroed
 * @idle_uw: the idle power learned, µW
 *
 * The figure stands as one full block: ga_idle_cal_get() gives it at
 * once, quieter blocks learned after lower it, and it leaves the window
 * as any block does, GA_CAL_BLOCKS blocks later.
 */
void ga_idle_cal_seed(struct ga_idle_cal *c, __u64 idle_uw)
{
	c->block_uw[0] = idle_uw;
	c->nr_blocks = 1;
	c->next = 1;
}

/**
 * ga_interval_begin() - split a domain's interval energy into active and idle
 * @iv: the interval
 * @policy: the idle policy in force for the domain (ga_idle_resolve())
 * @energy_uj: ΔE of the domain over the interval, µJ
 * @elapsed_ns: length of the interval, ns
 * @capacity_ns: CPU time the domain's CPUs had: nr_cpus × @elapsed_ns
 * @busy_ns: Σ run time of tasks on the domain's CPUs, ns
 * @total_weight: Σ of the weights that ga_interval_charge() will be given
 *	(run time in ns, or cycles)
 *
 * The idle part is energy × (1 - busy / capacity) by GREENAI_BASIS_UTIL,
 * else the policy's idle power × elapsed, at most the energy; the rest is
 * active. The active part goes to the tasks by weight; the idle part by
 * the policy's share: by weight (busy), by run time over capacity
 * (capacity, the rest staying with the node), or not at all (none).
 */
void ga_interval_begin(struct ga_interval *iv,
		       const struct ga_idle_policy *policy, __u64 energy_uj,
		       __u64 elapsed_ns, __u64 capacity_ns, __u64 busy_ns,
		       __u64 total_weight)
{
	__u64 idle, idle_total;

	iv->flags = 0;
	iv->policy = *policy;
	if (busy_ns > capacity_ns) {
		busy_ns = capacity_ns;
		iv->flags |= GREENAI_F_CLAMPED;
	}
	if (policy->basis != GREENAI_BASIS_UTIL) {
		idle = ga_mul_div(policy->idle_power_uw, elapsed_ns,
				  GA_NSEC_PER_SEC);
		if (idle > energy_uj)
			idle = energy_uj;
	} else if (capacity_ns) {
		idle = energy_uj - ga_mul_div(energy_uj, busy_ns, capacity_ns);
	} else {
		idle = energy_uj;
	}
	switch (policy->share) {
	case GREENAI_IDLE_BUSY:
		idle_total = total_weight;
		break;
	case GREENAI_IDLE_NONE:
		idle_total = 0;
		break;
	default:
		idle_total = capacity_ns;
		break;
	}
	iv->energy_uj = energy_uj;
	iv->idle_uj = idle;
	iv->active_uj = energy_uj - idle;
	ga_split_init(&iv->active, iv->active_uj, total_weight);
	ga_split_init(&iv->idle, iv->idle_uj, idle_total);
}

/**
 * ga_interval_charge() - the energy of one task in the interval
 * @iv: the interval
 * @weight: the task's weight (its run time on the domain's CPUs, or cycles)
 * @run_ns: the task's run time on the domain's CPUs, ns (its capacity
 *	share is @run_ns over the capacity)
 * @out: set to the task's active energy and idle share, µJ
 */
void ga_interval_charge(struct ga_interval *iv, __u64 weight, __u64 run_ns,
			struct greenai_energy *out)
{
	out->active_uj = ga_split_take(&iv->active, weight);
	out->idle_uj = ga_split_take(&iv->idle,
				     iv->policy.share == GREENAI_IDLE_BUSY ?
				     weight : run_ns);
}

/**
 * ga_interval_node_idle() - idle energy the tasks were not given
 * @iv: the interval
 *
 * After every task has been charged: the node's own idle figure (all of
 * the idle part with share none, or when no task ran).
 *
 * Return: µJ.
 */
__u64 ga_interval_node_idle(const struct ga_interval *iv)
{
	return ga_split_left(&iv->idle);
}

/**
 * ga_interval_unattributed() - active energy no task was charged
 * @iv: the interval
 *
 * All of the active part when no task ran (a fixed idle power below the
 * energy leaves an active part even then); after every weight has been
 * charged, 0 otherwise.
 *
 * Return: µJ.
 */
__u64 ga_interval_unattributed(const struct ga_interval *iv)
{
	return ga_split_left(&iv->active);
}
