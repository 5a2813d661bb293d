/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process shares as a source hands them out (esrc.h, ga_esrc_shares):
 * the weights a source gathered, one per thing it saw (a DRM client, an
 * NVML sample), summed into one entry per PID, sorted by PID, and cut to
 * the caller's room with GA_SHARE_TRUNCATED saying so.
 */
#ifndef _GREENAI_SHARES_H
#define _GREENAI_SHARES_H

#include "energy/esrc.h"

unsigned int ga_shares_merge(struct ga_share *v, unsigned int nr,
			     struct ga_share *out, unsigned int max,
			     __u32 *flags);

#endif /* _GREENAI_SHARES_H */
