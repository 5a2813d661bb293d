/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clock energy sources stamp their readings with: CLOCK_MONOTONIC in
 * ns, the clock of the @now_ns every ga_esrc_read() is given (esrc.h). A
 * source takes its first readings at open with ga_mono_ns(), so that the
 * energy it reports counts from open. And the wall clock, for what is
 * recorded (runs, containers) and for grid intensities over time.
 */
#ifndef _GREENAI_CLOCK_H
#define _GREENAI_CLOCK_H

#include <stdint.h>
#include <time.h>

#include <greenai/attrib.h>

/* CLOCK_REALTIME now, ns since the epoch: what the ledger records. */
static inline int64_t ga_unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * GA_NSEC_PER_SEC + ts.tv_nsec;
}

/* CLOCK_REALTIME now, ms: the times of grid intensities. */
static inline int64_t ga_unix_ms(void)
{
	return ga_unix_ns() / 1000000;
}

/* CLOCK_MONOTONIC now, ns. */
static inline __u64 ga_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * GA_NSEC_PER_SEC + ts.tv_nsec;
}

/* CLOCK_MONOTONIC now, seconds: for loops and rates. */
static inline double ga_mono_s(void)
{
	return ga_mono_ns() / 1e9;
}

#endif /* _GREENAI_CLOCK_H */
