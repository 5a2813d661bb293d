/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Energy meters: a sensor's successive readings turned into a zone's
 * monotonic energy (esrc.h), for the sources whose hardware gives either
 * an energy counter that does not wrap or a power reading (hwmon, DRM,
 * NVML). One meter per zone; the source reads the sensor and hands each
 * reading over with its time.
 *
 * Counters (GA_METER_COUNTER), µJ. The energy is the sum of the steps
 * between good readings. A reading below the last one (the driver was
 * reloaded) is an error for that read, never a negative delta, and so is
 * a step of more than @max_uw over the time since the last reading (at
 * least a second); either is flagged GREENAI_F_SUSPECT, returns -ERANGE
 * and becomes the reference the next step is taken from.
 *
 * Power (GA_METER_POWER), µW. Integrated by the trapezoid rule between
 * consecutive good readings: ΔE = (P0 + P1) × Δt / 2, µW × ns divided by
 * 2 × 10^9 with the remainder carried, so that the energy after any
 * number of readings is floor(Σ (P0 + P1) × Δt / (2 × 10^9)) µJ exactly.
 * A reading above @max_uw is an error (-ERANGE) and is not kept: the next
 * good reading integrates over the whole gap since the last good one.
 *
 * Times are CLOCK_MONOTONIC ns (clock.h). A reading whose time is not
 * after the reference's integrates nothing (a counter's step still
 * counts) and replaces it.
 *
 * ga_energy_limit_uj() and ga_zone_count() serve the sources with meters
 * of their own too (the power model), and ga_zone_count_wrap() those whose
 * counters wrap at a range (powercap's RAPL, a VM host's hand-over tree).
 *
 * Not thread-safe: one caller per meter, as per source (esrc.h).
 */
#ifndef _GREENAI_METER_H
#define _GREENAI_METER_H

#include <stdbool.h>

#include <greenai/attrib.h>

#include "energy/esrc.h"

enum ga_meter_kind {
	GA_METER_COUNTER, /* an energy counter, µJ, that never wraps */
	GA_METER_POWER, /* power readings, µW, integrated */
};

/**
 * struct ga_meter - one sensor's readings turned into energy
 * @kind: enum ga_meter_kind
 * @max_uw: the most power the sensor can measure, µW
 * @have_ref: there is a last good reading
 * @ref: the last good reading: µJ (counter) or µW (power)
 * @ref_ns: when it was taken, ns
 * @rem: power: the remainder carried, in 1 / (2 × 10^9) µJ
 */
struct ga_meter {
	enum ga_meter_kind kind;
	__u64 max_uw;
	bool have_ref;
	__u64 ref;
	__u64 ref_ns;
	__u64 rem;
};

void ga_meter_init(struct ga_meter *m, enum ga_meter_kind kind, __u64 max_uw);
int ga_meter_start(struct ga_meter *m, __u64 val, __u64 now_ns);
int ga_meter_read(struct ga_meter *m, struct ga_zone *z, __u64 val,
		  __u64 now_ns);
__u64 ga_energy_limit_uj(__u64 max_uw, __u64 elapsed_ns);
void ga_zone_count(struct ga_zone *z, __u64 uj, __u64 elapsed_ns);
int ga_zone_count_wrap(struct ga_zone *z, __u64 last, __u64 v, __u64 range,
		       __u64 elapsed_ns, __u64 wrap_ns);

#endif /* _GREENAI_METER_H */
