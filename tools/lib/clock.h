/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clock energy sources stamp their readings with: CLOCK_MONOTONIC in
 * ns, the clock of the @now_ns every ga_esrc_read() is given (esrc.h). A
 * source takes its first readings at open with ga_mono_ns(), so that the
 * energy it reports counts from open.
 */
#ifndef _GREENAI_CLOCK_H
#define _GREENAI_CLOCK_H

#include <time.h>

#include <greenai/attrib.h>

/* CLOCK_MONOTONIC now, ns. */
static inline __u64 ga_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * GA_NSEC_PER_SEC + ts.tv_nsec;
}

#endif /* _GREENAI_CLOCK_H */
