// SPDX-License-Identifier: GPL-2.0
/*
 * Energy meters (meter.h): exact trapezoid integration of power readings
 * with the remainder carried, and energy counters checked for going
 * backwards and for implausible steps.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <greenai/rapl.h>

#include "energy/meter.h"

#define GA_TWO_SEC_NS (2 * GA_NSEC_PER_SEC)

/**
 * ga_meter_init() - a meter without a reading
 * @m: the meter
 * @kind: enum ga_meter_kind
 * @max_uw: the most power the sensor can measure, µW
 */
void ga_meter_init(struct ga_meter *m, enum ga_meter_kind kind, __u64 max_uw)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->max_uw = max_uw;
}

/**
 * ga_energy_limit_uj() - the most energy a sensor can measure in a time
 * @max_uw: the most power it can measure, µW
 * @elapsed_ns: the time, ns (0: unknown)
 *
 * Return: @max_uw over @elapsed_ns, or over a second when that is longer,
 * in µJ; U64_MAX when that does not fit.
 */
__u64 ga_energy_limit_uj(__u64 max_uw, __u64 elapsed_ns)
{
	if (elapsed_ns < GA_NSEC_PER_SEC)
		elapsed_ns = GA_NSEC_PER_SEC;
	return ga_mul_div(max_uw, elapsed_ns, GA_NSEC_PER_SEC);
}

/**
 * ga_zone_count() - add energy measured over a time to a zone
 * @z: the zone: its @energy_uj grows by @uj, and its @power_uw becomes
 *	the mean power over @elapsed_ns
 * @uj: the energy, µJ
 * @elapsed_ns: the time it was measured over; 0: unknown, the zone's
 *	power is left as it was
 */
void ga_zone_count(struct ga_zone *z, __u64 uj, __u64 elapsed_ns)
{
	z->energy_uj += uj;
	if (elapsed_ns)
		z->power_uw = ga_mul_div(uj, GA_NSEC_PER_SEC, elapsed_ns);
}

/**
 * ga_zone_count_wrap() - a new reading of an energy counter that wraps
 * @z: the zone: counted into, or its error set
 * @last: the last good reading, µJ
 * @v: the new one, µJ, at most @range
 * @range: the reading after which the counter wraps to 0, µJ
 * @elapsed_ns: the time since @last was read; 0: unknown
 * @wrap_ns: the time the counter takes to cover @range at
 *	GA_RAPL_MAX_POWER_UW
 *
 * A reading below @last is one wrap, ΔE = range - last + v, flagged
 * GREENAI_F_WRAPPED. A wrap that would mean more than GA_RAPL_MAX_POWER_UW
 * over @elapsed_ns (at least a second) is a counter that went back:
 * nothing is counted. A read @wrap_ns or more after the last may hide a
 * whole wrap: flagged GREENAI_F_SUSPECT.
 *
 * Return: 0, or -ERANGE for a counter that went back (@z's error says so).
 */
int ga_zone_count_wrap(struct ga_zone *z, __u64 last, __u64 v, __u64 range,
		       __u64 elapsed_ns, __u64 wrap_ns)
{
	__u32 flags = 0;
	__u64 delta;

	if (v >= last) {
		delta = v - last;
	} else {
		delta = range - last + v;
		flags |= GREENAI_F_WRAPPED;
	}
	if ((flags & GREENAI_F_WRAPPED) &&
	    delta > ga_energy_limit_uj(GA_RAPL_MAX_POWER_UW, elapsed_ns)) {
		ga_zone_error(z, "energy_uj went back: %llu to %llu",
			      (unsigned long long)last, (unsigned long long)v);
		return -ERANGE;
	}
	if (elapsed_ns && elapsed_ns >= wrap_ns)
		flags |= GREENAI_F_SUSPECT;
	ga_zone_count(z, delta, elapsed_ns);
	z->flags |= flags;
	return 0;
}

static void ga_meter_take(struct ga_meter *m, __u64 val, __u64 now_ns)
{
	m->have_ref = true;
	m->ref = val;
	m->ref_ns = now_ns;
}

/**
 * ga_meter_start() - the first reading, taken before the zone exists
 * @m: the meter
 * @val: the reading: µJ or µW
 * @now_ns: when it was taken (at open: ga_mono_ns())
 *
 * Return: 0, or -ERANGE for a power reading above the meter's maximum,
 * which is not taken: the first good ga_meter_read() is the reference.
 */
int ga_meter_start(struct ga_meter *m, __u64 val, __u64 now_ns)
{
	if (m->kind == GA_METER_POWER && val > m->max_uw)
		return -ERANGE;
	ga_meter_take(m, val, now_ns);
	return 0;
}

/* A counter reading: the step since the reference, if it is believable. */
static int ga_meter_counter(struct ga_meter *m, struct ga_zone *z, __u64 uj,
			    __u64 now_ns)
{
	__u64 elapsed = now_ns > m->ref_ns ? now_ns - m->ref_ns : 0;
	__u64 delta = uj - m->ref;
	int err = -ERANGE;

	if (uj < m->ref) {
		ga_zone_error(
			z,
			"energy counter went backwards, %llu to %llu µJ (driver reloaded?)",
			(unsigned long long)m->ref, (unsigned long long)uj);
	} else if (delta > ga_energy_limit_uj(m->max_uw, elapsed) ||
		   delta > UINT64_MAX - z->energy_uj) {
		ga_zone_error(z, "energy counter jumped, %llu to %llu µJ",
			      (unsigned long long)m->ref,
			      (unsigned long long)uj);
	} else {
		ga_zone_count(z, delta, elapsed);
		err = 0;
	}
	if (err)
		z->flags |= GREENAI_F_SUSPECT;
	ga_meter_take(m, uj, now_ns);
	return err;
}

/* A power reading: the trapezoid since the reference, remainder carried. */
static int ga_meter_power(struct ga_meter *m, struct ga_zone *z, __u64 uw,
			  __u64 now_ns)
{
	__u64 sum, uj, rem;

	if (uw > m->max_uw) {
		ga_zone_error(z, "implausible power reading %llu µW",
			      (unsigned long long)uw);
		return -ERANGE;
	}
	if (!m->have_ref || now_ns <= m->ref_ns) {
		z->power_uw = uw;
		ga_meter_take(m, uw, now_ns);
		return 0;
	}
	/* (P0 + P1) / 2 × Δt: µW × ns / (2 × 10^9) = µJ, in 128 bits */
	sum = m->ref + uw;
	uj = ga_mul_div_rem(sum, now_ns - m->ref_ns, GA_TWO_SEC_NS, &rem);
	rem += m->rem;
	if (rem >= GA_TWO_SEC_NS) {
		rem -= GA_TWO_SEC_NS;
		uj++;
	}
	if (uj > UINT64_MAX - z->energy_uj) {
		ga_zone_error(z, "power integrated over too long a time");
		return -ERANGE;
	}
	m->rem = rem;
	z->energy_uj += uj;
	z->power_uw = sum / 2;
	ga_meter_take(m, uw, now_ns);
	return 0;
}

/**
 * ga_meter_read() - extend a zone's energy with a new reading
 * @m: the zone's meter
 * @z: the zone: its @energy_uj grows, @power_uw is the mean power since
 *	the last reading, @error and @flags say what went wrong
 * @val: the reading: µJ (counter) or µW (power)
 * @now_ns: when it was taken
 *
 * The first reading only starts the meter (a power reading is then the
 * zone's power). See meter.h for what is counted and what is an error.
 *
 * Return: 0, or -ERANGE with @z->error set: a counter that went backwards
 * or jumped (@z flagged GREENAI_F_SUSPECT; the reading is the new
 * reference), a power reading above the maximum, or energy past 2^64 µJ.
 */
int ga_meter_read(struct ga_meter *m, struct ga_zone *z, __u64 val,
		  __u64 now_ns)
{
	if (m->kind == GA_METER_POWER)
		return ga_meter_power(m, z, val, now_ns);
	if (!m->have_ref) {
		ga_meter_take(m, val, now_ns);
		return 0;
	}
	return ga_meter_counter(m, z, val, now_ns);
}
